#include "cortexsim/dynamics/circuits/froudist_walsh.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "cortexsim/common/errors.hpp"

// Froudist-Walsh et al. 2021 (docs/models.md, circuit froudist_walsh; authors' code seanfw/dopamine-dist-wm, notebook
// Fig_2_3_5_Large_scale_visualWM_DA.ipynb, and Fig_4A_..._STP_CuePing.ipynb for the STP variant).
// Equations as implemented, with their units, in docs/models.md, circuit froudist_walsh.

namespace cortexsim {

const circuit_info& froudist_walsh_info() {
    static const circuit_info info{
        "froudist_walsh",
        {
            // dopamine release level (a.u.; modulator "dopamine"): D1 occupancy = sigma(DA; 1, 2)
            {"dopamine", 1.5},
            // OU noise on every somatic population (0 = off; the paper's value is 0.005 nA)
            {"noise_sigma_nA", 0.0},
            {"noise_tau_ms", 2.0},
            // short-term plasticity variant of Fig 4 (0 = off, 1 = on)
            {"stp", 0.0},
            {"stp_tau_u_s", 1.5},
            {"stp_tau_x_s", 0.2},
            {"stp_U", 0.2},
            {"stp_gamma_xu", 2.5},
            // long-range scales (onto E dendrites from superficial layers, onto interneurons from deep layers)
            {"mu_EE", 1.45},
            {"mu_IE", 2.24},
            // local weights [nA]
            {"g_e_self_nA", 0.18},
            {"g_e_cross_nA", 0.0},
            {"g_pv_e_nA", 0.174},
            {"g_sst_e_self_nA", 0.0435},
            {"g_sst_e_cross_nA", 0.0435},
            {"g_vip_e_nA", 0.058},
            {"g_e_pv_min_nA", -0.001},  // PV -> E soma at full D1 stimulation (occ * d = 1)
            {"g_e_pv_max_nA", -0.4},    // PV -> E soma without D1 stimulation
            {"g_pv_self_nA", -0.18},
            {"g_e_sst_min_nA", -0.09},  // SST_k -> E_k dendrite without D1 stimulation
            {"g_e_sst_max_nA", -0.11},  // SST_k -> E_k dendrite at full D1 stimulation
            {"g_pv_sst_nA", -0.17},
            {"g_vip_sst_nA", -0.1},
            {"g_sst_vip_nA", -0.05},
            // time constants [ms]
            {"tau_rate_ms", 2.0},
            {"tau_nmda_ms", 60.0},
            {"tau_ampa_ms", 2.0},
            {"tau_gaba_ms", 5.0},
            {"tau_gaba_dend_ms", 10.0},
            {"tau_adapt_ms", 100.0},
            // synaptic rise factors (times a rate in Hz)
            {"gamma_nmda", 1.282},
            {"gamma_ampa", 5.0},
            {"gamma_gaba", 2.0},
            // AMPA fraction of excitatory input (NMDA fraction = 1 - it)
            {"ampa_frac", 0.1},
            {"ampa_frac_pv", 0.2},
            // background currents [nA]
            {"I_bg_e_nA", 0.31},
            {"I_bg_dend_nA", 0.03},
            {"I_bg_i_nA", 0.3},
            // dendrite -> soma current (Eq 36)
            {"c1_nA", 0.12},
            {"c2_nA", 0.13624},
            {"c3", 7.0},
            {"c4_nA", 0.0},
            {"c5_nA", 0.00964},
            {"c6_nA", 0.02},
            // adaptation strengths [nA per (Hz s)]
            {"g_adapt_e_nA", -0.004},
            {"g_adapt_sst_nA", -0.004},
            {"g_adapt_vip_nA", -0.004},
            // E transfer function (Abbott & Chance 2005)
            {"a_e_Hz_per_nA", 135.0},
            {"b_e_Hz", 54.0},
            {"d_e_s", 0.308},
            // interneuron threshold-linear transfer functions
            {"c_pv_Hz_per_nA", 330.0},
            {"r0_pv_Hz", -95.0},
            {"c_sst_Hz_per_nA", 132.0},
            {"r0_sst_Hz", -33.0},
            {"c_vip_Hz_per_nA", 132.0},
            {"r0_vip_Hz", -33.0},
            // long-range target fractions [nA per unit W S]; FEF (areas 8m, 8l) has its own interneuron mix
            {"lr_e_self_dend_nA", 0.9},
            {"lr_e_cross_dend_nA", 0.1},
            {"lr_pv_e_nA", 0.31},
            {"lr_sst_e_self_nA", 0.22},
            {"lr_vip_e_self_nA", 0.47},
            {"lr_pv_e_fef_nA", 0.2},
            {"lr_sst_e_self_fef_nA", 0.1},
            {"lr_vip_e_self_fef_nA", 0.7},
            // dopamine: occupancy sigmoid, NMDA gain, M-current
            {"d1occ_midpoint", 1.0},
            {"d1occ_slope", 2.0},
            {"nmda_da_midpoint", 0.35},
            {"nmda_da_slope", 10.0},
            {"nmda_da_gain", 0.6},
            {"m_midpoint", 0.85},
            {"m_slope", 14.0},
            {"g_m_nA", -0.5},
            // initial rate of every somatic population [Hz]
            {"r_init_Hz", 5.0},
        }};
    return info;
}

namespace {

/// Logistic sigmoid of the authors' code, e^{s(x-m)} / (1 + e^{s(x-m)}), written without overflow.
double sigmoid(double x, double midpoint, double slope) { return 1.0 / (1.0 + std::exp(-slope * (x - midpoint))); }

std::vector<std::string> variable_names(bool stp) {
    std::vector<std::string> v = {"E1",
                                  "E2",
                                  "PV",
                                  "SST1",
                                  "SST2",
                                  "VIP1",
                                  "VIP2",
                                  "S_NMDA_E1",
                                  "S_NMDA_E2",
                                  "S_AMPA_E1",
                                  "S_AMPA_E2",
                                  "S_GABA_PV",
                                  "S_GABA_SST1",
                                  "S_GABA_SST2",
                                  "S_GABA_VIP1",
                                  "S_GABA_VIP2",
                                  "S_GABA_dend_SST1",
                                  "S_GABA_dend_SST2",
                                  "S_adapt_E1",
                                  "S_adapt_E2",
                                  "S_adapt_SST1",
                                  "S_adapt_SST2",
                                  "S_adapt_VIP1",
                                  "S_adapt_VIP2",
                                  "I_noise_E1",
                                  "I_noise_E2",
                                  "I_noise_PV",
                                  "I_noise_SST1",
                                  "I_noise_SST2",
                                  "I_noise_VIP1",
                                  "I_noise_VIP2"};
    if (stp)
        for (const char* s : {"u_E1", "u_E2", "x_E1", "x_E2", "S_NMDA_E1_nostp", "S_NMDA_E2_nostp", "S_AMPA_E1_nostp",
                              "S_AMPA_E2_nostp"})
            v.emplace_back(s);
    return v;
}

std::vector<std::string> channel_names(bool stp) {
    std::vector<std::string> c = {"sup_NMDA_1",  "sup_NMDA_2",  "sup_AMPA_1",  "sup_AMPA_2",
                                  "deep_NMDA_1", "deep_NMDA_2", "deep_AMPA_1", "deep_AMPA_2"};
    if (stp)
        for (const char* s : {"deep_NMDA_1_nostp", "deep_NMDA_2_nostp", "deep_AMPA_1_nostp", "deep_AMPA_2_nostp"})
            c.emplace_back(s);
    return c;
}

std::vector<double> required_gradient(const model_spec& m, const std::string& name, const char* what) {
    std::vector<double> g;
    try {
        g = gradient_values(m, name);
    } catch (const config_error&) {
        throw config_error("circuit 'froudist_walsh' needs the gradient '" + name + "' (" + what + ")");
    }
    if (g.size() != m.areas.size())
        throw config_error("circuit 'froudist_walsh': gradient '" + name + "' has " + std::to_string(g.size()) +
                           " values for " + std::to_string(m.areas.size()) + " areas");
    return g;
}

}  // namespace

namespace {
[[noreturn]] void fail(const std::string& what) { throw config_error("circuit 'froudist_walsh': " + what); }
}  // namespace

circuit_names froudist_walsh_circuit::names(const model_spec& m) {
    const bool stp = circuit_parameter(m, froudist_walsh_info(), "stp") == 1.0;
    return {variable_names(stp),
            {"E1", "E2", "PV", "SST1", "SST2", "VIP1", "VIP2"},
            channel_names(stp),
            {"E1_dend", "E2_dend", "E1", "E2", "PV", "SST1", "SST2", "VIP1", "VIP2"},
            {"dopamine"}};
}

void froudist_walsh_circuit::check(const model_spec& m) {
    const circuit_info& info = froudist_walsh_info();
    auto P = [&](const char* name) { return circuit_parameter(m, info, name); };
    const double stp = P("stp");
    if (stp != 0.0 && stp != 1.0) fail("parameter 'stp' must be 0 or 1");
    if (P("noise_sigma_nA") < 0.0) fail("noise_sigma_nA must be >= 0");
    const double dt = m.run.dt_ms;
    if (!(dt > 0.0)) fail("run.dt_ms must be positive");
    for (const char* tau : {"tau_rate_ms", "tau_nmda_ms", "tau_ampa_ms", "tau_gaba_ms", "tau_gaba_dend_ms",
                            "tau_adapt_ms", "noise_tau_ms"})
        if (!(P(tau) > dt))
            throw config_error(std::string("froudist_walsh circuit: ") + tau + " = " + std::to_string(P(tau)) +
                               " must be larger than run.dt_ms = " + std::to_string(dt));
    for (const char* x : {"c5_nA", "c6_nA", "d_e_s", "stp_tau_u_s", "stp_tau_x_s"})
        if (!(P(x) != 0.0) || !std::isfinite(1.0 / P(x))) fail(std::string("parameter '") + x + "' must not be 0");
}

froudist_walsh_circuit::froudist_walsh_circuit(const model_spec& m, std::size_t begin, std::size_t n)
    : circuit(begin, n) {
    check(m);
    const circuit_info& info = froudist_walsh_info();
    auto P = [&](const char* name) { return circuit_parameter(m, info, name); };
    stp_ = P("stp") == 1.0;
    const circuit_names nm = names(m);
    declare(nm.variables, nm.recorded, nm.channels, nm.ports, nm.modulators);

    da_ = P("dopamine");
    sigma_ = P("noise_sigma_nA");
    seed_ = m.run.seed;

    g_e_self_ = P("g_e_self_nA");
    g_e_cross_ = P("g_e_cross_nA");
    g_pv_e_ = P("g_pv_e_nA");
    g_sst_e_self_ = P("g_sst_e_self_nA");
    g_sst_e_cross_ = P("g_sst_e_cross_nA");
    g_vip_e_ = P("g_vip_e_nA");
    g_e_pv_min_ = P("g_e_pv_min_nA");
    g_e_pv_max_ = P("g_e_pv_max_nA");
    g_pv_self_ = P("g_pv_self_nA");
    g_e_sst_min_ = P("g_e_sst_min_nA");
    g_e_sst_max_ = P("g_e_sst_max_nA");
    g_pv_sst_ = P("g_pv_sst_nA");
    g_vip_sst_ = P("g_vip_sst_nA");
    g_sst_vip_ = P("g_sst_vip_nA");
    ampa_frac_ = P("ampa_frac");
    ampa_frac_pv_ = P("ampa_frac_pv");
    mu_ee_ = P("mu_EE");
    mu_ie_ = P("mu_IE");
    lr_e_self_ = P("lr_e_self_dend_nA");
    lr_e_cross_ = P("lr_e_cross_dend_nA");
    occ_mid_ = P("d1occ_midpoint");
    occ_slope_ = P("d1occ_slope");
    nmda_mid_ = P("nmda_da_midpoint");
    nmda_slope_ = P("nmda_da_slope");
    nmda_gain_ = P("nmda_da_gain");
    m_mid_ = P("m_midpoint");
    m_slope_ = P("m_slope");
    g_m_ = P("g_m_nA");
    g_adapt_e_ = P("g_adapt_e_nA");
    g_ad_sst_ = P("g_adapt_sst_nA");
    g_ad_vip_ = P("g_adapt_vip_nA");
    bg_e_ = P("I_bg_e_nA");
    bg_dend_ = P("I_bg_dend_nA");
    bg_i_ = P("I_bg_i_nA");
    c1_ = P("c1_nA");
    c2_ = P("c2_nA");
    c3_ = P("c3");
    c4_ = P("c4_nA");
    inv_c5_ = 1.0 / P("c5_nA");
    inv_c6_ = 1.0 / P("c6_nA");
    a_e_ = P("a_e_Hz_per_nA");
    b_e_ = P("b_e_Hz");
    d_e_ = P("d_e_s");
    inv_d_e_ = 1.0 / d_e_;
    c_pv_ = P("c_pv_Hz_per_nA");
    r0_pv_ = P("r0_pv_Hz");
    c_sst_ = P("c_sst_Hz_per_nA");
    r0_sst_ = P("r0_sst_Hz");
    c_vip_ = P("c_vip_Hz_per_nA");
    r0_vip_ = P("r0_vip_Hz");

    // Euler constants: dt/tau for every decay, gamma * dt[s] for every rise driven by a rate in Hz.
    const double dt = m.run.dt_ms;
    dt_s_ = dt * 1e-3;
    k_rate_ = dt / P("tau_rate_ms");
    k_nmda_ = dt / P("tau_nmda_ms");
    k_ampa_ = dt / P("tau_ampa_ms");
    k_gaba_ = dt / P("tau_gaba_ms");
    k_gaba_dend_ = dt / P("tau_gaba_dend_ms");
    k_adapt_ = dt / P("tau_adapt_ms");
    gdt_nmda_ = P("gamma_nmda") * dt_s_;
    gdt_ampa_ = P("gamma_ampa") * dt_s_;
    gdt_gaba_ = P("gamma_gaba") * dt_s_;
    // OU noise of the authors' code: I <- I - I dt/tau + sigma sqrt(tau) sqrt(dt) / tau * eta
    const double k_noise = dt / P("noise_tau_ms");
    k_noise_ = k_noise;
    noise_decay_ = 1.0 - k_noise;
    noise_kick_ = sigma_ * std::sqrt(k_noise);
    U_ = P("stp_U");
    gamma_xu_ = P("stp_gamma_xu");
    k_u_ = dt_s_ / P("stp_tau_u_s");
    k_x_ = dt_s_ / P("stp_tau_x_s");

    auto resize = [&](std::initializer_list<std::vector<double>*> vs) {
        for (auto* v : vs) v->assign(n, 0.0);
    };
    resize({&e_,         &d1_,          &L_pv_,         &L_sst_,       &L_vip_,        &m_,          &g_e_pv_,
            &g_e_sst_,   &g_ad_e_,      &lN_e_self_,    &lN_e_cross_,  &lA_e_self_,    &lA_e_cross_, &lN_pv_,
            &lA_pv_,     &lN_sst_self_, &lN_sst_cross_, &lA_sst_self_, &lA_sst_cross_, &lN_vip_,     &lA_vip_,
            &rN_e_self_, &rN_e_cross_,  &rA_e_self_,    &rA_e_cross_,  &rN_pv_,        &rA_pv_,      &rN_sst_,
            &rA_sst_,    &rN_vip_,      &rA_vip_,       &zero_});
    if (stp_) resize({&stp_u0_, &stp_x0_, &xu0_g_nmda_dt_, &xu0_g_ampa_dt_});
    for (auto* v : {&dend_num_, &dend_exp_, &y_e_}) v->assign(2 * n, 0.0);
    eta_.assign(8 * n, 0.0);
    if (n == 0) return;  // names only
    if (begin + n > m.areas.size()) fail("local areas exceed the model's area count");
    init_ids(m);
    noise_area_.resize(n);
    for (std::size_t i = 0; i < n; ++i) noise_area_[i] = static_cast<std::uint32_t>(area_id(i));

    const std::vector<double> e = required_gradient(m, "excitability", "spine-count excitability e_i");
    const std::vector<double> d1 = required_gradient(m, "d1r", "normalised D1-receptor density d_i");
    // FEF (areas 8m and 8l) receives a different mix of long-range input onto its interneurons.
    const std::size_t fef_a = m.areas.find("8m"), fef_b = m.areas.find("8l");
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t g = begin + i;
        e_[i] = e[g];
        d1_[i] = d1[g];
        const bool fef = g == fef_a || g == fef_b;
        L_pv_[i] = P(fef ? "lr_pv_e_fef_nA" : "lr_pv_e_nA");
        L_sst_[i] = P(fef ? "lr_sst_e_self_fef_nA" : "lr_sst_e_self_nA");
        L_vip_[i] = P(fef ? "lr_vip_e_self_fef_nA" : "lr_vip_e_self_nA");
    }
    if (stp_) {
        // Fig 4: u and x start from their DA = 0 baseline; the gates onto PV and VIP have no STP and use these
        // baseline values for ever (the authors' s_*_nostp).
        const std::vector<double> u0 = required_gradient(m, "stp_u0", "STP: baseline facilitation u per area");
        const std::vector<double> x0 = required_gradient(m, "stp_x0", "STP: baseline resources x per area");
        for (std::size_t i = 0; i < n; ++i) {
            stp_u0_[i] = u0[begin + i];
            stp_x0_[i] = x0[begin + i];
            xu0_g_nmda_dt_[i] = gamma_xu_ * stp_x0_[i] * stp_u0_[i] * gdt_nmda_;
            xu0_g_ampa_dt_[i] = gamma_xu_ * stp_x0_[i] * stp_u0_[i] * gdt_ampa_;
        }
    }
    update_dopamine();

