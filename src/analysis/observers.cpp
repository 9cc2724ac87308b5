// The analysis observers: the pulse analysis (linear circuits) and the working-memory window analysis
// (nonlinear circuits) behind the observer interface, with the /analysis columns they write.
#include <cstdio>
#include <string>

#include "cortexsim/analysis/acf.hpp"
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
    const stimulus_spec* s = nullptr;  // the named stimulus, else the first pulse (noise has no onset response)
    for (const auto& x : spec.stimuli)
        if (!s && !x.noise) s = &x;
    for (const auto& x : spec.stimuli)
        if (x.name == spec.analysis.stimulus) s = &x;
    if (!s) return -1;
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
    }

private:
    const model_spec& spec_;
    std::size_t begin_, n_, P_;
    window_analysis a_;
};

/// Autocorrelation timescales of the analysed population over analysis.timescale_ms (analysis/acf.hpp).
class acf_observer final : public observer {
public:
    acf_observer(const model_spec& spec, std::size_t n, std::size_t population, bool alias)
        : n_(n),
          pop_(population),
          alias_(alias),
          every_(spec.run.record_every),
          begin_(std::llround(spec.analysis.timescale_begin_ms / spec.run.dt_ms)),
          end_(std::llround(spec.analysis.timescale_end_ms / spec.run.dt_ms)),
          lag_s_(static_cast<double>(spec.run.record_every) * spec.run.dt_ms * 1e-3),
          name_(spec.populations[population]),
          acf_(n, static_cast<std::size_t>(std::max<std::int64_t>(
                      1, std::llround(spec.analysis.max_lag_ms / spec.run.dt_ms) / spec.run.record_every))) {}

    void observe(std::int64_t record, const double* const* recorded) override {
        const std::int64_t k = record * every_;
        if (k >= begin_ && k < end_) acf_.add(recorded[pop_]);
    }
    std::size_t state_size() const override { return acf_.state_size(); }
    void save(std::size_t i, double* out) const override { acf_.save(i, out); }
    void load(std::size_t i, const double* in) override { acf_.load(i, in); }

    void results(run_results& out) const override {
        std::vector<double> t1(n_), tf(n_);
        for (std::size_t i = 0; i < n_; ++i) {
            const auto a = acf_.acf(i);
            t1[i] = acf_timescale_1e(a, lag_s_);
            tf[i] = acf_timescale_fit(a, lag_s_);
        }
        const std::string w = "autocorrelation of " + name_ +
                              " over analysis.timescale_ms (mean subtracted, lags up to "
                              "analysis.max_lag_ms; NaN: not reached)";
        out.columns.push_back({"acf_timescale_1e_s", t1, 1, "s",
                               "first lag at which the " + w +
                                   " falls below 1/e, "
                                   "linearly interpolated between records"});
        out.columns.push_back(
            {"acf_timescale_fit_s", tf, 1, "s",
             "Chaudhuri et al. 2015's rule on the " + w +
                 ": one and two exponentials fitted down to 0.05, the single tau if SSE1 < 8 SSE2, else "
                 "the amplitude-weighted mean of the two"});
        if (alias_)
            out.columns.push_back({"intrinsic_timescale_s", t1, 1, "s",
                                   "= acf_timescale_1e_s (kept for older readers)"});
    }

private:
    std::size_t n_, pop_;
    bool alias_;
    std::int64_t every_, begin_, end_;
    double lag_s_;
    std::string name_;
    acf_accumulator acf_;
};

}  // namespace

std::vector<std::unique_ptr<observer>> make_analysis_observers(const std::string& kind, const model_spec& spec,
                                                               std::size_t begin, std::size_t n,
                                                               const std::vector<std::string>& recorded,
                                                               const std::vector<std::string>& ports) {
    std::vector<std::unique_ptr<observer>> v;
    if (kind == "pulse")
        v.push_back(std::make_unique<pulse_observer>(spec, begin, n, recorded.size()));
    else if (kind == "window")
        v.push_back(std::make_unique<window_observer>(spec, begin, n, recorded, ports));
    else
        throw config_error("unknown analysis kind '" + kind + "' (allowed: pulse, window)");
    if (spec.analysis.timescale_begin_ms >= 0) {
        std::size_t pop = 0;
        for (std::size_t p = 0; p < recorded.size(); ++p)
            if (recorded[p] == spec.analysis.population) pop = p;
        v.push_back(std::make_unique<acf_observer>(spec, n, pop, kind == "window"));
    }
    return v;
}

}  // namespace cortexsim
