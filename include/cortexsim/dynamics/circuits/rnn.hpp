#pragma once
// AI-style recurrent networks as a cortexsim circuit (circuit: rnn; docs/rnn.md): the hidden units are the
// "areas" of the model (one population "a" each), partitioned over ranks like areas; W_rec is the long-range
// coupling (a distributed PETSc matrix built from each rank's rows); the task input x(t) enters through W_in.
//   vanilla  a(t) = f(W_in x(t) + W_rec a(t-1) + b)
//   leaky    a(t) = a(t-1) + dt/tau (-a(t-1) + f(W_in x(t) + W_rec a(t-1) + b))
// readout o(t) = g(W_out a(t) + b_out), computed from the activity of all units in global order.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

const circuit_info& rnn_info();

class rnn_circuit : public circuit {
public:
    /// Units [begin, begin + n) of m.rnn (n may be 0: names only).
    rnn_circuit(const model_spec& m, std::size_t begin, std::size_t n);
    void step(const circuit_step_input& in) override;

    std::size_t n_outputs() const;
    /// o = g(W_out a + b_out) for the activity a of ALL units (global order), with a fixed summation order
    /// (so the result does not depend on the rank count). o has n_outputs() entries.
    void readout(const double* a_all, double* o) const;
    /// The task's target class (-1: none) and mask (0/1) for the input of run step k (step k -> k+1 uses x(k)).
    int target(std::int64_t k) const;
    double mask(std::int64_t k) const;

private:
    const rnn_spec& spec_;
    std::size_t n_in_ = 0;
    std::vector<double> w_in_, b_, k_;  // [n][n_in], [n], dt/tau (1 for vanilla: the update is a = f(u))
    std::vector<double> x_;             // task input of the run, [n_steps][n_in]
    std::vector<int> target_;           // [n_steps]
    std::vector<double> mask_;          // [n_steps]
};

/// Rows [begin, end) of W_rec (CSR, global column ids, zeros dropped): read from the weights file by hyperslab
/// or generated from the initialisation seed; no rank holds the whole matrix.
local_rows rnn_recurrent_rows(const model_spec& m, std::size_t begin, std::size_t end);

}  // namespace cortexsim
