#include "cortexsim/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/connectivity/csv.hpp"
#if __has_include("cortexsim/config/rnn_config.hpp")
#include "cortexsim/config/rnn_config.hpp"
#define CORTEXSIM_HAVE_RNN_CONFIG 1
#endif
#if __has_include("cortexsim/config/generic_circuit_config.hpp")
#include "cortexsim/config/generic_circuit_config.hpp"
#define CORTEXSIM_HAVE_GENERIC_CONFIG 1
#endif
#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/rnn/tasks.hpp"
#include "cortexsim/rnn/weights.hpp"
#include "cortexsim/io/h5_read.hpp"

namespace cortexsim {
namespace {

namespace fs = std::filesystem;

/// A view of one YAML map that remembers its dotted path and checks keys.
class section {
public:
    section(YAML::Node node, std::string path, const std::string& origin)
        : node_(std::move(node)), path_(std::move(path)), origin_(origin) {
        if (node_ && !node_.IsNull() && !node_.IsMap())
            throw config_error(origin_ + ": '" + display() + "' must be a map of keys");
    }

    /// Rejects every key not in `allowed`.
    void only(std::initializer_list<const char*> allowed) const {
        if (!node_ || !node_.IsMap()) return;
        for (const auto& kv : node_) {
            const std::string k = kv.first.as<std::string>();
            bool ok = false;
            for (const char* a : allowed) ok = ok || k == a;
            if (!ok) {
                std::string list;
                for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
                throw config_error(origin_ + ": unknown key '" + key(k) + "' (allowed here: " + list + ")");
            }
        }
    }

    bool has(const char* k) const { return node_ && node_.IsMap() && node_[k]; }

    std::string key(const std::string& k) const { return path_.empty() ? k : path_ + "." + k; }
    std::string display() const { return path_.empty() ? "(top level)" : path_; }

    section sub(const char* k) const { return section(has(k) ? node_[k] : YAML::Node(), key(k), origin_); }
    YAML::Node raw(const char* k) const { return has(k) ? node_[k] : YAML::Node(); }

    double number(const char* k, double def) const {
        if (!has(k)) return def;
        return to_number(node_[k], key(k));
    }
    double required_number(const char* k) const {
        if (!has(k)) throw config_error(origin_ + ": missing required key '" + key(k) + "'");
        return to_number(node_[k], key(k));
    }
    std::string text(const char* k, const std::string& def) const {
        if (!has(k)) return def;
        const YAML::Node n = node_[k];
        if (!n.IsScalar()) throw config_error(origin_ + ": '" + key(k) + "' must be a string");
        return n.as<std::string>();
    }
    std::string required_text(const char* k) const {
        if (!has(k)) throw config_error(origin_ + ": missing required key '" + key(k) + "'");
        return text(k, "");
    }

    double to_number(const YAML::Node& n, const std::string& full) const {
        if (!n.IsScalar()) throw config_error(origin_ + ": '" + full + "' must be a number");
        double v = 0;
        const std::string s = n.as<std::string>();
        try {
            v = n.as<double>();
        } catch (const YAML::Exception&) {
            throw config_error(origin_ + ": '" + full + "' = '" + s + "' is not a number");
        }
        if (!std::isfinite(v)) throw config_error(origin_ + ": '" + full + "' = " + s + " is not finite");
        return v;
    }

