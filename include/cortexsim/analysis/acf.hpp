#pragma once
// Autocorrelation timescales of recorded signals (docs/observables.md, "Timescales").
//
// The estimator is the one an FFT autocorrelation of the mean-subtracted series gives: for samples x_0 .. x_{N-1}
// with mean m,
//     c(l) = sum_{t=l}^{N-1} (x_t - m)(x_{t-l} - m),      ACF(l) = c(l) / c(0),   l = 0 .. L.
// It is accumulated as the samples come, without cancellation: every area's samples are shifted by its first
// sample K (y = x - K, so that sums of y hold the fluctuations, not the mean: a 1e-5 Hz fluctuation on a 10 Hz
// mean keeps its digits), and c(l) is formed at the end from the lagged sums S(l) = sum y_t y_{t-l}, the total,
// the first L and the last L samples:
//     c(l) = S(l) - m' (sum_{t>=l} y_t + sum_{t<N-l} y_t) + (N - l) m'^2,   m' = mean of y.
// Memory and work per sample: O(L) per area.
#include <cstddef>
#include <vector>

namespace cortexsim {

class acf_accumulator {
public:
    /// n areas, lags 0 .. max_lag (in samples).
    acf_accumulator(std::size_t n, std::size_t max_lag);

    /// One sample of every area (consecutive samples).
    void add(const double* x);
    std::size_t samples(std::size_t i) const { return static_cast<std::size_t>(count_[i]); }
    std::size_t max_lag() const { return L_; }
    /// ACF(0 .. L) of area i (NaN where there are fewer than L + 1 samples or the variance is 0).
    std::vector<double> acf(std::size_t i) const;

    /// Values per area of the streaming state, and saving / restoring area i (checkpoints).
    std::size_t state_size() const { return 3 + 3 * L_ + 1; }
    void save(std::size_t i, double* out) const;
    void load(std::size_t i, const double* in);

private:
    std::size_t n_, L_;
    std::vector<double> shift_, sum_, count_;  // [n]
    std::vector<double> head_;                 // [n][L]: the first L samples (shifted)
    std::vector<double> ring_;                 // [n][2L]: the last L samples, stored twice (contiguous lags)
    std::vector<double> lagsum_;               // [n][L + 1]: S(0 .. L)
};

/// The first lag at which `acf` (lags 0, 1, ... spaced lag_s apart) falls below 1/e, linearly interpolated
/// between the two lags around the crossing [s]; NaN if it does not within the lags given.
double acf_timescale_1e(const std::vector<double>& acf, double lag_s);

/// Chaudhuri et al. 2015's rule: fit A e^{-t/tau} and A1 e^{-t/tau1} + A2 e^{-t/tau2} (amplitudes >= 0, least
/// squares) to the ACF from lag 0 down to 0.05 (the lags before the first value below 0.05); keep the single
/// tau if SSE1 < 8 SSE2, else the amplitude-weighted mean (A1 tau1 + A2 tau2) / (A1 + A2) [s]. NaN if the ACF
/// has fewer than 3 such lags or is not finite.
double acf_timescale_fit(const std::vector<double>& acf, double lag_s);

}  // namespace cortexsim
