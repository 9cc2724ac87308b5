#pragma once
// Counter-based random numbers (Philox4x32-10, Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy
// as 1, 2, 3", SC'11 — the generator of Random123). Header-only, no state: every random number is a pure
// function of (key, counter), so a value keyed by ids (seed, area, population, step, attempt, ...) is the same
// whichever rank computes it and in whatever order. Checked against Random123's known-answer vectors
// (tests/test_synthetic.cpp).
//
// Conventions used in cortexsim (so that independent uses never share a counter):
//   key     = the run's 64-bit seed, split into two 32-bit words (key_of(seed));
//   counter = {i0, i1, i2, stream}: three 32-bit id words and a stream tag in the last word.
// Stream tags in use (add new ones here, never reuse one):
//   1  synthetic connectivity: area position jitter   counter {area_lo, area_hi, 0, 1}
//   2  synthetic connectivity: source proposals        counter {attempt_lo, attempt_hi, row, 2}
//      (a proposal's second block, on the sphere, sets the top bit of attempt_hi)
//   3  synthetic connectivity: dense-row keys          counter {source_lo, source_hi, row, 3}
//   15 wong_wang circuit: random initial rates         counter {area_lo, area_hi, population, 15}
//      (also init_normal(k) of the equations circuit: counter {area_lo, area_hi, k, 15})
//   16..31 noise of the circuits: counter {step_lo, step_hi, area, 16 + population / 4}, four normals per block
//      by the inverse normal CDF (dynamics/circuit.hpp, noise_normals).
//   32 rnn task n-back: letters of a stream            counter {trial_lo, trial_hi, item, 32}
//   33 rnn task delayed match-to-sample: stimuli       counter {trial_lo, trial_hi, 0, 33}
//   34 rnn task cue/delay/response: the cue            counter {trial_lo, trial_hi, 0, 34}
//   35 rnn init: W_in                                  counter {block_lo, block_hi, 0, 35}
//   36 rnn init: W_rec                                 counter {block_lo, block_hi, 0, 36}
//   37 rnn init: W_out                                 counter {block_lo, block_hi, 0, 37}
//   38 rnn init: per-unit time constants               counter {unit_lo, unit_hi, 0, 38}
//   39 rnn init: start vector of the power iteration   counter {block_lo, block_hi, 0, 39}
//   40 rnn circuit: random W_rec rows                   counter {row, column block, draw, 40}
//   41 rnn circuit: random W_in rows                    counter {unit_lo, unit_hi, input pair, 41}
//   42 rnn circuit: random W_out                        counter {unit_lo, unit_hi, output pair, 42}
//   43 equations circuit: init_uniform(k, lo, hi)        counter {area_lo, area_hi, k, 43} (first 52-bit uniform)
//   48..63 white-noise stimuli: counter {step_lo, step_hi, area, 48 + noise stream}, one block per (area, step)
//      (stimulus/stimulus.hpp; the first of its four normals is used)
// Uniform doubles are computed from the integer output with exact arithmetic; the normal deviates use
// std::log, std::sqrt, std::cos and std::sin of the C library (identical on every rank of a run on one
// machine type; they may differ in the last bit between C libraries).
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>

namespace cortexsim {

using philox_counter = std::array<std::uint32_t, 4>;
using philox_key = std::array<std::uint32_t, 2>;

namespace detail {
/// One Philox round: two 32 x 32 -> 64-bit multiplications, the high halves xor-ed with the other words and
/// the round key, and a fixed permutation of the words.
constexpr void philox_round(philox_counter& c, const philox_key& k) {
    constexpr std::uint64_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
    const std::uint64_t p0 = M0 * c[0];  // 32 x 32 -> 64 bits
    const std::uint64_t p1 = M1 * c[2];
    const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
}
}  // namespace detail

/// Philox4x32 with 10 rounds: the bijection of the 128-bit counter selected by the 64-bit key.
constexpr std::array<std::uint32_t, 4> philox4x32(std::array<std::uint32_t, 4> counter,
                                                  std::array<std::uint32_t, 2> key) {
    constexpr std::uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;  // Weyl key schedule
    for (int r = 0; r < 10; ++r) {
        if (r > 0) {
            key[0] += W0;
            key[1] += W1;
        }
        detail::philox_round(counter, key);
    }
    return counter;
}

/// The key of a 64-bit seed.
constexpr philox_key key_of(std::uint64_t seed) {
    return {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)};
}

/// A counter from a 64-bit id (two words), a 32-bit id and a stream tag.
constexpr philox_counter counter_of(std::uint64_t id64, std::uint32_t id32, std::uint32_t stream) {
    return {static_cast<std::uint32_t>(id64), static_cast<std::uint32_t>(id64 >> 32), id32, stream};
}

/// A 32-bit word to a double in the open interval (0, 1): (w + 1/2) / 2^32 (exact).
constexpr double u01_of(std::uint32_t w) { return (static_cast<double>(w) + 0.5) * 0x1.0p-32; }