    const std::string& origin() const { return origin_; }

private:
    YAML::Node node_;
    std::string path_;
    const std::string& origin_;
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

void set_path(YAML::Node node, const std::vector<std::string>& parts, std::size_t i, const YAML::Node& value,
              const std::string& kv, const std::string& origin) {
    const std::string& p = parts[i];
    const bool last = i + 1 == parts.size();
    if (p.empty()) throw config_error("--set '" + kv + "': empty key component");
    if (node.IsSequence()) {
        std::size_t idx = 0;
        try {
            idx = static_cast<std::size_t>(std::stoul(p));
        } catch (...) {
            throw config_error("--set '" + kv + "': '" + p + "' must be a list index");
        }
        if (idx > node.size())
            throw config_error("--set '" + kv + "': index " + p + " is out of range (" + origin + " has " +
                               std::to_string(node.size()) + " items there; index " + std::to_string(node.size()) +
                               " appends one)");
        if (idx == node.size()) node.push_back(last ? value : YAML::Node(YAML::NodeType::Map));  // append
        if (last)
            node[idx] = value;
        else
            set_path(node[idx], parts, i + 1, value, kv, origin);
        return;
    }
    if (!node.IsMap() && !node.IsNull())
        throw config_error("--set '" + kv + "': '" + p + "' is below a value, not a map");
    if (last) {
        node[p] = value;
        return;
    }
    if (!node[p] || node[p].IsNull()) {
        // a missing list is created when the next component is an index: --set perturbations.0.kind=silence
        const std::string& next = parts[i + 1];
        const bool index = !next.empty() && next.find_first_not_of("0123456789") == std::string::npos;
        node[p] = YAML::Node(index ? YAML::NodeType::Sequence : YAML::NodeType::Map);
    }
    set_path(node[p], parts, i + 1, value, kv, origin);
}

void apply_override(YAML::Node& root, const std::string& kv, const std::string& origin) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
        throw config_error("--set '" + kv + "': expected key=value (for example run.dt_ms=0.2)");
    YAML::Node v;
    try {
        v = YAML::Load(kv.substr(eq + 1));
    } catch (const YAML::Exception& e) {
        throw config_error("--set '" + kv + "': value is not valid YAML: " + e.msg);
    }
    set_path(root, split(kv.substr(0, eq), '.'), 0, v, kv, origin);
}

std::int64_t steps_of(double ms, double dt_ms, const std::string& origin, const std::string& key) {
    const double q = ms / dt_ms;
    const double r = std::round(q);
    if (std::fabs(q - r) > 1e-9 * std::max(1.0, std::fabs(q)))
        throw config_error(origin + ": '" + key + "' = " + std::to_string(ms) +
                           " ms is not a whole number of time steps (run.dt_ms = " + std::to_string(dt_ms) + ")");
    return static_cast<std::int64_t>(r);
}

std::string resolve(const std::string& base_dir, const std::string& p) {
    fs::path q(p);
    if (q.is_absolute() || base_dir.empty()) return q.lexically_normal().string();
    return (fs::path(base_dir) / q).lexically_normal().string();
}

std::string existing_file(const section& s, const char* k, const std::string& base_dir) {
    const std::string rel = s.required_text(k);
    const std::string p = resolve(base_dir, rel);
    std::error_code ec;
    if (!fs::is_regular_file(p, ec))
        throw data_error(s.origin() + ": '" + s.key(k) + "' names data file '" + p + "', which does not exist");
    return p;
}

void record_data_file(std::vector<data_file>& files, const std::string& key, const std::string& path) {
    data_file f;
    f.key = key;
    f.path = path;
    f.content = read_text_file(path);
    f.sha256 = sha256::of(f.content);
    files.push_back(std::move(f));
}

area_table load_areas(const section& s, const std::string& base_dir, std::vector<data_file>& files) {
    s.only({"file", "name_column", "hierarchy_column", "hierarchy_normalisation"});
    const std::string path = existing_file(s, "file", base_dir);
    record_data_file(files, s.key("file"), path);
    const csv_table t = read_csv(path);
    const std::string name_col = s.text("name_column", "area");
    const std::string hier_col = s.text("hierarchy_column", "hier_raw");
    const std::string norm = s.text("hierarchy_normalisation", "max");
    if (norm != "max" && norm != "none")
        throw config_error(s.origin() + ": '" + s.key("hierarchy_normalisation") + "' = '" + norm +
                           "' (allowed: max, none)");
    const std::size_t cn = t.column(name_col), ch = t.column(hier_col);
    area_table a;
    std::set<std::string> seen;
    for (std::size_t r = 0; r < t.cells.size(); ++r) {
        const std::string& n = t.cells[r][cn];
        if (n.empty()) throw data_error(path + ": row " + std::to_string(r + 2) + ": empty area name");
        if (!seen.insert(n).second) throw data_error(path + ": area '" + n + "' is listed twice");
        a.names.push_back(n);
        a.hierarchy.push_back(t.number(r, ch));
    }
    if (norm == "max") {
        double mx = 0.0;
        for (double h : a.hierarchy) mx = std::max(mx, h);
        if (!(mx > 0.0)) throw data_error(path + ": column '" + hier_col + "' has no positive value to normalise by");
        for (double& h : a.hierarchy) h = h / mx;
    }
    return a;
}

void check_positive(const section& s, const char* k, double v) {
    if (!(v > 0.0)) throw config_error(s.origin() + ": '" + s.key(k) + "' = " + std::to_string(v) + " must be > 0");
}

}  // namespace

model_spec parse_config(const std::string& yaml_text, const std::string& origin, const std::string& base_dir,
                        const std::vector<std::string>& overrides) {
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::Exception& e) {
        throw config_error(origin + ": not valid YAML (line " + std::to_string(e.mark.line + 1) + "): " + e.msg);
    }
    if (!root.IsMap()) throw config_error(origin + ": the top level must be a map of sections");
    for (const auto& kv : overrides) apply_override(root, kv, origin);

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
    top.only({"model", "stimuli", "task_stimuli", "perturbations", "run", "output", "analysis", "checkpoint", "sweep"});

    // ---- model
    const section model = top.sub("model");
    model.only({"name", "circuit", "areas", "vectors", "gradients", "parameters", "connectivity", "projections",
                "populations", "local", "rnn"});
    m.name = model.required_text("name");
    m.circuit = model.text("circuit", "linear_ei");
    const bool linear = m.circuit == "linear_ei";
    if (!linear && !find_circuit(m.circuit)) {
        std::string allowed = "linear_ei";
        for (const auto& c : circuit_catalogue()) allowed += ", " + c.type;
        throw config_error(origin + ": '" + model.key("circuit") + "' = '" + m.circuit + "' (allowed: " + allowed + ")");
    }
    if (m.circuit != "generic")
        for (const char* k : {"populations", "local"})
            if (model.has(k))
                throw config_error(origin + ": '" + model.key(k) + "' is only for 'model.circuit: generic'");
    if (m.circuit != "rnn" && model.has("rnn"))
        throw config_error(origin + ": '" + model.key("rnn") + "' is only for 'model.circuit: rnn'");
    if (m.circuit == "rnn") {
        // the units of the network are the "areas" (one population each); W_rec is the coupling matrix
        for (const char* k : {"areas", "vectors", "gradients", "connectivity", "projections"})
            if (model.has(k))
                throw config_error(origin + ": '" + model.key(k) + "' does not apply to 'model.circuit: rnn' (see docs/rnn.md)");
        if (!model.has("rnn")) throw config_error(origin + ": missing required key 'model.rnn' (circuit: rnn)");
#ifdef CORTEXSIM_HAVE_RNN_CONFIG
        parse_rnn_model(model.raw("rnn"), origin, base_dir, m);
#endif
    } else {
        if (!model.has("areas")) throw config_error(origin + ": missing required key 'model.areas'");
        m.areas = load_areas(model.sub("areas"), base_dir, m.data_files);
    }

