// Monitors' numerics: Pearson FC, FCD, the Balloon-Windkessel model (docs/observables.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "cortexsim/analysis/monitors.hpp"

using namespace cortexsim;

TEST(Monitors, PearsonFcOfKnownSeries) {
    // a, b = 2a + 5 (r = 1), c = -a (r = -1), d constant (NaN), e independent noise (|r| small)
    const std::size_t T = 20000, A = 5;
    std::mt19937_64 g(1);
    std::normal_distribution<double> n01;
    std::vector<double> x(T * A);
    for (std::size_t t = 0; t < T; ++t) {
        const double a = 1e3 + n01(g);  // large mean, unit fluctuations: two-pass sums keep the digits
        x[t * A + 0] = a;
        x[t * A + 1] = 2 * a + 5;
        x[t * A + 2] = -a;
        x[t * A + 3] = 7.0;
        x[t * A + 4] = n01(g);
    }
    const auto fc = pearson_fc(x.data(), T, A, A);
    EXPECT_DOUBLE_EQ(fc[0 * A + 0], 1.0);
    EXPECT_NEAR(fc[0 * A + 1], 1.0, 1e-12);
    EXPECT_NEAR(fc[0 * A + 2], -1.0, 1e-12);
    EXPECT_TRUE(std::isnan(fc[3 * A + 3]));
    EXPECT_TRUE(std::isnan(fc[0 * A + 3]));
    EXPECT_LT(std::fabs(fc[0 * A + 4]), 0.05);
    for (std::size_t a = 0; a < A; ++a)
        for (std::size_t b = 0; b < A; ++b)
            if (!std::isnan(fc[a * A + b])) {
                EXPECT_EQ(fc[a * A + b], fc[b * A + a]);
            }
}

TEST(Monitors, FcdSeesAChangeOfConnectivity) {
    // two areas correlated (+) in the first half, anti-correlated in the second: windows inside the same half
    // correlate (their upper triangles, with 3 areas, agree), windows of different halves do not
    const std::size_t T = 400, A = 3;
    std::mt19937_64 g(2);
    std::normal_distribution<double> n01;
    std::vector<double> x(T * A);
    for (std::size_t t = 0; t < T; ++t) {
        const double s = n01(g), u = n01(g);
        x[t * A + 0] = s;
        x[t * A + 1] = (t < T / 2 ? s : -s) + 0.3 * n01(g);
        x[t * A + 2] = u;
    }
    const std::size_t window = 50, step = 50, W = (T - window) / step + 1;
    const auto fcd = fcd_matrix(x.data(), T, A, A, window, step);
    ASSERT_EQ(fcd.size(), W * W);
    EXPECT_NEAR(fcd[0], 1.0, 1e-12);
    EXPECT_GT(fcd[0 * W + 1], 0.8);       // both windows in the first half
    EXPECT_LT(fcd[0 * W + W - 1], -0.5);  // first vs last window
}

TEST(Monitors, BalloonRestsAtRestAndReachesTheSteadyStateOfAConstantInput) {
    bold_spec b;  // neurolib's parameters
    double x[4] = {0, 1, 1, 1};
    for (int k = 0; k < 1000; ++k) balloon_step(b, 0.0, 1e-3, x);
    EXPECT_DOUBLE_EQ(x[1], 1.0);
    EXPECT_DOUBLE_EQ(bold_signal(b, x), 0.0);
    // constant input z: s -> 0, f -> 1 + z / gamma, v -> f^alpha, q -> v f E(f) / (rho v^(1/alpha))
    const double z = 0.1;
    for (int k = 0; k < 200000; ++k) balloon_step(b, z, 1e-3, x);  // 200 s
    const double f = 1 + z / b.gamma, v = std::pow(f, b.alpha);
    const double q = v * f * (1 - std::pow(1 - b.rho, 1 / f)) / b.rho / std::pow(v, 1 / b.alpha);
    EXPECT_NEAR(x[0], 0.0, 1e-9);
    EXPECT_NEAR(x[1], f, 1e-9);
    EXPECT_NEAR(x[2], v, 1e-9);
    EXPECT_NEAR(x[3], q, 1e-9);
    // more flow than oxygen use: less deoxyhaemoglobin, a positive BOLD signal of a few percent at most
    EXPECT_GT(bold_signal(b, x), 0.0);
    EXPECT_LT(bold_signal(b, x), 0.05);
}

TEST(Monitors, BoldResponseToAShortPulsePeaksAfterSecondsAndUndershoots) {
    bold_spec b;
    double x[4] = {0, 1, 1, 1};
    const double h = 1e-3;
    double peak = 0, t_peak = 0, minimum = 0;
    for (int k = 0; k < 30000; ++k) {  // 30 s, a 1 s pulse at the start
        balloon_step(b, k < 1000 ? 1.0 : 0.0, h, x);
        const double y = bold_signal(b, x);
        if (y > peak) peak = y, t_peak = k * h;
        minimum = std::min(minimum, y);
    }
    EXPECT_GT(t_peak, 2.0);  // the haemodynamic response peaks a few seconds after the input
    EXPECT_LT(t_peak, 8.0);
    EXPECT_LT(minimum, 0.0);  // post-stimulus undershoot
}