/// Two 32-bit words to a double in the open interval (0, 1) with 52 random bits: (2m + 1) / 2^53, m the top
/// 52 bits (exact; the midpoints of a 2^-52 grid, so the distribution is symmetric about 1/2).
constexpr double u01_of(std::uint32_t hi, std::uint32_t lo) {
    const std::uint64_t m = ((static_cast<std::uint64_t>(hi) << 32) | lo) >> 12;
    return static_cast<double>(2 * m + 1) * 0x1.0p-53;
}

/// Four uniform doubles in (0, 1), 32 random bits each, from one Philox block.
constexpr std::array<double, 4> uniform01x4(const philox_counter& counter, const philox_key& key) {
    const auto w = philox4x32(counter, key);
    return {u01_of(w[0]), u01_of(w[1]), u01_of(w[2]), u01_of(w[3])};
}

/// Two uniform doubles in (0, 1), 52 random bits each, from one Philox block.
constexpr std::array<double, 2> uniform01(const philox_counter& counter, const philox_key& key) {
    const auto w = philox4x32(counter, key);
    return {u01_of(w[0], w[1]), u01_of(w[2], w[3])};
}

/// Two independent standard normal deviates from one Philox block (Box-Muller on 52-bit uniforms).
inline std::array<double, 2> normal2(const philox_counter& counter, const philox_key& key) {
    const auto u = uniform01(counter, key);
    const double r = std::sqrt(-2.0 * std::log(u[0]));
    const double a = 2.0 * std::numbers::pi * u[1];
    return {r * std::cos(a), r * std::sin(a)};
}

