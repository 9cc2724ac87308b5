// The Froudist-Walsh et al. 2021 circuit (docs/models.md, circuit froudist_walsh) on the 40-area data set, without the engine: the test
// computes the long-range channels itself with a plain dense matrix-vector product and runs the protocol of
// §3.4 (5 s, cue 0.1 nA into V1 E1 dendrite 1.0-1.4 s). Checked against the regression tables
// reference_results_computed.csv and da_sweep_computed.csv (an independent re-implementation, docs/validation.md),
// the experimental delay-activity literature, the inverted-U dopamine dependence, distractor resistance, noise,
// rank independence of the noise, and the short-term-plasticity variant of Fig 4.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/connectivity/csv.hpp"
#include "cortexsim/dynamics/circuits/froudist_walsh.hpp"

using namespace cortexsim;

namespace {

const std::string kDir = std::string(CORTEXSIM_SOURCE_DIR) + "/configs/data/froudistwalsh2021/";

// Protocol (configs/froudistwalsh2021.yaml) in steps of dt = 0.5 ms. The authors' code switches the cue on for the steps
// int(1.0 s / dt) <= k < int(1.4 s / dt); in floating point 1.4 / 0.0005 = 2799.9999999999995, so the cue ends
// one step early (the same for the distractor: 2.0 / 0.0005 = 4000, 2.4 / 0.0005 = 4800).
constexpr double kDt = 0.5;
constexpr std::int64_t kSteps = 10000;  // 5 s: states 0 .. 9999 (the authors' R[0 .. 9999])
constexpr std::int64_t kCueOn = 2000, kCueOff = 2799;
constexpr std::int64_t kDistOn = 4000, kDistOff = 4800;
constexpr std::int64_t kBaseFrom = 1000, kBaseTo = 2000;     // 0.5-1.0 s
constexpr std::int64_t kDelayFrom = 9000, kDelayTo = 10000;  // 4.5-5.0 s
constexpr double kCue = 0.1;                                 // [nA]

struct dataset {
    std::vector<std::string> names;
    std::vector<double> spine, d1r, hierarchy, stp_u0, stp_x0;
    std::vector<double> w_sup, w_deep;  // n x n, rows = targets
    std::size_t n = 0;
};

/// The 40-area data: names and gradients from areas_anatomy_40.csv, W = row-normalised FLN^0.3 times SLN or
/// 1 - SLN (docs/models.md, froudist_walsh "Currents of area i").
const dataset& data() {
    static const dataset d = [] {
        dataset d;
        const csv_table a = read_csv(kDir + "areas_anatomy_40.csv");
        const std::size_t ca = a.column("area"), cs = a.column("spine_count"), cd = a.column("D1R_density"),
                          ch = a.column("hierarchy");
        for (std::size_t r = 0; r < a.cells.size(); ++r) {
            d.names.push_back(a.cells[r][ca]);
            d.spine.push_back(a.number(r, cs));
            d.d1r.push_back(a.number(r, cd));
            d.hierarchy.push_back(a.number(r, ch));
        }
        d.n = d.names.size();
        const csv_table s = read_csv(kDir + "model_outputs_baseline_STP_DA0.csv");
        for (std::size_t r = 0; r < s.cells.size(); ++r) {
            EXPECT_EQ(s.cells[r][s.column("area")], d.names[r]);
            d.stp_u0.push_back(s.number(r, s.column("baseline_u_DA_0pt0")));
            d.stp_x0.push_back(s.number(r, s.column("baseline_x_DA_0pt0")));
        }
        const labelled_matrix fln = read_square_matrix_csv(kDir + "fln_40x40.csv", d.names);
        const labelled_matrix sln = read_square_matrix_csv(kDir + "sln_40x40.csv", d.names);
        const std::size_t n = d.n;
        d.w_sup.assign(n * n, 0.0);
        d.w_deep.assign(n * n, 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            double row = 0;
            for (std::size_t j = 0; j < n; ++j) row += std::pow(fln(i, j), 0.3);
            for (std::size_t j = 0; j < n; ++j) {
                const double w = std::pow(fln(i, j), 0.3) / row;
                d.w_sup[i * n + j] = w * sln(i, j);
                d.w_deep[i * n + j] = w * (1.0 - sln(i, j));
            }
        }
        return d;
    }();
    return d;
}

std::size_t area_index(const std::string& name) {
    const auto& n = data().names;
    const auto it = std::find(n.begin(), n.end(), name);
    EXPECT_NE(it, n.end()) << name;
    return static_cast<std::size_t>(it - n.begin());
}

std::vector<double> minmax(const std::vector<double>& v, double offset, double slope) {
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    std::vector<double> g;
    for (double x : v) g.push_back(offset + slope * (x - *lo) / (*hi - *lo));
    return g;
}

/// The model spec as the config builds it: 40 areas, gradients "excitability" and "d1r", dt 0.5 ms.
model_spec make_spec(std::vector<std::pair<std::string, double>> params = {}, std::uint64_t seed = 0) {
    const dataset& d = data();
    model_spec m;
    m.name = "froudist_walsh_test";
    m.circuit = "froudist_walsh";
    m.areas.names = d.names;
    m.areas.hierarchy = d.hierarchy;
    m.populations = {"E1", "E2", "PV", "SST1", "SST2", "VIP1", "VIP2"};
    gradient_spec e{"excitability", "spine_count", "minmax", 0.45, 0.55, minmax(d.spine, 0.45, 0.55)};
    gradient_spec r{"d1r", "D1R_density", "minmax", 0.0, 1.0, minmax(d.d1r, 0.0, 1.0)};
    gradient_spec u{"stp_u0", "baseline_u", "none", 0.0, 1.0, d.stp_u0};
    gradient_spec x{"stp_x0", "baseline_x", "none", 0.0, 1.0, d.stp_x0};
    m.gradients = {e, r, u, x};
    m.circuit_params = std::move(params);
    m.run.dt_ms = kDt;
    m.run.seed = seed;
    return m;
}

/// Source variable and matrix of a channel, from its name: {sup|deep}_{NMDA|AMPA}_{1|2}[_nostp].
struct channel_source {
    std::size_t var;
    const std::vector<double>* w;
};
std::vector<channel_source> channel_sources(const circuit& c) {
    std::vector<channel_source> out;
    for (const auto& name : c.input_channels()) {
        std::istringstream ss(name);
        std::string layer, receptor, column, suffix;
        std::getline(ss, layer, '_');
        std::getline(ss, receptor, '_');
        std::getline(ss, column, '_');
        std::getline(ss, suffix);
        const std::string var = "S_" + receptor + "_E" + column + (suffix.empty() ? "" : "_" + suffix);
        const std::size_t v = c.find_variable(var);
        EXPECT_NE(v, circuit::npos) << name << " -> " << var;
        out.push_back({v, layer == "sup" ? &data().w_sup : &data().w_deep});
    }
    return out;
}

/// Long-range input of target areas [t0, t0 + nt) from the full state of `full` (all areas): lr[c][i].
void long_range(const circuit& full, const std::vector<channel_source>& src, std::size_t t0, std::size_t nt,
                std::vector<std::vector<double>>& lr) {
    const std::size_t n = data().n;
    for (std::size_t c = 0; c < src.size(); ++c) {
        const double* x = full.var(src[c].var);
        const std::vector<double>& w = *src[c].w;
        for (std::size_t i = 0; i < nt; ++i) {
            const double* row = w.data() + (t0 + i) * n;
            double s = 0.0;
            for (std::size_t j = 0; j < n; ++j) s += row[j] * x[j];
            lr[c][i] = s;
        }
    }
}

/// Window means and peaks of E1 and E2 of every area over one trial.
struct trial {
    std::vector<double> base_E1, base_E2, peak_E1, delay_E1, delay_E2;
    std::vector<double> trace_noise_E1;  // I_noise_E1 of area 0 at every step (noise runs)
};

struct run_options {
    bool cue = true, distractor = false;
    std::int64_t steps = kSteps;
    bool record_noise = false;
};

trial run(circuit& c, const run_options& o = {}) {
    const std::size_t n = data().n;
    EXPECT_EQ(c.n_local(), n);
    const auto src = channel_sources(c);
    std::vector<std::vector<double>> lr(src.size(), std::vector<double>(n, 0.0));
    std::vector<std::vector<double>> stim(c.stimulus_ports().size(), std::vector<double>(n, 0.0));
    std::vector<const double*> lr_ptr, stim_ptr;
    for (auto& v : lr) lr_ptr.push_back(v.data());
    for (auto& v : stim) stim_ptr.push_back(v.data());
    const std::size_t v1 = area_index("V1");
    const std::size_t d1 = c.find_port("E1_dend"), d2 = c.find_port("E2_dend");
    const std::size_t iE1 = c.find_variable("E1"), iE2 = c.find_variable("E2");
    const std::size_t iN = c.find_variable("I_noise_E1");
    trial t;
    for (auto* v : {&t.base_E1, &t.base_E2, &t.peak_E1, &t.delay_E1, &t.delay_E2}) v->assign(n, 0.0);
    auto record = [&](std::int64_t k) {  // state after k steps
        const double *e1 = c.var(iE1), *e2 = c.var(iE2);
        for (std::size_t i = 0; i < n; ++i) {
            if (k >= kBaseFrom && k < kBaseTo) {
                t.base_E1[i] += e1[i] / double(kBaseTo - kBaseFrom);
                t.base_E2[i] += e2[i] / double(kBaseTo - kBaseFrom);
            }
            if (k >= kCueOn && k < kCueOff + 1) t.peak_E1[i] = std::max(t.peak_E1[i], e1[i]);
            if (k >= kDelayFrom && k < kDelayTo) {
                t.delay_E1[i] += e1[i] / double(kDelayTo - kDelayFrom);
                t.delay_E2[i] += e2[i] / double(kDelayTo - kDelayFrom);
            }
        }
        if (o.record_noise) t.trace_noise_E1.push_back(c.var(iN)[0]);
    };
    record(0);
    for (std::int64_t k = 0; k + 1 < o.steps; ++k) {
        long_range(c, src, 0, n, lr);
        stim[d1][v1] = (o.cue && k >= kCueOn && k < kCueOff) ? kCue : 0.0;
        stim[d2][v1] = (o.distractor && k >= kDistOn && k < kDistOff) ? kCue : 0.0;
        c.step({k, lr_ptr.data(), stim_ptr.data()});
        record(k + 1);
    }
    return t;
}

/// Areas whose delay rate exceeds the baseline by more than 5 Hz (Fig 3A/B criterion).
std::set<std::string> persistent(const std::vector<double>& delay, const std::vector<double>& base) {
    std::set<std::string> s;
    for (std::size_t i = 0; i < data().n; ++i)
        if (delay[i] - base[i] > 5.0) s.insert(data().names[i]);
    return s;
}

std::set<std::string> split_names(const std::string& s) {
    std::set<std::string> out;
    std::istringstream ss(s);
    for (std::string w; ss >> w;) out.insert(w);
    return out;
}

std::string join(const std::set<std::string>& s) {
    std::string out;
    for (const auto& x : s) out += (out.empty() ? "" : " ") + x;
    return out;
}

/// reference_results_computed.csv, by column name, in area order.
std::map<std::string, std::vector<double>> reference() {
    const csv_table t = read_csv(kDir + "reference_results_computed.csv");
    std::map<std::string, std::vector<double>> out;
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
        if (t.columns[c] == "area") {
            for (std::size_t r = 0; r < t.cells.size(); ++r) EXPECT_EQ(t.cells[r][c], data().names[r]);
            continue;
        }
        for (std::size_t r = 0; r < t.cells.size(); ++r) out[t.columns[c]].push_back(t.number(r, c));
    }
    return out;
}

