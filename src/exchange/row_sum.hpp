#pragma once
// Private to the exchange layer: the one summation tree of every long-range row sum. The row's nonzeros in their
// stored order are dealt in turn to four partial sums (nonzero k of a row starting at b goes to lane (k - b) mod 4),
// each partial sum adds its products in order, and the lanes are combined as (s0 + s1) + (s2 + s3). It depends
// only on the row, never on the partition, nor on how many sums share the pass over the row: every sum below
// (several matrices, several sources, several steps of a delay epoch) follows this tree on its own accumulators.
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace cortexsim::detail {

/// One sum of a row: values v[k], sources x(k).
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

/// M x S sums of a row (M matrices with values val[k M + m], S sources with values x(k)[s]), each by the tree
/// above: out[m S + s]. M and S known at compile time.
template <int M, int S, class Sources>
inline void row_sums(std::int64_t b, std::int64_t e, const double* val, Sources&& x, double* out) {
    constexpr int MS = M * S;
    // the four lanes as four register sets, the row unrolled by four (lane l adds the nonzeros b + l, b + l + 4, ...
    // in order: the tree of row_sum, sum by sum)
#if defined(__GNUC__)
    if constexpr (S % 2 == 0) {  // pairs of sources side by side in one vector (the same IEEE operations per element)
        typedef double v2d __attribute__((vector_size(16)));
        constexpr int H = MS / 2;
        v2d a0[H], a1[H], a2[H], a3[H];
        for (int h = 0; h < H; ++h) a0[h] = a1[h] = a2[h] = a3[h] = v2d{0.0, 0.0};
        auto add = [&](v2d* a, std::int64_t k) {
            const double* xs = x(k);
            const double* v = val + k * M;
            for (int m = 0; m < M; ++m) {
                const v2d w = {v[m], v[m]};
                for (int h = 0; h < S / 2; ++h) {
                    v2d xv;
                    std::memcpy(&xv, xs + 2 * h, sizeof xv);
                    a[m * (S / 2) + h] += w * xv;
                }
            }
        };
        std::int64_t k = b;
        for (; k + 3 < e; k += 4) {
            add(a0, k);
            add(a1, k + 1);
            add(a2, k + 2);
            add(a3, k + 3);
        }
        if (k < e) add(a0, k);
        if (k + 1 < e) add(a1, k + 1);
        if (k + 2 < e) add(a2, k + 2);
        for (int h = 0; h < H; ++h) {
            const v2d r = (a0[h] + a1[h]) + (a2[h] + a3[h]);
            std::memcpy(out + 2 * h, &r, sizeof r);
        }
        return;
    }
#endif
    double a0[MS], a1[MS], a2[MS], a3[MS];
    for (int j = 0; j < MS; ++j) a0[j] = a1[j] = a2[j] = a3[j] = 0.0;
    auto add = [&](double* a, std::int64_t k) {
        const double* xs = x(k);
        const double* v = val + k * M;
        for (int m = 0; m < M; ++m)
            for (int s = 0; s < S; ++s) a[m * S + s] += v[m] * xs[s];
    };
    std::int64_t k = b;
    for (; k + 3 < e; k += 4) {
        add(a0, k);
        add(a1, k + 1);
        add(a2, k + 2);
        add(a3, k + 3);
    }
    if (k < e) add(a0, k);
    if (k + 1 < e) add(a1, k + 1);
    if (k + 2 < e) add(a2, k + 2);
    for (int j = 0; j < MS; ++j) out[j] = (a0[j] + a1[j]) + (a2[j] + a3[j]);
}

/// The same with M and S known at run time; acc: scratch of 4 M S doubles.
template <class Sources>
inline void row_sums(std::int64_t b, std::int64_t e, const double* val, std::size_t M, std::size_t S, Sources&& x,
                     double* acc, double* out) {
    const std::size_t MS = M * S;
    for (std::size_t j = 0; j < 4 * MS; ++j) acc[j] = 0.0;
    for (std::int64_t k = b; k < e; ++k) {
        double* a = acc + static_cast<std::size_t>((k - b) & 3) * MS;
        const double* xs = x(k);
        const double* v = val + static_cast<std::size_t>(k) * M;
        for (std::size_t m = 0; m < M; ++m)
            for (std::size_t s = 0; s < S; ++s) a[m * S + s] += v[m] * xs[s];
    }
    for (std::size_t j = 0; j < MS; ++j) out[j] = (acc[j] + acc[MS + j]) + (acc[2 * MS + j] + acc[3 * MS + j]);
}

}  // namespace cortexsim::detail
