#pragma once
// The YAML training config of recurrent networks (docs/rnn.md): the same reader as run configs (every unknown key
// is an error, messages are one line "FILE: 'dotted.key' ...", `--set` overrides any value, list items by index).
#include <string>
#include <vector>

#include "cortexsim/rnn/train.hpp"

namespace cortexsim {

/// Reads a training config; overrides are "dotted.key=value" (YAML value). Throws config_error with one line
/// "FILE: 'dotted.key' ...".
rnn::train_config load_train_config(const std::string& path, const std::vector<std::string>& overrides = {});
/// Same, from YAML text; `origin` names the text in messages.
rnn::train_config parse_train_config(const std::string& yaml_text, const std::string& origin,
                                     const std::vector<std::string>& overrides = {});

}  // namespace cortexsim
