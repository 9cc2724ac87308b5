// The YAML training config of recurrent networks (docs/rnn.md). Same conventions as src/config/config.cpp:
// every unknown key is an error, messages are one line "FILE: 'dotted.key' ...", --set overrides any value.
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/rnn/train.hpp"

namespace cortexsim::rnn {
namespace {

namespace fs = std::filesystem;

std::string num(double v) { return shortest_text(v); }

/// A view of one YAML map that remembers its dotted path and checks keys.
class section {
public:
    section(YAML::Node node, std::string path, const std::string& origin)
        : node_(std::move(node)), path_(std::move(path)), origin_(origin) {
        if (node_ && !node_.IsNull() && !node_.IsMap())
            throw config_error(origin_ + ": '" + display() + "' must be a map of keys");
    }

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

    bool has(const char* k) const { return node_ && node_.IsMap() && node_[k] && !node_[k].IsNull(); }
    std::string key(const std::string& k) const { return path_.empty() ? k : path_ + "." + k; }
    std::string display() const { return path_.empty() ? "(top level)" : path_; }
    section sub(const char* k) const { return section(has(k) ? node_[k] : YAML::Node(), key(k), origin_); }
    YAML::Node raw(const char* k) const { return has(k) ? node_[k] : YAML::Node(); }
    const std::string& origin() const { return origin_; }

    double number(const char* k, double def) const { return has(k) ? to_number(node_[k], key(k)) : def; }

    /// A number in (lo, hi] or [lo, hi] (closed_lo).
    double number_in(const char* k, double def, double lo, double hi, bool closed_lo) const {
        const double v = number(k, def);
        const bool ok_lo = closed_lo ? v >= lo : v > lo;
        if (!ok_lo || v > hi) {
            std::string range = std::string(closed_lo ? "[" : "(") + num(lo) + ", " +
                                (std::isinf(hi) ? std::string("inf)") : num(hi) + "]");
            throw config_error(origin_ + ": '" + key(k) + "' = " + num(v) + " must be in " + range);
        }
        return v;
    }

    std::int64_t integer(const char* k, std::int64_t def, std::int64_t min) const {
        if (!has(k)) return def;
        const double v = to_number(node_[k], key(k));
        if (v != std::floor(v) || std::fabs(v) > 9e15)
            throw config_error(origin_ + ": '" + key(k) + "' = " + num(v) + " must be a whole number");
        if (v < static_cast<double>(min))
            throw config_error(origin_ + ": '" + key(k) + "' = " + num(v) + " must be >= " + std::to_string(min));
        return static_cast<std::int64_t>(v);
    }

    std::uint64_t seed(const char* k, std::uint64_t def) const {
        if (!has(k)) return def;
        const YAML::Node n = node_[k];
        if (!n.IsScalar()) throw config_error(origin_ + ": '" + key(k) + "' must be a whole number >= 0");
        const std::string s = n.as<std::string>();
        try {
            std::size_t used = 0;
            if (s.empty() || s[0] == '-') throw 0;
            const unsigned long long v = std::stoull(s, &used, 0);
            if (used != s.size()) throw 0;
            return v;
        } catch (...) {
            throw config_error(origin_ + ": '" + key(k) + "' = '" + s + "' must be a whole number >= 0");
        }
    }

    std::string text(const char* k, const std::string& def) const {
        if (!has(k)) return def;
        const YAML::Node n = node_[k];
        if (!n.IsScalar()) throw config_error(origin_ + ": '" + key(k) + "' must be a string");
        return n.as<std::string>();
    }

    template <class E>
    E choice(const char* k, E def, const char* allowed) const {
        if (!has(k)) return def;
        const std::string s = text(k, "");
        E out{};
        if (!parse(s, out)) throw config_error(origin_ + ": '" + key(k) + "' = '" + s + "' (allowed: " + allowed + ")");
        return out;
    }

