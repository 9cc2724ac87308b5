#include "cortexsim/connectivity/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "cortexsim/common/counter_rng.hpp"
#include "cortexsim/common/errors.hpp"

namespace cortexsim {
namespace {

constexpr std::uint32_t stream_position = 1, stream_proposal = 2, stream_dense = 3;
constexpr double sheet_jitter = 0.5;  // jitter span as a fraction of the cell side (+-h/4)

bool is_sheet(const synthetic_spec& s) { return s.geometry == "sheet"; }

std::size_t sheet_columns(std::size_t n) {
    auto g = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(n))));
    while (g * g < n) ++g;
    while (g > 1 && (g - 1) * (g - 1) >= n) --g;
    return std::max<std::size_t>(g, 1);
}

/// The per-call geometry: every area's position and the bucket grid used by the proposals.
struct layout {
    std::size_t n = 0;
    int dims = 2;    // D
    double b = 1.0;  // bucket side [mm]
    double origin[3] = {0, 0, 0};
    std::int64_t g[3] = {1, 1, 1};             // buckets per axis
    std::vector<double> pos;                   // [n][3]
    std::vector<std::int64_t> bucket_of_area;  // linear bucket index of each area
    std::vector<std::int64_t> bucket_start;    // [n_buckets + 1]
    std::vector<std::uint32_t> items;          // areas by bucket
    std::int64_t c_max = 1;
    bool sphere = false;
    double radius = 0.0;

    std::int64_t linear(std::int64_t x, std::int64_t y, std::int64_t z) const { return (z * g[1] + y) * g[0] + x; }
    void coords(std::int64_t lin, std::int64_t c[3]) const {
        c[0] = lin % g[0];
        c[1] = (lin / g[0]) % g[1];
        c[2] = lin / (g[0] * g[1]);
    }
    double distance(std::size_t i, std::size_t j) const {
        const double* p = &pos[3 * i];
        const double* q = &pos[3 * j];
        const double dx = p[0] - q[0], dy = p[1] - q[1], dz = p[2] - q[2];
        const double chord = std::sqrt(dx * dx + dy * dy + dz * dz);
        if (!sphere) return chord;
        return 2.0 * radius * std::asin(std::min(1.0, chord / (2.0 * radius)));
    }
};

std::array<double, 3> position_of(const synthetic_spec& s, std::size_t a) {
    const std::size_t n = s.n_areas;
    if (is_sheet(s)) {
        const std::size_t G = sheet_columns(n);
        const double h = s.extent_mm / static_cast<double>(G);
        const auto u = uniform01x4(counter_of(a, 0, stream_position), key_of(s.seed));
        const double cx = static_cast<double>(a % G), cy = static_cast<double>(a / G);
        return {(cx + 0.5 + sheet_jitter * (u[0] - 0.5)) * h, (cy + 0.5 + sheet_jitter * (u[1] - 0.5)) * h, 0.0};
    }
    const double z = 1.0 - (2.0 * static_cast<double>(a) + 1.0) / static_cast<double>(n);
    const double r = std::sqrt(std::max(0.0, 1.0 - z * z));
    constexpr double inv_golden = 0.6180339887498949;  // 1 / phi
    const double f = static_cast<double>(a) * inv_golden;
    const double phi = 2.0 * std::numbers::pi * (f - std::floor(f));
    return {s.extent_mm * r * std::cos(phi), s.extent_mm * r * std::sin(phi), s.extent_mm * z};
}