/// |ours - ref| within the rounding of the table plus 0.05 Hz or 0.5 %.
double tolerance(double ref) { return std::max(0.05, 0.005 * std::abs(ref)); }

struct worst {
    double diff = -1;
    std::string where;
    void add(double ours, double ref, const std::string& w) {
        if (std::abs(ours - ref) > diff) {
            diff = std::abs(ours - ref);
            where = w;
        }
    }
};

}  // namespace

// ---- names, parameters, modulator -------------------------------------------------------------------------

TEST(FroudistWalsh, NamesParametersAndModulator) {
    const circuit_info& info = froudist_walsh_info();
    EXPECT_EQ(info.type, "froudist_walsh");
    std::map<std::string, double> def(info.defaults.begin(), info.defaults.end());
    EXPECT_EQ(def.size(), info.defaults.size()) << "duplicate parameter names";
    EXPECT_EQ(def.at("dopamine"), 1.5);
    EXPECT_EQ(def.at("noise_sigma_nA"), 0.0);
    EXPECT_EQ(def.at("noise_tau_ms"), 2.0);
    EXPECT_EQ(def.at("stp"), 0.0);
    EXPECT_EQ(def.at("stp_tau_u_s"), 1.5);
    EXPECT_EQ(def.at("stp_tau_x_s"), 0.2);
    EXPECT_EQ(def.at("stp_U"), 0.2);
    EXPECT_EQ(def.at("mu_EE"), 1.45);
    EXPECT_EQ(def.at("mu_IE"), 2.24);
    EXPECT_EQ(def.at("tau_nmda_ms"), 60.0);
    EXPECT_EQ(def.at("I_bg_e_nA"), 0.31);
    EXPECT_EQ(def.at("I_bg_dend_nA"), 0.03);
    EXPECT_EQ(def.at("I_bg_i_nA"), 0.3);

    // n = 0: names only, no data needed
    model_spec bare;
    bare.circuit = "froudist_walsh";
    bare.run.dt_ms = kDt;
    froudist_walsh_circuit c0(bare, 0, 0);
    EXPECT_EQ(c0.n_local(), 0u);
    const std::vector<std::string> rates = {"E1", "E2", "PV", "SST1", "SST2", "VIP1", "VIP2"};
    ASSERT_EQ(c0.recorded().size(), rates.size());
    for (std::size_t p = 0; p < rates.size(); ++p) EXPECT_EQ(c0.variables()[c0.recorded()[p]], rates[p]);
    for (const char* v : {"S_NMDA_E1", "S_NMDA_E2", "S_AMPA_E1", "S_AMPA_E2", "S_GABA_PV", "S_GABA_dend_SST2",
                          "S_adapt_E1", "I_noise_E1", "I_noise_VIP2"})
        EXPECT_NE(c0.find_variable(v), circuit::npos) << v;
    EXPECT_EQ(c0.find_variable("u_E1"), circuit::npos);
    EXPECT_EQ(c0.input_channels(),
              (std::vector<std::string>{"sup_NMDA_1", "sup_NMDA_2", "sup_AMPA_1", "sup_AMPA_2", "deep_NMDA_1",
                                        "deep_NMDA_2", "deep_AMPA_1", "deep_AMPA_2"}));
    EXPECT_EQ(c0.stimulus_ports(),
              (std::vector<std::string>{"E1_dend", "E2_dend", "E1", "E2", "PV", "SST1", "SST2", "VIP1", "VIP2"}));
    EXPECT_EQ(c0.modulators(), std::vector<std::string>{"dopamine"});
    c0.step({0, nullptr, nullptr});  // nothing to do, must not crash

    model_spec bare_stp = bare;
    bare_stp.circuit_params = {{"stp", 1.0}};
    froudist_walsh_circuit c0s(bare_stp, 0, 0);
    for (const char* v : {"u_E1", "u_E2", "x_E1", "x_E2", "S_NMDA_E1_nostp", "S_AMPA_E2_nostp"})
        EXPECT_NE(c0s.find_variable(v), circuit::npos) << v;
    EXPECT_EQ(c0s.input_channels().size(), 12u);
    EXPECT_EQ(c0s.input_channels().back(), "deep_AMPA_2_nostp");

    // initial state (docs/models.md, froudist_walsh "Populations and variables"): rates 5 Hz, everything else 0
    froudist_walsh_circuit c(make_spec(), 0, data().n);
    for (std::size_t v = 0; v < c.variables().size(); ++v)
        for (std::size_t i = 0; i < c.n_local(); ++i)
            EXPECT_EQ(c.var(v)[i], v < rates.size() ? 5.0 : 0.0) << c.variables()[v];

    EXPECT_EQ(c.modulator("dopamine"), 1.5);
    c.set_modulator("dopamine", 0.25);
    EXPECT_EQ(c.modulator("dopamine"), 0.25);
    EXPECT_THROW(c.set_modulator("serotonin", 1.0), config_error);
    EXPECT_THROW(c.modulator("serotonin"), config_error);

    // missing data is an error naming the gradient
    model_spec no_grad = make_spec();
    no_grad.gradients.erase(no_grad.gradients.begin() + 1);  // "d1r"
    EXPECT_THROW(froudist_walsh_circuit(no_grad, 0, 40), config_error);
    model_spec no_stp = make_spec({{"stp", 1.0}});
    no_stp.gradients.resize(2);
    EXPECT_THROW(froudist_walsh_circuit(no_stp, 0, 40), config_error);
    EXPECT_THROW(froudist_walsh_circuit(make_spec({{"stp", 0.5}}), 0, 40), config_error);
}

