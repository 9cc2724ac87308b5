// The integrated model on N ranks: the Chaudhuri 2015 pulse experiment against the reference numbers
// (tests/data/chaudhuri2015_reference_results_computed.csv), and the HDF5 writer round trip with collective
// transfers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/connectivity/csv.hpp"
#include "cortexsim/integrator/engine.hpp"
#include "cortexsim/io/h5_output.hpp"
#include "test_support.hpp"

using namespace cortexsim;
using cortexsim::test::data_dir;
using cortexsim::test::source_dir;
using cortexsim::test::world_rank;
using cortexsim::test::world_size;

namespace {

/// The output layout of 4 areas a-d x population E (this rank's block of them), 2 records 1 ms apart.
output_layout four_area_layout() {
    output_layout L;
    L.area_names = {"a", "b", "c", "d"};
    L.populations = {"E"};
    const block_partition part(4, std::min(world_size(), 4));
    L.area_begin = part.begin(world_rank());
    L.n_local = part.count(world_rank());
    L.n_records = 2;
    L.record_dt_s = 0.001;
    return L;
}

/// Gathers a per-local-area vector to every rank (test helper; the simulator itself never gathers).
std::vector<double> allgather(const std::vector<double>& local, const block_partition& part) {
    std::vector<int> counts(static_cast<std::size_t>(part.n_ranks())), displs(counts.size());
    for (int r = 0; r < part.n_ranks(); ++r) {
        counts[static_cast<std::size_t>(r)] = static_cast<int>(part.count(r));
        displs[static_cast<std::size_t>(r)] = static_cast<int>(part.begin(r));
    }
    std::vector<double> all(part.n_areas());
    MPI_Allgatherv(local.data(), static_cast<int>(local.size()), MPI_DOUBLE, all.data(), counts.data(), displs.data(),
                   MPI_DOUBLE, MPI_COMM_WORLD);
    return all;
}

/// The /analysis column `name` of a finished run, gathered to every rank.
std::vector<double> column(const engine& e, const std::string& name) {
    for (const auto& c : e.results().columns)
        if (c.name == name) return allgather(c.values, e.partition());
    ADD_FAILURE() << "no analysis column " << name;
    return {};
}

}  // namespace

TEST(mpi_simulation, chaudhuri2015_pulse_matches_reference) {
    const model_spec spec = load_config(source_dir() + "/configs/chaudhuri2015.yaml");
    engine sim(spec, MPI_COMM_WORLD);
    sim.run(nullptr);
    const auto tau = column(sim, "timescale_s");
    const auto resp = column(sim, "response_hz");
    const csv_table ref = read_csv(data_dir() + "/chaudhuri2015_reference_results_computed.csv");
    const std::size_t c_area = ref.column("area"), c_peak = ref.column("pulse_peak_delta_rE_Hz"),
                      c_tau = ref.column("pulse_decay_1e_after_peak_ms");
    ASSERT_EQ(ref.cells.size(), 29u);
    for (std::size_t i = 0; i < 29; ++i) {
        ASSERT_EQ(ref.cells[i][c_area], spec.areas.names[i]);
        const double ref_tau_s = ref.number(i, c_tau) * 1e-3;
        EXPECT_NEAR(tau[i], ref_tau_s, 0.05 * ref_tau_s) << spec.areas.names[i];
        EXPECT_NEAR(resp[i], ref.number(i, c_peak), 0.01 * ref.number(i, c_peak)) << spec.areas.names[i];
    }
    EXPECT_NEAR(resp[0], 100.0, 0.5);  // V1 rises by 100 Hz (10 -> 110 Hz) within 0.5 %
    // V1 fastest; 24c and STPr among the three slowest
    std::vector<std::size_t> order(29);
    for (std::size_t i = 0; i < 29; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return tau[a] < tau[b]; });
    EXPECT_EQ(spec.areas.names[order.front()], "V1");
    std::vector<std::string> slowest{spec.areas.names[order[26]], spec.areas.names[order[27]],
                                     spec.areas.names[order[28]]};
    EXPECT_NE(std::find(slowest.begin(), slowest.end(), "24c"), slowest.end());
    EXPECT_NE(std::find(slowest.begin(), slowest.end(), "STPr"), slowest.end());
}

TEST(mpi_simulation, heun_agrees_with_euler_on_the_pulse_response) {
    model_spec spec = load_config(source_dir() + "/configs/chaudhuri2015.yaml", {"run.integrator=heun"});
    engine sim(spec, MPI_COMM_WORLD);
    sim.run(nullptr);
    const auto resp = column(sim, "response_hz");
    EXPECT_NEAR(resp[0], 100.0, 0.5);
    EXPECT_NEAR(resp[1], 19.3334, 0.2);
}

