// The rnn circuit (circuit: rnn; docs/rnn_runtime.md): the kernel plus a dense W_rec product against the
// network's own forward pass (rnn::rnn_engine), the readout, the rows of W_rec (from a weights file and
// generated), the spectral radius of a generated matrix, the config section model.rnn and its errors.
// Serial: no MPI, HDF5 files in a temporary folder.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/config/rnn_config.hpp"
#include "cortexsim/connectivity/recurrent.hpp"
#include "cortexsim/dynamics/circuits/rnn.hpp"
#include "cortexsim/rnn/network.hpp"
#include "cortexsim/rnn/tasks.hpp"
#include "cortexsim/io/rnn_weights.hpp"

namespace cortexsim {
namespace {

namespace fs = std::filesystem;

// A small 1-back task: 3 letters, 4 items of 2 + 1 steps: T = 12 steps, 3 inputs, 2 classes.
const char* const task_text =
    "nback n=1 alphabet=3 items=4 stim_steps=2 gap_steps=1 match_probability=0.5 response_delay_steps=0 seed=5";

/// The folder of this process's files (removed at exit).
const fs::path& temp_root() {
    static const struct root {
        fs::path p = fs::temp_directory_path() / ("cortexsim_test_rnn_circuit_" + std::to_string(::getpid()));
        ~root() {
            std::error_code ec;
            fs::remove_all(p, ec);
        }
    } r;
    return r.p;
}

/// A fresh folder for one test's files.
std::string temp_dir(const std::string& name) {
    const fs::path d = temp_root() / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d.string();
}

/// A random network for the task, with nonzero biases, per-unit tau, and some exact zeros in W_rec.
rnn::rnn_weights make_network(rnn::rnn_kind kind, rnn::activation_kind act, rnn::readout_kind ro, std::size_t N,
                              std::uint64_t seed) {
    const auto task = rnn::task_from_description(task_text);
    rnn::init_params p;
    p.kind = kind;
    p.activation = act;
    p.readout = ro;
    p.n_in = task->n_inputs();
    p.n_rec = N;
    p.n_out = task->n_outputs();
    p.dt_ms = 10.0;
    p.tau_min_ms = 15.0;
    p.tau_max_ms = 60.0;
    p.spectral_radius = 0.95;
    p.input_scale = 1.5;
    p.seed = seed;
    rnn::rnn_weights w = rnn::init_weights(p);
    for (std::size_t i = 0; i < N; ++i) w.b[i] = 0.1 * std::sin(1.0 + 3.0 * static_cast<double>(i));
    for (std::size_t q = 0; q < w.n_out; ++q) w.b_out[q] = 0.2 * (static_cast<double>(q) - 0.5);
    for (std::size_t e = 0; e < w.W_rec.size(); e += 7) w.W_rec[e] = 0.0;  // dropped by rnn_recurrent_rows
    w.task = task->description();
    return w;
}

std::string write_network(const std::string& dir, const rnn::rnn_weights& w, const std::string& name = "w.h5") {
    const std::string path = dir + "/" + name;
    rnn::write_rnn_weights(path, w, true);
    return path;
}

/// A config running a weights file (or anything else put under model.rnn) for t_end_ms.
std::string config_text(const std::string& rnn_body, double t_end_ms, double dt_ms = 10.0) {
    std::ostringstream s;
    s << "model:\n  name: rnn_test\n  circuit: rnn\n  rnn:\n"
      << rnn_body << "run:\n  t_end_ms: " << t_end_ms << "\n  dt_ms: " << dt_ms << "\n  record_interval_ms: " << dt_ms
      << "\n";
    return s.str();
}

model_spec parse(const std::string& text, const std::string& dir) {
    return parse_config(text, dir + "/test.yaml", dir);
}

/// The config error of `text` (empty if it parses).
std::string error_of(const std::string& text, const std::string& dir) {
    try {
        (void)parse(text, dir);
    } catch (const error& e) {
        return e.what();
    }
    return "";
}

/// Runs the kernel for `steps` steps with W_rec a computed densely here; returns a after every step
/// [steps][N] and the readout [steps][n_out].
void run_kernel(const model_spec& m, const rnn::rnn_weights& w, std::int64_t steps, std::vector<double>& a_out,
                std::vector<double>& o_out) {
    const std::size_t N = w.n_rec, O = w.n_out;
    rnn_circuit c(m, 0, N);
    std::vector<double> lr(N), stim(N, 0.0);
    const double* lr_ptr[] = {lr.data()};
    const double* stim_ptr[] = {stim.data()};
    a_out.assign(static_cast<std::size_t>(steps) * N, 0.0);
    o_out.assign(static_cast<std::size_t>(steps) * O, 0.0);
    for (std::int64_t k = 0; k < steps; ++k) {
        const double* a = c.var(rnn_circuit::v_a);
        for (std::size_t i = 0; i < N; ++i) {
            double s = 0.0;
            for (std::size_t j = 0; j < N; ++j) s += w.W_rec[i * N + j] * a[j];
            lr[i] = s;
        }
        c.step({k, lr_ptr, stim_ptr});
        std::copy(a, a + N, a_out.begin() + k * static_cast<std::int64_t>(N));
        c.readout(a, o_out.data() + static_cast<std::size_t>(k) * O);
    }
}

double max_abs_diff(const double* a, const double* b, std::size_t n) {
    double d = 0.0;
    for (std::size_t i = 0; i < n; ++i) d = std::max(d, std::fabs(a[i] - b[i]));
    return d;
}

// ---- (a) + (c): kernel and readout against the network's forward pass ------------------------------------

TEST(RnnCircuit, KernelAndReadoutReproduceTheForwardPass) {
    const std::string dir = temp_dir("forward");
    const auto task = rnn::task_from_description(task_text);
    const std::int64_t T = task->n_steps();
    const std::size_t N = 24;
    const rnn::readout_kind readouts[] = {rnn::readout_kind::softmax, rnn::readout_kind::sigmoid,
                                          rnn::readout_kind::identity};
    int combo = 0;
    for (auto kind : {rnn::rnn_kind::vanilla, rnn::rnn_kind::leaky})
        for (auto act : {rnn::activation_kind::relu, rnn::activation_kind::tanh, rnn::activation_kind::sigmoid,
                         rnn::activation_kind::softplus}) {
            const auto ro = readouts[combo % 3];
            const rnn::rnn_weights w = make_network(kind, act, ro, N, 100 + static_cast<std::uint64_t>(combo));
            ++combo;
            const std::string path = write_network(dir, w);
            SCOPED_TRACE(rnn::to_string(kind) + " " + rnn::to_string(act) + " " + rnn::to_string(ro));
            // trials 3 and 4 of the task, one after the other
            std::vector<double> x;
            std::vector<rnn::trial> trials;
            for (std::uint64_t q = 3; q < 5; ++q) {
                trials.push_back(task->generate(task->seed(), q));
                x.insert(x.end(), trials.back().x.begin(), trials.back().x.end());
            }
            for (bool reset : {false, true}) {
                SCOPED_TRACE(reset ? "reset_state" : "continuous");
                const model_spec m =
                    parse(config_text("    weights: w.h5\n    trials: {first: 3, count: 2, reset_state: " +
                                          std::string(reset ? "true" : "false") + "}\n",
                                      static_cast<double>(2 * T) * 10.0),
                          dir);
                std::vector<double> a, o;
                run_kernel(m, w, 2 * T, a, o);
                // reference: one forward pass over both trials, or one per trial from a = 0
                rnn::rnn_engine eng(w);
                std::vector<double> ra, ro_;
                if (!reset) {
                    const auto& tr = eng.forward(x.data(), 2 * T);
                    ra = tr.a;
                    ro_ = tr.o;
                } else {
                    for (const auto& t : trials) {
                        const auto& tr = eng.forward(t.x.data(), T);
                        ra.insert(ra.end(), tr.a.begin(), tr.a.end());
                        ro_.insert(ro_.end(), tr.o.begin(), tr.o.end());
                    }
                }
                ASSERT_EQ(ra.size(), a.size());
                EXPECT_LE(max_abs_diff(a.data(), ra.data(), a.size()), 1e-12);
                EXPECT_LE(max_abs_diff(o.data(), ro_.data(), o.size()), 1e-12);
                double scale = 0.0;
                for (double v : a) scale = std::max(scale, std::fabs(v));
                EXPECT_GT(scale, 1e-3);  // the network is not silent: the comparison means something
            }
        }
}

TEST(RnnCircuit, TargetsMasksAndInputsFollowTheTrials) {
    const std::string dir = temp_dir("targets");
    const auto task = rnn::task_from_description(task_text);
    const std::int64_t T = task->n_steps();
    const rnn::rnn_weights w = make_network(rnn::rnn_kind::leaky, rnn::activation_kind::tanh,
                                            rnn::readout_kind::softmax, 8, 1);
    write_network(dir, w);
    // 2.5 trials from trial 7, drawn with seed 11 (not the task's)
    const model_spec m = parse(config_text("    weights: w.h5\n    trials: {first: 7, count: 3, seed: 11}\n",
                                           2.5 * static_cast<double>(T) * 10.0),
                               dir);
    EXPECT_EQ(m.rnn.trial_seed, 11u);
    EXPECT_EQ(m.rnn.first_trial, 7u);
    EXPECT_EQ(m.rnn.trial_steps, T);
    const rnn_circuit c(m, 2, 3);
    EXPECT_EQ(c.trial_steps(), T);
    EXPECT_EQ(c.input_steps(), m.run.n_steps);
    for (std::int64_t k = 0; k < m.run.n_steps; ++k) {
        const rnn::trial tr = task->generate(11, 7 + static_cast<std::uint64_t>(k / T));
        const std::size_t t = static_cast<std::size_t>(k % T);
        EXPECT_EQ(c.target(k), tr.target[t]) << "step " << k;
        EXPECT_EQ(c.mask(k), tr.mask[t]) << "step " << k;
        for (std::size_t q = 0; q < c.n_inputs(); ++q) EXPECT_EQ(c.input(k)[q], tr.x[t * c.n_inputs() + q]);
    }
    EXPECT_EQ(c.target(-1), -1);
    EXPECT_EQ(c.target(m.run.n_steps), -1);
    EXPECT_EQ(c.mask(m.run.n_steps), 0.0);
    EXPECT_EQ(c.input(m.run.n_steps), nullptr);
    // local rows 2..4 of W_in, b and dt/tau
    for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t q = 0; q < w.n_in; ++q) EXPECT_EQ(c.w_in(i, q), w.W_in[(2 + i) * w.n_in + q]);
        EXPECT_EQ(c.bias(i), w.b[2 + i]);
        EXPECT_EQ(c.rate(i), w.dt_ms / w.tau_ms[2 + i]);
    }
}

