#include "cortexsim/integrator/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "cortexsim/analysis/monitors.hpp"
#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/memory.hpp"
#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/exchange/gather.hpp"
#include "cortexsim/integrator/scheme.hpp"
#include "cortexsim/stimulus/stimulus.hpp"
#include "long_range.hpp"

namespace cortexsim {
namespace {

/// The observers' gather onto rank 0, built on first use (collectively: every rank observes the same records).
class gather_service final : public root_gather {
public:
    gather_service(MPI_Comm comm, const block_partition& part) : comm_(comm), part_(part) {}
    const double* gather(const double* local) override {
        if (!g_) g_ = std::make_unique<gather_to_root>(comm_, part_);
        return g_->gather(local);
    }
    void broadcast(std::vector<double>& values) override { broadcast_from_root(comm_, values); }
    std::size_t rank() const override { return static_cast<std::size_t>(comm_rank(comm_)); }
    std::size_t ranks() const override { return static_cast<std::size_t>(comm_size(comm_)); }

private:
    MPI_Comm comm_;
    const block_partition& part_;
    std::unique_ptr<gather_to_root> g_;
};

/// The record buffer of the last engine destroyed in this process, kept for the next one (a sweep builds one
/// engine per point): a fresh 16 MiB buffer costs ~10 ms of page faults and zeroing per point here
/// (docs/benchmarks.md, "Sweeps"). Engines are built and destroyed on one thread.
std::vector<double>& spare_record_buffer() {
    static std::vector<double> spare;
    return spare;
}

}  // namespace

struct engine::impl {
    ~impl() {
        auto& spare = spare_record_buffer();
        if (buffer.capacity() > spare.capacity()) spare.swap(buffer);
    }
    const model_spec& spec;
    MPI_Comm comm;
    block_partition part;
    std::size_t begin, n;
    std::unique_ptr<circuit> c;
    std::unique_ptr<detail::long_range> lr;
    std::unique_ptr<stimulus_schedule> stimulus;
    std::vector<const double*> stim_ptr, rec_ptr;
    gather_service gather;
    std::vector<std::unique_ptr<observer>> observers;
    // perturbations: silence windows and modulator windows
    struct silence {
        std::int64_t begin, end;
        std::vector<std::size_t> areas, variables;  // local areas, circuit variables
    };
    std::vector<silence> silences;
    struct modulator_window {
        std::int64_t begin, end;
        std::string name;
        double value;
    };
    std::vector<modulator_window> mod_windows;
    std::vector<std::pair<std::string, double>> mod_base;
    std::vector<std::int64_t> mod_events;  // sorted steps at which a modulator changes
    std::size_t next_mod_event = 0;
    std::unique_ptr<scheme> integrate;
    // records
    std::int64_t block = 1;
    std::vector<double> buffer;
    std::int64_t buffered = 0, buffer_first = 0;
    std::int64_t step = 0, next_record_index = 0;
    nonfinite_state nonfinite;  // the first record step with a NaN or infinite state on this rank

