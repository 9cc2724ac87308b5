#include "cortexsim/partition/graph_partition.hpp"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <string>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/partition/graph_backend.hpp"
#include "cortexsim/partition/partition.hpp"
#include "graph_common.hpp"
namespace cortexsim {

namespace {

#define GP_MPI(call) check_mpi((call), #call)

int rank_of(MPI_Comm comm) { return comm_rank(comm); }
int size_of(MPI_Comm comm) { return comm_size(comm); }

/// Runs f (which must not block in a collective call that another rank could skip by throwing); every rank then
/// throws the error of the lowest failing rank, with its type (common/collective.hpp).
template <class F>
void collectively(MPI_Comm comm, F&& f) {
    run_collectively(comm, std::forward<F>(f));
}

// ---- the rows in one compressed form --------------------------------------------------------------------------

struct csr {
    std::size_t n_areas = 0;
    std::size_t row_begin = 0;
    std::vector<std::size_t> ptr{0};
    std::vector<std::size_t> col;
    std::vector<double> val;
    std::size_t n_rows() const { return ptr.size() - 1; }
};

csr csr_of(std::size_t n_areas, std::size_t row_begin, const std::vector<weighted_row>& rows) {
    csr c;
    c.n_areas = n_areas;
    c.row_begin = row_begin;
    std::size_t nnz = 0;
    for (const auto& r : rows) nnz += r.size();
    c.ptr.reserve(rows.size() + 1);
    c.col.reserve(nnz);
    c.val.reserve(nnz);
    for (const auto& r : rows) {
        for (const auto& [s, w] : r) {
            c.col.push_back(s);
            c.val.push_back(w);
        }
        c.ptr.push_back(c.col.size());
    }
    return c;
}

csr csr_of(const local_rows& rows) {
    csr c;
    c.n_areas = rows.n_global;
    c.row_begin = rows.row_begin;
    const std::size_t n = std::min<std::size_t>(rows.n_rows, rows.row_ptr.empty() ? 0 : rows.row_ptr.size() - 1);
    c.ptr.reserve(n + 1);
    for (std::size_t i = 0; i < n; ++i) {
        for (auto k = rows.row_ptr[i]; k < rows.row_ptr[i + 1]; ++k) {
            c.col.push_back(static_cast<std::size_t>(rows.col[static_cast<std::size_t>(k)]));
            c.val.push_back(rows.val[static_cast<std::size_t>(k)]);
        }
        c.ptr.push_back(c.col.size());
    }
    return c;
}

std::uint64_t fnv1a(const void* data, std::size_t bytes, std::uint64_t h = 1469598103934665603ull) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/// Collective: min and max over ranks of each value (to check that all ranks pass the same arguments).
void min_max(MPI_Comm comm, const std::vector<std::uint64_t>& v, std::vector<std::uint64_t>& lo,
             std::vector<std::uint64_t>& hi) {
    lo.assign(v.size(), 0);
    hi.assign(v.size(), 0);
    const int n = static_cast<int>(v.size());
    GP_MPI(MPI_Allreduce(v.data(), lo.data(), n, MPI_UINT64_T, MPI_MIN, comm));
    GP_MPI(MPI_Allreduce(v.data(), hi.data(), n, MPI_UINT64_T, MPI_MAX, comm));
}

/// Checks the rows against the block layout and the sources against n_areas (local; throws).
void check_rows(const csr& c, const block_partition& bp, int me, const char* who) {
    if (c.row_begin != bp.begin(me) || c.n_rows() != bp.count(me))
        throw mpi_error(std::string(who) + ": rank " + std::to_string(me) + " passes rows [" +
                        std::to_string(c.row_begin) + ", " + std::to_string(c.row_begin + c.n_rows()) +
                        ") but its block of " + std::to_string(c.n_areas) + " areas is [" +
                        std::to_string(bp.begin(me)) + ", " + std::to_string(bp.end(me)) + ")");
    for (std::size_t i = 0; i < c.n_rows(); ++i)
        for (std::size_t k = c.ptr[i]; k < c.ptr[i + 1]; ++k) {
            if (c.col[k] >= c.n_areas)
                throw data_error(std::string(who) + ": row " + std::to_string(c.row_begin + i) + " has source " +
                                 std::to_string(c.col[k]) + ", out of range for " + std::to_string(c.n_areas) +
                                 " areas");
            if (!std::isfinite(c.val[k]))
                throw data_error(std::string(who) + ": row " + std::to_string(c.row_begin + i) + ", source " +
                                 std::to_string(c.col[k]) + ": weight is not finite");
        }
}

using partition_detail::send_to_ranks;

}  // namespace

// ---- graph_partition ------------------------------------------------------------------------------------------

namespace {

std::atomic<const graph_backend*> the_backend{nullptr};

const graph_backend& backend_or_throw() {
    const graph_backend* b = the_backend.load();
    if (!b)
        throw petsc_error("graph_partition: method 'graph' needs PETSc, but no PETSc is loaded in this process "
                          "(the PETSc module, or cortexsim::graph_petsc with set_graph_backend: graph_backend.hpp)");
    return *b;
}

}  // namespace

void set_graph_backend(const graph_backend* backend) { the_backend.store(backend); }

const graph_backend* current_graph_backend() { return the_backend.load(); }

std::string graph_partitioner_type() { return backend_or_throw().partitioner_type(); }

void repair_empty_parts(std::vector<int>& owner, int n_ranks) {
    if (n_ranks < 1 || owner.size() < static_cast<std::size_t>(n_ranks))
        throw mpi_error("repair_empty_parts: " + std::to_string(owner.size()) + " areas cannot fill " +
                        std::to_string(n_ranks) + " ranks");
    std::vector<std::size_t> count(static_cast<std::size_t>(n_ranks), 0);
    for (int o : owner) {
        if (o < 0 || o >= n_ranks)
            throw mpi_error("repair_empty_parts: owner " + std::to_string(o) + " out of range for " +
                            std::to_string(n_ranks) + " ranks");
        ++count[static_cast<std::size_t>(o)];
    }
    for (int r = 0; r < n_ranks; ++r) {
        if (count[static_cast<std::size_t>(r)] > 0) continue;
        // the largest part (lowest rank on ties) has >= 2 areas, since n_areas >= n_ranks and part r is empty
        const int donor = static_cast<int>(std::max_element(count.begin(), count.end()) - count.begin());
        for (std::size_t a = owner.size(); a-- > 0;)
            if (owner[a] == donor) {
                owner[a] = r;
                break;
            }
        --count[static_cast<std::size_t>(donor)];
        ++count[static_cast<std::size_t>(r)];
    }
}

namespace {

std::vector<int> graph_partition_csr(MPI_Comm comm, const csr& c, const std::string& method) {
    const int p = size_of(comm), me = rank_of(comm);
    // every rank must pass the same number of areas and the same method
    std::vector<std::uint64_t> lo, hi;
    min_max(comm, {c.n_areas, fnv1a(method.data(), method.size())}, lo, hi);
    std::string type;
    collectively(comm, [&] {
        if (lo[0] != hi[0])
            throw mpi_error("graph_partition: the ranks disagree on the number of areas (" + std::to_string(lo[0]) +
                            " to " + std::to_string(hi[0]) + ")");
        if (lo[1] != hi[1]) throw mpi_error("graph_partition: the ranks pass different methods");
        if (method != "block" && method != "graph")
            throw config_error("graph_partition: unknown method '" + method + "' (use 'block' or 'graph')");
        const block_partition bp(c.n_areas, p);  // throws mpi_error for more ranks than areas
        check_rows(c, bp, me, "graph_partition");
        if (method == "graph" && p > 1) type = backend_or_throw().partitioner_type();
    });
    const block_partition bp(c.n_areas, p);
    std::vector<int> owner(c.n_areas, 0);
    if (method == "block" || p == 1) {
        for (int r = 0; r < p; ++r)
            std::fill(owner.begin() + static_cast<std::ptrdiff_t>(bp.begin(r)),
                      owner.begin() + static_cast<std::ptrdiff_t>(bp.end(r)), r);
        return owner;
    }
    std::vector<std::size_t> starts(static_cast<std::size_t>(p) + 1);
    for (int r = 0; r <= p; ++r) starts[static_cast<std::size_t>(r)] = r < p ? bp.begin(r) : c.n_areas;
    const cortexsim_graph_rows view{c.n_areas,    c.row_begin,  c.n_rows(),   c.ptr.data(),
                                    c.col.data(), c.val.data(), starts.data()};
    const std::vector<int> parts = backend_or_throw().parts(comm, view);
    collectively(comm, [&] {
        if (parts.size() != c.n_rows())
            throw petsc_error("graph_partition: the partitioner '" + type + "' returned " +
                              std::to_string(parts.size()) + " parts for " + std::to_string(c.n_rows()) +
                              " local areas");
    });
    std::vector<int> counts(static_cast<std::size_t>(p)), displs(static_cast<std::size_t>(p));
    for (int r = 0; r < p; ++r) {
        counts[static_cast<std::size_t>(r)] = static_cast<int>(bp.count(r));
        displs[static_cast<std::size_t>(r)] = static_cast<int>(bp.begin(r));
    }
    GP_MPI(MPI_Allgatherv(parts.data(), static_cast<int>(parts.size()), MPI_INT, owner.data(), counts.data(),
                          displs.data(), MPI_INT, comm));
    // the vector is the same on every rank: so is any error found here
    for (int o : owner)
        if (o < 0 || o >= p)
            throw petsc_error("graph_partition: the partitioner '" + type + "' returned part " + std::to_string(o) +
                              " for " + std::to_string(p) + " ranks");
    repair_empty_parts(owner, p);
    return owner;
}

partition_report report_csr(MPI_Comm comm, const std::vector<int>& owner, const csr& c) {
    const int p = size_of(comm), me = rank_of(comm);
    const auto P = static_cast<std::size_t>(p);
    std::vector<std::uint64_t> lo, hi;
    min_max(comm, {owner.size(), fnv1a(owner.data(), owner.size() * sizeof(int))}, lo, hi);
    collectively(comm, [&] {
        if (lo[0] != hi[0])
            throw mpi_error("make_partition_report: the ranks pass ownership vectors of different lengths (" +
                            std::to_string(lo[0]) + " to " + std::to_string(hi[0]) + ")");
        if (lo[1] != hi[1]) throw mpi_error("make_partition_report: the ranks pass different ownership vectors");
        if (c.n_areas != owner.size())
            throw mpi_error("make_partition_report: the ownership vector has " + std::to_string(owner.size()) +
                            " entries for " + std::to_string(c.n_areas) + " areas");
        for (std::size_t a = 0; a < owner.size(); ++a)
            if (owner[a] < 0 || owner[a] >= p)
                throw mpi_error("make_partition_report: area " + std::to_string(a) + " has owner " +
                                std::to_string(owner[a]) + ", out of range for " + std::to_string(p) + " ranks");
        const block_partition bp(c.n_areas, p);
        check_rows(c, bp, me, "make_partition_report");
    });

    // areas and nnz per owner; the off-owner sources of every row, sent to the row's owner
    std::vector<std::uint64_t> area_nnz(2 * P, 0), area_nnz_sum(2 * P, 0);
    std::vector<std::vector<std::int64_t>> out(P);
    for (std::size_t i = 0; i < c.n_rows(); ++i) {
        const auto o = static_cast<std::size_t>(owner[c.row_begin + i]);
        area_nnz[o] += 1;
        area_nnz[P + o] += c.ptr[i + 1] - c.ptr[i];
        for (std::size_t k = c.ptr[i]; k < c.ptr[i + 1]; ++k)
            if (owner[c.col[k]] != static_cast<int>(o)) out[o].push_back(static_cast<std::int64_t>(c.col[k]));
    }
    for (auto& v : out) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
    }
    GP_MPI(MPI_Allreduce(area_nnz.data(), area_nnz_sum.data(), 2 * p, MPI_UINT64_T, MPI_SUM, comm));
    std::vector<std::int64_t> ghosts = send_to_ranks(comm, out);
    out.clear();
    std::sort(ghosts.begin(), ghosts.end());
    ghosts.erase(std::unique(ghosts.begin(), ghosts.end()), ghosts.end());
    std::vector<int> from(P, 0), to(P, 0);
    for (auto s : ghosts) from[static_cast<std::size_t>(owner[static_cast<std::size_t>(s)])] = 1;
    GP_MPI(MPI_Alltoall(from.data(), 1, MPI_INT, to.data(), 1, MPI_INT, comm));
    std::uint64_t mine[3] = {ghosts.size(), static_cast<std::uint64_t>(std::count(from.begin(), from.end(), 1)),
                             static_cast<std::uint64_t>(std::count(to.begin(), to.end(), 1))};
    std::vector<std::uint64_t> all(3 * P);
    GP_MPI(MPI_Allgather(mine, 3, MPI_UINT64_T, all.data(), 3, MPI_UINT64_T, comm));