TEST(RnnCircuit, SplitUnitsGiveTheSameActivityBitForBit) {
    const std::string dir = temp_dir("split");
    for (const char* body :
         {"    weights: w.h5\n",
          "    init: {units: 24, kind: leaky, activation: tanh, tau_ms: 30, dt_ms: 10, density: 0.5, "
          "seed: 4}\n    task: \"nback n=1 alphabet=3 items=4 stim_steps=2 gap_steps=1 "
          "match_probability=0.5 response_delay_steps=0 seed=5\"\n"}) {
        const rnn::rnn_weights w = make_network(rnn::rnn_kind::leaky, rnn::activation_kind::relu,
                                                rnn::readout_kind::softmax, 24, 9);
        write_network(dir, w);
        const model_spec m = parse(config_text(body, 240.0), dir);
        const std::size_t N = m.rnn.n_units;
        const local_rows rows = rnn_recurrent_rows(m, 0, N);
        rnn_circuit whole(m, 0, N), left(m, 0, 10), right(m, 10, N - 10);
        std::vector<double> a(N, 0.0), lr(N), stim(N, 0.0);
        for (std::size_t i = 0; i < N; ++i) stim[i] = 0.01 * static_cast<double>(i % 3);
        for (std::int64_t k = 0; k < m.run.n_steps; ++k) {
            for (std::size_t i = 0; i < N; ++i) {
                double s = 0.0;
                for (auto q = rows.row_ptr[i]; q < rows.row_ptr[i + 1]; ++q)
                    s += rows.val[static_cast<std::size_t>(q)] *
                         a[static_cast<std::size_t>(rows.col[static_cast<std::size_t>(q)])];
                lr[i] = s;
            }
            const double* lw[] = {lr.data()};
            const double* sw[] = {stim.data()};
            const double* ll[] = {lr.data()};
            const double* sl[] = {stim.data()};
            const double* lrr[] = {lr.data() + 10};
            const double* srr[] = {stim.data() + 10};
            whole.step({k, lw, sw});
            left.step({k, ll, sl});
            right.step({k, lrr, srr});
            const double* aw = whole.var(0);
            for (std::size_t i = 0; i < N; ++i) {
                const double v = i < 10 ? left.var(0)[i] : right.var(0)[i - 10];
                ASSERT_EQ(std::memcmp(&v, aw + i, sizeof v), 0) << "unit " << i << " step " << k;
            }
            std::copy(aw, aw + N, a.begin());
        }
    }
}

