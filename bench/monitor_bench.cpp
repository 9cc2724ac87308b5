// monitor_bench: the cost of a BOLD monitor per area and record, and of the FC of A areas over T samples
// (docs/benchmarks.md, "Monitors"). Serial: the BOLD state is per area on each rank, FC is computed on rank 0.
//   monitor_bench [--areas A] [--samples T] [--record-ms R]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cortexsim/analysis/monitors.hpp"

using namespace cortexsim;
using clk = std::chrono::steady_clock;

int main(int argc, char** argv) {
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
            std::fprintf(stderr, "usage: monitor_bench [--areas A] [--samples T] [--record-ms R]\n");
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
    t0 = clk::now();
    const auto fc = pearson_fc(y.data(), T, A, A);
    const double fc_s = std::chrono::duration<double>(clk::now() - t0).count();
    std::printf("areas %zu, record %.3g ms: BOLD %.3f us per record (%.2f ns per area and record)\n", A, record_ms,
                bold_s * 1e6, bold_s * 1e9 / static_cast<double>(A));
    std::printf("FC of %zu areas over %zu samples: %.3f s (%.3f ns per pair and sample) [check %.3g %.3g]\n", A, T,
                fc_s, fc_s * 1e9 / (0.5 * static_cast<double>(A) * static_cast<double>(A) * static_cast<double>(T)),
                fc[1], sink);
    return 0;
}
