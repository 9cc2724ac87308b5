#pragma once
// Working-memory analysis of a run (docs/models.md, "Analysis"), computed on the recorded samples as they are
// taken, so that it needs no second pass over the file and survives a checkpoint/restart:
//   baseline_mean_hz, delay_mean_hz  mean of every recorded population over the baseline / delay window;
//   persistent                       1 if the analysed population's delay mean minus its baseline mean
//                                    (rule delay_minus_baseline, Froudist-Walsh 2021) or its delay mean
//                                    (rule delay_mean, Mejias & Wang 2022: rate at trial end) exceeds the threshold;
//   cue_response_hz                  peak of the analysed population during the cue window minus its baseline;
//   distractor_response_hz           peak of the distractor's population during the distractor window minus
//                                    its baseline (the population whose name begins the distractor's port name);
//   end_rate_hz, peak_rate_hz        last recorded rate and maximum over the run, every population.
// (Autocorrelation timescales of analysis.timescale_ms are their own observer: analysis/acf.hpp.)
// A sample at time t belongs to a window [begin, end) if begin <= t < end (times in whole steps).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

class window_analysis {
public:
    /// populations: the recorded names; ports: the circuit's stimulus port names (stimulus_spec::population
    /// indexes them). Throws config_error for an unknown analysed population.
    window_analysis(const model_spec& spec, std::size_t n_local, const std::vector<std::string>& populations,
                    const std::vector<std::string>& ports);

    /// Sample `record` (taken at step record * record_every); rates[p][i] for local area i.
    void observe(std::int64_t record, const double* const* rates);

    std::size_t state_size() const { return 4 * P_ + 4; }
    void export_state(std::size_t i, double* out) const;
    void import_state(std::size_t i, const double* in);

    std::size_t analysed_population() const { return pop_; }
    std::vector<double> baseline_mean() const;        // [n][P]
    std::vector<double> delay_mean() const;           // [n][P]
    std::vector<double> persistent() const;           // [n]
    std::vector<double> cue_response() const;         // [n] (NaN without a cue)
    std::vector<double> distractor_response() const;  // [n] (NaN without a distractor)
    const std::vector<double>& end_rate() const { return last_; }
    const std::vector<double>& peak_rate() const { return peak_; }

private:
    std::size_t n_, P_, pop_ = 0, dis_pop_ = 0;
    std::int64_t every_;
    std::int64_t base_b_ = -1, base_e_ = -1, delay_b_ = -1, delay_e_ = -1;
    std::int64_t cue_b_ = -1, cue_e_ = -1, dis_b_ = -1, dis_e_ = -1;  // steps
    bool difference_ = true;
    double threshold_;
    std::vector<double> bsum_, dsum_, last_, peak_;              // [n][P]
    std::vector<double> bcount_, dcount_, cue_peak_, dis_peak_;  // [n]
};

}  // namespace cortexsim
