// The generic circuit (circuit: generic): kernels against closed forms and hand-written reference loops,
// transfer functions against their formulas, noise keyed by global area, and (when the test is linked with
// cortexsim_config and yaml-cpp, see CORTEXSIM_GENERIC_YAML_TESTS below) the config parser and
// configs/laminar_generic.yaml.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/dynamics/circuits/generic.hpp"

namespace cortexsim {
namespace {

// ---- building specs in C++ --------------------------------------------------------------------------------

model_spec model_with_areas(const std::vector<double>& hierarchy, double dt_ms, std::uint64_t seed = 0) {
    model_spec m;
    m.circuit = "generic";
    for (std::size_t i = 0; i < hierarchy.size(); ++i) {
        std::string name = "A";  // (not "A" + to_string: a GCC 12 -Wrestrict false positive)
        name += std::to_string(i);
        m.areas.names.push_back(name);
    }
    m.areas.hierarchy = hierarchy;
    m.run.dt_ms = dt_ms;
    m.run.seed = seed;
    m.generic.defined = true;
    return m;
}

void add_gradient(model_spec& m, const std::string& name, std::vector<double> values) {
    gradient_spec g;
    g.name = name;
    g.vector = "test";
    g.values = std::move(values);
    m.gradients.push_back(std::move(g));
}

generic_population population(const std::string& name, double tau_ms, generic_transfer kind) {
    generic_population p;
    p.name = name;
    p.tau_ms = tau_ms;
    p.transfer.kind = kind;
    return p;
}

void add_weight(model_spec& m, const std::string& to, const std::string& from, double w,
                const std::string& gradient = "") {
    generic_weight x;
    x.to = m.generic.find(to);
    const bool gate = m.generic.find(from) == generic_circuit_spec::npos;
    x.from = gate ? m.generic.find(from.substr(2)) : m.generic.find(from);
    x.from_gate = gate;
    x.weight = {w, gradient};
    ASSERT_NE(x.to, generic_circuit_spec::npos);
    ASSERT_NE(x.from, generic_circuit_spec::npos);
    m.generic.weights.push_back(x);
}

void add_input(model_spec& m, const std::string& channel, const std::string& to, double w,
               const std::string& gradient = "") {
    auto& s = m.generic;
    generic_input x;
    x.channel = std::find(s.channels.begin(), s.channels.end(), channel) - s.channels.begin();
    if (x.channel == s.channels.size()) s.channels.push_back(channel);
    x.to = s.find(to);
    x.weight = {w, gradient};
    s.inputs.push_back(x);
}

/// Inputs of one step for a circuit: lr[c][i] and stim[p][i] filled by callbacks of (global area, step).
struct step_buffers {
    std::vector<std::vector<double>> lr, stim;
    std::vector<const double*> lr_ptr, stim_ptr;
    step_buffers(const circuit& c) {
        lr.assign(c.input_channels().size(), std::vector<double>(c.n_local(), 0.0));
        stim.assign(c.stimulus_ports().size(), std::vector<double>(c.n_local(), 0.0));
        for (auto& v : lr) lr_ptr.push_back(v.data());
        for (auto& v : stim) stim_ptr.push_back(v.data());
    }
    using fill_fn = std::function<double(std::size_t /*index*/, std::size_t /*global area*/, std::int64_t /*step*/)>;
    step_input at(const circuit& c, std::int64_t k, const fill_fn& lr_of, const fill_fn& stim_of) {
        for (std::size_t x = 0; x < lr.size(); ++x)
            for (std::size_t i = 0; i < c.n_local(); ++i) lr[x][i] = lr_of ? lr_of(x, c.first_area() + i, k) : 0.0;
        for (std::size_t x = 0; x < stim.size(); ++x)
            for (std::size_t i = 0; i < c.n_local(); ++i)
                stim[x][i] = stim_of ? stim_of(x, c.first_area() + i, k) : 0.0;
        step_input in;
        in.step = k;
        in.lr = lr_ptr.data();
        in.stim = stim_ptr.data();
        return in;
    }
};

// ---- (1) the linear Chaudhuri E/I circuit written as a generic circuit ------------------------------------

using mat2 = std::array<double, 4>;  // row-major 2 x 2
mat2 mul(const mat2& a, const mat2& b) {
    return {a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]};
}
mat2 power(mat2 a, std::int64_t k) {
    mat2 r = {1, 0, 0, 1};
    while (k > 0) {
        if (k & 1) r = mul(r, a);
        a = mul(a, a);
        k >>= 1;
    }
    return r;
}

struct chaudhuri_setup {
    // configs/data/chaudhuri2015/parameters.csv; configs/chaudhuri2015_generic.yaml
    double tau_E = 20, tau_I = 10, beta_E = 0.066, beta_I = 0.351, w_EE = 24.3, w_IE = 12.2, w_EI = 19.7, w_II = 12.5,
           mu_EE = 33.7, mu_IE = 25.3, eta = 0.68, rE = 10, rI = 35;
    std::vector<double> h = {0.0, 0.5, 1.0}, lr = {0.0, 3.0, 7.0};  // constant long-range input per area
    std::vector<double> s() const {
        std::vector<double> v;
        for (double x : h) v.push_back(1 + eta * x);
        return v;
    }
    model_spec model(double dt) const {
        model_spec m = model_with_areas(h, dt);
        const auto sv = s();
        add_gradient(m, "s", sv);
        // backgrounds that make (rE, rI) the fixed point with the given long-range input (the config writer's job)
        std::vector<double> bE, bI;
        for (std::size_t i = 0; i < h.size(); ++i) {
            bE.push_back(rE - (beta_E * w_EE * sv[i] * rE - beta_E * w_EI * rI + beta_E * mu_EE * sv[i] * lr[i]));
            bI.push_back(rI - (beta_I * w_IE * sv[i] * rE - beta_I * w_II * rI + beta_I * mu_IE * sv[i] * lr[i]));
        }
        add_gradient(m, "bkg_E", bE);
        add_gradient(m, "bkg_I", bI);
        auto E = population("E", tau_E, generic_transfer::threshold_linear);
        auto I = population("I", tau_I, generic_transfer::threshold_linear);
        E.background = {1.0, "bkg_E"};
        I.background = {1.0, "bkg_I"};
        E.initial = rE;
        I.initial = rI;
        m.generic.populations = {E, I};
        add_weight(m, "E", "E", beta_E * w_EE, "s");
        add_weight(m, "E", "I", -beta_E * w_EI);
        add_weight(m, "I", "E", beta_I * w_IE, "s");
        add_weight(m, "I", "I", -beta_I * w_II);
        add_input(m, "lr", "E", beta_E * mu_EE, "s");
        add_input(m, "lr", "I", beta_I * mu_IE, "s");
        return m;
    }
    /// The continuous-time system of area i: dx/dt = A x + B u (x = deviation from (rE, rI), u = stimulus of E).
    mat2 A(std::size_t i) const {
        const double sv = 1 + eta * h[i];
        return {(-1 + beta_E * w_EE * sv) / tau_E, -beta_E * w_EI / tau_E, beta_I * w_IE * sv / tau_I,
                (-1 - beta_I * w_II) / tau_I};
    }
};

TEST(GenericLinearEI, BackgroundFixedPointIsKept) {
    const chaudhuri_setup c;
    const model_spec m = c.model(0.1);
    generic_circuit g(m, 0, 3);
    ASSERT_EQ(g.variables(), (std::vector<std::string>{"E", "I"}));
    ASSERT_EQ(g.input_channels(), (std::vector<std::string>{"lr"}));
    ASSERT_EQ(g.stimulus_ports(), (std::vector<std::string>{"E", "I"}));
    step_buffers b(g);
    auto lr = [&](std::size_t, std::size_t a, std::int64_t) { return c.lr[a]; };
    for (std::int64_t k = 0; k < 5000; ++k) g.step(b.at(g, k, lr, nullptr));
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_NEAR(g.var(0)[i], 10.0, 1e-9) << "area " << i;
        EXPECT_NEAR(g.var(1)[i], 35.0, 1e-9) << "area " << i;
    }
}