    double to_number(const YAML::Node& n, const std::string& full) const {
        if (!n.IsScalar()) throw config_error(origin_ + ": '" + full + "' must be a number");
        const std::string s = n.as<std::string>();
        double v = 0;
        try {
            v = n.as<double>();
        } catch (const YAML::Exception&) {
            throw config_error(origin_ + ": '" + full + "' = '" + s + "' is not a number");
        }
        if (!std::isfinite(v)) throw config_error(origin_ + ": '" + full + "' = " + s + " is not finite");
        return v;
    }

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
              const std::string& kv) {
    const std::string& p = parts[i];
    const bool last = i + 1 == parts.size();
    if (p.empty()) throw config_error("--set '" + kv + "': empty key component");
    if (!node.IsMap() && !node.IsNull()) throw config_error("--set '" + kv + "': '" + p + "' is below a value, not a map");
    if (last) {
        node[p] = value;
        return;
    }
    if (!node[p] || node[p].IsNull()) node[p] = YAML::Node(YAML::NodeType::Map);
    set_path(node[p], parts, i + 1, value, kv);
}

void apply_override(YAML::Node& root, const std::string& kv) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
        throw config_error("--set '" + kv + "': expected key=value (for example training.iterations=200)");
    YAML::Node v;
    try {
        v = YAML::Load(kv.substr(eq + 1));
    } catch (const YAML::Exception& e) {
        throw config_error("--set '" + kv + "': value is not valid YAML: " + e.msg);
    }
    set_path(root, split(kv.substr(0, eq), '.'), 0, v, kv);
}

std::shared_ptr<const task> load_task(const section& s) {
    const std::string name = s.text("name", "");
    if (name.empty()) throw config_error(s.origin() + ": missing required key '" + s.key("name") + "'");
    const std::uint64_t seed = s.seed("seed", 1);
    try {
        if (name == "nback") {
            s.only({"name", "seed", "n", "alphabet", "items", "stim_steps", "gap_steps", "match_probability",
                     "response_delay_steps"});
            nback_params p;
            p.n = static_cast<int>(s.integer("n", p.n, 1));
            p.alphabet = static_cast<int>(s.integer("alphabet", p.alphabet, 2));
            p.items = static_cast<int>(s.integer("items", p.items, 2));
            p.stim_steps = s.integer("stim_steps", p.stim_steps, 1);
            p.gap_steps = s.integer("gap_steps", p.gap_steps, 0);
            p.match_probability = s.number_in("match_probability", p.match_probability, 0.0, 1.0, true);
            p.response_delay_steps = s.integer("response_delay_steps", p.response_delay_steps, 0);
            return make_nback(p, seed);
        }
        if (name == "dms") {
            s.only({"name", "seed", "stimuli", "pre_steps", "sample_steps", "delay_steps", "test_steps",
                     "response_steps", "match_probability", "response_delay_steps"});
            dms_params p;
            p.stimuli = static_cast<int>(s.integer("stimuli", p.stimuli, 2));
            p.pre_steps = s.integer("pre_steps", p.pre_steps, 0);
            p.sample_steps = s.integer("sample_steps", p.sample_steps, 1);
            p.delay_steps = s.integer("delay_steps", p.delay_steps, 0);
            p.test_steps = s.integer("test_steps", p.test_steps, 1);
            p.response_steps = s.integer("response_steps", p.response_steps, 0);
            p.match_probability = s.number_in("match_probability", p.match_probability, 0.0, 1.0, true);
            p.response_delay_steps = s.integer("response_delay_steps", p.response_delay_steps, 0);
            return make_dms(p, seed);
        }
        if (name == "cue_delay") {
            s.only({"name", "seed", "cues", "pre_steps", "cue_steps", "delay_steps", "response_steps",
                     "response_delay_steps"});
            cue_delay_params p;
            p.cues = static_cast<int>(s.integer("cues", p.cues, 2));
            p.pre_steps = s.integer("pre_steps", p.pre_steps, 0);
            p.cue_steps = s.integer("cue_steps", p.cue_steps, 1);
            p.delay_steps = s.integer("delay_steps", p.delay_steps, 0);
            p.response_steps = s.integer("response_steps", p.response_steps, 1);
            p.response_delay_steps = s.integer("response_delay_steps", p.response_delay_steps, 0);
            return make_cue_delay(p, seed);
        }
    } catch (const config_error& e) {
        const std::string m = e.what();
        if (m.rfind(s.origin() + ":", 0) == 0) throw;
        throw config_error(s.origin() + ": '" + s.display() + "': " + m);  // a constraint between keys
    }
    throw config_error(s.origin() + ": '" + s.key("name") + "' = '" + name + "' (allowed: nback, dms, cue_delay)");
}

}  // namespace

