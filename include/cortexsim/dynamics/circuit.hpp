#pragma once
// Local circuits (docs/models.md, docs/design.md "Adding a circuit"): one object per rank holds the state of all
// its local areas as a structure of arrays and advances them all in one call per stage (one virtual call per
// stage, never per area). No MPI, no I/O in the step.
//
// A circuit declares, by name:
//   variables       its state (rates, gating variables, OU noise currents, ...), SoA: variable v of local area
//                   i is var(v)[i]. Any variable can be the source of a long-range projection.
//   recorded        the variables written to /rates (its "populations", e.g. E1, E2, I).
//   input channels  long-range inputs it receives: the engine fills lr[c][i] = sum over the projections into
//                   channel c of gain_c,i scale g_i sum_j W_ij x_source,j; the circuit combines channels with its
//                   own per-area factors (NMDA gain, column weights, ...).
//   stimulus ports  where external input (task stimuli) enters, e.g. "E1", "E1_dend" (units of the circuit).
//   modulators      named scalars that may change during a run (e.g. "dopamine"); set_modulator recomputes the
//                   per-area coefficients in place (no allocation) and is called only at perturbation edges.
//
// Dynamics, for every integrator (integrator/scheme.hpp):
//   step(in)            one Euler (Euler-Maruyama with noise) step of every local area in place, in the
//                       circuit's own published discrete scheme (e.g. the authors' order of updates);
//   increments(in, dx)  the explicit increments dx = dt f(x) (+ the step's noise increment) of every variable
//                       at the current state, for the multi-stage integrators (Heun, stochastic Heun);
//                       circuits that have none support Euler only (has_increments() false);
//   project()           clamps applied after the last stage (rate floors).
// Noise: a circuit draws its normal deviates with noise_normals() keyed by (seed, global area, population, step)
// so that the numbers are the same on any rank count, after a restart, and in every stage of a step.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cortexsim/analysis/observer.hpp"
#include "cortexsim/common/counter_rng.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// What a circuit gets for the update of step k -> k+1, for all its local areas.
struct step_input {
    std::int64_t step = 0;                // k
    const double* const* lr = nullptr;    // lr[c][i], c = input channel, i = local area (null: no input)
    const double* const* stim = nullptr;  // stim[s][i], s = stimulus port (0 where no stimulus is on)
    int stage = 0;                        // stage of the integrator within the step (0 = the first)
    double stage_time = 0.0;              // the stage's time within the step, in steps (RK4: 0, 0.5, 0.5, 1)
};

/// Set-up only: the long-range input of every channel, [channel][local area], when every source variable v
/// holds the constant value[v] now and in the past (the fixed point a background is chosen for).
using long_range_probe = std::function<std::vector<std::vector<double>>(const std::vector<double>& value)>;

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

    // ---- dynamics (see the top of this file)
    virtual void step(const step_input& in) = 0;
    virtual bool has_increments() const { return false; }
    /// dx: [variable][local area], like state(). Throws logic_error unless has_increments().
    virtual void increments(const step_input& in, double* dx);
    virtual void project() {}
    /// Recomputes the variables that are functions of the state alone (an equations circuit's defines that
    /// may be sources or records) after the state changed outside step/project (silences). No-op by default.
    virtual void derive() {}
    /// True if the circuit draws noise in its increments (the deterministic RK4 refuses it).
    virtual bool stochastic() const { return false; }

    // ---- set-up hooks
    /// Per-area gain folded into the long-range coefficient of channel c (n_local values; null: 1).
    virtual const double* channel_gain(std::size_t /*c*/) const { return nullptr; }
    /// Called once after the coupling is built, before the first step (e.g. a background that makes a chosen
    /// state a fixed point). Collective-free: the probe only sums local rows.
    virtual void prepare(const long_range_probe& /*probe*/) {}
    /// Observers that belong to the model itself (an RNN's readout), besides the analysis the spec asks for.
    virtual std::vector<std::unique_ptr<observer>> own_observers(root_gather& /*gather*/) const { return {}; }

    /// Sets a modulator for all local areas (throws config_error for an unknown name).
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

/// The names a circuit of m.circuit declares for this spec (what the config checks keys against).
struct circuit_names {
    std::vector<std::string> variables, recorded, channels, ports, modulators;
};

/// A circuit type: its named parameters with their defaults (the config refuses names not listed), the analysis
/// its runs get by default ("pulse" or "window"), and its factory and static checks.
struct circuit_info {
    std::string type;
    std::vector<std::pair<std::string, double>> defaults;
    std::string analysis = "window";
};

/// The circuit types cortexsim knows, linear_ei included.
const std::vector<circuit_info>& circuit_catalogue();
const circuit_info* find_circuit(const std::string& type);

/// The names of m.circuit without building a circuit. Throws config_error for an unknown type or a spec the
/// names cannot be derived from (message without the config file's name).
circuit_names describe_circuit(const model_spec& m);
/// Checks m's circuit parameters against each other and against run.dt_ms, without building a circuit.
/// Throws config_error (message without the config file's name; the config layer prefixes it).
void check_circuit(const model_spec& m);

/// Value of parameter `name`: m.circuit_params if set there, else the default in `info`.
/// Throws config_error if `info` has no such parameter.
double circuit_parameter(const model_spec& m, const circuit_info& info, const std::string& name);

/// Builds the circuit of m.circuit for local areas [begin, begin + n) with its initial state.
std::unique_ptr<circuit> make_circuit(const model_spec& m, std::size_t begin, std::size_t n);

}  // namespace cortexsim
