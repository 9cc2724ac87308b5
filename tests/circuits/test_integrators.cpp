// The integrator policy (integrator/scheme.hpp) on every circuit that has increments: Heun converges at second
// order and beats Euler; stochastic Heun adds the same noise kick in both stages; Euler-only circuits refuse
// Heun with a clear error. Each shipped model is run on its own areas without long-range input (the circuits
// alone), from its initial state, for 40 ms.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/integrator/scheme.hpp"

using namespace cortexsim;

namespace {

const std::string src = CORTEXSIM_SOURCE_DIR;

/// The circuit of `config` (with overrides) integrated for t_ms at step dt by `kind`, all areas local,
/// long-range input 0, a constant stimulus of `stim` on port 0 of every area. Returns the state.
std::vector<double> integrate(const std::string& config, std::vector<std::string> overrides, double dt,
                              integrator_kind kind, double t_ms, double stim) {
    overrides.push_back("run.dt_ms=" + std::to_string(dt));
    overrides.push_back("run.record_interval_ms=" + std::to_string(dt));
    model_spec m = load_config(src + "/configs/" + config, overrides);
    m.run.integrator = kind;
    const std::size_t n = m.areas.size();
    auto c = make_circuit(m, 0, n);
    scheme integrate(kind, *c, m.circuit, m.config_path);
    const std::vector<double> zero(n, 0.0), drive(n, stim);
    std::vector<const double*> lr(c->input_channels().size(), zero.data()), st(c->stimulus_ports().size(), zero.data());
    st[0] = drive.data();
    step_input in;
    in.lr = lr.data();
    in.stim = st.data();
    const auto steps = static_cast<std::int64_t>(std::llround(t_ms / dt));
    for (std::int64_t k = 0; k < steps; ++k) {
        in.step = k;
        integrate.advance(*c, in, [](int) {});
    }
    return c->state();
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
    double d = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
    return d;
}

struct model {
    const char* config;
    std::vector<std::string> overrides;
    double dt, stim;
};

void expect_second_order(const model& md) {
    const double T = 40.0;
    const auto ref = integrate(md.config, md.overrides, md.dt / 16, integrator_kind::heun, T, md.stim);
    const double h1 = max_abs_diff(integrate(md.config, md.overrides, md.dt, integrator_kind::heun, T, md.stim), ref);
    const double h2 = max_abs_diff(integrate(md.config, md.overrides, md.dt / 2, integrator_kind::heun, T, md.stim),
                                   ref);
    const double e1 = max_abs_diff(integrate(md.config, md.overrides, md.dt, integrator_kind::euler, T, md.stim), ref);
    const double e2 = max_abs_diff(integrate(md.config, md.overrides, md.dt / 2, integrator_kind::euler, T, md.stim),
                                   ref);
    EXPECT_GT(e1, 0.0) << md.config;
    EXPECT_NEAR(h1 / h2, 4.0, 0.8) << md.config << ": Heun errors " << h1 << ", " << h2;   // second order
    EXPECT_NEAR(e1 / e2, 2.0, 0.4) << md.config << ": Euler errors " << e1 << ", " << e2;  // first order
    EXPECT_LT(h1, e1 / 5) << md.config;
}

void expect_fourth_order(const model& md) {
    const double T = 40.0;
    const auto ref = integrate(md.config, md.overrides, md.dt / 16, integrator_kind::rk4, T, md.stim);
    const double r1 = max_abs_diff(integrate(md.config, md.overrides, md.dt, integrator_kind::rk4, T, md.stim), ref);
    const double r2 = max_abs_diff(integrate(md.config, md.overrides, md.dt / 2, integrator_kind::rk4, T, md.stim),
                                   ref);
    const double h1 = max_abs_diff(integrate(md.config, md.overrides, md.dt, integrator_kind::heun, T, md.stim), ref);
    EXPECT_GT(r1, 0.0) << md.config;
    EXPECT_NEAR(r1 / r2, 16.0, 5.0) << md.config << ": RK4 errors " << r1 << ", " << r2;  // fourth order
    EXPECT_LT(r1, h1 / 5) << md.config;
}

}  // namespace

