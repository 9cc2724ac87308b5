// validate_output MODEL FILE.h5 REFERENCE.csv: checks the analysis written by `cortexsim run` against the
// reference numbers of ../shared/data (copied to tests/data). MODEL is chaudhuri2015 or joglekar2018_strong_gba.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cortexsim/connectivity/csv.hpp"
#include "cortexsim/io/h5_output.hpp"

using namespace cortexsim;

namespace {
int failures = 0;
void check(bool ok, const std::string& what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    if (!ok) ++failures;
}
std::string pct(double a, double b) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g vs %.4g (%+.3f %%)", a, b, 100.0 * (a - b) / b);
    return buf;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: validate_output MODEL FILE.h5 REFERENCE.csv\n");
        return 2;
    }
    const std::string model = argv[1], file = argv[2];
    try {
        const auto areas = read_h5_strings(file, "/areas");
        const auto resp = read_h5_doubles(file, "/analysis/response_hz");
        const auto tau = read_h5_doubles(file, "/analysis/timescale_s");
        const auto peak = read_h5_doubles(file, "/analysis/peak_rate_hz");
        const csv_table ref = read_csv(argv[3]);
        const std::size_t ca = ref.column("area");
        check(ref.cells.size() == areas.size(), "29 areas in file and reference");
        for (std::size_t i = 0; i < areas.size(); ++i) check(ref.cells[i][ca] == areas[i], "area " + areas[i]);
        if (model == "chaudhuri2015") {
            const std::size_t cp = ref.column("pulse_peak_delta_rE_Hz"),
                              ct = ref.column("pulse_decay_1e_after_peak_ms");
            check(std::fabs(resp[0] - 100.0) <= 0.5, "V1 E rises by 100 Hz within 0.5 %: " + pct(resp[0], 100.0));
            check(std::fabs(peak[0] - 110.0) <= 0.55, "V1 E peaks at 110 Hz within 0.5 %: " + pct(peak[0], 110.0));
            double worst = 0;
            for (std::size_t i = 0; i < areas.size(); ++i) {
                const double r = ref.number(i, ct) * 1e-3;
                worst = std::max(worst, std::fabs(tau[i] - r) / r);
                check(std::fabs(tau[i] - r) <= 0.05 * r, "timescale " + areas[i] + " within 5 %: " + pct(tau[i], r));
                const double p = ref.number(i, cp);
                check(std::fabs(resp[i] - p) <= 0.01 * p, "response " + areas[i] + " within 1 %: " + pct(resp[i], p));
            }
            std::printf("largest timescale error: %.3f %%\n", 100.0 * worst);
            std::vector<std::size_t> o(areas.size());
            for (std::size_t i = 0; i < o.size(); ++i) o[i] = i;
            std::sort(o.begin(), o.end(), [&](auto a, auto b) { return tau[a] < tau[b]; });
            check(areas[o.front()] == "V1", "V1 is the fastest area (fastest: " + areas[o.front()] + ")");
            const std::size_t n = o.size();
            auto in_top3 = [&](const std::string& a) {
                return areas[o[n - 1]] == a || areas[o[n - 2]] == a || areas[o[n - 3]] == a;
            };
            check(in_top3("24c") && in_top3("STPr"), "24c and STPr among the three slowest (" + areas[o[n - 1]] + ", " +
                                                         areas[o[n - 2]] + ", " + areas[o[n - 3]] + ")");
        } else if (model == "joglekar2018_strong_gba") {
            const std::size_t cs = ref.column("peak_delta_rE_Hz_strongGBA");
            for (std::size_t i = 0; i < areas.size(); ++i) {
                const double p = ref.number(i, cs);
                check(std::fabs(resp[i] - p) <= 0.01 * p,
                      "strong-GBA response " + areas[i] + " within 1 %: " + pct(resp[i], p));
            }
        } else {
            std::fprintf(stderr, "unknown model %s\n", model.c_str());
            return 2;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "validate_output: %s\n", e.what());
        return 1;
    }
    std::printf("%d failures\n", failures);
    return failures == 0 ? 0 : 1;
}
