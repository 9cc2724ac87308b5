#pragma once
// AI-style recurrent networks (docs/rnn.md): vanilla and leaky rate RNNs with a readout, their random
// initialisation, and the forward pass and backpropagation through time (BPTT) of a masked loss.
//
//   vanilla  a(t) = f(u(t)),                                   u(t) = W_in x(t) + W_rec a(t-1) + b
//   leaky    a(t) = a(t-1) + dt/tau_i (-a(t-1) + f(u(t)))      (per-unit tau_i; dt/tau_i = 1 is vanilla)
//   readout  o(t) = g(z(t)),  z(t) = W_out a(t) + b_out
// with a(0) = 0, f in {relu, tanh, sigmoid, softplus}, g in {identity, sigmoid, softmax}.
//
// Losses, summed over the masked steps of a trial (mask m_t), per step:
//   cross_entropy  l_t = -log softmax(z(t))[c_t]            (softmax readout only; c_t the target class)
//   mse            l_t = 1/2 sum_k (o_k(t) - y_k(t))^2        (any readout; y the real targets)
// The trainer divides the sum over a batch by the sum of the mask weights of the batch.
// Accuracy: the fraction of masked steps with a target class where argmax_k o_k(t) is the target.
//
// Everything is double precision; the order of every sum is fixed (it does not depend on ranks or threads).
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cortexsim/rnn/tasks.hpp"
#include "cortexsim/spec/rnn_types.hpp"

namespace cortexsim::rnn {


/// How a weights file came to be (attributes of the file; docs/rnn.md).
struct training_provenance {
    std::string config_path;
    std::string config_sha256;    // SHA-256 of the config file's bytes
    std::string overrides;        // --set overrides, ';'-joined
    std::string fingerprint;      // SHA-256 of the resolved values that determine the training trajectory
    std::string loss;             // cross_entropy | mse
    std::int64_t iterations = 0;  // optimiser steps done
    double final_loss = std::numeric_limits<double>::quiet_NaN();      // on the evaluation trials
    double final_accuracy = std::numeric_limits<double>::quiet_NaN();  // masked-step accuracy, evaluation trials
    std::int64_t eval_trials = 0;
    std::int32_t ranks = 0;
    std::string created;      // UTC time
    std::string config_text;  // the config file as read
    std::string resolved;     // every resolved training value (train_config::resolved)
};

/// A network: what a weights file holds. Matrices row-major.
struct rnn_weights {
    rnn_kind kind = rnn_kind::leaky;
    activation_kind activation = activation_kind::relu;
    readout_kind readout = readout_kind::softmax;
    double dt_ms = 10.0;
    std::size_t n_in = 0, n_rec = 0, n_out = 0;
    std::vector<double> W_in;    // [n_rec][n_in]
    std::vector<double> W_rec;   // [n_rec][n_rec]
    std::vector<double> b;       // [n_rec]
    std::vector<double> W_out;   // [n_out][n_rec]
    std::vector<double> b_out;   // [n_out]
    std::vector<double> tau_ms;  // [n_rec]; for vanilla networks all equal to dt_ms
    std::string task;            // task description (tasks.hpp), may be empty
    training_provenance provenance;

