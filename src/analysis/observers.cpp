// The analysis observers: the pulse analysis (linear circuits) and the working-memory window analysis
// (nonlinear circuits) behind the observer interface, with the /analysis columns they write.
#include <cstdio>
#include <string>

#include "cortexsim/analysis/observer.hpp"
#include "cortexsim/analysis/pulse_analysis.hpp"
#include "cortexsim/analysis/window_analysis.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"

namespace cortexsim {
namespace {

analysis_column hierarchy_column(const model_spec& spec, std::size_t begin, std::size_t n, const char* description) {
    const auto b = spec.areas.hierarchy.begin() + static_cast<std::ptrdiff_t>(begin);
    return {"hierarchy", std::vector<double>(b, b + static_cast<std::ptrdiff_t>(n)), 1, "1", description};
}

/// Record index of the pulse-analysis onset (-1 if the spec has no stimulus).
std::int64_t onset_record(const model_spec& spec) {
    if (spec.stimuli.empty()) return -1;
    const stimulus_spec* s = &spec.stimuli.front();
    for (const auto& x : spec.stimuli)
        if (x.name == spec.analysis.stimulus) s = &x;
    return s->onset_step / spec.run.record_every;
}

class pulse_observer final : public observer {
public:
    pulse_observer(const model_spec& spec, std::size_t begin, std::size_t n, std::size_t n_recorded)
        : spec_(spec),
          begin_(begin),
          n_(n),
          P_(n_recorded),
          a_(n, n_recorded, onset_record(spec), static_cast<double>(spec.run.record_every) * spec.run.dt_ms * 1e-3) {}

    void observe(std::int64_t record, const double* const* recorded) override { a_.observe(record, recorded); }
    std::size_t state_size() const override { return a_.state_size(); }
    void save(std::size_t i, double* out) const override { a_.export_state(i, out); }
    void load(std::size_t i, const double* in) override { a_.import_state(i, in); }

    void results(run_results& out) const override {
        out.columns.push_back(hierarchy_column(
            spec_, begin_, n_, "hierarchy h_i used by the model (after model.areas.hierarchy_normalisation)"));
        out.columns.push_back({"peak_rate_hz", a_.peak_rate_hz(), P_, "Hz",
                               "maximum recorded rate of each population over the run"});
        out.columns.push_back({"response_hz", a_.response_hz(), 1, "Hz",
                               "peak increase of the E rate after the pulse onset over its value at the onset"});
        out.columns.push_back({"peak_time_s", a_.peak_time_s(), 1, "s", "time of the peak E response"});
        out.columns.push_back({"timescale_s", a_.timescale_s(), 1, "s",
                               "time from the peak E response until it decays below peak/e (linear interpolation "
                               "between records); NaN if it does not"});
    }

private:
    const model_spec& spec_;
    std::size_t begin_, n_, P_;
    pulse_analysis a_;
};

class window_observer final : public observer {
public:
    window_observer(const model_spec& spec, std::size_t begin, std::size_t n, const std::vector<std::string>& recorded,
                    const std::vector<std::string>& ports)
        : spec_(spec), begin_(begin), n_(n), P_(recorded.size()), a_(spec, n, recorded, ports) {}

    void observe(std::int64_t record, const double* const* recorded) override { a_.observe(record, recorded); }
    std::size_t state_size() const override { return a_.state_size(); }
    void save(std::size_t i, double* out) const override { a_.export_state(i, out); }
    void load(std::size_t i, const double* in) override { a_.import_state(i, in); }

    void results(run_results& out) const override {
        const std::string pop = spec_.populations[a_.analysed_population()];
        const auto& a = spec_.analysis;
        const std::string rule = a.rule == "delay_minus_baseline"
                                     ? "delay mean minus baseline mean of " + pop + " > " +
                                           std::to_string(a.threshold_hz) + " Hz"
                                     : "delay mean of " + pop + " > " + std::to_string(a.threshold_hz) + " Hz";
        auto& c = out.columns;
        c.push_back(hierarchy_column(spec_, begin_, n_,
                                     "hierarchy h_i of the area table (after model.areas.hierarchy_normalisation)"));
        c.push_back({"baseline_mean_hz", a_.baseline_mean(), P_, "Hz",
                     "mean recorded rate of every population over the baseline window (analysis.baseline_ms)"});
        c.push_back({"delay_mean_hz", a_.delay_mean(), P_, "Hz",
                     "mean recorded rate of every population over the delay window (analysis.delay_ms)"});
        c.push_back({"persistent", a_.persistent(), 1, "1", "persistent activity flag (1/0): " + rule});
        c.push_back({"cue_response_hz", a_.cue_response(), 1, "Hz",
                     "peak of " + pop + " during the cue window minus its baseline mean (NaN: no cue)"});
        c.push_back({"distractor_response_hz", a_.distractor_response(), 1, "Hz",
                     "peak of the distractor's population during the distractor window minus its baseline mean "
                     "(NaN: none)"});
        c.push_back({"end_rate_hz", a_.end_rate(), P_, "Hz", "last recorded rate of every population"});
        c.push_back({"peak_rate_hz", a_.peak_rate(), P_, "Hz",
                     "maximum recorded rate of every population over the run"});
        if (a_.has_timescale())
            c.push_back({"intrinsic_timescale_s", a_.intrinsic_timescale(), 1, "s",
                         "lag at which the autocorrelation of " + pop +
                             " in analysis.timescale_ms first falls below "
                             "1/e (NaN: not within analysis.max_lag_ms)"});
    }

private:
    const model_spec& spec_;
    std::size_t begin_, n_, P_;
    window_analysis a_;
};

}  // namespace

std::unique_ptr<observer> make_analysis_observer(const std::string& kind, const model_spec& spec, std::size_t begin,
                                                 std::size_t n, const std::vector<std::string>& recorded,
                                                 const std::vector<std::string>& ports) {
    if (kind == "pulse") return std::make_unique<pulse_observer>(spec, begin, n, recorded.size());
    if (kind == "window") return std::make_unique<window_observer>(spec, begin, n, recorded, ports);
    throw config_error("unknown analysis kind '" + kind + "' (allowed: pulse, window)");
}

}  // namespace cortexsim
