#pragma once
// Streaming analysis of the recorded rates (O(1) memory per area): peak rate of every population, and the
// response of each area's E rate to a pulse (docs/output-format.md, "Analysis rules"):
//   baseline    b = r_E at the last record at or before the pulse onset
//   response    Δ(t) = r_E(t) - b for records after the onset; peak Δ* at time t*
//   timescale   first time after t* at which Δ falls below Δ*/e (linear interpolation between records),
//               minus t*. NaN if there is no pulse, no positive response, or no decay before the end.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace cortexsim {

class pulse_analysis {
public:
    /// onset_record < 0: no pulse analysis (timescales NaN).
    pulse_analysis(std::size_t n_areas, std::size_t n_populations, std::int64_t onset_record, double record_dt_s);

    /// Observes record `k` (consecutive, from 0). rates[p] points at n_areas values of population p.
    void observe(std::int64_t k, const double* const* rates);

    std::size_t n_areas() const { return n_; }
    /// Peak rate over the whole run, [area][population] row-major [Hz].
    const std::vector<double>& peak_rate_hz() const { return peak_rate_; }
    /// Peak increase of the E rate over its pre-pulse value [Hz].
    const std::vector<double>& response_hz() const { return peak_delta_; }
    /// Time of that peak after t = 0 [s].
    std::vector<double> peak_time_s() const;
    /// Decay time constant of the E response [s].
    std::vector<double> timescale_s() const;

    /// Values per area in export_state()/import_state().
    std::size_t state_size() const { return 5 + p_; }
    /// The streaming state of local area i (for checkpoints), state_size() values.
    void export_state(std::size_t i, double* out) const;
    void import_state(std::size_t i, const double* in);

private:
    std::size_t n_, p_;
    std::int64_t onset_;
    double dt_s_;
    std::vector<double> peak_rate_;
    std::vector<double> base_, prev_, peak_delta_, cross_;
    std::vector<std::int64_t> peak_k_;
};

}  // namespace cortexsim