    impl(const model_spec& s, MPI_Comm cm);
    void apply_modulators_at(std::int64_t k, bool from_scratch);
    void record(std::int64_t k, record_sink* sink);
    void flush(record_sink* sink);
    void check_finite(std::int64_t k);
};

engine::impl::impl(const model_spec& s, MPI_Comm cm)
    : spec(s),
      comm(cm),
      part(partition_for(s.areas.size(), comm_size(cm), s.partition_counts)),
      begin(part.begin(comm_rank(cm))),
      n(part.count(comm_rank(cm))),
      gather(cm, part) {
    run_collectively(comm, [&] { c = make_circuit(spec, begin, n); });
    lr = std::make_unique<detail::long_range>(spec, comm, part, *c);
    run_collectively(comm,
                     [&] { c->prepare([this](const std::vector<double>& value) { return lr->at_constant(value); }); });
    lr->initialise(*c);
    stimulus = std::make_unique<stimulus_schedule>(spec, begin, n, c->stimulus_ports().size());
    for (std::size_t p = 0; p < c->stimulus_ports().size(); ++p) stim_ptr.push_back(stimulus->input(p));
    for (std::size_t v : c->recorded()) rec_ptr.push_back(c->var(v));

    run_collectively(comm, [&] {
        integrate = std::make_unique<scheme>(spec.run.integrator, *c, spec.circuit, spec.config_path);
    });

    // observers: the analysis the circuit type asks for, then the circuit's own (an RNN's readout)
    std::vector<std::string> recorded;
    for (std::size_t v : c->recorded()) recorded.push_back(c->variables()[v]);
    run_collectively(comm, [&] {
        const circuit_info* info = find_circuit(spec.circuit);
        for (auto& o :
             make_analysis_observers(info ? info->analysis : "window", spec, begin, n, recorded, c->stimulus_ports()))
            observers.push_back(std::move(o));
        for (auto& o : c->own_observers(gather)) observers.push_back(std::move(o));
        const auto variable = [this](const std::string& v) -> const double* { return c->var(c->find_variable(v)); };
        for (auto& o : make_monitors(spec, begin, n, variable, gather, comm_rank(comm) == 0))
            observers.push_back(std::move(o));
    });

    // perturbations
    for (const auto& pert : spec.perturbations) {
        const std::int64_t b = pert.onset_step, e = pert.end_step;
        if (pert.kind == "silence") {
            silence si{b, e, {}, {}};
            for (std::size_t a : pert.areas)
                if (a >= begin && a < begin + n) si.areas.push_back(a - begin);
            if (pert.populations.empty())
                si.variables = c->recorded();
            else
                for (const auto& name : pert.populations) si.variables.push_back(c->find_variable(name));
            silences.push_back(std::move(si));
        } else if (pert.kind == "modulator") {
            mod_windows.push_back({b, e, pert.modulator, pert.value});
            bool known = false;
            for (const auto& [nm, v] : mod_base) known = known || nm == pert.modulator;
            if (!known) mod_base.emplace_back(pert.modulator, c->modulator(pert.modulator));
            mod_events.push_back(b);
            mod_events.push_back(e);
        }
    }
    std::sort(mod_events.begin(), mod_events.end());
    mod_events.erase(std::unique(mod_events.begin(), mod_events.end()), mod_events.end());

    // Record buffer: the same number of records per block on every rank (collective writes), sized by the
    // largest local block so that it stays within output.buffer_mb.
    const std::size_t P = rec_ptr.size();
    const std::size_t per_record = std::max<std::size_t>(1, part.count(0) * P * sizeof(double));
    const double n_records = static_cast<double>(spec.run.n_records());
    const double cap = std::min(spec.output.buffer_mb * 1024.0 * 1024.0 / static_cast<double>(per_record), n_records);
    block = std::max<std::int64_t>(1, static_cast<std::int64_t>(cap));  // (cap <= n_records <= 2^53 + 1)
    run_collectively(comm, [&] {
        check_allocation(product_of({static_cast<double>(block), static_cast<double>(n * P), 8.0}),
                         "the record buffer (output.buffer_mb = " + shortest_text(spec.output.buffer_mb) +
                             " MiB: " + std::to_string(block) + " records x " + std::to_string(n) + " local areas x " +
                             std::to_string(P) + " populations)");
        const std::size_t size = static_cast<std::size_t>(block) * n * P;
        auto& spare = spare_record_buffer();
        if (spare.capacity() >= size && spare.capacity() <= 2 * size + (std::size_t{1} << 17)) buffer.swap(spare);
        std::vector<double>().swap(spare);  // one that does not fit is freed, never held beside a new buffer
        buffer.resize(size);  // (its contents are never read before they are written: no need to zero them)
    });
}

/// Sets every modulator to its value at step k: the last window containing k, else its base value.
void engine::impl::apply_modulators_at(std::int64_t k, bool from_scratch) {
    for (const auto& [name, base] : mod_base) {
        double v = base;
        for (const auto& w : mod_windows)
            if (w.name == name && k >= w.begin && k < w.end) v = w.value;
        c->set_modulator(name, v);
    }
    if (from_scratch) {
        next_mod_event = 0;
        while (next_mod_event < mod_events.size() && mod_events[next_mod_event] <= k) ++next_mod_event;
    }
}

void engine::impl::record(std::int64_t k, record_sink* sink) {
    for (auto& o : observers) o->observe(k, rec_ptr.data());
    next_record_index = k + 1;
    if (!sink) return;
    const std::size_t P = rec_ptr.size();
    if (buffered == 0) buffer_first = k;
    double* b = buffer.data() + static_cast<std::size_t>(buffered) * n * P;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t p = 0; p < P; ++p) b[i * P + p] = rec_ptr[p][i];
    ++buffered;
    if (buffered == block || k + 1 == spec.run.n_records()) flush(sink);
}

