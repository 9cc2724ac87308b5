// validate_wm: checks the working-memory analysis written by `cortexsim run` for the nonlinear circuits against
// the reference numbers of ../shared/data (copied to configs/data/<model>/). Usage:
//   validate_wm froudistwalsh2021 OUT.h5 REFERENCE.csv LITERATURE.csv   DA 1.5, cue only, no noise
//   validate_wm froudistwalsh2021_noise OUT.h5 REFERENCE.csv            same persistent set with OU noise
//   validate_wm froudistwalsh2021_distractor OUT.h5 REFERENCE.csv       cue + distractor at DA 1.5
//   validate_wm froudistwalsh2021_sweep DA_SWEEP.csv DA=OUT.h5 ...      inverted U (cue only) over dopamine
//   validate_wm froudistwalsh2021_distractor_sweep DA_SWEEP.csv DA=OUT.h5 ...   distractor wins at 1.0 and 2.0
//   validate_wm mejiaswang2022 OUT.h5 REFERENCE.csv                      Fig 2 setting, no noise
//   validate_wm persistent_count OUT.h5 N [SILENT_AREA]                  N persistent areas; SILENT_AREA at 0 Hz
// Every check prints one line; the exit code is the number of failed checks (0 = all passed).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cortexsim/connectivity/csv.hpp"
#include "cortexsim/io/h5_read.hpp"

using namespace cortexsim;

namespace {
int failures = 0;
void check(bool ok, const std::string& what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    if (!ok) ++failures;
}
std::string num(double a) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", a);
    return buf;
}

struct run_result {
    std::vector<std::string> areas, populations;
    std::vector<double> baseline, delay, persistent, cue, distractor;  // baseline/delay [area][P]
    std::size_t P = 0;
    double delay_of(std::size_t i, const std::string& pop) const {
        for (std::size_t p = 0; p < P; ++p)
            if (populations[p] == pop) return delay[i * P + p];
        throw std::runtime_error("no population " + pop);
    }
    double baseline_of(std::size_t i, const std::string& pop) const {
        for (std::size_t p = 0; p < P; ++p)
            if (populations[p] == pop) return baseline[i * P + p];
        throw std::runtime_error("no population " + pop);
    }
    std::set<std::string> persistent_set() const {
        std::set<std::string> s;
        for (std::size_t i = 0; i < areas.size(); ++i)
            if (persistent[i] == 1.0) s.insert(areas[i]);
        return s;
    }
};

run_result load(const std::string& file) {
    run_result r;
    r.areas = read_h5_strings(file, "/areas");
    r.populations = read_h5_strings(file, "/populations");
    r.P = r.populations.size();
    r.baseline = read_h5_doubles(file, "/analysis/baseline_mean_hz");
    r.delay = read_h5_doubles(file, "/analysis/delay_mean_hz");
    r.persistent = read_h5_doubles(file, "/analysis/persistent");
    r.cue = read_h5_doubles(file, "/analysis/cue_response_hz");
    r.distractor = read_h5_doubles(file, "/analysis/distractor_response_hz");
    return r;
}

std::string join(const std::set<std::string>& s) {
    std::string o;
    for (const auto& x : s) o += (o.empty() ? "" : " ") + x;
    return o.empty() ? "(none)" : o;
}

std::set<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::set<std::string> out;
    for (std::string w; in >> w;) out.insert(w);
    return out;
}

/// Reference persistent set from a 0/1 column.
std::set<std::string> ref_set(const csv_table& t, const std::string& column) {
    std::set<std::string> s;
    const std::size_t ca = t.column("area"), c = t.column(column);
    for (std::size_t r = 0; r < t.cells.size(); ++r)
        if (t.number(r, c) == 1.0) s.insert(t.cells[r][ca]);
    return s;
}

