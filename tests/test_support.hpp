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