// ---- (b): the rows of W_rec ----------------------------------------------------------------------------

void expect_rows_equal_dense(const local_rows& r, const std::vector<double>& W, std::size_t N) {
    ASSERT_EQ(r.n_global, N);
    ASSERT_EQ(r.row_ptr.size(), r.n_rows + 1);
    for (std::size_t i = 0; i < r.n_rows; ++i) {
        const std::size_t g = r.row_begin + i;
        std::vector<std::int64_t> cols;
        std::vector<double> vals;
        for (std::size_t j = 0; j < N; ++j)
            if (W[g * N + j] != 0.0) {
                cols.push_back(static_cast<std::int64_t>(j));
                vals.push_back(W[g * N + j]);
            }
        const auto b = static_cast<std::size_t>(r.row_ptr[i]), e = static_cast<std::size_t>(r.row_ptr[i + 1]);
        EXPECT_EQ(std::vector<std::int64_t>(r.col.begin() + b, r.col.begin() + e), cols) << "row " << g;
        EXPECT_EQ(std::vector<double>(r.val.begin() + b, r.val.begin() + e), vals) << "row " << g;
    }
}

local_rows concatenate(const model_spec& m, const std::vector<std::size_t>& cuts) {
    local_rows all;
    all.n_global = m.rnn.n_units;
    all.row_begin = cuts.front();
    all.row_ptr.assign(1, 0);
    for (std::size_t p = 0; p + 1 < cuts.size(); ++p) {
        const local_rows r = rnn_recurrent_rows(m, cuts[p], cuts[p + 1]);
        EXPECT_EQ(r.row_begin, cuts[p]);
        EXPECT_EQ(r.n_rows, cuts[p + 1] - cuts[p]);
        for (std::size_t i = 0; i < r.n_rows; ++i)
            all.row_ptr.push_back(all.row_ptr.back() + r.row_ptr[i + 1] - r.row_ptr[i]);
        all.col.insert(all.col.end(), r.col.begin(), r.col.end());
        all.val.insert(all.val.end(), r.val.begin(), r.val.end());
        all.n_rows += r.n_rows;
    }
    return all;
}

