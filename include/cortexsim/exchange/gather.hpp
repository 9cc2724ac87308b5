#pragma once
// Gathering one value per area of every rank onto rank 0, in global area order (one MPI_Gatherv,
// behind this header): what a readout over all units needs at record steps. Part of the exchange layer, the
// only place where the time loop communicates.
#include <mpi.h>

#include <memory>
#include <vector>

#include "cortexsim/partition/partition.hpp"

namespace cortexsim {

class gather_to_root {
public:
    /// Collective.
    gather_to_root(MPI_Comm comm, const block_partition& part);
    ~gather_to_root();
    gather_to_root(const gather_to_root&) = delete;
    gather_to_root& operator=(const gather_to_root&) = delete;

    /// Collective. Returns the full vector (n_areas values) on rank 0, nullptr on other ranks. No allocation.
    const double* gather(const double* local);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Broadcasts rank 0's values to every rank of comm (collective; `values` is resized on the others), in pieces
/// of at most 2^27 values (MPI counts are int). For results computed in blocks from a whole-run series.
void broadcast_from_root(MPI_Comm comm, std::vector<double>& values);

}  // namespace cortexsim
