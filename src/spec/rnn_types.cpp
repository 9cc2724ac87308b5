#include "cortexsim/spec/rnn_types.hpp"

namespace cortexsim::rnn {

std::string to_string(rnn_kind k) { return k == rnn_kind::vanilla ? "vanilla" : "leaky"; }
std::string to_string(activation_kind k) {
    switch (k) {
        case activation_kind::relu: return "relu";
        case activation_kind::tanh: return "tanh";
        case activation_kind::sigmoid: return "sigmoid";
        case activation_kind::softplus: return "softplus";
    }
    return "?";
}
std::string to_string(readout_kind k) {
    switch (k) {
        case readout_kind::identity: return "identity";
        case readout_kind::sigmoid: return "sigmoid";
        case readout_kind::softmax: return "softmax";
    }
    return "?";
}
std::string to_string(loss_kind k) { return k == loss_kind::cross_entropy ? "cross_entropy" : "mse"; }

bool parse(const std::string& s, rnn_kind& out) {
    if (s == "vanilla")
        out = rnn_kind::vanilla;
    else if (s == "leaky")
        out = rnn_kind::leaky;
    else
        return false;
    return true;
}
bool parse(const std::string& s, activation_kind& out) {
    if (s == "relu")
        out = activation_kind::relu;
    else if (s == "tanh")
        out = activation_kind::tanh;
    else if (s == "sigmoid")
        out = activation_kind::sigmoid;
    else if (s == "softplus")
        out = activation_kind::softplus;
    else
        return false;
    return true;
}
bool parse(const std::string& s, readout_kind& out) {
    if (s == "identity")
        out = readout_kind::identity;
    else if (s == "sigmoid")
        out = readout_kind::sigmoid;
    else if (s == "softmax")
        out = readout_kind::softmax;
    else
        return false;
    return true;
}
bool parse(const std::string& s, loss_kind& out) {
    if (s == "cross_entropy")
        out = loss_kind::cross_entropy;
    else if (s == "mse")
        out = loss_kind::mse;
    else
        return false;
    return true;
}

}  // namespace cortexsim::rnn
