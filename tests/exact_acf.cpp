// exact_acf CONFIG OUT.h5 [--set k=v ...]: the exact stationary autocorrelation timescales of a noisy linear_ei
// model, against the ones a run of it wrote (/analysis/acf_timescale_1e_s and acf_timescale_fit_s).
//
// The run is the discrete-time linear system x(k+1) = A x(k) + b + B w(k) (Euler steps of the linear E/I model
// in its linear regime, white noise w of unit variance into the E inputs), so its stationary covariance solves the
// discrete Lyapunov equation P = A P A^T + B B^T (solved here by doubling) and its autocovariance at lag l steps
// is A^l P. The exact ACF of area i's E rate at the record lags is (A^(m e) P)_ii / P_ii (e = steps per record);
// the timescales are taken from it with the same functions as the run's (analysis/acf.hpp). Prints one line per
// area and the median and largest relative differences; exits 1 if the 1/e timescales differ by more than
// --median (default 0.03) in the median or --worst (default 0.10) in any area, or the fitted ones by more than
// --fit-median (default 0.05) in the median.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "cortexsim/analysis/acf.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/dynamics/circuits/linear_ei.hpp"
#include "cortexsim/io/h5_read.hpp"

using namespace cortexsim;

namespace {

using matrix = std::vector<double>;  // n x n, row-major

matrix multiply(const matrix& a, const matrix& b, std::size_t n) {
    matrix c(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < n; ++k) {
            const double x = a[i * n + k];
            if (x == 0.0) continue;
            for (std::size_t j = 0; j < n; ++j) c[i * n + j] += x * b[k * n + j];
        }
    return c;
}

matrix transpose(const matrix& a, std::size_t n) {
    matrix t(n * n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) t[j * n + i] = a[i * n + j];
    return t;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? NAN : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr,
                     "usage: exact_acf CONFIG OUT.h5 [--set k=v ...] [--median F] [--worst F] [--fit-median F]\n");
        return 2;
    }
    try {
        std::vector<std::string> overrides;
        double tol_median = 0.03, tol_worst = 0.10, tol_fit = 0.05;
        for (int a = 3; a < argc; ++a) {
            const std::string o = argv[a];
            if (a + 1 >= argc) throw std::runtime_error("option " + o + " needs a value");
            const std::string v = argv[++a];
            if (o == "--set")
                overrides.push_back(v);
            else if (o == "--median")
                tol_median = std::stod(v);
            else if (o == "--worst")
                tol_worst = std::stod(v);
            else if (o == "--fit-median")
                tol_fit = std::stod(v);
            else
                throw std::runtime_error("unknown option " + o);
        }
        const model_spec m = load_config(argv[1], overrides);
        if (m.circuit != "linear_ei") throw std::runtime_error("exact_acf: needs a linear_ei model");
        const std::size_t A = m.areas.size(), n = 2 * A;  // state: E_0..E_{A-1}, I_0..I_{A-1}
        linear_ei_circuit c(m, 0, A);
        // long-range coefficients as the engine computes them: gain (beta) x scale x gradient, per projection
        matrix M(n * n, 0.0);
        for (std::size_t i = 0; i < A; ++i) {
            const auto d = c.at(i);
            M[i * n + i] = 1.0 + d.k_E * (-1.0 + d.a_EE);
            M[i * n + A + i] = d.k_E * d.a_EI;
            M[(A + i) * n + i] = d.k_I * d.a_IE;
            M[(A + i) * n + A + i] = 1.0 + d.k_I * (-1.0 + d.a_II);
        }
        for (const auto& p : m.projections) {
            const local_rows rows = projection_rows(m, p, 0, A);
            const std::vector<double> g = gradient_values(m, p.gradient);
            const double* gain = c.channel_gain(p.target);
            for (std::size_t i = 0; i < A; ++i) {
                const double k = p.target == 0 ? c.at(i).k_E : c.at(i).k_I;
                const double coeff = gain[i] * p.scale * g[i];
                for (auto q = rows.row_ptr[i]; q < rows.row_ptr[i + 1]; ++q) {
                    const auto j = static_cast<std::size_t>(rows.col[static_cast<std::size_t>(q)]);
                    M[(p.target * A + i) * n + p.source * A + j] += k * coeff * rows.val[static_cast<std::size_t>(q)];
                }
            }
        }
        // noise: per step, E_i gets k_E sd_i z (the noise stimuli on port E); variances add
        matrix P(n * n, 0.0);
        for (const auto& s : m.stimuli)
            if (s.noise) {
                const double k = s.population == 0 ? c.at(s.area).k_E : c.at(s.area).k_I;
                const std::size_t row = s.population * A + s.area;
                P[row * n + row] += k * k * s.sd * s.sd;
            }
        // doubling: P = sum_j A^j Q A^jT
        matrix Ak = M;
        for (int it = 0; it < 60; ++it) {
            const matrix next = multiply(multiply(Ak, P, n), transpose(Ak, n), n);
            double change = 0.0, size = 0.0;
            for (std::size_t q = 0; q < n * n; ++q) {
                change = std::max(change, std::fabs(next[q]));
                size = std::max(size, std::fabs(P[q]));
                P[q] += next[q];
            }
            if (change <= 1e-17 * size) break;
            Ak = multiply(Ak, Ak, n);
        }
        // the ACF at record lags
        const std::int64_t every = m.run.record_every;
        const std::size_t L = static_cast<std::size_t>(
            std::max<std::int64_t>(1, std::llround(m.analysis.max_lag_ms / m.run.dt_ms) / every));
        matrix step = M;
        for (std::int64_t e = 1; e < every; ++e) step = multiply(step, M, n);
        std::vector<std::vector<double>> acf(A, std::vector<double>(L + 1));
        matrix G = P;
        for (std::size_t l = 0; l <= L; ++l) {
            for (std::size_t i = 0; i < A; ++i) acf[i][l] = G[i * n + i] / P[i * n + i];
            if (l < L) G = multiply(step, G, n);
        }
        const double lag_s = static_cast<double>(every) * m.run.dt_ms * 1e-3;
        const auto got_1e = read_h5_doubles(argv[2], "/analysis/acf_timescale_1e_s");
        const auto got_fit = read_h5_doubles(argv[2], "/analysis/acf_timescale_fit_s");
        std::vector<double> err_1e, err_fit;
        std::printf("%-8s %12s %12s %8s %12s %12s %8s\n", "area", "exact 1/e", "run 1/e", "diff", "exact fit",
                    "run fit", "diff");
        for (std::size_t i = 0; i < A; ++i) {
            const double e1 = acf_timescale_1e(acf[i], lag_s), ef = acf_timescale_fit(acf[i], lag_s);
            const double d1 = std::fabs(got_1e[i] - e1) / e1, df = std::fabs(got_fit[i] - ef) / ef;
            err_1e.push_back(std::isnan(d1) ? INFINITY : d1);
            err_fit.push_back(std::isnan(df) ? INFINITY : df);
            std::printf("%-8s %12.6f %12.6f %7.2f%% %12.6f %12.6f %7.2f%%\n", m.areas.names[i].c_str(), e1, got_1e[i],
                        100 * d1, ef, got_fit[i], 100 * df);
        }
        const double med = median(err_1e), worst = *std::max_element(err_1e.begin(), err_1e.end());
        const double fmed = median(err_fit);
        std::printf("1/e timescales: median difference %.2f %%, largest %.2f %%; fitted: median %.2f %%\n", 100 * med,
                    100 * worst, 100 * fmed);
        const bool ok = med <= tol_median && worst <= tol_worst && fmed <= tol_fit;
        std::printf("%s (limits: median %.1f %%, largest %.1f %%, fitted median %.1f %%)\n", ok ? "PASS" : "FAIL",
                    100 * tol_median, 100 * tol_worst, 100 * tol_fit);
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "exact_acf: %s\n", e.what());
        return 1;
    }
}
