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
// Uniform doubles are computed from the integer output with exact arithmetic; the normal deviates use
// std::log, std::sqrt, std::cos and std::sin of the C library (identical on every rank of a run on one
// machine type; they may differ in the last bit between C libraries).
#include <array>
#include <cmath>
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

}  // namespace cortexsim