/// The runtime guard (docs/reproducibility.md), at control points and at the end of run(): every variable of
/// every local area at step k (local, n x V values, once per 1024 steps). The time reported is that of the
/// first record in the record buffer with a value that is not finite, if any (the buffer usually holds every
/// record since the last write), else step k.
void engine::impl::check_finite(std::int64_t k) {
    if (nonfinite.step >= 0) return;
    for (std::size_t v = 0; v < c->variables().size() && nonfinite.step < 0; ++v) {
        const double* x = c->var(v);
        for (std::size_t i = 0; i < n; ++i)
            if (!std::isfinite(x[i])) {
                nonfinite = {k, spec.areas.names[begin + i], c->variables()[v], x[i]};
                break;
            }
    }
    if (nonfinite.step < 0) return;
    const std::size_t P = rec_ptr.size();
    for (std::int64_t r = 0; r < buffered; ++r)
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t p = 0; p < P; ++p) {
                const double x = buffer[(static_cast<std::size_t>(r) * n + i) * P + p];
                if (!std::isfinite(x)) {
                    nonfinite = {(buffer_first + r) * spec.run.record_every, spec.areas.names[begin + i],
                                 c->variables()[c->recorded()[p]], x};
                    return;
                }
            }
}

void engine::impl::flush(record_sink* sink) {
    if (!sink || buffered == 0) return;
    sink->write_block(buffer_first, buffered, buffer.data());
    buffered = 0;
}

engine::engine(const model_spec& spec, MPI_Comm comm) {
    run_collectively(comm, [&] { (void)partition_for(spec.areas.size(), comm_size(comm), spec.partition_counts); });
    impl_ = std::make_unique<impl>(spec, comm);
}

engine::~engine() = default;

run_report engine::run(record_sink* sink, const control_hook& control) {
    impl& m = *impl_;
    using clock = std::chrono::steady_clock;
    const std::int64_t n_steps = m.spec.run.n_steps;
    const std::int64_t every = m.spec.run.record_every;
    const auto t0 = clock::now();
    const std::int64_t k0 = m.step;
    if (k0 == 0 && m.next_record_index == 0) {
        m.apply_modulators_at(0, true);
        m.record(0, sink);
    }
    std::int64_t next_record = m.next_record_index * every;
    std::int64_t next_control = control.fn ? control.first : -1;
    std::int64_t next_mod = m.next_mod_event < m.mod_events.size() ? m.mod_events[m.next_mod_event] : -1;
    step_input in;
    in.lr = m.lr->channels();
    in.stim = m.stim_ptr.data();
    std::int64_t k = k0;
    for (; k < n_steps; ++k) {
        if (k == next_control) {
            m.step = k;
            m.check_finite(k);
            next_control = control.fn(k);
            if (next_control == control_hook::stop_now) break;
        }
        if (k == next_mod) {
            m.apply_modulators_at(k, false);
            ++m.next_mod_event;
            next_mod = m.next_mod_event < m.mod_events.size() ? m.mod_events[m.next_mod_event] : -1;
        }
        m.stimulus->apply(k);
        in.step = k;
        m.integrate->advance(*m.c, in, [&](int stage) { m.lr->input(k, stage, *m.c); });
        bool silenced = false;
        for (const auto& s : m.silences)
            if (k >= s.begin && k < s.end) {
                silenced = true;
                for (std::size_t v : s.variables) {
                    double* x = m.c->var(v);
                    for (std::size_t i : s.areas) x[i] = 0.0;
                }
            }
        if (silenced) m.c->derive();
        if (k + 1 == next_record) {
            m.record((k + 1) / every, sink);
            next_record += every;
        }
    }
    m.step = k;
    m.check_finite(k);
    run_report r;
    r.steps = k - k0;
    r.loop_seconds = std::chrono::duration<double>(clock::now() - t0).count();
    r.steps_per_second = r.loop_seconds > 0 ? static_cast<double>(r.steps) / r.loop_seconds : 0.0;
    return r;
}

