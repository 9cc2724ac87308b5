#pragma once
// Private to the integrator: the long-range input of every input channel, built from the spec's projections
// in one place. Projections that share a source variable and a transformed matrix share one row sum (a "group");
// each projection into channel c adds coeff_i * sum_i with coeff_i = gain_c,i scale g_i (gain: the circuit's
// channel gain, e.g. beta of linear_ei; g: the projection's per-target gradient).
// Groups whose matrices have the same pattern (and delays) on every rank, and read the same set of source
// variables, share one exchange (a "pass"): its M matrices x S sources are summed in one traversal of the
// pattern and exchanged in one message per neighbour (Froudist-Walsh 2021: 8 groups, one pass of 2 x 4). Every
// row sum follows the same tree whatever the pass (exchange/row_sum.hpp), and the groups' sums are added into the
// channels in the groups' order, so the input is bit-identical to one exchange per group.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/exchange/exchange.hpp"
#include "cortexsim/partition/partition.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim::detail {

class long_range {
public:
    /// Collective: this rank's rows of every group (lesions removed), their exchanges and coefficients.
    long_range(const model_spec& spec, MPI_Comm comm, const block_partition& part, const circuit& c);

    /// Collective: the history of every delayed group before step 0 is the circuit's current state.
    void initialise(const circuit& c);
    /// The input of stage `stage` of step k from the circuit's current state into channels() (collective
    /// whenever an exchange communicates). No allocation.
    void input(std::int64_t k, int stage, const circuit& c);
    /// lr[channel][local area] of the last input().
    const double* const* channels() const { return ptr_.data(); }
    /// The input every channel gets when every source variable v holds value[v] now and in the past (local).
    std::vector<std::vector<double>> at_constant(const std::vector<double>& value) const;

    /// Exchanges (passes over a pattern) per stage of a step, and the groups (distinct row sums) they compute.
    std::size_t n_groups() const { return passes_.size(); }
    std::size_t n_sums() const { return groups_.size(); }
    const exchange_stats& first_stats() const;
    /// Exchanges per simulated second of all groups with `stages` exchanges per step of an undelayed group.
    double exchanges_per_second(double dt_ms, int stages) const;

    /// Delay histories of the delayed groups for checkpoints: per group [n_local][L] (oldest first).
    std::vector<std::int64_t> history_lengths() const;
    std::vector<std::vector<double>> export_histories(std::int64_t step) const;
    /// From global [n_areas][L] arrays, one per delayed group (any rank count wrote them).
    void import_histories(std::int64_t step, const std::vector<std::vector<double>>& global);

private:
    struct pass {
        std::vector<std::size_t> sources;  // circuit variables, S of them
        std::size_t n_values = 1;          // M matrices
        std::unique_ptr<exchange> x;
        std::vector<double> sum;        // [M S][n_local]
        std::vector<double*> out;       // M S
        std::vector<const double*> in;  // S
        // 0-step delays beside longer ones (delays.rounding: nearest): their direct exchange, its sums of the
        // stage, and the sums the groups read (sum + sum0); without it `read` points into `sum`
        std::unique_ptr<exchange> x0;
        std::vector<double> sum0, total;
        std::vector<double*> out0;
        std::vector<const double*> read;
    };
    struct group {
        std::size_t source = 0;                                            // circuit variable
        std::size_t pass = 0;                                              // its exchange
        std::size_t source_index = 0, sum_index = 0;                       // s and m S + s within the pass
        std::vector<std::pair<std::size_t, std::vector<double>>> targets;  // (channel, coefficient per area)
    };
    std::size_t n_ = 0, n_areas_ = 0;
    std::vector<pass> passes_;
    std::vector<group> groups_;  // in the order of the projections' first appearance
    std::vector<double> lr_;     // [channel][local area]
    std::vector<const double*> ptr_;
};

}  // namespace cortexsim::detail
