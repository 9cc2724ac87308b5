// The catalogue of nonlinear circuit types: one line per type. A new kernel (docs/models.md, "Writing a new
// circuit type in C++") adds its header and one entry here.
#include <algorithm>
#include <stdexcept>

#include "cortexsim/common/errors.hpp"

#include "cortexsim/dynamics/circuit.hpp"
#if __has_include("cortexsim/dynamics/circuits/wong_wang.hpp")
#include "cortexsim/dynamics/circuits/wong_wang.hpp"
#define CORTEXSIM_HAVE_WONG_WANG 1
#endif
#if __has_include("cortexsim/dynamics/circuits/froudist_walsh.hpp")
#include "cortexsim/dynamics/circuits/froudist_walsh.hpp"
#define CORTEXSIM_HAVE_FROUDIST_WALSH 1
#endif
#include "cortexsim/dynamics/circuits/rnn.hpp"
#if __has_include("cortexsim/dynamics/circuits/generic.hpp")
#include "cortexsim/dynamics/circuits/generic.hpp"
#define CORTEXSIM_HAVE_GENERIC 1
#endif

namespace cortexsim {
namespace {

struct entry {
    const circuit_info& (*info)();
    std::unique_ptr<circuit> (*make)(const model_spec&, std::size_t, std::size_t);
};

template <class C>
std::unique_ptr<circuit> construct(const model_spec& m, std::size_t begin, std::size_t n) {
    return std::make_unique<C>(m, begin, n);
}

const std::vector<entry>& entries() {
    static const std::vector<entry> e = {
#ifdef CORTEXSIM_HAVE_WONG_WANG
        {&wong_wang_info, &construct<wong_wang_circuit>},
#endif
#ifdef CORTEXSIM_HAVE_FROUDIST_WALSH
        {&froudist_walsh_info, &construct<froudist_walsh_circuit>},
#endif
#ifdef CORTEXSIM_HAVE_GENERIC
        {&generic_info, &construct<generic_circuit>},
#endif
        {&rnn_info, &construct<rnn_circuit>},
    };
    return e;
}

}  // namespace

const std::vector<circuit_info>& circuit_catalogue() {
    static const std::vector<circuit_info> c = [] {
        std::vector<circuit_info> v;
        for (const auto& e : entries()) v.push_back(e.info());
        return v;
    }();
    return c;
}

const circuit_info* find_circuit(const std::string& type) {
    for (const auto& c : circuit_catalogue())
        if (c.type == type) return &c;
    return nullptr;
}

std::unique_ptr<circuit> make_circuit(const model_spec& m, std::size_t begin, std::size_t n) {
    for (const auto& e : entries())
        if (e.info().type == m.circuit) return e.make(m, begin, n);
    throw std::invalid_argument("unknown circuit type '" + m.circuit + "'");
}

circuit_names describe_circuit(const model_spec& m) {
    if (m.circuit == "linear_ei") return {{"E", "I"}, {"E", "I"}, {"E", "I"}, {"E", "I"}, {}};
    if (!find_circuit(m.circuit)) throw config_error("unknown circuit type '" + m.circuit + "'");
    std::unique_ptr<circuit> probe;
    try {
        // (a name lookup: n = 0 builds no state; an RNN checks its step against the network's own)
        model_spec early = m;
        if (m.circuit == "rnn") early.run.dt_ms = m.rnn.dt_ms, early.run.n_steps = 0;
        probe = make_circuit(early, 0, 0);
    } catch (const error&) {
        throw;
    } catch (const std::exception& e) {
        throw config_error(e.what());
    }
    circuit_names n;
    n.variables = probe->variables();
    for (std::size_t v : probe->recorded()) n.recorded.push_back(n.variables[v]);
    n.channels = probe->input_channels();
    n.ports = probe->stimulus_ports();
    n.modulators = probe->modulators();
    return n;
}

void check_circuit(const model_spec& m) {
    if (m.circuit == "linear_ei") {
        const auto& p = m.params;
        const double tau_min = std::min(p.tau_E_ms, p.tau_I_ms);
        if (m.run.dt_ms >= tau_min)
            throw config_error("'run.dt_ms' = " + std::to_string(m.run.dt_ms) +
                               " ms must be smaller than the smallest time constant (" + std::to_string(tau_min) +
                               " ms)");
        return;
    }
    try {
        (void)make_circuit(m, 0, 0);
    } catch (const error&) {
        throw;
    } catch (const std::exception& e) {
        throw config_error(e.what());
    }
}

}  // namespace cortexsim
