#pragma once
// Synthetic cortex models of any size: areas on a sheet or a sphere, connections drawn with an exponential
// distance rule (Ercsey-Ravasz et al. 2013: the probability of a projection decays as exp(-d / lambda)).
// Each rank generates only its own rows, in time proportional to their number of nonzeros; every random number
// is keyed by (seed, area or row, attempt) through Philox (common/counter_rng.hpp), so row i is the same
// whichever rank generates it, alone or with any other rows. No MPI, no I/O.
//
// The model (n = n_areas, lambda = length_constant_mm):
//  * Geometry "sheet": a square sheet of side extent_mm cut into a regular grid of G = ceil(sqrt(n)) columns
//    of cells of side h = extent_mm / G; area a sits in cell (a mod G, a div G) (rows filled in order, the
//    last row possibly partly), at the cell centre moved by a uniform jitter of +-h/4 in x and y keyed by
//    (seed, a). Distance = Euclidean distance in the plane.
//  * Geometry "sphere": a sphere of radius extent_mm with the areas on a Fibonacci lattice
//    (z_a = 1 - (2a + 1) / n, azimuth 2 pi frac(a / golden ratio)); no randomness. Distance = great-circle
//    distance on the sphere.
//  * Row i has k = round(density * (n - 1)) sources (round half away from zero), distinct, never i itself,
//    drawn by successive sampling: each draw picks one of the areas not drawn yet with probability
//    proportional to exp(-d_ij / lambda). (Equivalently: the k smallest of E_j * exp(d_ij / lambda) with
//    E_j independent standard exponentials, Efraimidis & Spirakis 2006.)
//  * Weights: W_ij = weight_scale * exp(-d_ij / lambda) / sum over the row's sources k of exp(-d_ik / lambda),
//    so each row sums to weight_scale (to rounding). Computed as exp(-(d_ij - d_min) / lambda) with d_min the
//    row's smallest distance, summed in increasing column order; a weight that would underflow is raised to
//    the smallest normal double times weight_scale, so that every row stores exactly k nonzeros.
//
// How a row is drawn in O(k) (exactly the distribution above, by rejection): areas are sorted into a grid of
// buckets of side b (the sheet's cells; cubes for the sphere). A proposal picks a bucket offset (dx, dy, dz)
// from row i's bucket with probability proportional to rho^(|dx| + |dy| + |dz|), rho = exp(-b / (sqrt(D)
// lambda)) (D = 2 for the sheet, 3 for the sphere; a product of truncated two-sided geometric distributions,
// sampled by inversion), then a uniform area j in that bucket. Since every distance satisfies
// d_ij >= b (|dx| + |dy| + |dz| - D) / sqrt(D), the proposal dominates the target, and j is accepted with
// probability exp(-d_ij / lambda) count(bucket) / (c_max rho^(|dx|+|dy|+|dz|) exp(sqrt(D) b / lambda)) <= 1.
// Proposals of i itself, of an area already drawn, or of an empty bucket are rejected. Proposal a of row i
// uses the Philox block of counter {a, row i, stream 2} (sheet: x offset, y offset, item, acceptance; sphere:
// x, y, z offsets, item, and the acceptance from the block {a + 2^63, row i, stream 2}). A row that is not
// complete after 64 k + 4096 proposals, and every row with 4 k >= n - 1 (dense rows, where O(n) is O(k)), is drawn instead with the
// exponential keys above in O(n) (keys from stream 3, counter {j, row i}): the same distribution, and still a
// pure function of (seed, i).
// Measured cost (docs/benchmarks_scale.md): about 0.3 us per nonzero on the sheet (1.5 proposals per source);
// 5-7 us on the sphere, where most 3-D buckets around a row are empty (meant for up to ~1e7 nonzeros).
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// The generator's parameters: the config's `model.connectivity.synthetic` (spec/model_spec.hpp), one struct
/// for both (`defined` is the config's and is not read here): areas, geometry ("sheet" or "sphere"), extent [mm]
/// (sheet side or sphere radius), length constant [mm] of the exponential distance rule, density (fraction of
/// the n - 1 possible sources of each row), weight scale (every row sums to it) and seed.
using synthetic_spec = synthetic_connectivity;

/// Throws config_error naming the offending field (n_areas >= 1 and < 2^32, geometry, positive finite extent,
/// length constant and weight scale, density in [0, 1]).
void validate(const synthetic_spec& s);

/// Number of sources of every row: round(density * (n_areas - 1)).
std::size_t synthetic_sources_per_row(const synthetic_spec& s);

/// Position of one area in mm: {x, y, 0} on the sheet, {x, y, z} on the sphere. O(1).
std::array<double, 3> synthetic_position(const synthetic_spec& s, std::size_t area);

/// Positions of areas [begin, end) as [area][x, y, z] in mm (for provenance and plots).
std::vector<double> synthetic_positions(const synthetic_spec& s, std::size_t begin, std::size_t end);

/// Distance between areas i and j in mm (sheet: Euclidean; sphere: great circle). Symmetric, exactly.
double synthetic_distance_mm(const synthetic_spec& s, std::size_t i, std::size_t j);

/// Rows [row_begin, row_end) of the synthetic matrix (see above). O(n_areas) set-up, then O(k log k) per row.
/// Throws config_error for an invalid spec or row range.
local_rows synthetic_rows(const synthetic_spec& s, std::size_t row_begin, std::size_t row_end);

/// Fills rows.delay with delay_steps(distance, velocity, dt) of every nonzero (connectivity.hpp).
void add_synthetic_delays(const synthetic_spec& s, local_rows& rows, double velocity_m_per_s, double dt_ms,
                          bool nearest = false);

/// The generator behind synthetic_rows, for rows asked block by block (the exchange streams them into its one
/// copy of the matrix, docs/design.md "Memory"): the O(n_areas) geometry is set up once, then rows(b, e) gives
/// rows [b, e) exactly as synthetic_rows(s, b, e) (every row is a pure function of the seed and its index), with
/// their delays if `velocity_m_per_s` > 0. Every row has sources_per_row() nonzeros.
class synthetic_generator {
public:
    explicit synthetic_generator(const synthetic_spec& s);
    ~synthetic_generator();
    synthetic_generator(const synthetic_generator&) = delete;
    synthetic_generator& operator=(const synthetic_generator&) = delete;

    std::size_t sources_per_row() const { return k_; }
    local_rows rows(std::size_t row_begin, std::size_t row_end) const;
    /// Fills rows.delay as add_synthetic_delays does.
    void add_delays(local_rows& rows, double velocity_m_per_s, double dt_ms, bool nearest = false) const;

private:
    struct geometry;
    synthetic_spec s_;
    std::size_t k_ = 0;
    std::unique_ptr<geometry> g_;
};

}  // namespace cortexsim
