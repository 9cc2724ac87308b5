#pragma once
// The distributed working-memory circuit of Mejías & Wang, eLife 2022 (docs/models.md, circuit wong_wang):
// per area two stimulus-selective excitatory populations E1, E2 and one inhibitory population I, in the
// reduced Wong & Wang (2006) rate form, with a gradient of local NMDA coupling across areas (dendritic spine
// count) and long-range NMDA input with a counterstream inhibitory bias (feedforward -> E, feedback -> I).
// Written after ModelDBRepository/267295 Figure2/parameters.m and Figure2/trial.m (the authors' MATLAB).
//
// Area i (local index; g_i = gradient "spines", global):
//   I_1 = J_S,i S_1 + J_C S_2 + J_EI S_G + I_0E + cE_i lr[E1_lr] + stim[E1] + xi_1        [nA]
//   I_2 = J_S,i S_2 + J_C S_1 + J_EI S_G + I_0E + cE_i lr[E2_lr] + stim[E2] + xi_2        [nA]
//   I_I = J_IE,i (S_1 + S_2) + J_II S_G + I_0I + cI_i lr[I_lr] + stim[I]                  [nA]
//   tau_r dr_k/dt = -r_k + phi_E(I_k),  tau_r dr_I/dt = -r_I + phi_I(I_I)                 [Hz]
//   dS_k/dt = -S_k / tau_N + gamma (1 - S_k) r_k,  dS_G/dt = -S_G / tau_G + gamma_I r_I  [1]
//   xi_k(k+1) = xi_k(k) (1 - dt/tau_xi) + sigma sqrt(dt/tau_xi) N(0,1)   (Ornstein-Uhlenbeck, as trial.m)   [nA]
//   phi_E(I) = (a I - b) / (1 - exp(-d (a I - b))),  phi_I(I) = (c1 I - c0) / g_I + r0 (not rectified)
//   J_S,i = J_min + g_i (J_max - J_min),  J_IE,i = (J_plus - J_S,i - J_C) / (2 zeta)
//   cE_i = G J_S,i / max_all J_S,  cI_i = (G / zeta2) J_IE,i / max_all J_IE
// The long-range channels hold lr[E1_lr] = W_ff S_1, lr[E2_lr] = W_ff S_2, lr[I_lr] = W_fb (S_1 + S_2), with
// W_ff = rownorm(FLN^0.3) * SLN and W_fb = rownorm(FLN^0.3) * (1 - SLN') (SLN' = FEF-capped SLN), built by
// the engine from the projections of the config.
#include <cstddef>
#include <string>
#include <vector>

#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// Type "wong_wang": every numeric parameter with its default (units in the names).
const circuit_info& wong_wang_info();

class wong_wang_circuit : public circuit {
public:
    // Variables (state), in this order; the first three are the recorded populations.
    static constexpr std::size_t v_E1 = 0, v_E2 = 1, v_I = 2;   // rates [Hz]
    static constexpr std::size_t v_S1 = 3, v_S2 = 4, v_SG = 5;  // NMDA (S1, S2) and GABA (SG) gates [1]
    static constexpr std::size_t v_xi1 = 6, v_xi2 = 7;          // OU noise currents into E1, E2 [nA]
    // Input channels and stimulus ports.
    static constexpr std::size_t c_E1_lr = 0, c_E2_lr = 1, c_I_lr = 2;
    static constexpr std::size_t p_E1 = 0, p_E2 = 1, p_I = 2;

    /// Local areas are the global indices [begin, begin + n) of m.areas (n may be 0: names only; then
    /// neither the gradient nor the parameters are needed). Throws config_error on bad input.
    wong_wang_circuit(const model_spec& m, std::size_t begin, std::size_t n);
    static circuit_names names(const model_spec& m);
    /// Parameters and run.dt_ms (config_error).
    static void check(const model_spec& m);

    /// One explicit Euler (Euler-Maruyama for the OU noise, updated first as trial.m does) step k -> k+1 of
    /// every local area. in.lr / in.stim may be null (= all zero).
    void step(const step_input& in) override;
    bool has_increments() const override { return true; }
    bool stochastic() const override { return noise_; }
    void increments(const step_input& in, double* dx) override;

    /// Modulator "G": the global long-range coupling (recomputes cE_i, cI_i; no allocation).
    void set_modulator(const std::string& name, double value) override;
    double modulator(const std::string& name) const override;

    // Derived per-area values of local area i (for checks and documentation).
    double J_S(std::size_t i) const { return J_S_[i]; }       // [nA]
    double J_IE(std::size_t i) const { return J_IE_[i]; }     // [nA]
    double lr_gain_E(std::size_t i) const { return cE_[i]; }  // [nA] per unit of lr[E*_lr]
    double lr_gain_I(std::size_t i) const { return cI_[i]; }  // [nA] per unit of lr[I_lr]
    double zeta() const { return zeta_; }                     // [1]
    double zeta2() const { return zeta2_; }                   // [1]

private:
    void update_long_range_gains();
    template <bool Native>
    void kernel(const step_input& in, double* dx);

    // Parameters shared by all areas (units as in wong_wang_info()).
    double J_C_ = 0, J_EI_ = 0, J_II_ = 0, I_0E_ = 0, I_0I_ = 0;  // [nA]
    double a_ = 0, b_ = 0, d_ = 0;                                // [Hz/nA], [Hz], [s]
    double c1_over_gI_ = 0, c0_over_gI_ = 0, r0_ = 0;             // [Hz/nA], [Hz], [Hz]
    double G_ = 0;                                                // [1]
    double zeta_ = 0, zeta2_ = 0;                                 // [1]
    double max_J_S_ = 0, max_J_IE_ = 0;                           // [nA], over ALL areas of the model
    // Euler factors.
    double k_r_ = 0;       // dt / tau_r
    double k_N_ = 0;       // dt / tau_N
    double k_G_ = 0;       // dt / tau_G
    double k_gamma_ = 0;   // gamma * dt [s] (r in Hz)
    double k_gammaI_ = 0;  // gamma_I * dt [s]
    double k_xi_ = 0;      // dt / tau_xi
    double s_xi_ = 0;      // sqrt(dt sigma^2 / tau_xi) [nA]
    bool noise_ = false;
    philox_key key_{};
    // Per local area.
    std::vector<double> J_S_, J_IE_, cE_, cI_;
    std::vector<double> zeros_;  // stands in for a null lr / stim row
};

}  // namespace cortexsim