TEST(FroudistWalsh, DopamineSetsTheD1EffectsPerArea) {
    // docs/models.md, froudist_walsh "Dopamine": occ = sigma(DA; 1, 2) = 0.731 at DA 1.5; m = 1 + 0.6 sigma(occ d; 0.35, 10);
    // g_e_pv = -0.4 + occ d 0.399; g_e_sst = -0.09 - 0.02 occ d; E adaptation -0.004 - 0.5 sigma(occ d; 0.85, 14)
    froudist_walsh_circuit c(make_spec(), 0, data().n);
    const auto d = minmax(data().d1r, 0.0, 1.0);
    auto sig = [](double x, double mid, double s) { return std::exp(s * (x - mid)) / (1 + std::exp(s * (x - mid))); };
    for (double da : {1.5, 0.0, 1.0, 2.0, 4.0}) {
        c.set_modulator("dopamine", da);
        const double occ = sig(da, 1.0, 2.0);
        if (da == 1.5) {
            EXPECT_NEAR(occ, 0.7311, 1e-4);
        }
        for (std::size_t i = 0; i < data().n; ++i) {
            const double s = occ * d[i];
            EXPECT_NEAR(c.nmda_gain(i), 1.0 + 0.6 * sig(s, 0.35, 10.0), 1e-14);
            EXPECT_NEAR(c.g_e_pv(i), -0.4 + s * (-0.001 + 0.4), 1e-14);
            EXPECT_NEAR(c.g_e_sst(i), -0.09 + s * (-0.11 + 0.09), 1e-14);
            EXPECT_NEAR(c.g_adapt_e(i), -0.004 - 0.5 * sig(s, 0.85, 14.0), 1e-14);
        }
    }
    // the D1 gradient: V1 (lowest D1R) is unaffected by dopamine, 7A (highest) most
    EXPECT_NEAR(c.g_e_pv(area_index("V1")), -0.4, 1e-15);
    EXPECT_NEAR(c.g_e_pv(area_index("7A")), -0.4 + sig(4.0, 1.0, 2.0) * 0.399, 1e-14);
}

