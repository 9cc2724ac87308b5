// The network (network.hpp): equations of the forward pass, finite-difference check of BPTT for every kind,
// activation, readout and loss, and the spectral radius of the initial W_rec against LAPACK (via PETSc).
#include <gtest/gtest.h>
#include <petscksp.h>

#include <cmath>
#include <cstdio>
#include <complex>

#include "cortexsim/common/counter_rng.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/rnn/network.hpp"

using namespace cortexsim;
using namespace cortexsim::rnn;

namespace {

/// Deterministic pseudo-random numbers for the tests (Philox with a test-only key).
double tnormal(std::uint64_t i, std::uint32_t stream) {
    return normal2(counter_of(i, 7, stream), key_of(0xC0FFEEULL))[0];
}
double tuniform(std::uint64_t i, std::uint32_t stream) {
    return uniform01(counter_of(i, 8, stream), key_of(0xC0FFEEULL))[0];
}

/// A random small network with non-zero biases and (leaky) per-unit tau in [dt, 4 dt].
rnn_weights random_net(rnn_kind kind, activation_kind f, readout_kind g, std::size_t I, std::size_t N, std::size_t O,
                       std::uint64_t seed) {
    init_params p;
    p.kind = kind;
    p.activation = f;
    p.readout = g;
    p.n_in = I;
    p.n_rec = N;
    p.n_out = O;
    p.dt_ms = 10.0;
    p.tau_min_ms = 10.0;
    p.tau_max_ms = 40.0;
    p.spectral_radius = 1.1;
    p.output_scale = 2.0;
    p.seed = seed;
    rnn_weights w = init_weights(p);
    for (std::size_t i = 0; i < N; ++i) w.b[i] = 0.3 * tnormal(i, 1);
    for (std::size_t k = 0; k < O; ++k) w.b_out[k] = 0.3 * tnormal(k, 2);
    return w;
}

/// A random trial: dense Gaussian inputs, random classes, real targets and a 0/1 mask.
trial random_trial(std::size_t I, std::size_t O, std::int64_t T, std::uint64_t salt) {
    trial tr;
    tr.n_steps = T;
    tr.n_in = I;
    tr.n_out = O;
    const auto Ts = static_cast<std::size_t>(T);
    tr.x.resize(Ts * I);
    for (std::size_t e = 0; e < tr.x.size(); ++e) tr.x[e] = tnormal(salt * 1000 + e, 3);
    tr.target.resize(Ts);
    tr.mask.resize(Ts);
    tr.y.resize(Ts * O);
    for (std::size_t t = 0; t < Ts; ++t) {
        tr.target[t] = static_cast<int>(tuniform(salt * 1000 + t, 4) * static_cast<double>(O));
        tr.mask[t] = t >= 2 && tuniform(salt * 1000 + t, 5) < 0.7 ? 1.0 : 0.0;
        for (std::size_t k = 0; k < O; ++k) tr.y[t * O + k] = tuniform(salt * 1000 + t * O + k, 6);
    }
    return tr;
}

double total_loss(const rnn_weights& w, const std::vector<trial>& trials, loss_kind loss) {
    rnn_engine e(w);
    double s = 0.0;
    for (const auto& tr : trials) s += e.evaluate(tr, loss).loss;
    return s;
}

struct grad_check {
    double rel_norm = 0.0;  // ||g - fd|| / ||g||
    double rel_max = 0.0;   // max_i |g_i - fd_i| / max(|g_i|, |fd_i|, 1e-8 ||g||_inf)
};

grad_check check_gradient(rnn_weights w, loss_kind loss) {
    const std::vector<trial> trials = {random_trial(w.n_in, w.n_out, 9, 1), random_trial(w.n_in, w.n_out, 7, 2)};
    const std::size_t np = n_params(w);
    std::vector<double> g(np, 0.0);
    {
        rnn_engine e(w);
        for (const auto& tr : trials) e.accumulate_gradient(tr, loss, g.data());
    }
    const std::vector<double> p0 = get_params(w);
    std::vector<double> fd(np);
    for (std::size_t i = 0; i < np; ++i) {
        // fourth-order central difference: truncation error O(h^4), rounding error O(eps L / h)
        const double h = 1e-4 * std::max(1.0, std::fabs(p0[i]));
        std::vector<double> p = p0;
        auto at = [&](double d) {
            p[i] = p0[i] + d;
            set_params(w, p);
            return total_loss(w, trials, loss);
        };
        fd[i] = (8.0 * (at(h) - at(-h)) - (at(2.0 * h) - at(-2.0 * h))) / (12.0 * h);
    }
    set_params(w, p0);
    double dn = 0.0, gn = 0.0, ginf = 0.0;
    for (std::size_t i = 0; i < np; ++i) {
        dn += (g[i] - fd[i]) * (g[i] - fd[i]);
        gn += g[i] * g[i];
        ginf = std::max(ginf, std::fabs(g[i]));
    }
    grad_check r;
    r.rel_norm = std::sqrt(dn / gn);
    for (std::size_t i = 0; i < np; ++i)
        r.rel_max = std::max(r.rel_max,
                             std::fabs(g[i] - fd[i]) / std::max({std::fabs(g[i]), std::fabs(fd[i]), 1e-8 * ginf}));
    return r;
}

/// Exact spectral radius: all eigenvalues by LAPACK, through PETSc (KSPComputeEigenvaluesExplicitly of the
/// unpreconditioned dense operator).
double lapack_radius(const std::vector<double>& W, std::size_t N) {
    Mat A;
    KSP ksp;
    PC pc;
    const auto n = static_cast<PetscInt>(N);
    EXPECT_EQ(MatCreateSeqDense(PETSC_COMM_SELF, n, n, nullptr, &A), 0);
    for (PetscInt i = 0; i < n; ++i)
        for (PetscInt j = 0; j < n; ++j)
            MatSetValue(A, i, j, W[static_cast<std::size_t>(i) * N + static_cast<std::size_t>(j)], INSERT_VALUES);
    EXPECT_EQ(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY), 0);
    EXPECT_EQ(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY), 0);
    EXPECT_EQ(KSPCreate(PETSC_COMM_SELF, &ksp), 0);
    EXPECT_EQ(KSPSetOperators(ksp, A, A), 0);
    EXPECT_EQ(KSPGetPC(ksp, &pc), 0);
    EXPECT_EQ(PCSetType(pc, PCNONE), 0);
    EXPECT_EQ(KSPSetUp(ksp), 0);
    std::vector<PetscReal> re(N), im(N);
    EXPECT_EQ(KSPComputeEigenvaluesExplicitly(ksp, n, re.data(), im.data()), 0);
    KSPDestroy(&ksp);
    MatDestroy(&A);
    double r = 0.0;
    for (std::size_t i = 0; i < N; ++i) r = std::max(r, std::abs(std::complex<double>(re[i], im[i])));
    return r;
}

}  // namespace

