#pragma once
// `cortexsim train` (docs/rnn.md): training recurrent networks on the tasks of rnn/tasks.hpp by backpropagation
// through time over the whole trial, Adam, masked cross-entropy or MSE loss, global-norm gradient clipping,
// data-parallel over MPI.
//
// Data parallelism: batch k of B trials holds the trials with indices k*B .. k*B + B - 1 of the task (seed
// task.seed); rank r of P generates and differentiates the trials j in [B r / P, B (r + 1) / P) of it and
// adds their gradients, in trial order, into one vector; one MPI_Allreduce (sum) then gives every rank the
// batch gradient together with the loss and accuracy sums, and every rank makes the same Adam step. The trials,
// the initial weights and the order of every local sum are independent of P: the result depends on the rank
// count only through the floating-point order of the reduction (differences of the order of 1e-16 relative per
// iteration; tested to stay below 1e-12 over a short training).
//
// A run resumed from a checkpoint (checkpoint/train_checkpoint.hpp) continues bit for bit as the uninterrupted
// run (same configuration, same number of ranks).
#include <mpi.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cortexsim/checkpoint/train_checkpoint.hpp"
#include "cortexsim/rnn/network.hpp"
#include "cortexsim/rnn/tasks.hpp"
#include "cortexsim/rnn/train.hpp"

namespace cortexsim::rnn {

struct train_options {
    std::optional<train_state> resume;  // continue from this state (its fingerprint must match)
    bool quiet = false;                 // no progress lines
    std::FILE* log = stdout;            // where rank 0 prints progress
};

struct train_result {
    rnn_weights weights;                                 // trained, with task description and provenance
    std::vector<double> loss_history, accuracy_history;  // per iteration, from iteration 1 (also before a resume)
    double eval_loss = 0.0, eval_accuracy = 0.0;         // on cfg.eval_trials held-out trials
    std::int64_t iterations = 0;                         // done in total
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
