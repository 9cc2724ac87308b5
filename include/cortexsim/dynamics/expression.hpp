#pragma once
// Expressions of the equation language (docs/models.md, "Equations"): parsing, the names an expression uses,
// evaluation (set-up: parameters, initial values, backgrounds) and C++ emission (the compiled kernel).
//   numbers 1, 2.5, 1e-3; names; + - * / ^ (power, right-associative, binds tighter than unary minus);
//   parentheses; calls of the functions below. No comparisons: heaviside, min, max, relu instead.
// Errors: expression_error with the 1-based column of the offending character.
#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace cortexsim {

class expression_error : public std::runtime_error {
public:
    expression_error(std::size_t column, const std::string& what)
        : std::runtime_error("column " + std::to_string(column) + ": " + what), column_(column) {}
    std::size_t column() const { return column_; }

private:
    std::size_t column_;
};

struct expr {
    enum class kind { number, name, negate, add, sub, mul, div, pow, call };
    kind k = kind::number;
    double value = 0.0;  // number
    std::string name;    // name, or the function of a call
    std::vector<expr> args;
    std::size_t column = 1;
};

/// The functions of the language: name, number of arguments (-1: reductions over areas, set-up only).
struct expr_function {
    const char* name;
    int arity;
    bool setup_only;  // init_normal, init_uniform and the reductions amax, amin, asum, amean
};
const std::vector<expr_function>& expression_functions();

/// Parses text. Throws expression_error (column, what).
expr parse_expression(const std::string& text);

/// A function defined in the model (model.equations.functions, `name(a, b): "body"`), expanded inline where it is
/// called: no call node remains, the tree is that of the body written out with each argument's tree in place of
/// its parameter name (the same tree as writing it by hand with the argument in parentheses).
struct user_function {
    std::string name;
    std::vector<std::string> args;
    std::string text;  // the body
};

/// An error in the body of user function `function` (column 0: a circular definition, no column).
class user_function_error : public std::runtime_error {
public:
    user_function_error(std::size_t function, const std::string& what)
        : std::runtime_error(what), function_(function) {}
    std::size_t function() const { return function_; }

private:
    std::size_t function_;
};

/// The bodies of the functions parsed, calls of other user functions expanded, the body's own columns kept:
/// bodies[i] of functions[i]. Throws user_function_error (a body that does not parse, a wrong number of
/// arguments, recursion: "circular function definitions: f -> g -> f").
std::vector<expr> expand_user_functions(const std::vector<user_function>& functions);

/// Parses text, expanding calls of the user functions (bodies from expand_user_functions) inline. The nodes that
/// come from a body carry the column of the call. Throws expression_error (column in text, what).
expr parse_expression(const std::string& text, const std::vector<user_function>& functions,
                      const std::vector<expr>& bodies);

/// Every name the expression uses (not functions), in order of first use, each once, with its column.
void expression_names(const expr& e, std::vector<std::pair<std::string, std::size_t>>& out);
/// Every function the expression calls (name, column).
void expression_calls(const expr& e, std::vector<std::pair<std::string, std::size_t>>& out);

/// Evaluates e; lookup(name) gives a name's value, call(name, args) a set-up-only function's (init_normal, init_uniform,
/// reductions: the caller evaluates their argument over all areas). The elementwise functions are evaluated
/// here, with the same definitions as the emitted C++ (expression_prelude()).
double evaluate(const expr& e, const std::function<double(const std::string&)>& lookup,
                const std::function<double(const expr& call)>& setup_call);

/// C++ for e; name(n) gives the C++ expression of name n. Calls use the prelude's cs_* functions.
std::string emit_cpp(const expr& e, const std::function<std::string(const std::string&)>& name);
/// The C++ definitions of the elementwise functions (inline, no headers but <cmath>).
const std::string& expression_prelude();

}  // namespace cortexsim