    // ---- data vectors and gradients (per-area values)
    std::vector<std::pair<std::string, std::vector<double>>> vectors{{"hierarchy", m.areas.hierarchy}};
    {
        const section vs = model.sub("vectors");
        const YAML::Node vn = model.raw("vectors");
        if (model.has("vectors") && vn.IsMap())
            for (const auto& kv : vn) {
                const std::string name = kv.first.as<std::string>();
                const section v(kv.second, vs.key(name), origin);
                v.only({"file", "column", "dataset", "name_column"});
                const std::string path = existing_file(v, "file", base_dir);
                record_data_file(m.data_files, v.key("file"), path);
                std::vector<std::string> names;
                std::vector<double> vals;
                if (v.has("dataset")) {
                    read_h5_vector(path, v.text("dataset", ""), names, vals);
                } else {
                    const csv_table t = read_csv(path);
                    const std::size_t cn = t.column(v.text("name_column", "area")), cv = t.column(v.required_text("column"));
                    for (std::size_t r = 0; r < t.cells.size(); ++r) {
                        names.push_back(t.cells[r][cn]);
                        vals.push_back(t.number(r, cv));
                    }
                }
                std::vector<double> per_area(m.areas.size(), 0.0);
                std::vector<bool> seen(m.areas.size(), false);
                for (std::size_t r = 0; r < names.size(); ++r) {
                    const std::size_t i = m.areas.find(names[r]);
                    if (i == area_table::npos) continue;  // data for areas outside the model are ignored
                    per_area[i] = vals[r];
                    seen[i] = true;
                }
                for (std::size_t i = 0; i < seen.size(); ++i)
                    if (!seen[i])
                        throw data_error(path + ": vector '" + name + "' has no value for area '" + m.areas.names[i] + "'");
                vectors.emplace_back(name, per_area);
            }
    }
    auto find_vector = [&](const std::string& n) -> const std::vector<double>* {
        for (const auto& [k, v] : vectors)
            if (k == n) return &v;
        return nullptr;
    };
    {
        const YAML::Node gn = model.raw("gradients");
        const section gs = model.sub("gradients");
        if (model.has("gradients") && gn.IsMap())
            for (const auto& kv : gn) {
                gradient_spec g;
                g.name = kv.first.as<std::string>();
                const section x(kv.second, gs.key(g.name), origin);
                x.only({"vector", "normalise", "offset", "slope"});
                g.vector = x.required_text("vector");
                g.normalise = x.text("normalise", "none");
                g.offset = x.number("offset", 0.0);
                g.slope = x.number("slope", 1.0);
                const auto* v = find_vector(g.vector);
                if (!v)
                    throw config_error(origin + ": '" + x.key("vector") + "' = '" + g.vector +
                                       "' is not a data vector (hierarchy, or a name under model.vectors)");
                const double mn = *std::min_element(v->begin(), v->end()), mx = *std::max_element(v->begin(), v->end());
                for (double raw : *v) {
                    double u = raw;
                    if (g.normalise == "max") {
                        if (!(mx > 0)) throw config_error(origin + ": '" + x.key("normalise") + "': vector '" + g.vector + "' has no positive maximum");
                        u = raw / mx;
                    } else if (g.normalise == "minmax") {
                        if (!(mx > mn)) throw config_error(origin + ": '" + x.key("normalise") + "': vector '" + g.vector + "' is constant");
                        u = (raw - mn) / (mx - mn);
                    } else if (g.normalise != "none") {
                        throw config_error(origin + ": '" + x.key("normalise") + "' = '" + g.normalise + "' (allowed: none, max, minmax)");
                    }
                    g.values.push_back(g.offset + g.slope * u);
                }
                m.gradients.push_back(std::move(g));
            }
    }
    auto has_gradient = [&](const std::string& n) {
        for (const auto& g : m.gradients)
            if (g.name == n) return true;
        return false;
    };

    // ---- local parameters: a number, or {value: x, gradient: g} for value * g_i per area
    const bool generic = model.has("projections") || !linear;
    // The names a nonlinear circuit offers (variables, input channels, stimulus ports, modulators).
    std::vector<std::string> c_vars, c_channels, c_ports, c_mods;
    if (!linear) {
        const section p = model.sub("parameters");
        const circuit_info& info = *find_circuit(m.circuit);
        const YAML::Node pn = model.raw("parameters");
        if (model.has("parameters") && pn.IsMap())
            for (const auto& kv : pn) {
                const std::string k = kv.first.as<std::string>();
                bool known = false;
                for (const auto& [name, def] : info.defaults) known = known || name == k;
                if (!known) {
                    std::string list;
                    for (const auto& [name, def] : info.defaults) list += (list.empty() ? "" : ", ") + name;
                    throw config_error(origin + ": unknown key '" + p.key(k) + "' (parameters of circuit '" + m.circuit +
                                       "': " + (list.empty() ? "none" : list) + ")");
                }
                m.circuit_params.emplace_back(k, p.to_number(kv.second, p.key(k)));
            }
        if (m.circuit == "generic") {
            if (!model.has("populations"))
                throw config_error(origin + ": missing required key 'model.populations' (circuit: generic)");
#ifdef CORTEXSIM_HAVE_GENERIC_CONFIG
            parse_generic_circuit(model.raw("populations"), model.raw("local"), origin, m);
#endif
        }
        std::unique_ptr<circuit> probe;
        try {
            if (m.circuit == "rnn") {  // the run section is not read yet: probe with the network's own step
                model_spec early = m;
                early.run.dt_ms = m.rnn.dt_ms;
                early.run.n_steps = 0;
                probe = make_circuit(early, 0, 0);
            } else {
                probe = make_circuit(m, 0, 0);
            }
        } catch (const std::exception& e) {
            throw config_error(origin + ": model '" + m.name + "' (circuit " + m.circuit + "): " + e.what());
        }
        c_vars = probe->variables();
        c_channels = probe->input_channels();
        c_ports = probe->stimulus_ports();
        c_mods = probe->modulators();
        m.populations.clear();
        for (std::size_t v : probe->recorded()) m.populations.push_back(c_vars[v]);
    }
    auto one_of = [&](const std::vector<std::string>& list, const section& x, const char* k, const std::string& what) {
        const std::string v = x.required_text(k);
        auto it = std::find(list.begin(), list.end(), v);
        if (it == list.end()) {
            std::string l;
            for (const auto& n : list) l += (l.empty() ? "" : ", ") + n;
            throw config_error(origin + ": '" + x.key(k) + "' = '" + v + "' is not " + what + " of circuit '" +
                               m.circuit + "' (allowed: " + l + ")");
        }
        return static_cast<std::size_t>(it - list.begin());
    };
    if (linear) {
        const section p = model.sub("parameters");
        p.only({"tau_E_ms", "tau_I_ms", "beta_E", "beta_I", "w_EE", "w_IE", "w_EI", "w_II", "mu_EE", "mu_IE", "eta",
                "r_E_target_hz", "r_I_target_hz", "rate_floor_E_hz", "rate_floor_I_hz"});
        if (generic)
            for (const char* k : {"mu_EE", "mu_IE", "eta"})
                if (p.has(k))
                    throw config_error(origin + ": '" + p.key(k) + "' belongs to the compact form; with 'model.projections' "
                                       "give long-range scales in the projections and gradients under model.gradients");
        linear_ei_params& q = m.params;
        auto par = [&](const char* k, double& target, bool allow_gradient) {
            if (!p.has(k)) return;
            const YAML::Node n = p.raw(k);
            if (n.IsMap()) {
                if (!allow_gradient) throw config_error(origin + ": '" + p.key(k) + "' must be a number");
                const section x(n, p.key(k), origin);
                x.only({"value", "gradient"});
                target = x.required_number("value");
                const std::string g = x.required_text("gradient");
                if (!has_gradient(g))
                    throw config_error(origin + ": '" + x.key("gradient") + "' = '" + g + "' is not a gradient under model.gradients");
                m.param_gradients.emplace_back(k, g);
            } else {
                target = p.number(k, target);
            }
        };
        par("tau_E_ms", q.tau_E_ms, true);
        par("tau_I_ms", q.tau_I_ms, true);
        par("beta_E", q.beta_E, true);
        par("beta_I", q.beta_I, true);
        par("w_EE", q.w_EE, true);
        par("w_IE", q.w_IE, true);
        par("w_EI", q.w_EI, true);
        par("w_II", q.w_II, true);
        par("mu_EE", q.mu_EE, false);
        par("mu_IE", q.mu_IE, false);
        par("eta", q.eta, false);
        par("r_E_target_hz", q.r_E_target_hz, false);
        par("r_I_target_hz", q.r_I_target_hz, false);
        par("rate_floor_E_hz", q.rate_floor_E_hz, false);
        par("rate_floor_I_hz", q.rate_floor_I_hz, false);
        check_positive(p, "tau_E_ms", q.tau_E_ms);
        check_positive(p, "tau_I_ms", q.tau_I_ms);
        check_positive(p, "beta_E", q.beta_E);
        check_positive(p, "beta_I", q.beta_I);
        for (const auto& [k, g] : m.param_gradients)
            if (k == std::string("tau_E_ms") || k == std::string("tau_I_ms") || k == std::string("beta_E") ||
                k == std::string("beta_I"))
                for (double v : gradient_values(m, g))
                    if (!(v > 0))
                        throw config_error(origin + ": gradient '" + g + "' makes 'model.parameters." + k + "' <= 0 in some area");
    }