TEST(Integrators, RK4IsFourthOrderOnEveryCircuitWithIncrements) {
    expect_fourth_order({"chaudhuri2015.yaml", {}, 0.4, 20.0});
    expect_fourth_order({"mejiaswang2022.yaml", {}, 0.4, 0.1});
    expect_fourth_order({"mejiaswang2022_equations.yaml", {}, 0.4, 0.1});
    expect_fourth_order({"froudistwalsh2021.yaml", {}, 0.4, 0.1});
    expect_fourth_order({"laminar_generic.yaml",
                         {"model.populations.L23_E.noise.sigma=0", "model.populations.L4_E.noise.sigma=0",
                          "model.populations.L56_E.noise.sigma=0"},
                         0.4,
                         2.0});
}

TEST(Integrators, HeunIsSecondOrderOnEveryCircuitWithIncrements) {
    expect_second_order({"chaudhuri2015.yaml", {}, 0.2, 20.0});
    expect_second_order({"mejiaswang2022.yaml", {}, 0.4, 0.1});
    expect_second_order({"mejiaswang2022_equations.yaml", {}, 0.4, 0.1});
    expect_second_order({"froudistwalsh2021.yaml", {}, 0.4, 0.1});
    expect_second_order({"froudistwalsh2021_stp.yaml", {}, 0.4, 0.1});
    expect_second_order({"laminar_generic.yaml",
                         {"model.populations.L23_E.noise.sigma=0", "model.populations.L4_E.noise.sigma=0",
                          "model.populations.L56_E.noise.sigma=0"},
                         0.2,
                         2.0});
}

TEST(Integrators, StochasticHeunAddsOneKickPerStep) {
    // With noise, one Heun step from rest differs from the noise-free one by exactly the noise kick of the step
    // (the same in both stages), up to the drift's dependence on the kicked state: compare with sigma and 2 sigma.
    const std::vector<std::string> o1 = {"model.parameters.noise_sigma_nA=0.01"};
    const std::vector<std::string> o2 = {"model.parameters.noise_sigma_nA=0.02"};
    const auto a0 = integrate("mejiaswang2022.yaml", {}, 0.5, integrator_kind::heun, 0.5, 0.0);
    const auto a1 = integrate("mejiaswang2022.yaml", o1, 0.5, integrator_kind::heun, 0.5, 0.0);
    const auto a2 = integrate("mejiaswang2022.yaml", o2, 0.5, integrator_kind::heun, 0.5, 0.0);
    // the OU currents xi1, xi2 (variables 6, 7) start at 0: after one step they hold the kick s_xi z (the drift
    // -k xi is 0 at the start and -k s_xi z / 2 in the corrector: x = kick (1 - k/2))
    const std::size_t n = 30;
    double ratio_sum = 0.0;
    for (std::size_t i = 6 * n; i < 8 * n; ++i) {
        EXPECT_EQ(a0[i], 0.0);
        ASSERT_NE(a1[i], 0.0);
        ratio_sum += a2[i] / a1[i];
    }
    EXPECT_NEAR(ratio_sum / (2 * n), 2.0, 1e-12);  // linear in sigma: one kick, not an average of two draws
}

TEST(Integrators, EulerOnlyCircuitsRefuseHeun) {
    const model_spec m = load_config(src + "/configs/rnn_random_10k.yaml", {"run.t_end_ms=20"});
    auto c = make_circuit(m, 0, 4);
    try {
        scheme s(integrator_kind::heun, *c, m.circuit, m.config_path);
        FAIL() << "no error";
    } catch (const config_error& e) {
        EXPECT_NE(std::string(e.what()).find("circuit 'rnn' has no increments"), std::string::npos) << e.what();
    }
}