TEST(GenericLinearEI, StepResponseMatchesClosedForm) {
    const chaudhuri_setup c;
    const double dt = 0.1, u = 5.0;  // a constant 5 Hz step into E from t = 0
    const model_spec m = c.model(dt);
    generic_circuit g(m, 0, 3);
    step_buffers b(g);
    auto lr = [&](std::size_t, std::size_t a, std::int64_t) { return c.lr[a]; };
    auto stim = [&](std::size_t port, std::size_t, std::int64_t) { return port == 0 ? u : 0.0; };
    const std::vector<std::int64_t> checks = {1, 10, 250, 1000, 4000, 30000, 200000};
    std::int64_t k = 0;
    for (std::int64_t target : checks) {
        for (; k < target; ++k) g.step(b.at(g, k, lr, stim));
        for (std::size_t i = 0; i < 3; ++i) {
            const mat2 A = c.A(i);
            // fixed point of the stimulated system: A x* + (u / tau_E, 0) = 0 (Cramer's rule)
            const double det = A[0] * A[3] - A[1] * A[2];
            ASSERT_GT(det, 0.0);
            const double bx = -u / c.tau_E;
            const double xs_E = (bx * A[3]) / det, xs_I = (-A[2] * bx) / det;
            // Euler: x_{k+1} = M x_k + dt B u, M = 1 + dt A  =>  x_k = (1 - M^k) x*
            const mat2 Mk = power({1 + dt * A[0], dt * A[1], dt * A[2], 1 + dt * A[3]}, k);
            const double xE = xs_E - (Mk[0] * xs_E + Mk[1] * xs_I), xI = xs_I - (Mk[2] * xs_E + Mk[3] * xs_I);
            EXPECT_NEAR(g.var(0)[i] - 10.0, xE, 1e-9 * std::max(1.0, std::fabs(xE))) << "area " << i << ", step " << k;
            EXPECT_NEAR(g.var(1)[i] - 35.0, xI, 1e-9 * std::max(1.0, std::fabs(xI))) << "area " << i << ", step " << k;
            if (k == checks.back()) {  // 20 s later (slowest isolated mode ~0.4 s): the new fixed point
                EXPECT_NEAR(g.var(0)[i] - 10.0, xs_E, 1e-8) << "area " << i;
                EXPECT_NEAR(g.var(1)[i] - 35.0, xs_I, 1e-8) << "area " << i;
            }
        }
    }
    // the gradient makes the higher area respond more strongly (stronger local recurrence)
    EXPECT_GT(g.var(0)[2] - 10.0, g.var(0)[0] - 10.0);
}

// ---- (2) a Wong-Wang-style E1/E2/I circuit with NMDA and GABA gates against a reference loop -----------------

struct wong_wang_setup {
    // Mejias & Wang 2022 (configs/data/mejiaswang2022/parameters.csv), currents in nA, rates in Hz
    double tau_r = 2, tau_N = 60, tau_G = 5, gamma = 1.282, gamma_I = 2, a = 135, b = 54, d = 0.308;
    double g_I = 4, c1 = 615, c0 = 177, r0 = 5.5, J_S = 0.42, J_C = 0.0107, J_EI = -0.31, J_II = -0.12, J_IE = 0.1236;
    double I0E = 0.3294, I0I = 0.26, sigma = 0.01, tau_n = 2;
    std::vector<double> js = {0.8, 1.0};  // per-area factor of J_S (a gradient)
    std::uint64_t seed = 12345;
    double dt = 0.5;