// ---- the main result at DA = 1.5 ---------------------------------------------------------------------------

TEST(FroudistWalsh, ReproducesReferenceTableAtDopamine15) {
    froudist_walsh_circuit c(make_spec(), 0, data().n);
    const trial t = run(c);
    const auto ref = reference();
    const auto& names = data().names;
    worst w_base, w_peak, w_delay, w_delay2;
    for (std::size_t i = 0; i < data().n; ++i) {
        const double rb = ref.at("baseline_E1_Hz(0.5-1.0s)")[i], rp = ref.at("cue_peak_E1_Hz(1.0-1.4s)")[i];
        const double rd = ref.at("delay_E1_Hz(4.5-5.0s)")[i], rd2 = ref.at("delay_E2_Hz(4.5-5.0s)")[i];
        EXPECT_NEAR(t.base_E1[i], rb, 0.01) << names[i] << " baseline";
        EXPECT_NEAR(t.peak_E1[i], rp, tolerance(rp)) << names[i] << " cue peak";
        EXPECT_NEAR(t.delay_E1[i], rd, tolerance(rd)) << names[i] << " delay E1";
        EXPECT_NEAR(t.delay_E2[i], rd2, tolerance(rd2)) << names[i] << " delay E2";
        w_base.add(t.base_E1[i], rb, names[i]);
        w_peak.add(t.peak_E1[i], rp, names[i]);
        w_delay.add(t.delay_E1[i], rd, names[i]);
        w_delay2.add(t.delay_E2[i], rd2, names[i]);
    }
    std::printf("[ reference ] worst |diff| baseline %.4f Hz (%s), cue peak %.4f Hz (%s), delay E1 %.4f Hz (%s), "
                "delay E2 %.4f Hz (%s)\n",
                w_base.diff, w_base.where.c_str(), w_peak.diff, w_peak.where.c_str(), w_delay.diff,
                w_delay.where.c_str(), w_delay2.diff, w_delay2.where.c_str());
    const std::size_t v1 = area_index("V1");
    EXPECT_NEAR(t.peak_E1[v1], 22.85, 0.05);
    EXPECT_NEAR(t.delay_E1[area_index("24c")], 28.50, 0.05);
    for (std::size_t i = 0; i < data().n; ++i) {
        EXPECT_GT(t.base_E1[i], 0.35) << names[i];
        EXPECT_LT(t.base_E1[i], 0.75) << names[i];
    }

    // (2) the persistent set: 23 areas, the model column of the table, all 12 areas of the literature
    const std::set<std::string> pers = persistent(t.delay_E1, t.base_E1);
    std::set<std::string> ref_pers;
    for (std::size_t i = 0; i < data().n; ++i)
        if (ref.at("persistent_model(delay-baseline>5Hz)")[i] == 1.0) ref_pers.insert(names[i]);
    EXPECT_EQ(pers.size(), 23u) << join(pers);
    EXPECT_EQ(pers, ref_pers) << "ours: " << join(pers) << "\nref:  " << join(ref_pers);
    const csv_table lit = read_csv(kDir + "literature_delay_activity_reports_40.csv");
    std::set<std::string> experimental;
    for (std::size_t r = 0; r < lit.cells.size(); ++r) {
        if (lit.cells[r][lit.column("positive_reports")] == "NA") continue;  // no studies
        const double pos = lit.number(r, lit.column("positive_reports"));
        const double neg = lit.number(r, lit.column("negative_reports"));
        if (pos - neg > 2) experimental.insert(lit.cells[r][lit.column("area")]);
    }
    EXPECT_EQ(experimental.size(), 12u);
    for (const auto& a : experimental) EXPECT_TRUE(pers.count(a)) << a << " is persistent in the literature";
    for (const char* a : {"V1", "V2", "V4", "MT", "1", "3", "2", "5", "F1"})
        EXPECT_FALSE(pers.count(a)) << a << ": no early sensory / somatomotor area persists";
    // the distractor column stays silent
    for (std::size_t i = 0; i < data().n; ++i) EXPECT_LT(t.delay_E2[i], 1.0) << names[i];
}

