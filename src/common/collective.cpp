#include "cortexsim/common/collective.hpp"

#include <unistd.h>

#include <climits>
#include <exception>
#include <new>
#include <vector>

#include "cortexsim/common/errors.hpp"

namespace cortexsim {

int comm_rank(MPI_Comm comm) {
    int r = 0;
    check_mpi(MPI_Comm_rank(comm, &r), "MPI_Comm_rank");
    return r;
}

int comm_size(MPI_Comm comm) {
    int s = 0;
    check_mpi(MPI_Comm_size(comm, &s), "MPI_Comm_size");
    return s;
}

void check_mpi(int rc, const char* what) {
    if (rc != MPI_SUCCESS) {
        char msg[MPI_MAX_ERROR_STRING];
        int len = 0;
        MPI_Error_string(rc, msg, &len);
        throw mpi_error(std::string(what) + " failed: " + std::string(msg, static_cast<std::size_t>(len)));
    }
}

std::string broadcast_string(MPI_Comm comm, const std::string& s, int root) {
    unsigned long long n = s.size();
    check_mpi(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, root, comm), "MPI_Bcast");
    std::string out = comm_rank(comm) == root ? s : std::string(n, '\0');
    if (n > 0) check_mpi(MPI_Bcast(out.data(), static_cast<int>(n), MPI_CHAR, root, comm), "MPI_Bcast");
    return out;
}

std::vector<std::string> broadcast_strings(MPI_Comm comm, const std::vector<std::string>& v, int root) {
    unsigned long long n = v.size();
    check_mpi(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, root, comm), "MPI_Bcast");
    std::vector<std::string> out(n);
    const bool is_root = comm_rank(comm) == root;
    for (std::size_t i = 0; i < n; ++i) out[i] = broadcast_string(comm, is_root ? v[i] : std::string(), root);
    return out;
}

std::string rank_hosts(MPI_Comm comm) {
    constexpr int width = 256;  // HOST_NAME_MAX (64 on Linux) with room to spare
    char mine[width] = {0};
    gethostname(mine, width - 1);
    std::vector<char> all(static_cast<std::size_t>(comm_size(comm)) * width);
    check_mpi(MPI_Allgather(mine, width, MPI_CHAR, all.data(), width, MPI_CHAR, comm), "MPI_Allgather");
    std::string out, run;
    int count = 0;
    auto close_run = [&] {
        if (count == 0) return;
        if (!out.empty()) out += ',';
        out += run;
        if (count > 1) {
            out += '*';
            out += std::to_string(count);
        }
    };
    for (std::size_t r = 0; r * width < all.size(); ++r) {
        const std::string h(&all[r * width]);  // null-terminated: gethostname left the last byte 0
        if (count > 0 && h == run) {
            ++count;
            continue;
        }
        close_run();
        run = h;
        count = 1;
    }
    close_run();
    return out;
}

void run_collectively(MPI_Comm comm, const std::function<void()>& fn) {
    std::string msg;
    int failed = 0;
    error_kind kind = error_kind::generic;
    try {
        fn();
    } catch (const error& e) {
        failed = 1;
        kind = e.kind();
        msg = e.what();
    } catch (const std::bad_alloc&) {
        failed = 1;
        msg = "out of memory (std::bad_alloc)";
    } catch (const std::exception& e) {
        failed = 1;
        msg = e.what();
    } catch (...) {
        failed = 1;
        msg = "unknown error";
    }
    const int me = comm_rank(comm);
    int mine = failed ? me : INT_MAX;
    int first = INT_MAX;
    check_mpi(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
    if (first == INT_MAX) return;
    int k = static_cast<int>(kind);
    check_mpi(MPI_Bcast(&k, 1, MPI_INT, first, comm), "MPI_Bcast");
    const std::string agreed = broadcast_string(comm, msg, first);
    throw_error(static_cast<error_kind>(k), agreed);
}

}  // namespace cortexsim