layout make_layout(const synthetic_spec& s) {
    layout L;
    const std::size_t n = s.n_areas;
    L.n = n;
    L.pos.resize(3 * n);
    for (std::size_t a = 0; a < n; ++a) {
        const auto p = position_of(s, a);
        std::copy(p.begin(), p.end(), L.pos.begin() + static_cast<std::ptrdiff_t>(3 * a));
    }
    L.bucket_of_area.resize(n);
    if (is_sheet(s)) {
        const std::size_t G = sheet_columns(n);
        L.dims = 2;
        L.b = s.extent_mm / static_cast<double>(G);
        L.g[0] = static_cast<std::int64_t>(G);
        L.g[1] = static_cast<std::int64_t>((n + G - 1) / G);
        for (std::size_t a = 0; a < n; ++a) L.bucket_of_area[a] = static_cast<std::int64_t>(a);
    } else {
        L.sphere = true;
        L.radius = s.extent_mm;
        L.dims = 3;
        const double R = s.extent_mm, dn = static_cast<double>(n);
        const double spacing = R * std::sqrt(4.0 * std::numbers::pi / dn);
        const double cap = 2.0 * R / std::cbrt(4.0 * dn);  // at most ~4 n buckets
        L.b = std::max({s.length_constant_mm / std::sqrt(3.0), spacing, cap});
        const auto gg = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(2.0 * R / L.b)));
        for (int d = 0; d < 3; ++d) {
            L.g[d] = gg;
            L.origin[d] = -R;
        }
        for (std::size_t a = 0; a < n; ++a) {
            std::int64_t c[3];
            for (int d = 0; d < 3; ++d)
                c[d] = std::clamp<std::int64_t>(
                    static_cast<std::int64_t>(std::floor((L.pos[3 * a + d] - L.origin[d]) / L.b)), 0, gg - 1);
            L.bucket_of_area[a] = L.linear(c[0], c[1], c[2]);
        }
    }
    const std::int64_t nb = L.g[0] * L.g[1] * L.g[2];
    L.bucket_start.assign(static_cast<std::size_t>(nb) + 1, 0);
    for (std::size_t a = 0; a < n; ++a) ++L.bucket_start[static_cast<std::size_t>(L.bucket_of_area[a]) + 1];
    L.c_max = 1;
    for (std::int64_t k = 0; k < nb; ++k) {
        L.c_max = std::max(L.c_max, L.bucket_start[static_cast<std::size_t>(k) + 1]);
        L.bucket_start[static_cast<std::size_t>(k) + 1] += L.bucket_start[static_cast<std::size_t>(k)];
    }
    L.items.resize(n);
    std::vector<std::int64_t> fill(L.bucket_start.begin(), L.bucket_start.end() - 1);
    for (std::size_t a = 0; a < n; ++a)  // areas in increasing id within each bucket
        L.items[static_cast<std::size_t>(fill[static_cast<std::size_t>(L.bucket_of_area[a])]++)] =
            static_cast<std::uint32_t>(a);
    return L;
}

/// Truncated two-sided geometric distribution of a bucket offset d in [-n_minus, n_plus - 1] with
/// P(d) proportional to rho^|d|, sampled by inversion from one uniform.
struct axis_proposal {
    double log_rho = 0.0;
    double p_plus = 1.0;  // P(d >= 0)
    std::int64_t n_plus = 1, n_minus = 0;
    double q_plus = 1.0, q_minus = 0.0;  // 1 - rho^n of each side

    axis_proposal(double log_rho_, std::int64_t own, std::int64_t g) : log_rho(log_rho_) {
        n_plus = g - own;
        n_minus = own;
        q_plus = -std::expm1(static_cast<double>(n_plus) * log_rho);
        q_minus = -std::expm1(static_cast<double>(n_minus) * log_rho);
        const double rho = std::exp(log_rho);
        const double s_plus = q_plus, s_minus = rho * q_minus;  // both divided by (1 - rho)
        p_plus = (n_minus == 0) ? 1.0 : s_plus / (s_plus + s_minus);
    }
    static std::int64_t truncated(double v, std::int64_t n, double q, double log_rho) {
        const double t = std::floor(std::log1p(-v * q) / log_rho);
        if (!(t >= 0.0)) return 0;  // also NaN
        return std::min<std::int64_t>(n - 1, static_cast<std::int64_t>(std::min(t, 9.0e18)));
    }
    std::int64_t sample(double u) const {
        if (u < p_plus) return truncated(u / p_plus, n_plus, q_plus, log_rho);
        return -1 - truncated((u - p_plus) / (1.0 - p_plus), n_minus, q_minus, log_rho);
    }
};

/// Writes the row's weights (see the header) for sources `cols` (sorted) into rows.
void append_row(const synthetic_spec& s, const layout& L, std::size_t i, const std::vector<std::uint32_t>& cols,
                local_rows& out, std::vector<double>& dist) {
    dist.resize(cols.size());
    double dmin = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < cols.size(); ++k) {
        dist[k] = L.distance(i, cols[k]);
        dmin = std::min(dmin, dist[k]);
    }
    const double lambda = s.length_constant_mm;
    double sum = 0.0;
    for (std::size_t k = 0; k < cols.size(); ++k) {
        dist[k] = std::exp(-(dist[k] - dmin) / lambda);  // now the unnormalised weight
        sum += dist[k];
    }
    const double tiny = std::numeric_limits<double>::min() * s.weight_scale;
    for (std::size_t k = 0; k < cols.size(); ++k) {
        out.col.push_back(static_cast<std::int64_t>(cols[k]));
        out.val.push_back(std::max(s.weight_scale * (dist[k] / sum), tiny));
    }
    out.row_ptr.push_back(static_cast<std::int64_t>(out.val.size()));
}