    // ---- connectivity: named matrices (CSV or HDF5), delays
    {
        const section c = model.sub("connectivity");
        c.only({"fln", "matrices", "delays"});
        auto load_matrix = [&](const std::string& name, const YAML::Node& n, const std::string& key) {
            area_matrix am;
            am.name = name;
            std::string dataset;
            bool zero_diag = true;
            double max_value = std::numeric_limits<double>::infinity();
            std::string rel;
            if (n.IsScalar()) {
                rel = n.as<std::string>();
            } else {
                const section x(n, key, origin);
                x.only({"file", "dataset", "zero_diagonal", "max"});
                rel = x.required_text("file");
                dataset = x.text("dataset", "");
                zero_diag = x.text("zero_diagonal", "true") == "true";
                max_value = x.number("max", max_value);
            }
            am.path = resolve(base_dir, rel);
            std::error_code ec;
            if (!fs::is_regular_file(am.path, ec))
                throw data_error(origin + ": '" + key + "' names data file '" + am.path + "', which does not exist");
            record_data_file(m.data_files, n.IsScalar() ? key : key + ".file", am.path);
            if (!dataset.empty() || (am.path.size() > 3 && am.path.substr(am.path.size() - 3) == ".h5")) {
                std::vector<std::string> names;
                read_h5_matrix(am.path, dataset.empty() ? "/" + name : dataset, names, am.values);
                const std::string where = am.path + ":" + (dataset.empty() ? "/" + name : dataset);
                if (names != m.areas.names) {
                    for (std::size_t i = 0; i < std::min(names.size(), m.areas.size()); ++i)
                        if (names[i] != m.areas.names[i])
                            throw data_error(where + ": area " + std::to_string(i) + " is '" + names[i] +
                                             "' but the area list has '" + m.areas.names[i] + "' there");
                    throw data_error(where + ": has " + std::to_string(names.size()) + " areas, the area list has " +
                                     std::to_string(m.areas.size()));
                }
                const std::size_t N = names.size();
                for (std::size_t i = 0; i < N; ++i)
                    for (std::size_t j = 0; j < N; ++j) {
                        const double v = am.values[i * N + j];
                        const std::string at = where + ": row '" + names[i] + "' (target), column '" + names[j] + "' (source)";
                        if (!std::isfinite(v)) throw data_error(at + ": value is not finite");
                        if (v < 0) throw data_error(at + ": value " + std::to_string(v) + " is negative");
                        if (zero_diag && i == j && v != 0) throw data_error(at + ": diagonal value must be 0");
                    }
            } else {
                matrix_checks checks;
                checks.zero_diagonal = zero_diag;
                am.values = read_square_matrix_csv(am.path, m.areas.names, checks).values;
            }
            for (std::size_t k = 0; k < am.values.size(); ++k)
                if (am.values[k] > max_value)
                    throw data_error(am.path + ": value " + std::to_string(am.values[k]) + " at row " +
                                     std::to_string(k / m.areas.size()) + ", column " + std::to_string(k % m.areas.size()) +
                                     " exceeds the maximum " + std::to_string(max_value) + " set by '" + key + ".max'");
            m.connectivity.matrices.push_back(std::move(am));
        };
        if (c.has("fln")) load_matrix("fln", c.raw("fln"), c.key("fln"));
        const YAML::Node mats = c.raw("matrices");
        if (c.has("matrices")) {
            if (!mats.IsMap()) throw config_error(origin + ": '" + c.key("matrices") + "' must map names to files");
            for (const auto& kv : mats) {
                const std::string name = kv.first.as<std::string>();
                if (m.connectivity.find(name))
                    throw config_error(origin + ": matrix '" + name + "' is given twice");
                load_matrix(name, kv.second, c.key("matrices") + "." + name);
            }
        }
        if (!m.connectivity.find("fln") && !generic)
            throw config_error(origin + ": missing required key 'model.connectivity.fln'");
        if (const auto* f = m.connectivity.find("fln")) m.connectivity.fln_path = f->path;
        if (c.has("delays")) {
            const section d = c.sub("delays");
            d.only({"distance", "velocity_m_per_s"});
            m.connectivity.delays.distance_matrix = d.required_text("distance");
            m.connectivity.delays.velocity_m_per_s = d.required_number("velocity_m_per_s");
            if (!m.connectivity.find(m.connectivity.delays.distance_matrix))
                throw config_error(origin + ": '" + d.key("distance") + "' = '" + m.connectivity.delays.distance_matrix +
                                   "' is not a matrix under model.connectivity");
            check_positive(d, "velocity_m_per_s", m.connectivity.delays.velocity_m_per_s);
        }
    }

