#pragma once
// The one time loop of cortexsim, for every circuit (docs/design.md, "The step and epoch schedule"). One step
// k -> k+1, for every integrator:
//   control hook (progress, signals, checkpoints) -> modulator events at k -> stimulus(k) ->
//   for each stage of the integrator: long-range exchange + row sums of every projection group (the only
//   communication) -> the circuit (Euler: its step; Heun: its increments, then the combination) ->
//   clamps (rate floors) -> silencing perturbations -> at record steps: the observers and the record buffer.
// Set-up (collective) builds the partition, the circuit, this rank's rows of every projection (lesions
// removed), the exchanges, the background (circuit prepare hook) and the observers; the loop allocates
// nothing, makes no MPI call outside the exchange layer, and makes one virtual call per stage, not per area.
// PETSc stays behind the exchange layer: this header does not include it.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cortexsim/analysis/observer.hpp"
#include "cortexsim/exchange/exchange.hpp"
#include "cortexsim/io/record_sink.hpp"
#include "cortexsim/partition/partition.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

struct run_report {
    std::int64_t steps = 0;
    double loop_seconds = 0.0;  // wall time of the time loop on this rank (incl. record flushes)
    double steps_per_second = 0.0;
};

/// The loop's one hook for everything that is not dynamics (progress, signals, checkpoints): called on every
/// rank at step k = `first`, then at each step it returns, before step k is integrated (state = after k steps,
/// records up to k already taken). Returning stop_now ends run() there. The hook may call flush_records() and
/// save(); it may communicate (it is called at the same k on every rank).
struct control_hook {
    static constexpr std::int64_t stop_now = -1;
    std::int64_t first = -1;  // -1: never called
    std::function<std::int64_t(std::int64_t)> fn;
};

/// This rank's share of the dynamic state after `step` steps: what a checkpoint holds (NEST's "State").
/// Everything else (coefficients, couplings, stimulus schedule) is rebuilt from the config and data.
struct engine_state {
    std::int64_t step = 0;
    std::size_t width = 0;                      // circuit variables per area
    std::vector<double> state;                  // [local area][width]
    std::size_t observer_width = 0;             // observer state per area (all observers, in order)
    std::vector<double> observers;              // [local area][observer_width]
    std::vector<std::int64_t> history_lengths;  // per delayed projection group: L
    /// Per delayed group, oldest first: save() gives this rank's areas [local area][L]; restore() needs every
    /// area's [area][L] (a rank reads the history of the sources it needs, ghosts included).
    std::vector<std::vector<double>> histories;
    std::vector<std::vector<double>> observer_global;  // per observer, rank 0 only (empty elsewhere)
};

/// What the exchange looks like (for the run summary and /provenance).
struct exchange_summary {
    exchange_stats first;               // statistics of the first projection group (all share the partition)
    std::size_t n_groups = 0;           // projection groups (projections sharing a source and a transformed matrix)
    double exchanges_per_second = 0.0;  // per simulated second, all groups
};

/// Where this rank's state was first seen holding a value that is not finite (docs/reproducibility.md,
/// "Runtime guard"): the step (-1: none), the area and the circuit variable, and the value.
struct nonfinite_state {
    std::int64_t step = -1;
    std::string area, variable;
    double value = 0.0;
};

class engine {
public:
    /// Collective over comm. Throws on every rank alike if the model does not fit.
    engine(const model_spec& spec, MPI_Comm comm);
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    /// Collective. Runs from the current step to the end (or until the control hook stops it), recording every
    /// run.record_every steps (record 0 = the initial state, taken when starting at step 0). sink may be null.
    run_report run(record_sink* sink, const control_hook& control = {});
    /// Collective: writes the buffered records to the sink now.
    void flush_records(record_sink* sink);
    /// Steps completed so far.
    std::int64_t step() const;
    /// This rank's dynamic state (after step() steps), for a checkpoint.
    engine_state save() const;
    /// Restores a state saved by any rank count (the layout of save(); delay histories and observer state
    /// included). Collective-free.
    void restore(const engine_state& s);
    /// What the observers computed (call after the run has finished): /analysis columns, whole-run results,
    /// summary lines (rank 0).
    run_results results() const;
    /// Which areas this rank owns.
    const block_partition& partition() const;
    /// Records per write_block call of the record buffer (the same on every rank; checkpoints flush earlier).
    std::int64_t records_per_block() const;
    exchange_summary exchange_info() const;
    /// Local: where a state variable of this rank's areas was first seen NaN or infinite (every variable of every
    /// local area is checked at each control point and at the end of run(); the step is that of the first
    /// buffered record with such a value, else the check's step; the run goes on, the caller stops it).
    const nonfinite_state& nonfinite() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace cortexsim
