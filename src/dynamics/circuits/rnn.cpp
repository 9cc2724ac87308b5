#include "cortexsim/dynamics/circuits/rnn.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "cortexsim/common/counter_rng.hpp"
#include "cortexsim/rnn/tasks.hpp"

namespace cortexsim {
namespace {

constexpr std::uint32_t stream_w_rec = 40, stream_w_in = 41;  // (42: W_out, in config/rnn_config.cpp)

void fail(const std::string& what) { throw std::invalid_argument("rnn circuit: " + what); }

/// Row i of a random W_rec: entry (i, j) kept with probability p, value ~ N(0, rho^2 / (N p)). One Philox block
/// per (row, pair of columns): words 0/1 decide and draw column 2q, words 2/3 column 2q + 1.
template <class Emit>
void random_row(const rnn_spec& s, std::size_t i, Emit&& emit) {
    const philox_key key = key_of(s.init_seed);
    const std::size_t N = s.n_units;
    const double sd = s.spectral_radius / std::sqrt(static_cast<double>(N) * s.density);
    for (std::size_t j = 0; j < N; j += 2) {
        const auto u = uniform01x4(counter_of(i, static_cast<std::uint32_t>(j / 2), stream_w_rec), key);
        for (std::size_t h = 0; h < 2 && j + h < N; ++h)
            if (j + h != i && u[2 * h] < s.density) emit(j + h, sd * normal_of_uniform(u[2 * h + 1]));
    }
}

}  // namespace

const circuit_info& rnn_info() {
    static const circuit_info info{"rnn", {}};
    return info;
}

rnn_circuit::rnn_circuit(const model_spec& m, std::size_t begin, std::size_t n) : circuit(begin, n), spec_(m.rnn) {
    declare({"a"}, {"a"}, {"rec"}, {"in"});
    const rnn_spec& s = m.rnn;
    if (!s.defined) fail("the model has no 'model.rnn' section");
    if (std::fabs(m.run.dt_ms - s.dt_ms) > 1e-12 * s.dt_ms)
        fail("run.dt_ms = " + std::to_string(m.run.dt_ms) + " must equal the network's dt_ms = " + std::to_string(s.dt_ms));
    const auto task = rnn::task_from_description(s.task);
    const std::int64_t T = task->n_steps();
    if (m.run.n_steps > static_cast<std::int64_t>(s.n_trials) * T)
        fail("run.t_end_ms needs " + std::to_string(m.run.n_steps) + " steps but model.rnn.trials.count = " +
             std::to_string(s.n_trials) + " trials give " + std::to_string(static_cast<std::int64_t>(s.n_trials) * T));
    if (begin + n > s.n_units) fail("local units exceed the network");
    n_in_ = s.n_in;
    if (n == 0) return;
    init_ids(m);
    w_in_.assign(n * n_in_, 0.0);
    b_.assign(n, 0.0);
    k_.assign(n, 1.0);
    if (s.weights) {
        const auto& w = *s.weights;
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t c = 0; c < n_in_; ++c) w_in_[i * n_in_ + c] = w.W_in[(begin + i) * n_in_ + c];
            b_[i] = w.b[begin + i];
            k_[i] = w.dt_ms / w.tau_ms[begin + i];
        }
    } else {
        const philox_key key = key_of(s.init_seed);
        const double sd = s.input_scale / std::sqrt(static_cast<double>(n_in_));
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t c = 0; c < n_in_; c += 4) {
                const auto u = uniform01x4(counter_of(begin + i, static_cast<std::uint32_t>(c / 4), stream_w_in), key);
                for (std::size_t h = 0; h < 4 && c + h < n_in_; ++h) w_in_[i * n_in_ + c + h] = sd * normal_of_uniform(u[h]);
            }
            k_[i] = s.dt_ms / s.tau_ms;
        }
    }
    // the input sequence of the run: trials first .. first + count - 1, one after the other
    const std::size_t steps = static_cast<std::size_t>(m.run.n_steps);
    x_.assign(steps * n_in_, 0.0);
    target_.assign(steps, -1);
    mask_.assign(steps, 0.0);
    for (std::uint64_t q = 0; q < s.n_trials && static_cast<std::size_t>(q * T) < steps; ++q) {
        const rnn::trial tr = task->generate(s.trial_seed, s.first_trial + q);
        for (std::int64_t t = 0; t < T; ++t) {
            const std::size_t k = static_cast<std::size_t>(static_cast<std::int64_t>(q) * T + t);
            if (k >= steps) break;
            for (std::size_t c = 0; c < n_in_; ++c) x_[k * n_in_ + c] = tr.x[static_cast<std::size_t>(t) * n_in_ + c];
            target_[k] = tr.target[static_cast<std::size_t>(t)];
            mask_[k] = tr.mask[static_cast<std::size_t>(t)];
        }
    }
}