    // ---- projections (compact form: E->E and E->I through FLN, scaled by mu and 1 + eta h_i)
    if (m.circuit == "rnn") {
        // set by parse_rnn_model: the recurrent projection a -> rec through W_rec
    } else if (!generic) {
        gradient_spec g;
        g.name = "hierarchy_scaling";
        g.vector = "hierarchy";
        g.offset = 1.0;
        g.slope = m.params.eta;
        for (double h : m.areas.hierarchy) g.values.push_back(1.0 + m.params.eta * h);
        m.gradients.push_back(g);
        m.param_gradients.emplace_back("w_EE", g.name);
        m.param_gradients.emplace_back("w_IE", g.name);
        projection_spec ee, ie;
        ee.name = "E_to_E";
        ee.source = 0;
        ee.target = 0;
        ee.scale = m.params.mu_EE;
        ee.gradient = g.name;
        ie = ee;
        ie.name = "E_to_I";
        ie.target = 1;
        ie.scale = m.params.mu_IE;
        m.projections = {ee, ie};
    } else {
        const YAML::Node pn = (!linear && !model.has("projections")) ? YAML::Node(YAML::NodeType::Sequence)
                                                                      : model.raw("projections");
        if (linear && (!pn.IsSequence() || pn.size() == 0)) throw config_error(origin + ": 'model.projections' must be a non-empty list");
        auto pop_index = [&](const section& x, const char* k) {
            const std::string v = x.required_text(k);
            auto it = std::find(m.populations.begin(), m.populations.end(), v);
            if (it == m.populations.end())
                throw config_error(origin + ": '" + x.key(k) + "' = '" + v + "' is not a population (allowed: E, I)");
            return static_cast<std::size_t>(it - m.populations.begin());
        };
        for (std::size_t i = 0; i < pn.size(); ++i) {
            const section x(pn[i], "model.projections." + std::to_string(i), origin);
            x.only({"name", "source", "target", "matrix", "power", "normalise_rows", "scale", "sln", "sln_matrix", "gradient"});
            projection_spec pr;
            pr.name = x.text("name", "projection" + std::to_string(i));
            pr.source = linear ? pop_index(x, "source") : one_of(c_vars, x, "source", "a variable");
            pr.target = linear ? pop_index(x, "target") : one_of(c_channels, x, "target", "an input channel");
            pr.matrix = x.text("matrix", "fln");
            pr.power = x.number("power", 1.0);
            const std::string nr = x.text("normalise_rows", "false");
            if (nr != "true" && nr != "false") throw config_error(origin + ": '" + x.key("normalise_rows") + "' must be true or false");
            pr.normalise_rows = nr == "true";
            pr.scale = x.number("scale", 1.0);
            pr.sln = x.text("sln", "none");
            pr.sln_matrix = x.text("sln_matrix", "sln");
            pr.gradient = x.text("gradient", "");
            if (!m.connectivity.find(pr.matrix))
                throw config_error(origin + ": '" + x.key("matrix") + "' = '" + pr.matrix + "' is not a matrix under model.connectivity");
            if (pr.sln != "none" && pr.sln != "feedforward" && pr.sln != "feedback")
                throw config_error(origin + ": '" + x.key("sln") + "' = '" + pr.sln + "' (allowed: none, feedforward, feedback)");
            if (pr.sln != "none" && !m.connectivity.find(pr.sln_matrix))
                throw config_error(origin + ": '" + x.key("sln_matrix") + "' = '" + pr.sln_matrix + "' is not a matrix under model.connectivity");
            if (!pr.gradient.empty() && !has_gradient(pr.gradient))
                throw config_error(origin + ": '" + x.key("gradient") + "' = '" + pr.gradient + "' is not a gradient under model.gradients");
            if (!(pr.power > 0)) throw config_error(origin + ": '" + x.key("power") + "' must be > 0");
            m.projections.push_back(pr);
        }
    }

    // ---- run
    {
        const section r = top.sub("run");
        r.only({"t_end_ms", "dt_ms", "record_interval_ms", "integrator", "seed", "partition"});
        m.partition_method = r.text("partition", "block");
        if (m.partition_method != "block" && m.partition_method != "graph")
            throw config_error(origin + ": '" + r.key("partition") + "' = '" + m.partition_method +
                               "' (allowed: block, graph)");
        run_spec& q = m.run;
        q.t_end_ms = r.required_number("t_end_ms");
        q.dt_ms = r.number("dt_ms", q.dt_ms);
        q.record_interval_ms = r.number("record_interval_ms", q.record_interval_ms);
        const double seed = r.number("seed", 0.0);
        if (seed < 0 || seed != std::floor(seed) || seed > 9.007199254740992e15)
            throw config_error(origin + ": '" + r.key("seed") + "' must be a non-negative whole number");
        q.seed = static_cast<std::uint64_t>(seed);
        const std::string integ = r.text("integrator", "euler");
        if (integ == "euler")
            q.integrator = integrator_kind::euler;
        else if (integ == "heun")
            q.integrator = integrator_kind::heun;
        else
            throw config_error(origin + ": '" + r.key("integrator") + "' = '" + integ + "' (allowed: euler, heun)");
        if (!(q.dt_ms > 0.0))
            throw config_error(origin + ": '" + r.key("dt_ms") + "' = " + std::to_string(q.dt_ms) + " must be > 0");
        const double tau_min = std::min(m.params.tau_E_ms, m.params.tau_I_ms);
        if (!linear && q.integrator != integrator_kind::euler)
            throw config_error(origin + ": '" + r.key("integrator") + "' = '" + integ + "': circuit '" + m.circuit +
                               "' is integrated with explicit Euler (Euler-Maruyama with noise) only");
        if (m.circuit == "generic" && m.generic.defined && q.dt_ms >= m.generic.min_tau_ms())
            throw config_error(origin + ": '" + r.key("dt_ms") + "' = " + std::to_string(q.dt_ms) +
                               " ms must be smaller than the smallest time constant of the circuit (" +
                               std::to_string(m.generic.min_tau_ms()) + " ms)");
        if (linear && q.dt_ms >= tau_min)
            throw config_error(origin + ": '" + r.key("dt_ms") + "' = " + std::to_string(q.dt_ms) +
                               " ms must be smaller than the smallest time constant (" + std::to_string(tau_min) +
                               " ms)");
        check_positive(r, "t_end_ms", q.t_end_ms);
        check_positive(r, "record_interval_ms", q.record_interval_ms);
        q.n_steps = steps_of(q.t_end_ms, q.dt_ms, origin, r.key("t_end_ms"));
        q.record_every = steps_of(q.record_interval_ms, q.dt_ms, origin, r.key("record_interval_ms"));
        if (q.record_every < 1)
            throw config_error(origin + ": '" + r.key("record_interval_ms") + "' is shorter than one time step");
    }

