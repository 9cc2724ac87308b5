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
#include "cortexsim/exchange/delayed_coupling.hpp"
#include "cortexsim/integrator/engine.hpp"
#include "cortexsim/partition/partition.hpp"
#include "cortexsim/spec/model_spec.hpp"
#include "cortexsim/stimulus/stimulus.hpp"

namespace cortexsim {

class simulation final : public engine {
public:
    /// Collective over comm. Throws (on every rank alike for data errors) if the model does not fit.
    simulation(const model_spec& spec, MPI_Comm comm);

    /// Collective. Runs from the current step to the end (or until the control hook stops it), recording
    /// every run.record_every steps (record 0 = initial state, taken when starting at step 0).
    run_report run(record_sink* sink, const control_hook& control = {}) override;

    /// Collective: writes the buffered records to the sink now.
    void flush_records(record_sink* sink) override;

    /// Steps completed so far.
    std::int64_t step() const override { return step_; }
    bool finished() const override { return step_ == spec_.run.n_steps; }
    /// Records already handed to the sink or buffered (= index of the next record).
    std::int64_t records_taken() const override { return next_record_index_; }
    std::size_t state_size() const override { return spec_.populations.size(); }
    std::size_t analysis_state_size() const override { return analysis_.state_size(); }
    std::vector<analysis_column> analysis_columns() const override;

    /// This rank's state for a checkpoint: rates [local area][population], analysis [local area][state_size].
    void export_state(std::vector<double>& rates, std::vector<double>& analysis) const override;
    /// Restores the state after `step` steps (the same layout as export_state; any rank count wrote it).
    void import_state(std::int64_t step, const std::vector<double>& rates, const std::vector<double>& analysis) override;

    const block_partition& partition() const override { return part_; }
    std::size_t local_begin() const override { return begin_; }
    std::size_t local_count() const override { return n_; }
    std::int64_t records_per_block() const { return block_; }
    const pulse_analysis& analysis() const { return analysis_; }
    const linear_ei_state& state() const { return state_; }
    /// Exchange statistics of the first long-range group (all groups share the partition).
    const exchange_stats& exchange() const override;
    /// Number of long-range groups (projections sharing source population and transformed matrix).
    std::size_t n_groups() const override { return groups_.size(); }
    /// Exchanges per simulated second and messages each rank sends per simulated second (all groups).
    double exchanges_per_second() const override;

    /// Delay history of this rank's areas for a checkpoint: per delayed group [n_local][L] (states before the
    /// current step, oldest first); empty without delays.
    std::vector<std::vector<double>> export_history() const override;
    std::vector<std::int64_t> history_lengths() const override;
    /// Restores the delay histories (call after import_state) from global [n_areas][L] arrays, one per group.
    void import_history(const std::vector<std::vector<double>>& global) override;

private:
    void record(std::int64_t k, record_sink* sink);

    const model_spec& spec_;
    MPI_Comm comm_;
    block_partition part_;
    std::size_t begin_, n_;
    /// Projections that share a source population and a transformed matrix share one exchange and one row
    /// sum; each target population adds coeff[i] * sum[i] (coeff = beta_target * scale * g_i).
    struct lr_group {
        std::size_t source = 0;
        std::unique_ptr<coupling> direct;
        std::unique_ptr<delayed_coupling> delayed;
        std::vector<std::pair<std::size_t, std::vector<double>>> targets;
        std::vector<double> sum, sum2;
    };
    void long_range_input(std::int64_t k, const double* r_E, const double* r_I, bool predictor);
    std::vector<lr_group> groups_;
    std::vector<double> in_E_, in_I_;  // long-range input per local area, this step
    linear_ei_derived derived_;
    linear_ei_state state_;
    stimulus_schedule stimulus_;
    pulse_analysis analysis_;
    std::int64_t block_;
    std::vector<double> buffer_;
    std::int64_t buffered_ = 0, buffer_first_ = 0;
    std::int64_t step_ = 0, next_record_index_ = 0;
    // scratch for the step (allocated once)
    std::vector<double> d0E_, d0I_, d1E_, d1I_, pE_, pI_;
};

/// Record index of the pulse-analysis onset (-1 if the spec has no stimulus).
std::int64_t analysis_onset_record(const model_spec& spec);

}  // namespace cortexsim