    // Initial state (docs/models.md, froudist_walsh "Populations and variables"): every somatic rate r_init, gates, adaptation and noise 0; STP at baseline.
    const double r0 = P("r_init_Hz");
    for (std::size_t v = v_E1; v <= v_VIP2; ++v) std::fill(var(v), var(v) + n, r0);
    if (stp_) {
        std::copy(stp_u0_.begin(), stp_u0_.end(), var(v_u_E1));
        std::copy(stp_u0_.begin(), stp_u0_.end(), var(v_u_E2));
        std::copy(stp_x0_.begin(), stp_x0_.end(), var(v_x_E1));
        std::copy(stp_x0_.begin(), stp_x0_.end(), var(v_x_E2));
    }
}

void froudist_walsh_circuit::update_dopamine() {
    const double occ = sigmoid(da_, occ_mid_, occ_slope_);  // D1 occupancy
    const double nf = 1.0 - ampa_frac_, af = ampa_frac_, nf_pv = 1.0 - ampa_frac_pv_, af_pv = ampa_frac_pv_;
    for (std::size_t i = 0; i < n_; ++i) {
        const double s = occ * d1_[i];  // D1 stimulation of this area
        const double m = 1.0 + nmda_gain_ * sigmoid(s, nmda_mid_, nmda_slope_);
        m_[i] = m;
        g_e_pv_[i] = g_e_pv_max_ + s * (g_e_pv_min_ - g_e_pv_max_);
        g_e_sst_[i] = g_e_sst_min_ + s * (g_e_sst_max_ - g_e_sst_min_);
        g_ad_e_[i] = g_adapt_e_ + g_m_ * sigmoid(s, m_mid_, m_slope_);
        const double e = e_[i];
        // local E -> (fraction x NMDA gain x e_i x J)
        lN_e_self_[i] = nf * m * e * g_e_self_;
        lN_e_cross_[i] = nf * m * e * g_e_cross_;
        lA_e_self_[i] = af * e * g_e_self_;
        lA_e_cross_[i] = af * e * g_e_cross_;
        lN_pv_[i] = nf_pv * m * e * g_pv_e_;
        lA_pv_[i] = af_pv * e * g_pv_e_;
        lN_sst_self_[i] = nf * m * e * g_sst_e_self_;
        lN_sst_cross_[i] = nf * m * e * g_sst_e_cross_;
        lA_sst_self_[i] = af * e * g_sst_e_self_;
        lA_sst_cross_[i] = af * e * g_sst_e_cross_;
        lN_vip_[i] = nf * m * e * g_vip_e_;
        lA_vip_[i] = af * e * g_vip_e_;
        // long range: mu e_i [m (1 - alpha) L W S_NMDA + alpha L W S_AMPA]
        const double ee = mu_ee_ * e, ei = mu_ie_ * e;  // each area's own e_i, FEF too (see docs)
        rN_e_self_[i] = ee * m * nf * lr_e_self_;
        rN_e_cross_[i] = ee * m * nf * lr_e_cross_;
        rA_e_self_[i] = ee * af * lr_e_self_;
        rA_e_cross_[i] = ee * af * lr_e_cross_;
        rN_pv_[i] = ei * m * nf_pv * L_pv_[i];
        rA_pv_[i] = ei * af_pv * L_pv_[i];
        rN_sst_[i] = ei * m * nf * L_sst_[i];
        rA_sst_[i] = ei * af * L_sst_[i];
        rN_vip_[i] = ei * m * nf * L_vip_[i];
        rA_vip_[i] = ei * af * L_vip_[i];
    }
}