    // ---- delays need the time step: every delay must be at least one step
    if (!m.connectivity.delays.distance_matrix.empty()) {
        const area_matrix& dist = *m.connectivity.find(m.connectivity.delays.distance_matrix);
        const std::size_t N = m.areas.size();
        double min_delay = std::numeric_limits<double>::infinity();
        std::string where;
        for (const auto& pr : m.projections) {
            const area_matrix& w = *m.connectivity.find(pr.matrix);
            for (std::size_t i = 0; i < N; ++i)
                for (std::size_t j = 0; j < N; ++j)
                    if (w(N, i, j) != 0.0) {
                        const double d = dist(N, i, j) / m.connectivity.delays.velocity_m_per_s;  // mm / (mm/ms)
                        if (d < min_delay) {
                            min_delay = d;
                            where = m.areas.names[j] + " -> " + m.areas.names[i];
                        }
                    }
        }
        if (min_delay < m.run.dt_ms)
            throw config_error(origin + ": 'run.dt_ms' = " + std::to_string(m.run.dt_ms) +
                               " ms is larger than the minimum conduction delay (" + std::to_string(min_delay) +
                               " ms, " + where + "): use dt_ms <= the minimum delay");
    }

    // ---- stimuli
    {
        const YAML::Node s = top.raw("stimuli");
        if (s && !s.IsNull()) {
            if (!s.IsSequence()) throw config_error(origin + ": 'stimuli' must be a list");
            for (std::size_t i = 0; i < s.size(); ++i) {
                const section st(s[i], "stimuli." + std::to_string(i), origin);
                st.only({"name", "area", "population", "onset_ms", "duration_ms", "amplitude_hz", "amplitude"});
                stimulus_spec x;
                x.name = st.text("name", "stimulus" + std::to_string(i));
                const std::string area = st.required_text("area");
                x.area = m.areas.find(area);
                if (x.area == area_table::npos)
                    throw config_error(origin + ": '" + st.key("area") + "' = '" + area + "' is not an area of the model");
                if (linear) {
                    const std::string pop = st.text("population", "E");
                    auto it = std::find(m.populations.begin(), m.populations.end(), pop);
                    if (it == m.populations.end())
                        throw config_error(origin + ": '" + st.key("population") + "' = '" + pop +
                                           "' is not a population (allowed: E, I)");
                    x.population = static_cast<std::size_t>(it - m.populations.begin());
                } else {
                    x.population = one_of(c_ports, st, "population", "a stimulus port");
                }
                x.onset_ms = st.required_number("onset_ms");
                x.duration_ms = st.required_number("duration_ms");
                if (st.has("amplitude_hz") == st.has("amplitude"))
                    throw config_error(origin + ": '" + st.display() + "' needs exactly one of 'amplitude_hz' (linear_ei) "
                                       "or 'amplitude' (in the input units of the circuit)");
                x.amplitude = st.has("amplitude") ? st.required_number("amplitude") : st.required_number("amplitude_hz");
                if (x.onset_ms < 0) throw config_error(origin + ": '" + st.key("onset_ms") + "' must be >= 0");
                check_positive(st, "duration_ms", x.duration_ms);
                x.onset_step = steps_of(x.onset_ms, m.run.dt_ms, origin, st.key("onset_ms"));
                x.end_step = x.onset_step + steps_of(x.duration_ms, m.run.dt_ms, origin, st.key("duration_ms"));
                for (const auto& other : m.stimuli)
                    if (other.name == x.name)
                        throw config_error(origin + ": '" + st.key("name") + "' = '" + x.name + "' is used twice");
                m.stimuli.push_back(x);
            }
        }
    }

    // ---- task stimuli: the stimulus sequence of a task trial (e.g. the n-back stream a network was trained on)
    //      as ordinary stimuli: every shown symbol k becomes a pulse into ports[k % ports] of one area.
    if (top.has("task_stimuli")) {
        const section t = top.sub("task_stimuli");
        t.only({"task", "weights", "trial", "step_ms", "onset_ms", "area", "ports", "amplitude"});
        if (t.has("task") == t.has("weights"))
            throw config_error(origin + ": 'task_stimuli' needs exactly one of 'task' (a task description) or "
                               "'weights' (a weights file whose task is used)");
        std::string description;
        if (t.has("task")) {
            description = t.required_text("task");
        } else {
            const std::string path = existing_file(t, "weights", base_dir);
            record_data_file(m.data_files, t.key("weights"), path);
            description = rnn::read_rnn_weights(path).task;
        }
        std::shared_ptr<const rnn::task> task;
        try {
            task = rnn::task_from_description(description);
        } catch (const std::exception& e) {
            throw config_error(origin + ": 'task_stimuli': " + e.what());
        }
        const double trial = t.number("trial", 0.0);
        if (trial < 0 || trial != std::floor(trial)) throw config_error(origin + ": 'task_stimuli.trial' must be a whole number >= 0");
        const double step_ms = t.required_number("step_ms"), onset_ms = t.number("onset_ms", 0.0);
        check_positive(t, "step_ms", step_ms);
        const std::string area = t.required_text("area");
        const std::size_t a_idx = m.areas.find(area);
        if (a_idx == area_table::npos)
            throw config_error(origin + ": 'task_stimuli.area' = '" + area + "' is not an area of the model");
        std::vector<std::size_t> ports;
        const YAML::Node pn = t.raw("ports");
        if (!pn || !pn.IsSequence() || pn.size() == 0)
            throw config_error(origin + ": 'task_stimuli.ports' must be a non-empty list of stimulus ports");
        for (std::size_t q = 0; q < pn.size(); ++q) {
            const std::string v = pn[q].as<std::string>();
            const auto& list = linear ? m.populations : c_ports;
            auto it = std::find(list.begin(), list.end(), v);
            if (it == list.end())
                throw config_error(origin + ": 'task_stimuli.ports." + std::to_string(q) + "' = '" + v +
                                   "' is not a stimulus port of circuit '" + m.circuit + "'");
            ports.push_back(static_cast<std::size_t>(it - list.begin()));
        }
        const double amplitude = t.required_number("amplitude");
        const rnn::trial tr = task->generate(task->seed(), static_cast<std::uint64_t>(trial));
        std::size_t q = 0;
        for (const auto& ev : tr.events) {
            if (ev.symbol < 0) continue;
            stimulus_spec x;
            x.name = "task" + std::to_string(q++) + "_" + ev.what + std::to_string(ev.symbol);
            x.area = a_idx;
            x.population = ports[static_cast<std::size_t>(ev.symbol) % ports.size()];
            x.onset_ms = onset_ms + static_cast<double>(ev.onset_step) * step_ms;
            x.duration_ms = static_cast<double>(ev.n_steps) * step_ms;
            x.amplitude = amplitude;
            x.onset_step = steps_of(x.onset_ms, m.run.dt_ms, origin, t.key("step_ms"));
            x.end_step = x.onset_step + steps_of(x.duration_ms, m.run.dt_ms, origin, t.key("step_ms"));
            m.stimuli.push_back(x);
        }
    }

