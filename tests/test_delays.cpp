// Conduction delays on N ranks: a pulse reaches a target exactly d steps later; the delayed sums equal a
// direct computation from the history; the per-nonzero delay rule.
#include <gtest/gtest.h>

#include <cmath>

#include "cortexsim/config/config.hpp"
#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/exchange/exchange.hpp"
#include "cortexsim/integrator/engine.hpp"
#include "test_support.hpp"

using namespace cortexsim;
using cortexsim::test::data_dir;
using cortexsim::test::world_rank;
using cortexsim::test::world_size;

namespace {

std::string tiny_delay_yaml(double amplitude) {
    return "model:\n  name: tiny_delays\n  areas: {file: areas.csv}\n  connectivity:\n    fln: fln.csv\n"
           "    matrices: {distance_mm: distance.csv}\n    delays: {distance: distance_mm, velocity_m_per_s: 3.5}\n"
           "stimuli:\n  - {name: pulse, area: A, onset_ms: 10, duration_ms: 5, amplitude_hz: " +
           std::to_string(amplitude) + "}\nrun: {t_end_ms: 20, dt_ms: 0.1, record_interval_ms: 0.1}\n";
}

/// Keeps every record of the E rates of this rank's areas.
struct capture : record_sink {
    std::size_t n_local = 0;
    std::vector<std::vector<double>> e;  // [record][local area]
    void write_block(std::int64_t first, std::int64_t n, const double* data) override {
        e.resize(static_cast<std::size_t>(first + n));
        for (std::int64_t r = 0; r < n; ++r) {
            auto& row = e[static_cast<std::size_t>(first + r)];
            row.resize(n_local);
            for (std::size_t i = 0; i < n_local; ++i) row[i] = data[(static_cast<std::size_t>(r) * n_local + i) * 2];
        }
    }
};

/// An n x n matrix with the nonzeros where keep(i, j), value value(i, j).
template <class Keep, class Value>
labelled_matrix test_matrix(std::size_t n, Keep keep, Value value) {
    labelled_matrix m;
    m.names.resize(n);
    m.values.assign(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            if (i != j && keep(i, j)) m.values[i * n + j] = value(i, j);
    return m;
}

/// This rank's rows of m, nonzero (i, j) delayed by delay_of(global i, j) steps.
template <class Delay>
local_rows delayed_rows(const labelled_matrix& m, const block_partition& part, int me, Delay delay_of) {
    local_rows rows = rows_of(m, part.begin(me), part.end(me));
    for (std::size_t i = 0; i < rows.n_rows; ++i)
        for (auto k = rows.row_ptr[i]; k < rows.row_ptr[i + 1]; ++k)
            rows.delay.push_back(delay_of(part.begin(me) + i,
                                          static_cast<std::size_t>(rows.col[static_cast<std::size_t>(k)])));
    return rows;
}

}  // namespace

TEST(delays, pulse_reaches_targets_exactly_d_steps_later) {
    if (world_size() > 3) GTEST_SKIP() << "3 areas";
    const std::string dir = data_dir() + "/tiny";
    const model_spec with = parse_config(tiny_delay_yaml(20.0), "tiny_delays", dir);
    const model_spec without = parse_config(tiny_delay_yaml(0.0), "tiny_delays", dir);
    engine a(with, MPI_COMM_WORLD), b(without, MPI_COMM_WORLD);
    capture ca, cb;
    const std::size_t n_local = a.partition().count(world_rank()), begin = a.partition().begin(world_rank());
    ca.n_local = cb.n_local = n_local;
    a.run(&ca);
    b.run(&cb);
    // first state that differs between the runs, for each local area
    const std::int64_t onset = 100;  // 10 ms / 0.1 ms
    for (std::size_t i = 0; i < n_local; ++i) {
        std::int64_t first = -1;
        for (std::size_t k = 0; k < ca.e.size(); ++k)
            if (ca.e[k][i] != cb.e[k][i]) {
                first = static_cast<std::int64_t>(k);
                break;
            }
        const std::size_t area = begin + i;
        // A: its own pulse, one step after the onset. B: A->B 3.5 mm / 3.5 m/s = 1 ms = 10 steps.
        // C: A->C 7 mm = 20 steps (the path through B is longer: 10 + 1 + 30).
        const std::int64_t expect[3] = {onset + 1, onset + 2 + 10, onset + 2 + 20};
        EXPECT_EQ(first, expect[area]) << "area " << with.areas.names[area] << " on " << world_size() << " ranks";
    }
}

TEST(delays, zero_step_delays_read_as_without_delay) {
    // delays.rounding: nearest at 100 m/s and dt 0.1 ms: A->B 0.35 steps -> 0 (read as without delay, through a
    // second, direct exchange beside the delayed one), A->C 0.7 -> 1, B->C 1.05 -> 1
    if (world_size() > 3) GTEST_SKIP() << "3 areas";
    const std::string dir = data_dir() + "/tiny";
    auto yaml = [](double amplitude) {
        std::string y = tiny_delay_yaml(amplitude);
        const std::string v = "velocity_m_per_s: 3.5}";
        y.replace(y.find(v), v.size(), "velocity_m_per_s: 100, rounding: nearest}");
        return y;
    };
    const model_spec with = parse_config(yaml(20.0), "tiny_delays", dir);
    const model_spec without = parse_config(yaml(0.0), "tiny_delays", dir);
    engine a(with, MPI_COMM_WORLD), b(without, MPI_COMM_WORLD);
    capture ca, cb;
    const std::size_t n_local = a.partition().count(world_rank()), begin = a.partition().begin(world_rank());
    ca.n_local = cb.n_local = n_local;
    a.run(&ca);
    b.run(&cb);
    const std::int64_t onset = 100;
    for (std::size_t i = 0; i < n_local; ++i) {
        std::int64_t first = -1;
        for (std::size_t k = 0; k < ca.e.size(); ++k)
            if (ca.e[k][i] != cb.e[k][i]) {
                first = static_cast<std::int64_t>(k);
                break;
            }
        const std::size_t area = begin + i;
        // A: its own pulse; B: 0 steps after A, as an undelayed connection; C: 1 step after A
        const std::int64_t expect[3] = {onset + 1, onset + 2, onset + 2 + 1};
        EXPECT_EQ(first, expect[area]) << "area " << with.areas.names[area] << " on " << world_size() << " ranks";
    }
}

TEST(delays, delayed_sums_equal_the_history) {
    // random history on 1..N ranks: out_i(t) = sum_j W_ij x_j(t - d_ij) with x_j(t) = f(j, t)
    const std::size_t n = 11;
    const labelled_matrix m = test_matrix(
        n, [](std::size_t i, std::size_t j) { return (i * 7 + j * 3) % 4 != 0; },
        [&](std::size_t i, std::size_t j) { return 0.01 * static_cast<double>(1 + (i * j) % 13); });
    auto delay_of = [](std::size_t i, std::size_t j) { return static_cast<std::int32_t>(3 + (i + 2 * j) % 5); };
    block_partition part(n, world_size());
    const int me = world_rank();
    local_rows rows = delayed_rows(m, part, me, delay_of);
    const auto dc = make_exchange(MPI_COMM_WORLD, part, rows);
    EXPECT_EQ(dc->min_delay(), 3);
    EXPECT_EQ(dc->history_length(), 8);  // max delay 7 + 1
    auto x = [](std::size_t j, std::int64_t t) {
        return t < 0 ? 1.0 + static_cast<double>(j) : std::sin(0.1 * static_cast<double>(t) + static_cast<double>(j));
    };
    std::vector<double> x0(part.count(me)), xt(part.count(me)), out(part.count(me));
    for (std::size_t i = 0; i < x0.size(); ++i) x0[i] = x(part.begin(me) + i, -1);
    dc->initialise(x0.data());
    for (std::int64_t t = 0; t < 40; ++t) {
        for (std::size_t i = 0; i < xt.size(); ++i) xt[i] = x(part.begin(me) + i, t);
        dc->sums(t, 0, xt.data(), out.data());
        for (std::size_t i = 0; i < out.size(); ++i) {
            const std::size_t gi = part.begin(me) + i;
            double ref = 0.0;
            for (std::size_t j = 0; j < n; ++j)
                if (m.values[gi * n + j] != 0.0) ref += m.values[gi * n + j] * x(j, t - delay_of(gi, j));
            EXPECT_NEAR(out[i], ref, 1e-14) << "t " << t << " row " << gi;
        }
    }
}

TEST(delays, delayed_sums_bitwise_for_every_epoch_length) {
    // the epoch kernel has a compiled variant for each minimum delay D = 1 .. 32 (and one for any D): for each D
    // (delays D .. D + 4) the sums equal, bit for bit, the row-by-row tree of every long-range sum (nonzero k of
    // a row to lane k mod 4 in stored order, lanes added as (s0 + s1) + (s2 + s3)) over the exact history
    const std::size_t n = 13;
    const labelled_matrix m = test_matrix(
        n, [](std::size_t i, std::size_t j) { return (i * 5 + j * 3) % 7 != 0; },
        [&](std::size_t i, std::size_t j) { return std::sin(0.37 * static_cast<double>(i * n + j)); });
    block_partition part(n, world_size());
    const int me = world_rank();
    auto x = [](std::size_t j, std::int64_t t) {
        return t < 0 ? 0.5 + static_cast<double>(j) / 7.0
                     : std::cos(0.013 * static_cast<double>(t * t) + static_cast<double>(j));
    };
    for (std::int32_t D = 1; D <= 34; ++D) {
        auto delay_of = [D](std::size_t i, std::size_t j) { return D + static_cast<std::int32_t>((i + 2 * j) % 5); };
        local_rows rows = delayed_rows(m, part, me, delay_of);
        const auto dc = make_exchange(MPI_COMM_WORLD, part, rows);
        ASSERT_EQ(dc->min_delay(), D);
        std::vector<double> x0(part.count(me)), xt(part.count(me)), out(part.count(me));
        for (std::size_t i = 0; i < x0.size(); ++i) x0[i] = x(part.begin(me) + i, -1);
        dc->initialise(x0.data());
        for (std::int64_t t = 0; t < 3 * D + 7; ++t) {
            for (std::size_t i = 0; i < xt.size(); ++i) xt[i] = x(part.begin(me) + i, t);
            dc->sums(t, 0, xt.data(), out.data());
            for (std::size_t i = 0; i < out.size(); ++i) {
                const std::size_t gi = part.begin(me) + i;
                double lane[4] = {0.0, 0.0, 0.0, 0.0};
                std::size_t k = 0;
                for (std::size_t j = 0; j < n; ++j)
                    if (m.values[gi * n + j] != 0.0)
                        lane[k++ % 4] += m.values[gi * n + j] * x(j, std::max<std::int64_t>(t - delay_of(gi, j), -1));
                const double ref = (lane[0] + lane[1]) + (lane[2] + lane[3]);
                ASSERT_EQ(out[i], ref) << "D " << D << " t " << t << " row " << gi;
            }
        }
    }
}

TEST(delays, rings_as_long_as_each_source_needs_and_checkpoint_round_trip) {
    // source j's readers have delays 2 + j mod 6: its ring keeps (2 + j mod 6) + 1 states, not max delay + 1
    const std::size_t n = 11;
    const labelled_matrix m = test_matrix(
        n, [](std::size_t i, std::size_t j) { return (i * 7 + j * 3) % 4 != 0; },
        [&](std::size_t i, std::size_t j) { return 0.01 * static_cast<double>(1 + (i * j) % 13); });
    auto delay_of = [](std::size_t, std::size_t j) { return static_cast<std::int32_t>(2 + j % 6); };
    block_partition part(n, world_size());
    const int me = world_rank();
    local_rows rows = delayed_rows(m, part, me, delay_of);
    auto x = [](std::size_t j, std::int64_t t) {
        return t < 0 ? 1.0 + static_cast<double>(j) : std::cos(0.13 * static_cast<double>(t) + static_cast<double>(j));
    };
    const std::int64_t D = 2, L = 8;  // max delay 7 + 1
    const auto a = make_exchange(MPI_COMM_WORLD, part, rows);
    ASSERT_EQ(a->min_delay(), D);
    ASSERT_EQ(a->history_length(), L);
    if (world_size() == 1) {  // every area held: sum over sources of (largest delay + 1) + D - 1 slots
        std::size_t slots = 0;
        for (std::size_t j = 0; j < n; ++j) slots += static_cast<std::size_t>(delay_of(0, j) + 1 + D - 1);
        EXPECT_EQ(a->stats().history_bytes, slots * sizeof(double));
        EXPECT_LT(a->stats().history_bytes, n * static_cast<std::size_t>(L + D - 1) * sizeof(double));
    }
    const std::size_t nl = part.count(me);
    std::vector<double> xt(nl), out(nl);
    for (std::size_t i = 0; i < nl; ++i) xt[i] = x(part.begin(me) + i, -1);
    a->initialise(xt.data());
    const std::int64_t k = 21;  // inside an epoch (D = 2)
    for (std::int64_t t = 0; t < k; ++t) {
        for (std::size_t i = 0; i < nl; ++i) xt[i] = x(part.begin(me) + i, t);
        a->sums(t, 0, xt.data(), out.data());
    }
    // export: the states each ring holds exactly; older ones are the oldest held state
    const auto h = a->export_history(k);
    ASSERT_EQ(h.size(), static_cast<std::size_t>(L) * nl);
    for (std::size_t i = 0; i < nl; ++i) {
        const std::size_t gi = part.begin(me) + i;
        const std::int64_t len = delay_of(0, gi) + 1;
        for (std::int64_t p = 0; p < L; ++p)
            EXPECT_EQ(h[static_cast<std::size_t>(p) * nl + i], x(gi, std::max(k - L + p, k - len)))
                << "area " << gi << " slot " << p;
    }
    // import the exact global history into a fresh exchange and continue: the same sums as the reference
    const auto b = make_exchange(MPI_COMM_WORLD, part, rows);
    for (std::size_t i = 0; i < nl; ++i) xt[i] = 0.0;
    b->initialise(xt.data());
    std::vector<double> g(static_cast<std::size_t>(L) * n);
    for (std::int64_t p = 0; p < L; ++p)
        for (std::size_t j = 0; j < n; ++j) g[static_cast<std::size_t>(p) * n + j] = x(j, k - L + p);
    b->import_history(k, g);
    for (std::int64_t t = k; t < k + 20; ++t) {
        for (std::size_t i = 0; i < nl; ++i) xt[i] = x(part.begin(me) + i, t);
        b->sums(t, 0, xt.data(), out.data());
        for (std::size_t i = 0; i < nl; ++i) {
            const std::size_t gi = part.begin(me) + i;
            double ref = 0.0;
            for (std::size_t j = 0; j < n; ++j)
                if (m.values[gi * n + j] != 0.0) ref += m.values[gi * n + j] * x(j, t - delay_of(gi, j));
            EXPECT_NEAR(out[i], ref, 1e-14) << "t " << t << " row " << gi;
        }
    }
}
