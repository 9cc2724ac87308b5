#pragma once
// Ownership of areas by ranks: a pure function of (number of areas, number of ranks). No MPI.
#include <cstddef>
#include <vector>

namespace cortexsim {

/// Contiguous blocks of areas: rank r owns [begin(r), end(r)). The first (n_areas % n_ranks) ranks own one more.
class block_partition {
public:
    block_partition(std::size_t n_areas, int n_ranks);  // throws mpi_error if n_ranks > n_areas or < 1

    std::size_t n_areas() const { return n_areas_; }
    int n_ranks() const { return n_ranks_; }
    std::size_t begin(int rank) const;
    std::size_t end(int rank) const { return begin(rank + 1); }
    std::size_t count(int rank) const { return end(rank) - begin(rank); }
    int owner(std::size_t area) const;

private:
    std::size_t n_areas_;
    int n_ranks_;
};

}  // namespace cortexsim
