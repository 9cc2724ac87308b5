#include "cortexsim/dynamics/linear_ei.hpp"

namespace cortexsim {

std::vector<double> local_parameter(const model_spec& m, const std::string& name, double value, std::size_t begin,
                                    std::size_t n) {
    std::vector<double> v(n, value);
    for (const auto& [param, gradient] : m.param_gradients)
        if (param == name) {
            const std::vector<double> g = gradient_values(m, gradient);
            for (std::size_t i = 0; i < n; ++i) v[i] = value * g[begin + i];
        }
    return v;
}

linear_ei_derived derive_linear_ei(const model_spec& m, std::size_t begin, std::size_t n,
                                   const std::vector<double>& lr_E, const std::vector<double>& lr_I) {
    const linear_ei_params& p = m.params;
    auto per_area = [&](const char* name, double value) { return local_parameter(m, name, value, begin, n); };
    // Gradients on a weight multiply the weight only, so that beta * w * g_i is computed as (beta * w) * g_i,
    // the order of the reference code.
    auto weight = [&](const char* name, double beta, double w) {
        std::vector<double> v(n, beta * w);
        for (const auto& [param, gradient] : m.param_gradients)
            if (param == name) {
                const std::vector<double> g = gradient_values(m, gradient);
                for (std::size_t i = 0; i < n; ++i) v[i] = beta * w * g[begin + i];
            }
        return v;
    };
    const auto beta_E = per_area("beta_E", p.beta_E), beta_I = per_area("beta_I", p.beta_I);
    const auto tau_E = per_area("tau_E_ms", p.tau_E_ms), tau_I = per_area("tau_I_ms", p.tau_I_ms);
    linear_ei_derived d;
    d.n = n;
    d.a_EE = weight("w_EE", p.beta_E, p.w_EE);
    d.a_IE = weight("w_IE", p.beta_I, p.w_IE);
    d.a_EI = weight("w_EI", -p.beta_E, p.w_EI);
    d.a_II = weight("w_II", -p.beta_I, p.w_II);
    for (std::size_t i = 0; i < n; ++i) {
        // a gradient on beta scales every term of that population
        d.a_EE[i] *= beta_E[i] / p.beta_E;
        d.a_EI[i] *= beta_E[i] / p.beta_E;
        d.a_IE[i] *= beta_I[i] / p.beta_I;
        d.a_II[i] *= beta_I[i] / p.beta_I;
    }
    d.k_E.resize(n);
    d.k_I.resize(n);
    d.bkg_E.resize(n);
    d.bkg_I.resize(n);
    d.floor_E = p.rate_floor_E_hz;
    d.floor_I = p.rate_floor_I_hz;
    for (std::size_t i = 0; i < n; ++i) {
        d.k_E[i] = m.run.dt_ms / tau_E[i];
        d.k_I[i] = m.run.dt_ms / tau_I[i];
        d.bkg_E[i] = p.r_E_target_hz - (d.a_EE[i] * p.r_E_target_hz + d.a_EI[i] * p.r_I_target_hz + lr_E[i]);
        d.bkg_I[i] = p.r_I_target_hz - (d.a_IE[i] * p.r_E_target_hz + d.a_II[i] * p.r_I_target_hz + lr_I[i]);
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
