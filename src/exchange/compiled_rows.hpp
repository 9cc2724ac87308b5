#pragma once
// Private to the exchange layer: this rank's rows as both exchanges keep them, streamed block by block from a
// row_source into the one copy of the matrix (no PETSc matrix, no intermediate full copy): every row in
// summation order (increasing column key), each nonzero's values (one per matrix) and its index into the
// sources this rank holds (`needed`: the sources the rows read and this rank's own areas, increasing global id).
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cortexsim/exchange/exchange.hpp"
#include "cortexsim/partition/partition.hpp"

namespace cortexsim::detail {

struct compiled_rows {
    std::size_t n_rows = 0, row_begin = 0, n_values = 1, n_areas = 0;
    std::vector<std::int64_t> row_ptr;  // n_rows + 1
    std::vector<std::int32_t> col;      // per nonzero: index into needed (the global column when identity)
    std::vector<double> val;            // [nonzero][n_values]
    std::vector<std::int32_t> delay;    // per nonzero (empty: no delays)
    bool delays = false;
    /// The sources held: every area (identity: one rank) or the distinct sources read plus this rank's own
    /// areas, increasing global id; this rank's areas are needed[own_first + i], i < n_rows.
    bool identity = false;
    std::vector<std::int64_t> needed;
    std::size_t own_first = 0;
    std::size_t n_needed() const { return identity ? n_areas : needed.size(); }
    std::int64_t global(std::size_t c) const { return identity ? static_cast<std::int64_t>(c) : needed[c]; }
    std::size_t nnz() const { return col.size(); }
};

/// Streams this rank's rows from `src`, checks them (this rank's rows, columns in range and strictly increasing,
/// every matrix the same pattern, delays >= 1), orders every row by options.column_key and maps the columns to
/// needed indices. `delays`: the rows carry delays (agreed by every rank before). `identity`: keep every area as
/// a source (one rank). Throws data_error / mpi_error (local: call collectively).
compiled_rows compile_rows(const block_partition& part, int rank, const row_source& src,
                           const exchange_options& options, bool delays, bool identity);

/// Fills the ghost, byte and neighbour counts of stats from the needed sources (collective). value_bytes: bytes
/// received per ghost source and exchange.
void fill_stats(MPI_Comm comm, const block_partition& part, const compiled_rows& r, std::size_t value_bytes,
                exchange_stats& stats);

}  // namespace cortexsim::detail
