// One copy of the matrix (issue 14, item 3; docs/design.md "Memory"): a synthetic cortex's rows are generated
// block by block straight into the exchange, so that building the model never holds a second full copy of this
// rank's rows; the streamed exchange gives the same sums as one built from rows held in memory.
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cortexsim/common/memory.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/connectivity/synthetic.hpp"
#include "cortexsim/exchange/exchange.hpp"
#include "cortexsim/integrator/engine.hpp"
#include "test_support.hpp"

using namespace cortexsim;
using cortexsim::test::on_every_rank;
using cortexsim::test::source_dir;
using cortexsim::test::world_rank;
using cortexsim::test::world_size;

namespace {

/// Blocks of 128 KiB and more from mmap, given back when freed, so that the resident set follows the live
/// allocations (as scale_bench does: in a process linked with Debian's PETSc freed memory is otherwise kept).
void rss_follows_allocations() {
    mallopt(M_MMAP_MAX, 65536);
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
    malloc_trim(0);
}

}  // namespace

// The whole construction of a 6,000-area synthetic model (600 sources per area: 3.6e6 nonzeros, 43 MB of matrix
// over the ranks): the peak resident set while the engine is built grows by at most 1.5 x this rank's matrix (+ 2
// MiB for the geometry, the state and the spec's copies). Holding this rank's generated rows beside the exchange's
// copy (16 B per nonzero beside 12) peaked at 2.6 x (1 rank) and 2.8 x (2 ranks).
TEST(mpi_memory, building_a_synthetic_model_holds_one_copy_of_the_matrix) {
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer keeps freed blocks in quarantine (and never uses glibc's malloc), so the resident set does
    // not follow the live allocations: measured in the optimised build only
    GTEST_SKIP() << "resident-set measurement under AddressSanitizer";
#endif
    rss_follows_allocations();
    const model_spec spec = load_config(source_dir() + "/configs/synthetic_10k.yaml",
                                        {"model.connectivity.synthetic.areas=6000",
                                         "model.connectivity.synthetic.density=0.1", "run.t_end_ms=1"});
    ASSERT_TRUE(on_every_rank(reset_peak_resident())) << "/proc/self/clear_refs cannot reset the peak";
    const double before = static_cast<double>(resident_bytes());
    engine sim(spec, MPI_COMM_WORLD);
    const double peak = static_cast<double>(peak_resident_bytes());
    const exchange_stats& st = sim.exchange_info().first;
    const double matrix = static_cast<double>(st.matrix_bytes);
    EXPECT_EQ(st.nnz, st.local_rows * 600);
    EXPECT_GE(matrix, 12.0 * static_cast<double>(st.nnz));
    std::printf("rank %d of %d: peak growth %.2f MiB while building, matrix %.2f MiB (%.2fx)\n", world_rank(),
                world_size(), (peak - before) / 1048576.0, matrix / 1048576.0, (peak - before) / matrix);
    EXPECT_LE(peak - before, 1.5 * matrix + 2.0 * 1048576.0)
        << "rank " << world_rank() << " of " << world_size() << ": peak growth " << (peak - before) / 1048576.0
        << " MiB for a matrix of " << matrix / 1048576.0 << " MiB";
}

// Rows streamed from the generator (blocks of 37 rows) and the same rows held in memory give bit-identical sums,
// with and without delays.
TEST(mpi_memory, streamed_rows_give_the_sums_of_rows_held_in_memory) {
    synthetic_spec s;
    s.n_areas = 1500;
    s.density = 0.05;
    s.extent_mm = 60.0;
    s.length_constant_mm = 8.0;
    s.seed = 7;
    const block_partition part(s.n_areas, world_size());
    const std::size_t b = part.begin(world_rank()), n = part.count(world_rank());
    for (const bool delays : {false, true}) {
        const synthetic_generator gen(s);
        local_rows all = gen.rows(b, b + n);
        if (delays) gen.add_delays(all, 2.0, 0.1);
        row_source src;
        src.delays = delays;
        src.count = [&](std::size_t x, std::size_t y) { return (y - x) * gen.sources_per_row(); };
        src.fill = [&](std::size_t x, std::size_t y, std::vector<local_rows>& out) {
            out[0] = gen.rows(x, y);
            if (delays) gen.add_delays(out[0], 2.0, 0.1);
        };
        exchange_options o;
        o.rows_per_block = 37;
        auto streamed = make_exchange(MPI_COMM_WORLD, part, src, o);
        auto held = make_exchange(MPI_COMM_WORLD, part, all);
        EXPECT_EQ(streamed->stats().matrix_bytes, held->stats().matrix_bytes);
        std::vector<double> x(n), a(n), c(n);
        for (std::size_t i = 0; i < n; ++i) x[i] = 1.0 + 0.001 * static_cast<double>((b + i) % 97);
        streamed->initialise(x.data());
        held->initialise(x.data());
        for (std::int64_t t = 0; t < 5; ++t) {
            streamed->sums(t, 0, x.data(), a.data());
            held->sums(t, 0, x.data(), c.data());
            for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(a[i], c[i]) << "row " << b + i << " step " << t;
            for (std::size_t i = 0; i < n; ++i) x[i] = 0.5 * x[i] + 0.01 * a[i];
        }
    }
}
