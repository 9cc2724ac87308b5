#pragma once
// The weights file of a trained (or initialised) recurrent network: one HDF5 file, layout in docs/rnn.md.
//   /W_in [N][n_in], /W_rec [N][N], /b [N], /W_out [n_out][N], /b_out [n_out], /tau_ms [N]   (float64)
//   root attributes: format = "cortexsim-rnn-weights", format_version = 1, kind, activation, readout, dt_ms,
//   n_in, n_rec, n_out, task, and the training provenance (config_path, config_sha256, overrides, fingerprint,
//   loss, iterations, final_loss, final_accuracy, eval_trials, ranks, created).
// Serial HDF5 from one process (the trainer writes it on rank 0).
#include <string>

#include "cortexsim/rnn/network.hpp"

namespace cortexsim::rnn {

/// Writes w to path atomically ("<path>.tmp", flushed, renamed). Refuses (io_error) an existing path unless
/// overwrite; validates w first (data_error).
void write_rnn_weights(const std::string& path, const rnn_weights& w, bool overwrite = false);

/// Reads and validates a weights file: every dataset present with the expected shape (N from /b, n_in from
/// /W_in, n_out from /b_out), finite values, tau > 0, known kind/activation/readout. Throws data_error with one
/// line naming the file and the dataset or attribute.
rnn_weights read_rnn_weights(const std::string& path);

}  // namespace cortexsim::rnn
