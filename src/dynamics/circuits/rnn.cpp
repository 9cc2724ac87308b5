#include "cortexsim/dynamics/circuits/rnn.hpp"
#include "cortexsim/common/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/memory.hpp"
#include "cortexsim/io/rnn_weights.hpp"
#include "cortexsim/rnn/random_init.hpp"
#include "cortexsim/rnn/tasks.hpp"

namespace cortexsim {
namespace {

[[noreturn]] void fail(const std::string& what) { throw config_error("rnn circuit: " + what); }

std::string num(double v) { return shortest_text(v); }

inline double sigmoid(double u) {  // as network.cpp (no overflow for large |u|)
    if (u >= 0) return 1.0 / (1.0 + std::exp(-u));
    const double e = std::exp(u);
    return e / (1.0 + e);
}

}  // namespace

// ---- the circuit ------------------------------------------------------------------------------------------

const circuit_info& rnn_info() {
    static const circuit_info info{"rnn", {}, "window", "1"};  // everything is in model.rnn
    return info;
}

circuit_names rnn_circuit::names(const model_spec&) { return {{"a"}, {"a"}, {"rec"}, {"in"}, {}}; }

void rnn_circuit::check(const model_spec& m) {
    const rnn_spec& s = m.rnn;
    if (!s.defined) fail("the model has no 'model.rnn' section");
    const std::string origin = s.weights_path.empty() ? "model.rnn.init.dt_ms" : "model.rnn.weights";
    if (!(m.run.dt_ms > 0.0)) fail("run.dt_ms must be positive");
    if (std::fabs(m.run.dt_ms - s.dt_ms) > 1e-12 * s.dt_ms)
        fail("run.dt_ms = " + std::to_string(m.run.dt_ms) +
             " must equal the network's dt_ms = " + std::to_string(s.dt_ms) + " (" + origin + ")");
    const std::int64_t steps = m.run.n_steps;
    const std::int64_t T = s.has_task() ? s.trial_steps : 0;
    if (s.has_task()) {
        if (T <= 0) fail("the task has no steps");
        const double given = static_cast<double>(s.n_trials) * static_cast<double>(T);  // (no overflow)
        if (s.n_trials > 0 && static_cast<double>(steps) > given)
            fail("run.t_end_ms = " + num(m.run.t_end_ms) + " ms needs " + std::to_string(steps) +
                 " steps, but model.rnn.trials.count = " + std::to_string(s.n_trials) + " trials of " +
                 std::to_string(T) + " steps give " + num(given));
    }
    if (s.W_out.size() != s.n_out * s.n_units || s.b_out.size() != s.n_out)
        fail("the readout W_out / b_out has the wrong size");
    // every rank holds the input of the whole run (x, target, mask per step); rank 0 the readout of every record
    if (m.run.record_every > 0) {
        const double S = static_cast<double>(steps);
        check_allocation(product_of({S, 8.0 * static_cast<double>(s.n_in) + 12.0}),
                         "the input of the network for the run (run.t_end_ms = " + num(m.run.t_end_ms) +
                             " ms: " + std::to_string(steps) + " steps x " + std::to_string(s.n_in) + " inputs)");
        check_allocation(product_of({static_cast<double>(m.run.n_records()), static_cast<double>(s.n_out), 8.0}),
                         "the readout of the run (run.record_interval_ms: " + std::to_string(m.run.n_records()) +
                             " records x " + std::to_string(s.n_out) + " outputs)");
    }
}

rnn_circuit::rnn_circuit(const model_spec& m, std::size_t begin, std::size_t n) : circuit(begin, n) {
    check(m);
    const circuit_names nm = names(m);
    declare(nm.variables, nm.recorded, nm.channels, nm.ports);
    const rnn_spec& s = m.rnn;
    kind_ = s.kind;
    activation_ = s.activation;
    readout_kind_ = s.readout;
    n_units_ = s.n_units;
    n_in_ = s.n_in;
    n_out_ = s.n_out;
    T_ = s.has_task() ? s.trial_steps : 0;
    reset_ = s.reset_state && T_ > 0;
    record_every_ = m.run.record_every;
    n_records_ = m.run.record_every > 0 ? m.run.n_records() : 0;  // (the config probes before the run section)
    const std::int64_t steps = m.run.n_steps;
    if (begin + n > n_units_)
        fail("local units [" + std::to_string(begin) + ", " + std::to_string(begin + n) + ") exceed the " +
             std::to_string(n_units_) + " units of the network");
    W_out_ = s.W_out;  // (also for n = 0: the readout needs no local units)
    b_out_ = s.b_out;
    if (n == 0) return;  // a name lookup
    init_ids(m);
    // this rank's rows of W_in and (built next, by the long-range input) of W_rec, at most N values a row
    const double density = s.weights_path.empty() ? s.density : 1.0;
    check_allocation(product_of({static_cast<double>(n), 8.0 * static_cast<double>(n_in_) +
                                                             16.0 * density * static_cast<double>(n_units_) + 64.0}),
                     "this rank's " + std::to_string(n) + " units of the network (" + std::to_string(n_units_) +
                         " units, density " + num(density) + ", " + std::to_string(n_in_) + " inputs)");

    // this rank's rows of W_in (kept transposed), b and tau
    w_in_t_.assign(n_in_ * n, 0.0);
    b_.assign(n, 0.0);
    k_.assign(n, 1.0);
    u_.assign(n, 0.0);
    zeros_.assign(n, 0.0);
    const bool leaky = kind_ == rnn::rnn_kind::leaky;
    if (!s.weights_path.empty()) {
        const std::vector<double> w = read_rnn_weights_rows(s.weights_path, "/W_in", begin, begin + n);
        b_ = read_rnn_weights_rows(s.weights_path, "/b", begin, begin + n);
        const std::vector<double> tau = read_rnn_weights_rows(s.weights_path, "/tau_ms", begin, begin + n);
        if (w.size() != n * n_in_)
            throw data_error(s.weights_path + ": /W_in: not " + std::to_string(n_in_) + " columns");
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t c = 0; c < n_in_; ++c) w_in_t_[c * n + i] = w[i * n_in_ + c];
            if (!(tau[i] > 0.0) || (leaky && tau[i] < s.dt_ms))
                throw data_error(s.weights_path + ": /tau_ms: value " + num(tau[i]) + " at [" +
                                 std::to_string(begin + i) + "] must be > 0 (leaky: >= dt_ms = " + num(s.dt_ms) + ")");
            if (leaky) k_[i] = s.dt_ms / tau[i];
        }
    } else {
        std::vector<double> row(n_in_);
        for (std::size_t i = 0; i < n; ++i) {
            rnn::random_input_row(s, begin + i, row.data());
            for (std::size_t c = 0; c < n_in_; ++c) w_in_t_[c * n + i] = row[c];
            if (leaky) k_[i] = s.dt_ms / s.tau_ms;
        }
    }

    // the input of the run: trials first .. first + count - 1, one after the other (run step k is step
    // k - q T of trial first + q, q = k / T)
    const std::size_t S = static_cast<std::size_t>(std::max<std::int64_t>(steps, 0));
    x_.assign(S * n_in_, 0.0);
    target_.assign(S, -1);
    mask_.assign(S, 0.0);
    if (T_ > 0 && S > 0) {
        const auto task = rnn::task_from_description(s.task);
        if (task->n_inputs() != n_in_ || task->n_steps() != T_)
            fail("the task '" + s.task + "' does not match the spec (inputs or steps per trial)");
        const std::size_t T = static_cast<std::size_t>(T_);
        for (std::size_t q = 0; q * T < S; ++q) {
            const rnn::trial tr = task->generate(s.trial_seed, s.first_trial + q);
            const std::size_t len = std::min(T, S - q * T);
            std::copy(tr.x.begin(), tr.x.begin() + static_cast<std::ptrdiff_t>(len * n_in_),
                      x_.begin() + static_cast<std::ptrdiff_t>(q * T * n_in_));
            for (std::size_t t = 0; t < len; ++t) {
                target_[q * T + t] = tr.target[t];
                mask_[q * T + t] = tr.mask[t];
            }
        }
    }
}

