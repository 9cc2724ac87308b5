#pragma once
// The kinds of AI-style recurrent networks (docs/rnn.md): plain names shared by the spec (circuit rnn), the
// RNN core (network, trainer) and the weights files.
#include <string>

namespace cortexsim::rnn {

enum class rnn_kind { vanilla, leaky };
enum class activation_kind { relu, tanh, sigmoid, softplus };
enum class readout_kind { identity, sigmoid, softmax };
enum class loss_kind { cross_entropy, mse };

std::string to_string(rnn_kind k);
std::string to_string(activation_kind k);
std::string to_string(readout_kind k);
std::string to_string(loss_kind k);
/// Parse the names above; false if unknown.
bool parse(const std::string& s, rnn_kind& out);
bool parse(const std::string& s, activation_kind& out);
bool parse(const std::string& s, readout_kind& out);
bool parse(const std::string& s, loss_kind& out);

}  // namespace cortexsim::rnn