TEST(RnnNetwork, ForwardFollowsTheEquations) {
    for (rnn_kind kind : {rnn_kind::vanilla, rnn_kind::leaky}) {
        const rnn_weights w = random_net(kind, activation_kind::tanh, readout_kind::softmax, 2, 4, 3, 5);
        const trial tr = random_trial(2, 3, 6, 9);
        rnn_engine e(w);
        const rnn_trace& t = e.forward(tr.x.data(), tr.n_steps);
        std::vector<double> a(4, 0.0);
        for (std::size_t s = 0; s < 6; ++s) {
            std::vector<double> an(4);
            for (std::size_t i = 0; i < 4; ++i) {
                double u = w.b[i];
                for (std::size_t k = 0; k < 2; ++k) u += w.W_in[i * 2 + k] * tr.x[s * 2 + k];
                for (std::size_t j = 0; j < 4; ++j) u += w.W_rec[i * 4 + j] * a[j];
                const double f = std::tanh(u);
                an[i] = kind == rnn_kind::vanilla ? f : a[i] + w.dt_ms / w.tau_ms[i] * (-a[i] + f);
                EXPECT_NEAR(t.a[s * 4 + i], an[i], 1e-13);
            }
            a = an;
            std::vector<double> z(3);
            double zmax = -1e300, se = 0.0;
            for (std::size_t k = 0; k < 3; ++k) {
                z[k] = w.b_out[k];
                for (std::size_t i = 0; i < 4; ++i) z[k] += w.W_out[k * 4 + i] * a[i];
                zmax = std::max(zmax, z[k]);
            }
            for (std::size_t k = 0; k < 3; ++k) se += std::exp(z[k] - zmax);
            for (std::size_t k = 0; k < 3; ++k) EXPECT_NEAR(t.o[s * 3 + k], std::exp(z[k] - zmax) / se, 1e-13);
        }
    }
    // per-unit tau: init draws them log-uniformly in [min, max]; vanilla stores tau = dt
    const rnn_weights l = random_net(rnn_kind::leaky, activation_kind::relu, readout_kind::softmax, 2, 50, 2, 3);
    double lo = 1e9, hi = 0.0;
    for (double t : l.tau_ms) {
        lo = std::min(lo, t);
        hi = std::max(hi, t);
    }
    EXPECT_GE(lo, 10.0);
    EXPECT_LE(hi, 40.0);
    EXPECT_GT(hi - lo, 15.0);
    const rnn_weights v = random_net(rnn_kind::vanilla, activation_kind::relu, readout_kind::softmax, 2, 5, 2, 3);
    for (double t : v.tau_ms) EXPECT_EQ(t, v.dt_ms);
}

