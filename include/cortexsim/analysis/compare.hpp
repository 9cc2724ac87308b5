#pragma once
// Scores of a run against data (cortexsim compare, docs/observables.md "Comparing with data"): plain statistics
// on vectors, no file access.
#include <cstddef>
#include <vector>

namespace cortexsim {

/// Pearson correlation of two equally long vectors (NaN if either is constant or they are shorter than 2).
double pearson(const std::vector<double>& a, const std::vector<double>& b);
/// Spearman rank correlation (average ranks for ties).
double spearman(const std::vector<double>& a, const std::vector<double>& b);
/// The values above the diagonal of an n x n row-major matrix, row by row.
std::vector<double> upper_triangle(const std::vector<double>& m, std::size_t n);
/// Two-sample Kolmogorov-Smirnov distance: the largest difference between the two empirical CDFs.
double ks_distance(std::vector<double> a, std::vector<double> b);

}  // namespace cortexsim