TEST(mpi_simulation, more_ranks_than_areas_is_a_clear_error_on_every_rank) {
    if (world_size() < 4) GTEST_SKIP() << "needs 4 ranks";
    const model_spec spec = load_config(data_dir() + "/tiny/tiny.yaml");  // 3 areas
    std::string msg;
    try {
        engine sim(spec, MPI_COMM_WORLD);
    } catch (const error& e) {
        msg = e.what();
    }
    EXPECT_NE(msg.find("the model has 3 areas but the run has 4 MPI ranks"), std::string::npos) << msg;
}

TEST(mpi_output, round_trip_with_collective_transfers) {
    // Every rank writes its own slab of a small /rates in two blocks; read back serially and compare.
    const std::size_t A = 7, P = 2;
    const std::int64_t T = 5;
    block_partition part(A, world_size());
    const int me = world_rank();
    output_layout L;
    for (std::size_t i = 0; i < A; ++i) L.area_names.push_back(std::string("area").append(std::to_string(i)));
    L.populations = {"E", "I"};
    L.area_begin = part.begin(me);
    L.n_local = part.count(me);
    L.n_records = T;
    L.record_dt_s = 0.001;
    L.config_text = "model: {name: x}\n";
    const std::string dir = broadcast_string(MPI_COMM_WORLD, test::scratch_dir());
    const std::string path = dir + "/roundtrip_np" + std::to_string(world_size()) + ".h5";
    auto value = [](std::int64_t t, std::size_t a, std::size_t p) {
        return static_cast<double>(t) * 100.0 + static_cast<double>(a) + 0.5 * static_cast<double>(p);
    };
    {
        h5_output out(MPI_COMM_WORLD, path, true, L);
        EXPECT_TRUE(std::filesystem::exists(out.partial_path()));
        EXPECT_FALSE(std::filesystem::exists(path));
        for (std::int64_t first : {0, 3}) {
            const std::int64_t n = first == 0 ? 3 : 2;
            std::vector<double> buf;
            for (std::int64_t t = first; t < first + n; ++t)
                for (std::size_t a = L.area_begin; a < L.area_begin + L.n_local; ++a)
                    for (std::size_t p = 0; p < P; ++p) buf.push_back(value(t, a, p));
            out.write_block(first, n, buf.data());
        }
        std::vector<double> local(L.n_local);
        for (std::size_t i = 0; i < L.n_local; ++i) local[i] = static_cast<double>(L.area_begin + i);
        out.write_analysis("index", local, 1, "1", "test");
        out.write_attributes("/provenance", {{"ranks", std::to_string(world_size())}});
        // a chunked /rates is written chunk column by chunk column, independently: per block, one write per
        // chunk column this rank's areas fall in (here one column of all 7 areas, shared by the ranks)
        ASSERT_GT(out.rates_chunk_areas(), 0U);
        std::set<std::size_t> columns;
        for (std::size_t a = L.area_begin; a < L.area_begin + L.n_local; ++a)
            columns.insert(a / out.rates_chunk_areas());
        EXPECT_EQ(out.rates_independent_writes(), 2 * columns.size());
        EXPECT_EQ(out.rates_transfers_collective(), L.n_local == 0);
        out.commit();
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (me == 0) {
        std::vector<unsigned long long> dims;
        const auto r = read_h5_doubles(path, "/rates", &dims);
        ASSERT_EQ(dims, (std::vector<unsigned long long>{5, 7, 2}));
        for (std::int64_t t = 0; t < T; ++t)
            for (std::size_t a = 0; a < A; ++a)
                for (std::size_t p = 0; p < P; ++p)
                    EXPECT_EQ(r[(static_cast<std::size_t>(t) * A + a) * P + p], value(t, a, p));
        EXPECT_EQ(read_h5_doubles(path, "/time")[4], 0.004);
        EXPECT_EQ(read_h5_doubles(path, "/analysis/index")[6], 6.0);
        EXPECT_EQ(read_h5_strings(path, "/areas")[6], "area6");
        EXPECT_EQ(read_h5_string_attribute(path, "/provenance", "ranks"), std::to_string(world_size()));
        EXPECT_EQ(read_h5_string_attribute(path, "/rates", "units"), "Hz");
        EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
    }
}

TEST(mpi_output, uncommitted_output_leaves_nothing_and_existing_files_are_kept) {
    const std::string dir = broadcast_string(MPI_COMM_WORLD, test::scratch_dir());
    const std::string path = dir + "/abandoned_np" + std::to_string(world_size()) + ".h5";
    output_layout L = four_area_layout();
    { h5_output out(MPI_COMM_WORLD, path, false, L); }  // destroyed without commit
    MPI_Barrier(MPI_COMM_WORLD);
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
    MPI_Barrier(MPI_COMM_WORLD);
    // an existing file is refused without overwrite, and left as it was
    if (world_rank() == 0) std::ofstream(path) << "precious";
    MPI_Barrier(MPI_COMM_WORLD);
    std::string msg;
    try {
        h5_output out(MPI_COMM_WORLD, path, false, L);
    } catch (const error& e) {
        msg = e.what();
    }
    EXPECT_NE(msg.find("output file exists already (use --overwrite to replace it)"), std::string::npos) << msg;
    std::ifstream in(path);
    std::string content;
    in >> content;
    EXPECT_EQ(content, "precious");
    std::string msg2;
    try {
        h5_output out(MPI_COMM_WORLD, dir + "/no/such/folder/x.h5", false, L);
    } catch (const error& e) {
        msg2 = e.what();
    }
    EXPECT_NE(msg2.find("does not exist"), std::string::npos) << msg2;
}

TEST(mpi_limits, record_buffer_beyond_memory_is_a_config_error_on_every_rank) {
    // 2e15 records and no cap from output.buffer_mb: the buffer would hold every record (it used to be
    // std::bad_alloc, or a float-to-integer overflow of the record count)
    const model_spec spec = load_config(data_dir() + "/tiny/tiny.yaml",
                                        {"run.t_end_ms=1e15", "run.record_interval_ms=0.5", "output.buffer_mb=1e300"});
    // tiny has 3 areas: at most 3 ranks take part
    MPI_Comm comm = MPI_COMM_NULL;
    MPI_Comm_split(MPI_COMM_WORLD, world_rank() < 3 ? 0 : MPI_UNDEFINED, 0, &comm);
    if (comm == MPI_COMM_NULL) return;
    std::string msg;
    try {
        engine sim(spec, comm);
    } catch (const config_error& e) {
        msg = e.what();
    }
    MPI_Comm_free(&comm);
    EXPECT_NE(msg.find("the record buffer (output.buffer_mb = 1e+300 MiB: 2000000000000001 records x "),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("more than the memory available"), std::string::npos) << msg;
}

TEST(mpi_limits, output_that_fails_while_being_created_is_removed) {
    // a /time axis of 2^64 - 1 records (n_records = -1, which the config layer never passes): HDF5 refuses the
    // dataset, so the constructor fails after creating the .partial, which must go. (This used an attribute
    // above HDF5's 64 KiB; such values are now written as datasets: output_with_long_attributes_is_written.)
    const std::string dir = broadcast_string(MPI_COMM_WORLD, test::scratch_dir());
    const std::string path = dir + "/failed_np" + std::to_string(world_size()) + ".h5";
    output_layout L = four_area_layout();
    L.n_records = -1;
    std::string msg;
    try {
        h5_output out(MPI_COMM_WORLD, path, true, L);
    } catch (const error& e) {
        msg = e.what();
    }
    MPI_Barrier(MPI_COMM_WORLD);
    EXPECT_NE(msg.find("HDF5"), std::string::npos) << msg;
    EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(mpi_limits, output_with_long_attributes_is_written) {
    // the overrides and the resolved config longer than an HDF5 attribute holds (64 KiB) go into datasets that
    // their attributes name, instead of failing the output at its creation
    const std::string dir = broadcast_string(MPI_COMM_WORLD, test::scratch_dir());
    const std::string path = dir + "/long_attributes_np" + std::to_string(world_size()) + ".h5";
    output_layout L = four_area_layout();
    L.overrides = {std::string(100000, 'x')};
    L.resolved_yaml = std::string(70000, 'y');
    {
        h5_output out(MPI_COMM_WORLD, path, true, L);
        out.commit();
    }
    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() == 0) {
        EXPECT_EQ(read_h5_string_attribute(path, "/config", "overrides"),
                  "stored in the dataset /config_overrides (100000 bytes: longer than an HDF5 attribute can hold)");
        EXPECT_EQ(
            read_h5_string_attribute(path, "/config", "resolved").rfind("stored in the dataset /config_resolved (", 0),
            0u);
    }
}