// ---- the inverted U ------------------------------------------------------------------------------------------

TEST(FroudistWalsh, DopamineSweepIsAnInvertedU) {
    const csv_table sweep = read_csv(kDir + "da_sweep_computed.csv");
    ASSERT_EQ(sweep.corner, "da_rel");
    const std::size_t cn = sweep.column("n_areas_persistent_cue_only"), ca = sweep.column("areas_persistent_cue_only");
    std::vector<std::size_t> counts;
    for (std::size_t r = 0; r < sweep.cells.size(); ++r) {
        const double da = std::stod(sweep.row_labels[r]);
        // every other level through the parameter, the others through the modulator of a DA = 1.5 circuit
        froudist_walsh_circuit c(make_spec(r % 2 ? std::vector<std::pair<std::string, double>>{{"dopamine", da}}
                                                 : std::vector<std::pair<std::string, double>>{}),
                                 0, data().n);
        if (r % 2 == 0) c.set_modulator("dopamine", da);
        ASSERT_EQ(c.modulator("dopamine"), da);
        const trial t = run(c);
        const std::set<std::string> pers = persistent(t.delay_E1, t.base_E1);
        const std::set<std::string> expected = split_names(sweep.cells[r][ca]);
        EXPECT_EQ(pers.size(), static_cast<std::size_t>(sweep.number(r, cn))) << "DA " << da;
        EXPECT_EQ(pers, expected) << "DA " << da << "\nours: " << join(pers) << "\nref:  " << join(expected);
        counts.push_back(pers.size());
        std::printf("[ DA sweep  ] DA %.1f: %zu persistent areas\n", da, pers.size());
    }
    // inverted U: none at low DA, a maximum at DA = 1.5, none at high DA
    ASSERT_EQ(counts.size(), 8u);
    EXPECT_EQ(*std::max_element(counts.begin(), counts.end()), counts[3]);
    EXPECT_EQ(counts.front(), 0u);
    EXPECT_EQ(counts.back(), 0u);
}

TEST(FroudistWalsh, ModulatorEqualsParameter) {
    // set_modulator before the run gives exactly the trajectory of a circuit built with that dopamine level
    froudist_walsh_circuit a(make_spec({{"dopamine", 2.0}}), 0, data().n);
    froudist_walsh_circuit b(make_spec(), 0, data().n);
    b.set_modulator("dopamine", 0.0);
    b.set_modulator("dopamine", 2.0);
    run_options o;
    o.steps = 3000;
    run(a, o);
    run(b, o);
    EXPECT_EQ(a.state(), b.state());
}

