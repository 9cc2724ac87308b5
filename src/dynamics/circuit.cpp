#include "cortexsim/dynamics/circuit.hpp"

#include <stdexcept>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/memory.hpp"

namespace cortexsim {

void circuit::declare(std::vector<std::string> variables, std::vector<std::string> recorded,
                      std::vector<std::string> channels, std::vector<std::string> ports,
                      std::vector<std::string> modulators) {
    variables_ = std::move(variables);
    channels_ = std::move(channels);
    ports_ = std::move(ports);
    modulators_ = std::move(modulators);
    recorded_.clear();
    for (const auto& r : recorded) {
        const std::size_t v = find(variables_, r);
        if (v == npos) throw error("internal error: circuit: recorded variable '" + r + "' is not a variable");
        recorded_.push_back(v);
    }
    // the state and, in the engine, the integrator's copies of it and the buffers of every channel and port
    const double V = static_cast<double>(variables_.size()), C = static_cast<double>(channels_.size() + ports_.size());
    check_allocation(product_of({static_cast<double>(n_), 4.0 * V + 2.0 * C, 8.0}),
                     "the state of this rank's " + std::to_string(n_) + " areas (model.areas; " +
                         std::to_string(variables_.size()) + " variables, " + std::to_string(channels_.size()) +
                         " input channels, " + std::to_string(ports_.size()) + " stimulus ports)");
    state_.assign(variables_.size() * n_, 0.0);
}

std::size_t circuit::find(const std::vector<std::string>& v, const std::string& name) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i] == name) return i;
    return npos;
}

void circuit::increments(const step_input&, double*) {
    throw error("internal error: circuit: increments() of a circuit without increments (Euler only)");
}

void circuit::set_modulator(const std::string& name, double) {
    throw config_error("circuit has no modulator '" + name + "'");
}

double circuit::modulator(const std::string& name) const {
    throw config_error("circuit has no modulator '" + name + "'");
}

double circuit_parameter(const model_spec& m, const circuit_info& info, const std::string& name) {
    for (const auto& [k, v] : m.circuit_params)
        if (k == name) return v;
    for (const auto& [k, v] : info.defaults)
        if (k == name) return v;
    throw config_error("circuit '" + info.type + "' has no parameter '" + name + "'");
}

}  // namespace cortexsim