void froudist_walsh_circuit::set_modulator(const std::string& name, double value) {
    if (name != "dopamine") circuit::set_modulator(name, value);
    da_ = value;
    update_dopamine();
}

double froudist_walsh_circuit::modulator(const std::string& name) const {
    if (name != "dopamine") return circuit::modulator(name);
    return da_;
}

void froudist_walsh_circuit::step(const step_input& in) {
    if (n_ == 0) return;
    if (stp_)
        kernel<true, true>(in, nullptr);
    else
        kernel<false, true>(in, nullptr);
}

void froudist_walsh_circuit::increments(const step_input& in, double* dx) {
    if (n_ == 0) return;
    if (stp_)
        kernel<true, false>(in, dx);
    else
        kernel<false, false>(in, dx);
}

namespace {

/// tanh(z) from the identity tanh z = (1 - e^{-2z}) / (1 + e^{-2z}) (one exp, cheaper than glibc's tanh, which
/// goes through expm1); where 1 - e^{-2|z|} would lose digits (|z| < 1/2) the library tanh is used. Both agree
/// with the correctly rounded tanh to a few ulp.
inline double tanh_exact(double z) {
    const double a = std::abs(z);
    if (a < 0.5) return std::tanh(z);
    const double t = std::exp(-2.0 * a);
    const double r = (1.0 - t) / (1.0 + t);
    return z < 0.0 ? -r : r;
}

}  // namespace

