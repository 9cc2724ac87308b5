#pragma once
// The integrators, as one policy every circuit can use (docs/models.md, "Integrators"). No MPI: the long-range
// input of each stage comes from a callback, so the same code runs in the engine and in single-area tests.
//   euler  the circuit's own step (explicit Euler; Euler-Maruyama with noise; its published scheme);
//   heun   k1 = increments(x0), p = x0 + k1, k2 = increments(p), x = x0 + (k1 + k2) / 2, then the clamps.
//          With noise this is the stochastic Heun scheme: a step's noise is keyed by the step, so both stages
//          add the same kick (for multiplicative noise, the Stratonovich-consistent Heun of TVB).
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
    /// Throws config_error if the circuit cannot use the integrator (Heun needs increments).
    scheme(integrator_kind kind, const circuit& c, const std::string& circuit_type) : kind_(kind) {
        if (kind == integrator_kind::heun) {
            if (!c.has_increments())
                throw config_error("'run.integrator' = 'heun': circuit '" + circuit_type +
                                   "' has no increments (it is integrated by its own Euler step only)");
            for (auto* v : {&x0_, &k1_, &k2_}) v->assign(c.state().size(), 0.0);
        }
    }
    /// Stages per step (exchanges of an undelayed coupling per step).
    int stages() const { return kind_ == integrator_kind::heun ? 2 : 1; }

    /// One step of c. refresh(stage) fills in.lr for that stage from c's current state (called before each
    /// stage). No allocation.
    template <class Refresh>
    void advance(circuit& c, const step_input& in, Refresh&& refresh) {
        if (kind_ == integrator_kind::euler) {
            refresh(0);
            c.step(in);
            return;
        }
        std::vector<double>& x = c.state();
        const std::size_t m = x.size();
        std::copy(x.begin(), x.end(), x0_.begin());
        refresh(0);
        c.increments(in, k1_.data());
        for (std::size_t j = 0; j < m; ++j) x[j] = x0_[j] + k1_[j];
        refresh(1);
        c.increments(in, k2_.data());
        for (std::size_t j = 0; j < m; ++j) x[j] = x0_[j] + 0.5 * (k1_[j] + k2_[j]);
        c.project();
    }

private:
    integrator_kind kind_;
    std::vector<double> x0_, k1_, k2_;
};

}  // namespace cortexsim
