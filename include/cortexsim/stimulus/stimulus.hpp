#pragma once
// Deterministic stimulus protocols, evaluated per integer step for the local areas. No MPI.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// The stimuli that touch this rank's areas, with the input buffers they write.
/// A stimulus is on during the update from step k to k+1 for onset_step <= k < end_step
/// (the reference code's "onset < t_{k+1} <= offset"). A noise stimulus adds amplitude + sd z, with z a normal
/// deviate keyed by (run.seed, the area's data-file index, its noise stream, k): the same on any rank count, in
/// every stage of a step and after a restart.
class stimulus_schedule {
public:
    /// Keeps the stimuli of m whose area is in [begin, begin + n); `n_populations` input buffers of n entries.
    stimulus_schedule(const model_spec& m, std::size_t begin, std::size_t n, std::size_t n_populations);
    /// The same for a list of stimuli (noise keyed by seed 0 and the global area index).
    stimulus_schedule(const std::vector<stimulus_spec>& all, std::size_t begin, std::size_t n,
                      std::size_t n_populations);

    /// Writes the external input of step k into the buffers (only the entries stimuli touch). No allocation.
    void apply(std::int64_t step);

    /// Input buffer of population p (n entries, zero where no stimulus is on).
    const double* input(std::size_t p) const { return buffers_[p].data(); }

private:
    void build(const std::vector<stimulus_spec>& all, std::size_t begin, std::size_t n);
    struct target {
        std::size_t population, local_area;
        std::vector<std::size_t> stimuli;
    };
    std::vector<stimulus_spec> stimuli_;
    std::vector<std::uint64_t> area_id_;  // per stimulus: the area's data-file index (noise key)
    std::array<std::uint32_t, 2> key_{0, 0};
    std::vector<std::size_t> ids_;  // data-file index of every area (empty: the global index)
    std::vector<target> targets_;
    std::vector<std::vector<double>> buffers_;
};

}  // namespace cortexsim