    // ---- perturbations (nonlinear circuits): silence, modulator windows, lesions
    {
        const YAML::Node pl = top.raw("perturbations");
        if (pl && !pl.IsNull()) {
            if (linear) throw config_error(origin + ": 'perturbations' need a nonlinear circuit (model.circuit)");
            if (!pl.IsSequence()) throw config_error(origin + ": 'perturbations' must be a list");
            auto area_list = [&](const section& x, const char* k) {
                std::vector<std::size_t> out;
                const YAML::Node n = x.raw(k);
                if (n && n.IsScalar() && n.as<std::string>() == "all") {
                    for (std::size_t q = 0; q < m.areas.size(); ++q) out.push_back(q);
                    return out;
                }
                if (!n.IsSequence() || n.size() == 0)
                    throw config_error(origin + ": '" + x.key(k) + "' must be a non-empty list of area names, or all");
                for (std::size_t q = 0; q < n.size(); ++q) {
                    const std::string a = n[q].as<std::string>();
                    const std::size_t idx = m.areas.find(a);
                    if (idx == area_table::npos)
                        throw config_error(origin + ": '" + x.key(k) + "." + std::to_string(q) + "' = '" + a +
                                           "' is not an area of the model");
                    out.push_back(idx);
                }
                return out;
            };
            for (std::size_t i = 0; i < pl.size(); ++i) {
                const section x(pl[i], "perturbations." + std::to_string(i), origin);
                x.only({"name", "kind", "areas", "populations", "sources", "modulator", "value", "onset_ms",
                        "duration_ms"});
                perturbation_spec pt;
                pt.name = x.text("name", "perturbation" + std::to_string(i));
                pt.kind = x.required_text("kind");
                if (pt.kind == "silence") {
                    x.only({"name", "kind", "areas", "populations", "onset_ms", "duration_ms"});
                    pt.areas = area_list(x, "areas");
                    const YAML::Node pops = x.raw("populations");
                    if (pops && !pops.IsNull() && !pops.IsSequence())
                        throw config_error(origin + ": '" + x.key("populations") + "' must be a list of recorded populations");
                    if (pops && pops.IsSequence())
                        for (std::size_t q = 0; q < pops.size(); ++q) {
                            const std::string v = pops[q].as<std::string>();
                            if (std::find(m.populations.begin(), m.populations.end(), v) == m.populations.end())
                                throw config_error(origin + ": '" + x.key("populations") + "." + std::to_string(q) +
                                                   "' = '" + v + "' is not a recorded population");
                            pt.populations.push_back(v);
                        }
                } else if (pt.kind == "modulator") {
                    x.only({"name", "kind", "modulator", "value", "onset_ms", "duration_ms"});
                    pt.modulator = c_mods[one_of(c_mods, x, "modulator", "a modulator")];
                    pt.value = x.required_number("value");
                } else if (pt.kind == "lesion") {
                    x.only({"name", "kind", "areas", "sources"});
                    pt.areas = area_list(x, "areas");
                    pt.sources = area_list(x, "sources");
                } else {
                    throw config_error(origin + ": '" + x.key("kind") + "' = '" + pt.kind +
                                       "' (allowed: silence, modulator, lesion)");
                }
                if (pt.kind != "lesion") {
                    pt.onset_ms = x.required_number("onset_ms");
                    pt.duration_ms = x.required_number("duration_ms");
                    if (pt.onset_ms < 0) throw config_error(origin + ": '" + x.key("onset_ms") + "' must be >= 0");
                    check_positive(x, "duration_ms", pt.duration_ms);
                    pt.onset_step = steps_of(pt.onset_ms, m.run.dt_ms, origin, x.key("onset_ms"));
                    pt.end_step = pt.onset_step + steps_of(pt.duration_ms, m.run.dt_ms, origin, x.key("duration_ms"));
                }
                m.perturbations.push_back(std::move(pt));
            }
        }
    }

    // ---- output
    {
        const section o = top.sub("output");
        o.only({"path", "buffer_mb"});
        m.output.path = o.text("path", fs::path(origin).stem().string() + ".h5");
        m.output.buffer_mb = o.number("buffer_mb", m.output.buffer_mb);
        check_positive(o, "buffer_mb", m.output.buffer_mb);
    }

