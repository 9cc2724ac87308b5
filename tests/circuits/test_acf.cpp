// Autocorrelation timescales (analysis/acf.hpp): the streaming estimator equals a two-pass mean-subtracted
// autocorrelation (what an FFT autocorrelation gives), also for 1e-5 fluctuations on a 10 Hz mean where summing
// raw products cancels every digit; the 1/e crossing and the Chaudhuri 2015 fit rule on known ACFs; AR(1)
// timescales; the checkpoint round trip.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "cortexsim/analysis/acf.hpp"
#include "cortexsim/common/counter_rng.hpp"

using namespace cortexsim;

namespace {

/// Two passes in long double: ACF(l) = sum_{t>=l} (x_t - m)(x_{t-l} - m) / sum_t (x_t - m)^2.
std::vector<double> two_pass(const std::vector<double>& x, std::size_t L) {
    long double m = 0;
    for (double v : x) m += v;
    m /= static_cast<long double>(x.size());
    std::vector<long double> c(L + 1, 0.0L);
    for (std::size_t l = 0; l <= L; ++l)
        for (std::size_t t = l; t < x.size(); ++t) c[l] += (x[t] - m) * (x[t - l] - m);
    std::vector<double> a(L + 1);
    for (std::size_t l = 0; l <= L; ++l) a[l] = static_cast<double>(c[l] / c[0]);
    return a;
}

/// An AR(1) series x_t = mean + y_t, y_t = phi y_{t-1} + sd z_t (timescale -1 / log(phi) samples).
std::vector<double> ar1(double mean, double sd, double phi, std::size_t n, std::uint64_t seed) {
    std::vector<double> x(n);
    double y = 0.0;
    const philox_key key = key_of(seed);
    for (std::size_t t = 0; t < n; ++t) {
        y = phi * y + sd * noise_normals(key, 0, 0, static_cast<std::int64_t>(t))[0];
        x[t] = mean + y;
    }
    return x;
}

}  // namespace

TEST(Acf, StreamingEqualsTwoPassAlsoForTinyFluctuationsOnALargeMean) {
    for (const auto& [mean, sd] : {std::pair{0.0, 1.0}, std::pair{10.0, 1e-5}, std::pair{1e4, 1e-7}}) {
        const std::size_t n = 20000, L = 60;
        const auto x = ar1(mean, sd, std::exp(-1.0 / 15.0), n, 7);
        acf_accumulator a(1, L);
        for (double v : x) a.add(&v);
        const auto got = a.acf(0), want = two_pass(x, L);
        for (std::size_t l = 0; l <= L; ++l) EXPECT_NEAR(got[l], want[l], 1e-9) << "mean " << mean << " lag " << l;
        // the estimator used before, (S_l/(N-l) - m^2) / (S_0/N - m^2) with raw sums S_l in double, loses every
        // digit when the fluctuations are 1e-6 of the mean
        double S0 = 0, S1 = 0, m = 0;
        for (std::size_t t = 0; t < n; ++t) {
            m += x[t];
            S0 += x[t] * x[t];
            if (t > 0) S1 += x[t] * x[t - 1];
        }
        m /= static_cast<double>(n);
        const double old = (S1 / static_cast<double>(n - 1) - m * m) / (S0 / static_cast<double>(n) - m * m);
        if (mean >= 10.0) {
            EXPECT_GT(std::fabs(old - want[1]), 0.1) << "mean " << mean;
        }
    }
}

TEST(Acf, TimescalesOfAr1ProcessesAndStateRoundTrip) {
    const std::size_t n = 400000, L = 200;  // records of 1 ms
    acf_accumulator a(2, L);
    const auto x0 = ar1(10.0, 1e-5, std::exp(-1.0 / 10.0), n, 3);
    const auto x1 = ar1(10.0, 1e-5, std::exp(-1.0 / 40.0), n, 4);
    acf_accumulator b(2, L);
    std::vector<double> st(a.state_size());
    for (std::size_t t = 0; t < n; ++t) {
        const double v[2] = {x0[t], x1[t]};
        a.add(v);
        if (t == n / 2) {  // a checkpoint half way: b continues from a's state
            for (std::size_t i = 0; i < 2; ++i) {
                a.save(i, st.data());
                b.load(i, st.data());
            }
        }
        if (t > n / 2) b.add(v);
    }
    for (std::size_t i = 0; i < 2; ++i) EXPECT_EQ(a.acf(i), b.acf(i));
    EXPECT_NEAR(acf_timescale_1e(a.acf(0), 1e-3), 0.010, 0.0015);
    EXPECT_NEAR(acf_timescale_1e(a.acf(1), 1e-3), 0.040, 0.006);
    EXPECT_NEAR(acf_timescale_fit(a.acf(0), 1e-3), 0.010, 0.0015);
    EXPECT_NEAR(acf_timescale_fit(a.acf(1), 1e-3), 0.040, 0.006);
}

TEST(Acf, OneOverECrossingAndTheFitRuleOnKnownCurves) {
    const double dt = 0.002;
    std::vector<double> single(400), two(400);
    for (std::size_t l = 0; l < single.size(); ++l) {
        const double t = static_cast<double>(l) * dt;
        single[l] = std::exp(-t / 0.05);
        two[l] = 0.6 * std::exp(-t / 0.02) + 0.4 * std::exp(-t / 0.3);
    }
    EXPECT_NEAR(acf_timescale_1e(single, dt), 0.05, 0.05 * 1e-3);  // linear interpolation error only
    EXPECT_NEAR(acf_timescale_fit(single, dt), 0.05, 1e-6);        // one exponential: its tau
    // two exponentials: SSE1 >> 8 SSE2, so the amplitude-weighted mean of the two taus
    EXPECT_NEAR(acf_timescale_fit(two, dt), 0.6 * 0.02 + 0.4 * 0.3, 1e-4);
    // no crossing within the lags: NaN
    std::vector<double> slow(10, 1.0);
    EXPECT_TRUE(std::isnan(acf_timescale_1e(slow, dt)));
}