void rnn_circuit::step(const circuit_step_input& in) {
    const std::size_t n = n_;
    if (n == 0) return;
    double* a = var(0);
    const double* rec = in.lr[0];
    const double* stim = in.stim[0];
    const double* x = x_.data() + static_cast<std::size_t>(in.step) * n_in_;
    const bool leaky = spec_.kind == rnn::rnn_kind::leaky;
    const auto f = spec_.activation;
    for (std::size_t i = 0; i < n; ++i) {
        double u = b_[i] + rec[i] + stim[i];
        const double* w = w_in_.data() + i * n_in_;
        for (std::size_t c = 0; c < n_in_; ++c) u += w[c] * x[c];
        const double r = rnn::activate(f, u);
        a[i] = leaky ? a[i] + k_[i] * (-a[i] + r) : r;
    }
}

std::size_t rnn_circuit::n_outputs() const { return spec_.n_out; }

void rnn_circuit::readout(const double* a_all, double* o) const {
    const std::size_t N = spec_.n_units;
    for (std::size_t q = 0; q < spec_.n_out; ++q) {
        const double* w = spec_.W_out.data() + q * N;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // the fixed 4-lane order of the coupling's row sums
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
        o[q] = spec_.b_out[q] + ((s0 + s1) + (s2 + s3));
    }
    if (spec_.readout == rnn::readout_kind::sigmoid) {
        for (std::size_t q = 0; q < spec_.n_out; ++q) o[q] = 1.0 / (1.0 + std::exp(-o[q]));
    } else if (spec_.readout == rnn::readout_kind::softmax) {
        double mx = o[0], sum = 0;
        for (std::size_t q = 1; q < spec_.n_out; ++q) mx = std::max(mx, o[q]);
        for (std::size_t q = 0; q < spec_.n_out; ++q) sum += (o[q] = std::exp(o[q] - mx));
        for (std::size_t q = 0; q < spec_.n_out; ++q) o[q] /= sum;
    }
}

int rnn_circuit::target(std::int64_t k) const {
    return k >= 0 && static_cast<std::size_t>(k) < target_.size() ? target_[static_cast<std::size_t>(k)] : -1;
}
double rnn_circuit::mask(std::int64_t k) const {
    return k >= 0 && static_cast<std::size_t>(k) < mask_.size() ? mask_[static_cast<std::size_t>(k)] : 0.0;
}

local_rows rnn_recurrent_rows(const model_spec& m, std::size_t begin, std::size_t end) {
    const rnn_spec& s = m.rnn;
    local_rows r;
    r.n_global = s.n_units;
    r.row_begin = begin;
    r.n_rows = end - begin;
    r.row_ptr.assign(1, 0);
    for (std::size_t i = begin; i < end; ++i) {
        if (s.weights) {
            const double* w = s.weights->W_rec.data() + i * s.n_units;
            for (std::size_t j = 0; j < s.n_units; ++j)
                if (w[j] != 0.0) {
                    r.col.push_back(static_cast<std::int64_t>(j));
                    r.val.push_back(w[j]);
                }
        } else {
            random_row(s, i, [&](std::size_t j, double v) {
                r.col.push_back(static_cast<std::int64_t>(j));
                r.val.push_back(v);
            });
        }
        r.row_ptr.push_back(static_cast<std::int64_t>(r.val.size()));
    }
    return r;
}

}  // namespace cortexsim
