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

block_partition::block_partition(const std::vector<std::size_t>& counts)
    : n_areas_(0), n_ranks_(static_cast<int>(counts.size())) {
    if (counts.empty()) throw mpi_error("partition: need at least one rank");
    starts_.push_back(0);
    for (std::size_t c : counts) {
        if (c == 0) throw mpi_error("partition: every rank must own at least one area");
        n_areas_ += c;
        starts_.push_back(n_areas_);
    }
}

std::size_t block_partition::begin(int rank) const {
    const std::size_t r = static_cast<std::size_t>(rank);
    if (!starts_.empty()) return starts_[r];
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

block_partition partition_for(std::size_t n_areas, int n_ranks, const std::vector<std::size_t>& counts) {
    if (counts.empty()) return block_partition(n_areas, n_ranks);
    block_partition p(counts);
    if (p.n_ranks() != n_ranks || p.n_areas() != n_areas)
        throw mpi_error("partition: a layout for " + std::to_string(counts.size()) + " ranks and " +
                        std::to_string(p.n_areas()) + " areas does not fit a run of " + std::to_string(n_ranks) +
                        " ranks and " + std::to_string(n_areas) + " areas");
    return p;
}

}  // namespace cortexsim
