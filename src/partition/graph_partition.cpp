#include "cortexsim/partition/graph_partition.hpp"

#include <dlfcn.h>
#include <petscis.h>
#include <petscmat.h>

#include <algorithm>
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
#include "cortexsim/partition/partition.hpp"
namespace cortexsim {

namespace {

#define GP_MPI(call) check_mpi((call), #call)

void petsc_check(PetscErrorCode ierr, const char* call) {
    if (!ierr) return;
    const char* text = nullptr;
    PetscErrorMessage(ierr, &text, nullptr);
    throw petsc_error(std::string("graph_partition: PETSc error ") + std::to_string(static_cast<int>(ierr)) + " in " +
                      call + ": " + (text ? text : "unknown"));
}

#define GP_PETSC(call) petsc_check((call), #call)

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

/// Collective personalised exchange of trivially copyable records: out[r] goes to rank r; returns what came in,
/// ordered by sending rank.
template <class T>
std::vector<T> send_to_ranks(MPI_Comm comm, const std::vector<std::vector<T>>& out) {
    const int p = size_of(comm);
    std::vector<std::uint64_t> send_n(static_cast<std::size_t>(p)), recv_n(static_cast<std::size_t>(p));
    for (int r = 0; r < p; ++r)
        send_n[static_cast<std::size_t>(r)] = out[static_cast<std::size_t>(r)].size() * sizeof(T);
    GP_MPI(MPI_Alltoall(send_n.data(), 1, MPI_UINT64_T, recv_n.data(), 1, MPI_UINT64_T, comm));
    std::uint64_t st = 0, rt = 0;
    for (int r = 0; r < p; ++r) st += send_n[static_cast<std::size_t>(r)], rt += recv_n[static_cast<std::size_t>(r)];
    collectively(comm, [&] {
        if (st > static_cast<std::uint64_t>(INT_MAX) || rt > static_cast<std::uint64_t>(INT_MAX))
            throw mpi_error("graph_partition: more than 2 GiB to exchange on one rank");
    });
    std::vector<int> sc(static_cast<std::size_t>(p)), rc(static_cast<std::size_t>(p)), sd(static_cast<std::size_t>(p)),
        rd(static_cast<std::size_t>(p));
    std::vector<char> sbuf(static_cast<std::size_t>(st)), rbuf(static_cast<std::size_t>(rt));
    int so = 0, ro = 0;
    for (int r = 0; r < p; ++r) {
        const auto u = static_cast<std::size_t>(r);
        sc[u] = static_cast<int>(send_n[u]);
        rc[u] = static_cast<int>(recv_n[u]);
        sd[u] = so;
        rd[u] = ro;
        if (sc[u] > 0) std::copy_n(reinterpret_cast<const char*>(out[u].data()), sc[u], sbuf.data() + so);
        so += sc[u];
        ro += rc[u];
    }
    GP_MPI(MPI_Alltoallv(sbuf.data(), sc.data(), sd.data(), MPI_BYTE, rbuf.data(), rc.data(), rd.data(), MPI_BYTE,
                         comm));
    std::vector<T> in(static_cast<std::size_t>(rt) / sizeof(T));
    if (!in.empty()) std::copy_n(rbuf.data(), rt, reinterpret_cast<char*>(in.data()));
    return in;
}

// ---- the PETSc objects, destroyed on every path ---------------------------------------------------------------

struct petsc_partitioning {
    Mat adj = nullptr;
    MatPartitioning part = nullptr;
    IS is = nullptr;
    ~petsc_partitioning() {
        ISDestroy(&is);
        MatPartitioningDestroy(&part);
        MatDestroy(&adj);
    }
};

/// PT-Scotch state that PETSc does not expose, set for the duration of one MatPartitioningApply:
///  * SCOTCH_PTHREAD_NUMBER=1 (Scotch 7 reads it whenever it sets up a computation): Debian's Scotch 7 is
///    built with POSIX threads, and its threaded distributed code, under the MPI_THREAD_SINGLE that cortexsim
///    initialises, failed intermittently on 4 ranks ("dgraphAllreduceMaxSum: communication error") and hung; with
///    threads the result would also depend on thread timing. The previous value is restored afterwards.
///  * the global pseudo-random generator re-seeded with a fixed seed (SCOTCH_randomSeed): without it, the seed is
///    the start time (unless Scotch was built with COMMON_RANDOM_FIXED_SEED) and every call continues the
///    sequence of the previous one, so two calls gave different partitions. The symbol is looked up at run time
///    in the PT-Scotch library that PETSc loaded (this library links only PETSc); if absent, nothing is done.
class scotch_settings {
public:
    scotch_settings() {
        if (const char* old = std::getenv(env_)) had_ = true, old_ = old;
        ::setenv(env_, "1", 1);
        using seed_fn = void (*)(PetscInt);  // SCOTCH_Num is PetscInt in any PETSc build with PT-Scotch
        void* sym = nullptr;
        for (const char* lib : {"libptscotch-7.0.so", "libptscotch.so", "libptscotch-6.so"}) {
            if (void* h = ::dlopen(lib, RTLD_LAZY | RTLD_NOLOAD)) {
                sym = ::dlsym(h, "SCOTCH_randomSeed");
                ::dlclose(h);
                if (sym) break;
            }
        }
        if (!sym) sym = ::dlsym(RTLD_DEFAULT, "SCOTCH_randomSeed");
        if (sym) reinterpret_cast<seed_fn>(sym)(1);
    }
    ~scotch_settings() {
        if (had_)
            ::setenv(env_, old_.c_str(), 1);
        else
            ::unsetenv(env_);
    }
    scotch_settings(const scotch_settings&) = delete;
    scotch_settings& operator=(const scotch_settings&) = delete;

private:
    static constexpr const char* env_ = "SCOTCH_PTHREAD_NUMBER";
    bool had_ = false;
    std::string old_;
};

struct edge {
    std::int64_t row;  // global vertex that receives this entry of its adjacency list
    std::int64_t col;
    double w;
};

/// The graph method on >= 2 ranks, rows validated: this rank's parts of its block of areas.
std::vector<int> petsc_parts(MPI_Comm comm, const csr& c, const block_partition& bp, const std::string& type) {
    const int p = size_of(comm);
    const std::size_t n_local = c.n_rows();
    const std::size_t r0 = c.row_begin;

    // 1. symmetrise: entry (t, s, w) gives the edge {t, s} to both t's and s's adjacency lists
    const auto P = static_cast<std::size_t>(p);
    std::vector<std::size_t> start(n_local + 1, 0), to_rank(P, 0);
    std::vector<int> dest(c.col.size(), -1);
    for (std::size_t i = 0; i < n_local; ++i)
        for (std::size_t k = c.ptr[i]; k < c.ptr[i + 1]; ++k) {
            if (c.col[k] == r0 + i) continue;  // MATMPIADJ has no diagonal
            dest[k] = bp.owner(c.col[k]);
            ++start[i + 1];
            ++to_rank[static_cast<std::size_t>(dest[k])];
        }
    std::vector<std::vector<edge>> out(P);
    for (std::size_t r = 0; r < P; ++r) out[r].reserve(to_rank[r]);
    for (std::size_t i = 0; i < n_local; ++i)
        for (std::size_t k = c.ptr[i]; k < c.ptr[i + 1]; ++k)
            if (dest[k] >= 0)
                out[static_cast<std::size_t>(dest[k])].push_back(
                    {static_cast<std::int64_t>(c.col[k]), static_cast<std::int64_t>(r0 + i), std::fabs(c.val[k])});
    const std::vector<edge> in = send_to_ranks(comm, out);
    out = {};
    for (const edge& e : in) ++start[static_cast<std::size_t>(e.row) - r0 + 1];
    for (std::size_t i = 0; i < n_local; ++i) start[i + 1] += start[i];
    std::vector<std::pair<std::int64_t, double>> nbr(start[n_local]);
    {
        std::vector<std::size_t> fill(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < n_local; ++i)
            for (std::size_t k = c.ptr[i]; k < c.ptr[i + 1]; ++k)
                if (dest[k] >= 0) nbr[fill[i]++] = {static_cast<std::int64_t>(c.col[k]), std::fabs(c.val[k])};
        for (const edge& e : in) nbr[fill[static_cast<std::size_t>(e.row) - r0]++] = {e.col, e.w};
    }
    // sorted by column, then weight (independent of arrival order); repeated columns summed in that order
    std::vector<std::size_t> adj_ptr(n_local + 1, 0);
    std::size_t m = 0;
    double w_max = 0;
    for (std::size_t i = 0; i < n_local; ++i) {
        std::sort(nbr.begin() + static_cast<std::ptrdiff_t>(start[i]),
                  nbr.begin() + static_cast<std::ptrdiff_t>(start[i + 1]));
        const std::size_t row_first = m;
        for (std::size_t k = start[i]; k < start[i + 1]; ++k) {
            if (m > row_first && nbr[m - 1].first == nbr[k].first)
                nbr[m - 1].second += nbr[k].second;
            else
                nbr[m++] = nbr[k];
        }
        adj_ptr[i + 1] = m;
        for (std::size_t k = row_first; k < m; ++k) w_max = std::max(w_max, nbr[k].second);
    }
    nbr.resize(m);
    const std::uint64_t n_edges = m;
    std::uint64_t total_edges = 0;
    double global_w_max = 0;
    GP_MPI(MPI_Allreduce(&n_edges, &total_edges, 1, MPI_UINT64_T, MPI_SUM, comm));
    GP_MPI(MPI_Allreduce(&w_max, &global_w_max, 1, MPI_DOUBLE, MPI_MAX, comm));

    // 2. integer weights: edges in [1, S] proportional to |W_ij| + |W_ji|, the total below 2^30
    constexpr std::uint64_t weight_budget = std::uint64_t{1} << 30;
    collectively(comm, [&] {
        if (total_edges >= weight_budget ||
            total_edges + c.n_areas >= static_cast<std::uint64_t>(std::numeric_limits<PetscInt>::max()))
            throw petsc_error("graph_partition: the graph has " + std::to_string(total_edges / 2) +
                              " edges, too many for this PETSc's 32-bit indices");
    });
    const std::uint64_t scale = std::clamp<std::uint64_t>(weight_budget / std::max<std::uint64_t>(total_edges, 1), 1,
                                                          1000);

    std::vector<int> parts(n_local, 0);
    collectively(comm, [&] {
        PetscInt *ia = nullptr, *ja = nullptr, *va = nullptr, *vw = nullptr;
        GP_PETSC(PetscMalloc1(n_local + 1, &ia));
        GP_PETSC(PetscMalloc1(std::max<std::uint64_t>(n_edges, 1), &ja));
        GP_PETSC(PetscMalloc1(std::max<std::uint64_t>(n_edges, 1), &va));
        GP_PETSC(PetscMalloc1(std::max<std::size_t>(n_local, 1), &vw));
        ia[0] = 0;
        for (std::size_t i = 0; i < n_local; ++i) {
            for (std::size_t k = adj_ptr[i]; k < adj_ptr[i + 1]; ++k) {
                ja[k] = static_cast<PetscInt>(nbr[k].first);
                const double x = global_w_max > 0 ? nbr[k].second / global_w_max : 0.0;
                va[k] = static_cast<PetscInt>(1 + std::llround(static_cast<double>(scale - 1) * x));
            }
            ia[i + 1] = static_cast<PetscInt>(adj_ptr[i + 1]);
            vw[i] = static_cast<PetscInt>(1 + (c.ptr[i + 1] - c.ptr[i]));
        }
        nbr = {};

        petsc_partitioning pp;
        // MatCreateMPIAdj and MatPartitioningSetVertexWeights take ownership of the PetscMalloc'd arrays
        GP_PETSC(MatCreateMPIAdj(comm, static_cast<PetscInt>(n_local), static_cast<PetscInt>(c.n_areas), ia, ja, va,
                                 &pp.adj));
        GP_PETSC(MatPartitioningCreate(comm, &pp.part));
        GP_PETSC(MatPartitioningSetAdjacency(pp.part, pp.adj));
        GP_PETSC(MatPartitioningSetNParts(pp.part, static_cast<PetscInt>(p)));
        GP_PETSC(MatPartitioningSetType(pp.part, type.c_str()));
        GP_PETSC(MatPartitioningSetVertexWeights(pp.part, vw));
        GP_PETSC(MatPartitioningSetUseEdgeWeights(pp.part, PETSC_TRUE));
        {
            const scotch_settings scotch;  // harmless for the other types
            GP_PETSC(MatPartitioningApply(pp.part, &pp.is));
        }
        PetscInt n_is = 0;
        GP_PETSC(ISGetLocalSize(pp.is, &n_is));
        if (static_cast<std::size_t>(n_is) != n_local)
            throw petsc_error("graph_partition: MatPartitioningApply returned " + std::to_string(n_is) + " parts for " +
                              std::to_string(n_local) + " local areas");
        const PetscInt* idx = nullptr;
        GP_PETSC(ISGetIndices(pp.is, &idx));
        for (std::size_t i = 0; i < n_local; ++i) parts[i] = static_cast<int>(idx[i]);
        GP_PETSC(ISRestoreIndices(pp.is, &idx));
    });
    return parts;
}

}  // namespace

// ---- graph_partition ------------------------------------------------------------------------------------------

std::string graph_partitioner_type() {
    petsc_check(MatInitializePackage(), "MatInitializePackage()");
    for (const char* t : {MATPARTITIONINGPTSCOTCH, MATPARTITIONINGPARMETIS}) {
        void (*fn)(void) = nullptr;
        petsc_check(PetscFunctionListFind(MatPartitioningList, t, &fn), "PetscFunctionListFind");
        if (fn) return t;
    }
    return MATPARTITIONINGAVERAGE;
}

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
        if (c.n_areas > static_cast<std::size_t>(std::numeric_limits<PetscInt>::max()))
            throw petsc_error("graph_partition: " + std::to_string(c.n_areas) +
                              " areas exceed this PETSc's 32-bit indices");
        check_rows(c, bp, me, "graph_partition");
        if (method == "graph" && p > 1) type = graph_partitioner_type();
    });
    const block_partition bp(c.n_areas, p);
    std::vector<int> owner(c.n_areas, 0);
    if (method == "block" || p == 1) {
        for (int r = 0; r < p; ++r)
            std::fill(owner.begin() + static_cast<std::ptrdiff_t>(bp.begin(r)),
                      owner.begin() + static_cast<std::ptrdiff_t>(bp.end(r)), r);
        return owner;
    }
    const std::vector<int> parts = petsc_parts(comm, c, bp, type);
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
