#include "cortexsim/common/time.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"

namespace cortexsim {

std::int64_t steps_of(double ms, double dt_ms, const std::string& where) {
    if (!std::isfinite(dt_ms) || !(dt_ms > 0.0))
        throw config_error(where + ": the time step run.dt_ms = " + shortest_text(dt_ms) +
                           " must be a finite number > 0");
    if (!std::isfinite(ms)) throw config_error(where + " = " + shortest_text(ms) + " ms is not finite");
    if (ms < 0.0) throw config_error(where + " = " + shortest_text(ms) + " ms must be >= 0");
    const double q = ms / dt_ms;
    if (!(q <= static_cast<double>(max_steps)))
        throw config_error(where + " = " + shortest_text(ms) + " ms is " + shortest_text(q) + " steps of run.dt_ms = " +
                           shortest_text(dt_ms) + " ms, more than the largest step count 2^53");
    const double r = std::round(q);
    if (std::fabs(q - r) > 1e-9 * std::max(1.0, std::fabs(q)))
        throw config_error(where + " = " + std::to_string(ms) +
                           " ms is not a whole number of time steps (run.dt_ms = " + std::to_string(dt_ms) + ")");
    return static_cast<std::int64_t>(r);
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

}  // namespace cortexsim
