#include "cortexsim/rnn/network.hpp"
#include "cortexsim/common/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "cortexsim/common/counter_rng.hpp"
#include "cortexsim/common/errors.hpp"

namespace cortexsim::rnn {
namespace {

constexpr std::uint32_t tag_w_in = 35, tag_w_rec = 36, tag_w_out = 37, tag_tau = 38, tag_power = 39;

/// Element e of a stream of standard normal deviates: block e/2 of (seed, tag), component e % 2.
double gauss(std::uint64_t seed, std::uint32_t tag, std::uint64_t e) {
    return normal2(counter_of(e >> 1, 0, tag), key_of(seed))[e & 1];
}

/// y += s x over n contiguous values (vectorisable; each y[i] is one product and one sum).
inline void axpy(double* __restrict y, const double* __restrict x, double s, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) y[i] += s * x[i];
}

inline double sigmoid(double u) {
    if (u >= 0) return 1.0 / (1.0 + std::exp(-u));
    const double e = std::exp(u);
    return e / (1.0 + e);
}

std::string num(double v) { return shortest_text(v); }

void matvec(const std::vector<double>& W, std::size_t N, const std::vector<double>& v, std::vector<double>& out) {
    out.assign(N, 0.0);
    for (std::size_t i = 0; i < N; ++i) {
        double s = 0.0;
        const double* row = W.data() + i * N;
        for (std::size_t j = 0; j < N; ++j) s += row[j] * v[j];
        out[i] = s;
    }
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

}  // namespace

// ---- weights -----------------------------------------------------------------------------------------------

void rnn_weights::validate(const std::string& where) const {
    const std::string p = where.empty() ? "" : where + ": ";
    if (n_in == 0 || n_rec == 0 || n_out == 0)
        throw data_error(p + "empty network (n_in = " + std::to_string(n_in) + ", n_rec = " + std::to_string(n_rec) +
                         ", n_out = " + std::to_string(n_out) + ")");
    auto check = [&](const std::vector<double>& v, std::size_t want, const char* name, bool positive) {
        if (v.size() != want)
            throw data_error(p + name + " has " + std::to_string(v.size()) + " values, expected " +
                             std::to_string(want));
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (!std::isfinite(v[i]))
                throw data_error(p + name + ": value " + num(v[i]) + " at flat index " + std::to_string(i) +
                                 " is not finite");
            if (positive && !(v[i] > 0.0))
                throw data_error(p + name + ": value " + num(v[i]) + " at index " + std::to_string(i) + " must be > 0");
        }
    };
    check(W_in, n_rec * n_in, "W_in", false);
    check(W_rec, n_rec * n_rec, "W_rec", false);
    check(b, n_rec, "b", false);
    check(W_out, n_out * n_rec, "W_out", false);
    check(b_out, n_out, "b_out", false);
    check(tau_ms, n_rec, "tau_ms", true);
    if (!std::isfinite(dt_ms) || !(dt_ms > 0.0)) throw data_error(p + "dt_ms = " + num(dt_ms) + " must be > 0");
    if (kind == rnn_kind::leaky)
        for (std::size_t i = 0; i < n_rec; ++i)
            if (tau_ms[i] < dt_ms)
                throw data_error(p + "tau_ms[" + std::to_string(i) + "] = " + num(tau_ms[i]) +
                                 " is smaller than dt_ms = " + num(dt_ms) + " (a leaky network needs dt <= tau)");
}