    // ---- analysis
    {
        const section a = top.sub("analysis");
        a.only({"stimulus", "population", "baseline_ms", "delay_ms", "rule", "threshold_hz", "cue", "distractor",
                "timescale_ms", "max_lag_ms"});
        m.analysis.stimulus = a.text("stimulus", "");
        if (linear) {
            for (const char* k : {"population", "baseline_ms", "delay_ms", "rule", "threshold_hz", "cue", "distractor",
                                  "timescale_ms", "max_lag_ms"})
                if (a.has(k))
                    throw config_error(origin + ": '" + a.key(k) + "' is for nonlinear circuits (linear_ei uses 'analysis.stimulus')");
        } else {
            m.analysis.population = a.text("population", m.populations.empty() ? "" : m.populations.front());
            if (std::find(m.populations.begin(), m.populations.end(), m.analysis.population) == m.populations.end())
                (void)one_of(m.populations, a, "population", "a recorded population");
            auto window = [&](const char* k, double& b, double& e) {
                if (!a.has(k)) return;
                const YAML::Node w = a.raw(k);
                if (!w.IsSequence() || w.size() != 2)
                    throw config_error(origin + ": '" + a.key(k) + "' must be [begin_ms, end_ms]");
                b = a.to_number(w[0], a.key(k) + ".0");
                e = a.to_number(w[1], a.key(k) + ".1");
                if (!(b >= 0 && e > b))
                    throw config_error(origin + ": '" + a.key(k) + "' must satisfy 0 <= begin < end");
            };
            window("baseline_ms", m.analysis.baseline_begin_ms, m.analysis.baseline_end_ms);
            window("delay_ms", m.analysis.delay_begin_ms, m.analysis.delay_end_ms);
            window("timescale_ms", m.analysis.timescale_begin_ms, m.analysis.timescale_end_ms);
            m.analysis.max_lag_ms = a.number("max_lag_ms", 500.0);
            if (!(m.analysis.max_lag_ms > 0))
                throw config_error(origin + ": 'analysis.max_lag_ms' must be > 0");
            m.analysis.rule = a.text("rule", "delay_minus_baseline");
            if (m.analysis.rule != "delay_minus_baseline" && m.analysis.rule != "delay_mean")
                throw config_error(origin + ": 'analysis.rule' = '" + m.analysis.rule +
                                   "' (allowed: delay_minus_baseline, delay_mean)");
            if (m.analysis.rule == "delay_minus_baseline" && a.has("delay_ms") && !a.has("baseline_ms"))
                throw config_error(origin + ": 'analysis.rule' delay_minus_baseline needs 'analysis.baseline_ms'");
            m.analysis.threshold_hz = a.number("threshold_hz", 5.0);
            m.analysis.cue = a.text("cue", "");
            m.analysis.distractor = a.text("distractor", "");
            for (const std::string* nm : {&m.analysis.cue, &m.analysis.distractor}) {
                if (nm->empty()) continue;
                bool found = false;
                for (const auto& st : m.stimuli) found = found || st.name == *nm;
                if (!found)
                    throw config_error(origin + ": 'analysis." + (nm == &m.analysis.cue ? "cue" : "distractor") +
                                       "' = '" + *nm + "' is not the name of a stimulus");
            }
        }
        if (!m.analysis.stimulus.empty()) {
            bool found = false;
            for (const auto& s : m.stimuli) found = found || s.name == m.analysis.stimulus;
            if (!found)
                throw config_error(origin + ": 'analysis.stimulus' = '" + m.analysis.stimulus +
                                   "' is not the name of a stimulus");
        }
    }
    // ---- checkpoint
    {
        const section c = top.sub("checkpoint");
        c.only({"every_sim_s", "every_wall_min"});
        m.checkpoint.every_sim_s = c.number("every_sim_s", 0.0);
        m.checkpoint.every_wall_min = c.number("every_wall_min", 0.0);
        if (m.checkpoint.every_sim_s < 0 || m.checkpoint.every_wall_min < 0)
            throw config_error(origin + ": checkpoint intervals must be >= 0 (0 = off)");
        if (m.checkpoint.every_sim_s > 0)
            m.checkpoint.every_steps =
                steps_of(m.checkpoint.every_sim_s * 1e3, m.run.dt_ms, origin, c.key("every_sim_s"));
    }

    // ---- sweep: validated here, expanded by sweep_points()
    if (top.has("sweep")) {
        const section sw = top.sub("sweep");
        sw.only({"mode", "parameters"});
    }

    // ---- a nonlinear circuit checks its parameters against the time step now that run.dt_ms is known
    if (!linear) {
        try {
            (void)make_circuit(m, 0, 0);
        } catch (const std::exception& e) {
            throw config_error(origin + ": model '" + m.name + "' (circuit " + m.circuit + "): " + e.what());
        }
    }

    // ---- fingerprint: what determines the rates
    {
        YAML::Node copy = YAML::Clone(root);
        for (const char* k : {"output", "checkpoint", "sweep"}) copy.remove(k);
        // data files count by content, not by where they are
        for (const auto& f : m.data_files) set_path(copy, split(f.key, '.'), 0, YAML::Node("sha256:" + f.sha256), f.key, origin);
        YAML::Emitter e;
        e << copy;
        sha256 h;
        h.update(std::string(e.c_str()));
        for (const auto& f : m.data_files) h.update("\n" + f.key + "=" + f.sha256);
        m.fingerprint = h.hex();
    }
    return m;
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error(path + ": cannot read file");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<sweep_point> sweep_points(const std::string& config_path) {
    const std::string text = read_text_file(config_path);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw config_error(config_path + ": not valid YAML (line " + std::to_string(e.mark.line + 1) + "): " + e.msg);
    }
    std::vector<sweep_point> points;
    if (!root.IsMap() || !root["sweep"]) return points;
    const section sw(root["sweep"], "sweep", config_path);
    sw.only({"mode", "parameters"});
    const std::string mode = sw.text("mode", "grid");
    if (mode != "grid" && mode != "list")
        throw config_error(config_path + ": 'sweep.mode' = '" + mode + "' (allowed: grid, list)");
    const YAML::Node params = root["sweep"]["parameters"];
    if (!params || !params.IsMap() || params.size() == 0)
        throw config_error(config_path + ": 'sweep.parameters' must map parameter keys to lists of values");
    std::vector<std::string> keys;
    std::vector<std::vector<std::string>> values;
    for (const auto& kv : params) {
        const std::string k = kv.first.as<std::string>();
        if (!kv.second.IsSequence() || kv.second.size() == 0)
            throw config_error(config_path + ": 'sweep.parameters." + k + "' must be a non-empty list");
        keys.push_back(k);
        values.emplace_back();
        for (const auto& v : kv.second) {
            if (!v.IsScalar()) throw config_error(config_path + ": 'sweep.parameters." + k + "' values must be scalars");
            values.back().push_back(v.as<std::string>());
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