void rnn_circuit::step(const step_input& in) {
    const std::size_t n = n_;
    if (n == 0) return;
    double* __restrict a = var(v_a);
    double* __restrict u = u_.data();
    const double* rec = in.lr ? in.lr[c_rec] : zeros_.data();
    const double* st = in.stim ? in.stim[p_in] : zeros_.data();
    const double* x = input(in.step);
    // a trial starts from a = 0 (reset_state): then W_rec a(k) = 0 too
    const bool restart = reset_ && in.step > 0 && in.step % T_ == 0;

    // u = b + W_in x, column by column in increasing input order (skipping zero inputs, as rnn_engine::forward)
    std::copy(b_.begin(), b_.end(), u);
    if (x)
        for (std::size_t c = 0; c < n_in_; ++c) {
            const double xc = x[c];
            if (xc == 0.0) continue;
            const double* __restrict w = w_in_t_.data() + c * n;
            for (std::size_t i = 0; i < n; ++i) u[i] += w[i] * xc;
        }
    if (restart) {
        for (std::size_t i = 0; i < n; ++i) u[i] += st[i];
        for (std::size_t i = 0; i < n; ++i) a[i] = 0.0;
    } else {
        for (std::size_t i = 0; i < n; ++i) u[i] = (u[i] + rec[i]) + st[i];
    }
    const auto f = activation_;
    if (kind_ == rnn::rnn_kind::leaky) {
        for (std::size_t i = 0; i < n; ++i) {
            const double prev = a[i];
            a[i] = prev + k_[i] * (rnn::activate(f, u[i]) - prev);
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) a[i] = rnn::activate(f, u[i]);
    }
}

