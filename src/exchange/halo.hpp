#pragma once
// Private to the exchange layer: the messages of one exchange, built once (plain MPI persistent requests on a
// duplicate of the caller's communicator). Each rank receives from every rank that owns a source it reads (one
// message per neighbour, the ghosts of that rank in increasing global id) and sends to every rank that reads
// one of its areas; `width` doubles per source and exchange.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "compiled_rows.hpp"
#include "cortexsim/partition/partition.hpp"

namespace cortexsim::detail {

class halo {
public:
    /// Collective. Ghost c (an index into r.needed owned by another rank) is received at recv_base + c * width.
    halo(MPI_Comm comm, const block_partition& part, const compiled_rows& r, std::size_t width, double* recv_base);
    ~halo();
    halo(const halo&) = delete;
    halo& operator=(const halo&) = delete;

    /// Local indices of this rank's areas to send, in send-buffer order; the buffer holds `width` doubles each.
    const std::vector<std::int32_t>& send_local() const { return send_local_; }
    double* send_buffer() { return send_.data(); }
    /// Ghost index ranges [first, last) in r.needed, one per rank received from.
    const std::vector<std::pair<std::size_t, std::size_t>>& ghost_ranges() const { return ghosts_; }
    bool idle() const { return requests_.empty(); }
    /// Starts every receive and send (the send buffer must be filled); finish() waits for them. test() (between
    /// the two) lets MPI progress the transfers (a rendezvous or shared-memory copy advances only inside MPI
    /// calls) and tells whether they are all complete.
    void start();
    bool test();
    void finish();

private:
    MPI_Comm comm_ = MPI_COMM_NULL;
    std::vector<std::int32_t> send_local_;
    std::vector<double> send_;
    std::vector<std::pair<std::size_t, std::size_t>> ghosts_;
    std::vector<MPI_Request> requests_;
    bool complete_ = true;  // every request of the last start() is complete
};

}  // namespace cortexsim::detail
