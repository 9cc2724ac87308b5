// monitor_bench: the cost of a BOLD monitor per area and record, and of the FC of A areas over T samples
// (docs/benchmarks.md, "Monitors"). The BOLD state is per area on each rank (timed on one); the FC is computed in
// row blocks (fc_row_split) on every rank, as a run does it: the time is the slowest rank's.
//   mpirun -n P monitor_bench [--areas A] [--samples T] [--record-ms R]
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "cortexsim/analysis/monitors.hpp"

using namespace cortexsim;
using clk = std::chrono::steady_clock;

static double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    std::size_t A = 10000, T = 300;
    double record_ms = 1.0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--areas")
            A = std::strtoul(argv[i + 1], nullptr, 10);
        else if (a == "--samples")
            T = std::strtoul(argv[i + 1], nullptr, 10);
        else if (a == "--record-ms")
            record_ms = std::atof(argv[i + 1]);
        else {
            if (rank == 0) std::fprintf(stderr, "usage: monitor_bench [--areas A] [--samples T] [--record-ms R]\n");
            MPI_Finalize();
            return 2;
        }
    }
    // BOLD: one record of A areas (sub-steps of at most 1 ms), as the monitor does it
    bold_spec b;
    std::vector<double> x(A * 4);
    std::vector<double> z(A);
    for (std::size_t i = 0; i < A; ++i) {
        x[i * 4] = 0, x[i * 4 + 1] = 1, x[i * 4 + 2] = 1, x[i * 4 + 3] = 1;
        z[i] = 0.1 + 0.01 * static_cast<double>(i % 7);
    }
    const int sub = static_cast<int>(record_ms < 1 ? 1 : record_ms + 0.999999);
    const double h = record_ms * 1e-3 / sub;
    const int records = 2000;
    auto t0 = clk::now();
    double sink = 0;
    for (int r = 0; r < records; ++r) {
        for (std::size_t i = 0; i < A; ++i)
            for (int s = 0; s < sub; ++s) balloon_step(b, z[i], h, x.data() + i * 4);
        sink += bold_signal(b, x.data());
    }
    const double bold_s = std::chrono::duration<double>(clk::now() - t0).count() / records;
    // FC of A areas over T samples
    std::vector<double> y(T * A);
    std::uint64_t s = 88172645463325252ull;
    for (auto& v : y) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        v = static_cast<double>(s >> 11) * 0x1.0p-53;
    }
    const auto split = fc_row_split(A, static_cast<std::size_t>(size));
    const std::size_t r0 = split[static_cast<std::size_t>(rank)], r1 = split[static_cast<std::size_t>(rank) + 1];
    MPI_Barrier(MPI_COMM_WORLD);
    t0 = clk::now();
    const double cpu0 = cpu_seconds();
    const auto fc = pearson_fc_block(y.data(), T, A, A, r0, r1);
    const double mine = std::chrono::duration<double>(clk::now() - t0).count(), my_cpu = cpu_seconds() - cpu0;
    double cpu_max = 0, cpu_sum = 0;
    MPI_Reduce(&my_cpu, &cpu_max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&my_cpu, &cpu_sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    double fc_s = 0, check = fc.empty() ? 0.0 : fc[std::min<std::size_t>(1, fc.size() - 1)];
    unsigned long long values = fc.size(), most = 0;
    MPI_Reduce(&mine, &fc_s, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&values, &most, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        std::printf("areas %zu, record %.3g ms: BOLD %.3f us per record (%.2f ns per area and record)\n", A, record_ms,
                    bold_s * 1e6, bold_s * 1e9 / static_cast<double>(A));
        std::printf("FC of %zu areas over %zu samples on %d rank%s: %.3f s (slowest rank; %.3f ns per pair and sample "
                    "per rank), at most %llu values (%.1f MiB) on a rank [check %.3g %.3g]\n",
                    A, T, size, size == 1 ? "" : "s", fc_s,
                    fc_s * 1e9 * size /
                        (0.5 * static_cast<double>(A) * static_cast<double>(A) * static_cast<double>(T)),
                    most, static_cast<double>(most) * 8.0 / 1048576.0, check, sink);
        std::printf("FC CPU time (this process's, not counting time the machine gave to others): slowest rank %.3f s, "
                    "all ranks %.3f s\n",
                    cpu_max, cpu_sum);
    }
    MPI_Finalize();
    return 0;
}
