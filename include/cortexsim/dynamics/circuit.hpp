#pragma once
// Nonlinear local circuits (docs/models.md): one object per rank holds the state of all its local areas as a
// structure of arrays and advances them all in one call per step (one virtual call per step, never per area).
//
// A circuit declares, by name:
//   variables       its state (rates, gating variables, OU noise currents, ...), SoA: variable v of local area
//                   i is var(v)[i]. Any variable can be the source of a long-range projection.
//   recorded        the variables written to /rates (its "populations", e.g. E1, E2, I).
//   input channels  long-range inputs it receives: the engine fills lr[c][i] = sum over the projections into
//                   channel c of coeff_i * sum_j W_ij x_source,j every step; the circuit combines channels with
//                   its own per-area factors (NMDA gain, column weights, ...).
//   stimulus ports  where external input (task stimuli) enters, e.g. "E1", "E1_dend" (units of the circuit).
//   modulators      named scalars that may change during a run (e.g. "dopamine"); set_modulator recomputes the
//                   per-area coefficients in place (no allocation) and is called only at perturbation edges.
// Noise: a circuit draws its normal deviates with noise_normals() keyed by (seed, global area, population, step)
// so that the numbers are the same on any rank count and after a restart.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cortexsim/common/counter_rng.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// What a circuit gets for the update of step k -> k+1, for all its local areas.
struct circuit_step_input {
    std::int64_t step = 0;               // k
    const double* const* lr = nullptr;   // lr[c][i], c = input channel, i = local area
    const double* const* stim = nullptr; // stim[s][i], s = stimulus port (0 where no stimulus is on)
};

class circuit {
public:
    virtual ~circuit() = default;

    const std::vector<std::string>& variables() const { return variables_; }
    const std::vector<std::size_t>& recorded() const { return recorded_; }
    const std::vector<std::string>& input_channels() const { return channels_; }
    const std::vector<std::string>& stimulus_ports() const { return ports_; }
    const std::vector<std::string>& modulators() const { return modulators_; }
    std::size_t n_local() const { return n_; }
    /// The identity of local area i for random numbers: its index in the data files (area_table::id).
    std::uint64_t area_id(std::size_t i) const { return ids_.empty() ? begin_ + i : ids_[i]; }
    std::size_t first_area() const { return begin_; }

    double* var(std::size_t v) { return state_.data() + v * n_; }
    const double* var(std::size_t v) const { return state_.data() + v * n_; }
    /// All state, [variable][local area] (what a checkpoint holds).
    std::vector<double>& state() { return state_; }
    const std::vector<double>& state() const { return state_; }

    /// Index of a variable / channel / port / modulator by name, or npos.
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    std::size_t find_variable(const std::string& name) const { return find(variables_, name); }
    std::size_t find_channel(const std::string& name) const { return find(channels_, name); }
    std::size_t find_port(const std::string& name) const { return find(ports_, name); }

    /// Advances every local area by one step of dt (explicit Euler / Euler-Maruyama unless documented).
    virtual void step(const circuit_step_input& in) = 0;

    /// Sets a modulator for all local areas (throws std::invalid_argument for an unknown name).
    virtual void set_modulator(const std::string& name, double value);
    /// Current value of a modulator.
    virtual double modulator(const std::string& name) const;

protected:
    circuit(std::size_t begin, std::size_t n) : begin_(begin), n_(n) {}
    /// Call once in the constructor of the concrete circuit: declares variables and allocates the state.
    void declare(std::vector<std::string> variables, std::vector<std::string> recorded,
                 std::vector<std::string> channels, std::vector<std::string> ports,
                 std::vector<std::string> modulators = {});
    static std::size_t find(const std::vector<std::string>& v, const std::string& name);
    /// Call in the constructor of the concrete circuit (before drawing any random number).
    void init_ids(const model_spec& m) {
        ids_.resize(n_);
        for (std::size_t i = 0; i < n_; ++i) ids_[i] = m.areas.id(begin_ + i);
    }

    std::size_t begin_ = 0, n_ = 0;
    std::vector<std::string> variables_, channels_, ports_, modulators_;
    std::vector<std::size_t> recorded_;
    std::vector<double> state_;
    std::vector<std::uint64_t> ids_;
};

/// Named parameters of a circuit with their defaults; the config refuses names not listed here.
struct circuit_info {
    std::string type;
    std::vector<std::pair<std::string, double>> defaults;
};

