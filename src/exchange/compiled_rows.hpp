#pragma once
// Private to the exchange layer: this rank's rows as both exchanges keep them, built straight from the
// connectivity layer's rows (no PETSc matrix is assembled): every row in summation order (increasing column
// key), the distinct sources the rows read (`needed`, increasing global id) and each nonzero's index into them.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/exchange/exchange.hpp"
#include "cortexsim/partition/partition.hpp"

namespace cortexsim::detail {

struct compiled_rows {
    std::size_t n_rows = 0, row_begin = 0;
    std::vector<std::int64_t> row_ptr;       // n_rows + 1
    std::vector<std::int32_t> needed_index;  // per nonzero: index into needed
    std::vector<std::int64_t> global_col;    // per nonzero: global source id
    std::vector<double> val;
    std::vector<std::int32_t> delay;   // per nonzero (empty: no delays)
    std::vector<std::int64_t> needed;  // distinct sources, increasing global id
};

/// Checks the rows against the partition (this rank's rows, columns in range and distinct within a row) and
/// orders every row by column_key (empty: by column). Throws mpi_error / data_error (local: call collectively).
compiled_rows compile_rows(const block_partition& part, int rank, const local_rows& rows,
                           const std::vector<std::size_t>& column_key);

/// Fills the ghost, byte and neighbour counts of stats from the needed sources (collective).
void fill_stats(MPI_Comm comm, const block_partition& part, const compiled_rows& r, std::size_t value_bytes,
                exchange_stats& stats);

}  // namespace cortexsim::detail
