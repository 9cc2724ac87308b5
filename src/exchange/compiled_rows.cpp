#include "compiled_rows.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"

namespace cortexsim::detail {

compiled_rows compile_rows(const block_partition& part, int rank, const local_rows& rows,
                           const std::vector<std::size_t>& column_key) {
    if (rows.row_begin != part.begin(rank) || rows.n_rows != part.count(rank))
        throw mpi_error("exchange: local rows [" + std::to_string(rows.row_begin) + ", " +
                        std::to_string(rows.row_begin + rows.n_rows) + ") do not match the partition on rank " +
                        std::to_string(rank));
    const bool delays = !rows.delay.empty();
    if (delays && rows.delay.size() != rows.nnz())
        throw mpi_error("exchange: rows carry delays for some nonzeros only");
    if (rows.nnz() > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max()))
        throw mpi_error("exchange: too many nonzeros on rank " + std::to_string(rank));
    const std::size_t N = part.n_areas();
    if (!column_key.empty() && column_key.size() != N) throw mpi_error("exchange: column key of the wrong length");
    compiled_rows r;
    r.n_rows = rows.n_rows;
    r.row_begin = rows.row_begin;
    r.row_ptr.assign(rows.row_ptr.begin(), rows.row_ptr.end());
    r.global_col.resize(rows.nnz());
    r.val.resize(rows.nnz());
    if (delays) r.delay.resize(rows.nnz());
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < rows.n_rows; ++i) {
        const auto b = static_cast<std::size_t>(rows.row_ptr[i]), e = static_cast<std::size_t>(rows.row_ptr[i + 1]);
        for (std::size_t k = b; k < e; ++k) {
            const std::int64_t c = rows.col[k];
            if (c < 0 || static_cast<std::size_t>(c) >= N)
                throw data_error("exchange: row " + std::to_string(rows.row_begin + i) + " reads source " +
                                 std::to_string(c) + ", outside the " + std::to_string(N) + " areas");
            if (k > b && c <= rows.col[k - 1])
                throw data_error("exchange: row " + std::to_string(rows.row_begin + i) +
                                 " lists its sources out of order or twice (source " + std::to_string(c) + ")");
        }
        idx.resize(e - b);
        std::iota(idx.begin(), idx.end(), b);
        if (!column_key.empty())
            std::sort(idx.begin(), idx.end(), [&](std::size_t x, std::size_t y) {
                return column_key[static_cast<std::size_t>(rows.col[x])] <
                       column_key[static_cast<std::size_t>(rows.col[y])];
            });
        for (std::size_t q = 0; q < idx.size(); ++q) {
            r.global_col[b + q] = rows.col[idx[q]];
            r.val[b + q] = rows.val[idx[q]];
            if (delays) r.delay[b + q] = rows.delay[idx[q]];
        }
    }
    r.needed = r.global_col;
    std::sort(r.needed.begin(), r.needed.end());
    r.needed.erase(std::unique(r.needed.begin(), r.needed.end()), r.needed.end());
    if (r.needed.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        throw mpi_error("exchange: rank " + std::to_string(rank) + " reads more than 2^31 distinct sources");
    r.needed_index.resize(r.global_col.size());
    for (std::size_t k = 0; k < r.global_col.size(); ++k)
        r.needed_index[k] = static_cast<std::int32_t>(
            std::lower_bound(r.needed.begin(), r.needed.end(), r.global_col[k]) - r.needed.begin());
    return r;
}

void fill_stats(MPI_Comm comm, const block_partition& part, const compiled_rows& r, std::size_t value_bytes,
                exchange_stats& stats) {
    const int size = comm_size(comm), me = comm_rank(comm);
    stats.local_rows = r.n_rows;
    stats.nnz = r.val.size();
    stats.ghost_sources = 0;
    std::vector<int> from(static_cast<std::size_t>(size), 0), to(static_cast<std::size_t>(size), 0);
    for (std::int64_t c : r.needed) {
        const int o = part.owner(static_cast<std::size_t>(c));
        if (o != me) {
            ++stats.ghost_sources;
            from[static_cast<std::size_t>(o)] = 1;
        }
    }
    stats.bytes_per_exchange = stats.ghost_sources * value_bytes;
    check_mpi(MPI_Alltoall(from.data(), 1, MPI_INT, to.data(), 1, MPI_INT, comm), "MPI_Alltoall");
    stats.recv_neighbours = static_cast<std::size_t>(std::count(from.begin(), from.end(), 1));
    stats.send_neighbours = static_cast<std::size_t>(std::count(to.begin(), to.end(), 1));
}

}  // namespace cortexsim::detail