#include "cortexsim/analysis/compare.hpp"

TEST(Compare, PearsonSpearmanKsAndUpperTriangle) {
    const std::vector<double> a{1, 2, 3, 4, 5}, b{2, 4, 6, 8, 10}, c{1, 4, 9, 16, 25};
    EXPECT_NEAR(pearson(a, b), 1.0, 1e-15);
    EXPECT_LT(pearson(a, c), 1.0);
    EXPECT_DOUBLE_EQ(spearman(a, c), 1.0);                        // monotone: rank correlation 1
    EXPECT_DOUBLE_EQ(spearman({1, 2, 2, 3}, {1, 2, 2, 3}), 1.0);  // ties get average ranks
    EXPECT_TRUE(std::isnan(pearson({1, 1, 1}, {1, 2, 3})));
    EXPECT_DOUBLE_EQ(ks_distance({1, 2, 3}, {1, 2, 3}), 0.0);
    EXPECT_DOUBLE_EQ(ks_distance({1, 2, 3}, {4, 5, 6}), 1.0);
    EXPECT_DOUBLE_EQ(ks_distance({1, 2, 3, 4}, {3, 4, 5, 6}), 0.5);
    const std::vector<double> m{1, 2, 3, 2, 1, 4, 3, 4, 1};
    EXPECT_EQ(upper_triangle(m, 3), (std::vector<double>{2, 3, 4}));
}

TEST(Monitors, WelchPsdOfASineAndOfWhiteNoise) {
    // a 12.5 Hz sine of amplitude 2 sampled at 200 Hz, plus white noise of variance 0.25: the PSD peaks at
    // 12.5 Hz, its integral is the variance (Parseval: 2 + 0.25), and the noise floor is 2 * 0.25 / fs
    const double fs = 200, pi = 3.14159265358979323846;
    const std::size_t T = 200000, L = 256;
    std::mt19937_64 g(3);
    std::normal_distribution<double> n01;
    std::vector<double> x(T);
    for (std::size_t t = 0; t < T; ++t) x[t] = 2 * std::sin(2 * pi * 12.5 * static_cast<double>(t) / fs) + 0.5 * n01(g);
    const auto p = welch_psd(x.data(), T, 1, 1, L, fs);
    ASSERT_EQ(p.size(), L / 2 + 1);
    const double df = fs / static_cast<double>(L);
    std::size_t peak = 0;
    double total = 0;
    for (std::size_t k = 0; k < p.size(); ++k) {
        if (p[k] > p[peak]) peak = k;
        total += p[k] * df;
    }
    EXPECT_DOUBLE_EQ(static_cast<double>(peak) * df, 12.5);
    EXPECT_NEAR(total, 2.25, 0.02);
    EXPECT_NEAR(p[40], 2 * 0.25 / fs, 0.1 * 2 * 0.25 / fs);  // 31.25 Hz: noise only
}

TEST(Monitors, ButterworthSectionsPassTheirBandAndStopTheRest) {
    const double fs = 1000, pi = 3.14159265358979323846;
    const auto gain = [&](const biquad& q, double f) {  // |H(e^{iw})| of the section
        const std::complex<double> z1 = std::polar(1.0, -2 * pi * f / fs);
        return std::abs((q.b0 + q.b1 * z1 + q.b2 * z1 * z1) / (1.0 + q.a1 * z1 + q.a2 * z1 * z1));
    };
    const auto run_gain = [&](const biquad& q, double f) {  // the filter applied to a sine, after the transient
        double st[4] = {0, 0, 0, 0}, amp = 0;
        for (int t = 0; t < 20000; ++t) {
            const double y = q(std::sin(2 * pi * f * t / fs), st);
            if (t > 10000) amp = std::max(amp, std::fabs(y));
        }
        return amp;
    };
    const biquad lp = biquad::butterworth(false, 50, fs), hp = biquad::butterworth(true, 50, fs);
    EXPECT_NEAR(gain(lp, 50), std::sqrt(0.5), 0.01);  // -3 dB at the corner
    EXPECT_NEAR(gain(hp, 50), std::sqrt(0.5), 0.01);
    EXPECT_NEAR(gain(lp, 5), 1.0, 0.01);
    EXPECT_LT(gain(lp, 400), 0.02);  // 2nd order: -40 dB per decade
    EXPECT_NEAR(gain(hp, 400), 1.0, 0.01);
    EXPECT_LT(gain(hp, 5), 0.02);
    EXPECT_NEAR(run_gain(lp, 5), gain(lp, 5), 1e-3);  // the time-domain filter is that transfer function
    EXPECT_NEAR(run_gain(hp, 20), gain(hp, 20), 2e-3);
}

