#include "cortexsim/integrator/circuit_simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <stdexcept>

#include "cortexsim/common/collective.hpp"
#include "engine_common.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/integrator/simulation.hpp"
#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/dynamics/circuits/rnn.hpp"
#include "cortexsim/exchange/gather.hpp"

namespace cortexsim {
namespace {

/// Removes the entries (target in `targets`, source in `sources`) of the rows: a lesion of those projections.
void remove_entries(local_rows& rows, const std::vector<std::size_t>& targets,
                    const std::vector<std::size_t>& sources) {
    local_rows out;
    out.n_global = rows.n_global;
    out.row_begin = rows.row_begin;
    out.n_rows = rows.n_rows;
    out.row_ptr.assign(1, 0);
    const bool delays = !rows.delay.empty();
    for (std::size_t r = 0; r < rows.n_rows; ++r) {
        const std::size_t t = rows.row_begin + r;
        const bool hit_target = std::find(targets.begin(), targets.end(), t) != targets.end();
        for (auto q = rows.row_ptr[r]; q < rows.row_ptr[r + 1]; ++q) {
            const auto s = static_cast<std::size_t>(rows.col[static_cast<std::size_t>(q)]);
            if (hit_target && std::find(sources.begin(), sources.end(), s) != sources.end()) continue;
            out.col.push_back(rows.col[static_cast<std::size_t>(q)]);
            out.val.push_back(rows.val[static_cast<std::size_t>(q)]);
            if (delays) out.delay.push_back(rows.delay[static_cast<std::size_t>(q)]);
        }
        out.row_ptr.push_back(static_cast<std::int64_t>(out.col.size()));
    }
    rows = std::move(out);
}

}  // namespace

circuit_simulation::circuit_simulation(const model_spec& spec, MPI_Comm comm)
    : spec_(spec),
      comm_(comm),
      part_(partition_for(spec.areas.size(), comm_size(comm), spec.partition_counts)),
      begin_(part_.begin(comm_rank(comm))),
      n_(part_.count(comm_rank(comm))),
      circuit_(make_circuit(spec, begin_, n_)),
      stimulus_(spec.stimuli, begin_, n_, circuit_->stimulus_ports().size()),
      analysis_(spec, n_, spec.populations, circuit_->stimulus_ports()) {
    const circuit& c = *circuit_;
    if (c.recorded().size() != spec.populations.size())
        throw std::logic_error("circuit_simulation: recorded populations do not match the spec");
    // Projection groups: projections that share a source variable and a transformed matrix share one exchange.
    const auto members = detail::group_projections(spec.projections);
    for (const auto& m : members) {
        const projection_spec& first = spec.projections[m.front()];
        lr_group g;
        g.source = first.source;
        local_rows rows;
        run_collectively(comm, [&] {
            rows = spec.rnn.defined && first.matrix == "W_rec" ? rnn_recurrent_rows(spec, begin_, begin_ + n_)
                                                               : projection_rows(spec, first, begin_, begin_ + n_);
            for (const auto& pert : spec.perturbations)
                if (pert.kind == "lesion") remove_entries(rows, pert.areas, pert.sources);
        });
        detail::build_exchange(g, comm, part_, rows, spec);
        g.sum.assign(n_, 0.0);
        for (std::size_t p : m) {
            const projection_spec& pr = spec.projections[p];
            const std::vector<double> gv = gradient_values(spec, pr.gradient);
            std::vector<double> coeff(n_);
            for (std::size_t i = 0; i < n_; ++i) coeff[i] = pr.scale * gv[begin_ + i];
            g.targets.emplace_back(pr.target, std::move(coeff));
        }
        if (g.delayed) g.delayed->initialise(circuit_->var(g.source));
        groups_.push_back(std::move(g));
    }
    const std::size_t C = c.input_channels().size();
    lr_.assign(C * n_, 0.0);
    for (std::size_t ch = 0; ch < C; ++ch) lr_ptr_.push_back(lr_.data() + ch * n_);
    for (std::size_t s = 0; s < c.stimulus_ports().size(); ++s) stim_ptr_.push_back(stimulus_.input(s));
    for (std::size_t v : c.recorded()) rec_ptr_.push_back(circuit_->var(v));

    // Perturbations.
    for (const auto& pert : spec.perturbations) {
        const std::int64_t b = pert.onset_step, e = pert.end_step;
        if (pert.kind == "silence") {
            silence s{b, e, {}, {}};
            for (std::size_t a : pert.areas)
                if (a >= begin_ && a < begin_ + n_) s.areas.push_back(a - begin_);
            if (pert.populations.empty()) {
                s.variables = c.recorded();
            } else {
                for (const auto& name : pert.populations) s.variables.push_back(c.find_variable(name));
            }
            silences_.push_back(std::move(s));
        } else if (pert.kind == "modulator") {
            mod_windows_.push_back({b, e, pert.modulator, pert.value});
            bool known = false;
            for (const auto& [nm, v] : mod_base_) known = known || nm == pert.modulator;
            if (!known) mod_base_.emplace_back(pert.modulator, circuit_->modulator(pert.modulator));
            mod_events_.push_back(b);
            mod_events_.push_back(e);
        }
    }
    std::sort(mod_events_.begin(), mod_events_.end());
    mod_events_.erase(std::unique(mod_events_.begin(), mod_events_.end()), mod_events_.end());

    rnn_ = dynamic_cast<rnn_circuit*>(circuit_.get());
    if (rnn_) {
        run_collectively(comm, [&] { gather_ = std::make_unique<gather_to_root>(comm, part_); });
        n_out_ = rnn_->n_outputs();
        if (comm_rank(comm) == 0) readout_.assign(static_cast<std::size_t>(spec.run.n_records()) * n_out_, 0.0);
    }
    const std::size_t P = spec.populations.size();
    const std::size_t per_record = std::max<std::size_t>(1, part_.count(0) * P * sizeof(double));
    const double cap = spec.output.buffer_mb * 1024.0 * 1024.0 / static_cast<double>(per_record);
    block_ = std::clamp<std::int64_t>(static_cast<std::int64_t>(cap), 1, spec.run.n_records());
    buffer_.assign(static_cast<std::size_t>(block_) * n_ * P, 0.0);
}

const exchange_stats& circuit_simulation::exchange() const { return detail::first_exchange_stats(groups_); }

double circuit_simulation::exchanges_per_second() const {
    return detail::exchanges_per_second(groups_, spec_.run.dt_ms, 1.0);
}

void circuit_simulation::long_range_input(std::int64_t k) {
    std::fill(lr_.begin(), lr_.end(), 0.0);
    for (auto& g : groups_) {
        const double* src = circuit_->var(g.source);
        double* sum = g.sum.data();
        if (g.direct)
            g.direct->apply(src, sum);
        else
            g.delayed->step(k, src, sum);
        for (const auto& [ch, c] : g.targets) {
            double* in = lr_.data() + ch * n_;
            for (std::size_t i = 0; i < n_; ++i) in[i] += c[i] * sum[i];
        }
    }
}

/// Sets every modulator to its value at step k: the last window containing k, else its base value.
void circuit_simulation::apply_modulators_at(std::int64_t k, bool from_scratch) {
    for (const auto& [name, base] : mod_base_) {
        double v = base;
        for (const auto& w : mod_windows_)
            if (w.name == name && k >= w.begin && k < w.end) v = w.value;
        circuit_->set_modulator(name, v);
    }
    if (from_scratch) {
        next_mod_event_ = 0;
        while (next_mod_event_ < mod_events_.size() && mod_events_[next_mod_event_] <= k) ++next_mod_event_;
    }
}

std::vector<std::vector<double>> circuit_simulation::export_history() const {
    return detail::export_histories(groups_, step_, n_);
}

std::vector<std::int64_t> circuit_simulation::history_lengths() const { return detail::history_lengths(groups_); }

void circuit_simulation::import_history(const std::vector<std::vector<double>>& global) {
    detail::import_histories(groups_, step_, part_.n_areas(), global);
}

void circuit_simulation::record(std::int64_t k, record_sink* sink) {
    analysis_.observe(k, rec_ptr_.data());
    if (rnn_) {
        const double* all = gather_->gather(rec_ptr_[0]);
        if (all) {
            double* o = readout_.data() + static_cast<std::size_t>(k) * n_out_;
            rnn_->readout(all, o);
            const std::int64_t step = k * spec_.run.record_every;  // the state after `step` steps: input x(step - 1)
            if (step > 0 && rnn_->mask(step - 1) > 0 && rnn_->target(step - 1) >= 0) {
                std::size_t best = 0;
                for (std::size_t q = 1; q < n_out_; ++q)
                    if (o[q] > o[best]) best = q;
                masked_ += 1;
                if (static_cast<int>(best) == rnn_->target(step - 1)) correct_ += 1;
            }
        }
    }
    next_record_index_ = k + 1;
    if (!sink) return;
    const std::size_t P = rec_ptr_.size();
    if (buffered_ == 0) buffer_first_ = k;
    double* b = buffer_.data() + static_cast<std::size_t>(buffered_) * n_ * P;
    for (std::size_t i = 0; i < n_; ++i)
        for (std::size_t p = 0; p < P; ++p) b[i * P + p] = rec_ptr_[p][i];
    ++buffered_;
    if (buffered_ == block_ || k + 1 == spec_.run.n_records()) flush_records(sink);
}

void circuit_simulation::flush_records(record_sink* sink) {
    if (!sink || buffered_ == 0) return;
    sink->write_block(buffer_first_, buffered_, buffer_.data());
    buffered_ = 0;
}

void circuit_simulation::export_state(std::vector<double>& state, std::vector<double>& analysis) const {
    const std::size_t V = state_size(), S = analysis_.state_size();
    state.resize(n_ * V);
    analysis.resize(n_ * S);
    for (std::size_t i = 0; i < n_; ++i) {
        for (std::size_t v = 0; v < V; ++v) state[i * V + v] = circuit_->var(v)[i];
        analysis_.export_state(i, analysis.data() + i * S);
    }
}

void circuit_simulation::import_state(std::int64_t step, const std::vector<double>& state,
                                      const std::vector<double>& analysis) {
    const std::size_t V = state_size(), S = analysis_.state_size();
    for (std::size_t i = 0; i < n_; ++i) {
        for (std::size_t v = 0; v < V; ++v) circuit_->var(v)[i] = state[i * V + v];
        analysis_.import_state(i, analysis.data() + i * S);
    }
    step_ = step;
    next_record_index_ = step / spec_.run.record_every + 1;
    buffered_ = 0;
    apply_modulators_at(step, true);
}

std::vector<analysis_column> circuit_simulation::analysis_columns() const {
    const std::size_t P = spec_.populations.size();
    const std::string pop = spec_.populations[analysis_.analysed_population()];
    const auto& a = spec_.analysis;
    std::vector<double> hier(spec_.areas.hierarchy.begin() + static_cast<std::ptrdiff_t>(begin_),
                             spec_.areas.hierarchy.begin() + static_cast<std::ptrdiff_t>(begin_ + n_));
    const std::string rule = a.rule == "delay_minus_baseline"
                                 ? "delay mean minus baseline mean of " + pop + " > " + std::to_string(a.threshold_hz) + " Hz"
                                 : "delay mean of " + pop + " > " + std::to_string(a.threshold_hz) + " Hz";
    std::vector<analysis_column> cols = {
        {"hierarchy", std::move(hier), 1, "1", "normalised hierarchy h_i of the area table"},
        {"baseline_mean_hz", analysis_.baseline_mean(), P, "Hz",
         "mean recorded rate of every population over the baseline window (analysis.baseline_ms)"},
        {"delay_mean_hz", analysis_.delay_mean(), P, "Hz",
         "mean recorded rate of every population over the delay window (analysis.delay_ms)"},
        {"persistent", analysis_.persistent(), 1, "1", "persistent activity flag (1/0): " + rule},
        {"cue_response_hz", analysis_.cue_response(), 1, "Hz",
         "peak of " + pop + " during the cue window minus its baseline mean (NaN: no cue)"},
        {"distractor_response_hz", analysis_.distractor_response(), 1, "Hz",
         "peak of the distractor's population during the distractor window minus its baseline mean (NaN: none)"},
        {"end_rate_hz", analysis_.end_rate(), P, "Hz", "last recorded rate of every population"},
        {"peak_rate_hz", analysis_.peak_rate(), P, "Hz", "maximum recorded rate of every population over the run"},
    };
    if (analysis_.has_timescale())
        cols.push_back({"intrinsic_timescale_s", analysis_.intrinsic_timescale(), 1, "s",
                        "lag at which the autocorrelation of " + pop + " in analysis.timescale_ms first falls below "
                        "1/e (NaN: not within analysis.max_lag_ms)"});
    return cols;
}

std::vector<global_result> circuit_simulation::global_results() const {
    if (!rnn_) return {};
    return {{"/readout", {static_cast<std::size_t>(spec_.run.n_records()), n_out_}, readout_, "1",
             "readout o = g(W_out a + b_out) of the network at every record (rows as /time)"}};
}

std::vector<std::string> circuit_simulation::summary_lines() const {
    if (!rnn_ || readout_.empty()) return {};
    char buf[200];
    std::snprintf(buf, sizeof buf, "task accuracy on %.0f masked records: %.2f %% (readout argmax vs target)", masked_,
                  masked_ > 0 ? 100.0 * correct_ / masked_ : 0.0);
    return {buf};
}

run_report circuit_simulation::run(record_sink* sink, const control_hook& control) {
    using clock = std::chrono::steady_clock;
    const std::int64_t n_steps = spec_.run.n_steps;
    const std::int64_t every = spec_.run.record_every;
    const auto t0 = clock::now();
    const std::int64_t k0 = step_;
    if (k0 == 0 && next_record_index_ == 0) {
        apply_modulators_at(0, true);
        record(0, sink);
    }
    std::int64_t next_record = next_record_index_ * every;
    std::int64_t next_control = control.fn ? control.first : -1;
    std::int64_t next_mod = next_mod_event_ < mod_events_.size() ? mod_events_[next_mod_event_] : -1;
    circuit_step_input in;
    in.lr = lr_ptr_.data();
    in.stim = stim_ptr_.data();
    std::int64_t k = k0;
    for (; k < n_steps; ++k) {
        if (k == next_control) {
            step_ = k;
            next_control = control.fn(k);
            if (next_control == control_hook::stop_now) break;
        }
        if (k == next_mod) {
            apply_modulators_at(k, false);
            ++next_mod_event_;
            next_mod = next_mod_event_ < mod_events_.size() ? mod_events_[next_mod_event_] : -1;
        }
        stimulus_.apply(k);
        long_range_input(k);
        in.step = k;
        circuit_->step(in);
        for (const auto& s : silences_)
            if (k >= s.begin && k < s.end)
                for (std::size_t v : s.variables) {
                    double* x = circuit_->var(v);
                    for (std::size_t i : s.areas) x[i] = 0.0;
                }
        if (k + 1 == next_record) {
            record((k + 1) / every, sink);
            next_record += every;
        }
    }
    step_ = k;
    run_report r;
    r.steps = k - k0;
    r.loop_seconds = std::chrono::duration<double>(clock::now() - t0).count();
    r.steps_per_second = r.loop_seconds > 0 ? static_cast<double>(r.steps) / r.loop_seconds : 0.0;
    return r;
}

std::unique_ptr<engine> make_engine(const model_spec& spec, MPI_Comm comm) {
    std::unique_ptr<engine> e;
    run_collectively(comm, [&] {
        if (spec.circuit == "linear_ei")
            e = std::make_unique<simulation>(spec, comm);
        else
            e = std::make_unique<circuit_simulation>(spec, comm);
    });
    return e;
}

}  // namespace cortexsim
