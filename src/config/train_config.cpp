// The YAML training config of recurrent networks (docs/rnn.md), read by the config layer's one YAML reader
// (yaml_reader.hpp): every unknown key is an error, messages are one line "FILE: 'dotted.key' ...", --set
// overrides any value (list items by index), null values count as absent.
#include "cortexsim/config/train_config.hpp"

#include <cmath>
#include <filesystem>

#include "config_sections.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/memory.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/config/config.hpp"
#include "yaml_reader.hpp"

namespace cortexsim {
namespace {

namespace fs = std::filesystem;
using yaml_reader::section;
using namespace rnn;

std::string num(double v) { return shortest_text(v); }

/// A number in (lo, hi] or [lo, hi] (closed_lo).
double number_in(const section& s, const char* k, double def, double lo, double hi, bool closed_lo) {
    const double v = s.number(k, def);
    const bool ok_lo = closed_lo ? v >= lo : v > lo;
    if (!ok_lo || v > hi) {
        const std::string range = std::string(closed_lo ? "[" : "(") + num(lo) + ", " +
                                  (std::isinf(hi) ? std::string("inf)") : num(hi) + "]");
        throw config_error(s.origin() + ": '" + s.key(k) + "' = " + num(v) + " must be in " + range);
    }
    return v;
}

/// One of the names an enumeration parses (rnn::parse).
template <class E>
E choice(const section& s, const char* k, E def, const char* allowed) {
    if (!s.has(k)) return def;
    const std::string v = s.text(k, "");
    E out{};
    if (!parse(v, out))
        throw config_error(s.origin() + ": '" + s.key(k) + "' = '" + v + "' (allowed: " + allowed + ")");
    return out;
}

/// network.tau_ms: a number, or [min, max] (per unit, log-uniform); default 5 dt.
void read_tau(const section& n, init_params& p) {
    const std::string& origin = n.origin();
    const yaml_reader::value t = n.at("tau_ms");
    if (!t.present()) {
        p.tau_min_ms = p.tau_max_ms = 5.0 * p.dt_ms;
    } else if (t.is_list()) {
        const auto items = t.items();
        if (items.size() != 2)
            throw config_error(origin + ": '" + n.key("tau_ms") + "' must be a number or a list [min, max]");
        p.tau_min_ms = items[0].number();
        p.tau_max_ms = items[1].number();
        if (!(p.tau_min_ms > 0.0) || !(p.tau_max_ms >= p.tau_min_ms))
            throw config_error(origin + ": '" + n.key("tau_ms") + "' = [" + num(p.tau_min_ms) + ", " +
                               num(p.tau_max_ms) + "] must satisfy 0 < min <= max");
    } else {
        p.tau_min_ms = p.tau_max_ms = number_in(n, "tau_ms", 50.0, 0.0, INFINITY, false);
    }
    if (p.kind == rnn_kind::leaky && p.tau_min_ms < p.dt_ms)
        throw config_error(origin + ": '" + n.key("tau_ms") + "' (" + num(p.tau_min_ms) + " ms) is smaller than '" +
                           n.key("dt_ms") + "' = " + num(p.dt_ms) + " ms (a leaky network needs dt <= tau)");
}

/// network: the initial weights; returns network.radius_scaling as written (for the listing).
std::string read_network(const section& n, const task& t, init_params& p) {
    n.only({"kind", "units", "activation", "readout", "dt_ms", "tau_ms", "spectral_radius", "radius_scaling",
            "input_scale", "output_scale", "seed"});
    p.kind = choice(n, "kind", rnn_kind::leaky, "vanilla, leaky");
    p.n_rec = static_cast<std::size_t>(n.whole("units", 64, 1));
    p.activation = choice(n, "activation", activation_kind::relu, "relu, tanh, sigmoid, softplus");
    p.readout = choice(n, "readout", readout_kind::softmax, "identity, sigmoid, softmax");
    p.dt_ms = number_in(n, "dt_ms", 10.0, 0.0, INFINITY, false);
    read_tau(n, p);
    p.spectral_radius = number_in(n, "spectral_radius", 0.9, 0.0, INFINITY, true);
    const std::string scaling = n.text("radius_scaling", "measured");
    if (scaling != "measured" && scaling != "circular_law")
        throw config_error(n.origin() + ": '" + n.key("radius_scaling") + "' = '" + scaling +
                           "' (allowed: measured, circular_law)");
    p.measured_radius = scaling == "measured";
    p.input_scale = number_in(n, "input_scale", 1.0, 0.0, INFINITY, true);
    p.output_scale = number_in(n, "output_scale", 1.0, 0.0, INFINITY, true);
    p.seed = static_cast<std::uint64_t>(n.whole("seed", 1));
    p.n_in = t.n_inputs();
    p.n_out = t.n_outputs();
    // every rank holds the parameters, their gradients, the optimiser's moments and copies for the reduction
    // (about 10 x the parameter count), and the states of one trial
    const double N = static_cast<double>(p.n_rec), I = static_cast<double>(p.n_in), O = static_cast<double>(p.n_out);
    const double n_params = N * N + N * I + 2.0 * N + O * N + O;
    check_allocation(8.0 * (10.0 * n_params + 4.0 * static_cast<double>(t.n_steps()) * (N + O + I)),
                     n.origin() + ": '" + n.key("units") + "' = " + std::to_string(p.n_rec) +
                         ": training a network of " + shortest_text(n_params) +
                         " parameters (weights, gradients and optimiser state)");
    return scaling;
}

/// training: loss and optimiser.
void read_training(const section& t, const section& n, train_config& c) {
    const std::string& origin = t.origin();
    t.only({"loss", "batch", "iterations", "learning_rate", "beta1", "beta2", "epsilon", "clip_norm", "progress_every",
            "eval_trials", "stop_accuracy"});
    c.loss = choice(t, "loss", loss_kind::cross_entropy, "cross_entropy, mse");
    if (c.loss == loss_kind::cross_entropy && c.network.readout != readout_kind::softmax)
        throw config_error(origin + ": '" + t.key("loss") + "' = cross_entropy needs '" + n.key("readout") +
                           "' = softmax (it is '" + to_string(c.network.readout) + "')");
    c.batch = t.whole("batch", c.batch, 1);
    c.iterations = t.whole("iterations", c.iterations, 0);
    c.learning_rate = number_in(t, "learning_rate", c.learning_rate, 0.0, INFINITY, false);
    c.beta1 = number_in(t, "beta1", c.beta1, 0.0, 1.0, true);
    c.beta2 = number_in(t, "beta2", c.beta2, 0.0, 1.0, true);
    if (c.beta1 >= 1.0) throw config_error(origin + ": '" + t.key("beta1") + "' = " + num(c.beta1) + " must be < 1");
    if (c.beta2 >= 1.0) throw config_error(origin + ": '" + t.key("beta2") + "' = " + num(c.beta2) + " must be < 1");
    c.epsilon = number_in(t, "epsilon", c.epsilon, 0.0, INFINITY, false);
    c.clip_norm = number_in(t, "clip_norm", c.clip_norm, 0.0, INFINITY, true);
    c.progress_every = t.whole("progress_every", c.progress_every, 1);
    c.eval_trials = t.whole("eval_trials", c.eval_trials, 0);
    c.stop_accuracy = number_in(t, "stop_accuracy", c.stop_accuracy, 0.0, 1.0, true);
}

/// The canonical listing (c.resolved) and the fingerprint of the trajectory-determining values.
void set_listing(train_config& c, const std::string& scaling) {
    const init_params& p = c.network;
    const std::string task_line = "task: " + c.task_ptr->description() + "\n";
    const std::string net_line = "network: kind=" + to_string(p.kind) + " units=" + std::to_string(p.n_rec) +
                                 " activation=" + to_string(p.activation) + " readout=" + to_string(p.readout) +
                                 " dt_ms=" + num(p.dt_ms) + " tau_ms=[" + num(p.tau_min_ms) + "," + num(p.tau_max_ms) +
                                 "] spectral_radius=" + num(p.spectral_radius) + " radius_scaling=" + scaling +
                                 " input_scale=" + num(p.input_scale) + " output_scale=" + num(p.output_scale) +
                                 " seed=" + std::to_string(p.seed) + "\n";
    const std::string train_line = "training: loss=" + to_string(c.loss) + " batch=" + std::to_string(c.batch) +
                                   " learning_rate=" + num(c.learning_rate) + " beta1=" + num(c.beta1) +
                                   " beta2=" + num(c.beta2) + " epsilon=" + num(c.epsilon) +
                                   " clip_norm=" + num(c.clip_norm) + "\n";
    c.fingerprint = sha256::of(task_line + net_line + train_line);
    c.resolved = task_line + net_line + train_line + "run: iterations=" + std::to_string(c.iterations) +
                 " progress_every=" + std::to_string(c.progress_every) +
                 " eval_trials=" + std::to_string(c.eval_trials) + " stop_accuracy=" + num(c.stop_accuracy) +
                 " checkpoint_every=" + std::to_string(c.checkpoint_every) + "\n";
}

}  // namespace

train_config parse_train_config(const std::string& yaml_text, const std::string& origin,
                                const std::vector<std::string>& overrides) {
    YAML::Node root = yaml_reader::load(yaml_text, origin);
    if (!root.IsMap()) throw config_error(origin + ": the top level must be a map of sections");
    yaml_reader::apply_overrides(root, overrides, origin, "training.iterations=200");

    train_config c;
    c.config_path = origin;
    c.config_text = yaml_text;
    c.config_sha256 = sha256::of(yaml_text);
    c.overrides = overrides;

    const section top(root, "", origin);
    top.only({"task", "network", "training", "checkpoint", "output"});
    for (const char* k : {"task", "network", "training"})
        if (!top.has(k)) throw config_error(origin + ": missing required section '" + k + "'");
    c.task_ptr = config_sections::read_task(top.sub("task"));
    const std::string scaling = read_network(top.sub("network"), *c.task_ptr, c.network);
    read_training(top.sub("training"), top.sub("network"), c);
    // output and checkpoint (paths relative to the working directory, as -o)
    const section o = top.sub("output");
    o.only({"path"});
    c.output_path = o.text("path", fs::path(origin).stem().string() + ".h5");
    const section ck = top.sub("checkpoint");
    ck.only({"path", "every", "keep"});
    c.checkpoint_path = ck.text("path", "");
    c.checkpoint_every = ck.whole("every", 0, 0);
    c.checkpoint_keep = ck.flag("keep", false);
    set_listing(c, scaling);
    return c;
}

train_config load_train_config(const std::string& path, const std::vector<std::string>& overrides) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw config_error(path + ": config file does not exist");
    return parse_train_config(read_text_file(path), path, overrides);
}

}  // namespace cortexsim
