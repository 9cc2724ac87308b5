#include "cortexsim/config/rnn_config.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cortexsim/common/counter_rng.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/rnn/tasks.hpp"
#include "cortexsim/rnn/weights.hpp"

namespace cortexsim {
namespace {

namespace fs = std::filesystem;

struct keys {
    const YAML::Node& node;
    std::string path, origin;
    void only(std::initializer_list<const char*> allowed) const {
        if (!node || !node.IsMap()) throw config_error(origin + ": '" + path + "' must be a map of keys");
        for (const auto& kv : node) {
            const std::string k = kv.first.as<std::string>();
            bool ok = false;
            for (const char* a : allowed) ok = ok || k == a;
            if (!ok) {
                std::string list;
                for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
                throw config_error(origin + ": unknown key '" + path + "." + k + "' (allowed here: " + list + ")");
            }
        }
    }
    bool has(const char* k) const { return node[k].IsDefined() && !node[k].IsNull(); }
    std::string text(const char* k, const std::string& def) const {
        if (!has(k)) return def;
        if (!node[k].IsScalar()) throw config_error(origin + ": '" + path + "." + k + "' must be a string");
        return node[k].as<std::string>();
    }
    double number(const char* k, double def) const {
        if (!has(k)) return def;
        const std::string s = text(k, "");
        try {
            std::size_t used = 0;
            const double v = std::stod(s, &used);
            if (used != s.size() || !std::isfinite(v)) throw std::invalid_argument(s);
            return v;
        } catch (const std::exception&) {
            throw config_error(origin + ": '" + path + "." + k + "' = '" + s + "' is not a number");
        }
    }
    std::uint64_t whole(const char* k, std::uint64_t def, double min = 0) const {
        const double v = number(k, static_cast<double>(def));
        if (v < min || v != std::floor(v))
            throw config_error(origin + ": '" + path + "." + k + "' = " + text(k, "") + " must be a whole number >= " +
                               std::to_string(static_cast<long long>(min)));
        return static_cast<std::uint64_t>(v);
    }
};

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

void parse_rnn_model(const YAML::Node& node, const std::string& origin, const std::string& base_dir, model_spec& m) {
    const keys r{node, "model.rnn", origin};
    r.only({"weights", "init", "task", "trials"});
    rnn_spec& s = m.rnn;
    if (r.has("weights") == r.has("init"))
        throw config_error(origin + ": 'model.rnn' needs exactly one of 'weights' (a file from cortexsim train) or 'init'");
    if (r.has("weights")) {
        fs::path p(r.text("weights", ""));
        if (!p.is_absolute()) p = fs::path(base_dir) / p;
        s.weights_path = p.lexically_normal().string();
        std::error_code ec;
        if (!fs::is_regular_file(s.weights_path, ec))
            throw data_error(origin + ": 'model.rnn.weights' names '" + s.weights_path +
                             "', which does not exist (make it with: cortexsim train CONFIG -o FILE)");
        auto w = std::make_shared<rnn::rnn_weights>(rnn::read_rnn_weights(s.weights_path));
        s.kind = w->kind;
        s.activation = w->activation;
        s.readout = w->readout;
        s.dt_ms = w->dt_ms;
        s.n_units = w->n_rec;
        s.n_in = w->n_in;
        s.n_out = w->n_out;
        s.W_out = w->W_out;
        s.b_out = w->b_out;
        s.task = w->task;
        s.weights = w;
        data_file f;
        f.key = "model.rnn.weights";
        f.path = s.weights_path;
        f.content = read_all(s.weights_path);
        f.sha256 = sha256::of(f.content);
        m.data_files.push_back(std::move(f));
    }
    if (r.has("task")) s.task = r.text("task", "");
    if (s.task.empty())
        throw config_error(origin + ": 'model.rnn.task' is needed (a task description such as \"nback n=2 alphabet=6 "
                           "items=16 stim_steps=3 gap_steps=2 match_probability=0.4 response_delay_steps=1 seed=1\")");
    std::shared_ptr<const rnn::task> task;
    try {
        task = rnn::task_from_description(s.task);
    } catch (const std::exception& e) {
        throw config_error(origin + ": 'model.rnn.task': " + e.what());
    }
    if (r.has("init")) {
        const keys in{node["init"], "model.rnn.init", origin};
        in.only({"units", "kind", "activation", "readout", "spectral_radius", "density", "tau_ms", "dt_ms",
                 "input_scale", "output_scale", "seed"});
        s.n_units = in.whole("units", 0, 1);
        const std::string kind = in.text("kind", "leaky"), act = in.text("activation", "tanh"),
                          ro = in.text("readout", "softmax");
        if (!rnn::parse(kind, s.kind)) throw config_error(origin + ": 'model.rnn.init.kind' = '" + kind + "' (allowed: vanilla, leaky)");
        if (!rnn::parse(act, s.activation))
            throw config_error(origin + ": 'model.rnn.init.activation' = '" + act + "' (allowed: relu, tanh, sigmoid, softplus)");
        if (!rnn::parse(ro, s.readout))
            throw config_error(origin + ": 'model.rnn.init.readout' = '" + ro + "' (allowed: identity, sigmoid, softmax)");
        s.spectral_radius = in.number("spectral_radius", 0.9);
        s.density = in.number("density", 1.0);
        s.dt_ms = in.number("dt_ms", 10.0);
        s.tau_ms = in.number("tau_ms", s.kind == rnn::rnn_kind::vanilla ? s.dt_ms : 100.0);
        s.input_scale = in.number("input_scale", 1.0);
        s.output_scale = in.number("output_scale", 1.0);
        s.init_seed = in.whole("seed", 1);
        if (!(s.density > 0 && s.density <= 1)) throw config_error(origin + ": 'model.rnn.init.density' must be in (0, 1]");
        if (!(s.spectral_radius >= 0)) throw config_error(origin + ": 'model.rnn.init.spectral_radius' must be >= 0");
        if (!(s.dt_ms > 0) || !(s.tau_ms >= s.dt_ms))
            throw config_error(origin + ": 'model.rnn.init' needs dt_ms > 0 and tau_ms >= dt_ms");
        s.n_in = task->n_inputs();
        s.n_out = task->n_outputs();
        // W_out ~ N(0, output_scale^2 / N), keyed by (seed, output, unit): the same on every rank
        s.W_out.assign(s.n_out * s.n_units, 0.0);
        s.b_out.assign(s.n_out, 0.0);
        const philox_key key = key_of(s.init_seed);
        const double sd = s.output_scale / std::sqrt(static_cast<double>(s.n_units));
        for (std::size_t q = 0; q < s.n_out; ++q)
            for (std::size_t j = 0; j < s.n_units; j += 2) {
                const auto z = normal2(counter_of(j, static_cast<std::uint32_t>(q), 42), key);
                s.W_out[q * s.n_units + j] = sd * z[0];
                if (j + 1 < s.n_units) s.W_out[q * s.n_units + j + 1] = sd * z[1];
            }
    }
    if (task->n_inputs() != s.n_in || task->n_outputs() != s.n_out)
        throw config_error(origin + ": 'model.rnn.task' has " + std::to_string(task->n_inputs()) + " inputs and " +
                           std::to_string(task->n_outputs()) + " outputs, the network " + std::to_string(s.n_in) +
                           " and " + std::to_string(s.n_out));
    if (r.has("trials")) {
        const keys t{node["trials"], "model.rnn.trials", origin};
        t.only({"first", "count", "seed"});
        s.first_trial = t.whole("first", 0);
        s.n_trials = t.whole("count", 1, 1);
        s.trial_seed = t.whole("seed", task->seed());
    } else {
        s.trial_seed = task->seed();
    }
    s.defined = true;

    // the units are the areas; one projection a -> rec through W_rec
    const std::size_t width = std::to_string(s.n_units - 1).size();
    m.areas = area_table{};
    for (std::size_t i = 0; i < s.n_units; ++i) {
        std::string id = std::to_string(i);
        m.areas.names.push_back("u" + std::string(width - id.size(), '0') + id);
        m.areas.hierarchy.push_back(0.0);
    }
    projection_spec pr;
    pr.name = "recurrent";
    pr.source = 0;  // variable a
    pr.target = 0;  // channel rec
    pr.matrix = "W_rec";
    m.projections = {pr};
}

}  // namespace cortexsim
