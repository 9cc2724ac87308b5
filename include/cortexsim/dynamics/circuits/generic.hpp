#pragma once
// The generic population circuit (circuit: generic): populations, transfer functions, gates, local weights,
// background, noise and long-range input channels all come from the config (model.populations, model.local;
// spec/generic_circuit.hpp, docs/models.md "generic"). No MPI; step() allocates nothing.
//
// Per population p and local area i, explicit Euler (Euler-Maruyama with noise), every update from the state
// of step k:
//   I_p     = bkg_p,i + sum_q J_pq,i x_q + sum_c w_c,i lr_c,i + stim_p,i + eta_p      (x_q = r_q or S_q)
//   r_p    <- max( r_p + (dt/tau_p) (-r_p + f_p(I_p)) [+ sigma_p sqrt(dt/tau_p) xi_p], floor_p )
//   S_p    <- S_p + dt (-S_p / tau_S) + (dt/1000) gamma_p r_p           (linear gate)
//   S_p    <- S_p + dt (-S_p / tau_S) + (dt/1000) gamma_p (1 - S_p) r_p (saturating gate)
//   eta_p  <- eta_p + (dt/tau_n) (-eta_p) + sigma_p sqrt(dt/tau_n) xi_p  (OU noise current)
// dt in ms; gamma r is per second (hence dt/1000). xi_p = noise_normals(key_of(seed), global area, p/4, k)[p%4].
//
// Variables: the rates (named like the populations, in config order; these are the recorded ones), then
// "S_<pop>" for every population with a synapse, then "eta_<pop>" for every population with OU noise.
// Input channels: the names declared in model.local.inputs. Stimulus ports: the population names.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cortexsim/dynamics/circuit.hpp"

namespace cortexsim {

namespace generic_transfer_fn {
// The transfer functions, one per kind (the kernel picks one per population, outside the area loop).
inline double threshold_linear(const generic_transfer_spec& t, double x) {
    const double y = x - t.threshold;
    return y > 0.0 ? t.gain * y : 0.0;
}
inline double relu(const generic_transfer_spec&, double x) { return x > 0.0 ? x : 0.0; }
inline double linear(const generic_transfer_spec& t, double x) { return t.gain * (x - t.threshold) + t.offset; }
inline double sigmoid(const generic_transfer_spec& t, double x) {
    return t.r_max / (1.0 + std::exp(-t.gain * (x - t.threshold)));
}
/// (a x - b) / (1 - exp(-d (a x - b))); at a x = b the limit 1/d (series 1/d + y/2 for |d y| < 1e-9).
inline double abbott_chance(const generic_transfer_spec& t, double x) {
    const double y = t.a * x - t.b;
    const double z = t.d * y;
    if (std::fabs(z) < 1e-9) return 1.0 / t.d + 0.5 * y;
    return y / (1.0 - std::exp(-z));
}
inline double tanh(const generic_transfer_spec& t, double x) { return t.r_max * std::tanh(t.gain * (x - t.threshold)); }
/// gain * log(1 + exp(z)) / sharpness, z = sharpness (x - threshold), without overflow for large z.
inline double softplus(const generic_transfer_spec& t, double x) {
    const double z = t.sharpness * (x - t.threshold);
    const double l = z > 0.0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
    return t.gain * l / t.sharpness;
}
}  // namespace generic_transfer_fn

/// f(x) of a transfer spec (the same formulas as the kernel; for tests and tools).
double generic_transfer_value(const generic_transfer_spec& t, double x);

/// The catalogue entry of the generic circuit: type "generic", no named parameters (its numbers are m.generic).
const circuit_info& generic_info();

class generic_circuit : public circuit {
public:
    /// Builds the circuit of m.generic for local areas [begin, begin + n) in its initial state
    /// (rates = initial, gates = synapse initial, OU currents = 0). Throws config_error if m.generic is not
    /// defined or inconsistent (a gradient unknown or too short, tau <= 0).
    generic_circuit(const model_spec& m, std::size_t begin, std::size_t n);
    static circuit_names names(const model_spec& m);
    /// Populations, time constants against run.dt_ms, weights and inputs (config_error).
    static void check(const model_spec& m);
    /// The same without the time step.
    static void check_structure(const model_spec& m);

    /// One step: inputs from the state of step k, then per population the gate (from the old rate), the OU
    /// current, then the rate (Euler, Euler-Maruyama with noise), clipped at its floor.
    void step(const step_input& in) override;
    bool has_increments() const override { return true; }
    bool stochastic() const override {
        for (const auto& p : pops_)
            if (p.noise != generic_noise::none && p.c_noise != 0.0) return true;
        return false;
    }
    void increments(const step_input& in, double* dx) override;
    void project() override;

    /// Variable index of the gate / OU current of population p, or npos if it has none.
    std::size_t gate_variable(std::size_t p) const { return gate_var_[p]; }
    std::size_t noise_variable(std::size_t p) const { return eta_var_[p]; }

private:
    struct pop_kernel {
        generic_transfer_spec transfer;
        double k = 0.0;  // dt / tau
        double floor = 0.0;
        generic_synapse synapse = generic_synapse::none;
        double k_syn = 0.0;  // dt / tau_S
        double c_syn = 0.0;  // dt / 1000 * gamma
        generic_noise noise = generic_noise::none;
        double k_noise = 0.0;     // dt / tau_n (OU)
        double c_noise = 0.0;     // sigma sqrt(dt / tau_n) (OU) or sigma sqrt(dt / tau) (white)
        std::size_t xi_slot = 0;  // row of xi_ (noisy populations only)
    };

    void inputs_and_noise(const step_input& in);  // input_ and xi_ of step k from the current state
    template <class F>
    void advance_rates(std::size_t p, const double* I, const double* xi, F f);
    template <class F>
    void rate_increments(std::size_t p, const double* I, const double* xi, double* d, F f) const;

    std::vector<pop_kernel> pops_;
    std::vector<std::size_t> gate_var_, eta_var_;
    // local weights grouped by target population: entries [w_begin_[p], w_begin_[p + 1])
    std::vector<std::size_t> w_begin_, w_src_;  // w_src_: variable index of the source (rate or gate)
    std::vector<double> w_;                     // [entry][local area]
    // long-range input entries grouped by target population
    std::vector<std::size_t> in_begin_, in_channel_;
    std::vector<double> in_w_;                 // [entry][local area]
    std::vector<double> bkg_;                  // [population][local area]
    std::vector<double> input_;                // scratch I: [population][local area]
    std::vector<double> xi_;                   // scratch deviates: [noisy population][local area]
    std::vector<std::uint32_t> noise_groups_;  // groups p / 4 holding a noisy population
    philox_key key_{};
};

}  // namespace cortexsim
