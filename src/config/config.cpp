// YAML -> model_spec: parse_config reads the sections in order (config_sections.hpp), sweep_points expands the
// `sweep:` section. Reference: docs/config.md.
#include "cortexsim/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config_sections.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/config/generic_circuit_config.hpp"
#include "cortexsim/config/rnn_config.hpp"
#include "cortexsim/dynamics/circuit.hpp"
#include "yaml_reader.hpp"

namespace cortexsim {
namespace {

namespace fs = std::filesystem;
using namespace config_sections;

/// Prefixes an error of the circuit catalogue with the file, the model and the circuit type.
[[noreturn]] void circuit_failed(const model_spec& m, const std::exception& e) {
    throw config_error(m.config_path + ": model '" + m.name + "' (circuit " + m.circuit + "): " + e.what());
}

/// The `model` section: fills m (areas, vectors and gradients, parameters, connectivity, projections) and
/// returns the names the circuit declares (variables, recorded populations, channels, ports, modulators).
circuit_names read_model(const section& top, const std::string& base_dir, model_spec& m) {
    const section model = top.sub("model");
    read_model_head(model, m);
    const bool linear = m.circuit == "linear_ei";
    if (m.circuit == "rnn")
        parse_rnn_model(model.at("rnn").node(), m.config_path, base_dir, m);
    else
        m.areas = read_areas(model, base_dir, m.data_files);
    const std::vector<data_vector> vectors = read_vectors(model, m.areas, base_dir, m.data_files);
    m.gradients = read_gradients(model, vectors);
    const bool generic_form = model.has("projections") || !linear;
    if (linear) {
        linear_parameters p = read_linear_parameters(model, generic_form, m);
        m.params = p.params;
        m.param_gradients = std::move(p.gradients);
    } else {
        m.circuit_params = read_circuit_parameters(model, m.circuit);
        if (m.circuit == "generic") {
            if (!model.has("populations"))
                throw config_error(m.config_path + ": missing " +
                                   (model.at("populations").node().IsDefined() ? "value for " : "") +
                                   "required key 'model.populations' (circuit: generic)");
            parse_generic_circuit(model.at("populations").node(), model.at("local").node(), m.config_path, m);
        } else if (m.circuit == "equations") {
            read_equations(model, vectors, m);
        }
    }
    circuit_names names;
    try {
        names = describe_circuit(m);
    } catch (const std::exception& e) {
        circuit_failed(m, e);
    }
    if (!linear) m.populations = names.recorded;
    m.connectivity = read_connectivity(model, generic_form, m.areas, base_dir, m.data_files);
    if (m.circuit == "rnn") {
        // set by parse_rnn_model: the recurrent projection a -> rec through W_rec
    } else if (!generic_form) {
        compact_form f = compact_projections(m);
        m.gradients.push_back(std::move(f.gradient));
        m.param_gradients.insert(m.param_gradients.end(), f.gradients.begin(), f.gradients.end());
        m.projections = std::move(f.projections);
    } else {
        m.projections = read_projections(model, m, names);
    }
    return names;
}

/// SHA-256 of what determines the rates: the resolved config without output, checkpoint and sweep, with every
/// data file named by its content instead of its path.
std::string fingerprint_of(const YAML::Node& root, const std::vector<data_file>& files, const std::string& origin) {
    YAML::Node copy = YAML::Clone(root);
    for (const char* k : {"output", "checkpoint", "sweep"}) copy.remove(k);
    for (const auto& f : files)
        yaml_reader::set_path(copy, f.key, YAML::Node("sha256:" + f.sha256), "--set '" + f.key + "'", origin);
    YAML::Emitter e;
    e << copy;
    sha256 h;
    h.update(std::string(e.c_str()));
    for (const auto& f : files) h.update("\n" + f.key + "=" + f.sha256);
    return h.hex();
}

}  // namespace

model_spec parse_config(const std::string& yaml_text, const std::string& origin, const std::string& base_dir,
                        const std::vector<std::string>& overrides) {
    YAML::Node root = yaml_reader::load(yaml_text, origin);
    if (!root.IsMap()) throw config_error(origin + ": the top level must be a map of sections");
    yaml_reader::apply_overrides(root, overrides, origin, "run.dt_ms=0.2");

    model_spec m;
    m.config_path = origin;
    m.config_text = yaml_text;
    m.overrides = overrides;
    {
        YAML::Emitter e;
        e << root;
        m.resolved_yaml = e.c_str();
    }

    const section top(root, "", origin);
    top.only({"model", "stimuli", "task_stimuli", "perturbations", "run", "output", "analysis", "monitors",
              "checkpoint", "sweep"});
    const circuit_names names = read_model(top, base_dir, m);
    run_section run = read_run(top, m);
    m.run = run.run;
    m.partition_method = std::move(run.partition_method);
    if (m.connectivity.synthetic.defined && m.partition_method == "graph")
        throw config_error(m.config_path + ": 'run.partition' = 'graph' needs the matrices in memory; a synthetic "
                                           "cortex is already numbered along its sheet (use block)");
    check_delays(m);
    m.stimuli = read_stimuli(top, m, names);
    for (auto& s : read_task_stimuli(top, m, names, base_dir, m.data_files)) m.stimuli.push_back(std::move(s));
    m.perturbations = read_perturbations(top, m, names);
    m.output = read_output(top);
    m.analysis = read_analysis(top, m);
    m.monitors = read_monitors(top, m, names, base_dir, m.data_files);
    m.checkpoint = read_checkpoint(top, m.run);
    check_sweep_keys(top);
    // the circuit checks its parameters against each other and against run.dt_ms
    try {
        check_circuit(m);
    } catch (const std::exception& e) {
        circuit_failed(m, e);
    }
    m.fingerprint = fingerprint_of(root, m.data_files, origin);
    return m;
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error(path + ": cannot read file");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<sweep_point> sweep_points(const std::string& config_path, const std::vector<std::string>& overrides) {
    YAML::Node root = yaml_reader::load(read_text_file(config_path), config_path);
    std::vector<sweep_point> points;
    if (!root.IsMap()) return points;
    yaml_reader::apply_overrides(root, overrides, config_path, "sweep.mode=list");
    const section sw = section(root, "", config_path).sub("sweep");
    if (!sw.present()) return points;
    sw.only({"mode", "parameters"});
    const std::string mode = sw.text("mode", "grid");
    if (mode != "grid" && mode != "list")
        throw config_error(config_path + ": 'sweep.mode' = '" + mode + "' (allowed: grid, list)");
    const value params = sw.at("parameters");
    if (!params.is_map() || params.node().size() == 0)
        throw config_error(config_path + ": 'sweep.parameters' must map parameter keys to lists of values");
    std::vector<std::string> keys;
    std::vector<std::vector<std::string>> values;
    for (const auto& [k, list] : params.map().entries()) {
        if (!list.is_list() || list.node().size() == 0)
            throw config_error(config_path + ": 'sweep.parameters." + k + "' must be a non-empty list");
        keys.push_back(k);
        values.emplace_back();
        for (const value& v : list.items()) {
            if (!v.is_scalar())
                throw config_error(config_path + ": 'sweep.parameters." + k + "' values must be scalars");
            values.back().push_back(v.text());
        }
    }
    auto name_of = [&](const std::vector<std::size_t>& idx) {
        std::string n;
        for (std::size_t p = 0; p < keys.size(); ++p) {
            const auto dot = keys[p].rfind('.');
            std::string part = (dot == std::string::npos ? keys[p] : keys[p].substr(dot + 1)) + "=" + values[p][idx[p]];
            for (char& c : part)
                if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '=' || c == '.' || c == '-' || c == '+'))
                    c = '_';
            n += (n.empty() ? "" : "_") + part;
        }
        return n;
    };
    auto make = [&](const std::vector<std::size_t>& idx) {
        sweep_point pt;
        pt.name = name_of(idx);
        for (std::size_t p = 0; p < keys.size(); ++p) pt.overrides.push_back(keys[p] + "=" + values[p][idx[p]]);
        points.push_back(pt);
    };
    if (mode == "list") {
        for (std::size_t p = 1; p < keys.size(); ++p)
            if (values[p].size() != values[0].size())
                throw config_error(config_path + ": sweep mode list needs lists of the same length ('" + keys[0] +
                                   "' has " + std::to_string(values[0].size()) + ", '" + keys[p] + "' has " +
                                   std::to_string(values[p].size()) + ")");
        for (std::size_t i = 0; i < values[0].size(); ++i) make(std::vector<std::size_t>(keys.size(), i));
    } else {
        std::vector<std::size_t> idx(keys.size(), 0);
        while (true) {
            make(idx);
            std::size_t p = keys.size();
            while (p > 0) {
                --p;
                if (++idx[p] < values[p].size()) break;
                idx[p] = 0;
                if (p == 0) return points;
            }
        }
    }
    return points;
}

std::string sweep_output_path(const std::string& base_output, const sweep_point& p) {
    const fs::path b(base_output);
    return (b.parent_path() / (b.stem().string() + "_" + p.name + ".h5")).string();
}

model_spec load_config(const std::string& path, const std::vector<std::string>& overrides) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw config_error(path + ": config file does not exist");
    const std::string base = fs::path(path).parent_path().string();
    return parse_config(read_text_file(path), path, base.empty() ? "." : base, overrides);
}

}  // namespace cortexsim
