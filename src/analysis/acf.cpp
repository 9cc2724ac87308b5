#include "cortexsim/analysis/acf.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace cortexsim {
namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
}

acf_accumulator::acf_accumulator(std::size_t n, std::size_t max_lag)
    : n_(n),
      L_(std::max<std::size_t>(max_lag, 1)),
      shift_(n, 0.0),
      sum_(n, 0.0),
      count_(n, 0.0),
      head_(n * L_, 0.0),
      ring_(n * 2 * L_, 0.0),
      lagsum_(n * (L_ + 1), 0.0) {}

void acf_accumulator::add(const double* x) {
    const std::size_t L = L_;
    for (std::size_t i = 0; i < n_; ++i) {
        const auto t = static_cast<std::size_t>(count_[i]);
        if (t == 0) shift_[i] = x[i];
        const double y = x[i] - shift_[i];
        double* __restrict S = lagsum_.data() + i * (L + 1);
        double* r = ring_.data() + i * 2 * L;
        // the ring runs backwards: sample t is at q = L - 1 - (t mod L) (and q + L), so samples t - 1, t - 2, ...,
        // t - L are at q + 1, ..., q + L: the lags read one contiguous stretch forwards (it vectorises)
        const std::size_t q = L - 1 - t % L;
        const std::size_t lags = std::min(t, L);
        const double* __restrict back = r + q;
        for (std::size_t l = 1; l <= lags; ++l) S[l] += y * back[l];
        S[0] += y * y;
        sum_[i] += y;
        if (t < L) head_[i * L + t] = y;
        r[q] = y;
        r[q + L] = y;
        count_[i] += 1.0;
    }
}

std::vector<double> acf_accumulator::acf(std::size_t i) const {
    const std::size_t L = L_;
    std::vector<double> a(L + 1, nan);
    const double N = count_[i];
    if (N < static_cast<double>(L + 1)) return a;
    const auto n = static_cast<std::size_t>(N);
    const double* S = lagsum_.data() + i * (L + 1);
    const double* h = head_.data() + i * L;
    const double* r = ring_.data() + i * 2 * L;
    const double m = sum_[i] / N;
    // head(l) = sum of the first l samples, tail(l) = sum of the last l samples
    std::vector<double> c(L + 1);
    double head = 0.0, tail = 0.0;
    const std::size_t last = L - 1 - (n - 1) % L;  // position of sample n - 1 in the ring (samples n - 2, ... follow)
    for (std::size_t l = 0; l <= L; ++l) {
        if (l > 0) {
            head += h[l - 1];
            tail += r[last + (l - 1)];
        }
        const double lead = sum_[i] - head;    // sum_{t >= l} y_t
        const double lagged = sum_[i] - tail;  // sum_{t < N - l} y_t
        c[l] = S[l] - m * (lead + lagged) + (N - static_cast<double>(l)) * m * m;
    }
    if (!(c[0] > 0.0)) return a;
    for (std::size_t l = 0; l <= L; ++l) a[l] = c[l] / c[0];
    return a;
}

void acf_accumulator::save(std::size_t i, double* out) const {
    const std::size_t L = L_;
    out[0] = shift_[i];
    out[1] = sum_[i];
    out[2] = count_[i];
    std::copy_n(head_.data() + i * L, L, out + 3);
    std::copy_n(ring_.data() + i * 2 * L, L, out + 3 + L);
    std::copy_n(lagsum_.data() + i * (L + 1), L + 1, out + 3 + 2 * L);
}

void acf_accumulator::load(std::size_t i, const double* in) {
    const std::size_t L = L_;
    shift_[i] = in[0];
    sum_[i] = in[1];
    count_[i] = in[2];
    std::copy_n(in + 3, L, head_.data() + i * L);
    std::copy_n(in + 3 + L, L, ring_.data() + i * 2 * L);
    std::copy_n(in + 3 + L, L, ring_.data() + i * 2 * L + L);
    std::copy_n(in + 3 + 2 * L, L + 1, lagsum_.data() + i * (L + 1));
}