// ---- distractors -----------------------------------------------------------------------------------------------

TEST(FroudistWalsh, DistractorResistanceNeedsIntermediateDopamine) {
    const auto ref = reference();
    const auto& names = data().names;
    const csv_table sweep = read_csv(kDir + "da_sweep_computed.csv");
    const std::size_t ca = sweep.column("areas_persistent_cue_only"), cd = sweep.column("areas_distractor_E2_persists");
    for (double da : {1.0, 1.5, 2.0}) {
        std::size_t r = 0;
        while (std::stod(sweep.row_labels[r]) != da) ++r;
        froudist_walsh_circuit c(make_spec({{"dopamine", da}}), 0, data().n);
        run_options o;
        o.distractor = true;
        const trial t = run(c, o);
        const std::set<std::string> cue_only = split_names(sweep.cells[r][ca]);
        const std::set<std::string> e2 = persistent(t.delay_E2, t.base_E2);
        const std::set<std::string> e1 = persistent(t.delay_E1, t.base_E1);
        EXPECT_EQ(e2, split_names(sweep.cells[r][cd])) << "DA " << da << ": areas where the distractor persists";
        if (da == 1.5) {
            // distractor-resistant: the cue memory survives in all 23 areas, the distractor column stays silent
            EXPECT_EQ(e1, cue_only);
            EXPECT_TRUE(e2.empty()) << join(e2);
            for (std::size_t i = 0; i < data().n; ++i) {
                const double r1 = ref.at("delay_E1_with_distractor")[i], r2 = ref.at("delay_E2_with_distractor")[i];
                EXPECT_NEAR(t.delay_E1[i], r1, tolerance(r1)) << names[i];
                EXPECT_NEAR(t.delay_E2[i], r2, tolerance(r2)) << names[i];
            }
        } else {
            // distractible: the distractor overwrites the memory in every persistent area
            EXPECT_FALSE(cue_only.empty());
            EXPECT_EQ(e2, cue_only) << "DA " << da;
            EXPECT_TRUE(e1.empty()) << "DA " << da << ": cue memory left in " << join(e1);
        }
        std::printf("[ distractor ] DA %.1f: cue memory in %zu areas, distractor in %zu areas\n", da, e1.size(),
                    e2.size());
    }
}

// ---- noise -------------------------------------------------------------------------------------------------------

TEST(FroudistWalsh, NoiseKeepsThePersistentSet) {
    froudist_walsh_circuit c(make_spec({{"noise_sigma_nA", 0.005}}, 0), 0, data().n);
    run_options o;
    o.record_noise = true;
    const trial t = run(c, o);
    const auto ref = reference();
    std::set<std::string> ref_pers;
    worst w;
    for (std::size_t i = 0; i < data().n; ++i) {
        if (ref.at("persistent_model(delay-baseline>5Hz)")[i] == 1.0) ref_pers.insert(data().names[i]);
        // another noise stream than the reference's: the rates agree only roughly
        EXPECT_NEAR(t.delay_E1[i], ref.at("delay_E1_Hz_with_noise_seed0")[i], 1.5) << data().names[i];
        w.add(t.delay_E1[i], ref.at("delay_E1_Hz_with_noise_seed0")[i], data().names[i]);
    }
    EXPECT_EQ(persistent(t.delay_E1, t.base_E1), ref_pers);
    std::printf("[ noise     ] sigma 0.005 nA, seed 0: %zu persistent areas; worst |delay - reference (other noise "
                "stream)| %.2f Hz (%s)\n",
                persistent(t.delay_E1, t.base_E1).size(), w.diff, w.where.c_str());
    // the OU current of the authors' code, I <- I (1 - k) + sigma sqrt(k) eta with k = dt / tau = 0.25, has the
    // stationary standard deviation sigma / sqrt(2 - k)
    const auto& x = t.trace_noise_E1;
    double mean = 0, var = 0;
    for (std::size_t k = 100; k < x.size(); ++k) mean += x[k];
    mean /= double(x.size() - 100);
    for (std::size_t k = 100; k < x.size(); ++k) var += (x[k] - mean) * (x[k] - mean);
    const double sd = std::sqrt(var / double(x.size() - 101));
    EXPECT_NEAR(sd, 0.005 / std::sqrt(1.75), 0.05 * 0.005 / std::sqrt(1.75));
    EXPECT_NEAR(mean, 0.0, 3e-4);
}