    partition_report rep;
    rep.ranks.resize(P);
    std::size_t max_areas = 0, max_nnz = 0;
    for (std::size_t r = 0; r < P; ++r) {
        rank_load& l = rep.ranks[r];
        l.areas = area_nnz_sum[r];
        l.nnz = area_nnz_sum[P + r];
        l.ghost_sources = all[3 * r];
        l.recv_neighbours = all[3 * r + 1];
        l.send_neighbours = all[3 * r + 2];
        l.bytes_per_exchange = l.ghost_sources * sizeof(double);
        rep.total_areas += l.areas;
        rep.total_nnz += l.nnz;
        rep.total_ghosts += l.ghost_sources;
        rep.total_bytes += l.bytes_per_exchange;
        max_areas = std::max(max_areas, l.areas);
        max_nnz = std::max(max_nnz, l.nnz);
        rep.max_ghosts = std::max(rep.max_ghosts, l.ghost_sources);
    }
    const auto imbalance = [&](std::size_t max, std::size_t total) {
        return total == 0 ? 1.0 : static_cast<double>(max) * static_cast<double>(P) / static_cast<double>(total);
    };
    rep.area_imbalance = imbalance(max_areas, rep.total_areas);
    rep.nnz_imbalance = imbalance(max_nnz, rep.total_nnz);
    rep.ghost_imbalance = imbalance(rep.max_ghosts, rep.total_ghosts);
    return rep;
}

}  // namespace

