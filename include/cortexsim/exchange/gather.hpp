#pragma once
// Gathering one value per area of every rank onto rank 0, in global area order (one MPI_Gatherv,
// behind this header): what a readout over all units needs at record steps. Part of the exchange layer, the
// only place where the time loop communicates.
#include <mpi.h>

#include <memory>

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

}  // namespace cortexsim
