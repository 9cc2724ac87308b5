#include "cortexsim/connectivity/connectivity.hpp"

namespace cortexsim {

local_rows rows_of(const labelled_matrix& m, std::size_t row_begin, std::size_t row_end) {
    local_rows r;
    const std::size_t n = m.size();
    r.n_global = n;
    r.row_begin = row_begin;
    r.n_rows = row_end - row_begin;
    r.row_ptr.assign(1, 0);
    for (std::size_t i = row_begin; i < row_end; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const double v = m(i, j);
            if (v != 0.0) {
                r.col.push_back(static_cast<std::int64_t>(j));
                r.val.push_back(v);
            }
        }
        r.row_ptr.push_back(static_cast<std::int64_t>(r.val.size()));
    }
    return r;
}

}  // namespace cortexsim
