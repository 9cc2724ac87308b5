// The sections of a run config after `model`: run, stimuli, task_stimuli, perturbations, output, analysis,
// checkpoint and sweep (docs/config.md). Every time in ms becomes a whole number of steps through steps_of().
#include <algorithm>
#include <filesystem>

#include "config_sections.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/time.hpp"
#include "cortexsim/rnn/tasks.hpp"
#include "cortexsim/io/rnn_weights.hpp"

namespace cortexsim::config_sections {
namespace {

namespace fs = std::filesystem;

/// `areas` / `sources` of a perturbation: a non-empty list of area names, or `all`.
std::vector<std::size_t> area_list(const section& x, const char* k, const area_table& areas) {
    const value n = x.required(k);
    std::vector<std::size_t> out;
    if (n.is_scalar() && n.text() == "all") {
        for (std::size_t q = 0; q < areas.size(); ++q) out.push_back(q);
        return out;
    }
    if (!n.is_list() || n.node().size() == 0) n.fail_key("must be a non-empty list of area names, or all");
    for (const value& item : n.items()) {
        const std::string a = item.text();
        const std::size_t idx = areas.find(a);
        if (idx == area_table::npos) item.fail_quoted("is not an area of the model");
        out.push_back(idx);
    }
    return out;
}

/// One item of `perturbations`.
perturbation_spec read_perturbation(const section& x, std::size_t i, const model_spec& m, const circuit_names& names) {
    const std::string& origin = x.origin();
    x.only({"name", "kind", "areas", "populations", "sources", "modulator", "value", "onset_ms", "duration_ms"});
    perturbation_spec pt;
    pt.name = x.text("name", "perturbation" + std::to_string(i));
    pt.kind = x.required_text("kind");
    if (pt.kind == "silence") {
        x.only({"name", "kind", "areas", "populations", "onset_ms", "duration_ms"});
        pt.areas = area_list(x, "areas", m.areas);
        const value pops = x.at("populations");
        if (pops.present() && !pops.is_list()) pops.fail_key("must be a list of recorded populations");
        if (pops.present())
            for (const value& item : pops.items()) {
                const std::string v = item.text();
                if (std::find(m.populations.begin(), m.populations.end(), v) == m.populations.end())
                    item.fail_quoted("is not a recorded population");
                pt.populations.push_back(v);
            }
    } else if (pt.kind == "modulator") {
        x.only({"name", "kind", "modulator", "value", "onset_ms", "duration_ms"});
        pt.modulator = names.modulators[one_of(names.modulators, x, "modulator", "a modulator", m.circuit)];
        pt.value = x.required_number("value");
    } else if (pt.kind == "lesion") {
        x.only({"name", "kind", "areas", "sources"});
        pt.areas = area_list(x, "areas", m.areas);
        pt.sources = area_list(x, "sources", m.areas);
    } else {
        throw config_error(origin + ": '" + x.key("kind") + "' = '" + pt.kind +
                           "' (allowed: silence, modulator, lesion)");
    }
    if (pt.kind != "lesion") {
        pt.onset_ms = x.required_number("onset_ms");
        pt.duration_ms = x.required_number("duration_ms");
        if (pt.onset_ms < 0) throw config_error(origin + ": '" + x.key("onset_ms") + "' must be >= 0");
        check_positive(x, "duration_ms", pt.duration_ms);
        pt.onset_step = steps_of(pt.onset_ms, m.run.dt_ms, x.where("onset_ms"));
        pt.end_step = end_step_of(pt.onset_step, pt.duration_ms, m.run.dt_ms, x.where("duration_ms"));
    }
    return pt;
}

/// The windows and rules of the working-memory analysis of nonlinear circuits.
void read_wm_analysis(const section& a, const model_spec& m, analysis_spec& out) {
    const std::string& origin = a.origin();
    out.population = a.text("population", m.populations.empty() ? "" : m.populations.front());
    if (std::find(m.populations.begin(), m.populations.end(), out.population) == m.populations.end())
        (void)one_of(m.populations, a, "population", "a recorded population", m.circuit);
    auto window = [&](const char* k, double& b, double& e) {
        const value w = a.at(k);
        if (!w.present()) return;
        if (!w.is_list() || w.node().size() != 2) w.fail_key("must be [begin_ms, end_ms]");
        const auto items = w.items();
        b = items[0].number();
        e = items[1].number();
        if (!(b >= 0 && e > b)) w.fail_key("must satisfy 0 <= begin < end");
        // rounded to steps by the analysis: at most 2^53 steps
        (void)nearest_steps_of(b, m.run.dt_ms, a.where(k) + " begin");
        (void)nearest_steps_of(e, m.run.dt_ms, a.where(k) + " end");
    };
    window("baseline_ms", out.baseline_begin_ms, out.baseline_end_ms);
    window("delay_ms", out.delay_begin_ms, out.delay_end_ms);
    window("timescale_ms", out.timescale_begin_ms, out.timescale_end_ms);
    out.max_lag_ms = a.number("max_lag_ms", 500.0);
    if (!(out.max_lag_ms > 0)) throw config_error(origin + ": 'analysis.max_lag_ms' must be > 0");
    (void)nearest_steps_of(out.max_lag_ms, m.run.dt_ms, a.where("max_lag_ms"));
    out.rule = a.text("rule", "delay_minus_baseline");
    if (out.rule != "delay_minus_baseline" && out.rule != "delay_mean")
        throw config_error(origin + ": 'analysis.rule' = '" + out.rule +
                           "' (allowed: delay_minus_baseline, delay_mean)");
    if (out.rule == "delay_minus_baseline" && a.has("delay_ms") && !a.has("baseline_ms"))
        throw config_error(origin + ": 'analysis.rule' delay_minus_baseline needs 'analysis.baseline_ms'");
    out.threshold_hz = a.number("threshold_hz", 5.0);
    out.cue = a.text("cue", "");
    out.distractor = a.text("distractor", "");
    for (const std::string* nm : {&out.cue, &out.distractor}) {
        if (nm->empty()) continue;
        bool found = false;
        for (const auto& st : m.stimuli) found = found || st.name == *nm;
        if (!found)
            throw config_error(origin + ": 'analysis." + (nm == &out.cue ? "cue" : "distractor") + "' = '" + *nm +
                               "' is not the name of a stimulus");
    }
}

}  // namespace

// ---- run -----------------------------------------------------------------------------------------------------

run_section read_run(const section& top, const model_spec& m) {
    const std::string& origin = top.origin();
    const bool linear = m.circuit == "linear_ei";
    const section r = top.sub("run");
    r.only({"t_end_ms", "dt_ms", "record_interval_ms", "integrator", "seed", "partition"});
    run_section out;
    out.partition_method = r.text("partition", "block");
    if (out.partition_method != "block" && out.partition_method != "graph")
        throw config_error(origin + ": '" + r.key("partition") + "' = '" + out.partition_method +
                           "' (allowed: block, graph)");
    run_spec& q = out.run;
    q.t_end_ms = r.required_number("t_end_ms");
    q.dt_ms = r.number("dt_ms", q.dt_ms);
    q.record_interval_ms = r.number("record_interval_ms", q.record_interval_ms);
    q.seed = static_cast<std::uint64_t>(r.whole("seed", 0));
    const std::string integ = r.text("integrator", "euler");
    if (integ == "euler")
        q.integrator = integrator_kind::euler;
    else if (integ == "heun")
        q.integrator = integrator_kind::heun;
    else
        throw config_error(origin + ": '" + r.key("integrator") + "' = '" + integ + "' (allowed: euler, heun)");
    if (!(q.dt_ms > 0.0))
        throw config_error(origin + ": '" + r.key("dt_ms") + "' = " + shortest_text(q.dt_ms) + " must be > 0");
    const double tau_min = std::min(m.params.tau_E_ms, m.params.tau_I_ms);
    if (!linear && q.integrator != integrator_kind::euler)
        throw config_error(origin + ": '" + r.key("integrator") + "' = '" + integ + "': circuit '" + m.circuit +
                           "' is integrated with explicit Euler (Euler-Maruyama with noise) only");
    if (m.circuit == "generic" && m.generic.defined && q.dt_ms >= m.generic.min_tau_ms())
        throw config_error(origin + ": '" + r.key("dt_ms") + "' = " + shortest_text(q.dt_ms) +
                           " ms must be smaller than the smallest time constant of the circuit (" +
                           shortest_text(m.generic.min_tau_ms()) + " ms)");
    if (linear && q.dt_ms >= tau_min)
        throw config_error(origin + ": '" + r.key("dt_ms") + "' = " + shortest_text(q.dt_ms) +
                           " ms must be smaller than the smallest time constant (" + shortest_text(tau_min) + " ms)");
    check_positive(r, "t_end_ms", q.t_end_ms);
    check_positive(r, "record_interval_ms", q.record_interval_ms);
    q.n_steps = steps_of(q.t_end_ms, q.dt_ms, r.where("t_end_ms"));
    if (q.record_interval_ms > q.t_end_ms)
        throw config_error(r.where("record_interval_ms") + " = " + shortest_text(q.record_interval_ms) +
                           " ms is longer than the run ('" + r.key("t_end_ms") + "' = " + shortest_text(q.t_end_ms) +
                           " ms)");
    q.record_every = steps_of(q.record_interval_ms, q.dt_ms, r.where("record_interval_ms"));
    if (q.record_every < 1)
        throw config_error(origin + ": '" + r.key("record_interval_ms") + "' is shorter than one time step");
    return out;
}

// ---- stimuli -------------------------------------------------------------------------------------------------

std::vector<stimulus_spec> read_stimuli(const section& top, const model_spec& m, const circuit_names& names) {
    const std::string& origin = top.origin();
    std::vector<stimulus_spec> out;
    const value list = top.at("stimuli");
    if (!list.present()) return out;
    for (const value& item : list.items()) {
        const section st(item.node(), item.key(), origin);
        st.only({"name", "area", "population", "onset_ms", "duration_ms", "amplitude_hz", "amplitude"});
        stimulus_spec x;
        x.name = st.text("name", "stimulus" + std::to_string(out.size()));
        const std::string area = st.required_text("area");
        x.area = m.areas.find(area);
        if (x.area == area_table::npos)
            throw config_error(origin + ": '" + st.key("area") + "' = '" + area + "' is not an area of the model");
        if (m.circuit == "linear_ei") {
            const std::string pop = st.text("population", "E");
            auto it = std::find(m.populations.begin(), m.populations.end(), pop);
            if (it == m.populations.end())
                throw config_error(origin + ": '" + st.key("population") + "' = '" + pop +
                                   "' is not a population (allowed: E, I)");
            x.population = static_cast<std::size_t>(it - m.populations.begin());
        } else {
            x.population = one_of(names.ports, st, "population", "a stimulus port", m.circuit);
        }
        x.onset_ms = st.required_number("onset_ms");
        x.duration_ms = st.required_number("duration_ms");
        if (st.has("amplitude_hz") == st.has("amplitude"))
            throw config_error(origin + ": '" + st.display() +
                               "' needs exactly one of 'amplitude_hz' (linear_ei) "
                               "or 'amplitude' (in the input units of the circuit)");
        x.amplitude = st.has("amplitude") ? st.required_number("amplitude") : st.required_number("amplitude_hz");
        if (x.onset_ms < 0) throw config_error(origin + ": '" + st.key("onset_ms") + "' must be >= 0");
        check_positive(st, "duration_ms", x.duration_ms);
        x.onset_step = steps_of(x.onset_ms, m.run.dt_ms, st.where("onset_ms"));
        x.end_step = end_step_of(x.onset_step, x.duration_ms, m.run.dt_ms, st.where("duration_ms"));
        for (const auto& other : out)
            if (other.name == x.name)
                throw config_error(origin + ": '" + st.key("name") + "' = '" + x.name + "' is used twice");
        out.push_back(x);
    }
    return out;
}

// ---- task stimuli: the stimulus sequence of a task trial (e.g. the n-back stream a network was trained on) as
//      ordinary stimuli: every shown symbol k becomes a pulse into ports[k % ports] of one area.

std::vector<stimulus_spec> read_task_stimuli(const section& top, const model_spec& m, const circuit_names& names,
                                             const std::string& base_dir, std::vector<data_file>& files) {
    const std::string& origin = top.origin();
    std::vector<stimulus_spec> out;
    const section t = top.sub("task_stimuli");
    if (!t.present()) return out;
    t.only({"task", "weights", "trial", "step_ms", "onset_ms", "area", "ports", "amplitude"});
    if (t.has("task") == t.has("weights"))
        throw config_error(origin + ": 'task_stimuli' needs exactly one of 'task' (a task description) or "
                                    "'weights' (a weights file whose task is used)");
    std::string description;
    if (t.has("task")) {
        description = t.required_text("task");
    } else {
        const std::string path = existing_file(t, "weights", base_dir);
        record_data_file(files, t.key("weights"), path);
        description = rnn::read_rnn_weights(path).task;
    }
    std::shared_ptr<const rnn::task> task;
    try {
        task = rnn::task_from_description(description);
    } catch (const std::exception& e) {
        throw config_error(origin + ": 'task_stimuli': " + e.what());
    }
    const std::int64_t trial = t.whole("trial", 0);
    const double step_ms = t.required_number("step_ms"), onset_ms = t.number("onset_ms", 0.0);
    check_positive(t, "step_ms", step_ms);
    if (onset_ms < 0) throw config_error(origin + ": '" + t.key("onset_ms") + "' must be >= 0");
    const std::string area = t.required_text("area");
    const std::size_t a_idx = m.areas.find(area);
    if (a_idx == area_table::npos)
        throw config_error(origin + ": 'task_stimuli.area' = '" + area + "' is not an area of the model");
    std::vector<std::size_t> ports;
    const value pn = t.at("ports");
    if (!pn.is_list() || pn.node().size() == 0)
        throw config_error(origin + ": 'task_stimuli.ports' must be a non-empty list of stimulus ports");
    const auto& list = m.circuit == "linear_ei" ? m.populations : names.ports;
    for (const value& item : pn.items()) {
        auto it = std::find(list.begin(), list.end(), item.text());
        if (it == list.end()) item.fail_quoted("is not a stimulus port of circuit '" + m.circuit + "'");
        ports.push_back(static_cast<std::size_t>(it - list.begin()));
    }
    const double amplitude = t.required_number("amplitude");
    const rnn::trial tr = task->generate(task->seed(), static_cast<std::uint64_t>(trial));
    for (const auto& ev : tr.events) {
        if (ev.symbol < 0) continue;
        stimulus_spec x;
        x.name = "task" + std::to_string(out.size()) + "_" + ev.what + std::to_string(ev.symbol);
        x.area = a_idx;
        x.population = ports[static_cast<std::size_t>(ev.symbol) % ports.size()];
        x.onset_ms = onset_ms + static_cast<double>(ev.onset_step) * step_ms;
        x.duration_ms = static_cast<double>(ev.n_steps) * step_ms;
        x.amplitude = amplitude;
        x.onset_step = steps_of(x.onset_ms, m.run.dt_ms, t.where("step_ms"));
        x.end_step = end_step_of(x.onset_step, x.duration_ms, m.run.dt_ms, t.where("step_ms"));
        out.push_back(x);
    }
    return out;
}

// ---- perturbations (nonlinear circuits): silence, modulator windows, lesions ---------------------------------

std::vector<perturbation_spec> read_perturbations(const section& top, const model_spec& m, const circuit_names& names) {
    std::vector<perturbation_spec> out;
    const value list = top.at("perturbations");
    if (!list.present()) return out;
    if (m.circuit == "linear_ei")
        throw config_error(top.origin() + ": 'perturbations' need a nonlinear circuit (model.circuit)");
    for (const value& item : list.items())
        out.push_back(read_perturbation(section(item.node(), item.key(), top.origin()), out.size(), m, names));
    return out;
}

// ---- output, analysis, checkpoint, sweep ---------------------------------------------------------------------

output_spec read_output(const section& top) {
    const section o = top.sub("output");
    o.only({"path", "buffer_mb"});
    output_spec out;
    out.path = o.text("path", fs::path(top.origin()).stem().string() + ".h5");
    out.buffer_mb = o.number("buffer_mb", out.buffer_mb);
    check_positive(o, "buffer_mb", out.buffer_mb);
    return out;
}

analysis_spec read_analysis(const section& top, const model_spec& m) {
    const std::string& origin = top.origin();
    const section a = top.sub("analysis");
    a.only({"stimulus", "population", "baseline_ms", "delay_ms", "rule", "threshold_hz", "cue", "distractor",
            "timescale_ms", "max_lag_ms"});
    analysis_spec out;
    out.stimulus = a.text("stimulus", "");
    if (m.circuit == "linear_ei") {
        for (const char* k : {"population", "baseline_ms", "delay_ms", "rule", "threshold_hz", "cue", "distractor",
                              "timescale_ms", "max_lag_ms"})
            if (a.has(k))
                throw config_error(origin + ": '" + a.key(k) +
                                   "' is for nonlinear circuits (linear_ei uses 'analysis.stimulus')");
    } else {
        read_wm_analysis(a, m, out);
    }
    if (!out.stimulus.empty()) {
        bool found = false;
        for (const auto& s : m.stimuli) found = found || s.name == out.stimulus;
        if (!found)
            throw config_error(origin + ": 'analysis.stimulus' = '" + out.stimulus + "' is not the name of a stimulus");
    }
    return out;
}

checkpoint_spec read_checkpoint(const section& top, const run_spec& run) {
    const section c = top.sub("checkpoint");
    c.only({"every_sim_s", "every_wall_min"});
    checkpoint_spec out;
    out.every_sim_s = c.number("every_sim_s", 0.0);
    out.every_wall_min = c.number("every_wall_min", 0.0);
    if (out.every_sim_s < 0 || out.every_wall_min < 0)
        throw config_error(top.origin() + ": checkpoint intervals must be >= 0 (0 = off)");
    if (out.every_sim_s > 0) out.every_steps = steps_of(out.every_sim_s * 1e3, run.dt_ms, c.where("every_sim_s"));
    return out;
}

void check_sweep_keys(const section& top) { top.sub("sweep").only({"mode", "parameters"}); }

}  // namespace cortexsim::config_sections
