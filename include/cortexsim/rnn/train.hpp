#pragma once
// Training recurrent networks on the tasks of tasks.hpp (docs/rnn.md): backpropagation through time over the
// whole trial, Adam, masked cross-entropy or MSE loss, global-norm gradient clipping, data-parallel over MPI.
//
// Data parallelism: batch k of B trials holds the trials with indices k*B .. k*B + B - 1 of the task (seed
// task.seed); rank r of P generates and differentiates the trials j in [B r / P, B (r + 1) / P) of it and
// adds their gradients, in trial order, into one vector; one MPI_Allreduce (sum) then gives every rank the
// batch gradient together with the loss and accuracy sums, and every rank makes the same Adam step. The trials,
// the initial weights and the order of every local sum are independent of P: the result depends on the rank
// count only through the floating-point order of the reduction (differences of the order of 1e-16 relative per
// iteration; tested to stay below 1e-12 over a short training).
//
// Checkpoints (Boost.Serialization binary archive in an envelope "CORTEXSIM-RNN-CHECKPOINT 1", payload length
// and SHA-256; written atomically by rank 0): iteration, parameters, Adam moments, loss and accuracy history
// and the fingerprint of the configuration. A run resumed from a checkpoint continues bit for bit as the
// uninterrupted run (same configuration, same number of ranks).
#include <mpi.h>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cortexsim/rnn/network.hpp"
#include "cortexsim/rnn/tasks.hpp"

namespace cortexsim::rnn {

/// Trial indices of the evaluation set start here (training uses indices below 2^62), so the evaluation trials
/// are never trained on; the validation trials of the early stop start at validation_index_base.
constexpr std::uint64_t eval_index_base = std::uint64_t{1} << 62;
constexpr std::uint64_t validation_index_base = (std::uint64_t{1} << 62) + (std::uint64_t{1} << 61);

/// A training configuration (YAML; docs/rnn.md lists every key; read by load_train_config).
struct train_config {
    std::string config_path, config_text, config_sha256;  // the file as read, and its SHA-256
    std::vector<std::string> overrides;                    // --set key=value
    std::string resolved;     // every resolved value, one section per line
    std::string fingerprint;  // SHA-256 of the values that determine the trajectory (not iterations, output, ...)

    std::shared_ptr<const rnn::task> task_ptr;  // the task (generator)
    init_params network;      // n_in, n_out from the task

    loss_kind loss = loss_kind::cross_entropy;
    std::int64_t batch = 32;
    std::int64_t iterations = 500;
    double learning_rate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
    double clip_norm = 1.0;           // global-norm clipping; <= 0: none
    std::int64_t progress_every = 50; // progress line every K iterations (rank 0)
    std::int64_t eval_trials = 256;   // held-out trials evaluated at the end
    double stop_accuracy = 0.0;       // > 0: stop at a progress line once the mean batch accuracy since the last
                                      // one and the accuracy on eval_trials validation trials reach it

    std::string checkpoint_path;         // default <output>.ckpt
    std::int64_t checkpoint_every = 0;   // iterations; 0: no checkpoints
    std::string output_path;             // weights file
};

// The config layer reads it: load_train_config / parse_train_config in cortexsim/config/train_config.hpp.

/// The state saved in a checkpoint.
struct train_state {
    std::string fingerprint;
    std::int64_t iteration = 0;              // optimiser steps done
    std::vector<double> params, adam_m, adam_v;  // flat (get_params order)
    std::vector<double> loss_history, accuracy_history;  // per iteration (batch values)
    bool stopped = false;                    // stop_accuracy reached
    double wall_s = 0.0;                     // training wall time so far
    std::int32_t ranks_at_save = 0;          // informational

    template <class Archive>
    void serialize(Archive& ar, const unsigned int /*version*/) {
        ar & fingerprint & iteration & params & adam_m & adam_v & loss_history & accuracy_history & stopped & wall_s;
        ar & ranks_at_save;
    }
};

/// Writes atomically ("<path>.tmp", fsync, rename); throws io_error.
void write_train_checkpoint(const std::string& path, const train_state& s);
/// Reads and verifies (header, length, SHA-256, archive); throws data_error naming the file and the problem.
train_state read_train_checkpoint(const std::string& path);

struct train_options {
    std::optional<train_state> resume;  // continue from this state (its fingerprint must match)
    bool quiet = false;                 // no progress lines
    std::FILE* log = stdout;            // where rank 0 prints progress
};

struct train_result {
    rnn_weights weights;  // trained, with task description and provenance
    std::vector<double> loss_history, accuracy_history;  // per iteration, from iteration 1 (also before a resume)
    double eval_loss = 0.0, eval_accuracy = 0.0;          // on cfg.eval_trials held-out trials
    std::int64_t iterations = 0;                           // done in total
    bool stopped_early = false;
    double wall_s = 0.0;        // wall time of the training loop of this call (rank 0's clock, agreed)
    double total_wall_s = 0.0;  // including the runs before the checkpoint resumed from
};

/// Trains on comm (collective). Writes checkpoints if cfg.checkpoint_every > 0, not the weights file. Throws
/// cortexsim::error on every rank on failure (e.g. divergence: a non-finite loss).
train_result train_rnn(const train_config& cfg, MPI_Comm comm, const train_options& opt = {});

/// Loss and accuracy sums of n_trials trials from first_index (data-parallel over comm, summed on all ranks).
loss_sums evaluate_rnn(const rnn_weights& w, const task& t, loss_kind loss, std::uint64_t first_index,
                       std::int64_t n_trials, MPI_Comm comm);

/// The CLI: args (without the command word) "CONFIG [-o weights.h5] [--overwrite] [--resume CKPT] [--quiet]
/// [--set key=value ...]". Returns 0 on success, 2 on bad input (command line, config, existing output or
/// checkpoint, unreadable or foreign checkpoint), 1 if training or writing failed; the error is printed once
/// (rank 0) as "cortexsim train: error: ...", and every rank returns the same code.
int train_command(const std::vector<std::string>& args, MPI_Comm comm);

/// The usage text of train_command.
std::string train_usage();

}  // namespace cortexsim::rnn

BOOST_CLASS_VERSION(cortexsim::rnn::train_state, 1)