TEST(FroudistWalsh, NoiseDependsOnlyOnSeedAreaPopulationAndStep) {
    // Circuits holding areas [10, 20) and [3, 12) only (an odd first area shifts every area's position in the
    // arrays), fed the same channel inputs as the full circuit, follow bit for bit the same trajectory: the noise
    // and the arithmetic of an area do not depend on which rank holds it.
    const auto spec = make_spec({{"noise_sigma_nA", 0.005}}, 7);
    const std::size_t n = data().n;
    froudist_walsh_circuit full(spec, 0, n);
    const auto src = channel_sources(full);
    struct part {
        std::size_t b, nb;
        froudist_walsh_circuit c;
        std::vector<std::vector<double>> lr, st;
        std::vector<const double*> pl, ps;
    };
    std::vector<part> parts;
    for (auto [b, nb] : {std::pair<std::size_t, std::size_t>{10, 10}, {3, 9}})
        parts.push_back({b,
                         nb,
                         froudist_walsh_circuit(spec, b, nb),
                         std::vector<std::vector<double>>(src.size(), std::vector<double>(nb)),
                         std::vector<std::vector<double>>(9, std::vector<double>(nb, 0.0)),
                         {},
                         {}});
    for (auto& p : parts) {
        for (auto& v : p.lr) p.pl.push_back(v.data());
        for (auto& v : p.st) p.ps.push_back(v.data());
    }
    std::vector<std::vector<double>> lr_full(src.size(), std::vector<double>(n)),
        st_full(9, std::vector<double>(n, 0.0));
    std::vector<const double*> pf, sf;
    for (auto& v : lr_full) pf.push_back(v.data());
    for (auto& v : st_full) sf.push_back(v.data());
    const std::size_t nv = full.variables().size();
    for (std::int64_t k = 0; k < 3000; ++k) {
        long_range(full, src, 0, n, lr_full);
        for (auto& p : parts) long_range(full, src, p.b, p.nb, p.lr);
        st_full[0][0] = (k >= kCueOn && k < kCueOff) ? kCue : 0.0;  // cue into V1, not a local area of a part
        full.step({k, pf.data(), sf.data()});
        for (auto& p : parts) {
            p.c.step({k, p.pl.data(), p.ps.data()});
            for (std::size_t v = 0; v < nv; ++v)
                for (std::size_t i = 0; i < p.nb; ++i)
                    ASSERT_EQ(p.c.var(v)[i], full.var(v)[p.b + i])
                        << full.variables()[v] << " area " << p.b + i << " step " << k;
        }
    }
    EXPECT_GT(full.var(full.find_variable("E1"))[area_index("8l")], 5.0) << "the cue reached the parts";
    // the deviates are noise_normals(seed, global area, p / 4, step)[p % 4]: check the first step by hand
    froudist_walsh_circuit one(spec, 13, 1);
    std::vector<std::vector<double>> z(src.size(), std::vector<double>(1, 0.0)), zs(9, std::vector<double>(1, 0.0));
    std::vector<const double*> pz, psz;
    for (auto& v : z) pz.push_back(v.data());
    for (auto& v : zs) psz.push_back(v.data());
    one.step({5, pz.data(), psz.data()});
    const char* pops[] = {"I_noise_E1",   "I_noise_E2",   "I_noise_PV",  "I_noise_SST1",
                          "I_noise_SST2", "I_noise_VIP1", "I_noise_VIP2"};
    for (std::uint32_t p = 0; p < 7; ++p) {
        const double eta = noise_normals(key_of(7), 13, p / 4, 5)[p % 4];
        EXPECT_DOUBLE_EQ(one.var(one.find_variable(pops[p]))[0], 0.005 * std::sqrt(0.25) * eta) << pops[p];
    }
    // another seed, other numbers
    froudist_walsh_circuit other(make_spec({{"noise_sigma_nA", 0.005}}, 8), 13, 1);
    other.step({5, pz.data(), psz.data()});
    EXPECT_NE(other.var(other.find_variable("I_noise_E1"))[0], one.var(one.find_variable("I_noise_E1"))[0]);
}

// ---- short-term plasticity (Fig 4) ---------------------------------------------------------------------------------

namespace {

/// Runs the STP circuit for `steps` steps; `cue(k, port)` gives the V1 input of a dendrite port at step k.
/// Returns the max of E1 and E2 over [from, to) and the mean over [mfrom, mto), per area.
struct stp_trace {
    std::vector<double> peak1, peak2, mean1, mean2;
};
template <class Stim>
stp_trace run_stp(froudist_walsh_circuit& c, std::int64_t steps, Stim stim, std::int64_t from, std::int64_t to,
                  std::int64_t mfrom, std::int64_t mto) {
    const std::size_t n = data().n;
    const auto src = channel_sources(c);
    std::vector<std::vector<double>> lr(src.size(), std::vector<double>(n)), st(9, std::vector<double>(n, 0.0));
    std::vector<const double*> pl, ps;
    for (auto& v : lr) pl.push_back(v.data());
    for (auto& v : st) ps.push_back(v.data());
    stp_trace t;
    for (auto* v : {&t.peak1, &t.peak2, &t.mean1, &t.mean2}) v->assign(n, 0.0);
    const double *e1 = c.var(c.find_variable("E1")), *e2 = c.var(c.find_variable("E2"));
    for (std::int64_t k = 0; k < steps; ++k) {
        long_range(c, src, 0, n, lr);
        st[0][0] = stim(k, 0);  // V1 E1_dend
        st[1][0] = stim(k, 1);  // V1 E2_dend
        c.step({k, pl.data(), ps.data()});
        const std::int64_t s = k + 1;  // state index
        for (std::size_t i = 0; i < n; ++i) {
            if (s >= from && s < to) {
                t.peak1[i] = std::max(t.peak1[i], e1[i]);
                t.peak2[i] = std::max(t.peak2[i], e2[i]);
            }
            if (s >= mfrom && s < mto) {
                t.mean1[i] += e1[i] / double(mto - mfrom);
                t.mean2[i] += e2[i] / double(mto - mfrom);
            }
        }
    }
    return t;
}

}  // namespace

