#pragma once
// circuit: equations — a circuit written as equations in the config (docs/models.md, "Equations"). The
// equations are checked (unknown names, cycles, wrong lengths) without building anything; the circuit turns
// them into C++ (one loop over the local areas per kernel: Euler step, increments, derived variables), compiles
// it once with the system C++ compiler into a cache keyed by the SHA-256 of the code, and loads it with dlopen.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

const circuit_info& equations_info();

/// The generated C++ of m's equations and what it is compiled into.
struct equations_kernel_file {
    std::string source;    // the C++ text
    std::string hash;      // SHA-256 of the source and the compile command
    std::string so_path;   // <cache>/<hash>.so
    std::string cpp_path;  // <cache>/<hash>.cpp
    std::string command;   // the compiler command line
};

/// The kernel of m (m.circuit == "equations"): the source, its hash and paths in the cache. Throws config_error.
equations_kernel_file equations_kernel(const model_spec& m);
/// Makes sure the kernel is compiled (compiles it if the cache lacks it; atomic: several processes may race).
/// Returns true if it compiled, false if it was cached. Throws config_error naming the generated file and the
/// compiler's first error line, or a missing compiler.
bool compile_equations_kernel(const equations_kernel_file& k);
/// The kernel cache directory: $CORTEXSIM_KERNEL_CACHE, else $HOME/.cache/cortexsim/kernels.
std::string equations_kernel_cache();

class equations_circuit : public circuit {
public:
    equations_circuit(const model_spec& m, std::size_t begin, std::size_t n);
    ~equations_circuit() override;
    static circuit_names names(const model_spec& m);
    static void check(const model_spec& m);

    void step(const step_input& in) override;
    bool has_increments() const override { return true; }
    void increments(const step_input& in, double* dx) override;
    void project() override;
    void derive() override;
    bool stochastic() const override;
    void prepare(const long_range_probe& probe) override;
    void set_modulator(const std::string& name, double value) override;
    double modulator(const std::string& name) const override;

    struct impl;

private:
    void call(int which, const step_input& in, double* dx);
    std::unique_ptr<impl> impl_;
};

}  // namespace cortexsim