void expect_same_rows(const local_rows& a, const local_rows& b) {
    EXPECT_EQ(a.n_global, b.n_global);
    EXPECT_EQ(a.row_begin, b.row_begin);
    EXPECT_EQ(a.n_rows, b.n_rows);
    EXPECT_EQ(a.row_ptr, b.row_ptr);
    EXPECT_EQ(a.col, b.col);
    ASSERT_EQ(a.val.size(), b.val.size());
    EXPECT_EQ(std::memcmp(a.val.data(), b.val.data(), a.val.size() * sizeof(double)), 0);
}

void expect_strictly_increasing_columns(const local_rows& r) {
    for (std::size_t i = 0; i < r.n_rows; ++i)
        for (auto q = r.row_ptr[i] + 1; q < r.row_ptr[i + 1]; ++q)
            ASSERT_LT(r.col[static_cast<std::size_t>(q - 1)], r.col[static_cast<std::size_t>(q)]);
    for (double v : r.val) ASSERT_NE(v, 0.0);
}

TEST(RnnRecurrentRows, FromTheWeightsFileWholeAndSplit) {
    const std::string dir = temp_dir("rows_file");
    const std::size_t N = 37;
    const rnn::rnn_weights w = make_network(rnn::rnn_kind::leaky, rnn::activation_kind::tanh,
                                            rnn::readout_kind::softmax, N, 3);
    write_network(dir, w);
    const model_spec m = parse(config_text("    weights: w.h5\n", 100.0), dir);
    const local_rows whole = rnn_recurrent_rows(m, 0, N);
    expect_rows_equal_dense(whole, w.W_rec, N);
    expect_strictly_increasing_columns(whole);
    EXPECT_LT(whole.nnz(), N * N);  // the zeros were dropped
    expect_same_rows(concatenate(m, {0, 5, 11, 30, N}), whole);
    expect_same_rows(concatenate(m, {0, 1, 2, N}), whole);
    const local_rows mid = rnn_recurrent_rows(m, 11, 30);
    expect_rows_equal_dense(mid, w.W_rec, N);
    const local_rows none = rnn_recurrent_rows(m, 12, 12);
    EXPECT_EQ(none.n_rows, 0u);
    EXPECT_EQ(none.nnz(), 0u);
    EXPECT_THROW(rnn_recurrent_rows(m, 0, N + 1), config_error);
}

