#pragma once
// The time loop over integer steps. One step:
//   stimulus(k) -> exchange + coupling (the only communication) -> local kernel -> record every m steps.
// Set-up (collective) builds the partition, this rank's rows, the PETSc coupling and the derived coefficients;
// the loop itself allocates nothing and makes no MPI call outside coupling::apply.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "cortexsim/analysis/pulse_analysis.hpp"
#include "cortexsim/dynamics/linear_ei.hpp"
#include "cortexsim/exchange/coupling.hpp"
#include "cortexsim/partition/partition.hpp"
#include "cortexsim/spec/model_spec.hpp"
#include "cortexsim/stimulus/stimulus.hpp"

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

/// Called every few thousand steps on every rank (no communication): step done, total steps, wall seconds.
using progress_fn = std::function<void(std::int64_t, std::int64_t, double)>;

class simulation {
public:
    /// Collective over comm. Throws (on every rank alike for data errors) if the model does not fit.
    simulation(const model_spec& spec, MPI_Comm comm);

    /// Collective. Runs all steps, recording every run.record_every steps (record 0 = initial state).
    run_report run(record_sink* sink, const progress_fn& progress = {});

    const block_partition& partition() const { return part_; }
    std::size_t local_begin() const { return begin_; }
    std::size_t local_count() const { return n_; }
    std::int64_t records_per_block() const { return block_; }
    const pulse_analysis& analysis() const { return analysis_; }
    const linear_ei_state& state() const { return state_; }
    const exchange_stats& exchange() const { return coupling_->stats(); }
    coupling& long_range() { return *coupling_; }

private:
    void record(std::int64_t k, record_sink* sink);

    const model_spec& spec_;
    MPI_Comm comm_;
    block_partition part_;
    std::size_t begin_, n_;
    std::unique_ptr<coupling> coupling_;
    linear_ei_derived derived_;
    linear_ei_state state_;
    stimulus_schedule stimulus_;
    pulse_analysis analysis_;
    std::int64_t block_;
    std::vector<double> buffer_;
    std::int64_t buffered_ = 0, buffer_first_ = 0;
    // scratch for the step (allocated once)
    std::vector<double> lr_, lr2_, d0E_, d0I_, d1E_, d1I_, pE_, pI_;
};

/// Record index of the pulse-analysis onset (-1 if the spec has no stimulus).
std::int64_t analysis_onset_record(const model_spec& spec);

}  // namespace cortexsim
