#pragma once
// The random initialisation of a network run by the simulator (circuit rnn with model.rnn.init; docs/rnn_runtime.md),
// row by row, so that each rank generates only its own units and any rank count gives the same network.
// Philox stream tags (common/counter_rng.hpp):
//   40 W_rec   counter {row, column block, draw, 40}
//   41 W_in    counter {unit_lo, unit_hi, input pair, 41}
//   42 W_out   counter {unit_lo, unit_hi, output pair, 42}
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cortexsim/spec/rnn_spec.hpp"

namespace cortexsim::rnn {

/// Row i of a random W_rec: appends its nonzeros in increasing column order to cols / vals.
///   density p = 1: every column j; p < 1: the gaps between nonzeros are geometric, g = floor(log u / log(1-p))
///   (every entry independently nonzero with probability p); value ~ N(0, rho^2 / (N p)), so by the circular
///   law the eigenvalues fill the disc of radius rho as N p grows. The columns are cut into blocks of 256; block
///   q of row i draws from the counters {i, q, 0, 40}, {i, q, 1, 40}, ... (words 0-1: the gap, words 2-3: the
///   value), so a row depends only on (seed, i).
void random_rec_row(const rnn_spec& s, std::size_t i, std::vector<std::int64_t>& cols, std::vector<double>& vals);

/// Row `unit` of a random W_in (n_in values): N(0, input_scale^2 / n_in), counter {unit, c / 2, 41}.
void random_input_row(const rnn_spec& s, std::size_t unit, double* out);

/// The readout of a random network: W_out [n_out][N] ~ N(0, output_scale^2 / N), keyed by (init_seed, unit,
/// output pair), stream 42; b_out = 0.
void random_readout(const rnn_spec& s, std::vector<double>& W_out, std::vector<double>& b_out);

}  // namespace cortexsim::rnn
