#pragma once
// The long-range coupling: the only owner of PETSc objects in the time loop.
//
// The coupling matrix W (rows = target areas, columns = source areas) is assembled once as a PETSc MPIAIJ
// matrix from each rank's own rows. For the time loop we do NOT use MatMult: PETSc's MPIAIJ MatMult sums the
// diagonal block and the off-diagonal block separately, so the order of the additions (and the rounding)
// depends on the partition. Instead the exchange
//   1. places the caller's local source values in a distributed PETSc Vec (no copy, VecPlaceArray),
//   2. gathers every source value a local row needs (own and ghost) into a sequential Vec with a VecScatter
//      built once (Begin/End every step),
//   3. sums each row with a fixed summation tree over its nonzeros in global column order (see apply()).
// The result is bit-identical on any number of ranks. See docs/design.md.
#include <mpi.h>
#include <petscmat.h>
#include <petscvec.h>

#include <cstddef>
#include <vector>

#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/partition/partition.hpp"

namespace cortexsim {

struct exchange_stats {
    std::size_t local_rows = 0;
    std::size_t nnz = 0;
    std::size_t ghost_sources = 0;       // source areas owned by other ranks that this rank reads
    std::size_t bytes_per_exchange = 0;  // received per exchange
    std::size_t recv_neighbours = 0;     // ranks this rank receives from in one exchange
    std::size_t send_neighbours = 0;     // ranks this rank sends to in one exchange (= messages sent)
    std::int64_t steps_per_exchange = 1; // 1 without delays, the minimum delay D with delays
};

/// Fills recv/send neighbour counts from the owners of the needed sources (collective; set-up only).
void count_neighbours(MPI_Comm comm, const block_partition& part, const std::vector<PetscInt>& needed,
                      exchange_stats& stats);

class coupling {
public:
    /// Collective. `rows` are this rank's rows of W; `part` must give this rank the same rows.
    /// column_key (optional, one per area): sums each row in increasing key order instead of column order
    /// (a renumbered model passes area_table::original, so sums do not depend on the renumbering).
    coupling(MPI_Comm comm, const block_partition& part, const local_rows& rows,
             const std::vector<std::size_t>& column_key = {});
    ~coupling();
    coupling(const coupling&) = delete;
    coupling& operator=(const coupling&) = delete;

    /// Collective. out[i] = sum_j W[row_begin + i, j] * x[j], with x distributed as the partition says
    /// (x_local = this rank's values). The summation order depends only on row i's nonzeros
    /// (four interleaved partial sums in increasing j), never on the partition. No allocation.
    void apply(const double* x_local, double* out);

    /// The PETSc matrix (for comparisons and benchmarks). Owned by this object.
    Mat matrix() const { return W_; }
    /// A distributed vector with this rank's layout (owned by the caller: VecDestroy it).
    Vec create_vector() const;

    const exchange_stats& stats() const { return stats_; }

private:
    MPI_Comm comm_;
    std::size_t n_local_;
    bool single_rank_;
    Mat W_ = nullptr;
    Vec x_global_ = nullptr;  // aliases the caller's array during apply()
    Vec gathered_ = nullptr;  // sequential, aliases gathered_buf_
    VecScatter scatter_ = nullptr;
    std::vector<PetscInt> row_ptr_;
    std::vector<PetscInt> col_;  // index into the gathered buffer (or x_local when single_rank_)
    std::vector<double> val_;
    std::vector<double> gathered_buf_;
    exchange_stats stats_;
};

}  // namespace cortexsim
