#pragma once
// The time loop of the nonlinear circuits (dynamics/circuit.hpp). One step k -> k+1:
//   modulator events at k -> stimulus(k) -> long-range exchange + coupling of every projection group (the only
//   communication) -> circuit.step (one call for all local areas) -> silencing perturbations -> record.
// Set-up builds the partition, this rank's rows of every projection (lesions removed), the couplings and the
// circuit; the loop allocates nothing and makes no MPI call outside the exchange layer.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "cortexsim/analysis/window_analysis.hpp"
#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/exchange/coupling.hpp"
#include "cortexsim/exchange/delayed_coupling.hpp"
#include "cortexsim/integrator/engine.hpp"
#include "cortexsim/partition/partition.hpp"
#include "cortexsim/spec/model_spec.hpp"
#include "cortexsim/stimulus/stimulus.hpp"

namespace cortexsim {

class circuit_simulation final : public engine {
public:
    /// Collective over comm. Throws (on every rank alike for data errors) if the model does not fit.
    circuit_simulation(const model_spec& spec, MPI_Comm comm);

    run_report run(record_sink* sink, const control_hook& control) override;
    void flush_records(record_sink* sink) override;
    std::int64_t step() const override { return step_; }
    bool finished() const override { return step_ == spec_.run.n_steps; }
    std::int64_t records_taken() const override { return next_record_index_; }
    std::size_t state_size() const override { return circuit_->variables().size(); }
    std::size_t analysis_state_size() const override { return analysis_.state_size(); }
    void export_state(std::vector<double>& state, std::vector<double>& analysis) const override;
    void import_state(std::int64_t step, const std::vector<double>& state,
                      const std::vector<double>& analysis) override;
    std::vector<std::vector<double>> export_history() const override;
    std::vector<std::int64_t> history_lengths() const override;
    void import_history(const std::vector<std::vector<double>>& global) override;
    const block_partition& partition() const override { return part_; }
    std::size_t local_begin() const override { return begin_; }
    std::size_t local_count() const override { return n_; }
    const exchange_stats& exchange() const override;
    std::size_t n_groups() const override { return groups_.size(); }
    double exchanges_per_second() const override;
    std::vector<analysis_column> analysis_columns() const override;
    std::vector<global_result> global_results() const override;
    std::vector<std::string> summary_lines() const override;

    const circuit& local_circuit() const { return *circuit_; }

private:
    void record(std::int64_t k, record_sink* sink);
    void long_range_input(std::int64_t k);
    void apply_modulators_at(std::int64_t k, bool from_scratch);

    const model_spec& spec_;
    MPI_Comm comm_;
    block_partition part_;
    std::size_t begin_, n_;
    std::unique_ptr<circuit> circuit_;
    struct lr_group {
        std::size_t source = 0;  // circuit variable
        std::unique_ptr<coupling> direct;
        std::unique_ptr<delayed_coupling> delayed;
        std::vector<std::pair<std::size_t, std::vector<double>>> targets;  // (channel, coefficient per area)
        std::vector<double> sum;
    };
    std::vector<lr_group> groups_;
    std::vector<double> lr_;                 // [channel][local area]
    std::vector<const double*> lr_ptr_, stim_ptr_;
    stimulus_schedule stimulus_;
    struct silence {
        std::int64_t begin, end;
        std::vector<std::size_t> areas, variables;  // local areas, circuit variables
    };
    std::vector<silence> silences_;
    struct modulator_window {
        std::int64_t begin, end;
        std::string name;
        double value;
    };
    std::vector<modulator_window> mod_windows_;
    std::vector<std::pair<std::string, double>> mod_base_;
    std::vector<std::int64_t> mod_events_;   // sorted steps at which a modulator changes
    std::size_t next_mod_event_ = 0;
    window_analysis analysis_;
    // recurrent networks: the readout o = g(W_out a + b_out) at every record, computed on rank 0 from the
    // gathered activity of all units (fixed summation order), and the accuracy on masked records
    class rnn_circuit* rnn_ = nullptr;
    std::unique_ptr<class gather_to_root> gather_;
    std::vector<double> readout_;  // rank 0: [n_records][n_out]
    std::size_t n_out_ = 0;
    double correct_ = 0, masked_ = 0;
    std::vector<const double*> rec_ptr_;
    std::int64_t block_;
    std::vector<double> buffer_;
    std::int64_t buffered_ = 0, buffer_first_ = 0;
    std::int64_t step_ = 0, next_record_index_ = 0;
};

}  // namespace cortexsim
