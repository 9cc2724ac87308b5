// The catalogue of nonlinear circuit types: one line per type. A new kernel (docs/models.md, "Writing a new
// circuit type in C++") adds its header and one entry here.
#include <stdexcept>

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

}  // namespace cortexsim
