#pragma once
// What the application needs of a simulation, whatever the circuit: the linear engine (simulation.hpp, with
// Heun and the pulse analysis) and the nonlinear-circuit engine (circuit_simulation.hpp) both implement it.
// One virtual call per run / record block / checkpoint, never per step or per area.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cortexsim/exchange/coupling.hpp"
#include "cortexsim/partition/partition.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// Where recorded blocks go (the io layer implements it). Called collectively with the same arguments'
/// shapes on every rank: data is [n_records][n_local_areas][n_populations], row-major.
class record_sink {
public:
    virtual ~record_sink() = default;
    virtual void write_block(std::int64_t first_record, std::int64_t n_records, const double* data) = 0;
};

struct run_report {
    std::int64_t steps = 0;
    double loop_seconds = 0.0;  // wall time of the time loop on this rank (incl. record flushes)
    double steps_per_second = 0.0;
};

/// The loop's one hook for everything that is not dynamics (progress, signals, checkpoints): called on every
/// rank at step k = `first`, then at each step it returns, before step k is integrated (state = after k steps,
/// records up to k already taken). Returning stop_now ends run() there. The hook may call flush_records() and
/// export_state(); it may communicate (it is called at the same k on every rank).
struct control_hook {
    static constexpr std::int64_t stop_now = -1;
    std::int64_t first = -1;  // -1: never called
    std::function<std::int64_t(std::int64_t)> fn;
};

/// One per-area result for /analysis: values [n_local][width] of this rank's areas.
struct analysis_column {
    std::string name;
    std::vector<double> values;
    std::size_t width = 1;
    std::string unit, description;
};

/// A whole-run result held by rank 0 (e.g. an RNN's readout over time), written as one dataset.
struct global_result {
    std::string name;                 // path in the file, e.g. "/readout"
    std::vector<std::size_t> dims;
    std::vector<double> data;         // rank 0 only (row-major), empty elsewhere
    std::string unit, description;
};

class engine {
public:
    virtual ~engine() = default;

    /// Collective. Runs from the current step to the end (or until the control hook stops it).
    virtual run_report run(record_sink* sink, const control_hook& control) = 0;
    /// Collective: writes the buffered records to the sink now.
    virtual void flush_records(record_sink* sink) = 0;

    virtual std::int64_t step() const = 0;
    virtual bool finished() const = 0;
    virtual std::int64_t records_taken() const = 0;

    /// Numbers per area in a checkpoint's state and analysis arrays.
    virtual std::size_t state_size() const = 0;
    virtual std::size_t analysis_state_size() const = 0;
    /// This rank's state for a checkpoint: [local area][state_size], [local area][analysis_state_size].
    virtual void export_state(std::vector<double>& state, std::vector<double>& analysis) const = 0;
    /// Restores the state after `step` steps (same layout; any rank count wrote it).
    virtual void import_state(std::int64_t step, const std::vector<double>& state,
                              const std::vector<double>& analysis) = 0;
    /// Delay histories (see simulation.hpp); empty without delays.
    virtual std::vector<std::vector<double>> export_history() const = 0;
    virtual std::vector<std::int64_t> history_lengths() const = 0;
    virtual void import_history(const std::vector<std::vector<double>>& global) = 0;

    virtual const block_partition& partition() const = 0;
    virtual std::size_t local_begin() const = 0;
    virtual std::size_t local_count() const = 0;

    virtual const exchange_stats& exchange() const = 0;
    virtual std::size_t n_groups() const = 0;
    virtual double exchanges_per_second() const = 0;

    /// The per-area results of the run for /analysis (call after the run has finished).
    virtual std::vector<analysis_column> analysis_columns() const = 0;
    /// Whole-run results held by rank 0, and summary lines for rank 0 to print (default: none).
    virtual std::vector<global_result> global_results() const { return {}; }
    virtual std::vector<std::string> summary_lines() const { return {}; }
};

/// The engine for spec.circuit: the linear engine for "linear_ei", the circuit engine otherwise. Collective.
std::unique_ptr<engine> make_engine(const model_spec& spec, MPI_Comm comm);

}  // namespace cortexsim