rnn_weights init_weights(const init_params& p) {
    if (p.n_in == 0 || p.n_rec == 0 || p.n_out == 0) throw config_error("init_weights: empty network");
    rnn_weights w;
    w.kind = p.kind;
    w.activation = p.activation;
    w.readout = p.readout;
    w.dt_ms = p.dt_ms;
    w.n_in = p.n_in;
    w.n_rec = p.n_rec;
    w.n_out = p.n_out;
    const std::size_t N = p.n_rec;
    w.W_in.resize(N * p.n_in);
    const double s_in = p.input_scale / std::sqrt(static_cast<double>(p.n_in));
    for (std::size_t e = 0; e < w.W_in.size(); ++e) w.W_in[e] = s_in * gauss(p.seed, tag_w_in, e);
    w.W_rec.resize(N * N);
    const double s_rec = p.spectral_radius / std::sqrt(static_cast<double>(N));
    for (std::size_t e = 0; e < w.W_rec.size(); ++e) w.W_rec[e] = s_rec * gauss(p.seed, tag_w_rec, e);
    if (p.measured_radius && p.spectral_radius > 0.0) {
        const double rho = spectral_radius_estimate(w.W_rec, N);
        if (rho > 0.0) {
            const double f = p.spectral_radius / rho;
            for (double& x : w.W_rec) x *= f;
        }
    }
    w.b.assign(N, 0.0);
    w.W_out.resize(p.n_out * N);
    const double s_out = p.output_scale / std::sqrt(static_cast<double>(N));
    for (std::size_t e = 0; e < w.W_out.size(); ++e) w.W_out[e] = s_out * gauss(p.seed, tag_w_out, e);
    w.b_out.assign(p.n_out, 0.0);
    w.tau_ms.resize(N);
    for (std::size_t i = 0; i < N; ++i) {
        if (p.kind == rnn_kind::vanilla) {
            w.tau_ms[i] = p.dt_ms;
        } else if (p.tau_min_ms == p.tau_max_ms) {
            w.tau_ms[i] = p.tau_min_ms;
        } else {
            const double u = uniform01(counter_of(i, 0, tag_tau), key_of(p.seed))[0];
            const double lo = std::log(p.tau_min_ms), hi = std::log(p.tau_max_ms);
            w.tau_ms[i] = std::exp(lo + u * (hi - lo));
        }
    }
    return w;
}

double spectral_radius_estimate(const std::vector<double>& W, std::size_t N, int iterations) {
    if (N == 0) return 0.0;
    if (W.size() != N * N)
        throw error("spectral_radius_estimate: matrix has " + std::to_string(W.size()) + " values, expected " +
                    std::to_string(N * N));
    iterations = std::max(iterations, 16);
    std::vector<double> v(N), w;
    for (std::size_t i = 0; i < N; ++i) v[i] = gauss(0x5eedULL, tag_power, i);
    double n0 = std::sqrt(dot(v, v));
    for (double& x : v) x /= n0;
    const int burn = iterations / 2;
    double log_sum = 0.0;
    int counted = 0;
    for (int k = 0; k < iterations; ++k) {
        matvec(W, N, v, w);
        const double n = std::sqrt(dot(w, w));
        if (!(n > 0.0) || !std::isfinite(n)) return n > 0.0 ? n : 0.0;  // nilpotent along v, or overflow
        if (k >= burn) {
            log_sum += std::log(n);
            ++counted;
        }
        for (std::size_t i = 0; i < N; ++i) v[i] = w[i] / n;
    }
    const double gelfand = std::exp(log_sum / counted);

    // Krylov refinement: if the iterate has settled in the span of one real eigenvector or of a complex (or
    // +-) pair, w2 = W^2 v is a combination of w1 = W v and v, and the eigenvalues are the roots of
    // x^2 + c1 x + c0.
    std::vector<double> w1, w2;
    matvec(W, N, v, w1);
    matvec(W, N, w1, w2);
    const double vv = dot(v, v), v1 = dot(v, w1), w11 = dot(w1, w1);
    const double r = v1 / vv;
    {
        double res = 0.0;
        for (std::size_t i = 0; i < N; ++i) res += (w1[i] - r * v[i]) * (w1[i] - r * v[i]);
        if (std::sqrt(res) <= 1e-9 * std::sqrt(w11)) return std::fabs(r);
    }
    const double det = w11 * vv - v1 * v1;
    if (det > 1e-12 * w11 * vv) {
        const double b1 = -dot(w1, w2), b0 = -dot(v, w2);
        const double c1 = (b1 * vv - v1 * b0) / det;
        const double c0 = (w11 * b0 - v1 * b1) / det;
        double res = 0.0, n2 = 0.0;
        for (std::size_t i = 0; i < N; ++i) {
            const double e = w2[i] + c1 * w1[i] + c0 * v[i];
            res += e * e;
            n2 += w2[i] * w2[i];
        }
        if (std::sqrt(res) <= 1e-9 * std::sqrt(n2)) {
            const double disc = c1 * c1 - 4.0 * c0;
            if (disc < 0.0) return std::sqrt(c0);
            const double s = std::sqrt(disc);
            return std::max(std::fabs(0.5 * (-c1 + s)), std::fabs(0.5 * (-c1 - s)));
        }
    }
    return gelfand;
}

