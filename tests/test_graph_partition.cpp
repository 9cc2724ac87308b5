// Graph partitioning of areas over ranks (partition/graph_partition.hpp) and the per-rank partition report.
// On a synthetic 2-D-local connectome with the areas numbered in a scrambled order, "graph" (PETSc
// MatPartitioning) needs clearly fewer ghost sources than contiguous blocks, with balanced nnz; the ownership is
// the same on every rank and on repeated calls; "block" is block_partition; every report number equals a
// brute-force count (and, for blocks, the coupling's exchange_stats); errors reach every rank alike.
// DISABLED_GraphPartitionBench.TenThousandAreas produces the table of docs/partition.md.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/connectivity/synthetic.hpp"
#include "cortexsim/exchange/exchange.hpp"
#include "cortexsim/partition/graph_partition.hpp"
#include "cortexsim/partition/graph_petsc.hpp"
#include "cortexsim/partition/petsc_module.hpp"
#include "cortexsim/partition/partition.hpp"
#include "test_support.hpp"

using namespace cortexsim;
using cortexsim::test::on_every_rank;
using cortexsim::test::world_rank;
using cortexsim::test::world_size;

namespace {

synthetic_spec sheet(std::size_t n, double density = 0.01, double lambda_mm = 10.0) {
    synthetic_spec s;
    s.n_areas = n;
    s.geometry = "sheet";
    s.extent_mm = 100.0;
    s.length_constant_mm = lambda_mm;
    s.density = density;
    s.seed = 7;
    return s;
}

/// A fixed pseudo-random permutation of 0..n-1 (Fisher-Yates driven by splitmix64): new index of area a.
std::vector<std::size_t> scrambled_order(std::size_t n, std::uint64_t seed) {
    std::vector<std::size_t> perm(n);
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::uint64_t x = seed;
    for (std::size_t i = n; i > 1; --i) {
        x += 0x9e3779b97f4a7c15ull;
        std::uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        std::swap(perm[i - 1], perm[static_cast<std::size_t>(z % i)]);
    }
    return perm;
}

/// Every row of the synthetic matrix, areas renumbered by `perm` (identity if empty), sources sorted.
std::vector<weighted_row> all_rows(const synthetic_spec& s, const std::vector<std::size_t>& perm) {
    const local_rows r = synthetic_rows(s, 0, s.n_areas);
    std::vector<weighted_row> rows(s.n_areas);
    for (std::size_t i = 0; i < s.n_areas; ++i) {
        weighted_row& row = rows[perm.empty() ? i : perm[i]];
        for (auto k = r.row_ptr[i]; k < r.row_ptr[i + 1]; ++k) {
            const auto c = static_cast<std::size_t>(r.col[static_cast<std::size_t>(k)]);
            row.emplace_back(perm.empty() ? c : perm[c], r.val[static_cast<std::size_t>(k)]);
        }
        std::sort(row.begin(), row.end());
    }
    return rows;
}

/// This rank's block of rows.
std::vector<weighted_row> my_rows(const std::vector<weighted_row>& all) {
    const block_partition bp(all.size(), world_size());
    const int me = world_rank();
    return {all.begin() + static_cast<std::ptrdiff_t>(bp.begin(me)),
            all.begin() + static_cast<std::ptrdiff_t>(bp.end(me))};
}

std::size_t my_begin(std::size_t n) { return block_partition(n, world_size()).begin(world_rank()); }

std::vector<int> block_owner(std::size_t n) {
    const block_partition bp(n, world_size());
    std::vector<int> o(n);
    for (std::size_t a = 0; a < n; ++a) o[a] = bp.owner(a);
    return o;
}

/// The report counted directly from all rows.
partition_report brute_force(const std::vector<weighted_row>& all, const std::vector<int>& owner, int p) {
    partition_report rep;
    rep.ranks.resize(static_cast<std::size_t>(p));
    std::vector<std::set<std::size_t>> ghosts(static_cast<std::size_t>(p));
    for (std::size_t t = 0; t < all.size(); ++t) {
        const auto o = static_cast<std::size_t>(owner[t]);
        rep.ranks[o].areas += 1;
        rep.ranks[o].nnz += all[t].size();
        for (const auto& e : all[t])
            if (owner[e.first] != owner[t]) ghosts[o].insert(e.first);
    }
    for (int r = 0; r < p; ++r) {
        rank_load& l = rep.ranks[static_cast<std::size_t>(r)];
        std::set<int> from;
        for (auto s : ghosts[static_cast<std::size_t>(r)]) from.insert(owner[s]);
        l.ghost_sources = ghosts[static_cast<std::size_t>(r)].size();
        l.recv_neighbours = from.size();
        l.bytes_per_exchange = 8 * l.ghost_sources;
        for (int q = 0; q < p; ++q)
            if (q != r &&
                std::any_of(ghosts[static_cast<std::size_t>(q)].begin(), ghosts[static_cast<std::size_t>(q)].end(),
                            [&](std::size_t s) { return owner[s] == r; }))
                ++l.send_neighbours;
        rep.total_areas += l.areas;
        rep.total_nnz += l.nnz;
        rep.total_ghosts += l.ghost_sources;
        rep.total_bytes += l.bytes_per_exchange;
        rep.max_ghosts = std::max(rep.max_ghosts, l.ghost_sources);
    }
    return rep;
}

void expect_same_report(const partition_report& got, const partition_report& want) {
    ASSERT_EQ(got.ranks.size(), want.ranks.size());
    for (std::size_t r = 0; r < got.ranks.size(); ++r) {
        SCOPED_TRACE("rank " + std::to_string(r));
        EXPECT_EQ(got.ranks[r].areas, want.ranks[r].areas);
        EXPECT_EQ(got.ranks[r].nnz, want.ranks[r].nnz);
        EXPECT_EQ(got.ranks[r].ghost_sources, want.ranks[r].ghost_sources);
        EXPECT_EQ(got.ranks[r].recv_neighbours, want.ranks[r].recv_neighbours);
        EXPECT_EQ(got.ranks[r].send_neighbours, want.ranks[r].send_neighbours);
        EXPECT_EQ(got.ranks[r].bytes_per_exchange, want.ranks[r].bytes_per_exchange);
    }
    EXPECT_EQ(got.total_areas, want.total_areas);
    EXPECT_EQ(got.total_nnz, want.total_nnz);
    EXPECT_EQ(got.total_ghosts, want.total_ghosts);
    EXPECT_EQ(got.total_bytes, want.total_bytes);
    EXPECT_EQ(got.max_ghosts, want.max_ghosts);
    const double p = static_cast<double>(got.ranks.size());
    std::size_t max_areas = 0, max_nnz = 0;
    for (const auto& l : want.ranks) max_areas = std::max(max_areas, l.areas), max_nnz = std::max(max_nnz, l.nnz);
    EXPECT_DOUBLE_EQ(got.area_imbalance, static_cast<double>(max_areas) * p / static_cast<double>(want.total_areas));
    EXPECT_DOUBLE_EQ(got.nnz_imbalance, static_cast<double>(max_nnz) * p / static_cast<double>(want.total_nnz));
    EXPECT_DOUBLE_EQ(got.ghost_imbalance, want.total_ghosts == 0 ? 1.0
                                                                 : static_cast<double>(want.max_ghosts) * p /
                                                                       static_cast<double>(want.total_ghosts));
}

/// Rank 0's vector, broadcast: to check that every rank holds the same ownership.
std::vector<int> rank0_copy(std::vector<int> v) {
    MPI_Bcast(v.data(), static_cast<int>(v.size()), MPI_INT, 0, MPI_COMM_WORLD);
    return v;
}

// ---------------------------------------------------------------------------------------------------------------

TEST(GraphPartition, PartitionerTypeIsTheBestAvailable) {
    const std::string t = graph_partitioner_type();
    EXPECT_TRUE(t == "ptscotch" || t == "parmetis" || t == "average") << t;
#if defined(PETSC_HAVE_PTSCOTCH)
    EXPECT_EQ(t, "ptscotch");
#endif
    if (world_rank() == 0) std::printf("[          ] MatPartitioning type used by 'graph': %s\n", t.c_str());
}

TEST(GraphPartition, BlockReproducesBlockPartition) {
    const std::size_t p = static_cast<std::size_t>(world_size());
    for (std::size_t n : {p, 7 * p + 3, std::size_t{2000}}) {
        SCOPED_TRACE("n = " + std::to_string(n));
        const auto all = all_rows(sheet(n, 0.05), scrambled_order(n, 11));
        const auto owner = graph_partition(MPI_COMM_WORLD, n, my_begin(n), my_rows(all), "block");
        EXPECT_EQ(owner, block_owner(n));
    }
}

TEST(GraphPartition, GraphNeedsFewerGhostsThanBlocksOnScrambledSheet) {
    const std::size_t n = 2000;
    const int p = world_size();
    // 20 sources per row, lambda = 5 mm on a 100 mm sheet: local enough for a cut to pay off on 2 ranks (with
    // lambda = 10 mm even the best straight cut saves only ~1/3 of the ghosts on 2 ranks, see docs/partition.md)
    const auto all = all_rows(sheet(n, 0.01, 5.0), scrambled_order(n, 42));
    const auto rows = my_rows(all);
    const auto block = graph_partition(MPI_COMM_WORLD, n, my_begin(n), rows, "block");
    const auto graph = graph_partition(MPI_COMM_WORLD, n, my_begin(n), rows, "graph");
    // (agreed on every rank before the next collective call: an ASSERT on one rank alone would hang the others)
    bool in_range = graph.size() == n;
    for (int o : graph) in_range = in_range && o >= 0 && o < p;
    ASSERT_TRUE(on_every_rank(in_range)) << "an ownership vector of the wrong size or with an owner out of range";
    EXPECT_EQ(graph, rank0_copy(graph)) << "the ownership differs between ranks";
    EXPECT_EQ(graph, graph_partition(MPI_COMM_WORLD, n, my_begin(n), rows, "graph")) << "not deterministic";

    const partition_report rb = make_partition_report(MPI_COMM_WORLD, block, my_begin(n), rows);
    const partition_report rg = make_partition_report(MPI_COMM_WORLD, graph, my_begin(n), rows);
    for (const rank_load& l : rg.ranks) EXPECT_GE(l.areas, 1u);
    EXPECT_LE(rg.nnz_imbalance, 1.2);
    EXPECT_LE(rg.area_imbalance, 1.2);
    if (p == 1) {
        EXPECT_EQ(rg.total_ghosts, 0u);
        EXPECT_EQ(rb.total_ghosts, 0u);
    } else {
        EXPECT_LE(static_cast<double>(rg.total_ghosts), 0.7 * static_cast<double>(rb.total_ghosts));
        EXPECT_LT(rg.max_ghosts, rb.max_ghosts);
    }
    if (world_rank() == 0)
        std::printf("[          ] %d ranks, %zu areas: total ghosts block %zu, graph %zu (%.2fx); graph nnz "
                    "imbalance %.3f\n",
                    p, n, rb.total_ghosts, rg.total_ghosts,
                    rb.total_ghosts ? static_cast<double>(rg.total_ghosts) / static_cast<double>(rb.total_ghosts) : 1.0,
                    rg.nnz_imbalance);
}

TEST(GraphPartition, ReportMatchesBruteForceCount) {
    const std::size_t n = 600;
    const int p = world_size();
    const auto all = all_rows(sheet(n, 0.03), scrambled_order(n, 5));
    const auto rows = my_rows(all);
    std::vector<int> arbitrary(n);
    for (std::size_t a = 0; a < n; ++a)
        arbitrary[a] = static_cast<int>((a * 2654435761u >> 7) % static_cast<std::size_t>(p));
    std::vector<int> all_on_last(n, p - 1);  // ranks without areas: zero rows in the table
    for (const std::string& m :
         {std::string("block"), std::string("graph"), std::string("arbitrary"), std::string("all on the last rank")}) {
        SCOPED_TRACE(m);
        const std::vector<int> owner = m == "arbitrary" ? arbitrary
                                       : m == "all on the last rank"
                                           ? all_on_last
                                           : graph_partition(MPI_COMM_WORLD, n, my_begin(n), rows, m);
        const partition_report rep = make_partition_report(MPI_COMM_WORLD, owner, my_begin(n), rows);
        expect_same_report(rep, brute_force(all, owner, p));
    }
}

TEST(GraphPartition, ReportOfBlocksEqualsCouplingStats) {
    const synthetic_spec s = sheet(1000, 0.02);
    const block_partition bp(s.n_areas, world_size());
    const int me = world_rank();
    const local_rows lr = synthetic_rows(s, bp.begin(me), bp.end(me));
    const auto owner = graph_partition(MPI_COMM_WORLD, lr, "block");
    EXPECT_EQ(owner, block_owner(s.n_areas));
    const partition_report rep = make_partition_report(MPI_COMM_WORLD, owner, lr);
    const auto c = make_exchange(MPI_COMM_WORLD, bp, lr);
    const exchange_stats& st = c->stats();
    const rank_load& l = rep.ranks[static_cast<std::size_t>(me)];
    EXPECT_EQ(l.areas, st.local_rows);
    EXPECT_EQ(l.nnz, st.nnz);
    EXPECT_EQ(l.ghost_sources, st.ghost_sources);
    EXPECT_EQ(l.bytes_per_exchange, st.bytes_per_exchange);
    EXPECT_EQ(l.recv_neighbours, st.recv_neighbours);
    EXPECT_EQ(l.send_neighbours, st.send_neighbours);
    // the local_rows overloads agree with the weighted_row ones
    const auto all = all_rows(s, {});
    EXPECT_EQ(graph_partition(MPI_COMM_WORLD, lr, "graph"),
              graph_partition(MPI_COMM_WORLD, s.n_areas, bp.begin(me), my_rows(all), "graph"));
}

// The PETSc module (what the executable uses) runs the same implementation as PETSc linked in (this binary):
// the same ownership and partitioner through its C ABI. Without any backend, "graph" fails alike on every rank.
TEST(GraphPartition, PetscModuleGivesTheLinkedPartition) {
    const std::size_t n = 600;
    const auto rows = my_rows(all_rows(sheet(n, 0.02, 5.0), scrambled_order(n, 3)));
    ASSERT_EQ(current_graph_backend(), &linked_petsc_graph_backend());
    const auto linked = graph_partition(MPI_COMM_WORLD, n, my_begin(n), rows, "graph");
    const std::string linked_type = graph_partitioner_type();
    ::setenv("CORTEXSIM_PETSC_MODULE", CORTEXSIM_PETSC_MODULE_PATH, 1);
    load_petsc_module(MPI_COMM_WORLD, "GraphPartition.PetscModuleGivesTheLinkedPartition");
    ::unsetenv("CORTEXSIM_PETSC_MODULE");
    ASSERT_TRUE(petsc_module_loaded());
    EXPECT_NE(current_graph_backend(), &linked_petsc_graph_backend()) << "the module did not become the backend";
    EXPECT_EQ(graph_partition(MPI_COMM_WORLD, n, my_begin(n), rows, "graph"), linked);
    EXPECT_EQ(graph_partitioner_type(), linked_type);
    finalize_petsc_module();  // PETSc was started by mpi_main, not by the module: it stays up
    EXPECT_FALSE(petsc_module_loaded());
    set_graph_backend(nullptr);
    if (world_size() > 1)
        EXPECT_THROW(graph_partition(MPI_COMM_WORLD, n, my_begin(n), rows, "graph"), petsc_error);
    else  // one rank: the block layout, no PETSc needed
        EXPECT_EQ(graph_partition(MPI_COMM_WORLD, n, my_begin(n), rows, "graph"), block_owner(n));
    set_graph_backend(&linked_petsc_graph_backend());
    EXPECT_EQ(graph_partition(MPI_COMM_WORLD, n, my_begin(n), rows, "graph"), linked);
}

TEST(GraphPartition, EveryRankOwnsAnAreaWithAsManyAreasAsRanks) {
    const int p = world_size();
    for (std::size_t n : {static_cast<std::size_t>(p), static_cast<std::size_t>(p) + 1}) {
        // no edges at all, and a ring
        std::vector<weighted_row> none(n), ring(n);
        for (std::size_t i = 0; i < n && n > 1; ++i) ring[i] = {{(i + 1) % n, 0.5}, {(i + n - 1) % n, 0.25}};
        for (const auto* all : {&none, &ring}) {
            const auto owner = graph_partition(MPI_COMM_WORLD, n, my_begin(n), my_rows(*all), "graph");
            std::vector<int> count(static_cast<std::size_t>(p), 0);
            for (int o : owner) ++count[static_cast<std::size_t>(o)];
            for (int r = 0; r < p; ++r) EXPECT_GE(count[static_cast<std::size_t>(r)], 1) << "rank " << r << ", n " << n;
            EXPECT_EQ(owner, rank0_copy(owner));
        }
    }
}

TEST(GraphPartition, RepairEmptyPartsIsDeterministic) {
    std::vector<int> o = {0, 0, 0, 0};
    repair_empty_parts(o, 3);
    EXPECT_EQ(o, (std::vector<int>{0, 0, 2, 1}));
    o = {2, 2, 0, 2, 0};
    repair_empty_parts(o, 3);  // part 1 empty: the largest part (2) gives its highest area (3)
    EXPECT_EQ(o, (std::vector<int>{2, 2, 0, 1, 0}));
    o = {1, 0, 1};
    repair_empty_parts(o, 2);  // nothing to do
    EXPECT_EQ(o, (std::vector<int>{1, 0, 1}));
    o = {0, 0};
    EXPECT_THROW(repair_empty_parts(o, 3), mpi_error);
    o = {0, 5, 0};
    EXPECT_THROW(repair_empty_parts(o, 2), mpi_error);
}

TEST(GraphPartition, ErrorsAreThrownOnEveryRank) {
    const std::size_t n = 50;
    const int p = world_size(), me = world_rank();
    const auto all = all_rows(sheet(n, 0.1), {});
    const auto rows = my_rows(all);
    EXPECT_THROW(graph_partition(MPI_COMM_WORLD, n, my_begin(n), rows, "metis"), config_error);
    // the last rank alone passes a wrong row range / a source out of range / a non-finite weight
    EXPECT_THROW(graph_partition(MPI_COMM_WORLD, n, my_begin(n) + (me == p - 1 ? 1 : 0), rows, "graph"), mpi_error);
    auto bad = rows;
    if (me == p - 1) bad.back().emplace_back(n, 1.0);
    EXPECT_THROW(graph_partition(MPI_COMM_WORLD, n, my_begin(n), bad, "graph"), data_error);
    bad = rows;
    if (me == p - 1) bad.front().front().second = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(graph_partition(MPI_COMM_WORLD, n, my_begin(n), bad, "graph"), data_error);
    // more ranks than areas
    EXPECT_THROW(graph_partition(MPI_COMM_WORLD, static_cast<std::size_t>(p - 1), 0, {}, "graph"), mpi_error);
    if (p > 1) {
        // ranks disagreeing on the method or on the number of areas
        EXPECT_THROW(graph_partition(MPI_COMM_WORLD, n, my_begin(n), rows, me == 0 ? "graph" : "block"), mpi_error);
        EXPECT_THROW(graph_partition(MPI_COMM_WORLD, me == 0 ? n + 1 : n, my_begin(n), rows, "graph"), mpi_error);
    }
    // the report: an owner out of range, ownership vectors that differ between ranks
    std::vector<int> owner = block_owner(n);
    owner[3] = p;
    EXPECT_THROW(make_partition_report(MPI_COMM_WORLD, owner, my_begin(n), rows), mpi_error);
    owner = block_owner(n);
    if (p > 1 && me == 1) owner[0] = 1;
    if (p > 1) {
        EXPECT_THROW(make_partition_report(MPI_COMM_WORLD, owner, my_begin(n), rows), mpi_error);
    }
    // and everything still works afterwards
    EXPECT_EQ(graph_partition(MPI_COMM_WORLD, n, my_begin(n), rows, "block"), block_owner(n));
}

TEST(GraphPartition, FormatReportHasOneLinePerRankAndASummary) {
    const std::size_t n = 300;
    const auto all = all_rows(sheet(n, 0.05), scrambled_order(n, 3));
    const auto owner = graph_partition(MPI_COMM_WORLD, n, my_begin(n), my_rows(all), "graph");
    const partition_report rep = make_partition_report(MPI_COMM_WORLD, owner, my_begin(n), my_rows(all));
    const auto lines = format_partition_report(rep);
    ASSERT_EQ(lines.size(), static_cast<std::size_t>(world_size()) + 1);
    for (int r = 0; r < world_size(); ++r) {
        const auto& l = rep.ranks[static_cast<std::size_t>(r)];
        const std::string& line = lines[static_cast<std::size_t>(r)];
        EXPECT_EQ(line.rfind("rank", 0), 0u) << line;
        EXPECT_NE(line.find(" " + std::to_string(l.areas) + " "), std::string::npos) << line;
        EXPECT_NE(line.find(" " + std::to_string(l.nnz) + " "), std::string::npos) << line;
        EXPECT_NE(line.find(" " + std::to_string(l.bytes_per_exchange)), std::string::npos) << line;
    }
    EXPECT_NE(lines.back().find("total on " + std::to_string(world_size()) + " ranks"), std::string::npos);
    EXPECT_NE(lines.back().find("nnz " + std::to_string(rep.total_nnz)), std::string::npos) << lines.back();
    if (world_rank() == 0)
        for (const auto& l : lines) std::printf("[          ] %s\n", l.c_str());
}

// ---- the measurement of docs/partition.md (run explicitly, see there) -------------------------------------------

double max_over_ranks(double x) {
    double m = 0;
    MPI_Allreduce(&x, &m, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return m;
}

TEST(DISABLED_GraphPartitionBench, TenThousandAreas) {
    const std::size_t n = 10000;
    const int p = world_size();
    for (const double lambda : {10.0, 5.0}) {
        const synthetic_spec s = sheet(n, 0.01, lambda);
        for (const bool scrambled : {false, true}) {
            const auto all = all_rows(s, scrambled ? scrambled_order(n, 42) : std::vector<std::size_t>{});
            const auto rows = my_rows(all);
            for (const std::string m : {"block", "graph"}) {
                MPI_Barrier(MPI_COMM_WORLD);
                const auto t0 = std::chrono::steady_clock::now();
                const auto owner = graph_partition(MPI_COMM_WORLD, n, my_begin(n), rows, m);
                const double t_part =
                    max_over_ranks(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
                MPI_Barrier(MPI_COMM_WORLD);
                const auto t1 = std::chrono::steady_clock::now();
                const partition_report rep = make_partition_report(MPI_COMM_WORLD, owner, my_begin(n), rows);
                const double t_rep =
                    max_over_ranks(std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count());
                std::size_t max_recv = 0;
                for (const auto& l : rep.ranks) max_recv = std::max(max_recv, l.recv_neighbours);
                if (world_rank() == 0)
                    std::printf("| %d | %g | %s | %s | %zu | %zu | %zu | %.3f | %.3f | %.3f | %zu | %.3f | %.3f |\n", p,
                                lambda, scrambled ? "scrambled" : "row-major", m.c_str(), rep.total_nnz,
                                rep.total_ghosts, rep.max_ghosts, rep.ghost_imbalance, rep.nnz_imbalance,
                                rep.area_imbalance, max_recv, t_part, t_rep);
            }
        }
    }
}

}  // namespace
