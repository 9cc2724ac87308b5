#pragma once
#include <mpi.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace cortexsim::test {

inline std::string source_dir() { return CORTEXSIM_SOURCE_DIR; }
inline std::string data_dir() { return source_dir() + "/tests/data"; }

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

/// A scratch folder private to this process (tests run under mpiexec and with ctest -j).
inline std::string scratch_dir() {
    static const std::string dir = [] {
        auto d = std::filesystem::temp_directory_path() /
                 ("cortexsim_test_" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d.string();
    }();
    return dir;
}

inline std::string write_file(const std::string& name, const std::string& text) {
    const std::string p = scratch_dir() + "/" + name;
    std::ofstream(p) << text;
    return p;
}

}  // namespace cortexsim::test