// One step of every local area, in passes over all areas (structure of arrays): the passes with library calls
// (noise, exp, tanh) are tight loops, the arithmetic passes have no calls and vectorise. Every area is computed
// by the same sequence of IEEE operations whatever its position, so results do not depend on the partition.
// Native (the Euler step of the authors' code): noise update, currents from the previous state and the new
// noise, rates from the currents, gates and adaptation from the NEW rates (semi-implicit), in place.
// Increments (multi-stage integrators): every term from the current state (noise, rates and gates alike),
// written to dx as explicit increments dt f(x) + the step's noise kick.
template <bool STP, bool Native>
void froudist_walsh_circuit::kernel(const step_input& in, double* dx) {
    const std::size_t n = n_;
    const double* z = zero_.data();
    auto channel = [&](std::size_t c) { return (in.lr != nullptr && in.lr[c] != nullptr) ? in.lr[c] : z; };
    auto port = [&](std::size_t s) { return (in.stim != nullptr && in.stim[s] != nullptr) ? in.stim[s] : z; };
    const double *sN1 = channel(c_sN1), *sN2 = channel(c_sN2), *sA1 = channel(c_sA1), *sA2 = channel(c_sA2);
    const double *dN1 = channel(c_dN1), *dN2 = channel(c_dN2), *dA1 = channel(c_dA1), *dA2 = channel(c_dA2);
    // long-range input onto PV and VIP: from the gates without STP (the same channels when stp = 0)
    const double *qN1 = dN1, *qN2 = dN2, *qA1 = dA1, *qA2 = dA2;
    if constexpr (STP) {
        qN1 = channel(c_dN1_nostp);
        qN2 = channel(c_dN2_nostp);
        qA1 = channel(c_dA1_nostp);
        qA2 = channel(c_dA2_nostp);
    }
    const double *xD1 = port(s_E1_dend), *xD2 = port(s_E2_dend), *xE1 = port(s_E1), *xE2 = port(s_E2);
    const double *xPV = port(s_PV), *xS1 = port(s_SST1), *xS2 = port(s_SST2), *xV1 = port(s_VIP1), *xV2 = port(s_VIP2);

    double *rE1 = var(v_E1), *rE2 = var(v_E2), *rPV = var(v_PV), *rS1 = var(v_SST1), *rS2 = var(v_SST2),
           *rV1 = var(v_VIP1), *rV2 = var(v_VIP2);
    double *SN1 = var(v_SN1), *SN2 = var(v_SN2), *SA1 = var(v_SA1), *SA2 = var(v_SA2);
    double *GPV = var(v_SG_PV), *GS1 = var(v_SG_SST1), *GS2 = var(v_SG_SST2), *GV1 = var(v_SG_VIP1),
           *GV2 = var(v_SG_VIP2);
    double *GD1 = var(v_SGD_SST1), *GD2 = var(v_SGD_SST2);
    double *aE1 = var(v_SA_E1), *aE2 = var(v_SA_E2), *aS1 = var(v_SA_SST1), *aS2 = var(v_SA_SST2),
           *aV1 = var(v_SA_VIP1), *aV2 = var(v_SA_VIP2);
    double *nE1 = var(v_IN_E1), *nE2 = var(v_IN_E2), *nPV = var(v_IN_PV), *nS1 = var(v_IN_SST1), *nS2 = var(v_IN_SST2),
           *nV1 = var(v_IN_VIP1), *nV2 = var(v_IN_VIP2);
    double *QN1 = nullptr, *QN2 = nullptr, *QA1 = nullptr, *QA2 = nullptr;  // gates without STP
    double *u1 = nullptr, *u2 = nullptr, *x1 = nullptr, *x2 = nullptr;
    if constexpr (STP) {
        QN1 = var(v_SN1_nostp);
        QN2 = var(v_SN2_nostp);
        QA1 = var(v_SA1_nostp);
        QA2 = var(v_SA2_nostp);
        u1 = var(v_u_E1);
        u2 = var(v_u_E2);
        x1 = var(v_x_E1);
        x2 = var(v_x_E2);
    }
    double* num = dend_num_.data();  // dendrite: I_exc + c3 I_inh + c4
    double* ex = dend_exp_.data();   // dendrite: exp(I_inh / c6), then tanh
    double* y = y_e_.data();         // E: a I - b, then f_E

    // ---- 1. OU noise currents, I <- I (1 - dt/tau) + sigma sqrt(dt/tau) eta, with eta of population p from
    //         noise_normals(seed, global area, p / 4, step)[p % 4]
    double* const noise[n_pops] = {nE1, nE2, nPV, nS1, nS2, nV1, nV2};
    auto d = [&](std::size_t v) { return dx + v * n; };
    if (sigma_ > 0.0) {
        const philox_key key = key_of(seed_);
        double* g0 = eta_.data();  // E1 E2 PV SST1 of each area
        double* g1 = g0 + 4 * n;   // SST2 VIP1 VIP2 (the fourth is not drawn)
        noise_normals_batch(key, noise_area_.data(), n, 0, in.step, g0);
        noise_normals_batch(key, noise_area_.data(), n, 1, in.step, g1, 3);
        for (std::size_t i = 0; i < n; ++i) {
            const double eta[n_pops] = {g0[4 * i], g0[4 * i + 1], g0[4 * i + 2], g0[4 * i + 3],
                                        g1[4 * i], g1[4 * i + 1], g1[4 * i + 2]};
            for (std::size_t p = 0; p < n_pops; ++p) {
                if constexpr (Native)
                    noise[p][i] = noise[p][i] * noise_decay_ + noise_kick_ * eta[p];
                else
                    d(v_IN_E1 + p)[i] = -(k_noise_ * noise[p][i]) + noise_kick_ * eta[p];
            }
        }
    } else {  // sigma = 0: a noise current left by a checkpoint decays
        for (std::size_t p = 0; p < n_pops; ++p)
            for (std::size_t i = 0; i < n; ++i) {
                if constexpr (Native)
                    noise[p][i] *= noise_decay_;
                else
                    d(v_IN_E1 + p)[i] = -(k_noise_ * noise[p][i]);
            }
    }

    // ---- 2. dendrites: excitation (long-range superficial + background + stimulus) and SST inhibition (<= 0)
    {
        const double *rNs = rN_e_self_.data(), *rNc = rN_e_cross_.data(), *rAs = rA_e_self_.data(),
                     *rAc = rA_e_cross_.data(), *gsst = g_e_sst_.data();
#pragma GCC ivdep
        for (std::size_t i = 0; i < n; ++i) {
            const double exc1 = rNs[i] * sN1[i] + rNc[i] * sN2[i] + rAs[i] * sA1[i] + rAc[i] * sA2[i] + bg_dend_ +
                                xD1[i];
            const double exc2 = rNc[i] * sN1[i] + rNs[i] * sN2[i] + rAc[i] * sA1[i] + rAs[i] * sA2[i] + bg_dend_ +
                                xD2[i];
            const double inh1 = gsst[i] * GD1[i], inh2 = gsst[i] * GD2[i];
            num[i] = exc1 + c3_ * inh1 + c4_;
            num[n + i] = exc2 + c3_ * inh2 + c4_;
            ex[i] = inh1 * inv_c6_;
            ex[n + i] = inh2 * inv_c6_;
        }
    }
    // Eq 36: I_sd = c1 tanh[(I_exc + c3 I_inh + c4) / (c5 exp(-I_inh / c6))] + c2; here the tanh part
    for (std::size_t j = 0; j < 2 * n; ++j) ex[j] = std::exp(ex[j]);
    for (std::size_t j = 0; j < 2 * n; ++j) ex[j] = tanh_exact(num[j] * ex[j] * inv_c5_);

    // ---- 3. E somata: total current, then a I - b
    {
        const double *lNs = lN_e_self_.data(), *lNc = lN_e_cross_.data(), *lAs = lA_e_self_.data(),
                     *lAc = lA_e_cross_.data(), *gpv = g_e_pv_.data(), *gad = g_ad_e_.data();
#pragma GCC ivdep
        for (std::size_t i = 0; i < n; ++i) {
            const double n1 = SN1[i], n2 = SN2[i], a1 = SA1[i], a2 = SA2[i], gaba = gpv[i] * GPV[i];
            const double I1 = lNs[i] * n1 + lNc[i] * n2 + lAs[i] * a1 + lAc[i] * a2 + gaba + bg_e_ + xE1[i] + nE1[i] +
                              (c1_ * ex[i] + c2_) + gad[i] * aE1[i];
            const double I2 = lNc[i] * n1 + lNs[i] * n2 + lAc[i] * a1 + lAs[i] * a2 + gaba + bg_e_ + xE2[i] + nE2[i] +
                              (c1_ * ex[n + i] + c2_) + gad[i] * aE2[i];
            y[i] = a_e_ * I1 - b_e_;
            y[n + i] = a_e_ * I2 - b_e_;
        }
    }
    // Eq 38: f_E = (a I - b) / (1 - exp(-d (a I - b))) (limit 1/d at a I = b)
    for (std::size_t j = 0; j < 2 * n; ++j) {
        const double v = y[j];
        y[j] = v != 0.0 ? v / (1.0 - std::exp(-d_e_ * v)) : inv_d_e_;
    }

    // ---- 4. interneuron currents, all rates (tau_r dr/dt = -r + f(I)), then gates and adaptation from the new
    //         rates. No calls: this loop vectorises.
    const double *lNpv = lN_pv_.data(), *lApv = lA_pv_.data(), *lNss = lN_sst_self_.data(),
                 *lNsc = lN_sst_cross_.data(), *lAss = lA_sst_self_.data(), *lAsc = lA_sst_cross_.data(),
                 *lNv = lN_vip_.data(), *lAv = lA_vip_.data(), *rNpv = rN_pv_.data(), *rApv = rA_pv_.data(),
                 *rNs = rN_sst_.data(), *rAs = rA_sst_.data(), *rNv = rN_vip_.data(), *rAv = rA_vip_.data();
    const double *xu0N = STP ? xu0_g_nmda_dt_.data() : nullptr, *xu0A = STP ? xu0_g_ampa_dt_.data() : nullptr;
#pragma GCC ivdep
    for (std::size_t i = 0; i < n; ++i) {
        const double e1 = rE1[i], e2 = rE2[i], pv = rPV[i], s1 = rS1[i], s2 = rS2[i], v1 = rV1[i], v2 = rV2[i];
        const double n1 = SN1[i], n2 = SN2[i], a1 = SA1[i], a2 = SA2[i];
        double q1 = n1, q2 = n2, b1 = a1, b2 = a2;  // gates onto PV and VIP
        if constexpr (STP) {
            q1 = QN1[i];
            q2 = QN2[i];
            b1 = QA1[i];
            b2 = QA2[i];
        }
        const double gpv = GPV[i], gs1 = GS1[i], gs2 = GS2[i], gv1 = GV1[i], gv2 = GV2[i];
        const double I_pv = lNpv[i] * (q1 + q2) + lApv[i] * (b1 + b2) + g_pv_self_ * gpv + g_pv_sst_ * (gs1 + gs2) +
                            bg_i_ + xPV[i] + nPV[i] + rNpv[i] * (qN1[i] + qN2[i]) + rApv[i] * (qA1[i] + qA2[i]);
        const double I_s1 = lNss[i] * n1 + lNsc[i] * n2 + lAss[i] * a1 + lAsc[i] * a2 + g_sst_vip_ * gv1 + bg_i_ +
                            xS1[i] + nS1[i] + rNs[i] * dN1[i] + rAs[i] * dA1[i] + g_ad_sst_ * aS1[i];
        const double I_s2 = lNsc[i] * n1 + lNss[i] * n2 + lAsc[i] * a1 + lAss[i] * a2 + g_sst_vip_ * gv2 + bg_i_ +
                            xS2[i] + nS2[i] + rNs[i] * dN2[i] + rAs[i] * dA2[i] + g_ad_sst_ * aS2[i];
        const double I_v1 = lNv[i] * q1 + lAv[i] * b1 + g_vip_sst_ * gs1 + bg_i_ + xV1[i] + nV1[i] + rNv[i] * qN1[i] +
                            rAv[i] * qA1[i] + g_ad_vip_ * aV1[i];
        const double I_v2 = lNv[i] * q2 + lAv[i] * b2 + g_vip_sst_ * gs2 + bg_i_ + xV2[i] + nV2[i] + rNv[i] * qN2[i] +
                            rAv[i] * qA2[i] + g_ad_vip_ * aV2[i];
        // Eq 39: [c I + r0]_+
        const double fpv = std::max(c_pv_ * I_pv + r0_pv_, 0.0);
        const double fs1 = std::max(c_sst_ * I_s1 + r0_sst_, 0.0), fs2 = std::max(c_sst_ * I_s2 + r0_sst_, 0.0);
        const double fv1 = std::max(c_vip_ * I_v1 + r0_vip_, 0.0), fv2 = std::max(c_vip_ * I_v2 + r0_vip_, 0.0);

        // Native: x + increment in place, gates and adaptation driven by the new rates; else the increments
        // (out(v) is then dx's row of v) from the current state. upd(x, a, b) = x - a + b, or -a + b.
        auto out = [&](std::size_t v) { return Native ? var(v) : d(v); };
        auto rate = [&](double x, double inc) { return Native ? x + inc : inc; };
        auto upd = [&](double x, double a, double b) { return Native ? x - a + b : -a + b; };
        const double E1n = rate(e1, k_rate_ * (y[i] - e1)), E2n = rate(e2, k_rate_ * (y[n + i] - e2));
        const double PVn = rate(pv, k_rate_ * (fpv - pv));
        const double S1n = rate(s1, k_rate_ * (fs1 - s1)), S2n = rate(s2, k_rate_ * (fs2 - s2));
        const double V1n = rate(v1, k_rate_ * (fv1 - v1)), V2n = rate(v2, k_rate_ * (fv2 - v2));
        out(v_E1)[i] = E1n;
        out(v_E2)[i] = E2n;
        out(v_PV)[i] = PVn;
        out(v_SST1)[i] = S1n;
        out(v_SST2)[i] = S2n;
        out(v_VIP1)[i] = V1n;
        out(v_VIP2)[i] = V2n;
        // the rates that drive the gates: the new ones (native, semi-implicit) or the current ones
        const double rE1 = Native ? E1n : e1, rE2 = Native ? E2n : e2, rPVx = Native ? PVn : pv;
        const double rS1x = Native ? S1n : s1, rS2x = Native ? S2n : s2, rV1x = Native ? V1n : v1,
                     rV2x = Native ? V2n : v2;

        if constexpr (STP) {
            // Mongillo et al. 2008: du/dt = (U - u)/tau_u + U (1 - u) r ; dx/dt = (1 - x)/tau_x - u x r; the gates
            // onto E and SST are scaled by gamma_xu x u (new u, x), those onto PV and VIP by gamma_xu x0 u0
            const double uo1 = u1[i], uo2 = u2[i], xo1 = x1[i], xo2 = x2[i];
            const double un1 = upd(uo1, -(k_u_ * (U_ - uo1)), dt_s_ * U_ * (1.0 - uo1) * rE1);
            const double un2 = upd(uo2, -(k_u_ * (U_ - uo2)), dt_s_ * U_ * (1.0 - uo2) * rE2);
            const double xn1 = upd(xo1, -(k_x_ * (1.0 - xo1)), -(dt_s_ * uo1 * xo1 * rE1));
            const double xn2 = upd(xo2, -(k_x_ * (1.0 - xo2)), -(dt_s_ * uo2 * xo2 * rE2));
            out(v_u_E1)[i] = un1;
            out(v_u_E2)[i] = un2;
            out(v_x_E1)[i] = xn1;
            out(v_x_E2)[i] = xn2;
            const double w1 = Native ? gamma_xu_ * xn1 * un1 : gamma_xu_ * xo1 * uo1;
            const double w2 = Native ? gamma_xu_ * xn2 * un2 : gamma_xu_ * xo2 * uo2;
            out(v_SN1)[i] = upd(n1, k_nmda_ * n1, w1 * gdt_nmda_ * (1.0 - n1) * rE1);
            out(v_SN2)[i] = upd(n2, k_nmda_ * n2, w2 * gdt_nmda_ * (1.0 - n2) * rE2);
            out(v_SA1)[i] = upd(a1, k_ampa_ * a1, w1 * gdt_ampa_ * rE1);
            out(v_SA2)[i] = upd(a2, k_ampa_ * a2, w2 * gdt_ampa_ * rE2);
            out(v_SN1_nostp)[i] = upd(q1, k_nmda_ * q1, xu0N[i] * (1.0 - q1) * rE1);
            out(v_SN2_nostp)[i] = upd(q2, k_nmda_ * q2, xu0N[i] * (1.0 - q2) * rE2);
            out(v_SA1_nostp)[i] = upd(b1, k_ampa_ * b1, xu0A[i] * rE1);
            out(v_SA2_nostp)[i] = upd(b2, k_ampa_ * b2, xu0A[i] * rE2);
        } else {
            // dS_NMDA/dt = -S/tau_NMDA + gamma_NMDA (1 - S) r ; dS_AMPA/dt = -S/tau_AMPA + gamma_AMPA r
            out(v_SN1)[i] = upd(n1, k_nmda_ * n1, gdt_nmda_ * (1.0 - n1) * rE1);
            out(v_SN2)[i] = upd(n2, k_nmda_ * n2, gdt_nmda_ * (1.0 - n2) * rE2);
            out(v_SA1)[i] = upd(a1, k_ampa_ * a1, gdt_ampa_ * rE1);
            out(v_SA2)[i] = upd(a2, k_ampa_ * a2, gdt_ampa_ * rE2);
        }
        // dS_GABA/dt = -S/tau_GABA + gamma_GABA r (soma: tau 5 ms; dendrite, from SST only: tau 10 ms)
        out(v_SG_PV)[i] = upd(gpv, k_gaba_ * gpv, gdt_gaba_ * rPVx);
        out(v_SG_SST1)[i] = upd(gs1, k_gaba_ * gs1, gdt_gaba_ * rS1x);
        out(v_SG_SST2)[i] = upd(gs2, k_gaba_ * gs2, gdt_gaba_ * rS2x);
        out(v_SG_VIP1)[i] = upd(gv1, k_gaba_ * gv1, gdt_gaba_ * rV1x);
        out(v_SG_VIP2)[i] = upd(gv2, k_gaba_ * gv2, gdt_gaba_ * rV2x);
        const double gd1 = GD1[i], gd2 = GD2[i];
        out(v_SGD_SST1)[i] = upd(gd1, k_gaba_dend_ * gd1, gdt_gaba_ * rS1x);
        out(v_SGD_SST2)[i] = upd(gd2, k_gaba_dend_ * gd2, gdt_gaba_ * rS2x);
        // dS_a/dt = -S_a/tau_a + r
        const double ae1 = aE1[i], ae2 = aE2[i], as1 = aS1[i], as2 = aS2[i], av1 = aV1[i], av2 = aV2[i];
        out(v_SA_E1)[i] = upd(ae1, k_adapt_ * ae1, dt_s_ * rE1);
        out(v_SA_E2)[i] = upd(ae2, k_adapt_ * ae2, dt_s_ * rE2);
        out(v_SA_SST1)[i] = upd(as1, k_adapt_ * as1, dt_s_ * rS1x);
        out(v_SA_SST2)[i] = upd(as2, k_adapt_ * as2, dt_s_ * rS2x);
        out(v_SA_VIP1)[i] = upd(av1, k_adapt_ * av1, dt_s_ * rV1x);
        out(v_SA_VIP2)[i] = upd(av2, k_adapt_ * av2, dt_s_ * rV2x);
    }
}

}  // namespace cortexsim
