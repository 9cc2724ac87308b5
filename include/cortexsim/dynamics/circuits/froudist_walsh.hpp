#pragma once
// The dopamine-modulated large-scale working-memory circuit of Froudist-Walsh et al., Neuron 2021
// (docs/models.md, circuit froudist_walsh), as one kernel over all local areas (structure of arrays).
//
// Per area: two stimulus-selective columns k = 1, 2, each with an excitatory soma E_k whose dendrite feeds it
// through a nonlinear dendrite-to-soma current, a dendrite-targeting SST_k and a disinhibitory VIP_k; one PV
// population shared by both columns. Seven somatic rate populations, in this order (also the recorded ones):
//   E1, E2, PV, SST1, SST2, VIP1, VIP2                        [Hz]
// Units of the code: currents in nA, rates in Hz, time constants in ms (the step converts to s where a rate
// multiplies a time).
//
// Per-area data (from the spec's gradients, indexed by global area):
//   e_i  "excitability"  spine-count gradient, 0.45 + 0.55 (spines - min)/(max - min), scales all E-> synapses
//   d_i  "d1r"           min-max normalised D1-receptor density
// Dopamine (modulator "dopamine", D1 occupancy occ = sigma(DA; 1, 2)) sets, per area, from occ * d_i:
//   the NMDA gain m_i, the PV->E weight, the SST->E-dendrite weight and the M-current of E.
//
// Long-range input channels (the engine fills them with W_sup S or W_deep S, W = row-normalised FLN^0.3 times
// SLN or 1 - SLN; _1/_2 = source column E1/E2):
//   sup_NMDA_1 sup_NMDA_2 sup_AMPA_1 sup_AMPA_2 deep_NMDA_1 deep_NMDA_2 deep_AMPA_1 deep_AMPA_2
//   and, only with stp = 1: deep_NMDA_1_nostp deep_NMDA_2_nostp deep_AMPA_1_nostp deep_AMPA_2_nostp.
// Stimulus ports (nA): E1_dend E2_dend E1 E2 PV SST1 SST2 VIP1 VIP2.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// Type "froudist_walsh": every numeric parameter with its default (units in the names).
const circuit_info& froudist_walsh_info();

class froudist_walsh_circuit : public circuit {
public:
    /// Local areas [begin, begin + n) of m.areas; n may be 0 (then only the names are set up).
    froudist_walsh_circuit(const model_spec& m, std::size_t begin, std::size_t n);
    static circuit_names names(const model_spec& m);
    /// Parameters and run.dt_ms (config_error).
    static void check(const model_spec& m);

    /// The Euler step of the authors' code (gates from the new rates; OU noise first).
    void step(const step_input& in) override;
    bool has_increments() const override { return true; }
    bool stochastic() const override { return sigma_ > 0.0; }
    void increments(const step_input& in, double* dx) override;
    void set_modulator(const std::string& name, double value) override;
    double modulator(const std::string& name) const override;

    /// Somatic populations in the order of the noise index p (noise_normals group p / 4, element p % 4).
    static constexpr std::size_t n_pops = 7;

    // Variable indices (the same for every instance; the STP variables exist only with stp = 1).
    // clang-format off
    enum var_index : std::size_t {
        v_E1, v_E2, v_PV, v_SST1, v_SST2, v_VIP1, v_VIP2,                  // rates [Hz]
        v_SN1, v_SN2, v_SA1, v_SA2,                                         // S_NMDA_E1/2, S_AMPA_E1/2 [1]
        v_SG_PV, v_SG_SST1, v_SG_SST2, v_SG_VIP1, v_SG_VIP2,                // soma-targeting GABA gates [1]
        v_SGD_SST1, v_SGD_SST2,                                             // dendrite-targeting GABA gates [1]
        v_SA_E1, v_SA_E2, v_SA_SST1, v_SA_SST2, v_SA_VIP1, v_SA_VIP2,       // adaptation variables [Hz s]
        v_IN_E1, v_IN_E2, v_IN_PV, v_IN_SST1, v_IN_SST2, v_IN_VIP1, v_IN_VIP2,  // OU noise currents [nA]
        n_base_vars,
        // stp = 1 only
        v_u_E1 = n_base_vars, v_u_E2, v_x_E1, v_x_E2,                       // facilitation u, resources x [1]
        v_SN1_nostp, v_SN2_nostp, v_SA1_nostp, v_SA2_nostp,                 // gates without STP (onto PV, VIP)
        n_stp_vars
    };
    enum channel_index : std::size_t {
        c_sN1, c_sN2, c_sA1, c_sA2, c_dN1, c_dN2, c_dA1, c_dA2,
        c_dN1_nostp, c_dN2_nostp, c_dA1_nostp, c_dA2_nostp  // stp = 1 only
    };
    enum port_index : std::size_t { s_E1_dend, s_E2_dend, s_E1, s_E2, s_PV, s_SST1, s_SST2, s_VIP1, s_VIP2, n_ports };
    // clang-format on

