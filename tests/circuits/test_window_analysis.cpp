// The working-memory analysis on known signals: window means, the persistence rules, and the intrinsic
// timescale of an AR(1) process (autocorrelation phi^lag, so tau = -1 / ln(phi) samples).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "cortexsim/analysis/window_analysis.hpp"
#include "cortexsim/dynamics/circuit.hpp"

using namespace cortexsim;

namespace {
model_spec spec_with(double dt_ms, std::int64_t every) {
    model_spec m;
    m.run.dt_ms = dt_ms;
    m.run.record_every = every;
    m.analysis.population = std::string("E");  // (not = "E": a GCC 12 -Wrestrict false positive)
    return m;
}
}  // namespace

TEST(WindowAnalysis, MeansAndRules) {
    model_spec m = spec_with(1.0, 1);
    m.analysis.baseline_begin_ms = 0;
    m.analysis.baseline_end_ms = 10;
    m.analysis.delay_begin_ms = 20;
    m.analysis.delay_end_ms = 30;
    m.analysis.threshold_hz = 5;
    const std::vector<std::string> pops{"E", "I"}, ports{"E", "I"};
    for (const std::string rule : {"delay_minus_baseline", "delay_mean"}) {
        m.analysis.rule = rule;
        window_analysis a(m, 2, pops, ports);
        std::vector<double> e(2), in(2);
        const double* r[2] = {e.data(), in.data()};
        for (std::int64_t k = 0; k <= 30; ++k) {
            e[0] = k < 20 ? 4.0 : 12.0;  // area 0: 4 Hz baseline, 12 Hz delay: +8 Hz
            e[1] = k < 20 ? 4.0 : 6.0;   // area 1: +2 Hz, delay mean 6 Hz
            in[0] = in[1] = 1.0;
            a.observe(k, r);
        }
        const auto b = a.baseline_mean(), d = a.delay_mean(), p = a.persistent();
        EXPECT_DOUBLE_EQ(b[0], 4.0);
        EXPECT_DOUBLE_EQ(d[0], 12.0);
        EXPECT_DOUBLE_EQ(d[2], 6.0);
        EXPECT_EQ(p[0], 1.0);
        EXPECT_EQ(p[1], rule == "delay_mean" ? 1.0 : 0.0) << rule;
    }
}
