#pragma once
// The sections of a run config, one function each (private to src/config; parse_config in config.cpp calls
// them in this order). Each reads its keys through yaml_reader and returns its part of the spec; `m` is the
// spec read so far. Messages: one line "<file>: '<dotted.key>' ..." (docs/config.md).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/spec/model_spec.hpp"
#include "yaml_reader.hpp"

namespace cortexsim {
namespace rnn {
class task;
}

namespace config_sections {

using yaml_reader::section;
using yaml_reader::value;

// ---- helpers shared by the sections (model_sections.cpp)

/// `rel` resolved against the config's folder (absolute paths stay as they are).
std::string resolve(const std::string& base_dir, const std::string& rel);
/// The existing data file named by required key k of s; throws data_error if it does not exist.
std::string existing_file(const section& s, const char* k, const std::string& base_dir);
/// Appends the data file (content and SHA-256) named by config key `key`.
void record_data_file(std::vector<data_file>& files, const std::string& key, const std::string& path);
/// Throws "<origin>: '<key>' = <v> must be > 0" unless v > 0.
void check_positive(const section& s, const char* k, double v);
/// The index of the text of required key k of x in `list`; throws "... is not <what> of circuit '<c>' (allowed: ...)".
std::size_t one_of(const std::vector<std::string>& list, const section& x, const char* k, const std::string& what,
                   const std::string& circuit);
/// The step at which a window [onset_step, + duration_ms) ends; throws config_error naming `where` (the key of
/// the duration) if the duration is not a whole number of steps or the end lies beyond max_steps.
std::int64_t end_step_of(std::int64_t onset_step, double duration_ms, double dt_ms, const std::string& where);

// ---- model (model_sections.cpp)

/// model.name, model.circuit and the keys that belong to other circuits; fills m.name and m.circuit.
void read_model_head(const section& model, model_spec& m);
/// model.areas (the area table) and its data file.
area_table read_areas(const section& model, const std::string& base_dir, std::vector<data_file>& files);

/// A per-area data vector: "hierarchy" or a name under model.vectors.
using data_vector = std::pair<std::string, std::vector<double>>;
/// The data vectors: hierarchy, then model.vectors in file order.
std::vector<data_vector> read_vectors(const section& model, const area_table& areas, const std::string& base_dir,
                                      std::vector<data_file>& files);
/// model.gradients, over the data vectors.
std::vector<gradient_spec> read_gradients(const section& model, const std::vector<data_vector>& vectors);
/// model.equations of circuit: equations -> m.equations (layout only; the circuit checks the expressions).
void read_equations(const section& model, const std::vector<data_vector>& vectors, model_spec& m);

/// model.parameters of a nonlinear circuit: names checked against the catalogue, values as given.
std::vector<std::pair<std::string, double>> read_circuit_parameters(const section& model, const std::string& circuit);
/// model.parameters of linear_ei (with {value, gradient} forms); `generic_form`: model.projections is given.
struct linear_parameters {
    linear_ei_params params;
    std::vector<std::pair<std::string, std::string>> gradients;  // parameter -> gradient
};
linear_parameters read_linear_parameters(const section& model, bool generic_form, const model_spec& m);

/// model.connectivity: named matrices (CSV or HDF5, checked against the areas) and delays.
connectivity_spec read_connectivity(const section& model, bool generic_form, const area_table& areas,
                                    const std::string& base_dir, std::vector<data_file>& files);

/// The compact form of linear_ei: E->E and E->I through FLN, scaled by mu and the gradient 1 + eta h_i.
struct compact_form {
    gradient_spec gradient;                                      // "hierarchy_scaling"
    std::vector<std::pair<std::string, std::string>> gradients;  // w_EE, w_IE -> hierarchy_scaling
    std::vector<projection_spec> projections;
};
compact_form compact_projections(const model_spec& m);
/// model.projections (sources and targets: populations of linear_ei, variables and channels of other circuits).
std::vector<projection_spec> read_projections(const section& model, const model_spec& m, const circuit_names& names);

/// Every conduction delay must be at least one step of run.dt_ms.
void check_delays(const model_spec& m);

// ---- run, stimuli, ... (run_sections.cpp)

struct run_section {
    run_spec run;
    std::string partition_method;
};
run_section read_run(const section& top, const model_spec& m);
std::vector<stimulus_spec> read_stimuli(const section& top, const model_spec& m, const circuit_names& names);
/// task_stimuli: the stimuli of one trial of a task (appended after the stimuli).
std::vector<stimulus_spec> read_task_stimuli(const section& top, const model_spec& m, const circuit_names& names,
                                             const std::string& base_dir, std::vector<data_file>& files);
std::vector<perturbation_spec> read_perturbations(const section& top, const model_spec& m, const circuit_names& names);
output_spec read_output(const section& top);
analysis_spec read_analysis(const section& top, const model_spec& m);
/// The `monitors` section (after the analysis: a monitor's default variable is the analysed population).
std::vector<monitor_spec> read_monitors(const section& top, const model_spec& m, const circuit_names& names,
                                        const std::string& base_dir, std::vector<data_file>& files);
checkpoint_spec read_checkpoint(const section& top, const run_spec& run);
/// Only the key names of `sweep` (sweep_points() reads the rest).
void check_sweep_keys(const section& top);

// ---- tasks (task_config.cpp)

/// A task written as a map (a training config's `task:`, a run config's `model.rnn.task`): `name` (or `kind`),
/// `seed` and the task's parameters (docs/rnn.md).
std::shared_ptr<const rnn::task> read_task(const section& s);

}  // namespace config_sections
}  // namespace cortexsim
