// The catalogue of circuit types: one line per type. A new kernel (docs/design.md, "Adding a circuit") adds its
// header and one entry here: its info (parameters, default analysis), its names and checks (static: the config
// validates a model without building a circuit) and its factory.
#include <memory>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/dynamics/circuits/equations.hpp"
#include "cortexsim/dynamics/circuits/froudist_walsh.hpp"
#include "cortexsim/dynamics/circuits/generic.hpp"
#include "cortexsim/dynamics/circuits/linear_ei.hpp"
#include "cortexsim/dynamics/circuits/rnn.hpp"
#include "cortexsim/dynamics/circuits/wong_wang.hpp"

namespace cortexsim {
namespace {

struct entry {
    const circuit_info& (*info)();
    circuit_names (*names)(const model_spec&);
    void (*check)(const model_spec&);
    std::unique_ptr<circuit> (*make)(const model_spec&, std::size_t, std::size_t);
};

template <class C>
std::unique_ptr<circuit> construct(const model_spec& m, std::size_t begin, std::size_t n) {
    return std::make_unique<C>(m, begin, n);
}

template <class C>
constexpr entry entry_of(const circuit_info& (*info)()) {
    return {info, &C::names, &C::check, &construct<C>};
}

const std::vector<entry>& entries() {
    static const std::vector<entry> e = {
        entry_of<linear_ei_circuit>(&linear_ei_info),
        entry_of<wong_wang_circuit>(&wong_wang_info),
        entry_of<froudist_walsh_circuit>(&froudist_walsh_info),
        entry_of<generic_circuit>(&generic_info),
        entry_of<rnn_circuit>(&rnn_info),
        entry_of<equations_circuit>(&equations_info),
    };
    return e;
}

const entry& entry_for(const std::string& type) {
    for (const auto& e : entries())
        if (e.info().type == type) return e;
    std::string allowed;
    for (const auto& e : entries()) allowed += (allowed.empty() ? "" : ", ") + e.info().type;
    throw config_error("unknown circuit type '" + type + "' (allowed: " + allowed + ")");
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

circuit_names describe_circuit(const model_spec& m) { return entry_for(m.circuit).names(m); }

void check_circuit(const model_spec& m) { entry_for(m.circuit).check(m); }

std::unique_ptr<circuit> make_circuit(const model_spec& m, std::size_t begin, std::size_t n) {
    const entry& e = entry_for(m.circuit);
    e.check(m);
    return e.make(m, begin, n);
}

}  // namespace cortexsim
