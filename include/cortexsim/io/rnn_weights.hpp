#pragma once
// The weights file of a trained (or initialised) recurrent network: one HDF5 file, layout in docs/rnn.md.
//   /W_in [N][n_in], /W_rec [N][N], /b [N], /W_out [n_out][N], /b_out [n_out], /tau_ms [N]   (float64)
//   root attributes: format = "cortexsim-rnn-weights", format_version = 1, kind, activation, readout, dt_ms,
//   n_in, n_rec, n_out, task, and the training provenance (config_path, config_sha256, overrides, fingerprint,
//   loss, iterations, final_loss, final_accuracy, eval_trials, ranks, created).
// Serial HDF5 from one process (the trainer writes it on rank 0); the simulator's ranks each read their own
// rows (read_rnn_weights_rows), never the whole file.
#include <cstddef>
#include <string>
#include <vector>

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

namespace cortexsim {

/// The attributes and shapes of a weights file, checked like read_rnn_weights (format, version,
/// kind/activation/readout, dt_ms, shapes of all six datasets, n_* attributes); no values.
struct rnn_weights_header {
    rnn::rnn_kind kind = rnn::rnn_kind::leaky;
    rnn::activation_kind activation = rnn::activation_kind::relu;
    rnn::readout_kind readout = rnn::readout_kind::softmax;
    double dt_ms = 0.0;
    std::size_t n_in = 0, n_rec = 0, n_out = 0;
    std::string task;  // the task description stored with the network ("" if none)
};
/// Throws data_error with one line naming the file and the attribute or dataset.
rnn_weights_header read_rnn_weights_header(const std::string& path);

/// Rows [begin, end) of a 2-D dataset (/W_in, /W_rec, /W_out) or entries [begin, end) of a 1-D one (/b,
/// /tau_ms, /b_out), row-major, each value checked finite (data_error naming the file, dataset and index).
std::vector<double> read_rnn_weights_rows(const std::string& path, const std::string& dataset, std::size_t begin,
                                          std::size_t end);

}  // namespace cortexsim
