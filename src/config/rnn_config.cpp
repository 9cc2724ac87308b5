#include "cortexsim/config/rnn_config.hpp"
#include "cortexsim/common/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/io/rnn_weights.hpp"
#include "cortexsim/rnn/random_init.hpp"
#include "cortexsim/rnn/tasks.hpp"

namespace cortexsim {
namespace {

namespace fs = std::filesystem;

/// Networks up to this many units have every value of their W_rec checked by the config; larger ones are
/// checked block by block by the ranks that read their rows (rnn_recurrent_rows).
constexpr std::size_t full_check_units = 4096;

std::string num(double v) { return shortest_text(v); }

/// A view of one YAML map that remembers its dotted path and checks keys (the behaviour of config.cpp's
/// `section`: unknown keys are errors; messages name the file, the dotted key and the value).
class section {
public:
    section(YAML::Node node, std::string path, const std::string& origin)
        : node_(std::move(node)), path_(std::move(path)), origin_(origin) {
        if (node_ && !node_.IsNull() && !node_.IsMap())
            throw config_error(origin_ + ": '" + path_ + "' must be a map of keys");
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

    bool has(const char* k) const { return node_ && node_.IsMap() && node_[k]; }
    std::string key(const std::string& k) const { return path_ + "." + k; }
    const std::string& path() const { return path_; }
    const std::string& origin() const { return origin_; }
    section sub(const char* k) const { return section(has(k) ? node_[k] : YAML::Node(), key(k), origin_); }
    YAML::Node raw(const char* k) const { return has(k) ? node_[k] : YAML::Node(); }

    [[noreturn]] void bad(const char* k, const std::string& why) const {
        throw config_error(origin_ + ": '" + key(k) + "' = " + value(k) + " " + why);
    }
    std::string value(const char* k) const {
        const YAML::Node n = node_[k];
        return n.IsScalar() ? n.as<std::string>() : "(not a value)";
    }

    double number(const char* k, double def) const {
        if (!has(k)) return def;
        const YAML::Node n = node_[k];
        if (!n.IsScalar()) throw config_error(origin_ + ": '" + key(k) + "' must be a number");
        double v = 0;
        try {
            v = n.as<double>();
        } catch (const YAML::Exception&) {
            throw config_error(origin_ + ": '" + key(k) + "' = '" + n.as<std::string>() + "' is not a number");
        }
        if (!std::isfinite(v)) throw config_error(origin_ + ": '" + key(k) + "' = " + n.as<std::string>() + " is not finite");
        return v;
    }
    /// A whole number >= min (exactly representable: below 2^53).
    std::uint64_t whole(const char* k, std::uint64_t def, std::uint64_t min = 0) const {
        if (!has(k)) return def;
        const double v = number(k, 0.0);
        if (v != std::floor(v) || v < static_cast<double>(min) || v >= 9007199254740992.0)
            bad(k, "must be a whole number >= " + std::to_string(min));
        return static_cast<std::uint64_t>(v);
    }
    std::string text(const char* k, const std::string& def) const {
        if (!has(k)) return def;
        const YAML::Node n = node_[k];
        if (!n.IsScalar()) throw config_error(origin_ + ": '" + key(k) + "' must be a string");
        return n.as<std::string>();
    }
    bool flag(const char* k, bool def) const {
        if (!has(k)) return def;
        const YAML::Node n = node_[k];
        bool b = false;
        if (!n.IsScalar() || !YAML::convert<bool>::decode(n, b))
            throw config_error(origin_ + ": '" + key(k) + "' = " + value(k) + " must be true or false");
        return b;
    }

private:
    YAML::Node node_;
    std::string path_;
    const std::string& origin_;
};

/// `model.rnn.task` as a map (the keys of a training config's `task:` section, docs/rnn.md) -> a description.
std::string task_description_of_map(const section& t) {
    if (t.has("name") && t.has("kind"))
        throw config_error(t.origin() + ": '" + t.path() + "' has both 'name' and 'kind' (one of them names the task)");
    const char* name_key = t.has("kind") ? "kind" : "name";
    const std::string name = t.text(name_key, "");
    if (name.empty()) throw config_error(t.origin() + ": missing required key '" + t.key("name") + "'");
    std::vector<const char*> ints;
    bool probability = false;
    if (name == "nback") {
        t.only({"name", "kind", "seed", "n", "alphabet", "items", "stim_steps", "gap_steps", "match_probability",
                "response_delay_steps"});
        ints = {"n", "alphabet", "items", "stim_steps", "gap_steps", "response_delay_steps"};
        probability = true;
    } else if (name == "dms") {
        t.only({"name", "kind", "seed", "stimuli", "pre_steps", "sample_steps", "delay_steps", "test_steps",
                "response_steps", "match_probability", "response_delay_steps"});
        ints = {"stimuli", "pre_steps", "sample_steps", "delay_steps", "test_steps", "response_steps",
                "response_delay_steps"};
        probability = true;
    } else if (name == "cue_delay") {
        t.only({"name", "kind", "seed", "cues", "pre_steps", "cue_steps", "delay_steps", "response_steps",
                "response_delay_steps"});
        ints = {"cues", "pre_steps", "cue_steps", "delay_steps", "response_steps", "response_delay_steps"};
    } else {
        throw config_error(t.origin() + ": '" + t.key(name_key) + "' = '" + name + "' (allowed: nback, dms, cue_delay)");
    }
    std::string d = name;
    for (const char* k : ints)
        if (t.has(k)) {
            const double v = t.number(k, 0.0);
            if (v != std::floor(v) || std::fabs(v) > 1e15) t.bad(k, "must be a whole number");
            d += std::string(" ") + k + "=" + std::to_string(static_cast<long long>(v));
        }
    if (probability && t.has("match_probability")) d += " match_probability=" + num(t.number("match_probability", 0.0));
    if (t.has("seed")) d += " seed=" + std::to_string(t.whole("seed", 1));
    return d;
}

}  // namespace

void parse_rnn_model(const YAML::Node& node, const std::string& origin, const std::string& base_dir, model_spec& m) {
    if (!node || !node.IsMap()) throw config_error(origin + ": 'model.rnn' must be a map of keys");
    const section r(node, "model.rnn", origin);
    r.only({"weights", "init", "task", "trials"});
    if (r.has("weights") == r.has("init"))
        throw config_error(origin + ": 'model.rnn' needs exactly one of 'weights' (a file from cortexsim train) or "
                           "'init' (a random network)");
    rnn_spec s;
    s.defined = true;
    std::string file_task;

    if (r.has("weights")) {
        // ---- a weights file: attributes and shapes, then every value this config can afford to look at
        const std::string rel = r.text("weights", "");
        fs::path p(rel);
        if (!p.is_absolute() && !base_dir.empty()) p = fs::path(base_dir) / p;
        s.weights_path = p.lexically_normal().string();
        std::error_code ec;
        if (rel.empty() || !fs::is_regular_file(s.weights_path, ec))
            throw data_error(origin + ": 'model.rnn.weights' names '" + s.weights_path +
                             "', which does not exist (make it with: cortexsim train CONFIG -o FILE)");
        const std::string key = "'model.rnn.weights': ";  // the messages of the reader start with the path
        try {
            const rnn_weights_header h = read_rnn_weights_header(s.weights_path);
            s.kind = h.kind;
            s.activation = h.activation;
            s.readout = h.readout;
            s.dt_ms = h.dt_ms;
            s.n_units = h.n_rec;
            s.n_in = h.n_in;
            s.n_out = h.n_out;
            file_task = h.task;
            s.tau_ms = 0.0;  // per unit, in the file
            s.W_out = read_rnn_weights_rows(s.weights_path, "/W_out", 0, s.n_out);
            s.b_out = read_rnn_weights_rows(s.weights_path, "/b_out", 0, s.n_out);
            (void)read_rnn_weights_rows(s.weights_path, "/W_in", 0, s.n_units);
            (void)read_rnn_weights_rows(s.weights_path, "/b", 0, s.n_units);
            const std::vector<double> tau = read_rnn_weights_rows(s.weights_path, "/tau_ms", 0, s.n_units);
            for (std::size_t i = 0; i < tau.size(); ++i) {
                if (!(tau[i] > 0.0))
                    throw data_error(s.weights_path + ": /tau_ms: value " + num(tau[i]) + " at [" + std::to_string(i) +
                                     "] must be > 0");
                if (s.kind == rnn::rnn_kind::leaky && tau[i] < s.dt_ms)
                    throw data_error(s.weights_path + ": /tau_ms: value " + num(tau[i]) + " at [" + std::to_string(i) +
                                     "] is smaller than dt_ms = " + num(s.dt_ms) + " (a leaky network needs dt <= tau)");
            }
            if (s.n_units <= full_check_units) {
                const std::size_t rows = std::max<std::size_t>(1, (std::size_t{1} << 19) / s.n_units);
                for (std::size_t r0 = 0; r0 < s.n_units; r0 += rows)
                    (void)read_rnn_weights_rows(s.weights_path, "/W_rec", r0, std::min(s.n_units, r0 + rows));
            }
        } catch (const error& e) {
            throw data_error(origin + ": " + key + e.what());
        }
        data_file f;
        f.key = "model.rnn.weights";
        f.path = s.weights_path;
        f.content = read_text_file(s.weights_path);
        f.sha256 = sha256::of(f.content);
        m.data_files.push_back(std::move(f));
    }

    // ---- the task (before init: its inputs and outputs are the network's defaults)
    std::shared_ptr<const rnn::task> task;
    if (r.has("task")) {
        const YAML::Node tn = r.raw("task");
        std::string description;
        if (tn.IsScalar()) {
            description = tn.as<std::string>();
        } else if (tn.IsMap()) {
            description = task_description_of_map(r.sub("task"));
        } else {
            throw config_error(origin + ": 'model.rnn.task' must be a task description (\"nback n=2 ...\") or a map "
                               "of task keys (name: nback, n: 2, ...)");
        }
        try {
            task = rnn::task_from_description(description);
        } catch (const error& e) {
            throw config_error(origin + ": 'model.rnn.task': " + e.what());
        }
    } else if (!file_task.empty()) {
        try {
            task = rnn::task_from_description(file_task);
        } catch (const error& e) {
            throw data_error(origin + ": 'model.rnn.weights' = '" + s.weights_path + "': attribute 'task': " + e.what());
        }
    }

    if (r.has("init")) {
        // ---- a random network
        const section in = r.sub("init");
        if (!r.raw("init").IsMap()) throw config_error(origin + ": 'model.rnn.init' must be a map of keys");
        in.only({"units", "kind", "activation", "readout", "spectral_radius", "density", "tau_ms", "dt_ms", "inputs",
                 "outputs", "input_scale", "output_scale", "seed"});
        if (!in.has("units")) throw config_error(origin + ": missing required key 'model.rnn.init.units'");
        s.n_units = static_cast<std::size_t>(in.whole("units", 0, 1));
        if (s.n_units >= (std::size_t{1} << 31)) in.bad("units", "is too large (at most 2^31 - 1)");
        const std::string kind = in.text("kind", "leaky"), act = in.text("activation", "tanh"),
                          ro = in.text("readout", "softmax");
        if (!rnn::parse(kind, s.kind))
            throw config_error(origin + ": 'model.rnn.init.kind' = '" + kind + "' (allowed: vanilla, leaky)");
        if (!rnn::parse(act, s.activation))
            throw config_error(origin + ": 'model.rnn.init.activation' = '" + act +
                               "' (allowed: relu, tanh, sigmoid, softplus)");
        if (!rnn::parse(ro, s.readout))
            throw config_error(origin + ": 'model.rnn.init.readout' = '" + ro + "' (allowed: identity, sigmoid, softmax)");
        s.spectral_radius = in.number("spectral_radius", 0.9);
        if (!(s.spectral_radius >= 0.0)) in.bad("spectral_radius", "must be >= 0");
        s.density = in.number("density", 1.0);
        if (!(s.density > 0.0 && s.density <= 1.0)) in.bad("density", "must be in (0, 1]");
        s.dt_ms = in.number("dt_ms", 10.0);
        if (!(s.dt_ms > 0.0)) in.bad("dt_ms", "must be > 0");
        s.tau_ms = in.number("tau_ms", s.kind == rnn::rnn_kind::vanilla ? s.dt_ms : 100.0);
        if (s.kind == rnn::rnn_kind::leaky && !(s.tau_ms >= s.dt_ms))
            in.bad("tau_ms", "must be >= model.rnn.init.dt_ms = " + num(s.dt_ms) + " (a leaky network needs dt <= tau)");
        if (!(s.tau_ms > 0.0)) in.bad("tau_ms", "must be > 0");
        s.input_scale = in.number("input_scale", 1.0);
        s.output_scale = in.number("output_scale", 1.0);
        s.init_seed = in.whole("seed", 1);
        if (!task && !in.has("inputs"))
            throw config_error(origin + ": 'model.rnn.init' needs 'inputs' (or a 'model.rnn.task' to take them from)");
        if (!task && !in.has("outputs"))
            throw config_error(origin + ": 'model.rnn.init' needs 'outputs' (or a 'model.rnn.task' to take them from)");
        s.n_in = static_cast<std::size_t>(in.whole("inputs", task ? task->n_inputs() : 0, 0));
        s.n_out = static_cast<std::size_t>(in.whole("outputs", task ? task->n_outputs() : 1, 1));
        rnn::random_readout(s, s.W_out, s.b_out);
    }

    if (task) {
        const std::string net = r.has("weights") ? "the network of 'model.rnn.weights'" : "'model.rnn.init'";
        if (task->n_inputs() != s.n_in || task->n_outputs() != s.n_out)
            throw config_error(origin + ": the task '" + task->description() + "' has " +
                               std::to_string(task->n_inputs()) + " inputs and " + std::to_string(task->n_outputs()) +
                               " response classes, " + net + " " + std::to_string(s.n_in) + " inputs and " +
                               std::to_string(s.n_out) + " outputs");
        s.task = task->description();
        s.trial_steps = task->n_steps();
        s.trial_seed = task->seed();
    }

    // ---- the trials fed in
    if (r.has("trials")) {
        if (!task)
            throw config_error(origin + ": 'model.rnn.trials' needs a task (model.rnn.task, or a weights file with one)");
        const section t = r.sub("trials");
        if (!r.raw("trials").IsMap()) throw config_error(origin + ": 'model.rnn.trials' must be a map of keys");
        t.only({"first", "count", "seed", "reset_state"});
        s.first_trial = t.whole("first", 0);
        s.n_trials = t.whole("count", 0, 1);
        s.trial_seed = t.whole("seed", s.trial_seed);
        s.reset_state = t.flag("reset_state", false);
    }

    // ---- the units are the areas; one projection a -> rec through W_rec
    m.rnn = std::move(s);
    const std::size_t N = m.rnn.n_units;
    const std::size_t width = std::to_string(N - 1).size();
    m.areas = area_table{};
    m.areas.names.reserve(N);
    for (std::size_t i = 0; i < N; ++i) {
        const std::string id = std::to_string(i);
        std::string name(1, 'u');
        name.append(width - id.size(), '0');
        name += id;
        m.areas.names.push_back(std::move(name));
    }
    m.areas.hierarchy.assign(N, 0.0);
    projection_spec pr;
    pr.name = "recurrent";
    pr.source = 0;  // variable a
    pr.target = 0;  // input channel rec
    pr.matrix = "W_rec";
    pr.power = 1.0;
    pr.normalise_rows = false;
    pr.scale = 1.0;
    pr.sln = "none";
    pr.gradient = "";
    m.projections = {pr};
}

}  // namespace cortexsim
