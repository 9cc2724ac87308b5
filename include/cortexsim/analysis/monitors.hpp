#pragma once
// Monitors (TVB's monitors, NEST's multimeter): observers that sample circuit variables of every area while the
// run goes (raw, temporal average, Balloon-Windkessel BOLD) and the analyses of their series (functional
// connectivity, FCD). Every sample is gathered onto rank 0 in data-file area order, so that the series and
// everything computed from it are the same on any rank count; the FC is computed in row blocks on every rank
// from the broadcast series (about A^2 / P values per rank). docs/observables.md.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cortexsim/analysis/observer.hpp"

namespace cortexsim {

/// The observers of spec.monitors for local areas [begin, begin + n). `variable(name)` gives the circuit's values
/// of a variable for the local areas (stable for the run). `gather` gathers one value per area onto rank 0;
/// `root`: this is rank 0 (it holds the series).
std::vector<std::unique_ptr<observer>> make_monitors(const model_spec& spec, std::size_t begin, std::size_t n,
                                                     const std::function<const double*(const std::string&)>& variable,
                                                     root_gather& gather, bool root);

/// Pearson correlation between the columns of x[t * stride + a] (t < T, a < A): [A][A], symmetric with a unit
/// diagonal (NaN rows and columns for a constant column). Two passes (means, then centred sums).
std::vector<double> pearson_fc(const double* x, std::size_t T, std::size_t A, std::size_t stride);

/// The rows of rank r of P for a symmetric [A][A] matrix computed in blocks: [split[r], split[r + 1]), cut so
/// that every rank has about the same number of pairs (a, b > a) of its rows: A (A - 1) / (2 P).
std::vector<std::size_t> fc_row_split(std::size_t A, std::size_t P);

/// The part of pearson_fc(x, T, A, stride) that the rows [r0, r1) compute: the pairs (a, b) with a in [r0, r1)
/// and b >= a, each with exactly pearson_fc's arithmetic, laid out as the L-shaped piece of the matrix they fill
/// by symmetry: rows [r0, r1) x columns [r0, A), then rows [r1, A) x columns [r0, r1), each row-major
/// ((r1 - r0) (2 A - r0 - r1) values). The pieces of the rows of fc_row_split tile the matrix; the piece of
/// [0, A) is the whole matrix.
std::vector<double> pearson_fc_block(const double* x, std::size_t T, std::size_t A, std::size_t stride, std::size_t r0,
                                     std::size_t r1);

/// Functional connectivity dynamics: the FC of windows of `window` samples starting every `step` samples, and
/// the Pearson correlation between the upper triangles (without the diagonal) of every pair of windows:
/// [W][W] with W = (T - window) / step + 1.
std::vector<double> fcd_matrix(const double* x, std::size_t T, std::size_t A, std::size_t stride, std::size_t window,
                               std::size_t step);

/// Welch's power spectral density of the columns of x[t * stride + a]: segments of `segment` samples (a power of
/// two) overlapping by half, each with its mean removed and a periodic Hann window, averaged; one-sided density
/// (scipy.signal.welch's defaults, scaling "density") at frequencies k fs / segment, k = 0 .. segment / 2:
/// [A][segment / 2 + 1], in units^2 / Hz.
std::vector<double> welch_psd(const double* x, std::size_t T, std::size_t A, std::size_t stride, std::size_t segment,
                              double fs);

/// A second-order Butterworth section (bilinear transform) at sample rate fs: low-pass or high-pass at fc.
struct biquad {
    double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
    static biquad butterworth(bool high_pass, double fc, double fs);
    /// y for input x with state {x1, x2, y1, y2} (direct form I), updated.
    double operator()(double x, double* st) const {
        const double y = b0 * x + b1 * st[0] + b2 * st[1] - a1 * st[2] - a2 * st[3];
        st[1] = st[0], st[0] = x, st[3] = st[2], st[2] = y;
        return y;
    }
};

/// One Euler step of length h [s] of the Balloon-Windkessel model (model_spec.hpp, bold_spec) with input z;
/// state {s, f, v, q}. And the BOLD signal of a state.
void balloon_step(const bold_spec& b, double z, double h, double* state);
double bold_signal(const bold_spec& b, const double* state);

}  // namespace cortexsim
