#pragma once
// AI-style recurrent networks as a cortexsim circuit (circuit: rnn; docs/rnn_runtime.md): the hidden units are
// the "areas" of the model (one population "a" each), partitioned over ranks like areas; W_rec is the
// long-range coupling (a distributed PETSc matrix built from each rank's rows); the task input x(k) enters
// through W_in. With u_i(k) = (W_in x(k))_i + (W_rec a(k))_i + b_i + stim_i(k):
//   vanilla  a_i(k+1) = f(u_i(k))
//   leaky    a_i(k+1) = a_i(k) + dt/tau_i (f(u_i(k)) - a_i(k))
// a(0) = 0; readout o = g(W_out a + b_out), computed from the activity of all units in global order.
// These are the equations of rnn::rnn_engine::forward (network.hpp) with x(k) the input of step k -> k+1.
//
// Variable "a" (recorded), input channel "rec" (filled by the engine with W_rec a), stimulus port "in" (added
// to the pre-activation u), no modulators, no parameters in model.parameters.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

const circuit_info& rnn_info();

class rnn_circuit : public circuit {
public:
    static constexpr std::size_t v_a = 0;    // variable a
    static constexpr std::size_t c_rec = 0;  // input channel rec
    static constexpr std::size_t p_in = 0;   // stimulus port in

    /// Units [begin, begin + n) of m.rnn (n may be 0: names only, no file is opened). Checks (also for n = 0,
    /// so that the config's check sees them) that run.dt_ms equals the network's dt_ms and that the trials
    /// cover run.t_end_ms. Reads this rank's rows of /W_in, /b, /tau_ms from the weights file (serial HDF5,
    /// hyperslab) or generates them from the seed, and generates the task input of the whole run.
    /// Throws config_error (bad spec) or data_error (weights file).
    rnn_circuit(const model_spec& m, std::size_t begin, std::size_t n);
    static circuit_names names(const model_spec& m);
    /// The network's step against run.dt_ms, the trials against the run's length, the readout's size.
    static void check(const model_spec& m);
    /// One step k -> k+1 of every local unit (the map of the network; Euler only). in.lr[c_rec] = W_rec a(k)
    /// (the engine's row sums); in.lr and in.stim may be null (= zero).
    void step(const step_input& in) override;
    /// The readout observer (rank 0 evaluates o at every record from the gathered activity).
    std::vector<std::unique_ptr<observer>> own_observers(root_gather& gather) const override;

    std::size_t n_outputs() const;
    /// o = g(W_out a + b_out) for the activity a of ALL units (global order), with a fixed summation order
    /// (so the result does not depend on the rank count). o has n_outputs() entries.
    void readout(const double* a_all, double* o) const;
    /// The task's target class (-1: none) and mask (0/1) for the input of run step k (step k -> k+1 uses x(k);
    /// so they belong to the state after k + 1 steps). -1 / 0 outside the run or without a task.
    int target(std::int64_t k) const;
    double mask(std::int64_t k) const;

    /// The task input x(k) of run step k (n_inputs() values), or null outside the run.
    const double* input(std::int64_t k) const;
    std::size_t n_inputs() const { return n_in_; }
    /// Steps per trial (0 without a task); trial q of the run is task trial first_trial + q.
    std::int64_t trial_steps() const { return T_; }
    /// Steps whose input was generated (= run.n_steps; 0 for n = 0).
    std::int64_t input_steps() const { return static_cast<std::int64_t>(target_.size()); }
    /// Local unit i: W_in[i][c], b_i and dt/tau_i (1 for vanilla networks).
    double w_in(std::size_t i, std::size_t c) const { return w_in_t_[c * n_ + i]; }
    double bias(std::size_t i) const { return b_[i]; }
    double rate(std::size_t i) const { return k_[i]; }

private:
    rnn::rnn_kind kind_ = rnn::rnn_kind::leaky;
    rnn::activation_kind activation_ = rnn::activation_kind::tanh;
    rnn::readout_kind readout_kind_ = rnn::readout_kind::softmax;
    std::size_t n_units_ = 0, n_in_ = 0, n_out_ = 0;
    std::int64_t T_ = 0;  // steps per trial
    std::int64_t record_every_ = 1, n_records_ = 0;
    bool reset_ = false;                 // a = 0 at every trial start
    std::vector<double> W_out_, b_out_;  // [n_out][N], [n_out]
    std::vector<double> w_in_t_;         // W_in of the local units, transposed: [n_in][n]
    std::vector<double> b_, k_;          // [n], dt/tau (1 for vanilla: the update is a = f(u))
    std::vector<double> u_;              // [n] work space: the pre-activation
    std::vector<double> x_;              // task input of the run, [n_steps][n_in]
    std::vector<int> target_;            // [n_steps]
    std::vector<double> mask_;           // [n_steps]
    std::vector<double> zeros_;          // stands in for a null lr / stim row
};

}  // namespace cortexsim
