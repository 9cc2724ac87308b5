#include "cortexsim/config/generic_circuit_config.hpp"

#include <cctype>
#include <cmath>
#include <initializer_list>
#include <sstream>
#include <utility>
#include <vector>

#include "cortexsim/common/errors.hpp"

namespace cortexsim {
namespace {

/// A YAML value as it appears in the file (scalars as they are, collections in flow style), for messages.
std::string show(const YAML::Node& n) {
    if (!n || n.IsNull()) return "null";
    if (n.IsScalar()) return n.Scalar();
    YAML::Emitter e;
    e << YAML::Flow << n;
    return e.c_str();
}

std::string join(const std::vector<const char*>& names) {
    std::string s;
    for (const char* a : names) s += std::string(s.empty() ? "" : ", ") + a;
    return s;
}

std::string join(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& a : names) s += (s.empty() ? "" : ", ") + a;
    return s.empty() ? "none" : s;
}

/// One YAML node with its dotted key; every accessor checks the type and names file, key and value.
class node_at {
public:
    node_at(YAML::Node node, std::string key, const std::string& origin)
        : node_(std::move(node)), key_(std::move(key)), origin_(origin) {}

    const YAML::Node& node() const { return node_; }
    const std::string& key() const { return key_; }
    bool present() const { return node_ && !node_.IsNull(); }

    [[noreturn]] void fail(const std::string& what) const {
        throw config_error(origin_ + ": '" + key_ + "' = " + quoted() + " " + what);
    }
    std::string quoted() const { return node_ && node_.IsScalar() ? "'" + show(node_) + "'" : show(node_); }

    void require_map() const {
        if (!node_ || !node_.IsMap()) fail("must be a map of keys");
    }
    void require_list() const {
        if (!node_ || !node_.IsSequence()) fail("must be a list");
    }
    /// Rejects every key not in `allowed` (the node must be a map).
    void only(std::initializer_list<const char*> allowed) const {
        require_map();
        for (const auto& kv : node_) {
            const std::string k = kv.first.Scalar();
            bool ok = false;
            for (const char* a : allowed) ok = ok || k == a;
            if (!ok) throw config_error(origin_ + ": unknown key '" + key_ + "." + k + "' (allowed here: " + join(allowed) + ")");
        }
    }
    bool has(const char* k) const { return node_ && node_.IsMap() && node_[k]; }
    node_at at(const char* k) const { return node_at(has(k) ? node_[k] : YAML::Node(), key_ + "." + k, origin_); }
    node_at at(std::size_t i) const { return node_at(node_[i], key_ + "." + std::to_string(i), origin_); }
    node_at required(const char* k) const {
        if (!has(k)) throw config_error(origin_ + ": missing required key '" + key_ + "." + k + "'");
        return at(k);
    }