/// Row i's k sources by exponential keys (O(n)): the k smallest log(E_j) + d_ij / lambda, ties by j.
void dense_sources(const synthetic_spec& s, const layout& L, std::size_t i, std::size_t k,
                   std::vector<std::pair<double, std::uint32_t>>& keys, std::vector<std::uint32_t>& cols) {
    keys.clear();
    const auto key = key_of(s.seed);
    for (std::size_t j = 0; j < L.n; ++j) {
        if (j == i) continue;
        const double u = uniform01(counter_of(j, static_cast<std::uint32_t>(i), stream_dense), key)[0];
        keys.emplace_back(std::log(-std::log(u)) + L.distance(i, j) / s.length_constant_mm,
                          static_cast<std::uint32_t>(j));
    }
    std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(k), keys.end());
    cols.clear();
    for (std::size_t m = 0; m < k; ++m) cols.push_back(keys[m].second);
}

}  // namespace

void validate(const synthetic_spec& s) {
    auto positive = [](double v, const char* name) {
        if (!(std::isfinite(v) && v > 0.0))
            throw config_error(std::string("synthetic model: '") + name + "' = " + std::to_string(v) +
                               " must be positive and finite");
    };
    if (s.n_areas < 1 || s.n_areas >= (std::size_t{1} << 32))
        throw config_error("synthetic model: 'n_areas' = " + std::to_string(s.n_areas) +
                           " must be at least 1 and below 2^32");
    if (s.geometry != "sheet" && s.geometry != "sphere")
        throw config_error("synthetic model: 'geometry' = '" + s.geometry + "' must be 'sheet' or 'sphere'");
    positive(s.extent_mm, "extent_mm");
    positive(s.length_constant_mm, "length_constant_mm");
    positive(s.weight_scale, "weight_scale");
    if (!(s.density >= 0.0 && s.density <= 1.0))
        throw config_error("synthetic model: 'density' = " + std::to_string(s.density) + " must be in [0, 1]");
}

std::size_t synthetic_sources_per_row(const synthetic_spec& s) {
    validate(s);
    const auto k = std::llround(s.density * static_cast<double>(s.n_areas - 1));
    return std::min(static_cast<std::size_t>(std::max<long long>(k, 0)), s.n_areas - 1);
}

std::array<double, 3> synthetic_position(const synthetic_spec& s, std::size_t area) {
    validate(s);
    if (area >= s.n_areas)
        throw config_error("synthetic model: area " + std::to_string(area) + " out of range (" +
                           std::to_string(s.n_areas) + " areas)");
    return position_of(s, area);
}

std::vector<double> synthetic_positions(const synthetic_spec& s, std::size_t begin, std::size_t end) {
    validate(s);
    if (begin > end || end > s.n_areas)
        throw config_error("synthetic model: area range [" + std::to_string(begin) + ", " + std::to_string(end) +
                           ") out of range (" + std::to_string(s.n_areas) + " areas)");
    std::vector<double> p;
    p.reserve(3 * (end - begin));
    for (std::size_t a = begin; a < end; ++a) {
        const auto x = position_of(s, a);
        p.insert(p.end(), x.begin(), x.end());
    }
    return p;
}

double synthetic_distance_mm(const synthetic_spec& s, std::size_t i, std::size_t j) {
    const auto p = synthetic_position(s, i), q = synthetic_position(s, j);
    const double dx = p[0] - q[0], dy = p[1] - q[1], dz = p[2] - q[2];
    const double chord = std::sqrt(dx * dx + dy * dy + dz * dz);
    if (is_sheet(s)) return chord;
    return 2.0 * s.extent_mm * std::asin(std::min(1.0, chord / (2.0 * s.extent_mm)));
}

struct synthetic_generator::geometry {
    layout L;
};

synthetic_generator::synthetic_generator(const synthetic_spec& s)
    : s_(s), k_(synthetic_sources_per_row(s)), g_(std::make_unique<geometry>()) {
    g_->L = make_layout(s);
}

synthetic_generator::~synthetic_generator() = default;

local_rows synthetic_rows(const synthetic_spec& s, std::size_t row_begin, std::size_t row_end) {
    validate(s);
    if (row_begin > row_end || row_end > s.n_areas)
        throw config_error("synthetic model: row range [" + std::to_string(row_begin) + ", " + std::to_string(row_end) +
                           ") out of range (" + std::to_string(s.n_areas) + " areas)");
    return synthetic_generator(s).rows(row_begin, row_end);
}