    model_spec model() const {
        model_spec m = model_with_areas({0.2, 0.9}, dt, seed);
        add_gradient(m, "js", js);
        generic_population E1 = population("E1", tau_r, generic_transfer::abbott_chance);
        E1.transfer.a = a;
        E1.transfer.b = b;
        E1.transfer.d = d;
        E1.background = {I0E, ""};
        E1.initial = 1.0;
        E1.synapse = generic_synapse::saturating;
        E1.synapse_tau_ms = tau_N;
        E1.gamma = gamma;
        E1.synapse_initial = 0.1;
        E1.noise = generic_noise::ou;
        E1.noise_sigma = sigma;
        E1.noise_tau_ms = tau_n;
        generic_population E2 = E1;
        E2.name = "E2";
        E2.initial = 2.0;
        E2.synapse_initial = 0.05;
        generic_population I = population("I", tau_r, generic_transfer::linear);
        I.transfer.gain = c1 / g_I;
        I.transfer.threshold = c0 / c1;
        I.transfer.offset = r0;
        I.background = {I0I, ""};
        I.initial = 5.0;
        I.synapse = generic_synapse::linear;
        I.synapse_tau_ms = tau_G;
        I.gamma = gamma_I;
        m.generic.populations = {E1, E2, I};
        add_weight(m, "E1", "S_E1", J_S, "js");
        add_weight(m, "E1", "S_E2", J_C);
        add_weight(m, "E1", "S_I", J_EI);
        add_weight(m, "E2", "S_E2", J_S, "js");
        add_weight(m, "E2", "S_E1", J_C);
        add_weight(m, "E2", "S_I", J_EI);
        add_weight(m, "I", "S_E1", J_IE);
        add_weight(m, "I", "S_E2", J_IE);
        add_weight(m, "I", "S_I", J_II);
        add_input(m, "lr_E1", "E1", 1.0);
        add_input(m, "lr_E2", "E2", 1.0);
        add_input(m, "lr_I", "I", 0.5);
        return m;
    }
    static double lr(std::size_t channel, std::size_t area, std::int64_t k) {
        return 0.01 * (1.0 + static_cast<double>(channel)) * (1.0 + std::sin(0.01 * static_cast<double>(k) + area));
    }
    static double stim(std::size_t port, std::size_t area, std::int64_t k) {
        return (port == 0 && area == 0 && k >= 100 && k < 300) ? 0.3 : 0.0;  // cue to E1 of area 0
    }
};

TEST(GenericWongWang, MatchesReferenceLoop) {
    const wong_wang_setup w;
    const model_spec m = w.model();
    generic_circuit g(m, 0, 2);
    ASSERT_EQ(g.variables(), (std::vector<std::string>{"E1", "E2", "I", "S_E1", "S_E2", "S_I", "eta_E1", "eta_E2"}));
    ASSERT_EQ(g.recorded(), (std::vector<std::size_t>{0, 1, 2}));
    ASSERT_EQ(g.input_channels(), (std::vector<std::string>{"lr_E1", "lr_E2", "lr_I"}));
    step_buffers buf(g);

    // the reference: one area at a time, plain scalars, the equations of docs/models.md, wong_wang "Equations" written out
    struct area_state {
        double r1, r2, rI, S1, S2, SG, x1, x2;
    };
    std::vector<area_state> ref = {{1, 2, 5, 0.1, 0.05, 0, 0, 0}, {1, 2, 5, 0.1, 0.05, 0, 0, 0}};
    auto phiE = [&](double I) { return (w.a * I - w.b) / (1 - std::exp(-w.d * (w.a * I - w.b))); };
    auto phiI = [&](double I) { return (w.c1 * I - w.c0) / w.g_I + w.r0; };
    const philox_key key = key_of(w.seed);
    double max_diff = 0, max_r1 = 0;
    for (std::int64_t k = 0; k < 600; ++k) {
        g.step(buf.at(g, k, wong_wang_setup::lr, wong_wang_setup::stim));
        for (std::size_t i = 0; i < 2; ++i) {
            area_state& s = ref[i];
            const double JS = w.J_S * w.js[i];
            const double I1 = JS * s.S1 + w.J_C * s.S2 + w.J_EI * s.SG + w.I0E + wong_wang_setup::lr(0, i, k) +
                              wong_wang_setup::stim(0, i, k) + s.x1;
            const double I2 = JS * s.S2 + w.J_C * s.S1 + w.J_EI * s.SG + w.I0E + wong_wang_setup::lr(1, i, k) + s.x2;
            const double II = w.J_IE * (s.S1 + s.S2) + w.J_II * s.SG + w.I0I + 0.5 * wong_wang_setup::lr(2, i, k);
            const auto xi = noise_normals(key, i, 0, k);
            const double dt = w.dt, dts = dt / 1000.0;  // gamma r is per second
            area_state n;
            n.r1 = s.r1 + dt / w.tau_r * (-s.r1 + phiE(I1));
            n.r2 = s.r2 + dt / w.tau_r * (-s.r2 + phiE(I2));
            n.rI = s.rI + dt / w.tau_r * (-s.rI + phiI(II));
            n.S1 = s.S1 + dt * (-s.S1 / w.tau_N) + dts * w.gamma * (1 - s.S1) * s.r1;
            n.S2 = s.S2 + dt * (-s.S2 / w.tau_N) + dts * w.gamma * (1 - s.S2) * s.r2;
            n.SG = s.SG + dt * (-s.SG / w.tau_G) + dts * w.gamma_I * s.rI;
            n.x1 = s.x1 + dt / w.tau_n * (-s.x1) + std::sqrt(dt / w.tau_n) * w.sigma * xi[0];
            n.x2 = s.x2 + dt / w.tau_n * (-s.x2) + std::sqrt(dt / w.tau_n) * w.sigma * xi[1];
            s = n;
            const double mine[8] = {g.var(0)[i], g.var(1)[i], g.var(2)[i], g.var(3)[i],
                                    g.var(4)[i], g.var(5)[i], g.var(6)[i], g.var(7)[i]};
            const double theirs[8] = {s.r1, s.r2, s.rI, s.S1, s.S2, s.SG, s.x1, s.x2};
            for (int v = 0; v < 8; ++v) {
                const double diff = std::fabs(mine[v] - theirs[v]) / std::max(1.0, std::fabs(theirs[v]));
                max_diff = std::max(max_diff, diff);
                ASSERT_LE(diff, 1e-12) << "variable " << g.variables()[v] << ", area " << i << ", step " << k;
            }
            max_r1 = std::max(max_r1, s.r1);
        }
    }
    // the run is not trivial: the cue drives E1 well above baseline, and the noise moved the currents
    EXPECT_GT(max_r1, 10.0);
    EXPECT_NE(g.var(6)[0], 0.0);
    EXPECT_NE(g.var(6)[0], g.var(6)[1]);
}

