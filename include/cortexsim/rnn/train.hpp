#pragma once
// The configuration of RNN training (docs/rnn.md): plain values the config layer fills
// (config/train_config.hpp) and the trainer (app/train.hpp) uses.
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
    std::vector<std::string> overrides;                   // --set key=value
    std::string resolved;                                 // every resolved value, one section per line
    std::string fingerprint;  // SHA-256 of the values that determine the trajectory (not iterations, output, ...)

    std::shared_ptr<const rnn::task> task_ptr;  // the task (generator)
    init_params network;                        // n_in, n_out from the task

    loss_kind loss = loss_kind::cross_entropy;
    std::int64_t batch = 32;
    std::int64_t iterations = 500;
    double learning_rate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
    double clip_norm = 1.0;            // global-norm clipping; <= 0: none
    std::int64_t progress_every = 50;  // progress line every K iterations (rank 0)
    std::int64_t eval_trials = 256;    // held-out trials evaluated at the end
    double stop_accuracy = 0.0;        // > 0: stop at a progress line once the mean batch accuracy since the last
                                       // one and the accuracy on eval_trials validation trials reach it

    std::string checkpoint_path;        // default <output>.ckpt
    std::int64_t checkpoint_every = 0;  // iterations; 0: no checkpoints
    bool checkpoint_keep = false;       // keep the last checkpoint after the weights are written (to train on)
    std::string output_path;            // weights file
};

// The config layer reads it: load_train_config / parse_train_config in cortexsim/config/train_config.hpp.

}  // namespace cortexsim::rnn
