#pragma once
// The linear E/I circuit of Chaudhuri et al. 2015 (docs/models.md), as kernels over all local areas at once
// (structure of arrays). No MPI, no allocation in the kernels.
//
// For area i (beta-multiplied form, every term a rate in Hz; any parameter may vary across areas):
//   I_E = beta_E (w_EE r_E - w_EI r_I) + L_E,i + bkg_E,i + stim_E
//   I_I = beta_I (w_IE r_E - w_II r_I) + L_I,i + bkg_I,i + stim_I
//   tau_E dr_E/dt = -r_E + [I_E]_+ ,  tau_I dr_I/dt = -r_I + [I_I]_+
// with the long-range input L_p,i = sum over projections into p of beta_p scale g_i sum_j T_ij r_source,j
// (Chaudhuri 2015: w_EE, w_IE and the projections scaled by s_i = 1 + eta h_i), and bkg chosen so that
// (r_E_target, r_I_target) is a fixed point.
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// Dynamic state (what a checkpoint holds): rates of the local areas.
struct linear_ei_state {
    std::vector<double> r_E;  // [Hz]
    std::vector<double> r_I;  // [Hz]
};

/// Derived per-area coefficients, computed once before the run from parameters and data.
struct linear_ei_derived {
    std::size_t n = 0;
    std::vector<double> a_EE, a_IE;  // beta * w (per area)
    std::vector<double> a_EI, a_II;  // -beta * w
    std::vector<double> bkg_E, bkg_I;
    std::vector<double> k_E, k_I;    // dt / tau
    double floor_E = 0, floor_I = 0;
};

/// Per-area value of parameter `name` for local areas [begin, begin + n): value times its gradient (if any).
std::vector<double> local_parameter(const model_spec& m, const std::string& name, double value, std::size_t begin,
                                    std::size_t n);

/// Computes the coefficients for local areas [begin, begin + n). lr_E/lr_I: the long-range input of E and I
/// at the background fixed point (every rate at its target), needed for the background input.
linear_ei_derived derive_linear_ei(const model_spec& m, std::size_t begin, std::size_t n,
                                   const std::vector<double>& lr_E, const std::vector<double>& lr_I);

/// Initial state: the background fixed point.
linear_ei_state initial_linear_ei(const linear_ei_params& p, std::size_t n);

inline double relu(double x) { return x > 0.0 ? x : 0.0; }

/// Time derivatives multiplied by tau: d_E = -r_E + [I_E]_+, d_I likewise.
/// lr_E/lr_I: long-range input of this step (Hz), one per area.
inline void linear_ei_drive(const linear_ei_derived& d, const double* r_E, const double* r_I, const double* lr_E,
                            const double* lr_I, const double* stim_E, const double* stim_I, double* d_E, double* d_I) {
    for (std::size_t i = 0; i < d.n; ++i) {
        const double iE = d.a_EE[i] * r_E[i] + d.a_EI[i] * r_I[i] + lr_E[i] + d.bkg_E[i] + stim_E[i];
        const double iI = d.a_IE[i] * r_E[i] + d.a_II[i] * r_I[i] + lr_I[i] + d.bkg_I[i] + stim_I[i];
        d_E[i] = -r_E[i] + relu(iE);
        d_I[i] = -r_I[i] + relu(iI);
    }
}

/// One forward-Euler step in place: r += dt/tau * (-r + f(I)), then the rate floors.
inline void linear_ei_euler(const linear_ei_derived& d, double* r_E, double* r_I, const double* lr_E,
                            const double* lr_I, const double* stim_E, const double* stim_I) {
    for (std::size_t i = 0; i < d.n; ++i) {
        const double e = r_E[i], in = r_I[i];
        const double iE = d.a_EE[i] * e + d.a_EI[i] * in + lr_E[i] + d.bkg_E[i] + stim_E[i];
        const double iI = d.a_IE[i] * e + d.a_II[i] * in + lr_I[i] + d.bkg_I[i] + stim_I[i];
        r_E[i] = std::max(e + d.k_E[i] * (-e + relu(iE)), d.floor_E);
        r_I[i] = std::max(in + d.k_I[i] * (-in + relu(iI)), d.floor_I);
    }
}

}  // namespace cortexsim

namespace cortexsim {

/// Heun (explicit trapezoid), stage 1: drive d0 at the current state and the Euler predictor p.
inline void linear_ei_heun_predict(const linear_ei_derived& d, const double* r_E, const double* r_I,
                                   const double* lr_E, const double* lr_I, const double* stim_E,
                                   const double* stim_I, double* d0_E, double* d0_I, double* p_E, double* p_I) {
    linear_ei_drive(d, r_E, r_I, lr_E, lr_I, stim_E, stim_I, d0_E, d0_I);
    for (std::size_t i = 0; i < d.n; ++i) {
        p_E[i] = r_E[i] + d.k_E[i] * d0_E[i];
        p_I[i] = r_I[i] + d.k_I[i] * d0_I[i];
    }
}

/// Heun stage 2: r += dt/tau * (d0 + d(p)) / 2, then the rate floors. lr_p is the long-range input of p.
/// d1_E/d1_I are scratch buffers of n entries.
inline void linear_ei_heun_correct(const linear_ei_derived& d, double* r_E, double* r_I, const double* p_E,
                                   const double* p_I, const double* lrp_E, const double* lrp_I,
                                   const double* stim_E, const double* stim_I, const double* d0_E,
                                   const double* d0_I, double* d1_E, double* d1_I) {
    linear_ei_drive(d, p_E, p_I, lrp_E, lrp_I, stim_E, stim_I, d1_E, d1_I);
    for (std::size_t i = 0; i < d.n; ++i) {
        r_E[i] = std::max(r_E[i] + 0.5 * d.k_E[i] * (d0_E[i] + d1_E[i]), d.floor_E);
        r_I[i] = std::max(r_I[i] + 0.5 * d.k_I[i] * (d0_I[i] + d1_I[i]), d.floor_I);
    }
}

}  // namespace cortexsim