// ---- (3) every transfer function against its formula ------------------------------------------------------

TEST(GenericTransfer, EveryFunctionMatchesItsFormula) {
    // one population with tau = dt: one step from r = 0 gives r = f(I) exactly; I = background + stimulus
    std::vector<double> xs;
    for (int j = -40; j <= 40; ++j) xs.push_back(0.25 * j + 0.01);
    xs.push_back(0.4);  // a x = b of the Abbott-Chance parameters below (the removable singularity)
    xs.push_back(0.4 + 1e-12);
    xs.push_back(800.0);  // large arguments: no overflow
    xs.push_back(-800.0);
    struct kase {
        const char* name;
        generic_transfer_spec t;
        std::function<double(double)> f;
    };
    std::vector<kase> cases;
    auto spec = [](generic_transfer k) {
        generic_transfer_spec t;
        t.kind = k;
        return t;
    };
    {
        auto t = spec(generic_transfer::threshold_linear);
        t.gain = 2.5;
        t.threshold = 1.5;
        cases.push_back({"threshold_linear", t, [](double x) { return x > 1.5 ? 2.5 * (x - 1.5) : 0.0; }});
    }
    cases.push_back({"relu", spec(generic_transfer::relu), [](double x) { return x < 0 ? 0.0 : x; }});
    {
        auto t = spec(generic_transfer::linear);
        t.gain = 153.75;
        t.threshold = 0.2878;
        t.offset = 5.5;
        cases.push_back({"linear", t, [](double x) { return 153.75 * (x - 0.2878) + 5.5; }});
    }
    {
        auto t = spec(generic_transfer::sigmoid);
        t.r_max = 80;
        t.gain = 0.9;
        t.threshold = 2;
        cases.push_back({"sigmoid", t, [](double x) { return 80.0 / (1.0 + std::exp(-0.9 * (x - 2.0))); }});
    }
    {
        auto t = spec(generic_transfer::abbott_chance);
        t.a = 270;
        t.b = 108;
        t.d = 0.154;
        cases.push_back({"abbott_chance", t, [](double x) {
                             const double y = 270 * x - 108;
                             if (y == 0) return 1 / 0.154;
                             return y / -std::expm1(-0.154 * y);  // accurate also near y = 0
                         }});
    }
    {
        auto t = spec(generic_transfer::tanh);
        t.r_max = 20;
        t.gain = 0.3;
        t.threshold = -1;
        cases.push_back({"tanh", t, [](double x) { return 20 * std::tanh(0.3 * (x + 1)); }});
    }
    {
        auto t = spec(generic_transfer::softplus);
        t.gain = 3;
        t.sharpness = 2;
        t.threshold = 1;
        cases.push_back({"softplus", t, [](double x) {
                             const double z = 2 * (x - 1);
                             return z > 30 ? 3 * z / 2 : 3 * std::log(1 + std::exp(z)) / 2;  // log1p-free form
                         }});
    }
    for (const auto& c : cases) {
        model_spec m = model_with_areas(std::vector<double>(xs.size(), 0.0), 0.1);
        auto p = population("P", 0.1, c.t.kind);
        p.transfer = c.t;
        p.background = {0.5, ""};
        m.generic.populations = {p};
        generic_circuit g(m, 0, xs.size());
        step_buffers b(g);
        g.step(b.at(g, 0, nullptr, [&](std::size_t, std::size_t a, std::int64_t) { return xs[a] - 0.5; }));
        for (std::size_t i = 0; i < xs.size(); ++i) {
            const double x = 0.5 + (xs[i] - 0.5), want = c.f(x);
            ASSERT_TRUE(std::isfinite(g.var(0)[i])) << c.name << " at " << x;
            EXPECT_NEAR(g.var(0)[i], want, 1e-12 * std::max(1.0, std::fabs(want))) << c.name << " at x = " << x;
            EXPECT_NEAR(generic_transfer_value(c.t, x), want, 1e-12 * std::max(1.0, std::fabs(want))) << c.name;
        }
    }
}

// ---- (5) noise keyed by global area: a part of the areas gives the same trajectories --------------------------

model_spec noisy_model(std::size_t n_areas, std::uint64_t seed) {
    std::vector<double> h;
    for (std::size_t i = 0; i < n_areas; ++i) h.push_back(static_cast<double>(i) / (n_areas - 1));
    model_spec m = model_with_areas(h, 0.2, seed);
    std::vector<double> s;
    for (double x : h) s.push_back(1 + 0.5 * x);
    add_gradient(m, "s", s);
    const generic_transfer kinds[6] = {generic_transfer::threshold_linear, generic_transfer::sigmoid,
                                       generic_transfer::softplus,         generic_transfer::relu,
                                       generic_transfer::threshold_linear, generic_transfer::tanh};
    for (int p = 0; p < 6; ++p) {
        std::string name = "P";  // (not "P" + to_string: a GCC 12 -Wrestrict false positive)
        name += std::to_string(p);
        auto q = population(name, 5.0 + 3 * p, kinds[p]);
        q.transfer.r_max = 50;
        q.transfer.gain = 1;
        q.background = {2.0 + p, p % 2 ? "s" : ""};
        q.initial = 1.0 + p;
        if (p != 3) {  // OU noise on 0, 2, 4 (group 1: population 4), white noise on 1, 5; none on 3
            q.noise = (p % 2 == 0) ? generic_noise::ou : generic_noise::white;
            q.noise_sigma = 1.5;
            q.noise_tau_ms = 4.0;
        }
        if (p == 5) q.floor = 0.0;
        if (p == 2) {
            q.synapse = generic_synapse::saturating;
            q.gamma = 0.6;
            q.synapse_tau_ms = 50;
        }
        m.generic.populations.push_back(q);
    }
    add_weight(m, "P0", "P0", 0.5, "s");
    add_weight(m, "P0", "P1", -0.4);
    add_weight(m, "P1", "P0", 0.8);
    add_weight(m, "P4", "S_P2", 3.0);
    add_weight(m, "P5", "P4", 0.3);
    add_input(m, "lr", "P0", 0.2, "s");
    add_input(m, "lr", "P4", 0.1);
    return m;
}

