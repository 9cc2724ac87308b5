#pragma once
// Checkpoints of RNN training (cortexsim train; docs/rnn.md): Boost.Serialization binary archive in the checked
// envelope of checkpoint.hpp ("CORTEXSIM-RNN-CHECKPOINT 1", payload length and SHA-256; written atomically by
// rank 0): iteration, parameters, Adam moments, loss and accuracy history and the fingerprint of the training
// configuration.
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace cortexsim::rnn {

/// The state saved in a checkpoint.
struct train_state {
    std::string fingerprint;
    std::int64_t iteration = 0;                          // optimiser steps done
    std::vector<double> params, adam_m, adam_v;          // flat (get_params order)
    std::vector<double> loss_history, accuracy_history;  // per iteration (batch values)
    bool stopped = false;                                // stop_accuracy reached
    double wall_s = 0.0;                                 // training wall time so far
    std::int32_t ranks_at_save = 0;                      // informational

    // clang-format off  (Boost.Serialization's "ar & x")
    template <class Archive>
    void serialize(Archive& ar, const unsigned int /*version*/) {
        ar& fingerprint& iteration& params& adam_m& adam_v& loss_history& accuracy_history& stopped& wall_s;
        ar& ranks_at_save;
    }
    // clang-format on
};

/// Writes atomically ("<path>.tmp", fsync, rename); throws io_error.
void write_train_checkpoint(const std::string& path, const train_state& s);
/// Reads and verifies (header, length, SHA-256, archive); throws data_error naming the file and the problem.
train_state read_train_checkpoint(const std::string& path);

/// The verified payload of a training checkpoint (to read it on one rank and broadcast the bytes), and the
/// state it encodes; data_error naming the file (`where`) and the problem.
std::string read_train_checkpoint_payload(const std::string& path);
train_state decode_train_checkpoint(const std::string& payload, const std::string& where);

}  // namespace cortexsim::rnn

BOOST_CLASS_VERSION(cortexsim::rnn::train_state, 1)
