#include "cortexsim/partition/partition.hpp"

#include <string>

#include "cortexsim/common/errors.hpp"

namespace cortexsim {

block_partition::block_partition(std::size_t n_areas, int n_ranks) : n_areas_(n_areas), n_ranks_(n_ranks) {
    if (n_ranks < 1) throw mpi_error("partition: need at least one rank");
    if (static_cast<std::size_t>(n_ranks) > n_areas)
        throw mpi_error("the model has " + std::to_string(n_areas) + " areas but the run has " +
                        std::to_string(n_ranks) + " MPI ranks: use at most " + std::to_string(n_areas) + " ranks");
}

std::size_t block_partition::begin(int rank) const {
    const std::size_t r = static_cast<std::size_t>(rank);
    const std::size_t q = n_areas_ / static_cast<std::size_t>(n_ranks_);
    const std::size_t extra = n_areas_ % static_cast<std::size_t>(n_ranks_);
    return r * q + (r < extra ? r : extra);
}

int block_partition::owner(std::size_t area) const {
    int lo = 0, hi = n_ranks_ - 1;
    while (lo < hi) {
        const int mid = (lo + hi + 1) / 2;
        if (begin(mid) <= area)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

}  // namespace cortexsim
