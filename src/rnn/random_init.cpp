#include "cortexsim/rnn/random_init.hpp"

#include <algorithm>
#include <cmath>

#include "cortexsim/common/counter_rng.hpp"

namespace cortexsim::rnn {
namespace {

constexpr std::uint32_t stream_w_rec = 40, stream_w_in = 41, stream_w_out = 42;
/// Columns per W_rec block: row i, block q covers columns [q B, (q + 1) B).
constexpr std::size_t rec_block = 256;

/// A standard normal deviate from the two 32-bit words (hi, lo): a 52-bit uniform through the inverse CDF.
inline double normal_of_words(std::uint32_t hi, std::uint32_t lo) { return normal_of_uniform(u01_of(hi, lo)); }

}  // namespace

void random_rec_row(const rnn_spec& s, std::size_t i, std::vector<std::int64_t>& cols, std::vector<double>& vals) {
    const std::size_t N = s.n_units;
    const double sd = s.spectral_radius / std::sqrt(static_cast<double>(N) * s.density);
    if (!(sd > 0.0)) return;
    const philox_key key = key_of(s.init_seed);
    const bool dense = s.density >= 1.0;
    const double log_q = dense ? 0.0 : std::log1p(-s.density);
    const auto row = static_cast<std::uint32_t>(i);
    for (std::size_t b0 = 0, q = 0; b0 < N; b0 += rec_block, ++q) {
        const std::size_t b1 = std::min(N, b0 + rec_block);
        std::size_t j = b0;
        for (std::uint32_t draw = 0;; ++draw) {
            const auto w = philox4x32({row, static_cast<std::uint32_t>(q), draw, stream_w_rec}, key);
            if (!dense) {
                const double g = std::floor(std::log(u01_of(w[0], w[1])) / log_q);
                if (!(g < static_cast<double>(b1 - j))) break;
                j += static_cast<std::size_t>(g);
            }
            const double v = sd * normal_of_words(w[2], w[3]);
            if (v != 0.0) {
                cols.push_back(static_cast<std::int64_t>(j));
                vals.push_back(v);
            }
            if (++j >= b1) break;
        }
    }
}

void random_input_row(const rnn_spec& s, std::size_t unit, double* out) {
    const philox_key key = key_of(s.init_seed);
    const double sd = s.input_scale / std::sqrt(static_cast<double>(std::max<std::size_t>(s.n_in, 1)));
    for (std::size_t c = 0; c < s.n_in; c += 2) {
        const auto w = philox4x32(counter_of(unit, static_cast<std::uint32_t>(c / 2), stream_w_in), key);
        out[c] = sd * normal_of_words(w[0], w[1]);
        if (c + 1 < s.n_in) out[c + 1] = sd * normal_of_words(w[2], w[3]);
    }
}

void random_readout(const rnn_spec& s, std::vector<double>& W_out, std::vector<double>& b_out) {
    const std::size_t N = s.n_units, O = s.n_out;
    W_out.assign(O * N, 0.0);
    b_out.assign(O, 0.0);
    const philox_key key = key_of(s.init_seed);
    const double sd = s.output_scale / std::sqrt(static_cast<double>(std::max<std::size_t>(N, 1)));
    for (std::size_t j = 0; j < N; ++j)
        for (std::size_t q = 0; q < O; q += 2) {
            const auto w = philox4x32(counter_of(j, static_cast<std::uint32_t>(q / 2), stream_w_out), key);
            W_out[q * N + j] = sd * normal_of_words(w[0], w[1]);
            if (q + 1 < O) W_out[(q + 1) * N + j] = sd * normal_of_words(w[2], w[3]);
        }
}

}  // namespace cortexsim::rnn
