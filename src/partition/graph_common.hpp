#pragma once
// Private to the partition layer: the personalised exchange that graph_partition.cpp (the report) and
// graph_petsc.cpp (the symmetrised graph) share.
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <vector>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"

namespace cortexsim::partition_detail {

/// Collective personalised exchange of trivially copyable records: out[r] goes to rank r; returns what came in,
/// ordered by sending rank.
template <class T>
inline std::vector<T> send_to_ranks(MPI_Comm comm, const std::vector<std::vector<T>>& out) {
    const int p = comm_size(comm);
    std::vector<std::uint64_t> send_n(static_cast<std::size_t>(p)), recv_n(static_cast<std::size_t>(p));
    for (int r = 0; r < p; ++r)
        send_n[static_cast<std::size_t>(r)] = out[static_cast<std::size_t>(r)].size() * sizeof(T);
    check_mpi(MPI_Alltoall(send_n.data(), 1, MPI_UINT64_T, recv_n.data(), 1, MPI_UINT64_T, comm), "MPI_Alltoall");
    std::uint64_t st = 0, rt = 0;
    for (int r = 0; r < p; ++r) st += send_n[static_cast<std::size_t>(r)], rt += recv_n[static_cast<std::size_t>(r)];
    run_collectively(comm, [&] {
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
    check_mpi(MPI_Alltoallv(sbuf.data(), sc.data(), sd.data(), MPI_BYTE, rbuf.data(), rc.data(), rd.data(), MPI_BYTE,
                            comm),
              "MPI_Alltoallv");
    std::vector<T> in(static_cast<std::size_t>(rt) / sizeof(T));
    if (!in.empty()) std::copy_n(rbuf.data(), rt, reinterpret_cast<char*>(in.data()));
    return in;
}

}  // namespace cortexsim::partition_detail
