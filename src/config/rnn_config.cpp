#include "cortexsim/config/rnn_config.hpp"
#include "cortexsim/common/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/memory.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/io/rnn_weights.hpp"
#include "cortexsim/rnn/random_init.hpp"
#include "cortexsim/rnn/tasks.hpp"
#include "config_sections.hpp"
#include "yaml_reader.hpp"

namespace cortexsim {
namespace {

namespace fs = std::filesystem;

/// Networks up to this many units have every value of their W_rec checked by the config; larger ones are
/// checked block by block by the ranks that read their rows (rnn_recurrent_rows).
constexpr std::size_t full_check_units = 4096;

std::string num(double v) { return shortest_text(v); }

using yaml_reader::section;
using yaml_reader::value;

/// What every rank holds of a network of s.n_units units, whatever the rank count: the unit names (the areas),
/// the readout W_out and the partition's per-unit tables. Throws config_error "<prefix>a network of ..." if it
/// cannot fit.
void check_network_size(const rnn_spec& s, const std::string& prefix) {
    check_allocation(product_of({static_cast<double>(s.n_units), 8.0 * static_cast<double>(s.n_out) + 96.0}),
                     prefix + "a network of " + std::to_string(s.n_units) + " units with " + std::to_string(s.n_out) +
                         " outputs (unit names, readout weights, on every rank)");
}

/// model.rnn.weights: a weights file (attributes and shapes, then every value this config can afford to look
/// at); fills the network's sizes, kinds and readout into s, its task description into file_task.
void read_weights(const section& r, const std::string& base_dir, rnn_spec& s, std::string& file_task,
                  std::vector<data_file>& files) {
    const std::string& origin = r.origin();
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
        s.tau_ms = 0.0;             // per unit, in the file
        check_network_size(s, "");  // (prefixed below)
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
    files.push_back(std::move(f));
}

/// model.rnn.task (a description or a map), else the weights file's task (none: nullptr).
std::shared_ptr<const rnn::task> read_task_of(const section& r, const rnn_spec& s, const std::string& file_task) {
    const std::string& origin = r.origin();
    const value tn = r.at("task");
    if (tn.present()) {
        if (tn.is_map()) return config_sections::read_task(tn.map());
        if (!tn.is_scalar())
            throw config_error(origin + ": 'model.rnn.task' must be a task description (\"nback n=2 ...\") or a map "
                                        "of task keys (name: nback, n: 2, ...)");
        try {
            return rnn::task_from_description(tn.text());
        } catch (const error& e) {
            throw config_error(origin + ": 'model.rnn.task': " + e.what());
        }
    }
    if (file_task.empty()) return nullptr;
    try {
        return rnn::task_from_description(file_task);
    } catch (const error& e) {
        throw data_error(origin + ": 'model.rnn.weights' = '" + s.weights_path + "': attribute 'task': " + e.what());
    }
}

/// model.rnn.init: a random network (inputs and outputs default to the task's).
void read_init(const section& r, const rnn::task* task, rnn_spec& s) {
    const std::string& origin = r.origin();
    const section in = r.at("init").map();
    in.only({"units", "kind", "activation", "readout", "spectral_radius", "density", "tau_ms", "dt_ms", "inputs",
             "outputs", "input_scale", "output_scale", "seed"});
    (void)in.required("units");
    s.n_units = static_cast<std::size_t>(in.whole("units", 0, 1));
    if (s.n_units >= (std::size_t{1} << 31)) in.at("units").fail("is too large (at most 2^31 - 1)");
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
    if (!(s.spectral_radius >= 0.0)) in.at("spectral_radius").fail("must be >= 0");
    s.density = in.number("density", 1.0);
    if (!(s.density > 0.0 && s.density <= 1.0)) in.at("density").fail("must be in (0, 1]");
    s.dt_ms = in.number("dt_ms", 10.0);
    if (!(s.dt_ms > 0.0)) in.at("dt_ms").fail("must be > 0");
    s.tau_ms = in.number("tau_ms", s.kind == rnn::rnn_kind::vanilla ? s.dt_ms : 100.0);
    if (s.kind == rnn::rnn_kind::leaky && !(s.tau_ms >= s.dt_ms))
        in.at("tau_ms").fail("must be >= model.rnn.init.dt_ms = " + num(s.dt_ms) +
                             " (a leaky network needs dt <= tau)");
    if (!(s.tau_ms > 0.0)) in.at("tau_ms").fail("must be > 0");
    s.input_scale = in.number("input_scale", 1.0);
    s.output_scale = in.number("output_scale", 1.0);
    s.init_seed = static_cast<std::uint64_t>(in.whole("seed", 1));
    if (!task && !in.has("inputs"))
        throw config_error(origin + ": 'model.rnn.init' needs 'inputs' (or a 'model.rnn.task' to take them from)");
    if (!task && !in.has("outputs"))
        throw config_error(origin + ": 'model.rnn.init' needs 'outputs' (or a 'model.rnn.task' to take them from)");
    s.n_in = static_cast<std::size_t>(in.whole("inputs", task ? static_cast<std::int64_t>(task->n_inputs()) : 0, 0));
    s.n_out = static_cast<std::size_t>(in.whole("outputs", task ? static_cast<std::int64_t>(task->n_outputs()) : 1, 1));
    check_network_size(s, origin + ": 'model.rnn.init.units' = " + std::to_string(s.n_units) + ": ");
    rnn::random_readout(s, s.W_out, s.b_out);
}

/// model.rnn.trials: the trials fed in.
void read_trials(const section& r, const rnn::task* task, rnn_spec& s) {
    if (!task)
        throw config_error(r.origin() +
                           ": 'model.rnn.trials' needs a task (model.rnn.task, or a weights file with one)");
    const section t = r.at("trials").map();
    t.only({"first", "count", "seed", "reset_state"});
    s.first_trial = static_cast<std::uint64_t>(t.whole("first", 0));
    s.n_trials = static_cast<std::uint64_t>(t.whole("count", 0, 1));
    s.trial_seed = static_cast<std::uint64_t>(t.whole("seed", static_cast<std::int64_t>(s.trial_seed)));
    s.reset_state = t.flag("reset_state", false);
}

/// The units are the areas "u0".."u<N-1>" (zero-padded); one projection a -> rec through W_rec.
void set_units(model_spec& m) {
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

}  // namespace

void parse_rnn_model(const YAML::Node& node, const std::string& origin, const std::string& base_dir, model_spec& m) {
    const value v(node, "model.rnn", origin);
    if (!v.is_map()) throw config_error(origin + ": 'model.rnn' must be a map of keys");
    const section r = v.map();
    r.only({"weights", "init", "task", "trials"});
    if (r.has("weights") == r.has("init"))
        throw config_error(origin + ": 'model.rnn' needs exactly one of 'weights' (a file from cortexsim train) or "
                                    "'init' (a random network)");
    rnn_spec s;
    s.defined = true;
    std::string file_task;
    if (r.has("weights")) read_weights(r, base_dir, s, file_task, m.data_files);
    // the task before init: its inputs and outputs are the network's defaults
    const std::shared_ptr<const rnn::task> task = read_task_of(r, s, file_task);
    if (r.has("init")) read_init(r, task.get(), s);
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
    if (r.has("trials")) read_trials(r, task.get(), s);
    m.rnn = std::move(s);
    set_units(m);
}

}  // namespace cortexsim