std::vector<int> graph_partition(MPI_Comm comm, std::size_t n_areas, std::size_t row_begin,
                                 const std::vector<weighted_row>& rows, const std::string& method) {
    return graph_partition_csr(comm, csr_of(n_areas, row_begin, rows), method);
}

std::vector<int> graph_partition(MPI_Comm comm, const local_rows& rows, const std::string& method) {
    return graph_partition_csr(comm, csr_of(rows), method);
}

// ---- the report -----------------------------------------------------------------------------------------------

partition_report make_partition_report(MPI_Comm comm, const std::vector<int>& owner, std::size_t row_begin,
                                       const std::vector<weighted_row>& rows) {
    return report_csr(comm, owner, csr_of(owner.size(), row_begin, rows));
}

partition_report make_partition_report(MPI_Comm comm, const std::vector<int>& owner, const local_rows& rows) {
    return report_csr(comm, owner, csr_of(rows));
}

std::vector<std::string> format_partition_report(const partition_report& r) {
    std::vector<std::string> lines;
    char buf[320];
    for (std::size_t i = 0; i < r.ranks.size(); ++i) {
        const rank_load& l = r.ranks[i];
        std::snprintf(buf, sizeof buf,
                      "rank %4zu: areas %9zu  nnz %11zu  ghosts %9zu  recv from %4zu  send to %4zu  "
                      "bytes/exchange %11zu",
                      i, l.areas, l.nnz, l.ghost_sources, l.recv_neighbours, l.send_neighbours, l.bytes_per_exchange);
        lines.emplace_back(buf);
    }
    std::snprintf(buf, sizeof buf,
                  "total on %zu ranks: areas %zu  nnz %zu  ghosts %zu  bytes/exchange %zu; imbalance (max/mean): "
                  "areas %.3f  nnz %.3f  ghosts %.3f",
                  r.ranks.size(), r.total_areas, r.total_nnz, r.total_ghosts, r.total_bytes, r.area_imbalance,
                  r.nnz_imbalance, r.ghost_imbalance);
    lines.emplace_back(buf);
    return lines;
}

}  // namespace cortexsim
