#include "cortexsim/dynamics/circuits/rnn.hpp"
#include "cortexsim/common/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "../../io/h5_util.hpp"
#include "../../rnn/h5_attributes.hpp"
#include "cortexsim/common/counter_rng.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/rnn/tasks.hpp"

namespace cortexsim {
namespace {

// Philox stream tags of a random network (add to the list in common/counter_rng.hpp):
//   40 W_rec   counter {row, column block, draw, 40}
//   41 W_in    counter {unit_lo, unit_hi, input pair, 41}
//   42 W_out   counter {unit_lo, unit_hi, output pair, 42}
constexpr std::uint32_t stream_w_rec = 40, stream_w_in = 41, stream_w_out = 42;
/// Columns per W_rec block: row i, block q covers columns [q B, (q + 1) B).
constexpr std::size_t rec_block = 256;
/// Values per hyperslab read of W_rec (4 MiB).
constexpr std::size_t rec_chunk_values = std::size_t{1} << 19;

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("rnn circuit: " + what); }

std::string num(double v) { return shortest_text(v); }

inline double sigmoid(double u) {  // as network.cpp (no overflow for large |u|)
    if (u >= 0) return 1.0 / (1.0 + std::exp(-u));
    const double e = std::exp(u);
    return e / (1.0 + e);
}

/// A standard normal deviate from the two 32-bit words (hi, lo): a 52-bit uniform through the inverse CDF.
inline double normal_of_words(std::uint32_t hi, std::uint32_t lo) { return normal_of_uniform(u01_of(hi, lo)); }

/// Row i of a random W_rec, nonzeros in increasing column order: emit(j, value).
///   density p = 1: every column j; p < 1: the gaps between nonzeros are geometric, g = floor(log u / log(1-p))
///   (P(g) = (1-p)^g p, i.e. every entry independently nonzero with probability p);
///   value ~ N(0, rho^2 / (N p)): the entries have variance rho^2 / N, so by the circular law the eigenvalues
///   fill the disc of radius rho as N p grows.
/// The columns are cut into blocks of rec_block; block q of row i draws from the counters {i, q, 0, 40},
/// {i, q, 1, 40}, ... (words 0-1: the gap, words 2-3: the value), so a row depends only on (seed, i).
template <class Emit>
void random_rec_row(const rnn_spec& s, std::size_t i, Emit&& emit) {
    const std::size_t N = s.n_units;
    const double sd = s.spectral_radius / std::sqrt(static_cast<double>(N) * s.density);
    if (!(sd > 0.0)) return;
    const philox_key key = key_of(s.init_seed);
    const bool dense = s.density >= 1.0;
    const double log_q = dense ? 0.0 : std::log1p(-s.density);
    const auto row = static_cast<std::uint32_t>(i);
    for (std::size_t b0 = 0, q = 0; b0 < N; b0 += rec_block, ++q) {
        const std::size_t b1 = std::min(N, b0 + rec_block);
        std::size_t j = b0;
        for (std::uint32_t draw = 0;; ++draw) {
            const auto w = philox4x32({row, static_cast<std::uint32_t>(q), draw, stream_w_rec}, key);
            if (!dense) {
                const double g = std::floor(std::log(u01_of(w[0], w[1])) / log_q);
                if (!(g < static_cast<double>(b1 - j))) break;
                j += static_cast<std::size_t>(g);
            }
            const double v = sd * normal_of_words(w[2], w[3]);
            if (v != 0.0) emit(j, v);
            if (++j >= b1) break;
        }
    }
}

/// Row `unit` of a random W_in (n_in values): N(0, input_scale^2 / n_in), counter {unit, c / 2, 41}.
void random_input_row(const rnn_spec& s, std::size_t unit, double* out) {
    const philox_key key = key_of(s.init_seed);
    const double sd = s.input_scale / std::sqrt(static_cast<double>(std::max<std::size_t>(s.n_in, 1)));
    for (std::size_t c = 0; c < s.n_in; c += 2) {
        const auto w = philox4x32(counter_of(unit, static_cast<std::uint32_t>(c / 2), stream_w_in), key);
        out[c] = sd * normal_of_words(w[0], w[1]);
        if (c + 1 < s.n_in) out[c + 1] = sd * normal_of_words(w[2], w[3]);
    }
}

// ---- HDF5: the weights file, serially, piece by piece ------------------------------------------------------

using h5::h5_handle;
const char* const weights_format = "cortexsim-rnn-weights";
constexpr double weights_format_version = 1;

using rnn::detail::shape_text;

/// One weights file opened read-only (each rank opens its own handle; no MPI-IO).
class weights_file {
public:
    explicit weights_file(const std::string& path) : path_(path) {
        h5::quiet_hdf5();
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) throw data_error(path + ": weights file does not exist");
        id_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        if (id_ < 0) throw data_error(path + ": cannot open as HDF5");
    }
    ~weights_file() { H5Fclose(id_); }
    weights_file(const weights_file&) = delete;
    weights_file& operator=(const weights_file&) = delete;
    hid_t id() const { return id_; }
    const std::string& path() const { return path_; }

