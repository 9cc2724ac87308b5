#include "cortexsim/stimulus/stimulus.hpp"

#include "cortexsim/common/counter_rng.hpp"

namespace cortexsim {

stimulus_schedule::stimulus_schedule(const model_spec& m, std::size_t begin, std::size_t n, std::size_t n_populations)
    : buffers_(n_populations, std::vector<double>(n, 0.0)) {
    key_ = key_of(m.run.seed);
    ids_ = m.areas.original;
    build(m.stimuli, begin, n);
}

stimulus_schedule::stimulus_schedule(const std::vector<stimulus_spec>& all, std::size_t begin, std::size_t n,
                                     std::size_t n_populations)
    : buffers_(n_populations, std::vector<double>(n, 0.0)) {
    key_ = key_of(0);
    build(all, begin, n);
}

void stimulus_schedule::build(const std::vector<stimulus_spec>& all, std::size_t begin, std::size_t n) {
    for (const auto& s : all) {
        if (s.area < begin || s.area >= begin + n) continue;
        const std::size_t idx = stimuli_.size();
        stimuli_.push_back(s);
        area_id_.push_back(ids_.empty() ? s.area : ids_[s.area]);
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
            if (step < s.onset_step || step >= s.end_step) continue;
            if (!s.noise) {
                v += s.amplitude;
            } else {
                const philox_counter c = {static_cast<std::uint32_t>(step),
                                          static_cast<std::uint32_t>(static_cast<std::uint64_t>(step) >> 32),
                                          static_cast<std::uint32_t>(area_id_[k]), 48u + (s.noise_stream & 15u)};
                v += s.amplitude + s.sd * normal_of_uniform(uniform01x4(c, key_)[0]);
            }
        }
        buffers_[t.population][t.local_area] = v;
    }
}

}  // namespace cortexsim