TEST(RnnRecurrentRows, GeneratedRowsDoNotDependOnTheSplit) {
    const std::string dir = temp_dir("rows_gen");
    for (const char* density : {"1", "0.25", "0.02"}) {
        SCOPED_TRACE(std::string("density ") + density);
        const model_spec m = parse(config_text(std::string("    init: {units: 600, density: ") + density +
                                                   ", spectral_radius: 1.3, seed: 21, inputs: 2, outputs: 2}\n",
                                               100.0),
                                   dir);
        const std::size_t N = 600;
        const local_rows whole = rnn_recurrent_rows(m, 0, N);
        expect_strictly_increasing_columns(whole);
        expect_same_rows(concatenate(m, {0, 1, 255, 256, 257, 599, N}), whole);
        expect_same_rows(concatenate(m, {0, 300, N}), whole);
        // density and variance: each entry nonzero with probability p, N(0, rho^2 / (N p))
        const double p = std::stod(density), n2 = static_cast<double>(N) * static_cast<double>(N);
        const double frac = static_cast<double>(whole.nnz()) / n2;
        EXPECT_NEAR(frac, p, 5.0 * std::sqrt(p * (1 - p) / n2) + 1e-12);
        double ss = 0.0;
        for (double v : whole.val) ss += v * v;
        const double var = ss / static_cast<double>(whole.nnz()), want = 1.3 * 1.3 / (static_cast<double>(N) * p);
        EXPECT_NEAR(var / want, 1.0, 5.0 * std::sqrt(2.0 / static_cast<double>(whole.nnz())));
    }
    // another seed, another matrix
    const model_spec a = parse(config_text("    init: {units: 50, seed: 1, inputs: 1, outputs: 1}\n", 100.0), dir);
    const model_spec b = parse(config_text("    init: {units: 50, seed: 2, inputs: 1, outputs: 1}\n", 100.0), dir);
    EXPECT_NE(rnn_recurrent_rows(a, 0, 50).val, rnn_recurrent_rows(b, 0, 50).val);
}

std::vector<double> dense_of(const local_rows& r) {
    const std::size_t N = r.n_global;
    std::vector<double> W(N * N, 0.0);
    for (std::size_t i = 0; i < r.n_rows; ++i)
        for (auto q = r.row_ptr[i]; q < r.row_ptr[i + 1]; ++q)
            W[(r.row_begin + i) * N + static_cast<std::size_t>(r.col[static_cast<std::size_t>(q)])] =
                r.val[static_cast<std::size_t>(q)];
    return W;
}

TEST(RnnRecurrentRows, SpectralRadiusOfAGeneratedMatrixIsTheRequestedOne) {
    const std::string dir = temp_dir("radius");
    const std::size_t N = 500;
    for (const auto& [rho, density] : {std::pair{0.9, 1.0}, std::pair{1.5, 1.0}, std::pair{0.9, 0.2}}) {
        for (std::uint64_t seed : {1u, 2u}) {
            const model_spec m = parse(config_text("    init: {units: 500, spectral_radius: " + std::to_string(rho) +
                                                       ", density: " + std::to_string(density) +
                                                       ", seed: " + std::to_string(seed) + ", inputs: 1, outputs: 1}\n",
                                                   100.0),
                                       dir);
            const double measured = rnn::spectral_radius_estimate(dense_of(rnn_recurrent_rows(m, 0, N)), N);
            SCOPED_TRACE("rho " + std::to_string(rho) + " density " + std::to_string(density) + " seed " +
                         std::to_string(seed) + ": measured " + std::to_string(measured));
            EXPECT_NEAR(measured / rho, 1.0, 0.10);
        }
    }
}

// ---- the config section ----------------------------------------------------------------------------------