    /// A scalar string attribute of "/" (fixed or variable length); found = false if absent.
    std::string string_attribute(const char* name, bool& found) const {
        return rnn::detail::read_string_attribute(id_, name, path_, found);
    }

    /// A scalar numeric attribute of "/"; found = false if absent.
    double number_attribute(const char* name, bool& found) const {
        return rnn::detail::read_number_attribute(id_, name, path_, found);
    }

    /// The dimensions of a floating-point dataset of rank 1 or 2 (data_error if missing, not float, other rank).
    std::vector<hsize_t> shape(const std::string& name) const {
        h5_handle d(open(name), H5Dclose, "open " + name);
        return dims(d, name);
    }

    /// Rows [begin, end) of a 2-D dataset (entries of a 1-D one) into out (row-major), checked finite.
    void read(const std::string& name, std::size_t begin, std::size_t end, std::vector<double>& out) const {
        h5_handle d(open(name), H5Dclose, "open " + name);
        const std::vector<hsize_t> dm = dims(d, name);
        const std::string where = path_ + ": " + name;
        if (begin > end || end > dm[0])
            throw data_error(where + ": rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                             ") outside its shape " + shape_text(dm));
        const hsize_t cols = dm.size() == 2 ? dm[1] : 1;
        out.resize((end - begin) * cols);
        if (out.empty()) return;
        h5_handle fs(H5Dget_space(d), H5Sclose, "dataspace " + name);
        std::vector<hsize_t> start(dm.size(), 0), count = dm;
        start[0] = begin;
        count[0] = end - begin;
        h5::ck(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
               "select rows of " + name);
        h5_handle ms(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose,
                     "memory space " + name);
        if (H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, out.data()) < 0)
            throw data_error(where + ": cannot be read");
        for (std::size_t q = 0; q < out.size(); ++q)
            if (!std::isfinite(out[q])) {
                std::string idx(1, '[');  // (appended piecewise: a GCC 12 -Wrestrict false positive)
                idx += std::to_string(dm.size() == 2 ? begin + q / cols : begin + q);
                if (dm.size() == 2) {
                    idx += "][";
                    idx += std::to_string(q % cols);
                }
                idx += ']';
                throw data_error(where + ": value " + num(out[q]) + " at " + idx + " is not finite");
            }
    }

private:
    hid_t open(const std::string& name) const {
        const std::string where = path_ + ": " + name;
        if (H5Lexists(id_, name.c_str(), H5P_DEFAULT) <= 0) throw data_error(where + ": missing dataset");
        const hid_t d = H5Dopen2(id_, name.c_str(), H5P_DEFAULT);
        if (d < 0) throw data_error(where + ": cannot be opened as a dataset");
        return d;
    }
    std::vector<hsize_t> dims(hid_t d, const std::string& name) const {
        const std::string where = path_ + ": " + name;
        h5_handle t(H5Dget_type(d), H5Tclose, "type of " + name);
        if (H5Tget_class(t) != H5T_FLOAT) throw data_error(where + ": is not a floating-point dataset");
        h5_handle space(H5Dget_space(d), H5Sclose, "dataspace " + name);
        const int nd = H5Sget_simple_extent_ndims(space);
        std::vector<hsize_t> dm(static_cast<std::size_t>(std::max(nd, 0)), 0);
        if (nd > 0) H5Sget_simple_extent_dims(space, dm.data(), nullptr);
        if (nd != 1 && nd != 2) throw data_error(where + ": has " + std::to_string(nd) + " dimensions");
        return dm;
    }

    std::string path_;
    hid_t id_ = -1;
};

}  // namespace

