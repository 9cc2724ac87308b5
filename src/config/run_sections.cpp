// The sections of a run config after `model`: run, stimuli, task_stimuli, perturbations, output, analysis,
// checkpoint and sweep (docs/config.md). Every time in ms becomes a whole number of steps through steps_of().
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "config_sections.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/time.hpp"
#include "cortexsim/connectivity/csv.hpp"
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
/// analysis.population, analysis.timescale_ms and analysis.max_lag_ms (autocorrelation timescales; any circuit).
void read_timescale_analysis(const section& a, const model_spec& m, analysis_spec& out) {
    out.population = a.text("population", m.populations.empty() ? "" : m.populations.front());
    if (std::find(m.populations.begin(), m.populations.end(), out.population) == m.populations.end())
        (void)one_of(m.populations, a, "population", "a recorded population", m.circuit);
    const value w = a.at("timescale_ms");
    if (w.present()) {
        if (!w.is_list() || w.node().size() != 2) w.fail_key("must be [begin_ms, end_ms]");
        const auto items = w.items();
        out.timescale_begin_ms = items[0].number();
        out.timescale_end_ms = items[1].number();
        if (!(out.timescale_begin_ms >= 0 && out.timescale_end_ms > out.timescale_begin_ms))
            w.fail_key("must satisfy 0 <= begin < end");
        if (out.timescale_end_ms > m.run.t_end_ms)
            w.fail_key("ends at " + shortest_text(out.timescale_end_ms) +
                       " ms, after the run ends (run.t_end_ms = " + shortest_text(m.run.t_end_ms) + " ms)");
    }
    out.max_lag_ms = a.number("max_lag_ms", 500.0);
    if (!(out.max_lag_ms > 0)) throw config_error(a.origin() + ": 'analysis.max_lag_ms' must be > 0");
    (void)nearest_steps_of(out.max_lag_ms, m.run.dt_ms, a.where("max_lag_ms"));
    if (w.present()) {
        const double lag_records = std::round(out.max_lag_ms / m.run.dt_ms) / static_cast<double>(m.run.record_every);
        const double window_records = (out.timescale_end_ms - out.timescale_begin_ms) / m.run.dt_ms /
                                      static_cast<double>(m.run.record_every);
        if (!(window_records > lag_records + 1))
            throw config_error(a.origin() + ": 'analysis.timescale_ms' holds " +
                               std::to_string(static_cast<long long>(window_records)) +
                               " records, fewer than 'analysis.max_lag_ms' needs (" +
                               std::to_string(static_cast<long long>(lag_records) + 2) + ")");
        const double bytes = (3.0 * lag_records + 4.0) * 8.0 * static_cast<double>(m.areas.size());
        if (bytes > 8e9)
            throw config_error(a.origin() + ": 'analysis.max_lag_ms' = " + std::to_string(out.max_lag_ms) +
                               " ms needs " + std::to_string(static_cast<long long>(bytes / 1e6)) +
                               " MB of lag sums (more than 8 GB): use fewer lags or a longer record interval");
    }
}

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
    read_timescale_analysis(a, m, out);
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
    r.only({"t_end_ms", "dt_ms", "record_interval_ms", "integrator", "seed", "partition", "exchange_overlap"});
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
    q.exchange_overlap = r.flag("exchange_overlap", true);
    const std::string integ = r.text("integrator", "euler");
    if (integ == "euler")
        q.integrator = integrator_kind::euler;
    else if (integ == "heun")
        q.integrator = integrator_kind::heun;
    else if (integ == "rk4")
        q.integrator = integrator_kind::rk4;
    else
        throw config_error(origin + ": '" + r.key("integrator") + "' = '" + integ + "' (allowed: euler, heun, rk4)");
    if (!(q.dt_ms > 0.0))
        throw config_error(origin + ": '" + r.key("dt_ms") + "' = " + shortest_text(q.dt_ms) + " must be > 0");
    const double tau_min = std::min(m.params.tau_E_ms, m.params.tau_I_ms);
    if (m.circuit == "rnn" && q.integrator != integrator_kind::euler)
        throw config_error(origin + ": '" + r.key("integrator") + "' = '" + integ + "': circuit '" + m.circuit +
                           "' is integrated with explicit Euler only");
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

