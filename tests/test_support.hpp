#pragma once
// The one support header of the tests: where the sources and test data are, scratch folders, and for MPI tests
// this rank, the rank count and agreeing on a condition before a collective call.
#include <mpi.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace cortexsim::test {

inline std::string source_dir() { return CORTEXSIM_SOURCE_DIR; }
inline std::string data_dir() { return source_dir() + "/tests/data"; }

// ---- MPI tests only (MPI initialised by tests/mpi_main.cpp) ---------------------------------------------

inline int world_rank() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}
inline int world_size() {
    int s = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
}

/// True on every rank if `ok` is true on every rank (collective). Use it before an ASSERT that precedes a
/// collective call, so that a failure on one rank stops the test on every rank and none is left waiting.
inline bool on_every_rank(bool ok) {
    int mine = ok ? 1 : 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all == 1;
}

// ---- scratch folders, removed at exit --------------------------------------------------------------------

namespace detail {
struct folder {
    std::string path;
    bool owner = true;
    ~folder() {
        std::error_code ec;
        if (owner && !path.empty()) std::filesystem::remove_all(path, ec);  // (no MPI here: after MPI_Finalize)
    }
};
}  // namespace detail

/// A scratch folder private to this process (tests run under mpiexec and with ctest -j).
inline std::string scratch_dir() {
    static const detail::folder dir = [] {
        detail::folder f;
        f.path = (std::filesystem::temp_directory_path() / ("cortexsim_test_" + std::to_string(::getpid()))).string();
        std::filesystem::create_directories(f.path);
        return f;
    }();
    return dir.path;
}

/// A scratch folder shared by the ranks of an MPI test (named by rank 0's pid; collective on first use).
inline std::string shared_scratch_dir() {
    static const detail::folder dir = [] {
        long pid = ::getpid();
        MPI_Bcast(&pid, 1, MPI_LONG, 0, MPI_COMM_WORLD);
        detail::folder f;
        f.path = (std::filesystem::temp_directory_path() / ("cortexsim_shared_" + std::to_string(pid))).string();
        f.owner = world_rank() == 0;
        if (f.owner) {
            std::filesystem::remove_all(f.path);
            std::filesystem::create_directories(f.path);
        }
        MPI_Barrier(MPI_COMM_WORLD);
        return f;
    }();
    return dir.path;
}

/// Writes `text` to scratch_dir()/name and returns the path.
inline std::string write_file(const std::string& name, const std::string& text) {
    const std::string p = scratch_dir() + "/" + name;
    std::ofstream(p) << text;
    return p;
}

}  // namespace cortexsim::test