TEST(RnnNetwork, BpttGradientMatchesFiniteDifferences) {
    struct combo {
        loss_kind loss;
        readout_kind readout;
    };
    const combo combos[] = {{loss_kind::cross_entropy, readout_kind::softmax},
                            {loss_kind::mse, readout_kind::identity},
                            {loss_kind::mse, readout_kind::sigmoid},
                            {loss_kind::mse, readout_kind::softmax}};
    std::uint64_t seed = 100;
    double worst_norm = 0.0, worst_max = 0.0;
    for (rnn_kind kind : {rnn_kind::vanilla, rnn_kind::leaky})
        for (activation_kind f :
             {activation_kind::relu, activation_kind::tanh, activation_kind::sigmoid, activation_kind::softplus})
            for (const combo& c : combos) {
                const rnn_weights w = random_net(kind, f, c.readout, 3, 6, 3, ++seed);
                const grad_check r = check_gradient(w, c.loss);
                const std::string what = to_string(kind) + " " + to_string(f) + " " + to_string(c.readout) + " " +
                                         to_string(c.loss);
                EXPECT_LT(r.rel_norm, 1e-7) << what;
                EXPECT_LT(r.rel_max, 1e-5) << what;
                worst_norm = std::max(worst_norm, r.rel_norm);
                worst_max = std::max(worst_max, r.rel_max);
            }
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0)
        std::printf("  32 combinations: worst relative error %.2e (norm), %.2e (largest component)\n", worst_norm,
                    worst_max);
}

TEST(RnnNetwork, CrossEntropyNeedsSoftmax) {
    const rnn_weights w = random_net(rnn_kind::leaky, activation_kind::relu, readout_kind::identity, 2, 3, 2, 1);
    rnn_engine e(w);
    EXPECT_THROW(e.evaluate(random_trial(2, 2, 4, 1), loss_kind::cross_entropy), config_error);
}

TEST(RnnNetwork, SpectralRadiusOfTheInitialisation) {
    // the estimator against LAPACK on raw Gaussian matrices G / sqrt(N)
    for (std::size_t N : {20u, 64u, 150u}) {
        std::vector<double> W(N * N);
        for (std::size_t e = 0; e < W.size(); ++e) W[e] = tnormal(e + 77 * N, 9) / std::sqrt(static_cast<double>(N));
        const double exact = lapack_radius(W, N), est = spectral_radius_estimate(W, N);
        EXPECT_NEAR(est / exact, 1.0, 5e-3) << "N = " << N << ": estimate " << est << ", LAPACK " << exact;
        int rank = 0;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        if (rank == 0) std::printf("  N = %3zu: power iteration %.6f, LAPACK %.6f\n", N, est, exact);
        // the circular law: close to 1 for large N
        if (N == 150u) {
            EXPECT_NEAR(exact, 1.0, 0.15);
        }
    }
    // a real dominant eigenvalue (diagonal matrix) and a rotation (complex pair)
    EXPECT_NEAR(spectral_radius_estimate({2.0, 0.0, 0.0, -0.5}, 2), 2.0, 1e-12);
    EXPECT_NEAR(spectral_radius_estimate({0.0, -1.5, 1.5, 0.0}, 2), 1.5, 1e-12);

    // the initialisation: rescaled to the requested radius (measured), or by the circular law only
    for (double rho : {0.5, 0.9, 1.5}) {
        init_params p;
        p.n_in = 3;
        p.n_rec = 80;
        p.n_out = 2;
        p.spectral_radius = rho;
        p.seed = 31;
        const rnn_weights w = init_weights(p);
        EXPECT_NEAR(lapack_radius(w.W_rec, 80) / rho, 1.0, 5e-3) << "rho = " << rho;
        p.measured_radius = false;
        const rnn_weights c = init_weights(p);
        EXPECT_NEAR(lapack_radius(c.W_rec, 80) / rho, 1.0, 0.2) << "circular law, rho = " << rho;
        // documented scales of W_in and W_out: variance input_scale^2 / n_in and output_scale^2 / N
        double s_out = 0.0;
        for (double x : w.W_out) s_out += x * x;
        EXPECT_NEAR(s_out / static_cast<double>(w.W_out.size()) * 80.0, 1.0, 0.25);
    }
    // same seed, same weights; another seed, others
    init_params p;
    p.n_in = 2;
    p.n_rec = 10;
    EXPECT_EQ(get_params(init_weights(p)), get_params(init_weights(p)));
    init_params q = p;
    q.seed = 2;
    EXPECT_NE(get_params(init_weights(p)), get_params(init_weights(q)));
}
