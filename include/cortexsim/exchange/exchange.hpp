#pragma once
// The exchange layer's one interface: the long-range sums of one sparsity pattern, out_i = sum_j W_ij x_j(t - d_ij),
// for this rank's target areas, with the communication they need. It is the only place (with gather.hpp) where
// the time loop communicates (plain MPI point-to-point messages, built once; no PETSc).
//
// One exchange serves several matrices with the same sparsity (and delays) and several source vectors: with
// M = n_values matrices W^m and S = n_sources source vectors x^s it computes the M x S sums
// out[m S + s]_i = sum_j W^m_ij x^s_j(t - d_ij) in one pass over the pattern, and one message per neighbour carries
// every source (Froudist-Walsh 2021: 2 matrices x 4 gates = 8 sums, one pass and one message per step).
//
// Two implementations, chosen by make_exchange from the rows:
//   direct   (no delays) every step and every stage: each rank sends the source values its neighbours read and
//            receives its ghosts; rows that read no ghost are summed while the messages travel (polling them
//            every few hundred rows, so that shared-memory and rendezvous transfers progress), the others after
//            (exchange_options::overlap = false: every row after the receive; the same bytes either way);
//   delayed  (rows carry delays d_ij >= D >= 1 steps) once per minimum-delay epoch of D steps: every rank keeps
//            the last L = max delay + 1 states of every source it reads (own and ghost), per source a ring in
//            time order, and at the start of an epoch receives its ghosts' last D states and computes the sums
//            of all D steps of the epoch in one pass over the rows (each nonzero reads D consecutive states).
// The order of every row sum depends only on the row (its nonzeros sorted by column_key, default: by column;
// the tree of row_sum.hpp), never on the partition or on the number of sums computed with it, so the result
// is bit-identical on any number of ranks (docs/design.md).
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/partition/partition.hpp"

namespace cortexsim {

struct exchange_stats {
    std::size_t local_rows = 0;
    std::size_t nnz = 0;
    std::size_t ghost_sources = 0;        // source areas owned by other ranks that this rank reads
    std::size_t bytes_per_exchange = 0;   // received per exchange (all sources of the exchange)
    std::size_t recv_neighbours = 0;      // ranks this rank receives from in one exchange
    std::size_t send_neighbours = 0;      // ranks this rank sends to in one exchange (= messages sent)
    std::int64_t steps_per_exchange = 1;  // 1 without delays, the minimum delay D with delays
    std::size_t interior_rows = 0;        // rows that read no ghost (summed while messages travel)
    std::uint64_t exchanges = 0;          // exchanges done (calls that sent and received messages)
    std::uint64_t overlapped_rows = 0;    // rows summed between starting the messages and waiting for them,
                                          // over all exchanges (interior_rows per exchange with overlap on)
    std::size_t matrix_bytes = 0;         // the pattern and values as stored
    std::size_t history_bytes = 0;        // the delay history as stored
};

/// This rank's rows, delivered block by block (so that the exchange holds the only full copy of the matrix):
/// fill(begin, end, out) writes rows [begin, end) of each of the n_values matrices into out[m] (out has
/// n_values entries; every matrix must have the same columns, and delays if any, in every row). Blocks come in
/// increasing order and cover exactly this rank's rows. count(begin, end), if given, is an upper bound of their
/// nonzeros (the storage is reserved once).
struct row_source {
    std::size_t n_values = 1;
    bool delays = false;  // the rows carry delays (on any rank)
    std::function<std::size_t(std::size_t begin, std::size_t end)> count;
    std::function<void(std::size_t begin, std::size_t end, std::vector<local_rows>& out)> fill;
};

struct exchange_options {
    std::size_t n_sources = 1;            // source vectors summed with the same rows
    std::vector<std::size_t> column_key;  // sum each row in increasing key order (empty: column order)
    std::size_t rows_per_block = 1024;    // rows asked from the source at a time
    bool overlap = true;                  // direct: sum the rows that read no ghost while the messages travel
                                          // (run.exchange_overlap; false: all rows after the receive)
};

class exchange {
public:
    virtual ~exchange() = default;

    std::size_t n_values() const { return n_values_; }
    std::size_t n_sources() const { return n_sources_; }

    /// Collective. The history before step 0 is the initial state x0[s] (this rank's values); no-op without delays.
    virtual void initialise(const double* const* x0_local) = 0;

    /// The sums of stage `stage` of step t (t = 0, 1, 2, ... in order; stages 0, 1, ... of an integrator), from
    /// x[s] (this rank's values of source s) into out[m * n_sources + s] (this rank's rows). Stage 0 stores x(t)
    /// and writes the sums of step t. A later stage (Heun's corrector) gives the sums of the stage's state x: a
    /// direct exchange recomputes them; a delayed one leaves out as stage 0 wrote it (its sources are older than
    /// the step). Collective whenever it exchanges (every stage of a direct exchange, stage 0 of every D-th step
    /// of a delayed one). No allocation.
    virtual void sums(std::int64_t t, int stage, const double* const* x, double* const* out) = 0;
    /// One matrix, one source.
    void sums(std::int64_t t, int stage, const double* x, double* out) { sums(t, stage, &x, &out); }
    void initialise(const double* x0_local) { initialise(&x0_local); }

    /// The sums when every past value of source s is value[s] (a fixed point), into out[m * n_sources + s]. Local.
    virtual void sums_of_constant(const double* value, double* const* out) const = 0;
    void sums_of_constant(double value, double* out) const { sums_of_constant(&value, &out); }

    /// Steps of state kept for delays (0 without delays), and the minimum delay D (1 without delays).
    virtual std::int64_t history_length() const = 0;
    virtual std::int64_t min_delay() const = 0;
    /// Own states of source s for t in [k - L, k - 1] (before step k), [L][n_local] oldest first, for checkpoints.
    virtual std::vector<double> export_history(std::int64_t k, std::size_t s = 0) const = 0;
    /// Restores the history of source s before step k from the states [L][n_areas] (oldest first) of every area.
    virtual void import_history(std::int64_t k, const std::vector<double>& global_history, std::size_t s = 0) = 0;

    virtual const exchange_stats& stats() const = 0;

protected:
    exchange(std::size_t n_values, std::size_t n_sources) : n_values_(n_values), n_sources_(n_sources) {}

private:
    std::size_t n_values_, n_sources_;
};

/// Collective. The exchange of this rank's rows (`part` gives this rank its rows): delayed if the rows carry
/// delays (one per nonzero, >= 1 step), direct otherwise. Throws on every rank alike.
std::unique_ptr<exchange> make_exchange(MPI_Comm comm, const block_partition& part, const row_source& rows,
                                        const exchange_options& options);

/// One matrix and one source from rows held in memory. column_key (optional, one per area): each row is summed
/// in increasing key order instead of column order (a renumbered model passes area_table::original, so sums do
/// not depend on the renumbering).
std::unique_ptr<exchange> make_exchange(MPI_Comm comm, const block_partition& part, const local_rows& rows,
                                        const std::vector<std::size_t>& column_key = {});

/// A row_source over rows held in memory (matrices with the same pattern; rows[m] holds matrix m).
row_source rows_in_memory(const std::vector<const local_rows*>& rows);

}  // namespace cortexsim
