#pragma once
// YAML config -> model_spec. Every unknown key is an error; `--set a.b=v` overrides any value.
// Reference: docs/config.md.
#include <string>
#include <vector>

#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// Loads and validates a config file, applying `key=value` overrides (dotted paths; list items by index).
/// Reads the area table named in the config (data paths are relative to the config file's folder).
/// Throws config_error or data_error with a one-line message naming the file and key.
model_spec load_config(const std::string& path, const std::vector<std::string>& overrides = {});

/// Same, from YAML text; `origin` names the text in messages and `base_dir` resolves data paths.
model_spec parse_config(const std::string& yaml_text, const std::string& origin, const std::string& base_dir,
                        const std::vector<std::string>& overrides = {});

}  // namespace cortexsim
