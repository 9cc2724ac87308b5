// Local dynamics: the linear E/I circuit against the analytic solution of one isolated area, the order of
// convergence of Euler (1) and Heun (2) through the engine's integrator policy, the background fixed point,
// and the stimulus schedule.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>

#include "cortexsim/dynamics/circuits/linear_ei.hpp"
#include "cortexsim/integrator/scheme.hpp"
#include "cortexsim/stimulus/stimulus.hpp"

using namespace cortexsim;

namespace {

struct area1 {
    linear_ei_params p;
    area_table areas{{"X"}, {0.5}, {}};
    double stim = 5.0;  // [Hz] constant drive to E from t = 0

    /// An isolated area (no long-range input, also at the target); w_EE and w_IE scaled by 1 + eta h.
    model_spec spec(double dt, integrator_kind kind) const {
        model_spec m;
        m.areas = areas;
        m.params = p;
        m.run.dt_ms = dt;
        m.run.integrator = kind;
        gradient_spec g;
        g.name = "s";
        g.values = {1.0 + p.eta * areas.hierarchy[0]};
        m.gradients = {g};
        m.param_gradients = {{"w_EE", "s"}, {"w_IE", "s"}};
        return m;
    }

    /// Exact r(t) for x' = A x + b (both populations above threshold), x(0) = targets.
    std::pair<double, double> exact(double t_ms) const {
        const model_spec m = spec(1.0, integrator_kind::euler);  // coefficients do not depend on dt except k
        const auto d = linear_ei_circuit(m, 0, 1).at(0);
        const double tE = p.tau_E_ms, tI = p.tau_I_ms;
        const double a11 = (-1.0 + d.a_EE) / tE, a12 = d.a_EI / tE;
        const double a21 = d.a_IE / tI, a22 = (-1.0 + d.a_II) / tI;
        const double b1 = (d.bkg_E + stim) / tE, b2 = d.bkg_I / tI;
        // fixed point x* = -A^{-1} b
        const double det = a11 * a22 - a12 * a21;
        const double xs1 = -(a22 * b1 - a12 * b2) / det;
        const double xs2 = -(-a21 * b1 + a11 * b2) / det;
        const double y1 = p.r_E_target_hz - xs1, y2 = p.r_I_target_hz - xs2;
        // expm(A t) = e^{s t} [c(t) I + g(t) (A - s I)], with s = tr/2, q^2 = s^2 - det
        const double s = 0.5 * (a11 + a22);
        const std::complex<double> q = std::sqrt(std::complex<double>(s * s - det));
        const std::complex<double> c = std::cosh(q * t_ms);
        const std::complex<double> g = std::abs(q) > 0 ? std::sinh(q * t_ms) / q : std::complex<double>(t_ms);
        const double e = std::exp(s * t_ms);
        const double m11 = e * (c.real() + g.real() * (a11 - s)), m12 = e * g.real() * a12;
        const double m21 = e * g.real() * a21, m22 = e * (c.real() + g.real() * (a22 - s));
        return {xs1 + m11 * y1 + m12 * y2, xs2 + m21 * y1 + m22 * y2};
    }

    /// The circuit integrated by the integrator policy of the engine (integrator/scheme.hpp).
    std::pair<double, double> simulate(double dt, double t_ms, bool heun) const {
        const model_spec m = spec(dt, heun ? integrator_kind::heun : integrator_kind::euler);
        linear_ei_circuit c(m, 0, 1);
        scheme integrate(m.run.integrator, c, "linear_ei", "test");
        const double lr[2][1] = {{0.0}, {0.0}}, st[2][1] = {{stim}, {0.0}};
        const double* lr_ptr[2] = {lr[0], lr[1]};
        const double* st_ptr[2] = {st[0], st[1]};
        step_input in;
        in.lr = lr_ptr;
        in.stim = st_ptr;
        const long n = std::lround(t_ms / dt);
        for (long k = 0; k < n; ++k) {
            in.step = k;
            integrate.advance(c, in, [](int) {});
        }
        return {c.var(0)[0], c.var(1)[0]};
    }
};

double err(std::pair<double, double> a, std::pair<double, double> b) {
    return std::max(std::fabs(a.first - b.first), std::fabs(a.second - b.second));
}

}  // namespace

TEST(kernel, background_is_a_fixed_point) {
    area1 a;
    a.stim = 0.0;
    const auto r = a.simulate(0.1, 500.0, false);
    EXPECT_NEAR(r.first, 10.0, 1e-10);
    EXPECT_NEAR(r.second, 35.0, 1e-10);
}

TEST(kernel, euler_matches_analytic_solution) {
    area1 a;
    for (double t : {5.0, 20.0, 60.0, 200.0}) {
        const auto ex = a.exact(t);
        const auto num = a.simulate(0.001, t, false);
        EXPECT_LT(err(num, ex), 2e-4 * std::fabs(ex.first)) << "t = " << t;
    }
    // the response is not trivial: E moves by several Hz
    EXPECT_GT(std::fabs(a.exact(200.0).first - 10.0), 1.0);
}

TEST(kernel, euler_is_first_order_and_heun_second_order) {
    area1 a;
    const double t = 40.0;
    const auto ex = a.exact(t);
    const double e1 = err(a.simulate(0.1, t, false), ex), e2 = err(a.simulate(0.05, t, false), ex);
    EXPECT_NEAR(e1 / e2, 2.0, 0.1);
    const double h1 = err(a.simulate(0.1, t, true), ex), h2 = err(a.simulate(0.05, t, true), ex);
    EXPECT_NEAR(h1 / h2, 4.0, 0.3);
    EXPECT_LT(h1, e1 / 50);
}

TEST(kernel, rate_floor_clips) {
    area1 a;
    a.stim = -200.0;  // strong inhibition of E
    a.p.rate_floor_E_hz = 10.0;
    a.p.rate_floor_I_hz = 35.0;
    const auto r = a.simulate(0.1, 100.0, false);
    EXPECT_EQ(r.first, 10.0);
    EXPECT_GE(r.second, 35.0);
}

TEST(stimulus, window_in_steps_and_local_areas) {
    stimulus_spec s;
    s.name = "p";
    s.area = 3;
    s.population = 0;
    s.amplitude = 2.5;
    s.onset_step = 10;
    s.end_step = 12;
    stimulus_spec t = s;
    t.name = "q";
    t.amplitude = 1.0;
    t.onset_step = 11;
    t.end_step = 20;
    stimulus_schedule here({s, t}, 2, 3, 2);   // areas 2..4: area 3 is local index 1
    stimulus_schedule there({s, t}, 0, 2, 2);  // areas 0..1: nothing
    auto at = [&](std::int64_t k) {
        here.apply(k);
        return here.input(0)[1];
    };
    EXPECT_EQ(at(9), 0.0);
    EXPECT_EQ(at(10), 2.5);
    EXPECT_EQ(at(11), 3.5);
    EXPECT_EQ(at(12), 1.0);
    EXPECT_EQ(at(20), 0.0);
    EXPECT_EQ(here.input(1)[1], 0.0);
    EXPECT_EQ(here.input(0)[0], 0.0);
    there.apply(10);
    EXPECT_EQ(there.input(0)[0], 0.0);
    EXPECT_EQ(there.input(0)[1], 0.0);
}
