#include "cortexsim/integrator/simulation.hpp"

#include <algorithm>
#include <chrono>

#include "cortexsim/common/collective.hpp"
#include "engine_common.hpp"
#include "cortexsim/connectivity/connectivity.hpp"

namespace cortexsim {

std::int64_t analysis_onset_record(const model_spec& spec) {
    if (spec.stimuli.empty()) return -1;
    const stimulus_spec* s = &spec.stimuli.front();
    for (const auto& x : spec.stimuli)
        if (x.name == spec.analysis.stimulus) s = &x;
    return s->onset_step / spec.run.record_every;
}

simulation::simulation(const model_spec& spec, MPI_Comm comm)
    : spec_(spec),
      comm_(comm),
      part_(partition_for(spec.areas.size(), comm_size(comm), spec.partition_counts)),
      begin_(part_.begin(comm_rank(comm))),
      n_(part_.count(comm_rank(comm))),
      stimulus_(spec.stimuli, begin_, n_, spec.populations.size()),
      analysis_(n_, spec.populations.size(), analysis_onset_record(spec),
                static_cast<double>(spec.run.record_every) * spec.run.dt_ms * 1e-3) {
    const bool delays = !spec.connectivity.delays.distance_matrix.empty();
    const double target_rate[2] = {spec.params.r_E_target_hz, spec.params.r_I_target_hz};
    const double beta[2] = {spec.params.beta_E, spec.params.beta_I};
    std::vector<double> lr0_E(n_, 0.0), lr0_I(n_, 0.0);
    // Group projections by (source, matrix transform); build each group's rows and exchange once.
    const auto members = detail::group_projections(spec.projections);
    for (const auto& m : members) {
        const projection_spec& first = spec.projections[m.front()];
        lr_group g;
        g.source = first.source;
        local_rows rows;
        run_collectively(comm, [&] { rows = projection_rows(spec, first, begin_, begin_ + n_); });
        detail::build_exchange(g, comm, part_, rows, spec);
        g.sum.assign(n_, 0.0);
        g.sum2.assign(n_, 0.0);
        // the background fixed point: every source at its target rate
        std::vector<double> at_target(n_, 0.0);
        if (delays) {
            g.delayed->sums_of_constant(target_rate[g.source], at_target.data());
        } else {
            const std::vector<double> x(n_, target_rate[g.source]);
            g.direct->apply(x.data(), at_target.data());
        }
        for (std::size_t p : m) {
            const projection_spec& pr = spec.projections[p];
            const std::vector<double> gv = gradient_values(spec, pr.gradient);
            const std::vector<double> b = local_parameter(spec, pr.target == 0 ? "beta_E" : "beta_I", beta[pr.target],
                                                          begin_, n_);
            std::vector<double> c(n_);
            for (std::size_t i = 0; i < n_; ++i) c[i] = b[i] * pr.scale * gv[begin_ + i];
            auto& lr0 = pr.target == 0 ? lr0_E : lr0_I;
            for (std::size_t i = 0; i < n_; ++i) lr0[i] += c[i] * at_target[i];
            g.targets.emplace_back(pr.target, std::move(c));
        }
        groups_.push_back(std::move(g));
    }
    derived_ = derive_linear_ei(spec, begin_, n_, lr0_E, lr0_I);
    state_ = initial_linear_ei(spec.params, n_);
    for (auto& g : groups_)
        if (g.delayed) g.delayed->initialise(g.source == 0 ? state_.r_E.data() : state_.r_I.data());

    // Record buffer: the same number of records per block on every rank (collective writes), sized by the
    // largest local block so that it stays within output.buffer_mb.
    const std::size_t per_record = part_.count(0) * spec.populations.size() * sizeof(double);
    const double cap = spec.output.buffer_mb * 1024.0 * 1024.0 / static_cast<double>(per_record);
    block_ = std::clamp<std::int64_t>(static_cast<std::int64_t>(cap), 1, spec.run.n_records());
    buffer_.assign(static_cast<std::size_t>(block_) * n_ * spec.populations.size(), 0.0);

    for (auto* v : {&in_E_, &in_I_, &d0E_, &d0I_, &d1E_, &d1I_, &pE_, &pI_}) v->assign(n_, 0.0);
}

const exchange_stats& simulation::exchange() const { return detail::first_exchange_stats(groups_); }

double simulation::exchanges_per_second() const {
    // Heun exchanges twice per step (the predictor's rates); delayed input is exchanged once per epoch
    return detail::exchanges_per_second(groups_, spec_.run.dt_ms,
                                        spec_.run.integrator == integrator_kind::heun ? 2.0 : 1.0);
}

void simulation::long_range_input(std::int64_t k, const double* r_E, const double* r_I, bool predictor) {
    std::fill(in_E_.begin(), in_E_.end(), 0.0);
    std::fill(in_I_.begin(), in_I_.end(), 0.0);
    for (auto& g : groups_) {
        const double* src = g.source == 0 ? r_E : r_I;
        double* sum = g.sum.data();
        if (g.direct) {
            g.direct->apply(src, sum);
        } else if (!predictor) {
            g.delayed->step(k, src, sum);  // delayed input does not depend on the predictor
        }
        for (const auto& [target, c] : g.targets) {
            double* in = target == 0 ? in_E_.data() : in_I_.data();
            for (std::size_t i = 0; i < n_; ++i) in[i] += c[i] * sum[i];
        }
    }
}

std::vector<std::vector<double>> simulation::export_history() const {
    return detail::export_histories(groups_, step_, n_);
}

std::vector<std::int64_t> simulation::history_lengths() const { return detail::history_lengths(groups_); }

void simulation::import_history(const std::vector<std::vector<double>>& global) {
    detail::import_histories(groups_, step_, part_.n_areas(), global);
}

void simulation::record(std::int64_t k, record_sink* sink) {
    const double* rates[2] = {state_.r_E.data(), state_.r_I.data()};
    analysis_.observe(k, rates);
    next_record_index_ = k + 1;
    if (!sink) return;
    if (buffered_ == 0) buffer_first_ = k;
    double* b = buffer_.data() + static_cast<std::size_t>(buffered_) * n_ * 2;
    for (std::size_t i = 0; i < n_; ++i) {
        b[2 * i] = state_.r_E[i];
        b[2 * i + 1] = state_.r_I[i];
    }
    ++buffered_;
    if (buffered_ == block_ || k + 1 == spec_.run.n_records()) flush_records(sink);
}

void simulation::flush_records(record_sink* sink) {
    if (!sink || buffered_ == 0) return;
    sink->write_block(buffer_first_, buffered_, buffer_.data());
    buffered_ = 0;
}

void simulation::export_state(std::vector<double>& rates, std::vector<double>& analysis) const {
    const std::size_t P = spec_.populations.size(), S = analysis_.state_size();
    rates.resize(n_ * P);
    analysis.resize(n_ * S);
    for (std::size_t i = 0; i < n_; ++i) {
        rates[i * P] = state_.r_E[i];
        rates[i * P + 1] = state_.r_I[i];
        analysis_.export_state(i, analysis.data() + i * S);
    }
}

void simulation::import_state(std::int64_t step, const std::vector<double>& rates,
                              const std::vector<double>& analysis) {
    const std::size_t P = spec_.populations.size(), S = analysis_.state_size();
    for (std::size_t i = 0; i < n_; ++i) {
        state_.r_E[i] = rates[i * P];
        state_.r_I[i] = rates[i * P + 1];
        analysis_.import_state(i, analysis.data() + i * S);
    }
    step_ = step;
    next_record_index_ = step / spec_.run.record_every + 1;
    buffered_ = 0;
}

run_report simulation::run(record_sink* sink, const control_hook& control) {
    using clock = std::chrono::steady_clock;
    const std::int64_t n_steps = spec_.run.n_steps;
    const std::int64_t every = spec_.run.record_every;
    const bool heun = spec_.run.integrator == integrator_kind::heun;
    double* rE = state_.r_E.data();
    double* rI = state_.r_I.data();
    const double* sE = stimulus_.input(0);
    const double* sI = stimulus_.input(1);

    const auto t0 = clock::now();
    const std::int64_t k0 = step_;
    if (k0 == 0 && next_record_index_ == 0) record(0, sink);
    std::int64_t next_record = next_record_index_ * every;
    std::int64_t next_control = control.fn ? control.first : -1;
    std::int64_t k = k0;
    for (; k < n_steps; ++k) {
        if (k == next_control) {
            step_ = k;
            next_control = control.fn(k);
            if (next_control == control_hook::stop_now) break;
        }
        stimulus_.apply(k);
        long_range_input(k, rE, rI, false);
        if (!heun) {
            linear_ei_euler(derived_, rE, rI, in_E_.data(), in_I_.data(), sE, sI);
        } else {
            linear_ei_heun_predict(derived_, rE, rI, in_E_.data(), in_I_.data(), sE, sI, d0E_.data(), d0I_.data(),
                                   pE_.data(), pI_.data());
            long_range_input(k, pE_.data(), pI_.data(), true);
            linear_ei_heun_correct(derived_, rE, rI, pE_.data(), pI_.data(), in_E_.data(), in_I_.data(), sE, sI,
                                   d0E_.data(), d0I_.data(), d1E_.data(), d1I_.data());
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

}  // namespace cortexsim

namespace cortexsim {

std::vector<analysis_column> simulation::analysis_columns() const {
    const std::size_t P = spec_.populations.size();
    std::vector<double> hier(spec_.areas.hierarchy.begin() + static_cast<std::ptrdiff_t>(begin_),
                             spec_.areas.hierarchy.begin() + static_cast<std::ptrdiff_t>(begin_ + n_));
    return {
        {"hierarchy", std::move(hier), 1, "1", "normalised hierarchy h_i used by the model"},
        {"peak_rate_hz", analysis_.peak_rate_hz(), P, "Hz", "maximum recorded rate of each population over the run"},
        {"response_hz", analysis_.response_hz(), 1, "Hz",
         "peak increase of the E rate after the pulse onset over its value at the onset"},
        {"peak_time_s", analysis_.peak_time_s(), 1, "s", "time of the peak E response"},
        {"timescale_s", analysis_.timescale_s(), 1, "s",
         "time from the peak E response until it decays below peak/e (linear interpolation between records); NaN "
         "if it does not"},
    };
}

}  // namespace cortexsim
