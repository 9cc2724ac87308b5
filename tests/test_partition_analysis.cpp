// Partition (pure function) and the streaming pulse analysis against closed forms.
#include <gtest/gtest.h>

#include <cmath>

#include "cortexsim/analysis/pulse_analysis.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/partition/partition.hpp"

using namespace cortexsim;

TEST(partition, blocks_cover_all_areas_once) {
    for (std::size_t a : {1u, 2u, 7u, 29u, 1000u})
        for (int n = 1; n <= 8 && static_cast<std::size_t>(n) <= a; ++n) {
            block_partition p(a, n);
            std::size_t next = 0, mx = 0, mn = a;
            for (int r = 0; r < n; ++r) {
                EXPECT_EQ(p.begin(r), next);
                next = p.end(r);
                mx = std::max(mx, p.count(r));
                mn = std::min(mn, p.count(r));
                for (std::size_t i = p.begin(r); i < p.end(r); ++i) EXPECT_EQ(p.owner(i), r);
            }
            EXPECT_EQ(next, a);
            EXPECT_LE(mx - mn, 1u);
            EXPECT_EQ(p.count(0), mx);  // the first rank holds the largest block
        }
}

TEST(partition, more_ranks_than_areas_is_an_error) {
    try {
        block_partition p(29, 30);
        FAIL();
    } catch (const mpi_error& e) {
        EXPECT_NE(std::string(e.what()).find("29 areas but the run has 30 MPI ranks"), std::string::npos);
    }
}

TEST(analysis, timescale_of_an_exponential_decay) {
    // r(t) = 10 before the onset (record 5), rises linearly to 10 + 50 at record 20, then decays with tau
    const double dt = 0.001, tau = 0.0423;
    pulse_analysis an(1, 2, 5, dt);
    double e, i = 1.0;
    const double* r[2] = {&e, &i};
    for (std::int64_t k = 0; k < 2000; ++k) {
        if (k <= 5)
            e = 10.0;
        else if (k <= 20)
            e = 10.0 + 50.0 * static_cast<double>(k - 5) / 15.0;
        else
            e = 10.0 + 50.0 * std::exp(-static_cast<double>(k - 20) * dt / tau);
        an.observe(k, r);
    }
    EXPECT_DOUBLE_EQ(an.response_hz()[0], 50.0);
    EXPECT_DOUBLE_EQ(an.peak_time_s()[0], 0.020);
    EXPECT_NEAR(an.timescale_s()[0], tau, 2e-5);  // linear interpolation between 1 ms records
    EXPECT_DOUBLE_EQ(an.peak_rate_hz()[0], 60.0);
    EXPECT_DOUBLE_EQ(an.peak_rate_hz()[1], 1.0);
}

TEST(analysis, no_decay_or_no_pulse_gives_nan) {
    double e = 0;
    const double* r[1] = {&e};
    pulse_analysis rising(1, 1, 0, 0.001), none(1, 1, -1, 0.001);
    for (std::int64_t k = 0; k < 100; ++k) {
        e = static_cast<double>(k);
        rising.observe(k, r);
        none.observe(k, r);
    }
    EXPECT_TRUE(std::isnan(rising.timescale_s()[0]));
    EXPECT_TRUE(std::isnan(none.timescale_s()[0]));
    EXPECT_DOUBLE_EQ(none.peak_rate_hz()[0], 99.0);
}