void engine::flush_records(record_sink* sink) { impl_->flush(sink); }

std::int64_t engine::records_per_block() const { return impl_->block; }

std::int64_t engine::step() const { return impl_->step; }

engine_state engine::save() const {
    const impl& m = *impl_;
    engine_state s;
    s.step = m.step;
    const std::size_t V = m.c->variables().size(), n = m.n;
    s.width = V;
    s.state.resize(n * V);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t v = 0; v < V; ++v) s.state[i * V + v] = m.c->var(v)[i];
    for (const auto& o : m.observers) s.observer_width += o->state_size();
    s.observers.resize(n * s.observer_width);
    for (std::size_t i = 0; i < n; ++i) {
        double* out = s.observers.data() + i * s.observer_width;
        for (const auto& o : m.observers) {
            o->save(i, out);
            out += o->state_size();
        }
    }
    s.history_lengths = m.lr->history_lengths();
    s.histories = m.lr->export_histories(m.step);
    for (const auto& o : m.observers) s.observer_global.push_back(o->save_global());
    return s;
}

void engine::restore(const engine_state& s) {
    impl& m = *impl_;
    const std::size_t V = m.c->variables().size(), n = m.n;
    std::size_t S = 0;
    for (const auto& o : m.observers) S += o->state_size();
    if (s.width != V || s.state.size() != n * V || s.observer_width != S || s.observers.size() != n * S)
        throw data_error("checkpoint: the state does not match this model's variables or analysis");
    if (s.history_lengths != m.lr->history_lengths())
        throw data_error("checkpoint: the conduction-delay history does not match this model");
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t v = 0; v < V; ++v) m.c->var(v)[i] = s.state[i * V + v];
    for (std::size_t i = 0; i < n; ++i) {
        const double* in = s.observers.data() + i * S;
        for (auto& o : m.observers) {
            o->load(i, in);
            in += o->state_size();
        }
    }
    m.step = s.step;
    m.next_record_index = s.step / m.spec.run.record_every + 1;
    m.buffered = 0;
    m.apply_modulators_at(s.step, true);
    m.lr->import_histories(s.step, s.histories);
    for (std::size_t q = 0; q < m.observers.size() && q < s.observer_global.size(); ++q)
        m.observers[q]->load_global(s.observer_global[q]);
}

run_results engine::results() const {
    run_results r;
    for (const auto& o : impl_->observers) o->results(r);
    return r;
}

const block_partition& engine::partition() const { return impl_->part; }

const nonfinite_state& engine::nonfinite() const { return impl_->nonfinite; }

exchange_summary engine::exchange_info() const {
    const impl& m = *impl_;
    return {m.lr->first_stats(), m.lr->n_groups(), m.lr->exchanges_per_second(m.spec.run.dt_ms, m.integrate->stages())};
}

}  // namespace cortexsim
