#include "compiled_rows.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"

namespace cortexsim::detail {
namespace {

void check_block(const std::vector<local_rows>& blk, std::size_t b, std::size_t e, std::size_t n_values, bool delays,
                 int rank) {
    if (blk.size() != n_values) throw error("internal error: a row source filled the wrong number of matrices");
    for (std::size_t m = 0; m < n_values; ++m) {
        const local_rows& r = blk[m];
        if (r.row_begin != b || r.n_rows != e - b || r.row_ptr.size() != r.n_rows + 1 || r.row_ptr.front() != 0 ||
            static_cast<std::size_t>(r.row_ptr.back()) != r.col.size() || r.col.size() != r.val.size())
            throw mpi_error("exchange: local rows [" + std::to_string(r.row_begin) + ", " +
                            std::to_string(r.row_begin + r.n_rows) + ") do not match the partition on rank " +
                            std::to_string(rank) + " (expected [" + std::to_string(b) + ", " + std::to_string(e) +
                            "))");
        if (delays && r.delay.size() != r.nnz() && !(r.delay.empty() && r.nnz() == 0))
            throw mpi_error("exchange: rows carry delays for some nonzeros only");
        if (!delays && !r.delay.empty()) throw mpi_error("exchange: rows carry delays for some nonzeros only");
        if (m > 0 && (r.row_ptr != blk[0].row_ptr || r.col != blk[0].col || r.delay != blk[0].delay))
            throw error("internal error: matrices summed in one pass have different patterns");
    }
}

}  // namespace

compiled_rows compile_rows(const block_partition& part, int rank, const row_source& src,
                           const exchange_options& options, bool delays, bool identity) {
    const std::size_t N = part.n_areas(), M = std::max<std::size_t>(src.n_values, 1);
    const std::size_t begin = part.begin(rank), end = part.end(rank);
    if (N > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        throw mpi_error("exchange: more than 2^31 - 1 areas");
    const auto& key = options.column_key;
    if (!key.empty() && key.size() != N) throw mpi_error("exchange: column key of the wrong length");
    compiled_rows r;
    r.n_rows = end - begin;
    r.row_begin = begin;
    r.n_values = M;
    r.n_areas = N;
    r.delays = delays;
    r.identity = identity;
    r.row_ptr.reserve(r.n_rows + 1);
    r.row_ptr.push_back(0);
    if (src.count) {  // reserve once: the matrix is the largest object of a run, never copied on growth
        const std::size_t cap = src.count(begin, end);
        r.col.reserve(cap);
        r.val.reserve(cap * M);
        if (delays) r.delay.reserve(cap);
    }
    std::vector<local_rows> blk(M);
    std::vector<std::size_t> idx;
    const std::size_t step = std::max<std::size_t>(options.rows_per_block, 1);
    for (std::size_t b = begin; b < end; b += step) {
        const std::size_t e = std::min(end, b + step);
        for (auto& x : blk) x = local_rows{};
        src.fill(b, e, blk);
        check_block(blk, b, e, M, delays, rank);
        const local_rows& p = blk[0];
        for (std::size_t i = 0; i < p.n_rows; ++i) {
            const auto rb = static_cast<std::size_t>(p.row_ptr[i]), re = static_cast<std::size_t>(p.row_ptr[i + 1]);
            for (std::size_t k = rb; k < re; ++k) {
                const std::int64_t c = p.col[k];
                if (c < 0 || static_cast<std::size_t>(c) >= N)
                    throw data_error("exchange: row " + std::to_string(b + i) + " reads source " + std::to_string(c) +
                                     ", outside the " + std::to_string(N) + " areas");
                if (k > rb && c <= p.col[k - 1])
                    throw data_error("exchange: row " + std::to_string(b + i) +
                                     " lists its sources out of order or twice (source " + std::to_string(c) + ")");
                if (delays && p.delay[k] < 1)
                    throw data_error("delayed coupling: a delay of " + std::to_string(p.delay[k]) +
                                     " steps (must be >= 1)");
            }
            idx.resize(re - rb);
            std::iota(idx.begin(), idx.end(), rb);
            if (!key.empty())
                std::sort(idx.begin(), idx.end(), [&](std::size_t x, std::size_t y) {
                    return key[static_cast<std::size_t>(p.col[x])] < key[static_cast<std::size_t>(p.col[y])];
                });
            for (std::size_t q : idx) {
                r.col.push_back(static_cast<std::int32_t>(p.col[q]));
                for (std::size_t m = 0; m < M; ++m) r.val.push_back(blk[m].val[q]);
                if (delays) r.delay.push_back(p.delay[q]);
            }
            r.row_ptr.push_back(static_cast<std::int64_t>(r.col.size()));
        }
    }
    // a count that was only an upper bound (or none: grown on demand) leaves spare capacity: given back here, so
    // that the exchange keeps exactly the matrix (no reallocation when the count was exact)
    r.col.shrink_to_fit();
    r.val.shrink_to_fit();
    r.delay.shrink_to_fit();
    blk = {};
    if (identity) return r;
    // the sources held: those read and this rank's own areas, as a bit map over all areas, then each column's
    // rank among them
    std::vector<std::uint64_t> bits((N + 63) / 64, 0);
    auto mark = [&](std::size_t a) { bits[a >> 6] |= std::uint64_t{1} << (a & 63); };
    for (std::int32_t c : r.col) mark(static_cast<std::size_t>(c));
    for (std::size_t a = begin; a < end; ++a) mark(a);
    std::vector<std::int32_t> index_of(N, -1);
    for (std::size_t a = 0; a < N; ++a)
        if (bits[a >> 6] >> (a & 63) & 1) {
            index_of[a] = static_cast<std::int32_t>(r.needed.size());
            r.needed.push_back(static_cast<std::int64_t>(a));
        }
    bits = {};
    r.needed.shrink_to_fit();
    for (auto& c : r.col) c = index_of[static_cast<std::size_t>(c)];
    r.own_first = begin < end ? static_cast<std::size_t>(index_of[begin]) : 0;
    return r;
}

void fill_stats(MPI_Comm comm, const block_partition& part, const compiled_rows& r, std::size_t value_bytes,
                exchange_stats& stats) {
    const int size = comm_size(comm), me = comm_rank(comm);
    stats.local_rows = r.n_rows;
    stats.nnz = r.nnz();
    stats.ghost_sources = 0;
    std::vector<int> from(static_cast<std::size_t>(size), 0), to(static_cast<std::size_t>(size), 0);
    if (!r.identity)
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