train_config parse_train_config(const std::string& yaml_text, const std::string& origin,
                                const std::vector<std::string>& overrides) {
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::Exception& e) {
        throw config_error(origin + ": not valid YAML (line " + std::to_string(e.mark.line + 1) + "): " + e.msg);
    }
    if (!root.IsMap()) throw config_error(origin + ": the top level must be a map of sections");
    for (const auto& kv : overrides) apply_override(root, kv);

    train_config c;
    c.config_path = origin;
    c.config_text = yaml_text;
    c.config_sha256 = sha256::of(yaml_text);
    c.overrides = overrides;

    const section top(root, "", origin);
    top.only({"task", "network", "training", "checkpoint", "output"});
    for (const char* k : {"task", "network", "training"})
        if (!top.has(k)) throw config_error(origin + ": missing required section '" + k + "'");

    // ---- task
    c.task_ptr = load_task(top.sub("task"));

    // ---- network
    const section n = top.sub("network");
    n.only({"kind", "units", "activation", "readout", "dt_ms", "tau_ms", "spectral_radius", "radius_scaling",
            "input_scale", "output_scale", "seed"});
    init_params& p = c.network;
    p.kind = n.choice("kind", rnn_kind::leaky, "vanilla, leaky");
    p.n_rec = static_cast<std::size_t>(n.integer("units", 64, 1));
    p.activation = n.choice("activation", activation_kind::relu, "relu, tanh, sigmoid, softplus");
    p.readout = n.choice("readout", readout_kind::softmax, "identity, sigmoid, softmax");
    p.dt_ms = n.number_in("dt_ms", 10.0, 0.0, INFINITY, false);
    if (n.has("tau_ms")) {
        const YAML::Node t = n.raw("tau_ms");
        if (t.IsSequence()) {
            if (t.size() != 2)
                throw config_error(origin + ": '" + n.key("tau_ms") + "' must be a number or a list [min, max]");
            p.tau_min_ms = n.to_number(t[0], n.key("tau_ms") + ".0");
            p.tau_max_ms = n.to_number(t[1], n.key("tau_ms") + ".1");
            if (!(p.tau_min_ms > 0.0) || !(p.tau_max_ms >= p.tau_min_ms))
                throw config_error(origin + ": '" + n.key("tau_ms") + "' = [" + num(p.tau_min_ms) + ", " +
                                   num(p.tau_max_ms) + "] must satisfy 0 < min <= max");
        } else {
            p.tau_min_ms = p.tau_max_ms = n.number_in("tau_ms", 50.0, 0.0, INFINITY, false);
        }
    } else {
        p.tau_min_ms = p.tau_max_ms = 5.0 * p.dt_ms;
    }
    if (p.kind == rnn_kind::leaky && p.tau_min_ms < p.dt_ms)
        throw config_error(origin + ": '" + n.key("tau_ms") + "' (" + num(p.tau_min_ms) + " ms) is smaller than '" +
                           n.key("dt_ms") + "' = " + num(p.dt_ms) + " ms (a leaky network needs dt <= tau)");
    p.spectral_radius = n.number_in("spectral_radius", 0.9, 0.0, INFINITY, true);
    const std::string scaling = n.text("radius_scaling", "measured");
    if (scaling != "measured" && scaling != "circular_law")
        throw config_error(origin + ": '" + n.key("radius_scaling") + "' = '" + scaling +
                           "' (allowed: measured, circular_law)");
    p.measured_radius = scaling == "measured";
    p.input_scale = n.number_in("input_scale", 1.0, 0.0, INFINITY, true);
    p.output_scale = n.number_in("output_scale", 1.0, 0.0, INFINITY, true);
    p.seed = n.seed("seed", 1);
    p.n_in = c.task_ptr->n_inputs();
    p.n_out = c.task_ptr->n_outputs();

    // ---- training
    const section t = top.sub("training");
    t.only({"loss", "batch", "iterations", "learning_rate", "beta1", "beta2", "epsilon", "clip_norm",
            "progress_every", "eval_trials", "stop_accuracy"});
    c.loss = t.choice("loss", loss_kind::cross_entropy, "cross_entropy, mse");
    if (c.loss == loss_kind::cross_entropy && p.readout != readout_kind::softmax)
        throw config_error(origin + ": '" + t.key("loss") + "' = cross_entropy needs '" + n.key("readout") +
                           "' = softmax (it is '" + to_string(p.readout) + "')");
    c.batch = t.integer("batch", c.batch, 1);
    c.iterations = t.integer("iterations", c.iterations, 0);
    c.learning_rate = t.number_in("learning_rate", c.learning_rate, 0.0, INFINITY, false);
    c.beta1 = t.number_in("beta1", c.beta1, 0.0, 1.0, true);
    c.beta2 = t.number_in("beta2", c.beta2, 0.0, 1.0, true);
    if (c.beta1 >= 1.0) throw config_error(origin + ": '" + t.key("beta1") + "' = " + num(c.beta1) + " must be < 1");
    if (c.beta2 >= 1.0) throw config_error(origin + ": '" + t.key("beta2") + "' = " + num(c.beta2) + " must be < 1");
    c.epsilon = t.number_in("epsilon", c.epsilon, 0.0, INFINITY, false);
    c.clip_norm = t.number_in("clip_norm", c.clip_norm, 0.0, INFINITY, true);
    c.progress_every = t.integer("progress_every", c.progress_every, 1);
    c.eval_trials = t.integer("eval_trials", c.eval_trials, 0);
    c.stop_accuracy = t.number_in("stop_accuracy", c.stop_accuracy, 0.0, 1.0, true);

    // ---- output and checkpoint (paths relative to the working directory, as -o)
    const section o = top.sub("output");
    o.only({"path"});
    c.output_path = o.text("path", fs::path(origin).stem().string() + ".h5");
    const section ck = top.sub("checkpoint");
    ck.only({"path", "every"});
    c.checkpoint_path = ck.text("path", "");
    c.checkpoint_every = ck.integer("every", 0, 0);

    // ---- canonical listing and fingerprint
    const std::string task_line = "task: " + c.task_ptr->description() + "\n";
    const std::string net_line =
        "network: kind=" + to_string(p.kind) + " units=" + std::to_string(p.n_rec) +
        " activation=" + to_string(p.activation) + " readout=" + to_string(p.readout) + " dt_ms=" + num(p.dt_ms) +
        " tau_ms=[" + num(p.tau_min_ms) + "," + num(p.tau_max_ms) + "] spectral_radius=" + num(p.spectral_radius) +
        " radius_scaling=" + scaling + " input_scale=" + num(p.input_scale) + " output_scale=" + num(p.output_scale) +
        " seed=" + std::to_string(p.seed) + "\n";
    const std::string train_line = "training: loss=" + to_string(c.loss) + " batch=" + std::to_string(c.batch) +
                                   " learning_rate=" + num(c.learning_rate) + " beta1=" + num(c.beta1) +
                                   " beta2=" + num(c.beta2) + " epsilon=" + num(c.epsilon) +
                                   " clip_norm=" + num(c.clip_norm) + "\n";
    c.fingerprint = sha256::of(task_line + net_line + train_line);
    c.resolved = task_line + net_line + train_line + "run: iterations=" + std::to_string(c.iterations) +
                 " progress_every=" + std::to_string(c.progress_every) + " eval_trials=" +
                 std::to_string(c.eval_trials) + " stop_accuracy=" + num(c.stop_accuracy) + " checkpoint_every=" +
                 std::to_string(c.checkpoint_every) + "\n";
    return c;
}

train_config load_train_config(const std::string& path, const std::vector<std::string>& overrides) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw config_error(path + ": config file does not exist");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error(path + ": cannot read file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_train_config(ss.str(), path, overrides);
}

}  // namespace cortexsim::rnn
