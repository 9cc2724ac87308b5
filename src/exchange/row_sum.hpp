#pragma once
// Private to the exchange layer: the one summation tree of every long-range row sum. Four interleaved partial
// sums over the row's nonzeros in their stored order, combined as (s0 + s1) + (s2 + s3). It depends only on
// the row, never on the partition (docs/design.md).
#include <cstdint>

namespace cortexsim::detail {

template <class Value>
inline double row_sum(std::int64_t b, std::int64_t e, const double* v, Value&& x) {
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    std::int64_t k = b;
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
