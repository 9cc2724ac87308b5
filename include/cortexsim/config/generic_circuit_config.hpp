#pragma once
// model.populations and model.local of a config with `circuit: generic` -> model_spec::generic.
// Schema: docs/models.md ("generic"). Every unknown key, wrong type, unknown population / gate / gradient name
// and invalid value throws config_error with one line naming the file, the dotted key and the value.
#include <string>

#include <yaml-cpp/yaml.h>

#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// Fills m.generic (and m.populations with the population names, in config order) from the nodes of
/// `model.populations` (required: a map name -> population) and `model.local` (optional: weights and
/// input channels). Gradients named there must already be in m.gradients. `origin` (the config file) is
/// used in messages.
void parse_generic_circuit(const YAML::Node& populations_node, const YAML::Node& local_node, const std::string& origin,
                           model_spec& m);

}  // namespace cortexsim