TEST(RnnConfig, WeightsFileFillsTheSpec) {
    const std::string dir = temp_dir("config_file");
    const std::size_t N = 12;
    const rnn::rnn_weights w = make_network(rnn::rnn_kind::vanilla, rnn::activation_kind::relu,
                                            rnn::readout_kind::sigmoid, N, 5);
    const std::string path = write_network(dir, w);
    const model_spec m = parse(config_text("    weights: w.h5\n", 120.0), dir);
    const rnn_spec& s = m.rnn;
    EXPECT_TRUE(s.defined);
    EXPECT_EQ(s.weights_path, path);
    EXPECT_EQ(s.kind, rnn::rnn_kind::vanilla);
    EXPECT_EQ(s.activation, rnn::activation_kind::relu);
    EXPECT_EQ(s.readout, rnn::readout_kind::sigmoid);
    EXPECT_EQ(s.dt_ms, 10.0);
    EXPECT_EQ(s.n_units, N);
    EXPECT_EQ(s.n_in, 3u);
    EXPECT_EQ(s.n_out, 2u);
    EXPECT_EQ(s.W_out, w.W_out);
    EXPECT_EQ(s.b_out, w.b_out);
    EXPECT_EQ(s.task, w.task);  // the file's task by default
    EXPECT_EQ(s.trial_seed, 5u);
    EXPECT_EQ(s.n_trials, 0u);  // as many as the run needs
    EXPECT_FALSE(s.reset_state);
    // units, population, projection
    ASSERT_EQ(m.areas.size(), N);
    EXPECT_EQ(m.areas.names.front(), "u00");
    EXPECT_EQ(m.areas.names.back(), "u11");
    EXPECT_EQ(m.areas.hierarchy, std::vector<double>(N, 0.0));
    EXPECT_EQ(m.populations, std::vector<std::string>{"a"});
    ASSERT_EQ(m.projections.size(), 1u);
    const projection_spec& p = m.projections[0];
    EXPECT_EQ(p.name, "recurrent");
    EXPECT_EQ(p.source, 0u);
    EXPECT_EQ(p.target, 0u);
    EXPECT_EQ(p.matrix, "W_rec");
    EXPECT_EQ(p.power, 1.0);
    EXPECT_FALSE(p.normalise_rows);
    EXPECT_EQ(p.scale, 1.0);
    EXPECT_EQ(p.sln, "none");
    EXPECT_EQ(p.gradient, "");
    // provenance: the weights file by content
    ASSERT_EQ(m.data_files.size(), 1u);
    EXPECT_EQ(m.data_files[0].key, "model.rnn.weights");
    EXPECT_EQ(m.data_files[0].path, path);
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(m.data_files[0].content, bytes);
    EXPECT_EQ(m.data_files[0].sha256, sha256::of(bytes));
    // 1000 units: names of equal width
    const model_spec big = parse(config_text("    init: {units: 1000, density: 0.01, inputs: 2, outputs: 3}\n", 100.0),
                                 dir);
    EXPECT_EQ(big.areas.names.front(), "u000");
    EXPECT_EQ(big.areas.names.back(), "u999");
    EXPECT_EQ(big.rnn.W_out.size(), 3000u);
    EXPECT_EQ(big.rnn.b_out, std::vector<double>(3, 0.0));
    EXPECT_TRUE(big.data_files.empty());
    EXPECT_FALSE(big.rnn.has_task());
}

TEST(RnnConfig, TaskAsMapEqualsTaskAsDescription) {
    const std::string dir = temp_dir("config_task");
    const model_spec a =
        parse(config_text(std::string("    init: {units: 10}\n    task: \"") + task_text + "\"\n", 100.0), dir);
    const model_spec b =
        parse(config_text("    init: {units: 10}\n    task: {name: nback, n: 1, alphabet: 3, items: 4, "
                          "stim_steps: 2, gap_steps: 1, match_probability: 0.5, response_delay_steps: 0, "
                          "seed: 5}\n",
                          100.0),
              dir);
    const model_spec c =
        parse(config_text("    init: {units: 10}\n    task: {kind: nback, n: 1, alphabet: 3, items: 4, "
                          "stim_steps: 2, gap_steps: 1, match_probability: 0.5, response_delay_steps: 0, "
                          "seed: 5}\n",
                          100.0),
              dir);
    EXPECT_EQ(a.rnn.task, rnn::task_from_description(task_text)->description());
    EXPECT_EQ(b.rnn.task, a.rnn.task);
    EXPECT_EQ(c.rnn.task, a.rnn.task);
    EXPECT_EQ(a.rnn.n_in, 3u);  // from the task
    EXPECT_EQ(a.rnn.n_out, 2u);
    EXPECT_EQ(a.rnn.trial_steps, 12);
}

