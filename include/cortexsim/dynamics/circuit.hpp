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

/// Value of parameter `name`: m.circuit_params if set there, else the default in `info`.
/// Throws std::invalid_argument if `info` has no such parameter.
double circuit_parameter(const model_spec& m, const circuit_info& info, const std::string& name);

/// Builds the circuit of m.circuit for local areas [begin, begin + n) with its initial state.
std::unique_ptr<circuit> make_circuit(const model_spec& m, std::size_t begin, std::size_t n);

/// Four standard normal deviates for (seed key, global area, population group, step): one Philox block.
/// Population p uses noise_normals(key, area, p / 4, step)[p % 4]. Stream tags 16..31 (counter_rng.hpp).
inline std::array<double, 4> noise_normals(const philox_key& key, std::uint64_t area, std::uint32_t group,
                                           std::int64_t step) {
    const philox_counter c = {static_cast<std::uint32_t>(step), static_cast<std::uint32_t>(static_cast<std::uint64_t>(step) >> 32),
                              static_cast<std::uint32_t>(area), 16u + (group & 15u)};
    const auto u = uniform01x4(c, key);
    const double r0 = std::sqrt(-2.0 * std::log(u[0])), a0 = 2.0 * std::numbers::pi * u[1];
    const double r1 = std::sqrt(-2.0 * std::log(u[2])), a1 = 2.0 * std::numbers::pi * u[3];
    return {r0 * std::cos(a0), r0 * std::sin(a0), r1 * std::cos(a1), r1 * std::sin(a1)};
}

}  // namespace cortexsim