// ---- weights files ------------------------------------------------------------------------------------------

rnn_weights_header read_rnn_weights_header(const std::string& path) {
    const weights_file f(path);
    bool found = false;
    const std::string format = f.string_attribute("format", found);
    if (!found || format != weights_format)
        throw data_error(path + ": not a cortexsim rnn weights file (attribute 'format' is " +
                         (found ? "'" + format + "'" : std::string("missing")) + ", expected '" + weights_format + "')");
    const double version = f.number_attribute("format_version", found);
    if (!found || version != weights_format_version)
        throw data_error(path + ": attribute 'format_version' is " + (found ? num(version) : "missing") +
                         ", this build reads version " + num(weights_format_version));
    rnn_weights_header h;
    auto need_string = [&](const char* name) {
        bool ok = false;
        std::string s = f.string_attribute(name, ok);
        if (!ok) throw data_error(path + ": missing attribute '" + name + "'");
        return s;
    };
    const std::string kind = need_string("kind"), act = need_string("activation"), ro = need_string("readout");
    if (!rnn::parse(kind, h.kind)) throw data_error(path + ": attribute 'kind' = '" + kind + "' (allowed: vanilla, leaky)");
    if (!rnn::parse(act, h.activation))
        throw data_error(path + ": attribute 'activation' = '" + act + "' (allowed: relu, tanh, sigmoid, softplus)");
    if (!rnn::parse(ro, h.readout))
        throw data_error(path + ": attribute 'readout' = '" + ro + "' (allowed: identity, sigmoid, softmax)");
    h.dt_ms = f.number_attribute("dt_ms", found);
    if (!found) throw data_error(path + ": missing attribute 'dt_ms'");
    if (!std::isfinite(h.dt_ms) || !(h.dt_ms > 0.0))
        throw data_error(path + ": attribute 'dt_ms' = " + num(h.dt_ms) + " must be a finite number > 0");

    auto expect = [&](const char* name, const std::vector<hsize_t>& got, const std::vector<hsize_t>& want,
                      const std::string& why) {
        if (got != want)
            throw data_error(path + ": " + name + ": shape " + shape_text(got) + ", expected " + shape_text(want) +
                             " (" + why + ")");
    };
    const auto d_b = f.shape("/b"), d_in = f.shape("/W_in"), d_bout = f.shape("/b_out");
    if (d_b.size() != 1) throw data_error(path + ": /b: shape " + shape_text(d_b) + ", expected one dimension");
    if (d_bout.size() != 1) throw data_error(path + ": /b_out: shape " + shape_text(d_bout) + ", expected one dimension");
    if (d_in.size() != 2) throw data_error(path + ": /W_in: shape " + shape_text(d_in) + ", expected two dimensions");
    const hsize_t N = d_b[0], I = d_in[1], O = d_bout[0];
    if (N == 0) throw data_error(path + ": /b: no units (shape 0)");
    if (I == 0) throw data_error(path + ": /W_in: no inputs (shape " + shape_text(d_in) + ")");
    if (O == 0) throw data_error(path + ": /b_out: no outputs (shape 0)");
    if (N >= (hsize_t{1} << 31)) throw data_error(path + ": /b: " + std::to_string(N) + " units (at most 2^31 - 1)");
    const std::string nwhy = "N = " + std::to_string(N) + " from /b";
    expect("/W_in", d_in, {N, I}, nwhy);
    expect("/W_rec", f.shape("/W_rec"), {N, N}, nwhy);
    expect("/W_out", f.shape("/W_out"), {O, N}, nwhy + ", n_out = " + std::to_string(O) + " from /b_out");
    expect("/tau_ms", f.shape("/tau_ms"), {N}, nwhy);
    h.n_rec = N;
    h.n_in = I;
    h.n_out = O;
    for (const char* k : {"n_in", "n_rec", "n_out"}) {
        const double v = f.number_attribute(k, found);
        const double want = k[2] == 'i' ? static_cast<double>(I) : k[2] == 'r' ? static_cast<double>(N)
                                                                               : static_cast<double>(O);
        if (found && v != want)
            throw data_error(path + ": attribute '" + k + "' = " + num(v) + " does not match the datasets (" +
                             num(want) + ")");
    }
    h.task = f.string_attribute("task", found);
    return h;
}