void compare_rates(const run_result& r, const csv_table& ref, const std::string& column, const std::string& pop,
                   double abs_tol, double rel_tol, const std::string& label) {
    const std::size_t ca = ref.column("area"), c = ref.column(column);
    check(ref.cells.size() == r.areas.size(),
          label + ": " + std::to_string(r.areas.size()) + " areas in file and reference");
    double worst = 0;
    std::string worst_area;
    for (std::size_t i = 0; i < r.areas.size() && i < ref.cells.size(); ++i) {
        check(ref.cells[i][ca] == r.areas[i], label + ": area " + std::to_string(i) + " is " + r.areas[i]);
        const double want = ref.number(i, c), got = r.delay_of(i, pop);
        const double err = std::fabs(got - want);
        if (err > worst) {
            worst = err;
            worst_area = r.areas[i];
        }
        check(err <= abs_tol + rel_tol * std::fabs(want),
              label + ": " + r.areas[i] + " delay " + pop + " " + num(got) + " Hz vs reference " + num(want) + " Hz");
    }
    std::printf("%s: largest deviation %.4f Hz (%s)\n", label.c_str(), worst, worst_area.c_str());
}

std::vector<std::pair<double, std::string>> sweep_args(int argc, char** argv, int first) {
    std::vector<std::pair<double, std::string>> v;
    for (int a = first; a < argc; ++a) {
        const std::string s = argv[a];
        const auto eq = s.find('=');
        if (eq == std::string::npos) throw std::runtime_error("expected DA=FILE.h5, got '" + s + "'");
        v.emplace_back(std::stod(s.substr(0, eq)), s.substr(eq + 1));
    }
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: validate_wm MODEL ... (see the header of tests/validate_wm.cpp)\n");
        return 2;
    }
    const std::string model = argv[1];
    try {
        if (model == "froudistwalsh2021") {
            if (argc != 5) throw std::runtime_error("froudistwalsh2021 needs OUT.h5 REFERENCE.csv LITERATURE.csv");
            const run_result r = load(argv[2]);
            const csv_table ref = read_csv(argv[3]), lit = read_csv(argv[4]);
            compare_rates(r, ref, "delay_E1_Hz(4.5-5.0s)", "E1", 0.05, 0.005, "DA 1.5");
            const std::size_t cb = ref.column("baseline_E1_Hz(0.5-1.0s)");
            for (std::size_t i = 0; i < r.areas.size(); ++i)
                check(std::fabs(r.baseline_of(i, "E1") - ref.number(i, cb)) <= 0.02,
                      "baseline E1 " + r.areas[i] + " " + num(r.baseline_of(i, "E1")) + " vs " +
                          num(ref.number(i, cb)));
            const std::size_t cp = ref.column("cue_peak_E1_Hz(1.0-1.4s)");
            const double v1_peak = r.cue[0] + r.baseline_of(0, "E1");
            check(std::fabs(v1_peak - ref.number(0, cp)) <= 0.1,
                  "V1 cue peak " + num(v1_peak) + " Hz vs reference " + num(ref.number(0, cp)) + " Hz");
            const auto got = r.persistent_set();
            const auto want = ref_set(ref, "persistent_model(delay-baseline>5Hz)");
            check(got.size() == 23,
                  "23 of 40 areas persistent (got " + std::to_string(got.size()) + ": " + join(got) + ")");
            check(got == want, "persistent set equals the reference set");
            std::set<std::string> experimental;
            // areas with experimental evidence: (positive - negative reports) > 2 (NA = no reports)
            const std::size_t la = lit.column("area"), lp = lit.column("positive_reports"),
                              ln = lit.column("negative_reports");
            auto count = [&](std::size_t q, std::size_t c) { return lit.cells[q][c] == "NA" ? 0.0 : lit.number(q, c); };
            for (std::size_t q = 0; q < lit.cells.size(); ++q)
                if (count(q, lp) - count(q, ln) > 2) experimental.insert(lit.cells[q][la]);
            check(experimental.size() == 12,
                  "12 areas with experimental evidence (pos - neg > 2): " + join(experimental));
            std::set<std::string> missing;
            for (const auto& a : experimental)
                if (!got.count(a)) missing.insert(a);
            check(missing.empty(),
                  "all 12 experimentally persistent areas persist in the model (missing: " + join(missing) + ")");
            for (const char* early : {"V1", "V2", "V4", "MT", "1", "3", "2", "5", "F1"})
                check(!got.count(early), std::string("early sensory/somatomotor area ") + early + " does not persist");
        } else if (model == "froudistwalsh2021_noise") {
            const run_result r = load(argv[2]);
            const csv_table ref = read_csv(argv[3]);
            const auto got = r.persistent_set();
            const auto want = ref_set(ref, "persistent_model(delay-baseline>5Hz)");
            check(got == want, "with OU noise the persistent set equals the noise-free reference set (got " +
                                   std::to_string(got.size()) + ": " + join(got) + ")");
            compare_rates(r, ref, "delay_E1_Hz_with_noise_seed0", "E1", 1.0, 0.1,
                          "noise (other generator: 1 Hz + 10 %)");
        } else if (model == "froudistwalsh2021_distractor") {
            const run_result r = load(argv[2]);
            const csv_table ref = read_csv(argv[3]);
            compare_rates(r, ref, "delay_E1_with_distractor", "E1", 0.05, 0.005, "distractor, E1");
            compare_rates(r, ref, "delay_E2_with_distractor", "E2", 0.05, 0.005, "distractor, E2");
            const auto want = ref_set(ref, "persistent_model(delay-baseline>5Hz)");
            std::size_t retained = 0, e2_active = 0;
            for (std::size_t i = 0; i < r.areas.size(); ++i) {
                if (want.count(r.areas[i]) && r.delay_of(i, "E1") - r.baseline_of(i, "E1") > 5) ++retained;
                if (r.delay_of(i, "E2") - r.baseline_of(i, "E2") > 5) ++e2_active;
            }
            check(retained == want.size(), "the cue memory survives the distractor in all " +
                                               std::to_string(want.size()) + " persistent areas (" +
                                               std::to_string(retained) + ")");
            check(e2_active == 0,
                  "the distractor column is silent in the delay (" + std::to_string(e2_active) + " areas active)");
            double v1_dis = r.distractor[0];
            check(v1_dis > 5, "V1 responds to the distractor (" + num(v1_dis) + " Hz)");
        } else if (model == "froudistwalsh2021_sweep" || model == "froudistwalsh2021_distractor_sweep") {
            const bool distractor = model == "froudistwalsh2021_distractor_sweep";
            const csv_table ref = read_csv(argv[2]);
            const std::size_t cn = ref.column(distractor ? "n_areas_where_distractor_E2_persists"
                                                         : "n_areas_persistent_cue_only");
            const std::size_t cs = ref.column(distractor ? "areas_distractor_E2_persists"
                                                         : "areas_persistent_cue_only");
            std::map<double, std::size_t> counts;
            for (const auto& [da, file] : sweep_args(argc, argv, 3)) {
                const run_result r = load(file);
                std::set<std::string> got;
                for (std::size_t i = 0; i < r.areas.size(); ++i) {
                    const std::string pop = distractor ? "E2" : "E1";
                    if (r.delay_of(i, pop) - r.baseline_of(i, pop) > 5) got.insert(r.areas[i]);
                }
                counts[da] = got.size();
                bool found = false;
                for (std::size_t q = 0; q < ref.cells.size(); ++q)
                    if (std::fabs(std::stod(ref.row_labels[q]) - da) < 1e-9) {  // first column: da_rel
                        found = true;
                        const auto want = words(ref.cells[q][cs]);
                        check(got.size() == static_cast<std::size_t>(ref.number(q, cn)),
                              "DA " + num(da) + ": " + std::to_string(got.size()) + " areas (reference " +
                                  std::to_string(static_cast<int>(ref.number(q, cn))) + ")" +
                                  (distractor ? " where the distractor column persists" : " persistent"));
                        check(got == want, "DA " + num(da) + ": same areas as the reference (" + join(got) + ")");
                    }
                check(found, "DA " + num(da) + " is in the reference sweep");
            }
            if (!distractor && counts.count(1.5)) {
                std::size_t best = 0;
                double best_da = -1;
                for (const auto& [da, n] : counts)
                    if (n > best) best = n, best_da = da;
                check(best_da == 1.5, "inverted U: most persistent areas at DA 1.5 (max at " + num(best_da) + ")");
                check((!counts.count(0.0) || counts[0.0] == 0) && (!counts.count(4.0) || counts[4.0] == 0),
                      "inverted U: no persistent area at the lowest and highest dopamine levels");
            }
        } else if (model == "persistent_count") {
            const run_result r = load(argv[2]);
            const std::size_t want = static_cast<std::size_t>(std::stoul(argv[3]));
            const auto got = r.persistent_set();
            check(got.size() == want, std::to_string(want) + " persistent areas (got " + std::to_string(got.size()) +
                                          ": " + join(got) + ")");
            if (argc > 4) {
                const std::string area = argv[4];
                const auto it = std::find(r.areas.begin(), r.areas.end(), area);
                if (it == r.areas.end()) throw std::runtime_error("no area " + area);
                const std::size_t i = static_cast<std::size_t>(it - r.areas.begin());
                for (std::size_t p = 0; p < r.P; ++p)
                    check(r.baseline[i * r.P + p] == 0.0 && r.delay[i * r.P + p] == 0.0,
                          area + " " + r.populations[p] + " is silent (baseline " + num(r.baseline[i * r.P + p]) +
                              ", delay " + num(r.delay[i * r.P + p]) + " Hz)");
                check(!got.count(area), area + " is not persistent");
            }
        } else if (model == "mejiaswang2022") {
            const run_result r = load(argv[2]);
            const csv_table ref = read_csv(argv[3]);
            compare_rates(r, ref, "delay_E1_Hz(9.0-10.0s)_no_noise", "E1", 0.05, 0.005, "Fig 2");
            const auto got = r.persistent_set();
            const auto want = ref_set(ref, "persistent_model(E1>10Hz)");
            check(got.size() == 22,
                  "22 of 30 areas persistent (got " + std::to_string(got.size()) + ": " + join(got) + ")");
            check(got == want, "persistent set equals the reference set");
            std::vector<std::size_t> o(r.areas.size());
            for (std::size_t i = 0; i < o.size(); ++i) o[i] = i;
            std::sort(o.begin(), o.end(), [&](auto a, auto b) { return r.delay_of(a, "E1") < r.delay_of(b, "E1"); });
            std::set<std::string> low;
            for (std::size_t q = 0; q < 5; ++q) low.insert(r.areas[o[q]]);
            check(low == std::set<std::string>{"V1", "V2", "DP", "V4", "MT"},
                  "the 5 least active areas are the early visual ones V1 V2 DP V4 MT (" + join(low) + ")");
            const double gap_low = r.delay_of(o[4], "E1"), gap_high = r.delay_of(o[5], "E1");
            check(gap_low < 2.0 && gap_high > 5.0, "gap in the ranked delay rates: " + num(gap_low) +
                                                       " Hz (rank 5) -> " + num(gap_high) + " Hz (rank 6)");
            check(r.cue[0] + r.baseline_of(0, "E1") > 50,
                  "V1 cue peak " + num(r.cue[0] + r.baseline_of(0, "E1")) + " Hz (~56)");
        } else {
            throw std::runtime_error("unknown model '" + model + "'");
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "validate_wm: error: %s\n", e.what());
        return 2;
    }
    std::printf("%s: %d failed check%s\n", model.c_str(), failures, failures == 1 ? "" : "s");
    return failures > 255 ? 255 : failures;
}
