// delay_bench: the delayed sums against the undelayed ones on the same synthetic cortex, in CPU time, alternated
// in rounds inside one process (so that both see the same machine load; docs/benchmarks.md, "Delayed coupling").
//
//   delay_bench --areas N [--density D] [--velocity V] [--dt-ms DT] [--rounds R] [--steps S]
//
// 1 rank. Builds the rows once (synthetic_rows + add_synthetic_delays, the sheet's defaults), a direct exchange
// (delays dropped) and a delayed one, then R rounds of S steps of each; prints the medians over the rounds of the
// CPU time per step of this thread (CLOCK_THREAD_CPUTIME_ID) and their ratio. The sums only (no dynamics): the
// state is nudged by each step's sums so that the history changes.
#include <mpi.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/connectivity/synthetic.hpp"
#include "cortexsim/exchange/exchange.hpp"
#include "cortexsim/partition/partition.hpp"

using namespace cortexsim;

namespace {

struct options {
    synthetic_spec spec;
    double velocity_m_per_s = 3.5;
    double dt_ms = 0.1;
    int rounds = 5;
    int steps = 100;
};

[[noreturn]] void usage(const std::string& msg) {
    throw usage_error(msg + "; usage: delay_bench --areas N [--density D] [--velocity V] [--dt-ms DT]"
                            " [--rounds R] [--steps S]");
}

options parse(int argc, char** argv) {
    options o;
    o.spec.n_areas = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage("option '" + a + "' needs a value");
            return argv[++i];
        };
        try {
            if (a == "--areas")
                o.spec.n_areas = std::stoull(value());
            else if (a == "--density")
                o.spec.density = std::stod(value());
            else if (a == "--velocity")
                o.velocity_m_per_s = std::stod(value());
            else if (a == "--dt-ms")
                o.dt_ms = std::stod(value());
            else if (a == "--rounds")
                o.rounds = std::stoi(value());
            else if (a == "--steps")
                o.steps = std::stoi(value());
            else
                usage("unknown option '" + a + "'");
        } catch (const std::logic_error&) {
            usage("bad value for '" + a + "'");
        }
    }
    if (o.spec.n_areas < 2) usage("--areas must be >= 2");
    if (o.rounds < 1 || o.steps < 1) usage("--rounds and --steps must be >= 1");
    if (!(o.velocity_m_per_s > 0.0) || !(o.dt_ms > 0.0)) usage("--velocity and --dt-ms must be > 0");
    validate(o.spec);
    return o;
}

double thread_cpu_s() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

void run(const options& o) {
    const std::size_t n = o.spec.n_areas;
    local_rows rows = synthetic_rows(o.spec, 0, n);
    add_synthetic_delays(o.spec, rows, o.velocity_m_per_s, o.dt_ms);
    const block_partition part(n, 1);
    local_rows direct_rows = rows;
    direct_rows.delay.clear();
    auto direct = make_exchange(MPI_COMM_SELF, part, direct_rows);
    auto delayed = make_exchange(MPI_COMM_SELF, part, rows);
    direct_rows = {};

    std::vector<double> x(n), y(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) x[i] = 10.0 + std::sin(static_cast<double>(i));
    delayed->initialise(x.data());
    std::int64_t t = 0;
    double check = 0.0;
    std::vector<double> d_us, l_us;
    for (int r = 0; r < o.rounds; ++r) {
        double c0 = thread_cpu_s();
        for (int k = 0; k < o.steps; ++k) {
            direct->sums(0, 0, x.data(), y.data());
            x[static_cast<std::size_t>(k) % n] += 1e-3 * y[static_cast<std::size_t>(k) % n];
        }
        d_us.push_back((thread_cpu_s() - c0) / o.steps * 1e6);
        c0 = thread_cpu_s();
        for (int k = 0; k < o.steps; ++k) {
            delayed->sums(t++, 0, x.data(), y.data());
            x[static_cast<std::size_t>(k) % n] += 1e-3 * y[static_cast<std::size_t>(k) % n];
            check += y[0];
        }
        l_us.push_back((thread_cpu_s() - c0) / o.steps * 1e6);
    }
    const double dm = median(d_us), lm = median(l_us);
    std::printf("DELAY areas=%zu density=%g nnz=%zu min_delay=%lld max_delay=%lld history_MiB=%.2f "
                "direct_cpu_us=%.2f delayed_cpu_us=%.2f ratio=%.2f rounds=%d steps=%d check=%.17g\n",
                n, o.spec.density, rows.nnz(), static_cast<long long>(delayed->min_delay()),
                static_cast<long long>(delayed->history_length() - 1),
                static_cast<double>(delayed->stats().history_bytes) / (1024.0 * 1024.0), dm, lm, lm / dm, o.rounds,
                o.steps, check);
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rc = 0;
    try {
        run(parse(argc, argv));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "delay_bench: %s\n", e.what());
        rc = 2;
    }
    MPI_Finalize();
    return rc;
}
