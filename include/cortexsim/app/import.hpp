#pragma once
// cortexsim import: a TVB zip, a MATLAB v7.3 .mat or text matrices into a connectome HDF5 file (no MPI).
#include <string>
#include <vector>

namespace cortexsim {

/// Usage, options, examples and exit codes of `cortexsim import`.
std::string import_usage();

/// Runs `cortexsim import ARGS` (without the command name); prints one line on success, one error line on
/// stderr otherwise. Returns 0, 1 (bad input or an existing output) or 2 (bad command line).
int import_command(const std::vector<std::string>& args);

}  // namespace cortexsim
