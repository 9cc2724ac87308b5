#pragma once
// A population circuit defined entirely in config (circuit: generic). See docs/models.md ("generic").
// Plain data, filled by parse_generic_circuit (config/generic_circuit_config.hpp) from model.populations and
// model.local, and turned into kernels by generic_circuit (dynamics/circuits/generic.hpp). No YAML, no MPI.
//
// Per population p of area i (time in ms, rates in Hz):
//   tau_p dr_p/dt = -r_p + f_p(I_p)                 (+ sigma_p sqrt(tau_p) dW for white noise)
//   I_p = bkg_p,i + sum_q J_pq,i x_q + sum_c w_c,i lr_c + stim_p + eta_p
// x_q is the rate r_q or the gate S_q of population q; eta_p is an OU noise current; gates follow
//   dS_p/dt = -S_p / tau_S + gamma r_p           (linear)
//   dS_p/dt = -S_p / tau_S + gamma (1 - S_p) r_p (saturating, NMDA-like)
// with gamma r_p a rate per second (Wong & Wang 2006 convention: r in Hz, gamma dimensionless).
#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace cortexsim {

/// Transfer functions f(x) of the generic circuit (x = the input I_p).
enum class generic_transfer {
    threshold_linear,  // gain * max(x - threshold, 0)
    relu,              // max(x, 0)
    linear,            // gain * (x - threshold) + offset (not rectified)
    sigmoid,           // r_max / (1 + exp(-gain * (x - threshold)))
    abbott_chance,     // (a x - b) / (1 - exp(-d (a x - b)))   (Abbott & Chance 2005; Wong & Wang 2006)
    tanh,              // r_max * tanh(gain * (x - threshold))
    softplus,          // gain * log(1 + exp(sharpness * (x - threshold))) / sharpness
};

/// A transfer function with its parameters (the ones its kind does not use keep their defaults).
struct generic_transfer_spec {
    generic_transfer kind = generic_transfer::threshold_linear;
    double gain = 1.0, threshold = 0.0, offset = 0.0, r_max = 1.0, sharpness = 1.0;
    double a = 0.0, b = 0.0, d = 1.0;
};

enum class generic_synapse { none, linear, saturating };
enum class generic_noise { none, white, ou };

/// A value that may vary across areas: value * g_i with g the named gradient of the model ("" = 1).
struct generic_value {
    double value = 0.0;
    std::string gradient;
};

struct generic_population {
    std::string name;
    double tau_ms = 10.0;  // [ms] > 0
    generic_transfer_spec transfer;
    generic_value background;                                 // bkg_p (units of the input)
    double initial = 0.0;                                     // [Hz] initial rate
    double floor = -std::numeric_limits<double>::infinity();  // [Hz] rates clipped from below after a step
    // optional gating variable S_<name>
    generic_synapse synapse = generic_synapse::none;
    double synapse_tau_ms = 100.0;  // [ms] > 0
    double gamma = 0.0;             // gamma * r is per second
    double synapse_initial = 0.0;
    // optional noise: white (added to the rate equation) or OU current eta_<name> (added to I_p)
    generic_noise noise = generic_noise::none;
    double noise_sigma = 0.0;   // white: [Hz]; OU: units of the input
    double noise_tau_ms = 0.0;  // [ms] > 0 for OU
};

/// A local weight J_{to,from}: from the rate (or the gate, from_gate) of population `from` to the input of `to`.
struct generic_weight {
    std::size_t to = 0, from = 0;
    bool from_gate = false;
    generic_value weight;
};

/// A long-range input channel entry: channel `channel` (index into channels) adds w_c,i lr_c to I_to.
/// One channel may feed several populations (one entry each).
struct generic_input {
    std::size_t channel = 0;
    std::size_t to = 0;
    generic_value weight;
};

struct generic_circuit_spec {
    bool defined = false;
    std::vector<generic_population> populations;  // config order = recorded order = stimulus ports
    std::vector<generic_weight> weights;          // config order
    std::vector<std::string> channels;            // distinct input-channel names, in order of first appearance
    std::vector<generic_input> inputs;            // config order

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    std::size_t find(const std::string& population) const {
        for (std::size_t p = 0; p < populations.size(); ++p)
            if (populations[p].name == population) return p;
        return npos;
    }
    /// Smallest time constant of the circuit (rates, gates, OU noise) [ms]; +inf if there is none.
    double min_tau_ms() const {
        double t = std::numeric_limits<double>::infinity();
        for (const auto& p : populations) {
            t = std::min(t, p.tau_ms);
            if (p.synapse != generic_synapse::none) t = std::min(t, p.synapse_tau_ms);
            if (p.noise == generic_noise::ou) t = std::min(t, p.noise_tau_ms);
        }
        return t;
    }
};

}  // namespace cortexsim