    bool stp() const { return stp_; }
    /// Per-area D1 effects at the current dopamine level, local area i (for tests and diagnostics).
    double nmda_gain(std::size_t i) const { return m_[i]; }
    double g_e_pv(std::size_t i) const { return g_e_pv_[i]; }
    double g_e_sst(std::size_t i) const { return g_e_sst_[i]; }
    double g_adapt_e(std::size_t i) const { return g_ad_e_[i]; }

private:
    void update_dopamine();  // recomputes every dopamine-dependent coefficient in place
    template <bool STP, bool Native>
    void kernel(const step_input& in, double* dx);

    // ---- parameters (units as in froudist_walsh_info) ----
    double da_ = 1.5;
    bool stp_ = false;
    double sigma_ = 0.0;  // OU noise amplitude [nA]
    std::uint64_t seed_ = 0;
    // weights [nA]
    double g_e_self_, g_e_cross_, g_pv_e_, g_sst_e_self_, g_sst_e_cross_, g_vip_e_;
    double g_e_pv_min_, g_e_pv_max_, g_pv_self_, g_e_sst_min_, g_e_sst_max_, g_pv_sst_, g_vip_sst_, g_sst_vip_;
    double ampa_frac_, ampa_frac_pv_;
    double mu_ee_, mu_ie_;
    double lr_e_self_, lr_e_cross_;
    double occ_mid_, occ_slope_, nmda_mid_, nmda_slope_, nmda_gain_, m_mid_, m_slope_, g_m_, g_adapt_e_;
    // step constants
    double k_rate_ = 0;                                                            // dt / tau_rate
    double k_nmda_ = 0, k_ampa_ = 0, k_gaba_ = 0, k_gaba_dend_ = 0, k_adapt_ = 0;  // dt / tau
    double dt_s_ = 0;                                                              // dt in s (multiplies rates in Hz)
    double gdt_nmda_ = 0, gdt_ampa_ = 0, gdt_gaba_ = 0;                            // gamma * dt [s]
    double k_noise_ = 0, noise_decay_ = 1, noise_kick_ = 0;  // OU: I <- I (1 - dt/tau) + sigma sqrt(dt/tau) eta
    double k_u_ = 0, k_x_ = 0, U_ = 0.2, gamma_xu_ = 2.5;    // STP
    double bg_e_, bg_dend_, bg_i_;
    double c1_, c2_, c3_, c4_, inv_c5_, inv_c6_;
    double a_e_, b_e_, d_e_, inv_d_e_;
    double c_pv_, r0_pv_, c_sst_, r0_sst_, c_vip_, r0_vip_;
    double g_ad_sst_, g_ad_vip_;

    // ---- per local area, fixed ----
    std::vector<double> e_, d1_;                         // excitability gradient, D1R gradient
    std::vector<double> L_pv_, L_sst_, L_vip_;           // long-range deep fractions (FEF: other values) [nA]
    std::vector<double> stp_u0_, stp_x0_;                // STP: initial u, x (and fixed u0 x0 of the no-STP gates)
    std::vector<double> xu0_g_nmda_dt_, xu0_g_ampa_dt_;  // gamma_xu x0 u0 gamma dt (no-STP gates)
    // ---- per local area, dopamine dependent (update_dopamine) ----
    std::vector<double> m_;                          // NMDA gain
    std::vector<double> g_e_pv_, g_e_sst_, g_ad_e_;  // PV->E, SST->E dendrite [nA], E adaptation + M [nA]
    // local: coefficient of S (nA per unit gate) = fraction * gain * e_i * J
    std::vector<double> lN_e_self_, lN_e_cross_, lA_e_self_, lA_e_cross_;
    std::vector<double> lN_pv_, lA_pv_, lN_sst_self_, lN_sst_cross_, lA_sst_self_, lA_sst_cross_, lN_vip_, lA_vip_;
    // long-range: coefficient of a channel (nA per unit W S)
    std::vector<double> rN_e_self_, rN_e_cross_, rA_e_self_, rA_e_cross_;
    std::vector<double> rN_pv_, rA_pv_, rN_sst_, rA_sst_, rN_vip_, rA_vip_;
    std::vector<double> zero_;  // n zeros: missing channels / ports
    // scratch of step(), 2n each (column 1 at i, column 2 at n + i): allocated once
    std::vector<double> dend_num_, dend_exp_, y_e_;
};

}  // namespace cortexsim
