#include "cortexsim/stimulus/stimulus.hpp"

namespace cortexsim {

stimulus_schedule::stimulus_schedule(const std::vector<stimulus_spec>& all, std::size_t begin, std::size_t n,
                                     std::size_t n_populations)
    : buffers_(n_populations, std::vector<double>(n, 0.0)) {
    for (const auto& s : all) {
        if (s.area < begin || s.area >= begin + n) continue;
        const std::size_t idx = stimuli_.size();
        stimuli_.push_back(s);
        const std::size_t la = s.area - begin;
        bool found = false;
        for (auto& t : targets_)
            if (t.population == s.population && t.local_area == la) {
                t.stimuli.push_back(idx);
                found = true;
            }
        if (!found) targets_.push_back({s.population, la, {idx}});
    }
}

void stimulus_schedule::apply(std::int64_t step) {
    for (const auto& t : targets_) {
        double v = 0.0;
        for (std::size_t k : t.stimuli) {
            const auto& s = stimuli_[k];
            if (step >= s.onset_step && step < s.end_step) v += s.amplitude;
        }
        buffers_[t.population][t.local_area] = v;
    }
}

}  // namespace cortexsim
