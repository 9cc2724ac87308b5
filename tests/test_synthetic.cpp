// The counter-based RNG (Random123's known answers) and the synthetic cortex generator: rows independent of how
// they are split, exactly k distinct sorted sources without self connections, the exponential distance rule
// (against an independent O(n) reference sampler), seeds. (On N ranks: tests/test_mpi_coupling.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numbers>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "cortexsim/common/counter_rng.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/connectivity/synthetic.hpp"
#include "test_support.hpp"

using namespace cortexsim;

namespace {

// ---- Philox4x32-10 ----------------------------------------------------------------------------------------

// Random123's known-answer vectors (its tests/kat_vectors: philox4x32 10 rounds).
static_assert(philox4x32({0, 0, 0, 0}, {0, 0}) ==
              std::array<std::uint32_t, 4>{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u});

TEST(CounterRng, Philox4x32KnownAnswers) {
    EXPECT_EQ(philox4x32({0, 0, 0, 0}, {0, 0}),
              (std::array<std::uint32_t, 4>{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
    EXPECT_EQ(philox4x32({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu}),
              (std::array<std::uint32_t, 4>{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
    EXPECT_EQ(philox4x32({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u}),
              (std::array<std::uint32_t, 4>{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(CounterRng, UniformAndNormalMoments) {
    const auto key = key_of(0x0123456789abcdefull);
    EXPECT_EQ(key, (philox_key{0x89abcdefu, 0x01234567u}));
    EXPECT_GT(u01_of(0u), 0.0);
    EXPECT_LT(u01_of(0xffffffffu), 1.0);
    EXPECT_GT(u01_of(0u, 0u), 0.0);
    EXPECT_LT(u01_of(0xffffffffu, 0xffffffffu), 1.0);
    const int n = 200000;
    double su = 0, suu = 0, sn = 0, snn = 0;
    for (int i = 0; i < n; ++i) {
        const auto u = uniform01(counter_of(static_cast<std::uint64_t>(i), 7, 99), key);
        const auto g = normal2(counter_of(static_cast<std::uint64_t>(i), 8, 99), key);
        su += u[0] + u[1];
        suu += u[0] * u[0] + u[1] * u[1];
        sn += g[0] + g[1];
        snn += g[0] * g[0] + g[1] * g[1];
    }
    const double m = 2.0 * n;
    EXPECT_NEAR(su / m, 0.5, 0.003);
    EXPECT_NEAR(suu / m - (su / m) * (su / m), 1.0 / 12.0, 0.002);
    EXPECT_NEAR(sn / m, 0.0, 0.01);
    EXPECT_NEAR(snn / m, 1.0, 0.01);
    // a pure function of (counter, key)
    EXPECT_EQ(normal2({1, 2, 3, 4}, {5, 6}), normal2({1, 2, 3, 4}, {5, 6}));
}

// noise_normals_batch (vectorised Philox and inverse CDF) gives exactly noise_normals' deviates, tails included,
// for any count (chunks of 64 and a remainder), non-contiguous areas, both step words and `used` < 4.
TEST(CounterRng, BatchNormalsEqualNoiseNormalsBitForBit) {
    EXPECT_LT(u01_of(detail::central_lo - 1), 0.02425);
    EXPECT_GE(u01_of(detail::central_lo), 0.02425);
    EXPECT_LE(u01_of(detail::central_hi), 1.0 - 0.02425);
    EXPECT_GT(u01_of(detail::central_hi + 1), 1.0 - 0.02425);
    std::vector<std::uint32_t> area(150);
    for (std::size_t i = 0; i < area.size(); ++i) area[i] = static_cast<std::uint32_t>(7 * i * i + 3);
    long tails = 0, checked = 0;
    for (std::size_t n : {std::size_t{1}, std::size_t{40}, std::size_t{64}, std::size_t{150}})
        for (std::int64_t step : {std::int64_t{0}, std::int64_t{5}, std::int64_t{1} << 33, std::int64_t{987654321}})
            for (std::uint32_t g = 0; g < 2; ++g)
                for (int used : {2, 3, 4})
                    for (int rep = 0; rep < 20; ++rep) {
                        const auto key = key_of(0x5eedull + static_cast<std::uint64_t>(rep));
                        const std::int64_t k = step + rep;
                        std::vector<double> out(4 * n, -7.0);
                        noise_normals_batch(key, area.data(), n, g, k, out.data(), used);
                        for (std::size_t j = 0; j < n; ++j) {
                            const auto z = noise_normals(key, area[j], g, k);
                            for (int q = 0; q < 4; ++q) {
                                const double got = out[4 * j + static_cast<std::size_t>(q)];
                                if (q >= used) {
                                    ASSERT_EQ(got, -7.0);
                                    continue;
                                }
                                ASSERT_EQ(std::memcmp(&got, &z[static_cast<std::size_t>(q)], sizeof got), 0)
                                    << "area " << area[j] << " group " << g << " step " << k << " q " << q;
                                tails += std::abs(got) > 1.97 ? 1 : 0;
                                ++checked;
                            }
                        }
                    }
    EXPECT_GT(tails, checked / 40);  // the tails (about 4.9 %) were exercised
}

// ---- synthetic rows ---------------------------------------------------------------------------------------

synthetic_spec spec(std::size_t n, const std::string& geometry, double density, std::uint64_t seed = 1) {
    synthetic_spec s;
    s.n_areas = n;
    s.geometry = geometry;
    s.extent_mm = geometry == "sheet" ? 100.0 : 50.0;
    s.length_constant_mm = 10.0;
    s.density = density;
    s.seed = seed;
    return s;
}

/// Concatenates row blocks.
local_rows concat(const std::vector<local_rows>& parts) {
    local_rows r;
    r.n_global = parts.front().n_global;
    r.row_begin = parts.front().row_begin;
    for (const auto& p : parts) {
        EXPECT_EQ(p.row_begin, r.row_begin + r.n_rows);
        for (std::size_t i = 0; i < p.n_rows; ++i)
            r.row_ptr.push_back(r.row_ptr.back() + p.row_ptr[i + 1] - p.row_ptr[i]);
        r.col.insert(r.col.end(), p.col.begin(), p.col.end());
        r.val.insert(r.val.end(), p.val.begin(), p.val.end());
        r.n_rows += p.n_rows;
    }
    return r;
}

bool bit_equal(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

void expect_well_formed(const synthetic_spec& s, const local_rows& r) {
    const std::size_t k = synthetic_sources_per_row(s);
    ASSERT_EQ(r.row_ptr.size(), r.n_rows + 1);
    ASSERT_EQ(r.nnz(), r.n_rows * k);
    for (std::size_t i = 0; i < r.n_rows; ++i) {
        const auto b = r.row_ptr[i], e = r.row_ptr[i + 1];
        ASSERT_EQ(static_cast<std::size_t>(e - b), k) << "row " << r.row_begin + i;
        double sum = 0.0;
        for (auto q = b; q < e; ++q) {
            const auto c = r.col[static_cast<std::size_t>(q)];
            EXPECT_NE(static_cast<std::size_t>(c), r.row_begin + i) << "self connection";
            EXPECT_GE(c, 0);
            EXPECT_LT(static_cast<std::size_t>(c), s.n_areas);
            if (q > b) {
                EXPECT_LT(r.col[static_cast<std::size_t>(q - 1)], c) << "columns not strictly increasing";
            }
            EXPECT_GT(r.val[static_cast<std::size_t>(q)], 0.0);
            sum += r.val[static_cast<std::size_t>(q)];
        }
        if (k > 0) {
            EXPECT_NEAR(sum, s.weight_scale, 1e-12 * s.weight_scale);
        }
    }
}

/// Pure single-process tests of the generator (the unit test binary runs once, without MPI).
class SyntheticGeometry : public ::testing::TestWithParam<std::string> {};

TEST_P(SyntheticGeometry, RowsDoNotDependOnHowTheyAreSplit) {
    for (double density : {0.01, 0.05, 0.5}) {  // 0.5: the dense (exponential keys) path
        // (the sphere's sampler costs ~20x more per nonzero than the sheet's: a smaller model)
        const std::size_t n = density == 0.5 ? 500 : GetParam() == "sheet" ? 2000 : 1000;
        const auto s = spec(n, GetParam(), density, 11);
        const local_rows whole = synthetic_rows(s, 0, s.n_areas);
        expect_well_formed(s, whole);
        for (std::size_t chunks : {1u, 2u, 3u}) {
            std::vector<local_rows> parts;
            for (std::size_t c = 0; c < chunks; ++c)
                parts.push_back(synthetic_rows(s, s.n_areas * c / chunks, s.n_areas * (c + 1) / chunks));
            const local_rows joined = concat(parts);
            EXPECT_EQ(joined.n_rows, whole.n_rows);
            EXPECT_EQ(joined.row_ptr, whole.row_ptr) << chunks << " chunks, density " << density;
            EXPECT_EQ(joined.col, whole.col) << chunks << " chunks, density " << density;
            EXPECT_TRUE(bit_equal(joined.val, whole.val)) << chunks << " chunks, density " << density;
        }
        // an odd single row and an empty range
        const local_rows one = synthetic_rows(s, 123, 124);
        EXPECT_TRUE(std::equal(one.col.begin(), one.col.end(), whole.col.begin() + whole.row_ptr[123]));
        EXPECT_EQ(synthetic_rows(s, 7, 7).nnz(), 0u);
    }
}

TEST_P(SyntheticGeometry, SourcesPerRowAndStructure) {
    for (std::size_t n : {1u, 2u, 3u, 50u, 1001u}) {
        for (double density : {0.0, 0.01, 0.1, 0.3, 1.0}) {
            const auto s = spec(n, GetParam(), density, 3);
            const std::size_t k = synthetic_sources_per_row(s);
            EXPECT_EQ(k, static_cast<std::size_t>(std::llround(density * static_cast<double>(n - 1))));
            expect_well_formed(s, synthetic_rows(s, 0, n));
        }
    }
}

/// An independent O(n) reference of the rule: successive sampling proportional to exp(-d / lambda) by
/// exponential keys with the standard library's generator. Returns the distances of all connections.
std::vector<double> reference_distances(const synthetic_spec& s, std::size_t k) {
    std::mt19937_64 gen(12345);
    std::exponential_distribution<double> expo(1.0);
    std::vector<double> out;
    std::vector<std::pair<double, std::size_t>> keys;
    for (std::size_t i = 0; i < s.n_areas; ++i) {
        keys.clear();
        for (std::size_t j = 0; j < s.n_areas; ++j)
            if (j != i) {
                const double d = synthetic_distance_mm(s, i, j);
                keys.emplace_back(std::log(expo(gen)) + d / s.length_constant_mm, j);
            }
        std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(k), keys.end());
        for (std::size_t m = 0; m < k; ++m) out.push_back(synthetic_distance_mm(s, i, keys[m].second));
    }
    return out;
}

double mean(const std::vector<double>& v) {
    double s = 0.0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
}

TEST_P(SyntheticGeometry, ExponentialDistanceRule) {
    const auto s = spec(2000, GetParam(), 0.05, 5);  // k = 100: the O(k) rejection sampler
    const std::size_t k = synthetic_sources_per_row(s);
    ASSERT_EQ(k, 100u);
    const local_rows r = synthetic_rows(s, 0, s.n_areas);
    // positions cached once (synthetic_distance_mm recomputes them)
    const auto pos = synthetic_positions(s, 0, s.n_areas);
    ASSERT_EQ(pos.size(), 3 * s.n_areas);
    for (std::size_t a : {0u, 999u, 1999u}) {
        const auto p = synthetic_position(s, a);
        EXPECT_EQ(p[0], pos[3 * a]);
        EXPECT_EQ(p[2], pos[3 * a + 2]);
    }
    std::vector<double> got;
    for (std::size_t i = 0; i < r.n_rows; ++i)
        for (auto q = r.row_ptr[i]; q < r.row_ptr[i + 1]; ++q)
            got.push_back(synthetic_distance_mm(s, i, static_cast<std::size_t>(r.col[static_cast<std::size_t>(q)])));
    const std::vector<double> want = reference_distances(s, k);
    double random_pairs = 0.0;
    std::size_t n_pairs = 0;
    for (std::size_t i = 0; i < s.n_areas; i += 7)
        for (std::size_t j = 0; j < s.n_areas; ++j)
            if (j != i) {
                random_pairs += synthetic_distance_mm(s, i, j);
                ++n_pairs;
            }
    random_pairs /= static_cast<double>(n_pairs);
    const double m_got = mean(got), m_want = mean(want);
    EXPECT_NEAR(m_got, m_want, 0.02 * m_want) << GetParam();
    EXPECT_LT(m_got, 0.6 * random_pairs) << GetParam();
    // the shape of the distribution: the fraction of connections within lambda and within 2 lambda
    for (double limit : {s.length_constant_mm, 2.0 * s.length_constant_mm}) {
        auto frac = [&](const std::vector<double>& v) {
            return static_cast<double>(std::count_if(v.begin(), v.end(), [&](double d) { return d < limit; })) /
                   static_cast<double>(v.size());
        };
        EXPECT_NEAR(frac(got), frac(want), 0.01) << GetParam() << " within " << limit << " mm";
    }
    // weights decrease with distance within a row, exactly as exp(-d / lambda)
    for (std::size_t i : {0u, 777u}) {
        const auto b = static_cast<std::size_t>(r.row_ptr[i]);
        for (std::size_t q = b + 1; q < static_cast<std::size_t>(r.row_ptr[i + 1]); ++q) {
            const double d0 = synthetic_distance_mm(s, i, static_cast<std::size_t>(r.col[b]));
            const double d1 = synthetic_distance_mm(s, i, static_cast<std::size_t>(r.col[q]));
            const double expected = std::exp(-(d1 - d0) / s.length_constant_mm);
            EXPECT_NEAR(r.val[q] / r.val[b], expected, 1e-12 * expected);
        }
    }
    std::printf("[ info ] %s: mean connection distance %.3f mm (reference sampler %.3f mm), random pairs "
                "%.3f mm\n",
                GetParam().c_str(), m_got, m_want, random_pairs);
}

TEST_P(SyntheticGeometry, SeedsSelectTheModel) {
    const auto a = synthetic_rows(spec(1000, GetParam(), 0.02, 1), 0, 1000);
    const auto b = synthetic_rows(spec(1000, GetParam(), 0.02, 1), 0, 1000);
    const auto c = synthetic_rows(spec(1000, GetParam(), 0.02, 2), 0, 1000);
    EXPECT_EQ(a.col, b.col);
    EXPECT_TRUE(bit_equal(a.val, b.val));
    EXPECT_NE(a.col, c.col);
    std::size_t same_rows = 0;
    for (std::size_t i = 0; i < 1000; ++i)
        same_rows += std::equal(a.col.begin() + a.row_ptr[i], a.col.begin() + a.row_ptr[i + 1],
                                c.col.begin() + c.row_ptr[i]);
    EXPECT_LT(same_rows, 10u);  // rows differ, not only a few
}

TEST_P(SyntheticGeometry, TinyLengthConstantFallsBackToKeys) {
    // lambda far below the area spacing: the proposals almost only hit the row's own bucket, so rows exhaust
    // the rejection budget and are drawn with exponential keys; weights far below DBL_MIN are clamped to it
    auto s = spec(400, GetParam(), 0.2);  // 4 k < n - 1: the rejection sampler is tried first
    for (double lambda : {0.5, 0.01}) {
        s.length_constant_mm = lambda;
        const local_rows whole = synthetic_rows(s, 0, s.n_areas);
        expect_well_formed(s, whole);
        const local_rows joined = concat({synthetic_rows(s, 0, 123), synthetic_rows(s, 123, 400)});
        EXPECT_EQ(joined.col, whole.col);
        EXPECT_TRUE(bit_equal(joined.val, whole.val));
        // the nearest sources dominate: the mean distance is below that of an exp(-d / (2 * spacing)) rule
        auto wider = s;
        wider.length_constant_mm = GetParam() == "sheet" ? 10.0 : 20.0;
        const local_rows w = synthetic_rows(wider, 0, wider.n_areas);
        auto mean_distance = [&](const local_rows& r) {
            double sum = 0.0;
            for (std::size_t i = 0; i < r.n_rows; ++i)
                for (auto q = r.row_ptr[i]; q < r.row_ptr[i + 1]; ++q)
                    sum += synthetic_distance_mm(s, i, static_cast<std::size_t>(r.col[static_cast<std::size_t>(q)]));
            return sum / static_cast<double>(r.nnz());
        };
        EXPECT_LT(mean_distance(whole), mean_distance(w)) << "lambda " << lambda;
    }
}

INSTANTIATE_TEST_SUITE_P(Synthetic, SyntheticGeometry, ::testing::Values("sheet", "sphere"));

TEST(Synthetic, DistancesAndPositions) {
    const auto sheet = spec(10000, "sheet", 0.01);
    for (std::size_t a = 0; a < sheet.n_areas; a += 97) {
        const auto p = synthetic_position(sheet, a);
        EXPECT_GE(p[0], 0.0);
        EXPECT_LE(p[0], 100.0);
        EXPECT_GE(p[1], 0.0);
        EXPECT_LE(p[1], 100.0);
        EXPECT_EQ(p[2], 0.0);
    }
    const auto sphere = spec(10000, "sphere", 0.01);
    for (std::size_t a = 0; a < sphere.n_areas; a += 97) {
        const auto p = synthetic_position(sphere, a);
        EXPECT_NEAR(std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]), 50.0, 1e-9);
    }
    for (const auto& s : {sheet, sphere})
        for (std::size_t i : {0u, 17u, 5000u})
            for (std::size_t j : {1u, 9999u, 4321u}) {
                EXPECT_EQ(synthetic_distance_mm(s, i, j), synthetic_distance_mm(s, j, i));
                EXPECT_GT(synthetic_distance_mm(s, i, j), 0.0);
            }
    EXPECT_EQ(synthetic_distance_mm(sheet, 3, 3), 0.0);
    // antipodal-ish points of the sphere are about pi R apart
    EXPECT_NEAR(synthetic_distance_mm(sphere, 0, 9999), std::numbers::pi * 50.0, 2.0);
    // delays from the distance rule
    auto rows = synthetic_rows(sheet, 10, 12);
    add_synthetic_delays(sheet, rows, 5.0, 0.1);
    ASSERT_EQ(rows.delay.size(), rows.nnz());
    for (std::size_t q = 0; q < rows.nnz(); ++q) {
        const std::size_t i = q < static_cast<std::size_t>(rows.row_ptr[1]) ? 10 : 11;
        EXPECT_EQ(rows.delay[q],
                  delay_steps(synthetic_distance_mm(sheet, i, static_cast<std::size_t>(rows.col[q])), 5.0, 0.1));
    }
}

TEST(Synthetic, BadSpecsAreConfigErrors) {
    auto s = spec(100, "sheet", 0.1);
    EXPECT_NO_THROW(validate(s));
    auto bad = [&](auto change, const std::string& text) {
        auto t = s;
        change(t);
        try {
            validate(t);
            ADD_FAILURE() << "no error for " << text;
        } catch (const config_error& e) {
            EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
        }
    };
    bad([](synthetic_spec& t) { t.n_areas = 0; }, "'n_areas' = 0");
    bad([](synthetic_spec& t) { t.geometry = "torus"; }, "'geometry' = 'torus'");
    bad([](synthetic_spec& t) { t.extent_mm = -1; }, "'extent_mm'");
    bad([](synthetic_spec& t) { t.length_constant_mm = 0; }, "'length_constant_mm'");
    bad([](synthetic_spec& t) { t.density = 1.5; }, "'density' = 1.5");
    bad([](synthetic_spec& t) { t.weight_scale = NAN; }, "'weight_scale'");
    EXPECT_THROW(synthetic_rows(s, 50, 101), config_error);
    EXPECT_THROW(synthetic_rows(s, 60, 50), config_error);
}

}  // namespace