TEST(FroudistWalsh, ShortTermPlasticityVariant) {
    const std::size_t n = data().n;
    const std::size_t fef_a = area_index("8m"), fef_b = area_index("8l");
    // (a) u and x start from the authors' DA = 0 baseline (model_outputs_baseline_STP_DA0.csv): at DA 0 without
    // input the kernel stays close to it. Exception: FEF (8m, 8l), whose u settles ~0.012 higher - that file was
    // evidently computed without FEF's own long-range interneuron mix, which the Fig 4 notebook does use.
    {
        froudist_walsh_circuit c(make_spec({{"stp", 1.0}, {"mu_EE", 1.5}, {"dopamine", 0.0}}), 0, n);
        ASSERT_TRUE(c.stp());
        ASSERT_EQ(c.input_channels().size(), 12u);
        for (std::size_t i = 0; i < n; ++i) {
            EXPECT_EQ(c.var(c.find_variable("u_E2"))[i], data().stp_u0[i]);
            EXPECT_EQ(c.var(c.find_variable("x_E1"))[i], data().stp_x0[i]);
        }
        run_stp(
            c, 20000, [](std::int64_t, int) { return 0.0; }, 0, 0, 0, 0);
        const double *u = c.var(c.find_variable("u_E1")), *x = c.var(c.find_variable("x_E2"));
        double du = 0, dx = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const bool fef = i == fef_a || i == fef_b;
            EXPECT_NEAR(u[i], data().stp_u0[i], fef ? 0.02 : 0.006) << data().names[i];
            EXPECT_NEAR(x[i], data().stp_x0[i], fef ? 0.01 : 0.003) << data().names[i];
            if (!fef) du = std::max(du, std::abs(u[i] - data().stp_u0[i]));
            if (!fef) dx = std::max(dx, std::abs(x[i] - data().stp_x0[i]));
        }
        std::printf("[ STP       ] 10 s at DA 0 (no FEF): max |u - u0| %.4f, max |x - x0| %.4f\n", du, dx);
    }
    // (b) Fig 4A: DA 0.5, mu_EE 1.5, cue 11.0-11.4 s into V1 E1 dendrite, non-selective ping 12.0-12.4 s into both
    // V1 dendrites. No persistent activity at this dopamine level, but the cued column stays facilitated
    // (activity-silent memory) and the ping reactivates the cued item only; without the cue the ping is symmetric.
    const std::int64_t cue_on = 22000, cue_off = 22799, ping_on = 24000, ping_off = 24799, end = 25000;
    std::vector<double> u1(n), u2(n);
    stp_trace with_cue, no_cue;
    for (bool cue : {true, false}) {
        froudist_walsh_circuit c(make_spec({{"stp", 1.0}, {"mu_EE", 1.5}, {"dopamine", 0.5}}), 0, n);
        auto stim = [&](std::int64_t k, int port) {
            const bool ping = k >= ping_on && k < ping_off;
            return (ping || (cue && port == 0 && k >= cue_on && k < cue_off)) ? kCue : 0.0;
        };
        (cue ? with_cue : no_cue) = run_stp(c, ping_on, stim, 0, 0, 23000, ping_on);  // mean over the delay
        if (cue) {
            std::copy(c.var(c.find_variable("u_E1")), c.var(c.find_variable("u_E1")) + n, u1.begin());
            std::copy(c.var(c.find_variable("u_E2")), c.var(c.find_variable("u_E2")) + n, u2.begin());
        }
        auto& t = cue ? with_cue : no_cue;
        const stp_trace p = run_stp(
            c, end - ping_on, [&](std::int64_t k, int port) { return stim(k + ping_on, port); }, 0, end - ping_on, 0,
            0);
        t.peak1 = p.peak1;
        t.peak2 = p.peak2;
    }
    std::set<std::string> silent_memory, reactivated;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string& a = data().names[i];
        EXPECT_LT(with_cue.mean1[i], 1.0) << a << ": no persistent activity at DA 0.5";
        if (u1[i] > u2[i] + 0.01) silent_memory.insert(a);
        if (with_cue.peak1[i] > 10.0 && with_cue.peak2[i] < 1.0) reactivated.insert(a);
        EXPECT_NEAR(no_cue.peak1[i], no_cue.peak2[i], 1e-9) << a << ": without a cue the ping is symmetric";
    }
    const std::size_t v1 = area_index("V1");
    EXPECT_GT(u1[v1] - u2[v1], 0.2) << "the cue facilitates the cued column of V1";
    EXPECT_GE(silent_memory.size(), 10u) << join(silent_memory);
    EXPECT_GE(reactivated.size(), 10u) << join(reactivated);
    for (const char* a : {"9/46d", "45A", "8B", "F7", "24c"}) EXPECT_TRUE(reactivated.count(a)) << a;
    std::printf("[ STP       ] facilitated at 12 s: %zu areas; the ping reactivates the cue only in %zu areas: %s\n",
                silent_memory.size(), reactivated.size(), join(reactivated).c_str());
}
