#include "cortexsim/analysis/window_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/memory.hpp"
#include "cortexsim/common/time.hpp"

namespace cortexsim {
namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// A window bound in steps (-1: no window); the config has checked the range (nearest_steps_of).
std::int64_t to_step(double ms, double dt_ms) { return ms < 0 ? -1 : nearest_steps_of(ms, dt_ms, "analysis window"); }
}  // namespace

window_analysis::window_analysis(const model_spec& spec, std::size_t n_local,
                                 const std::vector<std::string>& populations, const std::vector<std::string>& ports)
    : n_(n_local), P_(populations.size()), every_(spec.run.record_every), threshold_(spec.analysis.threshold_hz) {
    const auto& a = spec.analysis;
    const double dt = spec.run.dt_ms;
    if (!a.population.empty()) {
        pop_ = P_;
        for (std::size_t p = 0; p < P_; ++p)
            if (populations[p] == a.population) pop_ = p;
        if (pop_ == P_) throw config_error("analysis.population '" + a.population + "' is not recorded");
    }
    base_b_ = to_step(a.baseline_begin_ms, dt);
    base_e_ = to_step(a.baseline_end_ms, dt);
    delay_b_ = to_step(a.delay_begin_ms, dt);
    delay_e_ = to_step(a.delay_end_ms, dt);
    difference_ = a.rule == "delay_minus_baseline";
    dis_pop_ = pop_;
    for (const auto& s : spec.stimuli) {
        if (!a.cue.empty() && s.name == a.cue) {
            cue_b_ = s.onset_step;
            cue_e_ = s.end_step;
        }
        if (!a.distractor.empty() && s.name == a.distractor) {
            dis_b_ = s.onset_step;
            dis_e_ = s.end_step;
            const std::string& port = s.population < ports.size() ? ports[s.population] : std::string();
            std::size_t best = 0;
            for (std::size_t p = 0; p < P_; ++p)
                if (port.rfind(populations[p], 0) == 0 && populations[p].size() > best) {
                    best = populations[p].size();
                    dis_pop_ = p;
                }
        }
    }
    for (auto* v : {&bsum_, &dsum_, &last_}) v->assign(n_ * P_, 0.0);
    peak_.assign(n_ * P_, -std::numeric_limits<double>::infinity());
    bcount_.assign(n_, 0.0);
    dcount_.assign(n_, 0.0);
    cue_peak_.assign(n_, -std::numeric_limits<double>::infinity());
    dis_peak_.assign(n_, -std::numeric_limits<double>::infinity());
}

void window_analysis::observe(std::int64_t record, const double* const* rates) {
    const std::int64_t k = record * every_;
    const bool in_base = k >= base_b_ && k < base_e_;
    const bool in_delay = k >= delay_b_ && k < delay_e_;
    const bool in_cue = k >= cue_b_ && k < cue_e_;
    const bool in_dis = k >= dis_b_ && k < dis_e_;
    for (std::size_t p = 0; p < P_; ++p) {
        const double* r = rates[p];
        for (std::size_t i = 0; i < n_; ++i) {
            const std::size_t q = i * P_ + p;
            last_[q] = r[i];
            if (r[i] > peak_[q]) peak_[q] = r[i];
            if (in_base) bsum_[q] += r[i];
            if (in_delay) dsum_[q] += r[i];
        }
    }
    for (std::size_t i = 0; i < n_; ++i) {
        if (in_base) bcount_[i] += 1;
        if (in_delay) dcount_[i] += 1;
        if (in_cue && rates[pop_][i] > cue_peak_[i]) cue_peak_[i] = rates[pop_][i];
        if (in_dis && rates[dis_pop_][i] > dis_peak_[i]) dis_peak_[i] = rates[dis_pop_][i];
    }
}

void window_analysis::export_state(std::size_t i, double* out) const {
    for (std::size_t p = 0; p < P_; ++p) {
        out[p] = bsum_[i * P_ + p];
        out[P_ + p] = dsum_[i * P_ + p];
        out[2 * P_ + p] = last_[i * P_ + p];
        out[3 * P_ + p] = peak_[i * P_ + p];
    }
    out[4 * P_] = bcount_[i];
    out[4 * P_ + 1] = dcount_[i];
    out[4 * P_ + 2] = cue_peak_[i];
    out[4 * P_ + 3] = dis_peak_[i];
}

void window_analysis::import_state(std::size_t i, const double* in) {
    for (std::size_t p = 0; p < P_; ++p) {
        bsum_[i * P_ + p] = in[p];
        dsum_[i * P_ + p] = in[P_ + p];
        last_[i * P_ + p] = in[2 * P_ + p];
        peak_[i * P_ + p] = in[3 * P_ + p];
    }
    bcount_[i] = in[4 * P_];
    dcount_[i] = in[4 * P_ + 1];
    cue_peak_[i] = in[4 * P_ + 2];
    dis_peak_[i] = in[4 * P_ + 3];
}

std::vector<double> window_analysis::baseline_mean() const {
    std::vector<double> m(n_ * P_);
    for (std::size_t q = 0; q < m.size(); ++q) m[q] = bcount_[q / P_] > 0 ? bsum_[q] / bcount_[q / P_] : nan;
    return m;
}

std::vector<double> window_analysis::delay_mean() const {
    std::vector<double> m(n_ * P_);
    for (std::size_t q = 0; q < m.size(); ++q) m[q] = dcount_[q / P_] > 0 ? dsum_[q] / dcount_[q / P_] : nan;
    return m;
}

std::vector<double> window_analysis::persistent() const {
    const auto b = baseline_mean(), d = delay_mean();
    std::vector<double> f(n_);
    for (std::size_t i = 0; i < n_; ++i) {
        const double x = difference_ ? d[i * P_ + pop_] - b[i * P_ + pop_] : d[i * P_ + pop_];
        f[i] = std::isnan(x) ? nan : (x > threshold_ ? 1.0 : 0.0);
    }
    return f;
}

std::vector<double> window_analysis::cue_response() const {
    const auto b = baseline_mean();
    std::vector<double> c(n_, nan);
    if (cue_b_ < 0) return c;
    for (std::size_t i = 0; i < n_; ++i) {
        const double base = std::isnan(b[i * P_ + pop_]) ? 0.0 : b[i * P_ + pop_];
        c[i] = cue_peak_[i] - base;
    }
    return c;
}

std::vector<double> window_analysis::distractor_response() const {
    const auto b = baseline_mean();
    std::vector<double> c(n_, nan);
    if (dis_b_ < 0) return c;
    for (std::size_t i = 0; i < n_; ++i) {
        const double base = std::isnan(b[i * P_ + dis_pop_]) ? 0.0 : b[i * P_ + dis_pop_];
        c[i] = dis_peak_[i] - base;
    }
    return c;
}

}  // namespace cortexsim