double activate(activation_kind f, double u) {
    switch (f) {
        case activation_kind::relu: return u > 0.0 ? u : 0.0;
        case activation_kind::tanh: return std::tanh(u);
        case activation_kind::sigmoid: return sigmoid(u);
        case activation_kind::softplus: return u > 0.0 ? u + std::log1p(std::exp(-u)) : std::log1p(std::exp(u));
    }
    return 0.0;
}

double activate_derivative(activation_kind f, double u) {
    switch (f) {
        case activation_kind::relu: return u > 0.0 ? 1.0 : 0.0;
        case activation_kind::tanh: {
            const double t = std::tanh(u);
            return 1.0 - t * t;
        }
        case activation_kind::sigmoid: {
            const double s = sigmoid(u);
            return s * (1.0 - s);
        }
        case activation_kind::softplus: return sigmoid(u);
    }
    return 0.0;
}

std::size_t n_params(const rnn_weights& w) {
    return w.n_rec * w.n_in + w.n_rec * w.n_rec + w.n_rec + w.n_out * w.n_rec + w.n_out;
}

std::vector<double> get_params(const rnn_weights& w) {
    std::vector<double> p;
    p.reserve(n_params(w));
    for (const auto* v : {&w.W_in, &w.W_rec, &w.b, &w.W_out, &w.b_out}) p.insert(p.end(), v->begin(), v->end());
    return p;
}

void set_params(rnn_weights& w, const std::vector<double>& p) {
    if (p.size() != n_params(w))
        throw error("set_params: " + std::to_string(p.size()) + " values for " + std::to_string(n_params(w)) +
                    " parameters");
    std::size_t o = 0;
    for (auto* v : {&w.W_in, &w.W_rec, &w.b, &w.W_out, &w.b_out}) {
        std::copy(p.begin() + static_cast<std::ptrdiff_t>(o), p.begin() + static_cast<std::ptrdiff_t>(o + v->size()),
                  v->begin());
        o += v->size();
    }
}

// ---- forward pass and BPTT ---------------------------------------------------------------------------------

rnn_engine::rnn_engine(const rnn_weights& w) { set_weights(w); }

void rnn_engine::set_weights(const rnn_weights& w) {
    w_ = w;
    const std::size_t N = w.n_rec, I = w.n_in;
    W_inT_.resize(I * N);
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t k = 0; k < I; ++k) W_inT_[k * N + i] = w.W_in[i * I + k];
    W_recT_.resize(N * N);
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = 0; j < N; ++j) W_recT_[j * N + i] = w.W_rec[i * N + j];
    alpha_.assign(N, 1.0);
    if (w.kind == rnn_kind::leaky)
        for (std::size_t i = 0; i < N; ++i) alpha_[i] = w.dt_ms / w.tau_ms[i];
}