std::size_t rnn_circuit::n_outputs() const { return n_out_; }

void rnn_circuit::readout(const double* a_all, double* o) const {
    const std::size_t N = n_units_, O = n_out_;
    if (O == 0) return;
    if (W_out_.size() != O * N) throw error("internal error: rnn_circuit::readout: called on a circuit without units");
    for (std::size_t q = 0; q < O; ++q) {
        const double* w = W_out_.data() + q * N;
        // the fixed order of the coupling's row sums (exchange/row_sum.hpp): four interleaved partial sums
        // over j in increasing order, combined as (s0 + s1) + (s2 + s3)
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        std::size_t j = 0;
        for (; j + 3 < N; j += 4) {
            s0 += w[j] * a_all[j];
            s1 += w[j + 1] * a_all[j + 1];
            s2 += w[j + 2] * a_all[j + 2];
            s3 += w[j + 3] * a_all[j + 3];
        }
        if (j < N) s0 += w[j] * a_all[j];
        if (j + 1 < N) s1 += w[j + 1] * a_all[j + 1];
        if (j + 2 < N) s2 += w[j + 2] * a_all[j + 2];
        o[q] = b_out_[q] + ((s0 + s1) + (s2 + s3));
    }
    switch (readout_kind_) {
        case rnn::readout_kind::identity: break;
        case rnn::readout_kind::sigmoid:
            for (std::size_t q = 0; q < O; ++q) o[q] = sigmoid(o[q]);
            break;
        case rnn::readout_kind::softmax: {
            const double mx = *std::max_element(o, o + O);
            double sum = 0.0;
            for (std::size_t q = 0; q < O; ++q) {
                o[q] = std::exp(o[q] - mx);
                sum += o[q];
            }
            for (std::size_t q = 0; q < O; ++q) o[q] /= sum;
            break;
        }
    }
}