TEST(GenericNoise, PartOfTheAreasGivesTheSameTrajectories) {
    const model_spec m = noisy_model(8, 7);
    generic_circuit full(m, 0, 8), part(m, 3, 3), none(m, 8, 0);
    ASSERT_EQ(full.variables(), part.variables());
    step_buffers bf(full), bp(part), bn(none);
    auto lr = [](std::size_t, std::size_t a, std::int64_t k) { return std::cos(0.003 * k * (1 + a)); };
    auto stim = [](std::size_t p, std::size_t a, std::int64_t k) { return (p == 1 && a == 4 && k > 100) ? 2.0 : 0.0; };
    double spread = 0;
    for (std::int64_t k = 0; k < 500; ++k) {
        full.step(bf.at(full, k, lr, stim));
        part.step(bp.at(part, k, lr, stim));
        none.step(bn.at(none, k, lr, stim));
        for (std::size_t v = 0; v < full.variables().size(); ++v)
            for (std::size_t i = 0; i < 3; ++i)
                ASSERT_EQ(part.var(v)[i], full.var(v)[3 + i])
                    << full.variables()[v] << ", area " << 3 + i << ", step " << k;
        for (std::size_t i = 0; i < 8; ++i) ASSERT_GE(full.var(5)[i], 0.0);  // the floor of P5
        spread = std::max(spread, std::fabs(full.var(3)[3] - full.var(3)[4]));
    }
    EXPECT_GT(spread, 0.0);  // P3 (no noise, no inputs) differs between areas through its background gradient
    // the noise is there, differs between areas and populations, and depends on the seed
    const std::size_t eta0 = full.noise_variable(0), eta4 = full.noise_variable(4);
    ASSERT_NE(eta0, circuit::npos);
    ASSERT_NE(eta4, circuit::npos);
    EXPECT_EQ(full.noise_variable(1), circuit::npos);  // white noise has no state
    EXPECT_NE(full.var(eta0)[0], full.var(eta0)[1]);
    EXPECT_NE(full.var(eta0)[0], full.var(eta4)[0]);
    const model_spec m2 = noisy_model(8, 8);
    generic_circuit other(m2, 0, 8);
    step_buffers bo(other);
    for (std::int64_t k = 0; k < 10; ++k) other.step(bo.at(other, k, lr, stim));
    generic_circuit again(m, 0, 8);
    step_buffers ba(again);
    for (std::int64_t k = 0; k < 10; ++k) again.step(ba.at(again, k, lr, stim));
    EXPECT_NE(other.var(eta0)[2], again.var(eta0)[2]);
}

TEST(GenericNoise, OUCurrentHasTheDocumentedVariance) {
    // eta <- eta - (dt/tau) eta + sigma sqrt(dt/tau) xi: stationary variance sigma^2 / (2 - dt/tau)
    model_spec m = model_with_areas(std::vector<double>(200, 0.0), 0.5, 3);
    auto p = population("P", 10.0, generic_transfer::relu);
    p.noise = generic_noise::ou;
    p.noise_sigma = 2.0;
    p.noise_tau_ms = 5.0;
    m.generic.populations = {p};
    generic_circuit g(m, 0, 200);
    step_buffers b(g);
    double sum = 0, sum2 = 0;
    long count = 0;
    for (std::int64_t k = 0; k < 2000; ++k) {
        g.step(b.at(g, k, nullptr, nullptr));
        if (k >= 200 && k % 10 == 0)
            for (std::size_t i = 0; i < 200; ++i) {
                sum += g.var(1)[i];
                sum2 += g.var(1)[i] * g.var(1)[i];
                ++count;
            }
    }
    const double mean = sum / count, var = sum2 / count - mean * mean;
    const double want = 4.0 / (2.0 - 0.1);
    EXPECT_NEAR(mean, 0.0, 0.05);
    EXPECT_NEAR(var, want, 0.05 * want);
}

TEST(GenericCircuit, RejectsAnUndefinedSpecAndUnknownGradients) {
    model_spec m = model_with_areas({0, 1}, 0.1);
    m.generic.defined = false;
    EXPECT_THROW(generic_circuit(m, 0, 2), config_error);
    m.generic.defined = true;
    auto p = population("P", 10.0, generic_transfer::relu);
    p.background = {1.0, "nope"};
    m.generic.populations = {p};
    EXPECT_THROW(generic_circuit(m, 0, 2), config_error);
    EXPECT_EQ(generic_info().type, "generic");
    EXPECT_TRUE(generic_info().defaults.empty());
}

}  // namespace
}  // namespace cortexsim

// ---- (4), (6): the config parser and configs/laminar_generic.yaml ---------------------------------------------
// They need yaml-cpp and cortexsim_config, which the circuit_tests target does not link (tests/CMakeLists.txt).
// Enable with: target_link_libraries(circuit_tests PRIVATE cortexsim_config yaml-cpp)
//              target_compile_definitions(circuit_tests PRIVATE CORTEXSIM_GENERIC_YAML_TESTS=1)
#ifdef CORTEXSIM_GENERIC_YAML_TESTS
#include <yaml-cpp/yaml.h>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/config/generic_circuit_config.hpp"

