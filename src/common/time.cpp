#include "cortexsim/common/time.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"

namespace cortexsim {

namespace {

/// ms / dt_ms after the checks common to both conversions.
double quotient_of(double ms, double dt_ms, const std::string& where) {
    if (!std::isfinite(dt_ms) || !(dt_ms > 0.0))
        throw config_error(where + ": the time step run.dt_ms = " + shortest_text(dt_ms) +
                           " must be a finite number > 0");
    if (!std::isfinite(ms)) throw config_error(where + " = " + shortest_text(ms) + " ms is not finite");
    if (ms < 0.0) throw config_error(where + " = " + shortest_text(ms) + " ms must be >= 0");
    const double q = ms / dt_ms;
    if (!(q <= static_cast<double>(max_steps))) {
        char steps[32];  // 6 digits: the count is far beyond 2^53 anyway
        std::snprintf(steps, sizeof steps, "%.6g", q);
        throw config_error(where + " = " + shortest_text(ms) + " ms is " + steps + " steps of run.dt_ms = " +
                           shortest_text(dt_ms) + " ms, more than the largest step count 2^53");
    }
    return q;
}

}  // namespace

std::int64_t steps_of(double ms, double dt_ms, const std::string& where) {
    const double q = quotient_of(ms, dt_ms, where);
    const double r = std::round(q);
    if (std::fabs(q - r) > 1e-9 * std::max(1.0, std::fabs(q)))
        throw config_error(where + " = " + shortest_text(ms) +
                           " ms is not a whole number of time steps (run.dt_ms = " + shortest_text(dt_ms) + ")");
    return static_cast<std::int64_t>(r);  // 0 <= r <= 2^53: exact
}

std::int64_t nearest_steps_of(double ms, double dt_ms, const std::string& where) {
    return static_cast<std::int64_t>(std::round(quotient_of(ms, dt_ms, where)));
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

}  // namespace cortexsim