local_rows synthetic_generator::rows(std::size_t row_begin, std::size_t row_end) const {
    const synthetic_spec& s = s_;
    if (row_begin > row_end || row_end > s.n_areas)
        throw config_error("synthetic model: row range [" + std::to_string(row_begin) + ", " + std::to_string(row_end) +
                           ") out of range (" + std::to_string(s.n_areas) + " areas)");
    const std::size_t n = s.n_areas, k = k_;
    local_rows out;
    out.n_global = n;
    out.row_begin = row_begin;
    out.n_rows = row_end - row_begin;
    out.row_ptr.reserve(out.n_rows + 1);
    out.col.reserve(out.n_rows * k);
    out.val.reserve(out.n_rows * k);

    const layout& L = g_->L;
    const double lambda = s.length_constant_mm;
    const double sqrt_d = std::sqrt(static_cast<double>(L.dims));
    const double log_rho = -L.b / (sqrt_d * lambda);
    const double slack = sqrt_d * L.b / lambda;  // log of the envelope constant (without c_max)
    const double inv_c_max = 1.0 / static_cast<double>(L.c_max);
    const bool dense = 4 * k >= n - 1;
    const std::uint64_t budget = 64 * static_cast<std::uint64_t>(k) + 4096;
    const auto key = key_of(s.seed);

    std::vector<std::uint64_t> stamp(n, 0);  // stamp[j] == i + 1: j already drawn for row i
    std::vector<std::uint32_t> cols;
    std::vector<double> scratch;
    std::vector<std::pair<double, std::uint32_t>> keys;
    cols.reserve(k);

    for (std::size_t i = row_begin; i < row_end; ++i) {
        cols.clear();
        bool complete = (k == 0);
        if (!dense && !complete) {
            std::int64_t own[3];
            L.coords(L.bucket_of_area[i], own);
            const axis_proposal ax[3] = {axis_proposal(log_rho, own[0], L.g[0]), axis_proposal(log_rho, own[1], L.g[1]),
                                         axis_proposal(log_rho, own[2], L.g[2])};
            const std::uint64_t mark = static_cast<std::uint64_t>(i) + 1;
            for (std::uint64_t a = 0; a < budget; ++a) {
                const auto u = uniform01x4(counter_of(a, static_cast<std::uint32_t>(i), stream_proposal), key);
                // sheet: u = (x offset, y offset, item, accept); sphere: u = (x, y, z offsets, item) and the
                // acceptance uniform from a second block, drawn only for a candidate that survives the cheap tests
                const bool flat = L.dims == 2;
                const std::int64_t d[3] = {ax[0].sample(u[0]), ax[1].sample(u[1]), flat ? 0 : ax[2].sample(u[2])};
                const double u_item = flat ? u[2] : u[3];
                const std::int64_t bucket = L.linear(own[0] + d[0], own[1] + d[1], own[2] + d[2]);
                const std::int64_t b0 = L.bucket_start[static_cast<std::size_t>(bucket)];
                const std::int64_t count = L.bucket_start[static_cast<std::size_t>(bucket) + 1] - b0;
                if (count == 0) continue;
                const std::int64_t pick =
                    std::min<std::int64_t>(count - 1, static_cast<std::int64_t>(u_item * static_cast<double>(count)));
                const std::uint32_t j = L.items[static_cast<std::size_t>(b0 + pick)];
                if (j == i || stamp[j] == mark) continue;
                const double l1 = static_cast<double>(std::abs(d[0]) + std::abs(d[1]) + std::abs(d[2]));
                const double envelope = (l1 == 0.0 ? 0.0 : l1 * log_rho) + slack;
                const double accept = std::exp(-L.distance(i, j) / lambda - envelope) * static_cast<double>(count) *
                                      inv_c_max;
                const double u_acc = flat ? u[3]
                                          : uniform01x4(counter_of(a | (std::uint64_t{1} << 63),
                                                                   static_cast<std::uint32_t>(i), stream_proposal),
                                                        key)[0];
                if (!(u_acc < accept)) continue;
                stamp[j] = mark;
                cols.push_back(j);
                if (cols.size() == k) {
                    complete = true;
                    break;
                }
            }
        }
        if (!complete) dense_sources(s, L, i, k, keys, cols);
        std::sort(cols.begin(), cols.end());
        append_row(s, L, i, cols, out, scratch);
    }
    return out;
}

void add_synthetic_delays(const synthetic_spec& s, local_rows& rows, double velocity_m_per_s, double dt_ms,
                          bool nearest) {
    validate(s);
    synthetic_generator(s).add_delays(rows, velocity_m_per_s, dt_ms, nearest);
}

void synthetic_generator::add_delays(local_rows& rows, double velocity_m_per_s, double dt_ms, bool nearest) const {
    const layout& L = g_->L;
    rows.delay.resize(rows.nnz());
    for (std::size_t r = 0; r < rows.n_rows; ++r)
        for (auto k = rows.row_ptr[r]; k < rows.row_ptr[r + 1]; ++k) {
            const auto kk = static_cast<std::size_t>(k);
            rows.delay[kk] = delay_steps(L.distance(rows.row_begin + r, static_cast<std::size_t>(rows.col[kk])),
                                         velocity_m_per_s, dt_ms, nearest);
        }
}

}  // namespace cortexsim