/// The circuit types cortexsim knows (linear_ei is handled by the linear engine, not here).
const std::vector<circuit_info>& circuit_catalogue();
const circuit_info* find_circuit(const std::string& type);

/// The names a circuit of m.circuit declares for this spec (what the config checks keys against).
struct circuit_names {
    std::vector<std::string> variables, recorded, channels, ports, modulators;
};
/// The names of m.circuit (any type, linear_ei included) without building a circuit. Throws config_error for
/// an unknown type or a spec the names cannot be derived from (message without the config file's name).
circuit_names describe_circuit(const model_spec& m);
/// Checks m's circuit parameters against each other and against run.dt_ms, without building a circuit.
/// Throws config_error (message without the config file's name; the config layer prefixes it).
void check_circuit(const model_spec& m);

/// Value of parameter `name`: m.circuit_params if set there, else the default in `info`.
/// Throws std::invalid_argument if `info` has no such parameter.
double circuit_parameter(const model_spec& m, const circuit_info& info, const std::string& name);

/// Builds the circuit of m.circuit for local areas [begin, begin + n) with its initial state.
std::unique_ptr<circuit> make_circuit(const model_spec& m, std::size_t begin, std::size_t n);

/// A standard normal deviate from a uniform u in (0, 1) by the inverse normal CDF (P. J. Acklam's rational
/// approximation, relative error < 1.2e-9): one division and a few multiply-adds in the central 95 %,
/// sqrt(-2 log u) only in the tails. Pure arithmetic: the same on every rank (and, with -ffp-contract=off,
/// on every IEEE machine except for the tails' log/sqrt, which come from the C library).
inline double normal_of_uniform(double u) {
    constexpr double a1 = -3.969683028665376e+01, a2 = 2.209460984245205e+02, a3 = -2.759285104469687e+02,
                     a4 = 1.383577518672690e+02, a5 = -3.066479806614716e+01, a6 = 2.506628277459239e+00;
    constexpr double b1 = -5.447609879822406e+01, b2 = 1.615858368580409e+02, b3 = -1.556989798598866e+02,
                     b4 = 6.680131188771972e+01, b5 = -1.328068155288572e+01;
    constexpr double c1 = -7.784894002430293e-03, c2 = -3.223964580411365e-01, c3 = -2.400758277161838e+00,
                     c4 = -2.549732539343734e+00, c5 = 4.374664141464968e+00, c6 = 2.938163982698783e+00;
    constexpr double d1 = 7.784695709041462e-03, d2 = 3.224671290700398e-01, d3 = 2.445134137142996e+00,
                     d4 = 3.754408661907416e+00;
    constexpr double p_low = 0.02425, p_high = 1.0 - 0.02425;
    if (u < p_low) {
        const double q = std::sqrt(-2.0 * std::log(u));
        return (((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) / ((((d1 * q + d2) * q + d3) * q + d4) * q + 1.0);
    }
    if (u > p_high) {
        const double q = std::sqrt(-2.0 * std::log(1.0 - u));
        return -(((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) / ((((d1 * q + d2) * q + d3) * q + d4) * q + 1.0);
    }
    const double q = u - 0.5, r = q * q;
    return (((((a1 * r + a2) * r + a3) * r + a4) * r + a5) * r + a6) * q /
           (((((b1 * r + b2) * r + b3) * r + b4) * r + b5) * r + 1.0);
}

/// Four standard normal deviates for (seed key, global area, population group, step): one Philox block, each
/// 32-bit word a uniform (w + 1/2) / 2^32 turned into a normal by normal_of_uniform (|z| < 6.4).
/// Population p uses noise_normals(key, area, p / 4, step)[p % 4]. Stream tags 16..31 (counter_rng.hpp).
inline std::array<double, 4> noise_normals(const philox_key& key, std::uint64_t area, std::uint32_t group,
                                           std::int64_t step) {
    const philox_counter c = {static_cast<std::uint32_t>(step), static_cast<std::uint32_t>(static_cast<std::uint64_t>(step) >> 32),
                              static_cast<std::uint32_t>(area), 16u + (group & 15u)};
    const auto u = uniform01x4(c, key);
    return {normal_of_uniform(u[0]), normal_of_uniform(u[1]), normal_of_uniform(u[2]), normal_of_uniform(u[3])};
}

}  // namespace cortexsim
