#include "cortexsim/dynamics/linear_ei.hpp"

namespace cortexsim {

linear_ei_derived derive_linear_ei(const linear_ei_params& p, const area_table& areas, std::size_t begin,
                                   std::size_t n, double dt_ms, const std::vector<double>& lr_at_target) {
    linear_ei_derived d;
    d.n = n;
    d.a_EE.resize(n);
    d.a_IE.resize(n);
    d.c_E.resize(n);
    d.c_I.resize(n);
    d.bkg_E.resize(n);
    d.bkg_I.resize(n);
    d.a_EI = -p.beta_E * p.w_EI;
    d.a_II = -p.beta_I * p.w_II;
    d.k_E = dt_ms / p.tau_E_ms;
    d.k_I = dt_ms / p.tau_I_ms;
    d.floor_E = p.rate_floor_E_hz;
    d.floor_I = p.rate_floor_I_hz;
    for (std::size_t i = 0; i < n; ++i) {
        const double s = 1.0 + p.eta * areas.hierarchy[begin + i];
        d.a_EE[i] = p.beta_E * p.w_EE * s;
        d.a_IE[i] = p.beta_I * p.w_IE * s;
        d.c_E[i] = p.beta_E * p.mu_EE * s;
        d.c_I[i] = p.beta_I * p.mu_IE * s;
        const double lr = lr_at_target[i];
        d.bkg_E[i] = p.r_E_target_hz - (d.a_EE[i] * p.r_E_target_hz + d.a_EI * p.r_I_target_hz + d.c_E[i] * lr);
        d.bkg_I[i] = p.r_I_target_hz - (d.a_IE[i] * p.r_E_target_hz + d.a_II * p.r_I_target_hz + d.c_I[i] * lr);
    }
    return d;
}

linear_ei_state initial_linear_ei(const linear_ei_params& p, std::size_t n) {
    linear_ei_state s;
    s.r_E.assign(n, p.r_E_target_hz);
    s.r_I.assign(n, p.r_I_target_hz);
    return s;
}

}  // namespace cortexsim