int rnn_circuit::target(std::int64_t k) const {
    return k >= 0 && static_cast<std::size_t>(k) < target_.size() ? target_[static_cast<std::size_t>(k)] : -1;
}

double rnn_circuit::mask(std::int64_t k) const {
    return k >= 0 && static_cast<std::size_t>(k) < mask_.size() ? mask_[static_cast<std::size_t>(k)] : 0.0;
}

const double* rnn_circuit::input(std::int64_t k) const {
    if (k < 0 || static_cast<std::size_t>(k) >= target_.size() || n_in_ == 0) return nullptr;
    return x_.data() + static_cast<std::size_t>(k) * n_in_;
}

// ---- the readout: an observer of the run ----------------------------------------------------------------------

namespace {

/// o = g(W_out a + b_out) at every record, computed on rank 0 from the gathered activity of all units (fixed
/// summation order), and the accuracy on the masked records. Its whole-run state (the readout so far and the
/// counts) is kept in checkpoints on rank 0.
class rnn_readout_observer final : public observer {
public:
    rnn_readout_observer(const rnn_circuit& c, root_gather& gather, std::int64_t record_every, std::int64_t n_records)
        : c_(c), gather_(gather), every_(record_every), n_records_(n_records), n_out_(c.n_outputs()) {}

    void observe(std::int64_t record, const double* const* recorded) override {
        const double* all = gather_.gather(recorded[0]);
        if (!all) return;  // not rank 0
        if (readout_.empty()) readout_.assign(static_cast<std::size_t>(n_records_) * n_out_, 0.0);
        double* o = readout_.data() + static_cast<std::size_t>(record) * n_out_;
        c_.readout(all, o);
        const std::int64_t step = record * every_;  // the state after `step` steps: input x(step - 1)
        if (step > 0 && c_.mask(step - 1) > 0 && c_.target(step - 1) >= 0) {
            std::size_t best = 0;
            for (std::size_t q = 1; q < n_out_; ++q)
                if (o[q] > o[best]) best = q;
            masked_ += 1;
            if (static_cast<int>(best) == c_.target(step - 1)) correct_ += 1;
        }
    }

    void results(run_results& out) const override {
        out.globals.push_back({"/readout",
                               {static_cast<std::size_t>(n_records_), n_out_},
                               readout_,
                               "1",
                               "readout o = g(W_out a + b_out) of the network at every record (rows as /time)",
                               {},
                               {"/time", ""}});
        if (readout_.empty()) return;  // not rank 0
        char buf[200];
        std::snprintf(buf, sizeof buf, "task accuracy on %.0f masked records: %.2f %% (readout argmax vs target)",
                      masked_, masked_ > 0 ? 100.0 * correct_ / masked_ : 0.0);
        out.summary.emplace_back(buf);
    }

    std::vector<double> save_global() const override {
        if (readout_.empty()) return {};
        std::vector<double> s = readout_;
        s.push_back(correct_);
        s.push_back(masked_);
        return s;
    }
    void load_global(const std::vector<double>& s) override {
        if (s.size() < 2) return;
        readout_.assign(s.begin(), s.end() - 2);
        correct_ = s[s.size() - 2];
        masked_ = s.back();
    }

private:
    const rnn_circuit& c_;
    root_gather& gather_;
    std::int64_t every_, n_records_;
    std::size_t n_out_;
    std::vector<double> readout_;  // rank 0: [n_records][n_out]
    double correct_ = 0, masked_ = 0;
};

}  // namespace

std::vector<std::unique_ptr<observer>> rnn_circuit::own_observers(root_gather& gather) const {
    std::vector<std::unique_ptr<observer>> v;
    v.push_back(std::make_unique<rnn_readout_observer>(*this, gather, record_every_, n_records_));
    return v;
}

}  // namespace cortexsim