TEST(RnnConfig, ErrorsAreOneLineNamingTheKey) {
    const std::string dir = temp_dir("config_errors");
    const rnn::rnn_weights w = make_network(rnn::rnn_kind::leaky, rnn::activation_kind::tanh,
                                            rnn::readout_kind::softmax, 8, 2);
    write_network(dir, w);
    struct bad {
        std::string text, expect;
    };
    const std::vector<bad> cases = {
        {config_text("    weights: none.h5\n", 100.0),
         "'model.rnn.weights' names '" + dir + "/none.h5', which does not exist"},
        {config_text("    weights: w.h5\n", 100.0, 5.0),
         "run.dt_ms = 5.000000 must equal the network's dt_ms = 10.000000"},
        {config_text("    init: {units: 10, dt_ms: 20, inputs: 1, outputs: 1}\n", 100.0, 10.0),
         "run.dt_ms = 10.000000 must equal the network's dt_ms = 20.000000 (model.rnn.init.dt_ms)"},
        {config_text("    weights: w.h5\n    colour: blue\n", 100.0), "unknown key 'model.rnn.colour'"},
        {config_text("    init: {units: 10, inputs: 1, outputs: 1, gain: 2}\n", 100.0),
         "unknown key 'model.rnn.init.gain'"},
        {config_text("    weights: w.h5\n    trials: {first: 0, number: 3}\n", 100.0),
         "unknown key 'model.rnn.trials.number'"},
        {config_text("    weights: w.h5\n    task: {name: nback, n: 1, letters: 3}\n", 100.0),
         "unknown key 'model.rnn.task.letters'"},
        {config_text("    weights: w.h5\n    trials: {count: 2}\n", 250.0),
         "run.t_end_ms = 250 ms needs 25 steps, but model.rnn.trials.count = 2 trials of 12 steps give 24"},
        {config_text("    weights: w.h5\n    init: {units: 4}\n", 100.0), "'model.rnn' needs exactly one of 'weights'"},
        {config_text("    init: {units: 10, density: 0, inputs: 1, outputs: 1}\n", 100.0),
         "'model.rnn.init.density' = 0 must be in (0, 1]"},
        {config_text("    init: {units: 10, kind: gru, inputs: 1, outputs: 1}\n", 100.0),
         "'model.rnn.init.kind' = 'gru'"},
        {config_text("    init: {units: 10, tau_ms: 5, dt_ms: 10, inputs: 1, outputs: 1}\n", 100.0),
         "'model.rnn.init.tau_ms' = 5"},
        {config_text("    init: {units: 10}\n", 100.0), "'model.rnn.init' needs 'inputs'"},
        {config_text("    init: {units: 10, inputs: 1, outputs: 1}\n    trials: {count: 1}\n", 100.0),
         "'model.rnn.trials' needs a task"},
        {config_text("    init: {units: 10, inputs: 4}\n    task: \"nback n=1 alphabet=3\"\n", 100.0),
         "has 3 inputs and 2 response classes, 'model.rnn.init' 4 inputs and 2 outputs"},
        {config_text("    weights: w.h5\n    task: \"nback n=1 alphabet=4\"\n", 100.0),
         "the network of 'model.rnn.weights' 3 inputs and 2 outputs"},
        {config_text("    weights: w.h5\n    task: \"nback n=0\"\n", 100.0),
         "'model.rnn.task': task description 'nback n=0'"},
        {config_text("    weights: w.h5\n    task: {name: nback, n: 1.5}\n", 100.0),
         "'model.rnn.task.n' = 1.5 must be a whole number"},
        {config_text("    weights: w.h5\n    trials: {reset_state: maybe}\n", 100.0),
         "'model.rnn.trials.reset_state' = maybe must be true or false"},
    };
    for (const auto& c : cases) {
        const std::string e = error_of(c.text, dir);
        EXPECT_NE(e.find(c.expect), std::string::npos) << "expected: " << c.expect << "\ngot: " << e;
        EXPECT_EQ(e.find('\n'), std::string::npos) << e;
        EXPECT_EQ(e.rfind(dir + "/test.yaml: ", 0), 0u) << e;
    }
}