namespace {

/// The stimulus port named by key "population" of st (linear_ei: E or I, default E).
std::size_t read_port(const section& st, const model_spec& m, const circuit_names& names) {
    if (m.circuit == "linear_ei") {
        const std::string pop = st.text("population", "E");
        auto it = std::find(m.populations.begin(), m.populations.end(), pop);
        if (it == m.populations.end())
            throw config_error(st.origin() + ": '" + st.key("population") + "' = '" + pop +
                               "' is not a population (allowed: E, I)");
        return static_cast<std::size_t>(it - m.populations.begin());
    }
    return one_of(names.ports, st, "population", "a stimulus port", m.circuit);
}

/// The areas of a noise stimulus: `areas` (a list of names, or all) minus `exclude`, or one `area`.
std::vector<std::size_t> read_stimulus_areas(const section& st, const model_spec& m) {
    const std::string& origin = st.origin();
    auto find = [&](const std::string& name, const std::string& key) {
        const std::size_t i = m.areas.find(name);
        if (i == area_table::npos)
            throw config_error(origin + ": '" + key + "' = '" + name + "' is not an area of the model");
        return i;
    };
    if (st.has("area") == st.has("areas"))
        throw config_error(origin + ": '" + st.display() + "' needs exactly one of 'area' and 'areas'");
    std::vector<std::size_t> areas;
    if (st.has("area")) {
        areas.push_back(find(st.required_text("area"), st.key("area")));
    } else {
        const value v = st.at("areas");
        if (v.is_scalar() && v.node().as<std::string>() == "all") {
            for (std::size_t i = 0; i < m.areas.size(); ++i) areas.push_back(i);
        } else {
            if (!v.is_list() || v.node().size() == 0) v.fail_key("must be a non-empty list of area names, or all");
            for (const value& a : v.items()) areas.push_back(find(a.text(), a.key()));
        }
    }
    if (st.has("exclude")) {
        const value v = st.at("exclude");
        if (!v.is_list()) v.fail_key("must be a list of area names");
        for (const value& a : v.items()) {
            const std::size_t x = find(a.text(), a.key());
            areas.erase(std::remove(areas.begin(), areas.end(), x), areas.end());
        }
    }
    return areas;
}

}  // namespace