const rnn_trace& rnn_engine::forward(const double* x, std::int64_t n_steps) {
    const std::size_t N = w_.n_rec, I = w_.n_in, O = w_.n_out, T = static_cast<std::size_t>(n_steps);
    tr_.n_steps = n_steps;
    tr_.u.resize(T * N);
    tr_.a.resize(T * N);
    tr_.z.resize(T * O);
    tr_.o.resize(T * O);
    const bool leaky = w_.kind == rnn_kind::leaky;
    for (std::size_t t = 0; t < T; ++t) {
        double* u = tr_.u.data() + t * N;
        double* a = tr_.a.data() + t * N;
        const double* ap = t > 0 ? tr_.a.data() + (t - 1) * N : nullptr;
        std::copy(w_.b.begin(), w_.b.end(), u);
        const double* xt = x + t * I;
        for (std::size_t k = 0; k < I; ++k)
            if (xt[k] != 0.0) axpy(u, W_inT_.data() + k * N, xt[k], N);
        if (ap)
            for (std::size_t j = 0; j < N; ++j)
                if (ap[j] != 0.0) axpy(u, W_recT_.data() + j * N, ap[j], N);
        if (leaky) {
            for (std::size_t i = 0; i < N; ++i) {
                const double prev = ap ? ap[i] : 0.0;
                a[i] = prev + alpha_[i] * (activate(w_.activation, u[i]) - prev);
            }
        } else {
            for (std::size_t i = 0; i < N; ++i) a[i] = activate(w_.activation, u[i]);
        }
        double* z = tr_.z.data() + t * O;
        double* o = tr_.o.data() + t * O;
        for (std::size_t k = 0; k < O; ++k) {
            double s = w_.b_out[k];
            const double* row = w_.W_out.data() + k * N;
            for (std::size_t i = 0; i < N; ++i) s += row[i] * a[i];
            z[k] = s;
        }
        switch (w_.readout) {
            case readout_kind::identity:
                for (std::size_t k = 0; k < O; ++k) o[k] = z[k];
                break;
            case readout_kind::sigmoid:
                for (std::size_t k = 0; k < O; ++k) o[k] = sigmoid(z[k]);
                break;
            case readout_kind::softmax: {
                const double m = *std::max_element(z, z + O);
                double s = 0.0;
                for (std::size_t k = 0; k < O; ++k) {
                    o[k] = std::exp(z[k] - m);
                    s += o[k];
                }
                for (std::size_t k = 0; k < O; ++k) o[k] /= s;
                break;
            }
        }
    }
    return tr_;
}

loss_sums rnn_engine::losses(const trial& tr, loss_kind loss, bool want_dz) {
    const std::size_t O = w_.n_out, T = static_cast<std::size_t>(tr.n_steps);
    if (loss == loss_kind::cross_entropy && w_.readout != readout_kind::softmax)
        throw config_error("the cross_entropy loss needs the softmax readout (the network has '" +
                           to_string(w_.readout) + "')");
    if (want_dz) dz_.assign(T * O, 0.0);
    loss_sums s;
    for (std::size_t t = 0; t < T; ++t) {
        const double m = tr.mask[t];
        const int c = tr.target[t];
        const double* o = tr_.o.data() + t * O;
        const double* z = tr_.z.data() + t * O;
        if (m != 0.0 && c >= 0) {
            s.counted += 1.0;
            if (static_cast<int>(std::max_element(o, o + O) - o) == c) s.correct += 1.0;
        }
        if (m == 0.0) continue;
        double l = 0.0;
        double* dz = want_dz ? dz_.data() + t * O : nullptr;
        if (loss == loss_kind::cross_entropy) {
            if (c < 0 || static_cast<std::size_t>(c) >= O)
                throw config_error("cross_entropy loss: masked step " + std::to_string(t) + " has no target class");
            const double zm = *std::max_element(z, z + O);
            double se = 0.0;
            for (std::size_t k = 0; k < O; ++k) se += std::exp(z[k] - zm);
            l = zm + std::log(se) - z[c];
            if (dz)
                for (std::size_t k = 0; k < O; ++k) dz[k] = m * (o[k] - (static_cast<int>(k) == c ? 1.0 : 0.0));
        } else {
            const double* y = tr.y.data() + t * O;
            double od = 0.0;
            for (std::size_t k = 0; k < O; ++k) {
                const double d = o[k] - y[k];
                l += 0.5 * d * d;
                od += o[k] * d;
            }
            if (dz)
                for (std::size_t k = 0; k < O; ++k) {
                    const double d = o[k] - y[k];
                    switch (w_.readout) {
                        case readout_kind::identity: dz[k] = m * d; break;
                        case readout_kind::sigmoid: dz[k] = m * d * o[k] * (1.0 - o[k]); break;
                        case readout_kind::softmax: dz[k] = m * o[k] * (d - od); break;
                    }
                }
        }
        s.loss += m * l;
        s.weight += m;
    }
    return s;
}

