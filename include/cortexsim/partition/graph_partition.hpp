#pragma once
// Ownership of areas by ranks computed from the coupling graph, and the per-rank exchange report of an ownership.
//
// Input layout: the coupling matrix W (rows = target areas, columns = source areas) is distributed by rows in
// the contiguous blocks of block_partition(n_areas, ranks): this rank passes its rows
// [row_begin, row_begin + rows.size()), each a list of (source area, weight). Entries may come in any order;
// a repeated source counts once in the graph and in the ghost count, but every entry counts in nnz.
//
// Output: an ownership vector owner[area] = rank, of length n_areas, identical on every rank. It is NOT a
// block layout: the caller renumbers areas (a permutation) so that each rank's areas become contiguous.
//
// Methods (docs/partition.md):
//  * "block": the contiguous blocks of block_partition (today's layout), no PETSc.
//  * "graph": PETSc MatPartitioning on the symmetrised graph (edge {i, j} whenever W_ij or W_ji is stored,
//    i != j) as a MATMPIADJ; edge weight = |W_ij| + |W_ji| scaled to integers in [1, S] (S <= 1000, smaller
//    when needed to keep the total edge weight below 2^30); vertex weight = 1 + nnz of the area's row. The
//    partitioner type is the best one this PETSc offers: ptscotch, then parmetis, then PETSc's built-in
//    "average" (contiguous chunks of equal size, i.e. no graph information; see graph_partitioner_type()).
//    Deterministic for a given input and rank count (tested by repeated calls). Parts left empty by the
//    partitioner are filled deterministically (repair_empty_parts), so every rank owns at least one area.
//
// Every function here is collective over comm (except repair_empty_parts and format_partition_report) and
// throws on every rank alike: the error of the lowest failing rank, with its type (config_error for an unknown
// method, mpi_error for a rank count above n_areas or rows not matching the block layout or ranks disagreeing
// on n_areas / method / ownership, data_error for a source out of range or a non-finite weight, petsc_error
// for a PETSc failure). Needs MPI; "graph" on more than one rank needs PETSc, through the process's graph backend
// (graph_backend.hpp: the PETSc module, or cortexsim::graph_petsc linked in), else it throws petsc_error.
#include <mpi.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "cortexsim/connectivity/connectivity.hpp"

namespace cortexsim {

/// One row of the coupling matrix: (source area, weight) pairs.
using weighted_row = std::vector<std::pair<std::size_t, double>>;

/// The owner rank of every area (length n_areas, the same on every rank); see above. Collective.
std::vector<int> graph_partition(MPI_Comm comm, std::size_t n_areas, std::size_t row_begin,
                                 const std::vector<weighted_row>& rows, const std::string& method);

/// The same from a rank's local_rows (n_areas = rows.n_global, row_begin = rows.row_begin). Collective.
std::vector<int> graph_partition(MPI_Comm comm, const local_rows& rows, const std::string& method);

/// The MatPartitioning type that method "graph" uses with this PETSc: "ptscotch", "parmetis" or "average".
/// Needs the graph backend (PETSc initialised). Not collective.
std::string graph_partitioner_type();

/// Gives every empty part one area, deterministically: for each empty rank r in increasing order, the part
/// with the most areas (lowest rank on ties) gives up its highest-numbered area. Requires owner.size() >=
/// n_ranks and every owner in [0, n_ranks). Pure function (used by graph_partition; exposed for tests).
void repair_empty_parts(std::vector<int>& owner, int n_ranks);

/// One rank's share of the coupling under an ownership.
struct rank_load {
    std::size_t areas = 0;               // areas owned
    std::size_t nnz = 0;                 // stored entries of the rows of those areas
    std::size_t ghost_sources = 0;       // distinct sources of those rows owned by other ranks
    std::size_t recv_neighbours = 0;     // ranks owning at least one of those ghosts (messages received)
    std::size_t send_neighbours = 0;     // ranks reading at least one of this rank's areas (messages sent)
    std::size_t bytes_per_exchange = 0;  // received per exchange of one double per area: 8 x ghost_sources
};

/// The per-rank table and its totals. Imbalance = max / mean over ranks (1 when the mean is 0).
struct partition_report {
    std::vector<rank_load> ranks;  // index = rank, the same on every rank
    std::size_t total_areas = 0;
    std::size_t total_nnz = 0;
    std::size_t total_ghosts = 0;
    std::size_t total_bytes = 0;
    std::size_t max_ghosts = 0;
    double area_imbalance = 1.0;
    double nnz_imbalance = 1.0;
    double ghost_imbalance = 1.0;
};

/// Computes the report of an ownership vector (length n_areas, identical on every rank, values in [0, ranks))
/// for the rows this rank holds in the block layout (as for graph_partition). Collective; the result is the
/// same on every rank. With the block ownership it equals the coupling's exchange_stats of every rank.
partition_report make_partition_report(MPI_Comm comm, const std::vector<int>& owner, std::size_t row_begin,
                                       const std::vector<weighted_row>& rows);
partition_report make_partition_report(MPI_Comm comm, const std::vector<int>& owner, const local_rows& rows);

/// The report as text: one line per rank, then one summary line (no trailing newlines), for rank 0 to print.
std::vector<std::string> format_partition_report(const partition_report& report);

}  // namespace cortexsim
