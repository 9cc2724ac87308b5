#pragma once
// A recurrent network run by the simulator (circuit: rnn; docs/rnn_runtime.md). The units are the "areas" of
// the model (one population "a" each), partitioned over the ranks in contiguous blocks.
//
// The spec is plain data and small: it holds what every rank needs anyway (the readout W_out [n_out][N] and
// b_out, the task description) and how to get the rest, never a matrix of N x N or N x n_in values:
//   weights file   each rank reads its own rows of /W_in, /b, /tau_ms (circuit constructor) and /W_rec
//                  (rnn_recurrent_rows) by hyperslab from `weights_path`;
//   random init    each rank generates its own rows from `init_seed` (Philox keyed by unit ids, so any rank
//                  count gives the same network): W_rec entry (i, j) is nonzero with probability `density` and
//                  then N(0, rho^2 / (N density)) (spectral radius ~rho by the circular law), W_in ~
//                  N(0, input_scale^2 / n_in), W_out ~ N(0, output_scale^2 / N), b = b_out = 0, tau = tau_ms.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cortexsim/spec/rnn_types.hpp"

namespace cortexsim {

struct rnn_spec {
    bool defined = false;  // set by parse_rnn_model (circuit: rnn)

    // ---- where the network comes from
    std::string weights_path;  // resolved path of a weights file (cortexsim train); "" = random initialisation

    // ---- the network (from the file's attributes and shapes, or from model.rnn.init)
    rnn::rnn_kind kind = rnn::rnn_kind::leaky;
    rnn::activation_kind activation = rnn::activation_kind::tanh;
    rnn::readout_kind readout = rnn::readout_kind::softmax;
    double dt_ms = 10.0;  // the network's step; run.dt_ms must equal it
    std::size_t n_units = 0, n_in = 0, n_out = 0;

    // ---- random initialisation (weights_path empty); stream tags 40 (W_rec), 41 (W_in), 42 (W_out)
    double spectral_radius = 0.9;  // rho (the gain g): W_rec_ij ~ N(0, rho^2 / (N density)) where nonzero
    double density = 1.0;          // probability that W_rec_ij is nonzero (1: dense)
    double tau_ms = 100.0;         // every unit's time constant (leaky); vanilla: dt_ms
    double input_scale = 1.0;      // W_in ~ N(0, input_scale^2 / n_in)
    double output_scale = 1.0;     // W_out ~ N(0, output_scale^2 / N)
    std::uint64_t init_seed = 1;

    // ---- readout (every rank keeps it; the engine evaluates it on rank 0)
    std::vector<double> W_out, b_out;  // [n_out][N], [n_out]

    // ---- the task whose trials are fed in ("" = no task: x(k) = 0, no targets)
    std::string task;              // description, as rnn::task_from_description reads it
    std::int64_t trial_steps = 0;  // steps per trial (T), from the task
    std::uint64_t first_trial = 0;
    std::uint64_t n_trials = 0;    // 0: as many as the run needs (ceil(run steps / T))
    std::uint64_t trial_seed = 0;  // the task's seed unless model.rnn.trials.seed
    bool reset_state = false;      // a = 0 at the start of every trial (as the trainer's forward pass)

    bool has_task() const { return !task.empty(); }
};

}  // namespace cortexsim
