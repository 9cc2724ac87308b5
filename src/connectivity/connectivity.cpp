#include "cortexsim/connectivity/connectivity.hpp"

#include <algorithm>
#include <cmath>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/connectivity/synthetic.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {
namespace {}  // namespace

local_rows rows_of(const labelled_matrix& m, std::size_t row_begin, std::size_t row_end) {
    local_rows r;
    const std::size_t n = m.size();
    r.n_global = n;
    r.row_begin = row_begin;
    r.n_rows = row_end - row_begin;
    r.row_ptr.assign(1, 0);
    for (std::size_t i = row_begin; i < row_end; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const double v = m(i, j);
            if (v != 0.0) {
                r.col.push_back(static_cast<std::int64_t>(j));
                r.val.push_back(v);
            }
        }
        r.row_ptr.push_back(static_cast<std::int64_t>(r.val.size()));
    }
    return r;
}

std::int32_t delay_steps(double distance_mm, double velocity_m_per_s, double dt_ms, bool nearest) {
    const double x = distance_mm / velocity_m_per_s / dt_ms;
    double steps = std::round(x);                                                           // half-way away from zero
    if (nearest && std::fabs(x - std::trunc(x)) == 0.5) steps = 2.0 * std::round(x / 2.0);  // half-way to even
    if (!(steps <= static_cast<double>(max_delay_steps)))
        throw config_error("conduction delay of " + shortest_text(distance_mm) + " mm at " +
                           shortest_text(velocity_m_per_s) + " m/s is " + shortest_text(steps) + " steps of " +
                           shortest_text(dt_ms) + " ms, more than the largest delay of " +
                           std::to_string(max_delay_steps) + " steps");
    return std::max<std::int32_t>(nearest ? 0 : 1, static_cast<std::int32_t>(steps));
}

local_rows projection_rows(const model_spec& spec, const projection_spec& p, std::size_t row_begin,
                           std::size_t row_end) {
    const std::size_t n = spec.areas.size();
    if (spec.connectivity.synthetic.defined && p.matrix == "fln") {  // generated, this rank's rows only
        local_rows r = synthetic_rows(spec.connectivity.synthetic, row_begin, row_end);
        if (spec.connectivity.delays.velocity_m_per_s > 0.0)
            add_synthetic_delays(spec.connectivity.synthetic, r, spec.connectivity.delays.velocity_m_per_s,
                                 spec.run.dt_ms, spec.connectivity.delays.rounding == "nearest");
        return r;
    }
    const area_matrix& m = *spec.connectivity.find(p.matrix);
    const area_matrix* sln = p.sln == "none" ? nullptr : spec.connectivity.find(p.sln_matrix);
    const area_matrix* dist = spec.connectivity.delays.distance_matrix.empty()
                                  ? nullptr
                                  : spec.connectivity.find(spec.connectivity.delays.distance_matrix);
    local_rows r;
    r.n_global = n;
    r.row_begin = row_begin;
    r.n_rows = row_end - row_begin;
    r.row_ptr.assign(1, 0);
    const std::string& self = spec.connectivity.self_connections;
    const bool nearest = spec.connectivity.delays.rounding == "nearest";
    std::vector<double> row(n);
    // the row total is summed in data-file order (area_table::original), whatever the renumbering
    std::vector<std::size_t> by_file(n);
    for (std::size_t j = 0; j < n; ++j) by_file[spec.areas.id(j)] = j;
    for (std::size_t i = row_begin; i < row_end; ++i) {
        double total = 0.0;
        for (std::size_t j = 0; j < n; ++j) {
            const double v = m(n, i, j);
            row[j] = v == 0.0 || (j == i && self == "drop") ? 0.0 : (p.power == 1.0 ? v : std::pow(v, p.power));
        }
        for (std::size_t q = 0; q < n; ++q) total += row[by_file[q]];
        for (std::size_t j = 0; j < n; ++j) {
            if (row[j] == 0.0) continue;
            double w = p.normalise_rows ? row[j] / total : row[j];
            if (sln) w *= p.sln == "feedforward" ? (*sln)(n, i, j) : 1.0 - (*sln)(n, i, j);
            if (w == 0.0) continue;
            r.col.push_back(static_cast<std::int64_t>(j));
            r.val.push_back(w);
            if (dist)  // a self-connection mapped onto a local term has no delay (0 steps: read as without delay)
                r.delay.push_back(j == i && self == "local"
                                      ? 0
                                      : delay_steps((*dist)(n, i, j), spec.connectivity.delays.velocity_m_per_s,
                                                    spec.run.dt_ms, nearest));
        }
        r.row_ptr.push_back(static_cast<std::int64_t>(r.val.size()));
    }
    return r;
}

}  // namespace cortexsim
