#pragma once
// Time inside cortexsim is a whole number of steps; milliseconds and seconds exist only at the edges (config,
// command line, output). These are the only conversions between the two.
#include <cstdint>
#include <string>

namespace cortexsim {

/// The largest step count of a run (2^53): every step's time k * dt is then exact in a double.
constexpr std::int64_t max_steps = std::int64_t{1} << 53;

/// `ms` as a whole number of steps of `dt_ms` (>= 0). Throws config_error, prefixed by `where` (for example
/// "run.yaml: 'stimuli.0.onset_ms'"), if ms or dt_ms is not finite, ms is negative, dt_ms is not positive,
/// ms is not a whole number of steps (relative tolerance 1e-9), or the count exceeds max_steps.
std::int64_t steps_of(double ms, double dt_ms, const std::string& where);

/// `ms` rounded to the nearest whole number of steps of `dt_ms` (half away from zero; the analysis windows):
/// the checks of steps_of except the whole-number one.
std::int64_t nearest_steps_of(double ms, double dt_ms, const std::string& where);

/// The time of step k in ms and in s (k * dt; exact for k <= max_steps when dt is a whole multiple of its ulp).
inline double ms_of(std::int64_t k, double dt_ms) { return static_cast<double>(k) * dt_ms; }
inline double seconds_of(std::int64_t k, double dt_ms) { return static_cast<double>(k) * dt_ms * 1e-3; }

/// The current wall-clock time in UTC, "YYYY-MM-DDThh:mm:ssZ" (provenance, checkpoint histories).
std::string utc_now();

}  // namespace cortexsim
