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

/// One point of a config's `sweep:` section: its name (used in output file names) and its overrides.
struct sweep_point {
    std::string name;
    std::vector<std::string> overrides;
};

/// The points of the `sweep:` section of a config file (empty if it has none), after the `--set` overrides (so
/// `--set sweep.mode=list` or `--set 'sweep.parameters={model.parameters.eta: [0.2, 0.4]}'` change the sweep).
/// Modes: grid (cartesian product, last parameter fastest) and list (all lists of the same length, taken together).
std::vector<sweep_point> sweep_points(const std::string& config_path, const std::vector<std::string>& overrides = {});

/// The output path of a sweep point: "<stem>_<point name>.h5" next to `base_output`.
std::string sweep_output_path(const std::string& base_output, const sweep_point& p);

/// Reads a whole text file; throws config_error naming it.
std::string read_text_file(const std::string& path);

}  // namespace cortexsim
