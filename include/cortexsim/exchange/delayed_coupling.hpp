#pragma once
// Long-range coupling with conduction delays, exchanged once per minimum-delay epoch (as NEST and Arbor do).
//
// Input at step t:  out_i = sum_j W_ij s_j(t - d_ij),  d_ij >= D >= 1 steps (D = global minimum delay).
// Every source value a step needs is at least D steps old, so the rates produced during one epoch of D steps
// are exchanged together at the start of the next epoch: each rank packs its own areas' last D states into a
// distributed PETSc Vec of block size D, and one VecScatter (built once) gathers every needed source's block
// into a ring buffer of past states (max delay + 1 slots). Row sums follow the same partition-independent
// order as `coupling`, so results are bit-identical on any number of ranks.
#include <mpi.h>
#include <petscvec.h>

#include <cstdint>
#include <vector>

#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/exchange/coupling.hpp"
#include "cortexsim/partition/partition.hpp"

namespace cortexsim {

class delayed_coupling {
public:
    /// Collective. rows.delay must hold the delay (steps >= 1) of every nonzero.
    /// column_key: as for coupling (summation order of each row).
    delayed_coupling(MPI_Comm comm, const block_partition& part, const local_rows& rows,
                     const std::vector<std::size_t>& column_key = {});
    ~delayed_coupling();
    delayed_coupling(const delayed_coupling&) = delete;
    delayed_coupling& operator=(const delayed_coupling&) = delete;

    /// Collective: the history before step 0 is the initial state x0 (this rank's values).
    void initialise(const double* x0_local);

    /// Collective at epoch starts (t % D == 0), local otherwise. Stores s(t) = x_local and writes the delayed
    /// long-range sums of step t into out. Call once per step, t = 0, 1, 2, ...
    void step(std::int64_t t, const double* x_local, double* out);

    /// The sums when every past value of every source is `value` (the background fixed point). Local.
    void sums_of_constant(double value, double* out) const;

    std::int64_t min_delay() const { return D_; }
    std::int64_t max_delay() const { return max_d_; }
    std::int64_t history_length() const { return L_; }
    const exchange_stats& stats() const { return stats_; }

    /// Own states s(t) for t in [k - L, k - 1] (before step k), [L][n_local] (oldest first), for checkpoints.
    std::vector<double> export_history(std::int64_t k) const;
    /// Restores the history before step k from the global states [L][n_areas] (oldest first) of every area.
    void import_history(std::int64_t k, const std::vector<double>& global_history);

private:
    std::size_t slot(std::int64_t t) const {
        const std::int64_t m = t % L_;
        return static_cast<std::size_t>(m < 0 ? m + L_ : m);
    }
    void exchange_block();

    MPI_Comm comm_;
    std::size_t n_local_, n_needed_, begin_;
    std::int64_t D_ = 1, max_d_ = 1, L_ = 2;
    std::vector<PetscInt> row_ptr_, col_;  // col_: compressed needed-column index
    std::vector<std::int32_t> delay_;
    std::vector<double> val_;
    std::vector<PetscInt> needed_;         // global ids of needed sources, increasing
    std::vector<double> ring_;             // [L][n_needed]
    std::vector<double> own_ring_;         // [L][n_local]
    std::vector<double> pack_;             // [n_local][D]
    std::vector<double> gathered_;         // [n_needed][D]
    std::int64_t pack_first_ = 0;          // step of pack slot 0
    Vec x_global_ = nullptr, x_gathered_ = nullptr;
    VecScatter scatter_ = nullptr;
    exchange_stats stats_;
};

}  // namespace cortexsim