/// Overwrites one value of a dataset of an existing file (write_rnn_weights refuses non-finite values).
void poke(const std::string& path, const char* dataset, std::size_t row, std::size_t col, double v) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    const hid_t d = H5Dopen2(f, dataset, H5P_DEFAULT);
    const hid_t s = H5Dget_space(d);
    const int rank = H5Sget_simple_extent_ndims(s);
    hsize_t start[2] = {row, col}, count[2] = {1, 1};
    H5Sselect_hyperslab(s, H5S_SELECT_SET, start, nullptr, count, nullptr);
    const hid_t ms = H5Screate_simple(rank, count, nullptr);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, s, H5P_DEFAULT, &v);
    H5Sclose(ms);
    H5Sclose(s);
    H5Dclose(d);
    H5Fclose(f);
}

TEST(RnnConfig, BadValuesInTheWeightsFileAreNamed) {
    const std::string dir = temp_dir("config_values");
    const rnn::rnn_weights w = make_network(rnn::rnn_kind::leaky, rnn::activation_kind::tanh,
                                            rnn::readout_kind::softmax, 8, 2);
    const std::string text = config_text("    weights: w.h5\n", 100.0);
    write_network(dir, w);
    const model_spec good = parse(text, dir);
    poke(dir + "/w.h5", "/W_rec", 3, 5, std::nan(""));
    EXPECT_NE(error_of(text, dir).find("'model.rnn.weights': " + dir +
                                       "/w.h5: /W_rec: value nan at [3][5] is not finite"),
              std::string::npos)
        << error_of(text, dir);
    // a rank reading its rows of a file changed after the config was read (or too large for the config to
    // check) finds it too
    try {
        (void)rnn_recurrent_rows(good, 2, 6);
        ADD_FAILURE() << "no error";
    } catch (const data_error& e) {
        EXPECT_NE(std::string(e.what()).find("/W_rec: value nan at [3][5] is not finite"), std::string::npos)
            << e.what();
    }
    EXPECT_NO_THROW((void)rnn_recurrent_rows(good, 4, 8));
    write_network(dir, w);
    poke(dir + "/w.h5", "/tau_ms", 6, 0, 4.0);
    EXPECT_NE(error_of(text, dir).find("/tau_ms: value 4 at [6] is smaller than dt_ms = 10"), std::string::npos)
        << error_of(text, dir);
    write_network(dir, w);
    poke(dir + "/w.h5", "/W_in", 7, 2, std::numeric_limits<double>::infinity());
    EXPECT_NE(error_of(text, dir).find("/W_in: value inf at [7][2] is not finite"), std::string::npos)
        << error_of(text, dir);
    std::ofstream(dir + "/junk.h5") << "not hdf5";
    EXPECT_NE(error_of(config_text("    weights: junk.h5\n", 100.0), dir).find("junk.h5: cannot open as HDF5"),
              std::string::npos);
}

TEST(RnnConfig, RepositoryConfigsAreValid) {
    const std::string src = CORTEXSIM_SOURCE_DIR;
    const model_spec m = load_config(src + "/configs/rnn_random_10k.yaml");
    EXPECT_EQ(m.rnn.n_units, 10000u);
    EXPECT_TRUE(m.rnn.weights_path.empty());
    EXPECT_EQ(m.rnn.density, 0.01);
    EXPECT_TRUE(m.rnn.has_task());
    // rnn_nback.yaml needs the trained weights: point it at a stand-in network with the same task
    const std::string dir = temp_dir("repo");
    const rnn::rnn_weights trained = [] {
        rnn::init_params p;
        p.n_in = 6;
        p.n_rec = 16;
        p.n_out = 2;
        p.dt_ms = 20.0;
        p.tau_min_ms = p.tau_max_ms = 40.0;
        rnn::rnn_weights w = rnn::init_weights(p);
        w.task = "nback n=2 alphabet=6 items=16 stim_steps=3 gap_steps=2 match_probability=0.4 response_delay_steps=1 "
                 "seed=1";
        return w;
    }();
    write_network(dir, trained);
    const model_spec n = load_config(src + "/configs/rnn_nback.yaml", {"model.rnn.weights=" + dir + "/w.h5"});
    EXPECT_EQ(n.rnn.n_units, 16u);
    EXPECT_EQ(n.rnn.trial_steps, 80);
    EXPECT_EQ(n.run.n_steps, 1600);  // 20 streams
}

}  // namespace
}  // namespace cortexsim
