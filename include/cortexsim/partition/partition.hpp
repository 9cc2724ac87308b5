#pragma once
// Ownership of areas by ranks: a pure function of (number of areas, number of ranks). No MPI.
#include <cstddef>
#include <vector>

namespace cortexsim {

/// Contiguous blocks of areas: rank r owns [begin(r), end(r)). The first (n_areas % n_ranks) ranks own one more.
class block_partition {
public:
    block_partition(std::size_t n_areas, int n_ranks);  // throws mpi_error if n_ranks > n_areas or < 1
    /// Contiguous blocks of the given sizes (rank r owns counts[r] areas; every count >= 1): the layout of a
    /// graph partition after the areas are renumbered part by part (docs/partition.md).
    explicit block_partition(const std::vector<std::size_t>& counts);

    std::size_t n_areas() const { return n_areas_; }
    int n_ranks() const { return n_ranks_; }
    std::size_t begin(int rank) const;
    std::size_t end(int rank) const { return begin(rank + 1); }
    std::size_t count(int rank) const { return end(rank) - begin(rank); }
    int owner(std::size_t area) const;

private:
    std::size_t n_areas_;
    int n_ranks_;
    std::vector<std::size_t>
        starts_;  // explicit layout: starts_[r] = begin(r), n_ranks + 1 entries (empty: equal blocks)
};

/// Equal blocks if counts is empty, else the explicit layout (throws mpi_error if counts does not have
/// n_ranks entries summing to n_areas).
block_partition partition_for(std::size_t n_areas, int n_ranks, const std::vector<std::size_t>& counts);

}  // namespace cortexsim
