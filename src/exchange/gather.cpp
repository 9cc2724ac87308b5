#include "cortexsim/exchange/gather.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "cortexsim/common/collective.hpp"

namespace cortexsim {

struct gather_to_root::impl {
    MPI_Comm comm = MPI_COMM_NULL;
    int n_local = 0;
    bool root = false;
    std::vector<int> counts, offsets;
    std::vector<double> all;
    ~impl() {
        if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
    }
};

gather_to_root::gather_to_root(MPI_Comm comm, const block_partition& part) : impl_(std::make_unique<impl>()) {
    const int me = comm_rank(comm), size = comm_size(comm);
    impl& m = *impl_;
    check_mpi(MPI_Comm_dup(comm, &m.comm), "MPI_Comm_dup");
    m.root = me == 0;
    m.n_local = static_cast<int>(part.count(me));
    if (m.root) {
        for (int r = 0; r < size; ++r) {
            m.counts.push_back(static_cast<int>(part.count(r)));
            m.offsets.push_back(static_cast<int>(part.begin(r)));
        }
        m.all.assign(part.n_areas(), 0.0);
    }
}

gather_to_root::~gather_to_root() = default;

const double* gather_to_root::gather(const double* local) {
    impl& m = *impl_;
    check_mpi(MPI_Gatherv(local, m.n_local, MPI_DOUBLE, m.root ? m.all.data() : nullptr,
                          m.root ? m.counts.data() : nullptr, m.root ? m.offsets.data() : nullptr, MPI_DOUBLE, 0,
                          m.comm),
              "MPI_Gatherv");
    return m.root ? m.all.data() : nullptr;
}

void broadcast_from_root(MPI_Comm comm, std::vector<double>& values) {
    std::uint64_t n = values.size();
    check_mpi(MPI_Bcast(&n, 1, MPI_UINT64_T, 0, comm), "MPI_Bcast");
    if (comm_rank(comm) != 0) values.assign(static_cast<std::size_t>(n), 0.0);
    constexpr std::uint64_t piece = std::uint64_t{1} << 27;
    for (std::uint64_t i = 0; i < n; i += piece) {
        const int c = static_cast<int>(std::min(piece, n - i));
        check_mpi(MPI_Bcast(values.data() + i, c, MPI_DOUBLE, 0, comm), "MPI_Bcast");
    }
}

}  // namespace cortexsim