namespace {

// pearson_fc as it was when FC was computed on rank 0 only (one pair at a time): the reference for the bytes
std::vector<double> rank0_pearson_fc(const double* x, std::size_t T, std::size_t A, std::size_t stride) {
    std::vector<double> z(A * T);
    std::vector<bool> flat(A, false);
    for (std::size_t a = 0; a < A; ++a) {
        double m = 0;
        for (std::size_t t = 0; t < T; ++t) m += x[t * stride + a];
        m /= static_cast<double>(T);
        double ss = 0;
        for (std::size_t t = 0; t < T; ++t) {
            const double d = x[t * stride + a] - m;
            z[a * T + t] = d;
            ss += d * d;
        }
        flat[a] = !(ss > 0);
        const double r = flat[a] ? 0.0 : 1.0 / std::sqrt(ss);
        for (std::size_t t = 0; t < T; ++t) z[a * T + t] *= r;
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> fc(A * A);
    for (std::size_t a = 0; a < A; ++a) {
        fc[a * A + a] = flat[a] ? nan : 1.0;
        for (std::size_t b = a + 1; b < A; ++b) {
            double c = 0;
            for (std::size_t t = 0; t < T; ++t) c += z[a * T + t] * z[b * T + t];
            c = (flat[a] || flat[b]) ? nan : std::clamp(c, -1.0, 1.0);
            fc[a * A + b] = fc[b * A + a] = c;
        }
    }
    return fc;
}

}  // namespace

TEST(Monitors, FcBlocksTileTheMatrixWithTheBytesOfRank0) {
    // 37 areas (not a multiple of the four pairs done at once), a constant one, strided columns (stride 40)
    const std::size_t T = 53, A = 37, S = 40;
    std::mt19937_64 g(5);
    std::normal_distribution<double> n01;
    std::vector<double> x(T * S);
    for (auto& v : x) v = 3.0 + n01(g);
    for (std::size_t t = 0; t < T; ++t) x[t * S + 11] = 2.5, x[t * S + 12] = 0.5 * x[t * S + 3] + 0.1 * n01(g);
    const auto ref = rank0_pearson_fc(x.data(), T, A, S);
    auto same = [](double a, double b) {
        return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
    };
    for (std::size_t P = 1; P <= 6; ++P) {
        const auto split = fc_row_split(A, P);
        ASSERT_EQ(split.size(), P + 1);
        EXPECT_EQ(split.front(), 0u);
        EXPECT_EQ(split.back(), A);
        std::vector<double> fc(A * A, -7.0);
        std::vector<int> hits(A * A, 0);
        for (std::size_t r = 0; r < P; ++r) {
            const std::size_t r0 = split[r], r1 = split[r + 1];
            ASSERT_LE(r0, r1);
            const auto piece = pearson_fc_block(x.data(), T, A, S, r0, r1);
            ASSERT_EQ(piece.size(), (r1 - r0) * (2 * A - r0 - r1));
            std::size_t k = 0;
            for (std::size_t a = r0; a < r1; ++a)
                for (std::size_t b = r0; b < A; ++b) fc[a * A + b] = piece[k++], ++hits[a * A + b];
            for (std::size_t a = r1; a < A; ++a)
                for (std::size_t b = r0; b < r1; ++b) fc[a * A + b] = piece[k++], ++hits[a * A + b];
        }
        for (std::size_t i = 0; i < A * A; ++i) {
            ASSERT_EQ(hits[i], 1) << "P " << P << ", element " << i;
            ASSERT_TRUE(same(fc[i], ref[i])) << "P " << P << ", element " << i << ": " << fc[i] << " vs " << ref[i];
        }
    }
    const auto whole = pearson_fc(x.data(), T, A, S);
    for (std::size_t i = 0; i < A * A; ++i) ASSERT_TRUE(same(whole[i], ref[i]));
}

TEST(Monitors, FcBlocksHoldAboutASquaredOverPValuesEach) {
    const std::size_t A = 10000;
    for (std::size_t P : {1u, 2u, 3u, 4u, 7u, 64u}) {
        const auto split = fc_row_split(A, P);
        std::size_t most = 0, total = 0;
        for (std::size_t r = 0; r < P; ++r) {
            const std::size_t v = (split[r + 1] - split[r]) * (2 * A - split[r] - split[r + 1]);
            most = std::max(most, v);
            total += v;
        }
        EXPECT_EQ(total, A * A);
        EXPECT_LE(static_cast<double>(most), static_cast<double>(A * A) / static_cast<double>(P) + 2.0 * A) << P;
    }
}