std::vector<double> read_rnn_weights_rows(const std::string& path, const std::string& dataset, std::size_t begin,
                                          std::size_t end) {
    const weights_file f(path);
    std::vector<double> v;
    f.read(dataset, begin, end, v);
    return v;
}

void rnn_random_readout(const rnn_spec& s, std::vector<double>& W_out, std::vector<double>& b_out) {
    const std::size_t N = s.n_units, O = s.n_out;
    W_out.assign(O * N, 0.0);
    b_out.assign(O, 0.0);
    const philox_key key = key_of(s.init_seed);
    const double sd = s.output_scale / std::sqrt(static_cast<double>(std::max<std::size_t>(N, 1)));
    for (std::size_t j = 0; j < N; ++j)
        for (std::size_t q = 0; q < O; q += 2) {
            const auto w = philox4x32(counter_of(j, static_cast<std::uint32_t>(q / 2), stream_w_out), key);
            W_out[q * N + j] = sd * normal_of_words(w[0], w[1]);
            if (q + 1 < O) W_out[(q + 1) * N + j] = sd * normal_of_words(w[2], w[3]);
        }
}

// ---- the circuit ------------------------------------------------------------------------------------------

const circuit_info& rnn_info() {
    static const circuit_info info{"rnn", {}};  // everything is in model.rnn
    return info;
}

rnn_circuit::rnn_circuit(const model_spec& m, std::size_t begin, std::size_t n) : circuit(begin, n) {
    declare({"a"}, {"a"}, {"rec"}, {"in"});
    const rnn_spec& s = m.rnn;
    if (!s.defined) fail("the model has no 'model.rnn' section");
    kind_ = s.kind;
    activation_ = s.activation;
    readout_kind_ = s.readout;
    n_units_ = s.n_units;
    n_in_ = s.n_in;
    n_out_ = s.n_out;
    T_ = s.has_task() ? s.trial_steps : 0;
    reset_ = s.reset_state && T_ > 0;
    const std::string origin = s.weights_path.empty() ? "model.rnn.init.dt_ms" : "model.rnn.weights";
    if (!(m.run.dt_ms > 0.0)) fail("run.dt_ms must be positive");
    if (std::fabs(m.run.dt_ms - s.dt_ms) > 1e-12 * s.dt_ms)
        fail("run.dt_ms = " + std::to_string(m.run.dt_ms) + " must equal the network's dt_ms = " +
             std::to_string(s.dt_ms) + " (" + origin + ")");
    const std::int64_t steps = m.run.n_steps;
    if (s.has_task()) {
        if (T_ <= 0) fail("the task has no steps");
        if (s.n_trials > 0 && steps > static_cast<std::int64_t>(s.n_trials) * T_)
            fail("run.t_end_ms = " + std::to_string(m.run.t_end_ms) + " ms needs " + std::to_string(steps) +
                 " steps, but model.rnn.trials.count = " + std::to_string(s.n_trials) + " trials of " +
                 std::to_string(T_) + " steps give " + std::to_string(static_cast<std::int64_t>(s.n_trials) * T_));
    }
    if (begin + n > n_units_)
        fail("local units [" + std::to_string(begin) + ", " + std::to_string(begin + n) + ") exceed the " +
             std::to_string(n_units_) + " units of the network");
    if (s.W_out.size() != n_out_ * n_units_ || s.b_out.size() != n_out_)
        fail("the readout W_out / b_out has the wrong size");
    W_out_ = s.W_out;  // (also for n = 0: the readout needs no local units)
    b_out_ = s.b_out;
    if (n == 0) return;  // a name lookup
    init_ids(m);

    // this rank's rows of W_in (kept transposed), b and tau
    w_in_t_.assign(n_in_ * n, 0.0);
    b_.assign(n, 0.0);
    k_.assign(n, 1.0);
    u_.assign(n, 0.0);
    zeros_.assign(n, 0.0);
    const bool leaky = kind_ == rnn::rnn_kind::leaky;
    if (!s.weights_path.empty()) {
        const weights_file f(s.weights_path);
        std::vector<double> w, tau;
        f.read("/W_in", begin, begin + n, w);
        if (w.size() != n * n_in_) throw data_error(s.weights_path + ": /W_in: not " + std::to_string(n_in_) + " columns");
        f.read("/b", begin, begin + n, b_);
        f.read("/tau_ms", begin, begin + n, tau);
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t c = 0; c < n_in_; ++c) w_in_t_[c * n + i] = w[i * n_in_ + c];
            if (!(tau[i] > 0.0) || (leaky && tau[i] < s.dt_ms))
                throw data_error(s.weights_path + ": /tau_ms: value " + num(tau[i]) + " at [" +
                                 std::to_string(begin + i) + "] must be > 0 (leaky: >= dt_ms = " + num(s.dt_ms) + ")");
            if (leaky) k_[i] = s.dt_ms / tau[i];
        }
    } else {
        std::vector<double> row(n_in_);
        for (std::size_t i = 0; i < n; ++i) {
            random_input_row(s, begin + i, row.data());
            for (std::size_t c = 0; c < n_in_; ++c) w_in_t_[c * n + i] = row[c];
            if (leaky) k_[i] = s.dt_ms / s.tau_ms;
        }
    }

    // the input of the run: trials first .. first + count - 1, one after the other (run step k is step
    // k - q T of trial first + q, q = k / T)
    const std::size_t S = static_cast<std::size_t>(std::max<std::int64_t>(steps, 0));
    x_.assign(S * n_in_, 0.0);
    target_.assign(S, -1);
    mask_.assign(S, 0.0);
    if (T_ > 0 && S > 0) {
        const auto task = rnn::task_from_description(s.task);
        if (task->n_inputs() != n_in_ || task->n_steps() != T_)
            fail("the task '" + s.task + "' does not match the spec (inputs or steps per trial)");
        const std::size_t T = static_cast<std::size_t>(T_);
        for (std::size_t q = 0; q * T < S; ++q) {
            const rnn::trial tr = task->generate(s.trial_seed, s.first_trial + q);
            const std::size_t len = std::min(T, S - q * T);
            std::copy(tr.x.begin(), tr.x.begin() + static_cast<std::ptrdiff_t>(len * n_in_),
                      x_.begin() + static_cast<std::ptrdiff_t>(q * T * n_in_));
            for (std::size_t t = 0; t < len; ++t) {
                target_[q * T + t] = tr.target[t];
                mask_[q * T + t] = tr.mask[t];
            }
        }
    }
}

