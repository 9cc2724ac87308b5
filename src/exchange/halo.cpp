#include "halo.hpp"

#include <string>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"

namespace cortexsim::detail {

halo::halo(MPI_Comm comm, const block_partition& part, const compiled_rows& r, std::size_t width, double* recv_base) {
    const int size = comm_size(comm), me = comm_rank(comm);
    if (size == 1) return;
    check_mpi(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
    const auto S = static_cast<std::size_t>(size);
    // ghosts by owner: contiguous ranges of needed (increasing global id, each rank's areas contiguous)
    std::vector<int> recv_count(S, 0), send_count(S, 0), recv_first(S, 0);
    std::vector<std::int64_t> asked;  // global ids, grouped by owner
    std::vector<int> asked_off(S + 1, 0);
    for (std::size_t c = 0; c < r.n_needed();) {
        const int o = part.owner(static_cast<std::size_t>(r.global(c)));
        std::size_t e = c;
        while (e < r.n_needed() && part.owner(static_cast<std::size_t>(r.global(e))) == o) ++e;
        if (o != me) {
            ghosts_.emplace_back(c, e);
            recv_count[static_cast<std::size_t>(o)] = static_cast<int>(e - c);
            recv_first[static_cast<std::size_t>(o)] = static_cast<int>(c);
        }
        c = e;
    }
    for (std::size_t o = 0; o < S; ++o) asked_off[o + 1] = asked_off[o] + recv_count[o];
    asked.resize(static_cast<std::size_t>(asked_off[S]));
    for (std::size_t o = 0; o < S; ++o)
        for (int q = 0; q < recv_count[o]; ++q)
            asked[static_cast<std::size_t>(asked_off[o] + q)] = r.global(static_cast<std::size_t>(recv_first[o] + q));
    check_mpi(MPI_Alltoall(recv_count.data(), 1, MPI_INT, send_count.data(), 1, MPI_INT, comm_), "MPI_Alltoall");
    std::vector<int> send_off(S + 1, 0);
    for (std::size_t o = 0; o < S; ++o) send_off[o + 1] = send_off[o] + send_count[o];
    std::vector<std::int64_t> wanted(static_cast<std::size_t>(send_off[S]));
    check_mpi(MPI_Alltoallv(asked.data(), recv_count.data(), asked_off.data(), MPI_INT64_T, wanted.data(),
                            send_count.data(), send_off.data(), MPI_INT64_T, comm_),
              "MPI_Alltoallv");
    const std::size_t begin = part.begin(me), end = part.end(me);
    send_local_.resize(wanted.size());
    for (std::size_t q = 0; q < wanted.size(); ++q) {
        const auto a = static_cast<std::size_t>(wanted[q]);
        if (a < begin || a >= end) throw mpi_error("exchange: a rank asked for an area this rank does not own");
        send_local_[q] = static_cast<std::int32_t>(a - begin);
    }
    send_.assign(wanted.size() * width, 0.0);
    const int tag = 7;
    for (std::size_t o = 0; o < S; ++o) {
        if (recv_count[o] == 0) continue;
        MPI_Request q = MPI_REQUEST_NULL;
        check_mpi(MPI_Recv_init(recv_base + static_cast<std::size_t>(recv_first[o]) * width,
                                static_cast<int>(static_cast<std::size_t>(recv_count[o]) * width), MPI_DOUBLE,
                                static_cast<int>(o), tag, comm_, &q),
                  "MPI_Recv_init");
        requests_.push_back(q);
    }
    for (std::size_t o = 0; o < S; ++o) {
        if (send_count[o] == 0) continue;
        MPI_Request q = MPI_REQUEST_NULL;
        check_mpi(MPI_Send_init(send_.data() + static_cast<std::size_t>(send_off[o]) * width,
                                static_cast<int>(static_cast<std::size_t>(send_count[o]) * width), MPI_DOUBLE,
                                static_cast<int>(o), tag, comm_, &q),
                  "MPI_Send_init");
        requests_.push_back(q);
    }
}

halo::~halo() {
    for (auto& q : requests_) MPI_Request_free(&q);
    if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

void halo::start() {
    if (requests_.empty()) return;
    check_mpi(MPI_Startall(static_cast<int>(requests_.size()), requests_.data()), "MPI_Startall");
    complete_ = false;
}

bool halo::test() {
    if (complete_) return true;
    int flag = 0;
    check_mpi(MPI_Testall(static_cast<int>(requests_.size()), requests_.data(), &flag, MPI_STATUSES_IGNORE),
              "MPI_Testall");
    complete_ = flag != 0;
    return complete_;
}

void halo::finish() {
    if (complete_) return;
    check_mpi(MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
    complete_ = true;
}

}  // namespace cortexsim::detail
