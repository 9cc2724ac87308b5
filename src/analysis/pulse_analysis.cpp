#include "cortexsim/analysis/pulse_analysis.hpp"

namespace cortexsim {

namespace {
constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
}

pulse_analysis::pulse_analysis(std::size_t n_areas, std::size_t n_populations, std::int64_t onset_record,
                               double record_dt_s)
    : n_(n_areas),
      p_(n_populations),
      onset_(onset_record),
      dt_s_(record_dt_s),
      peak_rate_(n_areas * n_populations, -std::numeric_limits<double>::infinity()),
      base_(n_areas, nan_v),
      prev_(n_areas, nan_v),
      peak_delta_(n_areas, 0.0),
      cross_(n_areas, nan_v),
      peak_k_(n_areas, -1) {}

void pulse_analysis::observe(std::int64_t k, const double* const* rates) {
    for (std::size_t i = 0; i < n_; ++i)
        for (std::size_t p = 0; p < p_; ++p) {
            const double r = rates[p][i];
            double& pk = peak_rate_[i * p_ + p];
            if (r > pk) pk = r;
        }
    if (onset_ < 0) return;
    const double* rE = rates[0];
    if (k <= onset_) {
        for (std::size_t i = 0; i < n_; ++i) base_[i] = rE[i];
        if (k == onset_)
            for (std::size_t i = 0; i < n_; ++i) prev_[i] = 0.0;
        return;
    }
    for (std::size_t i = 0; i < n_; ++i) {
        const double d = rE[i] - base_[i];
        if (d > peak_delta_[i]) {
            peak_delta_[i] = d;
            peak_k_[i] = k;
            cross_[i] = nan_v;
        } else if (peak_k_[i] >= 0 && std::isnan(cross_[i])) {
            const double thr = peak_delta_[i] / std::exp(1.0);
            if (d < thr) {
                const double frac = (prev_[i] - thr) / (prev_[i] - d);
                cross_[i] = static_cast<double>(k - 1) + frac;
            }
        }
        prev_[i] = d;
    }
}

void pulse_analysis::export_state(std::size_t i, double* out) const {
    out[0] = base_[i];
    out[1] = prev_[i];
    out[2] = peak_delta_[i];
    out[3] = cross_[i];
    out[4] = static_cast<double>(peak_k_[i]);  // exact below 2^53 records
    for (std::size_t p = 0; p < p_; ++p) out[5 + p] = peak_rate_[i * p_ + p];
}

void pulse_analysis::import_state(std::size_t i, const double* in) {
    base_[i] = in[0];
    prev_[i] = in[1];
    peak_delta_[i] = in[2];
    cross_[i] = in[3];
    peak_k_[i] = static_cast<std::int64_t>(in[4]);
    for (std::size_t p = 0; p < p_; ++p) peak_rate_[i * p_ + p] = in[5 + p];
}

std::vector<double> pulse_analysis::peak_time_s() const {
    std::vector<double> t(n_, nan_v);
    for (std::size_t i = 0; i < n_; ++i)
        if (peak_k_[i] >= 0) t[i] = static_cast<double>(peak_k_[i]) * dt_s_;
    return t;
}

std::vector<double> pulse_analysis::timescale_s() const {
    std::vector<double> t(n_, nan_v);
    for (std::size_t i = 0; i < n_; ++i)
        if (peak_k_[i] >= 0 && !std::isnan(cross_[i])) t[i] = (cross_[i] - static_cast<double>(peak_k_[i])) * dt_s_;
    return t;
}

}  // namespace cortexsim