loss_sums rnn_engine::evaluate(const trial& tr, loss_kind loss) {
    forward(tr.x.data(), tr.n_steps);
    return losses(tr, loss, false);
}

loss_sums rnn_engine::accumulate_gradient(const trial& tr, loss_kind loss, double* grad) {
    if (tr.n_in != w_.n_in || tr.n_out != w_.n_out)
        throw config_error("trial has " + std::to_string(tr.n_in) + " inputs and " + std::to_string(tr.n_out) +
                           " outputs, the network " + std::to_string(w_.n_in) + " and " + std::to_string(w_.n_out));
    forward(tr.x.data(), tr.n_steps);
    const loss_sums s = losses(tr, loss, true);
    const std::size_t N = w_.n_rec, I = w_.n_in, O = w_.n_out, T = static_cast<std::size_t>(tr.n_steps);
    double* gW_in = grad;
    double* gW_rec = gW_in + N * I;
    double* gb = gW_rec + N * N;
    double* gW_out = gb + N;
    double* gb_out = gW_out + O * N;
    const bool leaky = w_.kind == rnn_kind::leaky;
    da_.assign(N, 0.0);
    da_prev_.assign(N, 0.0);
    du_.assign(N, 0.0);
    for (std::size_t tt = T; tt-- > 0;) {
        const double* dz = dz_.data() + tt * O;
        const double* a = tr_.a.data() + tt * N;
        const double* u = tr_.u.data() + tt * N;
        for (std::size_t k = 0; k < O; ++k) {
            if (dz[k] == 0.0) continue;
            gb_out[k] += dz[k];
            axpy(gW_out + k * N, a, dz[k], N);
            axpy(da_.data(), w_.W_out.data() + k * N, dz[k], N);
        }
        for (std::size_t i = 0; i < N; ++i) {
            const double fp = activate_derivative(w_.activation, u[i]);
            if (leaky) {
                du_[i] = da_[i] * alpha_[i] * fp;
                da_prev_[i] = da_[i] * (1.0 - alpha_[i]);
            } else {
                du_[i] = da_[i] * fp;
                da_prev_[i] = 0.0;
            }
            gb[i] += du_[i];
        }
        const double* xt = tr.x.data() + tt * I;
        for (std::size_t k = 0; k < I; ++k)
            if (xt[k] != 0.0)
                for (std::size_t i = 0; i < N; ++i) gW_in[i * I + k] += du_[i] * xt[k];
        if (tt > 0) {
            const double* ap = tr_.a.data() + (tt - 1) * N;
            for (std::size_t i = 0; i < N; ++i) {
                if (du_[i] == 0.0) continue;
                axpy(gW_rec + i * N, ap, du_[i], N);
                axpy(da_prev_.data(), w_.W_rec.data() + i * N, du_[i], N);
            }
        }
        da_.swap(da_prev_);
    }
    return s;
}

}  // namespace cortexsim::rnn