double acf_timescale_1e(const std::vector<double>& acf, double lag_s) {
    const double e1 = std::exp(-1.0);
    for (std::size_t l = 1; l < acf.size(); ++l) {
        if (!std::isfinite(acf[l]) || !std::isfinite(acf[l - 1])) return nan;
        if (acf[l] < e1) {
            const double frac = (acf[l - 1] - e1) / (acf[l - 1] - acf[l]);
            return (static_cast<double>(l - 1) + frac) * lag_s;
        }
    }
    return nan;
}

namespace {

/// Least squares of y ~ sum_k A_k exp(-t / tau_k) over the given taus with A_k >= 0: the amplitudes and the SSE.
struct exp_fit {
    double sse = std::numeric_limits<double>::infinity();
    std::array<double, 2> a{0.0, 0.0};
};

exp_fit fit_amplitudes(const std::vector<double>& t, const std::vector<double>& y, const double* tau, int k) {
    const std::size_t n = t.size();
    std::vector<double> e1(n), e2(n);
    for (std::size_t q = 0; q < n; ++q) {
        e1[q] = std::exp(-t[q] / tau[0]);
        if (k == 2) e2[q] = std::exp(-t[q] / tau[1]);
    }
    auto sse_of = [&](double a1, double a2) {
        double s = 0.0;
        for (std::size_t q = 0; q < n; ++q) {
            const double d = a1 * e1[q] + (k == 2 ? a2 * e2[q] : 0.0) - y[q];
            s += d * d;
        }
        return s;
    };
    double s11 = 0, s12 = 0, s22 = 0, b1 = 0, b2 = 0;
    for (std::size_t q = 0; q < n; ++q) {
        s11 += e1[q] * e1[q];
        b1 += e1[q] * y[q];
        if (k == 2) {
            s12 += e1[q] * e2[q];
            s22 += e2[q] * e2[q];
            b2 += e2[q] * y[q];
        }
    }
    exp_fit best;
    auto consider = [&](double a1, double a2) {
        if (a1 < 0 || a2 < 0 || !std::isfinite(a1) || !std::isfinite(a2)) return;
        const double s = sse_of(a1, a2);
        if (s < best.sse) best = {s, {a1, a2}};
    };
    consider(s11 > 0 ? std::max(b1 / s11, 0.0) : 0.0, 0.0);
    if (k == 2) {
        consider(0.0, s22 > 0 ? std::max(b2 / s22, 0.0) : 0.0);
        const double det = s11 * s22 - s12 * s12;
        if (det > 0) consider((b1 * s22 - b2 * s12) / det, (s11 * b2 - s12 * b1) / det);
    }
    return best;
}

/// The single-exponential fit: a scan of log tau, refined by golden sections.
double fit_single(const std::vector<double>& t, const std::vector<double>& y, double& sse) {
    const double lo = std::log(t[1] / 10.0), hi = std::log(t.back() * 10.0);
    auto f = [&](double u) {
        const double tau = std::exp(u);
        return fit_amplitudes(t, y, &tau, 1).sse;
    };
    constexpr int grid = 80;
    int best = 0;
    double fbest = std::numeric_limits<double>::infinity();
    for (int g = 0; g <= grid; ++g) {
        const double v = f(lo + (hi - lo) * g / grid);
        if (v < fbest) fbest = v, best = g;
    }
    double a = lo + (hi - lo) * std::max(best - 1, 0) / grid, b = lo + (hi - lo) * std::min(best + 1, grid) / grid;
    const double gr = (std::sqrt(5.0) - 1.0) / 2.0;
    double c = b - gr * (b - a), d = a + gr * (b - a), fc = f(c), fd = f(d);
    for (int it = 0; it < 100 && b - a > 1e-12; ++it) {
        if (fc < fd) {
            b = d, d = c, fd = fc, c = b - gr * (b - a), fc = f(c);
        } else {
            a = c, c = d, fc = fd, d = a + gr * (b - a), fd = f(d);
        }
    }
    const double u = 0.5 * (a + b);
    sse = f(u);
    return std::exp(u);
}

/// The double-exponential fit: Nelder-Mead on (log tau1, log tau2) with the amplitudes solved for; several starts.
exp_fit fit_double(const std::vector<double>& t, const std::vector<double>& y, double tau_single, double* tau_out) {
    // taus between a tenth of a lag and ten times the fitted range (beyond, an exponential is a constant here)
    const double ulo = std::log(t[1] / 10.0), uhi = std::log(t.back() * 10.0);
    auto clamp = [&](std::array<double, 2> u) {
        for (double& x : u) x = std::clamp(x, ulo, uhi);
        return u;
    };
    auto f = [&](const std::array<double, 2>& u0) {
        const auto u = clamp(u0);
        const double tau[2] = {std::exp(u[0]), std::exp(u[1])};
        return fit_amplitudes(t, y, tau, 2).sse;
    };
    exp_fit best;
    std::array<double, 2> ubest{};
    const double starts[3][2] = {{0.2, 1.5}, {0.5, 3.0}, {0.1, 1.0}};
    for (const auto& st : starts) {
        std::array<std::array<double, 2>, 3> s = {{{std::log(tau_single * st[0]), std::log(tau_single * st[1])},
                                                   {std::log(tau_single * st[0]) + 0.5, std::log(tau_single * st[1])},
                                                   {std::log(tau_single * st[0]), std::log(tau_single * st[1]) + 0.5}}};
        std::array<double, 3> fs{f(s[0]), f(s[1]), f(s[2])};
        for (int it = 0; it < 600; ++it) {
            std::array<int, 3> o{0, 1, 2};
            std::sort(o.begin(), o.end(), [&](int x, int z) { return fs[x] < fs[z]; });
            const auto lo = s[o[0]], mid = s[o[1]], hi = s[o[2]];
            if (std::fabs(fs[o[2]] - fs[o[0]]) <= 1e-14 * (fs[o[0]] + 1e-300) && it > 20) break;
            const std::array<double, 2> cen{(lo[0] + mid[0]) / 2, (lo[1] + mid[1]) / 2};
            auto along = [&](double k) {
                return std::array<double, 2>{cen[0] + k * (hi[0] - cen[0]), cen[1] + k * (hi[1] - cen[1])};
            };
            const auto r = along(-1.0);
            const double fr = f(r);
            if (fr < fs[o[0]]) {
                const auto e = along(-2.0);
                const double fe = f(e);
                if (fe < fr)
                    s[o[2]] = e, fs[o[2]] = fe;
                else
                    s[o[2]] = r, fs[o[2]] = fr;
            } else if (fr < fs[o[1]]) {
                s[o[2]] = r, fs[o[2]] = fr;
            } else {
                const auto c = along(fr < fs[o[2]] ? -0.5 : 0.5);
                const double fcv = f(c);
                if (fcv < std::min(fr, fs[o[2]])) {
                    s[o[2]] = c, fs[o[2]] = fcv;
                } else {  // shrink towards the best
                    for (int q : {o[1], o[2]}) {
                        s[q] = {(s[q][0] + lo[0]) / 2, (s[q][1] + lo[1]) / 2};
                        fs[q] = f(s[q]);
                    }
                }
            }
        }
        const int b = static_cast<int>(std::min_element(fs.begin(), fs.end()) - fs.begin());
        if (fs[b] < best.sse) {
            ubest = clamp(s[b]);
            const double tau[2] = {std::exp(ubest[0]), std::exp(ubest[1])};
            best = fit_amplitudes(t, y, tau, 2);
        }
    }
    tau_out[0] = std::exp(ubest[0]);
    tau_out[1] = std::exp(ubest[1]);
    return best;
}

}  // namespace

double acf_timescale_fit(const std::vector<double>& acf, double lag_s) {
    std::vector<double> t, y;
    for (std::size_t l = 0; l < acf.size(); ++l) {
        if (!std::isfinite(acf[l])) return nan;
        if (acf[l] < 0.05) break;
        t.push_back(static_cast<double>(l) * lag_s);
        y.push_back(acf[l]);
    }
    if (t.size() < 3) return nan;
    double sse1 = 0.0;
    const double tau1 = fit_single(t, y, sse1);
    double tau2[2] = {0.0, 0.0};
    const exp_fit two = fit_double(t, y, tau1, tau2);
    if (!(two.sse < std::numeric_limits<double>::infinity()) || sse1 < 8.0 * two.sse) return tau1;
    const double A = two.a[0] + two.a[1];
    if (!(A > 0)) return tau1;
    return (two.a[0] * tau2[0] + two.a[1] * tau2[1]) / A;
}

}  // namespace cortexsim