    double number() const {
        if (!node_ || !node_.IsScalar()) fail("must be a number");
        double v = 0;
        try {
            v = node_.as<double>();
        } catch (const YAML::Exception&) {
            fail("is not a number");
        }
        if (!std::isfinite(v)) fail("is not finite");
        return v;
    }
    std::string text() const {
        if (!node_ || !node_.IsScalar()) fail("must be a string");
        return node_.Scalar();
    }

private:
    YAML::Node node_;
    std::string key_;
    const std::string& origin_;
};

double number_or(const node_at& parent, const char* k, double def) { return parent.has(k) ? parent.at(k).number() : def; }

bool valid_name(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

/// A number, or {value: x, gradient: g} for value * g_i (g a gradient under model.gradients).
generic_value parse_value(const node_at& n, const model_spec& m, const std::string& origin) {
    generic_value v;
    if (n.present() && n.node().IsMap()) {
        n.only({"value", "gradient"});
        v.value = n.required("value").number();
        const node_at g = n.required("gradient");
        v.gradient = g.text();
        bool found = false;
        for (const auto& x : m.gradients) found = found || x.name == v.gradient;
        if (!found) {
            std::vector<std::string> names;
            for (const auto& x : m.gradients) names.push_back(x.name);
            throw config_error(origin + ": '" + g.key() + "' = '" + v.gradient +
                               "' is not a gradient under model.gradients (defined: " + join(names) + ")");
        }
    } else {
        v.value = n.number();
    }
    return v;
}

struct transfer_entry {
    const char* name;
    generic_transfer kind;
    std::vector<const char*> params;    // allowed parameters
    std::vector<const char*> required;  // of which required
};

const std::vector<transfer_entry>& transfer_table() {
    static const std::vector<transfer_entry> t = {
        {"threshold_linear", generic_transfer::threshold_linear, {"gain", "threshold"}, {}},
        {"relu", generic_transfer::relu, {}, {}},
        {"linear", generic_transfer::linear, {"gain", "threshold", "offset"}, {}},
        {"sigmoid", generic_transfer::sigmoid, {"r_max", "gain", "threshold"}, {"r_max", "gain"}},
        {"abbott_chance", generic_transfer::abbott_chance, {"a", "b", "d"}, {"a", "b", "d"}},
        {"tanh", generic_transfer::tanh, {"r_max", "gain", "threshold"}, {}},
        {"softplus", generic_transfer::softplus, {"gain", "sharpness", "threshold"}, {}},
    };
    return t;
}

/// `transfer: name` or `transfer: {function: name, <parameters>}`.
generic_transfer_spec parse_transfer(const node_at& n, const std::string& origin) {
    if (!n.present()) n.fail("must name a transfer function");
    const bool is_map = n.node().IsMap();
    const node_at fn = is_map ? n.required("function") : n;
    const std::string name = fn.text();
    const transfer_entry* e = nullptr;
    for (const auto& x : transfer_table())
        if (name == x.name) e = &x;
    if (!e) {
        std::string allowed;
        for (const auto& x : transfer_table()) allowed += std::string(allowed.empty() ? "" : ", ") + x.name;
        throw config_error(origin + ": '" + fn.key() + "' = '" + name + "' is not a transfer function (allowed: " +
                           allowed + ")");
    }
    generic_transfer_spec t;
    t.kind = e->kind;
    for (const char* r : e->required)
        if (!is_map || !n.has(r))
            throw config_error(origin + ": missing required key '" + n.key() + "." + r + "' (transfer function " +
                               name + " needs " + join(e->required) + ")");
    if (is_map) {
        for (const auto& kv : n.node()) {
            const std::string k = kv.first.Scalar();
            bool ok = k == "function";
            for (const char* a : e->params) ok = ok || k == a;
            if (!ok)
                throw config_error(origin + ": unknown key '" + n.key() + "." + k + "' (transfer function " + name +
                                   " takes: " + (e->params.size() ? join(e->params) : std::string("no parameters")) + ")");
        }
        t.gain = number_or(n, "gain", t.gain);
        t.threshold = number_or(n, "threshold", t.threshold);
        t.offset = number_or(n, "offset", t.offset);
        t.r_max = number_or(n, "r_max", t.r_max);
        t.sharpness = number_or(n, "sharpness", t.sharpness);
        t.a = number_or(n, "a", t.a);
        t.b = number_or(n, "b", t.b);
        t.d = number_or(n, "d", t.d);
        if (n.has("sharpness") && !(t.sharpness > 0)) n.at("sharpness").fail("must be > 0");
        if (n.has("d") && !(t.d > 0)) n.at("d").fail("must be > 0");
    }
    return t;
}

double positive(const node_at& n) {
    const double v = n.number();
    if (!(v > 0)) n.fail("must be > 0");
    return v;
}

double non_negative(const node_at& n) {
    const double v = n.number();
    if (v < 0) n.fail("must be >= 0");
    return v;
}

generic_population parse_population(const std::string& name, const node_at& n, const model_spec& m,
                                    const std::string& origin) {
    n.only({"tau_ms", "transfer", "background", "initial", "floor", "synapse", "noise"});
    generic_population p;
    p.name = name;
    p.tau_ms = positive(n.required("tau_ms"));
    p.transfer = parse_transfer(n.required("transfer"), origin);
    if (n.has("background")) p.background = parse_value(n.at("background"), m, origin);
    p.initial = number_or(n, "initial", 0.0);
    if (n.has("floor")) {
        p.floor = n.at("floor").number();
        if (p.initial < p.floor) n.at("initial").fail("is below 'floor' (" + show(n.at("floor").node()) + ")");
    }
    if (n.has("synapse")) {
        const node_at s = n.at("synapse");
        s.only({"kind", "tau_ms", "gamma", "initial"});
        const node_at k = s.required("kind");
        const std::string kind = k.text();
        if (kind == "linear")
            p.synapse = generic_synapse::linear;
        else if (kind == "saturating")
            p.synapse = generic_synapse::saturating;
        else
            k.fail("is not a synapse kind (allowed: linear, saturating)");
        p.synapse_tau_ms = positive(s.required("tau_ms"));
        p.gamma = non_negative(s.required("gamma"));
        p.synapse_initial = number_or(s, "initial", 0.0);
        if (p.synapse == generic_synapse::saturating && (p.synapse_initial < 0 || p.synapse_initial > 1))
            s.at("initial").fail("must be in [0, 1] for a saturating synapse");
    }
    if (n.has("noise")) {
        const node_at s = n.at("noise");
        s.only({"sigma", "tau_ms"});
        p.noise_sigma = non_negative(s.required("sigma"));
        if (s.has("tau_ms")) {
            p.noise = generic_noise::ou;
            p.noise_tau_ms = positive(s.at("tau_ms"));
        } else {
            p.noise = generic_noise::white;
        }
    }
    return p;
}

}  // namespace

void parse_generic_circuit(const YAML::Node& populations_node, const YAML::Node& local_node, const std::string& origin,
                           model_spec& m) {
    generic_circuit_spec g;
    const node_at pops(populations_node, "model.populations", origin);
    if (!pops.present()) throw config_error(origin + ": missing required key 'model.populations' (circuit: generic)");
    pops.require_map();
    if (pops.node().size() == 0) pops.fail("must define at least one population");
    for (const auto& kv : pops.node()) {
        const std::string name = kv.first.Scalar();
        const node_at pn(kv.second, "model.populations." + name, origin);
        if (!valid_name(name))
            throw config_error(origin + ": 'model.populations." + name + "': population names may contain only "
                               "letters, digits and _");
        if (name.rfind("S_", 0) == 0 || name.rfind("eta_", 0) == 0)
            throw config_error(origin + ": 'model.populations." + name + "': population names may not start with "
                               "S_ or eta_ (the names of gates and noise currents)");
        if (g.find(name) != generic_circuit_spec::npos)
            throw config_error(origin + ": 'model.populations." + name + "' is defined twice");
        g.populations.push_back(parse_population(name, pn, m, origin));
        if (g.populations.back().noise != generic_noise::none && g.populations.size() > 64)
            throw config_error(origin + ": 'model.populations." + name + ".noise': only the first 64 populations "
                               "can have noise");
    }

    auto population_names = [&] {
        std::vector<std::string> v;
        for (const auto& p : g.populations) v.push_back(p.name);
        return join(v);
    };
    auto population = [&](const node_at& n) {
        const std::string name = n.text();
        const std::size_t p = g.find(name);
        if (p == generic_circuit_spec::npos) n.fail("is not a population (populations: " + population_names() + ")");
        return p;
    };

    const node_at local(local_node, "model.local", origin);
    if (local.present()) {
        local.only({"weights", "inputs"});
        const node_at ws = local.at("weights");
        if (ws.present()) {
            ws.require_list();
            for (std::size_t i = 0; i < ws.node().size(); ++i) {
                const node_at w = ws.at(i);
                w.only({"to", "from", "weight"});
                generic_weight x;
                x.to = population(w.required("to"));
                const node_at from = w.required("from");
                const std::string src = from.text();
                x.from = g.find(src);
                if (x.from == generic_circuit_spec::npos && src.rfind("S_", 0) == 0) {
                    x.from = g.find(src.substr(2));
                    x.from_gate = true;
                    if (x.from != generic_circuit_spec::npos && g.populations[x.from].synapse == generic_synapse::none)
                        from.fail("is the gate of population '" + src.substr(2) + "', which has no 'synapse'");
                }
                if (x.from == generic_circuit_spec::npos) {
                    std::vector<std::string> gates;
                    for (const auto& p : g.populations)
                        if (p.synapse != generic_synapse::none) gates.push_back("S_" + p.name);
                    from.fail("is not a population or a gate (populations: " + population_names() +
                              "; gates: " + join(gates) + ")");
                }
                x.weight = parse_value(w.required("weight"), m, origin);
                for (const auto& o : g.weights)
                    if (o.to == x.to && o.from == x.from && o.from_gate == x.from_gate)
                        throw config_error(origin + ": '" + w.key() + "': the weight " + src + " -> " +
                                           g.populations[x.to].name + " is given twice");
                g.weights.push_back(std::move(x));
            }
        }
        const node_at is = local.at("inputs");
        if (is.present()) {
            is.require_list();
            for (std::size_t i = 0; i < is.node().size(); ++i) {
                const node_at c = is.at(i);
                c.only({"name", "to", "weight"});
                const node_at nn = c.required("name");
                const std::string name = nn.text();
                if (!valid_name(name)) nn.fail("is not a valid channel name (letters, digits and _ only)");
                generic_input x;
                x.to = population(c.required("to"));
                x.weight = parse_value(c.required("weight"), m, origin);
                x.channel = g.channels.size();
                for (std::size_t k = 0; k < g.channels.size(); ++k)
                    if (g.channels[k] == name) x.channel = k;
                if (x.channel == g.channels.size()) g.channels.push_back(name);
                for (const auto& o : g.inputs)
                    if (o.channel == x.channel && o.to == x.to)
                        throw config_error(origin + ": '" + c.key() + "': input channel '" + name + "' -> " +
                                           g.populations[x.to].name + " is given twice");
                g.inputs.push_back(std::move(x));
            }
        }
    }

    g.defined = true;
    m.populations.clear();
    for (const auto& p : g.populations) m.populations.push_back(p.name);
    m.generic = std::move(g);
}

}  // namespace cortexsim