    /// Throws data_error (prefixed by `where`) if the sizes are inconsistent, a value is not finite, dt_ms or a
    /// tau is not > 0, or (leaky) dt_ms > tau.
    void validate(const std::string& where) const;
};

/// Parameters of a random initialisation (docs/rnn.md, "Initialisation").
struct init_params {
    rnn_kind kind = rnn_kind::leaky;
    activation_kind activation = activation_kind::relu;
    readout_kind readout = readout_kind::softmax;
    std::size_t n_in = 1, n_rec = 64, n_out = 2;
    double dt_ms = 10.0;
    double tau_min_ms = 50.0, tau_max_ms = 50.0;  // equal: one tau; else per unit, log-uniform in [min, max]
    double spectral_radius = 0.9;                 // target rho of W_rec
    bool measured_radius = true;                  // rescale by the measured radius (else circular law only)
    double input_scale = 1.0;                     // W_in ~ N(0, input_scale^2 / n_in)
    double output_scale = 1.0;                    // W_out ~ N(0, output_scale^2 / n_rec)
    std::uint64_t seed = 1;
};

/// A random network (Philox, keyed by seed; stream tags 35-39). b = b_out = 0.
///   W_rec = rho / sqrt(N) G, G_ij ~ N(0, 1): by the circular law the eigenvalues of G / sqrt(N) fill the unit
///   disc as N grows, so the spectral radius is rho up to O(N^-1/2) fluctuations; with measured_radius the
///   matrix is then rescaled by rho / spectral_radius_estimate(W_rec), so that the radius is rho to the
///   accuracy of the estimate.
rnn_weights init_weights(const init_params& p);

/// Spectral radius of the N x N row-major matrix W by power iteration: rho = lim ||W^k v||^(1/k), estimated as
/// the geometric mean of the growth factors ||W v_k|| / ||v_k|| over the second half of the iterations
/// (robust when the dominant eigenvalues are a complex pair, which is usual for random matrices), refined by
/// a two-step Krylov fit (x^2 + c1 x + c0 through v, Wv, W^2 v) when that fit is consistent. Relative accuracy
/// about 1e-3 at the default iteration count for random Gaussian matrices of N <= 512 (tested against LAPACK).
double spectral_radius_estimate(const std::vector<double>& W, std::size_t N, int iterations = 4000);

/// f and f' at u.
double activate(activation_kind f, double u);
double activate_derivative(activation_kind f, double u);

/// The trainable parameters as one flat vector, in the order W_in, W_rec, b, W_out, b_out (tau is fixed).
std::size_t n_params(const rnn_weights& w);
std::vector<double> get_params(const rnn_weights& w);
void set_params(rnn_weights& w, const std::vector<double>& p);

/// Sums over the masked steps of trials.
struct loss_sums {
    double loss = 0.0;     // sum_t m_t l_t
    double weight = 0.0;   // sum_t m_t
    double correct = 0.0;  // masked steps with a target class where the argmax of o is the target
    double counted = 0.0;  // masked steps with a target class
};

/// What the forward pass of one trial leaves: u(t), a(t), o(t) for t = 1..n_steps (row t-1).
struct rnn_trace {
    std::int64_t n_steps = 0;
    std::vector<double> u;  // [n_steps][n_rec]
    std::vector<double> a;  // [n_steps][n_rec]
    std::vector<double> z;  // [n_steps][n_out]
    std::vector<double> o;  // [n_steps][n_out]
};

/// Forward pass and BPTT of one network, with its work space (not thread-safe; one per thread).
class rnn_engine {
public:
    /// Copies what it needs of w; call set_weights() after changing them.
    explicit rnn_engine(const rnn_weights& w);
    void set_weights(const rnn_weights& w);

    /// Runs the network on x[t][n_in] (n_steps rows) from a(0) = 0; the result stays in trace().
    const rnn_trace& forward(const double* x, std::int64_t n_steps);
    const rnn_trace& trace() const { return tr_; }

    /// Forward pass and the loss sums of a trial (throws config_error on a loss/readout mismatch or a masked
    /// step without target class under cross-entropy).
    loss_sums evaluate(const trial& tr, loss_kind loss);

    /// As evaluate(), and adds the gradient of sum_t m_t l_t with respect to the flat parameters
    /// (get_params order) to grad (n_params(w) values).
    loss_sums accumulate_gradient(const trial& tr, loss_kind loss, double* grad);

private:
    loss_sums losses(const trial& tr, loss_kind loss, bool want_dz);
    rnn_weights w_;
    std::vector<double> W_inT_, W_recT_, alpha_;
    rnn_trace tr_;
    std::vector<double> dz_;  // [n_steps][n_out], masked dl/dz
    std::vector<double> da_, da_prev_, du_, f_;
};

}  // namespace cortexsim::rnn
