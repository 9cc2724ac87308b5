#include "cortexsim/config/generic_circuit_config.hpp"

#include <cctype>
#include <cmath>
#include <initializer_list>
#include <sstream>
#include <utility>
#include <vector>

#include "cortexsim/common/errors.hpp"
#include "yaml_reader.hpp"

namespace cortexsim {
namespace {

using yaml_reader::join;
using yaml_reader::section;
using yaml_reader::value;

std::string join(const std::vector<const char*>& names) {
    std::string s;
    for (const char* a : names) s += std::string(s.empty() ? "" : ", ") + a;
    return s;
}

/// The map of keys at n (its keys limited to `allowed`); values in messages as written, scalars in quotes.
section map_of(const value& n, std::initializer_list<const char*> allowed) {
    if (!n.is_map()) n.fail_quoted("must be a map of keys");
    const section s = n.map();
    s.only(allowed);
    return s;
}

double number_or(const section& parent, const char* k, double def) { return parent.number(k, def); }

bool valid_name(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

/// A number, or {value: x, gradient: g} for value * g_i (g a gradient under model.gradients).
generic_value parse_value(const value& n, const model_spec& m, const std::string& origin) {
    generic_value v;
    if (n.is_map()) {
        const section s = map_of(n, {"value", "gradient"});
        v.value = s.required("value").number();
        const value g = s.required("gradient");
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
generic_transfer_spec parse_transfer(const value& n, const std::string& origin) {
    if (!n.present()) n.fail_quoted("must name a transfer function");
    const bool is_map = n.is_map();
    const section s(is_map ? n.node() : YAML::Node(), n.key(), origin);
    const value fn = is_map ? s.required("function") : n;
    const std::string name = fn.text();
    const transfer_entry* e = nullptr;
    for (const auto& x : transfer_table())
        if (name == x.name) e = &x;
    if (!e) {
        std::string allowed;
        for (const auto& x : transfer_table()) allowed += std::string(allowed.empty() ? "" : ", ") + x.name;
        throw config_error(origin + ": '" + fn.key() + "' = '" + name +
                           "' is not a transfer function (allowed: " + allowed + ")");
    }
    generic_transfer_spec t;
    t.kind = e->kind;
    for (const char* r : e->required)
        if (!s.has(r))
            throw config_error(origin + ": missing required key '" + n.key() + "." + r + "' (transfer function " +
                               name + " needs " + join(e->required) + ")");
    if (is_map) {
        for (const auto& [k, v] : s.entries()) {
            bool ok = k == "function";
            for (const char* a : e->params) ok = ok || k == a;
            if (!ok)
                throw config_error(origin + ": unknown key '" + s.key(k) + "' (transfer function " + name + " takes: " +
                                   (e->params.size() ? join(e->params) : std::string("no parameters")) + ")");
        }
        t.gain = number_or(s, "gain", t.gain);
        t.threshold = number_or(s, "threshold", t.threshold);
        t.offset = number_or(s, "offset", t.offset);
        t.r_max = number_or(s, "r_max", t.r_max);
        t.sharpness = number_or(s, "sharpness", t.sharpness);
        t.a = number_or(s, "a", t.a);
        t.b = number_or(s, "b", t.b);
        t.d = number_or(s, "d", t.d);
        if (s.has("sharpness") && !(t.sharpness > 0)) s.at("sharpness").fail_quoted("must be > 0");
        if (s.has("d") && !(t.d > 0)) s.at("d").fail_quoted("must be > 0");
    }
    return t;
}

double positive(const value& n) {
    const double v = n.number();
    if (!(v > 0)) n.fail_quoted("must be > 0");
    return v;
}

double non_negative(const value& n) {
    const double v = n.number();
    if (v < 0) n.fail_quoted("must be >= 0");
    return v;
}

generic_population parse_population(const std::string& name, const value& node, const model_spec& m,
                                    const std::string& origin) {
    const section n = map_of(node, {"tau_ms", "transfer", "background", "initial", "floor", "synapse", "noise"});
    generic_population p;
    p.name = name;
    p.tau_ms = positive(n.required("tau_ms"));
    p.transfer = parse_transfer(n.required("transfer"), origin);
    if (n.has("background")) p.background = parse_value(n.at("background"), m, origin);
    p.initial = number_or(n, "initial", 0.0);
    if (n.has("floor")) {
        p.floor = n.at("floor").number();
        if (p.initial < p.floor)
            n.at("initial").fail_quoted("is below 'floor' (" + yaml_reader::written(n.at("floor").node()) + ")");
    }
    if (n.has("synapse")) {
        const section s = map_of(n.at("synapse"), {"kind", "tau_ms", "gamma", "initial"});
        const value k = s.required("kind");
        const std::string kind = k.text();
        if (kind == "linear")
            p.synapse = generic_synapse::linear;
        else if (kind == "saturating")
            p.synapse = generic_synapse::saturating;
        else
            k.fail_quoted("is not a synapse kind (allowed: linear, saturating)");
        p.synapse_tau_ms = positive(s.required("tau_ms"));
        p.gamma = non_negative(s.required("gamma"));
        p.synapse_initial = number_or(s, "initial", 0.0);
        if (p.synapse == generic_synapse::saturating && (p.synapse_initial < 0 || p.synapse_initial > 1))
            s.at("initial").fail_quoted("must be in [0, 1] for a saturating synapse");
    }
    if (n.has("noise")) {
        const section s = map_of(n.at("noise"), {"sigma", "tau_ms"});
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

/// model.local.weights: local weights between populations (or from their gates S_<name>).
void parse_weights(const value& ws, const model_spec& m, generic_circuit_spec& g) {
    const std::string& origin = ws.origin();
    if (!ws.is_list()) ws.fail_quoted("must be a list");
    std::vector<std::string> pops;
    for (const auto& p : g.populations) pops.push_back(p.name);
    for (const value& item : ws.items()) {
        const section w = map_of(item, {"to", "from", "weight"});
        generic_weight x;
        const value to = w.required("to");
        x.to = g.find(to.text());
        if (x.to == generic_circuit_spec::npos) to.fail_quoted("is not a population (populations: " + join(pops) + ")");
        const value from = w.required("from");
        const std::string src = from.text();
        x.from = g.find(src);
        if (x.from == generic_circuit_spec::npos && src.rfind("S_", 0) == 0) {
            x.from = g.find(src.substr(2));
            x.from_gate = true;
            if (x.from != generic_circuit_spec::npos && g.populations[x.from].synapse == generic_synapse::none)
                from.fail_quoted("is the gate of population '" + src.substr(2) + "', which has no 'synapse'");
        }
        if (x.from == generic_circuit_spec::npos) {
            std::vector<std::string> gates;
            for (const auto& p : g.populations)
                if (p.synapse != generic_synapse::none) gates.push_back("S_" + p.name);
            from.fail_quoted("is not a population or a gate (populations: " + join(pops) + "; gates: " + join(gates) +
                             ")");
        }
        x.weight = parse_value(w.required("weight"), m, origin);
        for (const auto& o : g.weights)
            if (o.to == x.to && o.from == x.from && o.from_gate == x.from_gate)
                throw config_error(origin + ": '" + item.key() + "': the weight " + src + " -> " +
                                   g.populations[x.to].name + " is given twice");
        g.weights.push_back(std::move(x));
    }
}

/// model.local.inputs: the long-range input channels and the populations they feed.
void parse_inputs(const value& is, const model_spec& m, generic_circuit_spec& g) {
    const std::string& origin = is.origin();
    if (!is.is_list()) is.fail_quoted("must be a list");
    std::vector<std::string> pops;
    for (const auto& p : g.populations) pops.push_back(p.name);
    for (const value& item : is.items()) {
        const section c = map_of(item, {"name", "to", "weight"});
        const value nn = c.required("name");
        const std::string name = nn.text();
        if (!valid_name(name)) nn.fail_quoted("is not a valid channel name (letters, digits and _ only)");
        generic_input x;
        const value to = c.required("to");
        x.to = g.find(to.text());
        if (x.to == generic_circuit_spec::npos) to.fail_quoted("is not a population (populations: " + join(pops) + ")");
        x.weight = parse_value(c.required("weight"), m, origin);
        x.channel = g.channels.size();
        for (std::size_t k = 0; k < g.channels.size(); ++k)
            if (g.channels[k] == name) x.channel = k;
        if (x.channel == g.channels.size()) g.channels.push_back(name);
        for (const auto& o : g.inputs)
            if (o.channel == x.channel && o.to == x.to)
                throw config_error(origin + ": '" + item.key() + "': input channel '" + name + "' -> " +
                                   g.populations[x.to].name + " is given twice");
        g.inputs.push_back(std::move(x));
    }
}

}  // namespace

void parse_generic_circuit(const YAML::Node& populations_node, const YAML::Node& local_node, const std::string& origin,
                           model_spec& m) {
    generic_circuit_spec g;
    const value pops(populations_node, "model.populations", origin);
    if (!pops.present()) throw config_error(origin + ": missing required key 'model.populations' (circuit: generic)");
    if (!pops.is_map()) pops.fail_quoted("must be a map of keys");
    if (pops.node().size() == 0) pops.fail_quoted("must define at least one population");
    for (const auto& [name, pn] : pops.map().entries()) {
        if (!valid_name(name))
            throw config_error(origin + ": 'model.populations." + name +
                               "': population names may contain only "
                               "letters, digits and _");
        if (name.rfind("S_", 0) == 0 || name.rfind("eta_", 0) == 0)
            throw config_error(origin + ": 'model.populations." + name +
                               "': population names may not start with "
                               "S_ or eta_ (the names of gates and noise currents)");
        if (g.find(name) != generic_circuit_spec::npos)
            throw config_error(origin + ": 'model.populations." + name + "' is defined twice");
        g.populations.push_back(parse_population(name, pn, m, origin));
        if (g.populations.back().noise != generic_noise::none && g.populations.size() > 64)
            throw config_error(origin + ": 'model.populations." + name +
                               ".noise': only the first 64 populations "
                               "can have noise");
    }
    const value local(local_node, "model.local", origin);
    if (local.present()) {
        const section l = map_of(local, {"weights", "inputs"});
        if (l.has("weights")) parse_weights(l.at("weights"), m, g);
        if (l.has("inputs")) parse_inputs(l.at("inputs"), m, g);
    }
    g.defined = true;
    m.populations.clear();
    for (const auto& p : g.populations) m.populations.push_back(p.name);
    m.generic = std::move(g);
}

}  // namespace cortexsim
