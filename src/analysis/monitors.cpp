// Monitors: raw, average and BOLD samples of circuit variables, gathered onto rank 0 in data-file area order;
// FC and FCD of their series. docs/observables.md.
#include "cortexsim/analysis/monitors.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"

namespace cortexsim {

void balloon_step(const bold_spec& b, double z, double h, double* x) {
    const double s = x[0], f = x[1], v = x[2], q = x[3];
    const double v_out = std::pow(v, 1.0 / b.alpha);                  // outflow f_out(v) = v^(1/alpha)
    const double e = (1.0 - std::pow(1.0 - b.rho, 1.0 / f)) / b.rho;  // oxygen extraction E(f) / rho
    x[0] = s + h * (z - b.kappa * s - b.gamma * (f - 1.0));
    x[1] = f + h * s;
    x[2] = v + h * (f - v_out) / b.tau;
    x[3] = q + h * (f * e - v_out * q / v) / b.tau;
}

double bold_signal(const bold_spec& b, const double* x) {
    const double v = x[2], q = x[3];
    return b.V0 * (b.k1 * (1.0 - q) + b.k2 * (1.0 - q / v) + b.k3 * (1.0 - v));
}

std::vector<std::size_t> fc_row_split(std::size_t A, std::size_t P) {
    // rows [split[r], split[r + 1]) of rank r: row a has A - 1 - a pairs (a, b > a); cut where the pairs so far
    // reach r / P of all, so that every rank computes about A (A - 1) / (2 P) pairs and holds about A^2 / P values
    P = std::max<std::size_t>(P, 1);
    std::vector<std::size_t> split(P + 1, A);
    split[0] = 0;
    const double total = 0.5 * static_cast<double>(A) * static_cast<double>(A > 0 ? A - 1 : 0);
    double done = 0;
    std::size_t r = 1;
    for (std::size_t a = 0; a < A && r < P; ++a) {
        while (r < P && done >= total * static_cast<double>(r) / static_cast<double>(P)) split[r++] = a;
        done += static_cast<double>(A - 1 - a);
    }
    return split;
}

std::vector<double> pearson_fc_block(const double* x, std::size_t T, std::size_t A, std::size_t stride, std::size_t r0,
                                     std::size_t r1) {
    r1 = std::min(r1, A);
    r0 = std::min(r0, r1);
    const std::size_t B = A - r0, R = r1 - r0, W1 = A - r0;  // columns [r0, A) are needed
    // z[a - r0][t]: centred and scaled to unit norm, so that FC = z z^T
    std::vector<double> z(B * T);
    std::vector<char> flat(B, 0);
    for (std::size_t j = 0; j < B; ++j) {
        const std::size_t a = r0 + j;
        double m = 0;
        for (std::size_t t = 0; t < T; ++t) m += x[t * stride + a];
        m /= static_cast<double>(T);
        double ss = 0;
        double* zj = z.data() + j * T;
        for (std::size_t t = 0; t < T; ++t) {
            const double d = x[t * stride + a] - m;
            zj[t] = d;
            ss += d * d;
        }
        flat[j] = !(ss > 0);
        const double r = flat[j] ? 0.0 : 1.0 / std::sqrt(ss);
        for (std::size_t t = 0; t < T; ++t) zj[t] *= r;
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> out(R * W1 + (A - r1) * R);
    double* lower = out.data() + R * W1;                      // rows [r1, A) x columns [r0, r1)
    auto put = [&](std::size_t i, std::size_t k, double c) {  // pair (a, b) = (r0 + i, r0 + k), k > i
        c = (flat[i] || flat[k]) ? nan : std::clamp(c, -1.0, 1.0);
        out[i * W1 + k] = c;
        if (k < R)
            out[k * W1 + i] = c;
        else
            lower[(k - R) * R + i] = c;
    };
    for (std::size_t i = 0; i < R; ++i) {
        out[i * W1 + i] = flat[i] ? nan : 1.0;
        const double* za = z.data() + i * T;
        std::size_t k = i + 1;
        // four pairs at once: four independent sums, each in the order t = 0, 1, ... (the bytes of one at a time)
        for (; k + 4 <= B; k += 4) {
            const double *z0 = z.data() + k * T, *z1 = z0 + T, *z2 = z1 + T, *z3 = z2 + T;
            double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
            for (std::size_t t = 0; t < T; ++t) {
                const double v = za[t];
                c0 += v * z0[t];
                c1 += v * z1[t];
                c2 += v * z2[t];
                c3 += v * z3[t];
            }
            put(i, k, c0);
            put(i, k + 1, c1);
            put(i, k + 2, c2);
            put(i, k + 3, c3);
        }
        for (; k < B; ++k) {
            const double* zb = z.data() + k * T;
            double c = 0;
            for (std::size_t t = 0; t < T; ++t) c += za[t] * zb[t];
            put(i, k, c);
        }
    }
    return out;
}

std::vector<double> pearson_fc(const double* x, std::size_t T, std::size_t A, std::size_t stride) {
    return pearson_fc_block(x, T, A, stride, 0, A);  // one block of every row: the whole matrix, row-major
}

std::vector<double> fcd_matrix(const double* x, std::size_t T, std::size_t A, std::size_t stride, std::size_t window,
                               std::size_t step) {
    if (window > T || step == 0) return {};
    const std::size_t W = (T - window) / step + 1, U = A * (A - 1) / 2;
    std::vector<double> tri(W * U);  // upper triangles, each as one series of U values
    for (std::size_t w = 0; w < W; ++w) {
        const auto fc = pearson_fc(x + w * step * stride, window, A, stride);
        std::size_t u = 0;
        for (std::size_t a = 0; a < A; ++a)
            for (std::size_t b = a + 1; b < A; ++b) tri[w * U + u++] = fc[a * A + b];
    }
    std::vector<double> t(U * W);  // transposed: [U][W], the windows as columns
    for (std::size_t w = 0; w < W; ++w)
        for (std::size_t u = 0; u < U; ++u) t[u * W + w] = tri[w * U + u];
    return pearson_fc(t.data(), U, W, W);
}

biquad biquad::butterworth(bool high_pass, double fc, double fs) {
    const double pi = 3.14159265358979323846;
    const double w0 = 2 * pi * fc / fs, c = std::cos(w0), alpha = std::sin(w0) / (2 * std::sqrt(0.5));
    const double a0 = 1 + alpha;
    biquad q;
    q.b0 = (high_pass ? (1 + c) / 2 : (1 - c) / 2) / a0;
    q.b1 = (high_pass ? -(1 + c) : (1 - c)) / a0;
    q.b2 = q.b0;
    q.a1 = -2 * c / a0;
    q.a2 = (1 - alpha) / a0;
    return q;
}

namespace {

/// In-place radix-2 FFT of n = 2^m complex values (re, im).
void fft(std::vector<double>& re, std::vector<double>& im) {
    const std::size_t n = re.size();
    for (std::size_t i = 1, j = 0; i < n; ++i) {  // bit reversal
        std::size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(re[i], re[j]), std::swap(im[i], im[j]);
    }
    const double pi = 3.14159265358979323846;
    for (std::size_t len = 2; len <= n; len <<= 1) {
        const double ang = -2 * pi / static_cast<double>(len);
        for (std::size_t i = 0; i < n; i += len)
            for (std::size_t k = 0; k < len / 2; ++k) {
                const double wr = std::cos(ang * static_cast<double>(k)), wi = std::sin(ang * static_cast<double>(k));
                const std::size_t u = i + k, v = i + k + len / 2;
                const double xr = re[v] * wr - im[v] * wi, xi = re[v] * wi + im[v] * wr;
                re[v] = re[u] - xr, im[v] = im[u] - xi;
                re[u] += xr, im[u] += xi;
            }
    }
}

}  // namespace

std::vector<double> welch_psd(const double* x, std::size_t T, std::size_t A, std::size_t stride, std::size_t L,
                              double fs) {
    if (L < 4 || (L & (L - 1)) != 0 || L > T) return {};
    const double pi = 3.14159265358979323846;
    const std::size_t F = L / 2 + 1, hop = L / 2, S = (T - L) / hop + 1;
    std::vector<double> w(L), out(A * F, 0.0), re(L), im(L);
    double ww = 0;
    for (std::size_t n = 0; n < L; ++n) {
        w[n] = 0.5 - 0.5 * std::cos(2 * pi * static_cast<double>(n) / static_cast<double>(L));  // periodic Hann
        ww += w[n] * w[n];
    }
    for (std::size_t a = 0; a < A; ++a) {
        double* p = out.data() + a * F;
        for (std::size_t seg = 0; seg < S; ++seg) {
            const std::size_t t0 = seg * hop;
            double m = 0;
            for (std::size_t n = 0; n < L; ++n) m += x[(t0 + n) * stride + a];
            m /= static_cast<double>(L);
            for (std::size_t n = 0; n < L; ++n) re[n] = (x[(t0 + n) * stride + a] - m) * w[n], im[n] = 0;
            fft(re, im);
            for (std::size_t k = 0; k < F; ++k) p[k] += re[k] * re[k] + im[k] * im[k];
        }
        for (std::size_t k = 0; k < F; ++k) {
            const double one_sided = (k == 0 || k == L / 2) ? 1.0 : 2.0;
            p[k] *= one_sided / (fs * ww * static_cast<double>(S));
        }
    }
    return out;
}

namespace {

class monitor_observer final : public observer {
public:
    monitor_observer(const model_spec& spec, const monitor_spec& m, std::size_t n, std::vector<const double*> vars,
                     root_gather& gather)
        : spec_(spec),
          m_(m),
          n_(n),
          A_(m.kind == "projection" ? m.sensors.size() : spec.areas.size()),
          V_(m.kind == "lfp" ? 1 : m.variables.size()),
          vars_(std::move(vars)),
          gather_(gather),
          local_(n),
          rec_s_(spec.run.dt_ms * static_cast<double>(spec.run.record_every) * 1e-3) {
        if (m_.kind == "average") acc_.assign(n_ * V_, 0.0);
        if (m_.kind == "lfp") {
            acc_.assign(n_ * 8, 0.0);
            lfp_.assign(n_, 0.0);
            const double fs = 1.0 / rec_s_;
            if (m_.band_low_hz > 0) hp_ = biquad::butterworth(true, m_.band_low_hz, fs);
            if (m_.band_high_hz > 0) lp_ = biquad::butterworth(false, m_.band_high_hz, fs);
        }
        if (m_.kind == "bold") {
            acc_.assign(n_ * 5, 0.0);
            for (std::size_t i = 0; i < n_; ++i) init_bold(acc_.data() + i * 5);
            substeps_ = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(rec_s_ / 1e-3 - 1e-9)));
        }
    }

    void observe(std::int64_t k, const double* const* /*recorded*/) override {
        if (m_.kind == "raw") {
            if (k % m_.every == 0) emit(k, [&](std::size_t i, std::size_t v) { return vars_[v][i]; });
        } else if (m_.kind == "average") {
            if (k == 0) return;
            for (std::size_t i = 0; i < n_; ++i)
                for (std::size_t v = 0; v < V_; ++v) acc_[i * V_ + v] += vars_[v][i];
            if (k % m_.every == 0) {
                const double r = 1.0 / static_cast<double>(m_.every);
                emit(k, [&](std::size_t i, std::size_t v) { return acc_[i * V_ + v] * r; });
                std::fill(acc_.begin(), acc_.end(), 0.0);
            }
        } else if (m_.kind == "projection") {
            if (k > 0 && k % m_.every == 0) emit(k, [&](std::size_t i, std::size_t) { return vars_[0][i]; });
        } else if (m_.kind == "lfp") {  // filter every record, sample every `every`
            for (std::size_t i = 0; i < n_; ++i) {
                double y = 0;
                for (std::size_t v = 0; v < vars_.size(); ++v) y += m_.weights[v] * vars_[v][i];
                double* st = acc_.data() + i * 8;
                if (m_.band_low_hz > 0) y = hp_(y, st);
                if (m_.band_high_hz > 0) y = lp_(y, st + 4);
                lfp_[i] = y;
            }
            if (k > 0 && k % m_.every == 0) emit(k, [&](std::size_t i, std::size_t) { return lfp_[i]; });
        } else {  // bold: integrate over (t_{k-1}, t_k] with the input of record k - 1 held
            const double h = rec_s_ / static_cast<double>(substeps_);
            for (std::size_t i = 0; i < n_; ++i) {
                double* x = acc_.data() + i * 5;
                if (k > 0)
                    for (std::int64_t j = 0; j < substeps_; ++j) balloon_step(m_.bold, x[4], h, x);
                x[4] = m_.bold.input_scale * vars_[0][i];
            }
            if (k > 0 && k % m_.every == 0)
                emit(k, [&](std::size_t i, std::size_t) { return bold_signal(m_.bold, acc_.data() + i * 5); });
        }
    }

    void results(run_results& out) const override {
        const std::size_t T = static_cast<std::size_t>(m_.n_samples);
        const bool root = !series_.empty();
        const std::size_t D = static_cast<std::size_t>(m_.discard_samples);
        const std::string base = "/monitors/" + m_.name;
        std::string vars;
        for (const auto& v : m_.variables) vars += (vars.empty() ? "" : ",") + v;
        std::vector<double> time;
        if (root)
            for (std::size_t t = 0; t < T; ++t) time.push_back(time_of(t));
        std::vector<std::pair<std::string, std::string>> attrs = {
            {"kind", m_.kind}, {"variables", vars}, {"period_s", shortest_text(m_.period_ms * 1e-3)}};
        if (m_.kind == "bold") attrs.emplace_back("bold_preset", m_.bold.preset);
        out.globals.push_back({base + "/time", {T}, time, "s", "time of each sample of monitor " + m_.name, {}, {}});
        const std::string unit = m_.kind == "bold" ? (m_.bold.V0 > 1 ? "%" : "1") : "as the variables";
        std::string weights;
        for (double w : m_.weights) {
            if (!weights.empty()) weights += ',';
            weights += shortest_text(w);
        }
        if (m_.kind == "lfp") {
            attrs.emplace_back("weights", weights);
            std::string band = shortest_text(m_.band_low_hz);
            band += ',';
            band += shortest_text(m_.band_high_hz);
            attrs.emplace_back("band_hz", band);
        }
        const std::string rows_scale = m_.kind == "projection" ? "" : "/areas";
        if (m_.kind == "projection") {
            std::string names;
            for (const auto& x : m_.sensors) {
                if (!names.empty()) names += ',';
                names += x;
            }
            attrs.emplace_back("sensors", names);
        }
        const std::string what =
            m_.kind == "projection" ? "lead field x " + vars + " every " + shortest_text(m_.period_ms) +
                                          " ms; [time, sensor, 1], sensors as in the attribute 'sensors'"
            : m_.kind == "lfp"
                ? "sum of " + vars + " weighted " + weights + ", band-passed [" + shortest_text(m_.band_low_hz) + ", " +
                      shortest_text(m_.band_high_hz) + "] Hz (0 = open), every " + shortest_text(m_.period_ms) + " ms"
            : m_.kind == "raw" ? "values of " + vars + " every " + shortest_text(m_.period_ms) + " ms"
            : m_.kind == "average"
                ? "means of " + vars + " over " + shortest_text(m_.period_ms) + " ms periods (at their ends)"
                : "BOLD (Balloon-Windkessel, " + m_.bold.preset + " parameters) of " + vars + " every " +
                      shortest_text(m_.period_ms) + " ms (TR)";
        out.globals.push_back({base + "/data",
                               {T, A_, V_},
                               root ? series_ : std::vector<double>{},
                               unit,
                               what + "; [time, area, variable], areas in /areas order",
                               attrs,
                               {base + "/time", rows_scale, ""}});
        // the analysed series: the first variable after the discarded samples, [T - D][A] (rank 0)
        std::vector<double> x;
        if (root && (m_.fc || m_.psd_segment > 0 || m_.fcd_window > 0)) {
            x.resize((T - D) * A_);
            for (std::size_t t = 0; t < T - D; ++t)
                for (std::size_t a = 0; a < A_; ++a) x[t * A_ + a] = series_[((D + t) * A_ + a) * V_];
        }
        if (m_.fc) {
            // in row blocks on every rank (about A^2 / P values each), from the series broadcast once
            std::vector<double> all = x;
            gather_.broadcast(all);
            const auto split = fc_row_split(A_, gather_.ranks());
            const std::size_t me = gather_.rank();
            out.globals.push_back({"/analysis/fc/" + m_.name,
                                   {A_, A_},
                                   pearson_fc_block(all.data(), T - D, A_, A_, split[me], split[me + 1]),
                                   "1",
                                   "Pearson correlation between areas of monitor " + m_.name + " (" +
                                       m_.variables.front() + ", " + std::to_string(T - D) + " samples from " +
                                       shortest_text(time_of(D)) + " s)",
                                   {},
                                   {rows_scale, rows_scale},
                                   split});
        }
        if (m_.psd_segment > 0) {
            const std::size_t L = static_cast<std::size_t>(m_.psd_segment), F = L / 2 + 1;
            const double fs = 1.0 / (rec_s_ * static_cast<double>(m_.every));
            std::vector<double> psd, freq;
            if (root) {
                psd = welch_psd(x.data(), T - D, A_, A_, L, fs);
                for (std::size_t k = 0; k < F; ++k)
                    freq.push_back(static_cast<double>(k) * fs / static_cast<double>(L));
            }
            out.globals.push_back({"/analysis/psd/" + m_.name + "_frequency_hz",
                                   {F},
                                   freq,
                                   "Hz",
                                   "frequencies of /analysis/psd/" + m_.name,
                                   {},
                                   {}});
            out.globals.push_back({"/analysis/psd/" + m_.name,
                                   {A_, F},
                                   psd,
                                   "(variable units)^2/Hz",
                                   "Welch power spectral density of " + m_.variables.front() + " of monitor " +
                                       m_.name + " (segments of " + std::to_string(L) +
                                       " samples, half overlap, Hann window, one-sided)",
                                   {},
                                   {rows_scale, "/analysis/psd/" + m_.name + "_frequency_hz"}});
        }
        if (m_.fcd_window > 0) {
            std::vector<double> fcd;
            const std::size_t W =
                (T - D - static_cast<std::size_t>(m_.fcd_window)) / static_cast<std::size_t>(m_.fcd_step) + 1;
            if (root)
                fcd = fcd_matrix(x.data(), T - D, A_, A_, static_cast<std::size_t>(m_.fcd_window),
                                 static_cast<std::size_t>(m_.fcd_step));
            out.globals.push_back({"/analysis/fcd/" + m_.name,
                                   {W, W},
                                   fcd,
                                   "1",
                                   "correlation between the FCs (upper triangles) of windows of " +
                                       std::to_string(m_.fcd_window) + " samples every " + std::to_string(m_.fcd_step) +
                                       " samples of monitor " + m_.name,
                                   {},
                                   {}});
        }
    }

    std::size_t state_size() const override {
        if (m_.kind == "raw" || m_.kind == "projection") return 0;  // stateless between samples
        return m_.kind == "bold" ? 5 : m_.kind == "lfp" ? 8 : V_;
    }
    void save(std::size_t i, double* out) const override {
        const std::size_t w = state_size();
        std::copy_n(acc_.data() + i * w, w, out);
    }
    void load(std::size_t i, const double* in) override {
        const std::size_t w = state_size();
        std::copy_n(in, w, acc_.data() + i * w);
    }
    std::vector<double> save_global() const override {
        if (series_.empty()) return {};
        std::vector<double> s{static_cast<double>(samples_)};
        s.insert(s.end(), series_.begin(), series_.begin() + static_cast<std::ptrdiff_t>(samples_ * A_ * V_));
        return s;
    }
    void load_global(const std::vector<double>& s) override {
        if (s.empty() || series_.empty()) return;
        samples_ = static_cast<std::size_t>(s[0]);
        if (s.size() != 1 + samples_ * A_ * V_ || samples_ > static_cast<std::size_t>(m_.n_samples))
            throw data_error("checkpoint: the state of monitor '" + m_.name + "' has " + std::to_string(s.size()) +
                             " values, expected " + std::to_string(1 + samples_ * A_ * V_));
        std::copy(s.begin() + 1, s.end(), series_.begin());
    }

    /// Rank 0 holds the series (known after the first gather; allocated up front by the factory).
    void allocate_root() {
        series_.assign(static_cast<std::size_t>(m_.n_samples) * A_ * V_, 0.0);
        if (m_.kind == "projection") by_file_.assign(n_areas_, 0.0);
    }

private:
    double time_of(std::size_t sample) const {
        return static_cast<double>(m_.first_record() + static_cast<std::int64_t>(sample) * m_.every) * rec_s_;
    }
    static void init_bold(double* x) { x[0] = 0.0, x[1] = 1.0, x[2] = 1.0, x[3] = 1.0, x[4] = 0.0; }

    template <class F>
    void emit(std::int64_t /*k*/, F value) {
        for (std::size_t v = 0; v < V_; ++v) {
            for (std::size_t i = 0; i < n_; ++i) local_[i] = value(i, v);
            const double* all = gather_.gather(local_.data());
            if (all && samples_ < static_cast<std::size_t>(m_.n_samples)) {
                double* row = series_.data() + samples_ * A_ * V_;
                if (m_.kind == "projection") {  // sensors: sums over the areas in data-file order
                    for (std::size_t a = 0; a < n_areas_; ++a) by_file_[spec_.areas.id(a)] = all[a];
                    for (std::size_t r = 0; r < A_; ++r) {
                        const double* w = m_.lead_field.data() + r * n_areas_;
                        double sum = 0;
                        for (std::size_t f = 0; f < n_areas_; ++f) sum += w[f] * by_file_[f];
                        row[r * V_ + v] = sum;
                    }
                } else {
                    for (std::size_t a = 0; a < A_; ++a) row[spec_.areas.id(a) * V_ + v] = all[a];
                }
            }
        }
        if (!series_.empty()) ++samples_;
    }

    const model_spec& spec_;
    monitor_spec m_;
    std::size_t n_, A_, V_;  // A_: rows of a sample (areas, or sensors of a projection)
    std::size_t n_areas_ = spec_.areas.size();
    std::vector<double> by_file_;  // projection: one sample of every area in data-file order
    std::vector<const double*> vars_;
    root_gather& gather_;
    std::vector<double> local_, acc_, series_;
    std::size_t samples_ = 0;
    double rec_s_;
    biquad hp_, lp_;
    std::vector<double> lfp_;
    std::int64_t substeps_ = 1;
};

}  // namespace

std::vector<std::unique_ptr<observer>> make_monitors(const model_spec& spec, std::size_t /*begin*/, std::size_t n,
                                                     const std::function<const double*(const std::string&)>& variable,
                                                     root_gather& gather, bool root) {
    std::vector<std::unique_ptr<observer>> out;
    for (const auto& m : spec.monitors) {
        std::vector<const double*> vars;
        for (const auto& name : m.variables) vars.push_back(variable(name));
        auto o = std::make_unique<monitor_observer>(spec, m, n, std::move(vars), gather);
        if (root) o->allocate_root();
        out.push_back(std::move(o));
    }
    return out;
}

}  // namespace cortexsim