std::vector<stimulus_spec> read_stimuli(const section& top, const model_spec& m, const circuit_names& names) {
    const std::string& origin = top.origin();
    std::vector<stimulus_spec> out;
    const value list = top.at("stimuli");
    if (!list.present()) return out;
    std::vector<std::string> used;
    std::uint32_t noise_streams = 0;
    for (const value& item : list.items()) {
        const section st(item.node(), item.key(), origin);
        const std::string kind = st.text("kind", "pulse");
        stimulus_spec x;
        x.name = st.text("name", "stimulus" + std::to_string(used.size()));
        if (std::find(used.begin(), used.end(), x.name) != used.end())
            throw config_error(origin + ": '" + st.key("name") + "' = '" + x.name + "' is used twice");
        used.push_back(x.name);
        std::vector<std::size_t> areas;
        if (kind == "pulse") {
            st.only({"name", "kind", "area", "population", "onset_ms", "duration_ms", "amplitude_hz", "amplitude"});
            areas.push_back(m.areas.find(st.required_text("area")));
            if (areas[0] == area_table::npos)
                throw config_error(origin + ": '" + st.key("area") + "' = '" + st.required_text("area") +
                                   "' is not an area of the model");
            x.onset_ms = st.required_number("onset_ms");
            x.duration_ms = st.required_number("duration_ms");
            if (st.has("amplitude_hz") == st.has("amplitude"))
                throw config_error(origin + ": '" + st.display() +
                                   "' needs exactly one of 'amplitude_hz' (linear_ei) "
                                   "or 'amplitude' (in the input units of the circuit)");
            x.amplitude = st.has("amplitude") ? st.required_number("amplitude") : st.required_number("amplitude_hz");
        } else if (kind == "noise") {
            st.only({"name", "kind", "area", "areas", "exclude", "population", "onset_ms", "duration_ms", "mean",
                     "mean_hz", "sd", "sd_hz"});
            areas = read_stimulus_areas(st, m);
            if (st.has("mean") && st.has("mean_hz"))
                throw config_error(origin + ": '" + st.display() + "' needs at most one of 'mean_hz' and 'mean'");
            if (st.has("sd") == st.has("sd_hz"))
                throw config_error(origin + ": '" + st.display() +
                                   "' needs exactly one of 'sd_hz' (linear_ei) "
                                   "or 'sd' (in the input units of the circuit)");
            x.amplitude = st.has("mean") ? st.number("mean", 0.0) : st.number("mean_hz", 0.0);
            x.sd = st.has("sd") ? st.required_number("sd") : st.required_number("sd_hz");
            if (!(x.sd >= 0)) throw config_error(origin + ": '" + st.display() + "': the SD must be >= 0");
            x.noise = true;
            if (noise_streams == 16)
                throw config_error(origin + ": '" + st.display() +
                                   "': at most 16 noise stimuli (one noise stream each)");
            x.noise_stream = noise_streams++;
            x.onset_ms = st.number("onset_ms", 0.0);
            x.duration_ms = st.number("duration_ms", m.run.t_end_ms - x.onset_ms);
        } else {
            throw config_error(origin + ": '" + st.key("kind") + "' = '" + kind + "' (allowed: pulse, noise)");
        }
        x.population = read_port(st, m, names);
        if (x.onset_ms < 0) throw config_error(origin + ": '" + st.key("onset_ms") + "' must be >= 0");
        check_positive(st, "duration_ms", x.duration_ms);
        x.onset_step = steps_of(x.onset_ms, m.run.dt_ms, st.where("onset_ms"));
        x.end_step = end_step_of(x.onset_step, x.duration_ms, m.run.dt_ms, st.where("duration_ms"));
        for (std::size_t a : areas) {
            x.area = a;
            out.push_back(x);
        }
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
        for (const char* k : {"baseline_ms", "delay_ms", "rule", "threshold_hz", "cue", "distractor"})
            if (a.has(k))
                throw config_error(origin + ": '" + a.key(k) +
                                   "' is for nonlinear circuits (linear_ei uses 'analysis.stimulus', and "
                                   "'analysis.population', 'analysis.timescale_ms', 'analysis.max_lag_ms' for "
                                   "autocorrelation timescales)");
        read_timescale_analysis(a, m, out);
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

std::vector<monitor_spec> read_monitors(const section& top, const model_spec& m, const circuit_names& names,
                                        const std::string& base_dir, std::vector<data_file>& files) {
    const std::string& origin = top.origin();
    std::vector<monitor_spec> out;
    const value list = top.at("monitors");
    if (!list.present()) return out;
    if (!list.is_list()) list.fail_key("must be a list of monitors");
    const double rec_ms = m.run.dt_ms * static_cast<double>(m.run.record_every);
    // every `period` as a whole number of records, named by its key
    auto records_of = [&](const section& st, const char* k, double ms) {
        const double r = ms / rec_ms;
        if (!(ms > 0) || !std::isfinite(r))
            throw config_error(st.where(k) + " = " + shortest_text(ms) + " ms must be > 0");
        if (r < 1 - 1e-9)
            throw config_error(st.where(k) + " = " + shortest_text(ms) + " ms is shorter than the record interval (" +
                               shortest_text(rec_ms) + " ms)");
        const double whole = std::round(r);
        if (std::fabs(r - whole) > 1e-9 * whole)
            throw config_error(st.where(k) + " = " + shortest_text(ms) +
                               " ms is not a whole number of record intervals (" + shortest_text(rec_ms) + " ms)");
        if (whole > static_cast<double>(m.run.n_records()))
            throw config_error(st.where(k) + " = " + shortest_text(ms) + " ms is longer than the run (" +
                               shortest_text(m.run.t_end_ms) + " ms)");
        return static_cast<std::int64_t>(whole);
    };
    for (const value& item : list.items()) {
        if (!item.is_map()) item.fail_key("must be a map (name, kind, ...)");
        const section st(item.node(), item.key(), origin);
        monitor_spec x;
        x.name = st.required_text("name");
        for (char ch : x.name)
            if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-'))
                throw config_error(st.where("name") + " = '" + x.name +
                                   "' may hold only letters, digits, '_' and '-' (it names an HDF5 group)");
        for (const auto& o : out)
            if (o.name == x.name) throw config_error(st.where("name") + " = '" + x.name + "' is used by two monitors");
        x.kind = st.required_text("kind");
        if (x.kind == "raw" || x.kind == "average") {
            st.only({"name", "kind", "variables", "period_ms", "fc", "fcd", "discard_ms", "psd"});
            x.period_ms = st.number("period_ms", rec_ms);
            x.every = records_of(st, "period_ms", x.period_ms);
        } else if (x.kind == "bold") {
            st.only({"name", "kind", "variables", "tr_ms", "preset", "parameters", "input_scale", "fc", "fcd",
                     "discard_ms", "psd"});
            x.period_ms = st.required_number("tr_ms");
            x.every = records_of(st, "tr_ms", x.period_ms);
            bold_spec& b = x.bold;
            b.preset = st.text("preset", "neurolib");
            if (b.preset == "tvb") {
                b.kappa = 1 / 0.65, b.gamma = 1 / 0.41, b.tau = 0.98, b.alpha = 0.32, b.rho = 0.4, b.V0 = 4.0;
                b.k1 = 4.3 * 40.3 * 0.4 * 0.04, b.k2 = 0.5 * 25.0 * 0.4 * 0.04, b.k3 = 1 - 0.5;
            } else if (b.preset != "neurolib") {
                throw config_error(st.where("preset") + " = '" + b.preset + "' (allowed: neurolib, tvb)");
            }
            const section p = st.sub("parameters");
            p.only({"kappa", "gamma", "tau", "alpha", "rho", "V0", "k1", "k2", "k3"});
            const std::pair<const char*, double*> ps[] = {{"kappa", &b.kappa}, {"gamma", &b.gamma}, {"tau", &b.tau},
                                                          {"alpha", &b.alpha}, {"rho", &b.rho},     {"V0", &b.V0},
                                                          {"k1", &b.k1},       {"k2", &b.k2},       {"k3", &b.k3}};
            for (const auto& [k, ptr] : ps) *ptr = p.number(k, *ptr);
            for (const char* k : {"kappa", "gamma", "tau", "alpha", "rho"}) {
                double v = 0;
                for (const auto& [kk, ptr] : ps)
                    if (std::string(kk) == k) v = *ptr;
                if (!(v > 0)) throw config_error(p.where(k) + " = " + shortest_text(v) + " must be > 0");
            }
            if (!(b.rho < 1)) throw config_error(p.where("rho") + " = " + shortest_text(b.rho) + " must be < 1");
            b.input_scale = st.number("input_scale", 1.0);
        } else if (x.kind == "lfp") {
            st.only({"name", "kind", "variables", "weights", "band_hz", "period_ms", "fc", "fcd", "discard_ms", "psd"});
            x.period_ms = st.number("period_ms", rec_ms);
            x.every = records_of(st, "period_ms", x.period_ms);
            const value band = st.at("band_hz");
            if (band.present()) {
                if (!band.is_list() || band.node().size() != 2) band.fail_key("must be [low_hz, high_hz] (0 = none)");
                const auto it = band.items();
                x.band_low_hz = it[0].number();
                x.band_high_hz = it[1].number();
                const double nyquist = 0.5e3 / rec_ms;
                if (!(x.band_low_hz >= 0 && x.band_high_hz >= 0) ||
                    (x.band_high_hz > 0 && x.band_low_hz >= x.band_high_hz))
                    band.fail_key("must satisfy 0 <= low < high (0 = no high-pass / low-pass)");
                if (x.band_high_hz >= nyquist || x.band_low_hz >= nyquist)
                    band.fail_key("corners must be below the Nyquist frequency of the records (" +
                                  shortest_text(nyquist) + " Hz)");
            }
        } else if (x.kind == "projection") {
            st.only({"name", "kind", "variables", "matrix", "period_ms", "fc", "fcd", "discard_ms", "psd"});
            x.period_ms = st.number("period_ms", rec_ms);
            x.every = records_of(st, "period_ms", x.period_ms);
            const std::string path = existing_file(st, "matrix", base_dir);
            record_data_file(files, st.key("matrix"), path);
            const csv_table t = read_csv(path);
            std::vector<std::size_t> cols;  // data-file area index of each column
            for (const auto& c : t.columns) {
                const std::size_t a = m.areas.find(c);
                if (a == area_table::npos)
                    throw config_error(st.where("matrix") + ": " + path + ": column '" + c +
                                       "' is not an area of the model");
                if (std::find(cols.begin(), cols.end(), m.areas.id(a)) != cols.end())
                    throw config_error(st.where("matrix") + ": " + path + ": area '" + c + "' is listed twice");
                cols.push_back(m.areas.id(a));
            }
            if (t.row_labels.empty()) throw config_error(st.where("matrix") + ": " + path + ": no sensor rows");
            x.sensors = t.row_labels;
            x.lead_field.assign(t.row_labels.size() * m.areas.size(), 0.0);
            for (std::size_t r = 0; r < t.row_labels.size(); ++r)
                for (std::size_t c = 0; c < cols.size(); ++c)
                    x.lead_field[r * m.areas.size() + cols[c]] = t.number(r, c);
        } else {
            throw config_error(st.where("kind") + " = '" + x.kind + "' (allowed: raw, average, bold, lfp, projection)");
        }
        const value vars = st.at("variables");
        if (vars.present()) {
            if (!vars.is_list() || vars.node().size() == 0) vars.fail_key("must be a non-empty list of variables");
            for (const value& v : vars.items()) x.variables.push_back(v.text());
        } else {
            x.variables.push_back(m.analysis.population.empty() ? names.recorded.front() : m.analysis.population);
        }
        for (std::size_t j = 0; j < x.variables.size(); ++j) {
            const auto& all = names.variables;
            if (std::find(all.begin(), all.end(), x.variables[j]) == all.end()) {
                std::string allowed;
                for (const auto& a : all) allowed += (allowed.empty() ? "" : ", ") + a;
                throw config_error(st.where("variables") + ": '" + x.variables[j] + "' is not a variable of circuit '" +
                                   m.circuit + "' (allowed: " + allowed + ")");
            }
            for (std::size_t i = 0; i < j; ++i)
                if (x.variables[i] == x.variables[j])
                    throw config_error(st.where("variables") + ": '" + x.variables[j] + "' is listed twice");
        }
        if (x.kind == "lfp") {
            const value w = st.at("weights");
            if (w.present()) {
                if (!w.is_list() || w.node().size() != x.variables.size())
                    w.fail_key("must be a list of " + std::to_string(x.variables.size()) +
                               " numbers, one per variable");
                for (const value& v : w.items()) x.weights.push_back(v.number());
            } else {
                x.weights.assign(x.variables.size(), 1.0);
            }
        }
        if ((x.kind == "bold" || x.kind == "projection") && x.variables.size() != 1)
            throw config_error(st.where("variables") + " of a " + x.kind + " monitor must name one variable");
        const std::int64_t last = m.run.n_records() - 1;
        x.n_samples = x.kind == "raw" ? last / x.every + 1 : last / x.every;
        x.fc = st.flag("fc", false);
        const double discard_ms = st.number("discard_ms", 0.0);
        if (!(discard_ms >= 0) || discard_ms > m.run.t_end_ms)
            throw config_error(st.where("discard_ms") + " = " + shortest_text(discard_ms) +
                               " ms must be in [0, run.t_end_ms]");
        // samples at times < discard_ms are left out: sample j is at record first + j * every
        const double first_ms = static_cast<double>(x.kind == "raw" ? 0 : x.every) * rec_ms;
        x.discard_samples = discard_ms <= first_ms
                                ? 0
                                : static_cast<std::int64_t>(std::ceil(
                                      (discard_ms - first_ms) / (rec_ms * static_cast<double>(x.every)) - 1e-9));
        const std::int64_t analysed = x.n_samples - std::min(x.discard_samples, x.n_samples);
        constexpr std::int64_t min_fc_samples = 3;
        if (x.fc && analysed < min_fc_samples)
            throw config_error(st.where("fc") + ": FC needs at least " + std::to_string(min_fc_samples) +
                               " samples of monitor '" + x.name + "' after discard_ms, the run gives " +
                               std::to_string(analysed));
        if (st.has("fcd")) {
            const section f = st.sub("fcd");
            f.only({"window_samples", "step_samples"});
            x.fcd_window = f.whole("window_samples", 0, 3);
            x.fcd_step = f.whole("step_samples", 1, 1);
            if (x.fcd_window == 0) throw config_error(f.where("window_samples") + " is required (>= 3)");
            if (analysed < x.fcd_window + x.fcd_step)
                throw config_error(st.where("fcd") + ": FCD needs at least window_samples + step_samples = " +
                                   std::to_string(x.fcd_window + x.fcd_step) + " samples of monitor '" + x.name +
                                   "' after discard_ms, the run gives " + std::to_string(analysed));
            if (m.areas.size() > 1000)
                throw config_error(st.where("fcd") + ": FCD is limited to 1,000 areas (the model has " +
                                   std::to_string(m.areas.size()) + ")");
        }
        if (st.has("psd")) {
            const section ps = st.sub("psd");
            ps.only({"segment_samples"});
            x.psd_segment = ps.whole("segment_samples", 0, 4);
            if (x.psd_segment == 0 || (x.psd_segment & (x.psd_segment - 1)) != 0)
                throw config_error(ps.where("segment_samples") + " = " + std::to_string(x.psd_segment) +
                                   " must be a power of two >= 4 (Welch segments, radix-2 FFT)");
            if (x.psd_segment > analysed)
                throw config_error(ps.where("segment_samples") + " = " + std::to_string(x.psd_segment) + ": monitor '" +
                                   x.name + "' gives only " + std::to_string(analysed) + " samples after discard_ms");
        }
        const double bytes = 8.0 * static_cast<double>(x.n_samples) * static_cast<double>(m.areas.size()) *
                             static_cast<double>(x.variables.size());
        if (bytes > 16e9)
            throw config_error(st.where("name") + ": monitor '" + x.name + "' would hold " +
                               std::to_string(static_cast<long long>(bytes / 1e6)) +
                               " MB on rank 0 (limit 16 GB): use a longer period or fewer variables");
        out.push_back(std::move(x));
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
