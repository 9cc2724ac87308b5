#pragma once
// The `model.rnn` section of a config (circuit: rnn; docs/rnn_runtime.md). Called by parse_config.
#include <yaml-cpp/yaml.h>

#include <string>

#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// Reads `model.rnn` (the node of that key; `origin` names the config in messages, `base_dir` resolves the
/// weights path) and fills
///   m.rnn          the network (rnn_spec: kind, sizes, readout, init parameters, task, trials);
///   m.areas        the units "u0".."u<N-1>" (zero-padded to equal width), hierarchy 0;
///   m.projections  one projection "recurrent": variable a -> channel rec through matrix "W_rec";
///   m.data_files   the weights file (key model.rnn.weights, path, SHA-256, content).
/// A weights file is checked here (attributes, shapes, every value of W_in, b, tau_ms, W_out, b_out, and of
/// W_rec up to 4096 units; larger W_rec are checked row block by row block by the ranks that read them).
/// run.dt_ms and run.t_end_ms are checked later by the circuit (rnn_circuit). Throws config_error /
/// data_error with one line naming origin, the dotted key and the value.
void parse_rnn_model(const YAML::Node& rnn, const std::string& origin, const std::string& base_dir, model_spec& m);

}  // namespace cortexsim
