// Placeholder until the rnn circuit is implemented (the helper replaces this file).
#include "cortexsim/dynamics/circuits/rnn.hpp"

#include <stdexcept>

namespace cortexsim {

const circuit_info& rnn_info() {
    static const circuit_info info{"rnn", {}};
    return info;
}

rnn_circuit::rnn_circuit(const model_spec&, std::size_t begin, std::size_t n) : circuit(begin, n) {
    throw std::logic_error("rnn circuit: not implemented yet");
}
void rnn_circuit::step(const circuit_step_input&) {}
std::size_t rnn_circuit::n_outputs() const { return 0; }
void rnn_circuit::readout(const double*, double*) const {}
int rnn_circuit::target(std::int64_t) const { return -1; }
double rnn_circuit::mask(std::int64_t) const { return 0.0; }
local_rows rnn_recurrent_rows(const model_spec&, std::size_t, std::size_t) {
    throw std::logic_error("rnn circuit: not implemented yet");
}

}  // namespace cortexsim
