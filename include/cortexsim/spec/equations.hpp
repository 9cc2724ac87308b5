#pragma once
// A circuit written as equations in the config (circuit: equations). Plain data filled by the config layer from
// model.equations (config/equations_config.cpp) and turned into a compiled kernel by the dynamics layer
// (dynamics/circuits/equations.hpp). The language: docs/models.md, "Equations". No YAML, no MPI.
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace cortexsim {

/// One expression as written, with the dotted config key it comes from (for messages).
struct equation_text {
    std::string name;  // the symbol it defines ("" for ddt/initial/noise of a state variable)
    std::string text;  // the expression
    std::string key;   // "model.equations.state.S.ddt"
};

struct equation_state {
    std::string name;
    equation_text ddt, initial, noise;  // noise.text empty: no noise
    int noise_index = -1;               // -1: the order among the noisy variables
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
};

/// A long-range input channel: lr_c = sum_j W_ij x_j, or with difference_of = "x": sum_j W_ij (x_j - x_i).
struct equation_input {
    std::string name;
    std::string difference_of;
};

/// A function of the model (model.equations.functions, `name(a, b): "body"`), expanded inline where it is called.
struct equation_function {
    std::string name;
    std::vector<std::string> args;
    equation_text body;  // body.key: "model.equations.functions.name(a, b)"
};

struct equations_spec {
    bool defined = false;
    std::vector<equation_text> parameters;  // config order
    std::vector<std::string> modulators;
    std::vector<equation_input> inputs;
    std::vector<equation_text> defines;
    std::vector<equation_function> functions;  // config order
    std::vector<equation_state> state;
    std::vector<std::string> record;  // empty: every state variable
    /// background: parameter -> state variable whose derivative it zeroes at the initial state.
    std::vector<std::pair<std::string, std::string>> background;
    std::string units = "1";
    /// Division by a loop invariant (uniform parameters, numbers, t, dt) in the compiled kernel: true (the
    /// default) computes it as written; false (division: reciprocal) multiplies by the reciprocal, computed once
    /// per call (can differ in the last bit; docs/models.md, "Loop invariants and division").
    bool exact_division = true;
    /// Per-area data vectors of the model (model.vectors, plus "hierarchy"), usable as symbols.
    std::vector<std::pair<std::string, std::vector<double>>> vectors;
};

}  // namespace cortexsim
