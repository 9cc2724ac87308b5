#pragma once
// `cortexsim compare OUT.h5 ...`: scores a finished run against data (docs/observables.md, "Comparing with data").
#include <string>
#include <vector>

namespace cortexsim {

/// args without the command word. Prints the score table (rank 0 of the caller; compare itself is serial) and
/// writes /analysis/compare/* into OUT.h5 unless --no-write. Returns 0, 2 on bad input, 1 on a failure.
int compare_command(const std::vector<std::string>& args);

std::string compare_usage();

}  // namespace cortexsim