void rnn_circuit::step(const circuit_step_input& in) {
    const std::size_t n = n_;
    if (n == 0) return;
    double* __restrict a = var(v_a);
    double* __restrict u = u_.data();
    const double* rec = in.lr ? in.lr[c_rec] : zeros_.data();
    const double* st = in.stim ? in.stim[p_in] : zeros_.data();
    const double* x = input(in.step);
    // a trial starts from a = 0 (reset_state): then W_rec a(k) = 0 too
    const bool restart = reset_ && in.step > 0 && in.step % T_ == 0;

    // u = b + W_in x, column by column in increasing input order (skipping zero inputs, as rnn_engine::forward)
    std::copy(b_.begin(), b_.end(), u);
    if (x)
        for (std::size_t c = 0; c < n_in_; ++c) {
            const double xc = x[c];
            if (xc == 0.0) continue;
            const double* __restrict w = w_in_t_.data() + c * n;
            for (std::size_t i = 0; i < n; ++i) u[i] += w[i] * xc;
        }
    if (restart) {
        for (std::size_t i = 0; i < n; ++i) u[i] += st[i];
        for (std::size_t i = 0; i < n; ++i) a[i] = 0.0;
    } else {
        for (std::size_t i = 0; i < n; ++i) u[i] = (u[i] + rec[i]) + st[i];
    }
    const auto f = activation_;
    if (kind_ == rnn::rnn_kind::leaky) {
        for (std::size_t i = 0; i < n; ++i) {
            const double prev = a[i];
            a[i] = prev + k_[i] * (rnn::activate(f, u[i]) - prev);
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) a[i] = rnn::activate(f, u[i]);
    }
}

std::size_t rnn_circuit::n_outputs() const { return n_out_; }

