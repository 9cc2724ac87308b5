#pragma once
// Deterministic stimulus protocols, evaluated per integer step for the local areas. No MPI.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// The stimuli that touch this rank's areas, with the input buffers they write.
/// A stimulus is on during the update from step k to k+1 for onset_step <= k < end_step
/// (the reference code's "onset < t_{k+1} <= offset").
class stimulus_schedule {
public:
    /// Keeps the stimuli whose area is in [begin, begin + n); `n_populations` input buffers of n entries.
    stimulus_schedule(const std::vector<stimulus_spec>& all, std::size_t begin, std::size_t n,
                      std::size_t n_populations);

    /// Writes the external input of step k into the buffers (only the entries stimuli touch). No allocation.
    void apply(std::int64_t step);

    /// Input buffer of population p (n entries, zero where no stimulus is on).
    const double* input(std::size_t p) const { return buffers_[p].data(); }

private:
    struct target {
        std::size_t population, local_area;
        std::vector<std::size_t> stimuli;
    };
    std::vector<stimulus_spec> stimuli_;
    std::vector<target> targets_;
    std::vector<std::vector<double>> buffers_;
};

}  // namespace cortexsim