namespace detail {
/// The central branch of normal_of_uniform (|u - 1/2| <= 0.475), the same operations: computed for every u by
/// noise_normals_batch (vectorised), the tails then recomputed by normal_tail.
inline double normal_central(double u) {
    constexpr double a1 = -3.969683028665376e+01, a2 = 2.209460984245205e+02, a3 = -2.759285104469687e+02,
                     a4 = 1.383577518672690e+02, a5 = -3.066479806614716e+01, a6 = 2.506628277459239e+00;
    constexpr double b1 = -5.447609879822406e+01, b2 = 1.615858368580409e+02, b3 = -1.556989798598866e+02,
                     b4 = 6.680131188771972e+01, b5 = -1.328068155288572e+01;
    const double q = u - 0.5, r = q * q;
    return (((((a1 * r + a2) * r + a3) * r + a4) * r + a5) * r + a6) * q /
           (((((b1 * r + b2) * r + b3) * r + b4) * r + b5) * r + 1.0);
}
/// The words w whose uniform u01_of(w) falls in normal_of_uniform's central branch, [p_low, p_high]: central_lo <= w
/// <= central_hi (u01_of is increasing; found by bisection at compile time).
/// The first word whose uniform is >= u (above: > u).
constexpr std::uint32_t first_word(double u, bool above) {
    std::uint64_t lo = 0, hi = 0xFFFFFFFFull;  // the answer is in [lo, hi]
    while (lo < hi) {
        const std::uint64_t mid = (lo + hi) / 2;
        const double x = u01_of(static_cast<std::uint32_t>(mid));
        if (above ? x > u : x >= u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return static_cast<std::uint32_t>(lo);
}
constexpr std::uint32_t central_lo = first_word(0.02425, false);
constexpr std::uint32_t central_hi = first_word(1.0 - 0.02425, true) - 1;
/// The tails of normal_of_uniform (u < p_low or u > p_high): q = sqrt(-2 log(min(u, 1 - u))) and a rational function
/// of q, negative in the low tail. Without a branch on the side: 1 - u is exact for the uniforms of u01_of (33
/// bits), and (-a) / b = -(a / b) in IEEE arithmetic, so it gives the bytes of the two branches it replaced
/// (byte contract: the configs with noise).
inline double normal_tail(double u) {
    constexpr double c1 = -7.784894002430293e-03, c2 = -3.223964580411365e-01, c3 = -2.400758277161838e+00,
                     c4 = -2.549732539343734e+00, c5 = 4.374664141464968e+00, c6 = 2.938163982698783e+00;
    constexpr double d1 = 7.784695709041462e-03, d2 = 3.224671290700398e-01, d3 = 2.445134137142996e+00,
                     d4 = 3.754408661907416e+00;
    const bool low = u < 0.5;
    const double q = std::sqrt(-2.0 * std::log(low ? u : 1.0 - u));
    const double num = (((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6);
    return (low ? num : -num) / ((((d1 * q + d2) * q + d3) * q + d4) * q + 1.0);
}
}  // namespace detail

/// A standard normal deviate from a uniform u in (0, 1) by the inverse normal CDF (P. J. Acklam's rational
/// approximation, relative error < 1.2e-9): one division and a few multiply-adds in the central 95 %,
/// sqrt(-2 log u) only in the tails. Pure arithmetic: the same on every rank (and, with -ffp-contract=off,
/// on every IEEE machine except for the tails' log/sqrt, which come from the C library).
inline double normal_of_uniform(double u) {
    constexpr double p_low = 0.02425, p_high = 1.0 - 0.02425;
    return u < p_low || u > p_high ? detail::normal_tail(u) : detail::normal_central(u);
}

/// Four standard normal deviates for (seed key, global area, population group, step): one Philox block, each
/// 32-bit word a uniform (w + 1/2) / 2^32 turned into a normal by normal_of_uniform (|z| < 6.4).
/// Population p uses noise_normals(key, area, p / 4, step)[p % 4]. Stream tags 16..31 (counter_rng.hpp).
inline std::array<double, 4> noise_normals(const philox_key& key, std::uint64_t area, std::uint32_t group,
                                           std::int64_t step) {
    const philox_counter c = {static_cast<std::uint32_t>(step),
                              static_cast<std::uint32_t>(static_cast<std::uint64_t>(step) >> 32),
                              static_cast<std::uint32_t>(area), 16u + (group & 15u)};
    const auto u = uniform01x4(c, key);
    return {normal_of_uniform(u[0]), normal_of_uniform(u[1]), normal_of_uniform(u[2]), normal_of_uniform(u[3])};
}


/// noise_normals of many areas at once, bit for bit the same deviates: out[4 j + q] = noise_normals(key, area[j],
/// group, step)[q] for j < n and q < used (the other entries are left as they are). The Philox blocks of all areas are computed side by side (each round is one loop
/// over the areas, which the compiler vectorises: the same 32-bit integer operations), then the uniforms, the
/// central branch of the inverse CDF for every deviate (vectorised; the same IEEE operations as
/// normal_of_uniform) and the tails (2 x 2.425 % of the deviates) by detail::normal_tail, listed first.
inline void noise_normals_batch(const philox_key& key, const std::uint32_t* area, std::size_t n, std::uint32_t group,
                                std::int64_t step, double* out, int used = 4) {
    constexpr std::size_t B = 64;  // areas per chunk
    constexpr std::uint64_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
    constexpr std::uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    std::uint32_t k0[10], k1[10];
    k0[0] = key[0];
    k1[0] = key[1];
    for (int r = 1; r < 10; ++r) {
        k0[r] = k0[r - 1] + W0;
        k1[r] = k1[r - 1] + W1;
    }
    const auto s_lo = static_cast<std::uint32_t>(step);
    const auto s_hi = static_cast<std::uint32_t>(static_cast<std::uint64_t>(step) >> 32);
    const std::uint32_t tag = 16u + (group & 15u);
    std::uint32_t w[4][B];
    for (std::size_t j0 = 0; j0 < n; j0 += B) {
        const std::size_t m = n - j0 < B ? n - j0 : B;
        for (std::size_t j = 0; j < m; ++j) {
            std::uint32_t c0 = s_lo, c1 = s_hi, c2 = area[j0 + j], c3 = tag;
            for (int r = 0; r < 10; ++r) {  // detail::philox_round with the round keys of philox4x32
                const std::uint64_t p0 = M0 * c0, p1 = M1 * c2;
                const auto n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0[r];
                const auto n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1[r];
                c1 = static_cast<std::uint32_t>(p1);
                c3 = static_cast<std::uint32_t>(p0);
                c0 = n0;
                c2 = n2;
            }
            w[0][j] = c0;
            w[1][j] = c1;
            w[2][j] = c2;
            w[3][j] = c3;
        }
        double* o = out + 4 * j0;
        for (int q = 0; q < used; ++q)
            for (std::size_t j = 0; j < m; ++j)
                o[4 * j + static_cast<std::size_t>(q)] = detail::normal_central(u01_of(w[q][j]));
        // the tails: u01_of(w) < p_low or > p_high exactly when w - lo > hi - lo. Listed first without a branch,
        // then computed in one loop (a branch per deviate mispredicted at every tail, and each tail's log, sqrt
        // and division waited for the one before: ~40 % of the batch's time)
        std::uint32_t tail[4 * B];
        std::size_t n_tail = 0;
        for (int q = 0; q < used; ++q)
            for (std::size_t j = 0; j < m; ++j) {
                tail[n_tail] = static_cast<std::uint32_t>(4 * j + static_cast<std::size_t>(q));
                n_tail += w[q][j] - detail::central_lo > detail::central_hi - detail::central_lo ? 1 : 0;
            }
        for (std::size_t k = 0; k < n_tail; ++k) {
            const std::uint32_t e = tail[k];
            o[e] = detail::normal_tail(u01_of(w[e & 3U][e >> 2U]));
        }
    }
}

}  // namespace cortexsim