namespace cortexsim {
namespace {

/// Parses the model.populations / model.local of a YAML text into m (with a gradient "s" of 3 areas).
model_spec parse_yaml(const std::string& text) {
    model_spec m = model_with_areas({0.0, 0.5, 1.0}, 0.1);
    m.generic = {};
    add_gradient(m, "s", {1.0, 1.34, 1.68});
    const YAML::Node root = YAML::Load(text);
    parse_generic_circuit(root["model"]["populations"], root["model"]["local"], "test.yaml", m);
    return m;
}

/// The message of the config_error thrown by parsing `text` ("" if none).
std::string parse_error(const std::string& text) {
    try {
        parse_yaml(text);
    } catch (const config_error& e) {
        return e.what();
    }
    return "";
}

const char* const chaudhuri_yaml = R"(
model:
  populations:
    E: {tau_ms: 20, transfer: threshold_linear, background: {value: 1.0, gradient: s}, initial: 10}
    I: {tau_ms: 10, transfer: {function: threshold_linear, gain: 1, threshold: 0}, initial: 35}
  local:
    weights:
      - {to: E, from: E, weight: {value: 1.6038, gradient: s}}
      - {to: E, from: I, weight: -1.3002}
      - {to: I, from: E, weight: {value: 4.2822, gradient: s}}
      - {to: I, from: I, weight: -4.3875}
    inputs:
      - {name: lr, to: E, weight: {value: 2.2242, gradient: s}}
      - {name: lr, to: I, weight: {value: 8.8803, gradient: s}}
)";

TEST(GenericConfig, ParsesTheChaudhuriCircuit) {
    const model_spec m = parse_yaml(chaudhuri_yaml);
    const generic_circuit_spec& g = m.generic;
    ASSERT_TRUE(g.defined);
    ASSERT_EQ(g.populations.size(), 2u);
    EXPECT_EQ(m.populations, (std::vector<std::string>{"E", "I"}));
    EXPECT_EQ(g.populations[0].tau_ms, 20.0);
    EXPECT_EQ(g.populations[1].tau_ms, 10.0);
    EXPECT_EQ(g.populations[0].background.gradient, "s");
    EXPECT_EQ(g.populations[0].initial, 10.0);
    EXPECT_EQ(g.populations[1].transfer.kind, generic_transfer::threshold_linear);
    ASSERT_EQ(g.weights.size(), 4u);
    EXPECT_EQ(g.weights[1].to, 0u);
    EXPECT_EQ(g.weights[1].from, 1u);
    EXPECT_FALSE(g.weights[1].from_gate);
    EXPECT_EQ(g.weights[1].weight.value, -1.3002);
    EXPECT_EQ(g.channels, (std::vector<std::string>{"lr"}));
    ASSERT_EQ(g.inputs.size(), 2u);
    EXPECT_EQ(g.inputs[1].to, 1u);
    EXPECT_EQ(g.inputs[1].weight.gradient, "s");
    generic_circuit c(m, 0, 3);
    EXPECT_EQ(c.variables(), (std::vector<std::string>{"E", "I"}));
}

TEST(GenericConfig, ParsesGatesNoiseAndEveryTransferFunction) {
    const model_spec m = parse_yaml(R"(
model:
  populations:
    E1: {tau_ms: 2, transfer: {function: abbott_chance, a: 270, b: 108, d: 0.154},
         synapse: {kind: saturating, tau_ms: 100, gamma: 0.641, initial: 0.1}, noise: {sigma: 0.02, tau_ms: 2}}
    I:  {tau_ms: 2, transfer: {function: linear, gain: 153.75, threshold: 0.2878, offset: 5.5},
         synapse: {kind: linear, tau_ms: 5, gamma: 2}, floor: 0}
    A:  {tau_ms: 5, transfer: {function: sigmoid, r_max: 50, gain: 0.5}, noise: {sigma: 0.5}}
    B:  {tau_ms: 5, transfer: relu}
    C:  {tau_ms: 5, transfer: tanh}
    D:  {tau_ms: 5, transfer: {function: softplus, sharpness: 2}}
  local:
    weights:
      - {to: E1, from: S_E1, weight: 0.2609}
      - {to: E1, from: S_I, weight: -0.31}
      - {to: I, from: S_E1, weight: 0.15}
)");
    const auto& g = m.generic;
    ASSERT_EQ(g.populations.size(), 6u);
    const auto& e = g.populations[0];
    EXPECT_EQ(e.transfer.kind, generic_transfer::abbott_chance);
    EXPECT_EQ(e.transfer.a, 270.0);
    EXPECT_EQ(e.transfer.d, 0.154);
    EXPECT_EQ(e.synapse, generic_synapse::saturating);
    EXPECT_EQ(e.synapse_tau_ms, 100.0);
    EXPECT_EQ(e.gamma, 0.641);
    EXPECT_EQ(e.synapse_initial, 0.1);
    EXPECT_EQ(e.noise, generic_noise::ou);
    EXPECT_EQ(e.noise_tau_ms, 2.0);
    EXPECT_EQ(g.populations[1].synapse, generic_synapse::linear);
    EXPECT_EQ(g.populations[1].floor, 0.0);
    EXPECT_EQ(g.populations[1].transfer.offset, 5.5);
    EXPECT_EQ(g.populations[2].noise, generic_noise::white);
    EXPECT_EQ(g.populations[2].transfer.threshold, 0.0);  // default
    EXPECT_EQ(g.populations[4].transfer.kind, generic_transfer::tanh);
    EXPECT_EQ(g.populations[5].transfer.sharpness, 2.0);
    EXPECT_TRUE(g.weights[0].from_gate);
    EXPECT_EQ(g.weights[1].from, 1u);
    EXPECT_TRUE(g.weights[1].from_gate);
    EXPECT_EQ(g.min_tau_ms(), 2.0);
    generic_circuit c(m, 0, 3);
    EXPECT_EQ(c.variables(), (std::vector<std::string>{"E1", "I", "A", "B", "C", "D", "S_E1", "S_I", "eta_E1"}));
    EXPECT_EQ(c.input_channels().size(), 0u);
}

TEST(GenericConfig, ErrorsNameFileKeyAndValue) {
    struct kase {
        std::string yaml;
        std::vector<std::string> expect;  // substrings of the message
    };
    const std::string ok_pops = "    E: {tau_ms: 20, transfer: relu}\n    I: {tau_ms: 10, transfer: relu}\n";
    const std::vector<kase> cases = {
        // unknown keys, at every level
        {"model:\n  populations:\n    E: {tau_ms: 20, transfer: relu, tau: 3}\n",
         {"test.yaml: ", "unknown key 'model.populations.E.tau'"}},
        {"model:\n  populations:\n" + ok_pops + "  local:\n    weigths: []\n", {"unknown key 'model.local.weigths'"}},
        {"model:\n  populations:\n" + ok_pops +
             "  local:\n    weights:\n      - {to: E, from: I, weight: 1, gain: 2}\n",
         {"unknown key 'model.local.weights.0.gain'"}},
        {"model:\n  populations:\n    E: {tau_ms: 20, transfer: {function: relu, gain: 2}}\n",
         {"unknown key 'model.populations.E.transfer.gain'", "relu"}},
        {"model:\n  populations:\n    E: {tau_ms: 20, transfer: relu, synapse: {kind: linear, tau_ms: 5, gama: 1}}\n",
         {"unknown key 'model.populations.E.synapse.gama'"}},
        // unknown population or gate in a weight / input
        {"model:\n  populations:\n" + ok_pops + "  local:\n    weights:\n      - {to: E, from: PV, weight: 1}\n",
         {"'model.local.weights.0.from' = 'PV'", "is not a population or a gate", "E, I"}},
        {"model:\n  populations:\n" + ok_pops + "  local:\n    weights:\n      - {to: X, from: E, weight: 1}\n",
         {"'model.local.weights.0.to' = 'X'", "is not a population"}},
        {"model:\n  populations:\n" + ok_pops + "  local:\n    weights:\n      - {to: E, from: S_I, weight: 1}\n",
         {"'model.local.weights.0.from' = 'S_I'", "has no 'synapse'"}},
        {"model:\n  populations:\n" + ok_pops + "  local:\n    inputs:\n      - {name: lr, to: VIP, weight: 1}\n",
         {"'model.local.inputs.0.to' = 'VIP'", "is not a population"}},
        // transfer functions
        {"model:\n  populations:\n    E: {tau_ms: 20, transfer: sigmod}\n",
         {"'model.populations.E.transfer' = 'sigmod'", "is not a transfer function", "abbott_chance"}},
        {"model:\n  populations:\n    E: {tau_ms: 20, transfer: {function: wong}}\n",
         {"'model.populations.E.transfer.function' = 'wong'", "is not a transfer function"}},
        {"model:\n  populations:\n    E: {tau_ms: 20, transfer: {function: abbott_chance, a: 270, b: 108}}\n",
         {"missing required key 'model.populations.E.transfer.d'", "a, b, d"}},
        {"model:\n  populations:\n    E: {tau_ms: 20, transfer: sigmoid}\n",
         {"missing required key 'model.populations.E.transfer.r_max'"}},
        {"model:\n  populations:\n    E: {tau_ms: 20}\n", {"missing required key 'model.populations.E.transfer'"}},
        // invalid values
        {"model:\n  populations:\n    E: {tau_ms: 0, transfer: relu}\n",
         {"'model.populations.E.tau_ms' = '0'", "must be > 0"}},
        {"model:\n  populations:\n    E: {tau_ms: -5, transfer: relu}\n",
         {"'model.populations.E.tau_ms' = '-5'", "must be > 0"}},
        {"model:\n  populations:\n    E: {tau_ms: 20, transfer: relu, synapse: {kind: nmda, tau_ms: 5, gamma: 1}}\n",
         {"'model.populations.E.synapse.kind' = 'nmda'", "linear, saturating"}},
        {"model:\n  populations:\n    E: {tau_ms: 20, transfer: relu, synapse: {kind: linear, tau_ms: -1, gamma: 1}}\n",
         {"'model.populations.E.synapse.tau_ms' = '-1'", "must be > 0"}},
        {"model:\n  populations:\n    E: {tau_ms: 20, transfer: relu, noise: {sigma: -1}}\n",
         {"'model.populations.E.noise.sigma' = '-1'", "must be >= 0"}},
        {"model:\n  populations:\n    E: {tau_ms: 20, transfer: {function: abbott_chance, a: 1, b: 1, d: 0}}\n",
         {"'model.populations.E.transfer.d' = '0'", "must be > 0"}},
        // wrong types
        {"model:\n  populations:\n    E: {tau_ms: fast, transfer: relu}\n",
         {"'model.populations.E.tau_ms' = 'fast'", "not a number"}},
        {"model:\n  populations:\n    E: {tau_ms: [1, 2], transfer: relu}\n",
         {"'model.populations.E.tau_ms' = [1, 2]", "must be a number"}},
        {"model:\n  populations: [E, I]\n", {"'model.populations' = [E, I]", "must be a map"}},
        {"model:\n  populations:\n" + ok_pops + "  local:\n    weights: {to: E}\n",
         {"'model.local.weights'", "must be a list"}},
        // gradients, names, duplicates
        {"model:\n  populations:\n    E: {tau_ms: 20, transfer: relu, background: {value: 1, gradient: t}}\n",
         {"'model.populations.E.background.gradient' = 't'", "is not a gradient"}},
        {"model:\n  populations:\n    S_E: {tau_ms: 20, transfer: relu}\n", {"'model.populations.S_E'", "S_ or eta_"}},
        {"model:\n  populations:\n" + ok_pops +
             "  local:\n    weights:\n      - {to: E, from: I, weight: 1}\n      - {to: E, from: I, weight: 2}\n",
         {"'model.local.weights.1'", "given twice"}},
        {"model:\n  local: {}\n", {"missing required key 'model.populations'"}},
    };
    for (const auto& c : cases) {
        const std::string msg = parse_error(c.yaml);
        ASSERT_FALSE(msg.empty()) << "no error for:\n" << c.yaml;
        EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
        EXPECT_EQ(msg.rfind("test.yaml: ", 0), 0u) << msg;
        for (const auto& e : c.expect) EXPECT_NE(msg.find(e), std::string::npos) << "'" << e << "' not in: " << msg;
    }
}

TEST(GenericConfig, YamlAndCppSpecsGiveTheSameTrajectories) {
    // the YAML of the Chaudhuri circuit (rounded beta-multiplied weights) against the same numbers set in C++
    const model_spec a = parse_yaml(chaudhuri_yaml);
    model_spec b = model_with_areas({0.0, 0.5, 1.0}, 0.1);
    add_gradient(b, "s", {1.0, 1.34, 1.68});
    auto E = population("E", 20, generic_transfer::threshold_linear);
    auto I = population("I", 10, generic_transfer::threshold_linear);
    E.background = {1.0, "s"};
    E.initial = 10;
    I.initial = 35;
    b.generic.populations = {E, I};
    add_weight(b, "E", "E", 1.6038, "s");
    add_weight(b, "E", "I", -1.3002);
    add_weight(b, "I", "E", 4.2822, "s");
    add_weight(b, "I", "I", -4.3875);
    add_input(b, "lr", "E", 2.2242, "s");
    add_input(b, "lr", "I", 8.8803, "s");
    generic_circuit ca(a, 0, 3), cb(b, 0, 3);
    step_buffers ba(ca), bb(cb);
    auto lr = [](std::size_t, std::size_t i, std::int64_t) { return 1.0 + i; };
    for (std::int64_t k = 0; k < 1000; ++k) {
        ca.step(ba.at(ca, k, lr, nullptr));
        cb.step(bb.at(cb, k, lr, nullptr));
    }
    EXPECT_EQ(ca.state(), cb.state());
}

/// Per-area values of the gradients of a config for one area with normalised hierarchy h (vector: hierarchy).
void add_config_gradients(model_spec& m, const YAML::Node& gradients, double h) {
    for (const auto& kv : gradients) {
        ASSERT_EQ(kv.second["vector"].as<std::string>(), "hierarchy");
        const double off = kv.second["offset"] ? kv.second["offset"].as<double>() : 0.0;
        const double slope = kv.second["slope"] ? kv.second["slope"].as<double>() : 1.0;
        add_gradient(m, kv.first.as<std::string>(), {off + slope * h});
    }
}

TEST(GenericConfig, LaminarExampleParsesAndOneAreaRunsTwoSeconds) {
    const std::string path = std::string(CORTEXSIM_SOURCE_DIR) + "/configs/laminar_generic.yaml";
    const YAML::Node root = YAML::LoadFile(path);
    ASSERT_EQ(root["model"]["circuit"].as<std::string>(), "generic");
    const double dt = root["run"]["dt_ms"].as<double>();
    for (const double h : {0.0, 1.0}) {  // V1-like and 24c-like isolated areas
        model_spec m = model_with_areas({h}, dt, root["run"]["seed"].as<std::uint64_t>());
        m.generic = {};
        add_config_gradients(m, root["model"]["gradients"], h);
        parse_generic_circuit(root["model"]["populations"], root["model"]["local"], path, m);
        const auto& g = m.generic;
        ASSERT_EQ(g.populations.size(), 12u);
        for (const char* layer : {"L23", "L4", "L56"})
            for (const char* type : {"E", "PV", "SST", "VIP"})
                EXPECT_NE(g.find(std::string(layer) + "_" + type), generic_circuit_spec::npos) << layer << "_" << type;
        EXPECT_EQ(g.channels, (std::vector<std::string>{"ff", "fb"}));
        // the projections of the config read circuit variables and feed its channels
        generic_circuit c(m, 0, 1);
        for (const auto& p : root["model"]["projections"]) {
            EXPECT_NE(c.find_variable(p["source"].as<std::string>()), circuit::npos);
            EXPECT_NE(c.find_channel(p["target"].as<std::string>()), circuit::npos);
        }
        EXPECT_LT(dt, g.min_tau_ms());
        // 2 s of one isolated area (no long-range input), with the config's pulse into L4 E from 0.5 to 0.7 s
        const std::size_t L4_E = c.find_port("L4_E");
        step_buffers b(c);
        auto stim = [&](std::size_t port, std::size_t, std::int64_t k) {
            return port == L4_E && k >= 5000 && k < 7000 ? 10.0 : 0.0;
        };
        const auto steps = static_cast<std::int64_t>(std::llround(2000.0 / dt));
        std::vector<double> mean(12, 0.0);
        double peak_L4 = 0;
        for (std::int64_t k = 0; k < steps; ++k) {
            c.step(b.at(c, k, nullptr, stim));
            for (std::size_t p = 0; p < 12; ++p) {
                const double r = c.var(p)[0];
                ASSERT_TRUE(std::isfinite(r)) << c.variables()[p] << " at step " << k;
                ASSERT_GE(r, 0.0) << c.variables()[p] << " at step " << k;
                ASSERT_LT(r, 500.0) << c.variables()[p] << " at step " << k;
                if (k >= steps / 2) mean[p] += r / static_cast<double>(steps - steps / 2);
            }
            if (k >= 5000 && k < 7000) peak_L4 = std::max(peak_L4, c.var(g.find("L4_E"))[0]);
        }
        EXPECT_GT(peak_L4, mean[g.find("L4_E")] + 2.0) << "the pulse is seen";
        if (h == 0.0) {
            // the backgrounds make (E 3, PV 8, SST 5, VIP 5) Hz the fixed point of an isolated area at h = 0;
            // the OU noise on E moves the means a little (the rectification is not reached)
            for (std::size_t p = 0; p < 12; ++p) {
                const std::string& n = c.variables()[p];
                const double want = n.ends_with("_E") ? 3.0 : n.ends_with("_PV") ? 8.0 : 5.0;
                EXPECT_NEAR(mean[p], want, 1.0) << n;
            }
        }
    }
}

}  // namespace
}  // namespace cortexsim
#endif  // CORTEXSIM_GENERIC_YAML_TESTS
