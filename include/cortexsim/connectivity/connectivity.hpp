#pragma once
// Long-range connectivity: each rank builds only the rows (target areas) it owns.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cortexsim/connectivity/csv.hpp"

namespace cortexsim {

/// Compressed sparse rows of the long-range matrix for the target areas [row_begin, row_begin + n_rows).
/// Column indices are global source-area indices, strictly increasing within a row; exact zeros are not stored.
struct local_rows {
    std::size_t n_global = 0;  // number of areas (columns)
    std::size_t row_begin = 0;
    std::size_t n_rows = 0;
    std::vector<std::int64_t> row_ptr{0};  // n_rows + 1
    std::vector<std::int64_t> col;
    std::vector<double> val;
    std::size_t nnz() const { return val.size(); }
};

/// Extracts rows [row_begin, row_end) of a labelled matrix.
local_rows rows_of(const labelled_matrix& m, std::size_t row_begin, std::size_t row_end);

}  // namespace cortexsim
