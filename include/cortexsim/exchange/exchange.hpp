#pragma once
// The exchange layer's one interface: the long-range sums of one coupling matrix, out_i = sum_j W_ij x_j(t - d_ij),
// for this rank's target areas, with the communication they need. It is the only place (with gather.hpp) where
// the time loop communicates, and the only owner of PETSc objects in the loop; PETSc stays behind this header.
//
// Two implementations, chosen by make_exchange from the rows:
//   direct   (no delays) every step: the caller's local source values are placed in a distributed PETSc Vec,
//            one VecScatter built once gathers every source a local row needs (own and ghost), and each row is
//            summed with the fixed summation tree of row_sum.hpp over its nonzeros in a fixed order;
//   delayed  (rows carry delays d_ij >= D >= 1 steps) once per minimum-delay epoch of D steps: each rank packs
//            its last D states into a Vec of block size D and one VecScatter gathers every needed block into a
//            ring of past states (max delay + 1 slots); rows are summed in the same fixed order.
// The order of every row sum depends only on the row (its nonzeros sorted by column_key, default: by column),
// never on the partition, so the result is bit-identical on any number of ranks (docs/design.md).
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/partition/partition.hpp"

namespace cortexsim {

struct exchange_stats {
    std::size_t local_rows = 0;
    std::size_t nnz = 0;
    std::size_t ghost_sources = 0;        // source areas owned by other ranks that this rank reads
    std::size_t bytes_per_exchange = 0;   // received per exchange
    std::size_t recv_neighbours = 0;      // ranks this rank receives from in one exchange
    std::size_t send_neighbours = 0;      // ranks this rank sends to in one exchange (= messages sent)
    std::int64_t steps_per_exchange = 1;  // 1 without delays, the minimum delay D with delays
};

class exchange {
public:
    virtual ~exchange() = default;

    /// Collective. The history before step 0 is the initial state x0 (this rank's values); no-op without delays.
    virtual void initialise(const double* x0_local) = 0;

    /// The sums of stage `stage` of step t (t = 0, 1, 2, ... in order; stages 0, 1, ... of an integrator).
    /// Stage 0 stores x(t) and writes the sums of step t into out. A later stage (Heun's corrector) gives the
    /// sums of the stage's state x: a direct exchange recomputes them; a delayed one leaves out as stage 0 wrote
    /// it (its sources are older than the step). Collective whenever it exchanges (every stage of a direct
    /// exchange, stage 0 of every D-th step of a delayed one). No allocation.
    virtual void sums(std::int64_t t, int stage, const double* x_local, double* out) = 0;

    /// The sums when every past value of every source is `value` (a fixed point). Local.
    virtual void sums_of_constant(double value, double* out) const = 0;

    /// Steps of state kept for delays (0 without delays), and the minimum delay D (1 without delays).
    virtual std::int64_t history_length() const = 0;
    virtual std::int64_t min_delay() const = 0;
    /// Own states s(t) for t in [k - L, k - 1] (before step k), [L][n_local] oldest first, for checkpoints.
    virtual std::vector<double> export_history(std::int64_t k) const = 0;
    /// Restores the history before step k from the states [L][n_areas] (oldest first) of every area.
    virtual void import_history(std::int64_t k, const std::vector<double>& global_history) = 0;

    virtual const exchange_stats& stats() const = 0;
};

/// Collective. The exchange of `rows` (this rank's rows; `part` must give this rank the same rows): delayed if
/// the rows carry delays (rows.delay, one per nonzero, >= 1 step), direct otherwise. column_key (optional, one
/// per area): each row is summed in increasing key order instead of column order (a renumbered model passes
/// area_table::original, so sums do not depend on the renumbering). Throws on every rank alike.
std::unique_ptr<exchange> make_exchange(MPI_Comm comm, const block_partition& part, const local_rows& rows,
                                        const std::vector<std::size_t>& column_key = {});

}  // namespace cortexsim
