// The PETSc side of method "graph" (graph_partition.hpp): the symmetrised graph as a MATMPIADJ and
// MatPartitioning. The one implementation, reached two ways (graph_backend.hpp): linked in (the static library
// cortexsim_graph_petsc: tests) or through the PETSc module libcortexsim_petsc.so (petsc_module_abi.cpp: the
// cortexsim executable, which does not link PETSc).
#include <dlfcn.h>
#include <petscis.h>
#include <petscmat.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/partition/graph_petsc.hpp"
#include "graph_common.hpp"
#include "graph_petsc_impl.hpp"

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

/// Runs f (which must not block in a collective call that another rank could skip by throwing); every rank then
/// throws the error of the lowest failing rank, with its type (common/collective.hpp).
template <class F>
void collectively(MPI_Comm comm, F&& f) {
    run_collectively(comm, std::forward<F>(f));
}

/// The rows as graph_partition passes them (cortexsim_graph_rows).
struct csr_view {
    std::size_t n_areas, row_begin, n_local;
    const std::size_t *ptr, *col;
    const double* val;
    const std::size_t* block_starts;
    std::size_t n_rows() const { return n_local; }
};

/// The block layout of the rows: rank r holds [starts[r], starts[r + 1]).
struct block_layout {
    const std::size_t* starts;
    int n_ranks;
    int owner(std::size_t area) const {
        return static_cast<int>(std::upper_bound(starts, starts + n_ranks + 1, area) - starts) - 1;
    }
};

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
std::vector<int> petsc_parts(MPI_Comm comm, const csr_view& c, const std::string& type) {
    const int p = comm_size(comm);
    const block_layout bp{c.block_starts, p};
    const std::size_t n_local = c.n_rows();
    const std::size_t r0 = c.row_begin;

    // 1. symmetrise: entry (t, s, w) gives the edge {t, s} to both t's and s's adjacency lists
    const auto P = static_cast<std::size_t>(p);
    std::vector<std::size_t> start(n_local + 1, 0), to_rank(P, 0);
    std::vector<int> dest(c.ptr[n_local], -1);
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
    const std::vector<edge> in = partition_detail::send_to_ranks(comm, out);
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

std::vector<int> parts_of(MPI_Comm comm, const cortexsim_graph_rows& r) {
    const csr_view c{r.n_areas, r.row_begin, r.n_rows, r.row_ptr, r.col, r.val, r.block_starts};
    std::string type;
    collectively(comm, [&] {
        if (c.n_areas > static_cast<std::size_t>(std::numeric_limits<PetscInt>::max()))
            throw petsc_error("graph_partition: " + std::to_string(c.n_areas) +
                              " areas exceed this PETSc's 32-bit indices");
        type = petsc_graph_partitioner_type();
    });
    return petsc_parts(comm, c, type);
}

}  // namespace

std::string petsc_graph_partitioner_type() {
    petsc_check(MatInitializePackage(), "MatInitializePackage()");
    for (const char* t : {MATPARTITIONINGPTSCOTCH, MATPARTITIONINGPARMETIS}) {
        void (*fn)(void) = nullptr;
        petsc_check(PetscFunctionListFind(MatPartitioningList, t, &fn), "PetscFunctionListFind");
        if (fn) return t;
    }
    return MATPARTITIONINGAVERAGE;
}

std::vector<int> petsc_graph_parts(MPI_Comm comm, const cortexsim_graph_rows& rows) { return parts_of(comm, rows); }

const graph_backend& linked_petsc_graph_backend() {
    static const graph_backend b{&petsc_graph_parts, &petsc_graph_partitioner_type};
    return b;
}

}  // namespace cortexsim
