#include "cortexsim/integrator/simulation.hpp"

#include <algorithm>
#include <chrono>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/connectivity/csv.hpp"

namespace cortexsim {

std::int64_t analysis_onset_record(const model_spec& spec) {
    if (spec.stimuli.empty()) return -1;
    const stimulus_spec* s = &spec.stimuli.front();
    for (const auto& x : spec.stimuli)
        if (x.name == spec.analysis.stimulus) s = &x;
    return s->onset_step / spec.run.record_every;
}

namespace {

local_rows load_rows(const model_spec& spec, const block_partition& part, int rank) {
    const labelled_matrix fln = read_square_matrix_csv(spec.connectivity.fln_path, spec.areas.names);
    return rows_of(fln, part.begin(rank), part.end(rank));
}

}  // namespace

simulation::simulation(const model_spec& spec, MPI_Comm comm)
    : spec_(spec),
      comm_(comm),
      part_(spec.areas.size(), comm_size(comm)),
      begin_(part_.begin(comm_rank(comm))),
      n_(part_.count(comm_rank(comm))),
      stimulus_(spec.stimuli, begin_, n_, spec.populations.size()),
      analysis_(n_, spec.populations.size(), analysis_onset_record(spec),
                static_cast<double>(spec.run.record_every) * spec.run.dt_ms * 1e-3) {
    local_rows rows;
    run_collectively(comm, [&] { rows = load_rows(spec, part_, comm_rank(comm)); });
    run_collectively(comm, [&] { coupling_ = std::make_unique<coupling>(comm, part_, rows); });

    // Background: the long-range input at the target fixed point.
    std::vector<double> target(n_, spec.params.r_E_target_hz), lr0(n_, 0.0);
    coupling_->apply(target.data(), lr0.data());
    derived_ = derive_linear_ei(spec.params, spec.areas, begin_, n_, spec.run.dt_ms, lr0);
    state_ = initial_linear_ei(spec.params, n_);

    // Record buffer: the same number of records per block on every rank (collective writes), sized by the
    // largest local block so that it stays within output.buffer_mb.
    const std::size_t per_record = part_.count(0) * spec.populations.size() * sizeof(double);
    const double cap = spec.output.buffer_mb * 1024.0 * 1024.0 / static_cast<double>(per_record);
    block_ = std::clamp<std::int64_t>(static_cast<std::int64_t>(cap), 1, spec.run.n_records());
    buffer_.assign(static_cast<std::size_t>(block_) * n_ * spec.populations.size(), 0.0);

    for (auto* v : {&lr_, &lr2_, &d0E_, &d0I_, &d1E_, &d1I_, &pE_, &pI_}) v->assign(n_, 0.0);
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
        coupling_->apply(rE, lr_.data());
        if (!heun) {
            linear_ei_euler(derived_, rE, rI, lr_.data(), sE, sI);
        } else {
            linear_ei_heun_predict(derived_, rE, rI, lr_.data(), sE, sI, d0E_.data(), d0I_.data(), pE_.data(),
                                   pI_.data());
            coupling_->apply(pE_.data(), lr2_.data());
            linear_ei_heun_correct(derived_, rE, rI, pE_.data(), pI_.data(), lr2_.data(), sE, sI, d0E_.data(),
                                   d0I_.data(), d1E_.data(), d1I_.data());
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
