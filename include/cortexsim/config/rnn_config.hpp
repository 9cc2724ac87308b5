#pragma once
// The `model.rnn` section of a config (circuit: rnn; docs/rnn.md). Called by parse_config.
#include <yaml-cpp/yaml.h>

#include <string>

#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// Fills m.rnn, m.areas (the units u0000..), m.projections (a -> rec through W_rec) and m.data_files (the
/// weights file). Throws config_error / data_error with one line naming origin, the key and the value.
void parse_rnn_model(const YAML::Node& rnn, const std::string& origin, const std::string& base_dir, model_spec& m);

}  // namespace cortexsim
