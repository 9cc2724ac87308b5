#pragma once
// The integrators, as one policy every circuit can use (docs/models.md, "Integrators"). No MPI: the long-range
// input of each stage comes from a callback, so the same code runs in the engine and in single-area tests.
//   euler  the circuit's own step (explicit Euler; Euler-Maruyama with noise; its published scheme);
//   heun   k1 = increments(x0), p = x0 + k1, k2 = increments(p), x = x0 + (k1 + k2) / 2, then the clamps.
//          With noise this is the stochastic Heun scheme: a step's noise is keyed by the step, so both stages
//          add the same kick (for multiplicative noise, the Stratonovich-consistent Heun of TVB).
//   rk4    the classical fourth-order Runge-Kutta scheme (deterministic: refused for a circuit with noise).
// Each stage asks for its own long-range input (one exchange per stage); delayed input is the same in every
// stage of a step (it is older than the step: TVB's convention).
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

class scheme {
public:
    /// Throws config_error if the circuit cannot use the integrator (Heun and RK4 need increments; RK4 refuses
    /// noise).
    /// `origin` (the config file) starts the messages.
    scheme(integrator_kind kind, const circuit& c, const std::string& circuit_type, const std::string& origin)
        : kind_(kind) {
        if (kind == integrator_kind::euler) return;
        const char* name = kind == integrator_kind::heun ? "heun" : "rk4";
        if (!c.has_increments())
            throw config_error(origin + ": 'run.integrator' = '" + name + "': circuit '" + circuit_type +
                               "' has no increments (it is integrated by its own Euler step only)");
        if (kind == integrator_kind::rk4 && c.stochastic())
            throw config_error(origin +
                               ": 'run.integrator' = 'rk4' is deterministic and this model has noise (use heun: the "
                               "stochastic Heun scheme, or euler: Euler-Maruyama)");
        for (auto* v : {&x0_, &k1_, &k2_}) v->assign(c.state().size(), 0.0);
        if (kind == integrator_kind::rk4)
            for (auto* v : {&k3_, &k4_}) v->assign(c.state().size(), 0.0);
    }
    /// Stages per step (exchanges of an undelayed coupling per step).
    int stages() const { return kind_ == integrator_kind::heun ? 2 : kind_ == integrator_kind::rk4 ? 4 : 1; }

    /// One step of c. refresh(stage) fills in.lr for that stage from c's current state (called before each
    /// stage). No allocation.
    template <class Refresh>
    void advance(circuit& c, const step_input& in0, Refresh&& refresh) {
        if (kind_ == integrator_kind::euler) {
            refresh(0);
            c.step(in0);
            return;
        }
        step_input in = in0;
        std::vector<double>& x = c.state();
        const std::size_t m = x.size();
        std::copy(x.begin(), x.end(), x0_.begin());
        in.stage = 0;
        refresh(0);
        c.increments(in, k1_.data());
        if (kind_ == integrator_kind::heun) {
            for (std::size_t j = 0; j < m; ++j) x[j] = x0_[j] + k1_[j];
            c.derive();
            in.stage = 1;
            in.stage_time = 1.0;
            refresh(1);
            c.increments(in, k2_.data());
            for (std::size_t j = 0; j < m; ++j) x[j] = x0_[j] + 0.5 * (k1_[j] + k2_[j]);
            c.project();
            return;
        }
        // RK4 (classical): k1 = dt f(x0), k2 = dt f(x0 + k1/2), k3 = dt f(x0 + k2/2), k4 = dt f(x0 + k3),
        // x = x0 + (k1 + 2 k2 + 2 k3 + k4) / 6. Stimulus and delayed input are step k's in every stage; the time t of
        // an equations circuit is the stage's own (t, t + dt/2, t + dt/2, t + dt).
        for (std::size_t j = 0; j < m; ++j) x[j] = x0_[j] + 0.5 * k1_[j];
        c.derive();
        in.stage = 1;
        in.stage_time = 0.5;
        refresh(1);
        c.increments(in, k2_.data());
        for (std::size_t j = 0; j < m; ++j) x[j] = x0_[j] + 0.5 * k2_[j];
        c.derive();
        in.stage = 2;
        refresh(2);
        c.increments(in, k3_.data());
        for (std::size_t j = 0; j < m; ++j) x[j] = x0_[j] + k3_[j];
        c.derive();
        in.stage = 3;
        in.stage_time = 1.0;
        refresh(3);
        c.increments(in, k4_.data());
        for (std::size_t j = 0; j < m; ++j) x[j] = x0_[j] + (k1_[j] + 2.0 * k2_[j] + 2.0 * k3_[j] + k4_[j]) / 6.0;
        c.project();
    }

private:
    integrator_kind kind_;
    std::vector<double> x0_, k1_, k2_, k3_, k4_;
};

}  // namespace cortexsim
