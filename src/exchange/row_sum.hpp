#pragma once
// Private to the exchange layer: the one summation tree of every long-range row sum. Four interleaved partial
// sums over the row's nonzeros in their stored order (increasing global source id), combined as
// (s0 + s1) + (s2 + s3). It depends only on the row, never on the partition (docs/design.md).
#include <petscsys.h>

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

namespace cortexsim::detail {
/// Reorders the entries [b, e) of one row so that their keys key[col] increase (the summation order of a
/// renumbered model is that of the data files' numbering: docs/partition.md). `apply` permutes the caller's
/// parallel arrays with the permutation it receives.
template <class Col, class Apply>
inline void order_row_by_key(Col* col, std::size_t b, std::size_t e, const std::vector<std::size_t>& key,
                             Apply&& apply) {
    std::vector<std::size_t> idx(e - b);
    std::iota(idx.begin(), idx.end(), b);
    std::sort(idx.begin(), idx.end(), [&](std::size_t x, std::size_t y) {
        return key[static_cast<std::size_t>(col[x])] < key[static_cast<std::size_t>(col[y])];
    });
    apply(idx);
}

template <class Value>
inline double row_sum(PetscInt b, PetscInt e, const double* v, Value&& x) {
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    PetscInt k = b;
    for (; k + 3 < e; k += 4) {
        s0 += v[k] * x(k);
        s1 += v[k + 1] * x(k + 1);
        s2 += v[k + 2] * x(k + 2);
        s3 += v[k + 3] * x(k + 3);
    }
    if (k < e) s0 += v[k] * x(k);
    if (k + 1 < e) s1 += v[k + 1] * x(k + 1);
    if (k + 2 < e) s2 += v[k + 2] * x(k + 2);
    return (s0 + s1) + (s2 + s3);
}
}  // namespace cortexsim::detail