void rnn_circuit::readout(const double* a_all, double* o) const {
    const std::size_t N = n_units_, O = n_out_;
    if (O == 0) return;
    if (W_out_.size() != O * N) throw std::logic_error("rnn_circuit::readout: called on a circuit without units");
    for (std::size_t q = 0; q < O; ++q) {
        const double* w = W_out_.data() + q * N;
        // the fixed order of the coupling's row sums (exchange/row_sum.hpp): four interleaved partial sums
        // over j in increasing order, combined as (s0 + s1) + (s2 + s3)
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        std::size_t j = 0;
        for (; j + 3 < N; j += 4) {
            s0 += w[j] * a_all[j];
            s1 += w[j + 1] * a_all[j + 1];
            s2 += w[j + 2] * a_all[j + 2];
            s3 += w[j + 3] * a_all[j + 3];
        }
        if (j < N) s0 += w[j] * a_all[j];
        if (j + 1 < N) s1 += w[j + 1] * a_all[j + 1];
        if (j + 2 < N) s2 += w[j + 2] * a_all[j + 2];
        o[q] = b_out_[q] + ((s0 + s1) + (s2 + s3));
    }
    switch (readout_kind_) {
        case rnn::readout_kind::identity: break;
        case rnn::readout_kind::sigmoid:
            for (std::size_t q = 0; q < O; ++q) o[q] = sigmoid(o[q]);
            break;
        case rnn::readout_kind::softmax: {
            const double mx = *std::max_element(o, o + O);
            double sum = 0.0;
            for (std::size_t q = 0; q < O; ++q) {
                o[q] = std::exp(o[q] - mx);
                sum += o[q];
            }
            for (std::size_t q = 0; q < O; ++q) o[q] /= sum;
            break;
        }
    }
}

int rnn_circuit::target(std::int64_t k) const {
    return k >= 0 && static_cast<std::size_t>(k) < target_.size() ? target_[static_cast<std::size_t>(k)] : -1;
}

double rnn_circuit::mask(std::int64_t k) const {
    return k >= 0 && static_cast<std::size_t>(k) < mask_.size() ? mask_[static_cast<std::size_t>(k)] : 0.0;
}

const double* rnn_circuit::input(std::int64_t k) const {
    if (k < 0 || static_cast<std::size_t>(k) >= target_.size() || n_in_ == 0) return nullptr;
    return x_.data() + static_cast<std::size_t>(k) * n_in_;
}

// ---- W_rec --------------------------------------------------------------------------------------------------

local_rows rnn_recurrent_rows(const model_spec& m, std::size_t begin, std::size_t end) {
    const rnn_spec& s = m.rnn;
    if (!s.defined) fail("the model has no 'model.rnn' section");
    const std::size_t N = s.n_units;
    if (begin > end || end > N)
        fail("rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") outside the " + std::to_string(N) +
             " units");
    local_rows r;
    r.n_global = N;
    r.row_begin = begin;
    r.n_rows = end - begin;
    r.row_ptr.assign(1, 0);
    r.row_ptr.reserve(r.n_rows + 1);
    if (!s.weights_path.empty()) {
        const weights_file f(s.weights_path);
        const std::vector<hsize_t> dm = f.shape("/W_rec");
        if (dm.size() != 2 || dm[0] != N || dm[1] != N)
            throw data_error(s.weights_path + ": /W_rec: shape " + shape_text(dm) + ", expected " +
                             std::to_string(N) + " x " + std::to_string(N));
        const std::size_t chunk = std::max<std::size_t>(1, rec_chunk_values / std::max<std::size_t>(N, 1));
        std::vector<double> block;
        for (std::size_t r0 = begin; r0 < end; r0 += chunk) {
            const std::size_t r1 = std::min(end, r0 + chunk);
            f.read("/W_rec", r0, r1, block);
            for (std::size_t i = 0; i < r1 - r0; ++i) {
                const double* w = block.data() + i * N;
                for (std::size_t j = 0; j < N; ++j)
                    if (w[j] != 0.0) {
                        r.col.push_back(static_cast<std::int64_t>(j));
                        r.val.push_back(w[j]);
                    }
                r.row_ptr.push_back(static_cast<std::int64_t>(r.val.size()));
            }
        }
    } else {
        r.col.reserve(static_cast<std::size_t>(static_cast<double>(r.n_rows) * static_cast<double>(N) * s.density * 1.05) + 16);
        r.val.reserve(r.col.capacity());
        for (std::size_t i = begin; i < end; ++i) {
            random_rec_row(s, i, [&](std::size_t j, double v) {
                r.col.push_back(static_cast<std::int64_t>(j));
                r.val.push_back(v);
            });
            r.row_ptr.push_back(static_cast<std::int64_t>(r.val.size()));
        }
    }
    return r;
}

}  // namespace cortexsim
