#include "cortexsim/dynamics/expression.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace cortexsim {

const std::vector<expr_function>& expression_functions() {
    static const std::vector<expr_function> f = {
        {"exp", 1, false},           {"log", 1, false},
        {"sqrt", 1, false},          {"tanh", 1, false},
        {"sin", 1, false},           {"cos", 1, false},
        {"tan", 1, false},           {"atan", 1, false},
        {"abs", 1, false},           {"sigmoid", 1, false},
        {"heaviside", 1, false},     {"relu", 1, false},
        {"pow", 2, false},           {"min", 2, false},
        {"max", 2, false},           {"threshold_linear", 2, false},
        {"abbott_chance", 2, false}, {"init_normal", 1, true},
        {"init_uniform", 3, true},   {"amax", 1, true},
        {"amin", 1, true},           {"asum", 1, true},
        {"amean", 1, true},
    };
    return f;
}

namespace {

const expr_function* find_function(const std::string& name) {
    for (const auto& f : expression_functions())
        if (name == f.name) return &f;
    return nullptr;
}

/// Index of the user function called name, or -1.
long find_user(const std::vector<user_function>* fns, const std::string& name) {
    if (!fns) return -1;
    for (std::size_t i = 0; i < fns->size(); ++i)
        if ((*fns)[i].name == name) return static_cast<long>(i);
    return -1;
}

class parser {
public:
    /// fns: user functions whose calls are accepted (as call nodes, expanded afterwards by expand()).
    explicit parser(const std::string& t, const std::vector<user_function>* fns = nullptr) : s_(t), fns_(fns) {}

    expr parse() {
        skip();
        if (p_ >= s_.size()) throw expression_error(1, "empty expression");
        expr e = sum();
        skip();
        if (p_ < s_.size()) throw expression_error(p_ + 1, "unexpected '" + std::string(1, s_[p_]) + "'");
        return e;
    }

private:
    void skip() {
        while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
    }
    bool peek(char c) {
        skip();
        return p_ < s_.size() && s_[p_] == c;
    }
    static expr binary(expr::kind k, expr a, expr b, std::size_t col) {
        expr e;
        e.k = k;
        e.column = col;
        e.args.push_back(std::move(a));
        e.args.push_back(std::move(b));
        return e;
    }
    expr sum() {
        expr e = product();
        for (;;) {
            skip();
            if (p_ < s_.size() && (s_[p_] == '+' || s_[p_] == '-')) {
                const char op = s_[p_];
                const std::size_t col = ++p_;
                e = binary(op == '+' ? expr::kind::add : expr::kind::sub, std::move(e), product(), col);
            } else {
                return e;
            }
        }
    }
    expr product() {
        expr e = unary();
        for (;;) {
            skip();
            if (p_ < s_.size() && (s_[p_] == '*' || s_[p_] == '/')) {
                const char op = s_[p_];
                const std::size_t col = ++p_;
                e = binary(op == '*' ? expr::kind::mul : expr::kind::div, std::move(e), unary(), col);
            } else {
                return e;
            }
        }
    }
    expr unary() {
        skip();
        if (p_ < s_.size() && (s_[p_] == '-' || s_[p_] == '+')) {
            const char op = s_[p_];
            const std::size_t col = ++p_;
            expr a = unary();
            if (op == '+') return a;
            expr e;
            e.k = expr::kind::negate;
            e.column = col;
            e.args.push_back(std::move(a));
            return e;
        }
        return power();
    }
    expr power() {
        expr base = primary();
        if (peek('^')) {
            const std::size_t col = ++p_;
            return binary(expr::kind::pow, std::move(base), unary(), col);
        }
        return base;
    }
    expr primary() {
        skip();
        if (p_ >= s_.size()) throw expression_error(p_ + 1, "expression ends where a value is expected");
        const std::size_t col = p_ + 1;
        const char c = s_[p_];
        if (c == '(') {
            ++p_;
            expr e = sum();
            if (!peek(')')) throw expression_error(p_ + 1, "missing ')' for the '(' at column " + std::to_string(col));
            ++p_;
            return e;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
            const char* begin = s_.c_str() + p_;
            char* end = nullptr;
            const double v = std::strtod(begin, &end);
            if (end == begin) throw expression_error(col, "'" + std::string(1, c) + "' does not start a number");
            p_ += static_cast<std::size_t>(end - begin);
            if (!std::isfinite(v)) throw expression_error(col, "number out of range");
            expr e;
            e.k = expr::kind::number;
            e.value = v;
            e.column = col;
            return e;
        }
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            std::size_t q = p_;
            while (q < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[q])) || s_[q] == '_')) ++q;
            expr e;
            e.name = s_.substr(p_, q - p_);
            e.column = col;
            p_ = q;
            if (peek('(')) {
                const expr_function* f = find_function(e.name);
                const long u = f ? -1 : find_user(fns_, e.name);
                if (!f && u < 0) throw expression_error(col, "unknown function '" + e.name + "'");
                ++p_;
                e.k = expr::kind::call;
                if (!peek(')')) {
                    for (;;) {
                        e.args.push_back(sum());
                        if (peek(',')) {
                            ++p_;
                            continue;
                        }
                        break;
                    }
                }
                if (!peek(')')) throw expression_error(p_ + 1, "missing ')' after the arguments of '" + e.name + "'");
                ++p_;
                const int arity = f ? f->arity : static_cast<int>((*fns_)[static_cast<std::size_t>(u)].args.size());
                if (static_cast<int>(e.args.size()) != arity)
                    throw expression_error(col, "'" + e.name + "' takes " + std::to_string(arity) + " argument" +
                                                    (arity == 1 ? "" : "s") + ", not " + std::to_string(e.args.size()));
                return e;
            }
            e.k = expr::kind::name;
            return e;
        }
        throw expression_error(col, "unexpected '" + std::string(1, c) + "'");
    }

    const std::string& s_;
    const std::vector<user_function>* fns_;
    std::size_t p_ = 0;
};

/// The body with each parameter name replaced by the argument's tree; the body's own nodes at column col.
expr substitute(const expr& body, const std::vector<std::string>& params, const std::vector<expr>& args,
                std::size_t col) {
    if (body.k == expr::kind::name)
        for (std::size_t j = 0; j < params.size(); ++j)
            if (params[j] == body.name) return args[j];
    expr e;
    e.k = body.k;
    e.value = body.value;
    e.name = body.name;
    e.column = col;
    for (const auto& a : body.args) e.args.push_back(substitute(a, params, args, col));
    return e;
}

/// Replaces every call of a user function in e (arguments first) by its body with the arguments substituted.
void expand(expr& e, const std::vector<user_function>& fns, const std::function<const expr&(std::size_t)>& body) {
    for (auto& a : e.args) expand(a, fns, body);
    if (e.k != expr::kind::call || find_function(e.name)) return;
    const long u = find_user(&fns, e.name);
    if (u < 0) throw expression_error(e.column, "unknown function '" + e.name + "'");
    const auto i = static_cast<std::size_t>(u);
    expr out = substitute(body(i), fns[i].args, e.args, e.column);
    e = std::move(out);
}

// The elementwise functions; expression_prelude() holds the same definitions for the compiled kernel.
inline double cs_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
// tanh from tanh z = (1 - e^{-2z}) / (1 + e^{-2z}): one exp, cheaper than glibc's tanh (which goes through
// expm1); where 1 - e^{-2|z|} would lose digits (|z| < 1/2) the library tanh. Both within a few ulp of tanh.
inline double cs_tanh(double z) {
    const double a = std::abs(z);
    if (a < 0.5) return std::tanh(z);
    const double t = std::exp(-2.0 * a);
    const double r = (1.0 - t) / (1.0 + t);
    return z < 0.0 ? -r : r;
}
inline double cs_heaviside(double x) { return x > 0.0 ? 1.0 : 0.0; }
inline double cs_relu(double x) { return x > 0.0 ? x : 0.0; }
inline double cs_min(double a, double b) { return b < a ? b : a; }
inline double cs_max(double a, double b) { return a < b ? b : a; }
inline double cs_threshold_linear(double x, double th) { return x - th > 0.0 ? x - th : 0.0; }
inline double cs_abbott_chance(double u, double d) {
    const double du = d * u;
    if (std::abs(du) < 1e-6) return 1.0 / d + 0.5 * u + d * u * u / 12.0;
    return u / (1.0 - std::exp(-du));
}

/// x^n for a literal n: 2 and 3 as products (exact, as hand-written kernels do), others by pow.
int small_power(const expr& e) {
    if (e.k == expr::kind::number && (e.value == 2.0 || e.value == 3.0)) return static_cast<int>(e.value);
    return 0;
}

/// Concatenation without temporaries (GCC 12 warns falsely on "x" + std::string chains).
template <class... A>
std::string cat(const A&... a) {
    std::string s;
    ((s += a), ...);
    return s;
}

std::string number_text(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    std::string s = buf;
    if (s.find_first_of(".en") == std::string::npos) s += ".0";
    return v < 0 ? cat("(", s, ")") : s;
}

}  // namespace

expr parse_expression(const std::string& text) { return parser(text).parse(); }

std::vector<expr> expand_user_functions(const std::vector<user_function>& fns) {
    const std::size_t n = fns.size();
    std::vector<expr> out(n);
    std::vector<int> mark(n, 0);  // 0 new, 1 being expanded, 2 done
    std::vector<std::size_t> path;
    std::function<const expr&(std::size_t)> get = [&](std::size_t i) -> const expr& {
        if (mark[i] == 2) return out[i];
        if (mark[i] == 1) {
            std::string cycle;
            for (auto it = std::find(path.begin(), path.end(), i); it != path.end(); ++it)
                cycle += fns[*it].name + " -> ";
            throw user_function_error(i, "circular function definitions: " + cycle + fns[i].name);
        }
        mark[i] = 1;
        path.push_back(i);
        expr body;
        try {
            body = parser(fns[i].text, &fns).parse();
        } catch (const expression_error& x) {
            throw user_function_error(i, x.what());
        }
        expand(body, fns, get);
        out[i] = std::move(body);
        path.pop_back();
        mark[i] = 2;
        return out[i];
    };
    for (std::size_t i = 0; i < n; ++i) get(i);
    return out;
}

expr parse_expression(const std::string& text, const std::vector<user_function>& functions,
                      const std::vector<expr>& bodies) {
    expr e = parser(text, &functions).parse();
    expand(e, functions, [&](std::size_t i) -> const expr& { return bodies.at(i); });
    return e;
}

void expression_names(const expr& e, std::vector<std::pair<std::string, std::size_t>>& out) {
    if (e.k == expr::kind::name) {
        for (const auto& n : out)
            if (n.first == e.name) return;
        out.emplace_back(e.name, e.column);
        return;
    }
    for (const auto& a : e.args) expression_names(a, out);
}

void expression_calls(const expr& e, std::vector<std::pair<std::string, std::size_t>>& out) {
    if (e.k == expr::kind::call) out.emplace_back(e.name, e.column);
    for (const auto& a : e.args) expression_calls(a, out);
}

double evaluate(const expr& e, const std::function<double(const std::string&)>& lookup,
                const std::function<double(const expr& call)>& setup_call) {
    auto arg = [&](std::size_t i) { return evaluate(e.args[i], lookup, setup_call); };
    switch (e.k) {
        case expr::kind::number: return e.value;
        case expr::kind::name: return lookup(e.name);
        case expr::kind::negate: return -arg(0);
        case expr::kind::add: return arg(0) + arg(1);
        case expr::kind::sub: return arg(0) - arg(1);
        case expr::kind::mul: return arg(0) * arg(1);
        case expr::kind::div: return arg(0) / arg(1);
        case expr::kind::pow: {
            const double x = arg(0);
            const int n = small_power(e.args[1]);
            if (n == 2) return x * x;
            if (n == 3) return x * x * x;
            return std::pow(x, arg(1));
        }
        case expr::kind::call: break;
    }
    const std::string& f = e.name;
    const expr_function* fn = find_function(f);
    if (fn && fn->setup_only) return setup_call(e);
    if (f == "exp") return std::exp(arg(0));
    if (f == "log") return std::log(arg(0));
    if (f == "sqrt") return std::sqrt(arg(0));
    if (f == "tanh") return std::tanh(arg(0));  // set-up: the library tanh (the kernel: cs_tanh, a few ulp off)
    if (f == "sin") return std::sin(arg(0));
    if (f == "cos") return std::cos(arg(0));
    if (f == "tan") return std::tan(arg(0));
    if (f == "atan") return std::atan(arg(0));
    if (f == "abs") return std::abs(arg(0));
    if (f == "sigmoid") return cs_sigmoid(arg(0));
    if (f == "heaviside") return cs_heaviside(arg(0));
    if (f == "relu") return cs_relu(arg(0));
    if (f == "pow") return std::pow(arg(0), arg(1));
    if (f == "min") return cs_min(arg(0), arg(1));
    if (f == "max") return cs_max(arg(0), arg(1));
    if (f == "threshold_linear") return cs_threshold_linear(arg(0), arg(1));
    if (f == "abbott_chance") return cs_abbott_chance(arg(0), arg(1));
    throw expression_error(e.column, "unknown function '" + f + "'");
}

std::string emit_cpp(const expr& e, const std::function<std::string(const std::string&)>& name) {
    auto arg = [&](std::size_t i) { return emit_cpp(e.args[i], name); };
    switch (e.k) {
        case expr::kind::number: return number_text(e.value);
        case expr::kind::name: return name(e.name);
        case expr::kind::negate: return cat("(-", arg(0), ")");
        case expr::kind::add: return cat("(", arg(0), " + ", arg(1), ")");
        case expr::kind::sub: return cat("(", arg(0), " - ", arg(1), ")");
        case expr::kind::mul: return cat("(", arg(0), " * ", arg(1), ")");
        case expr::kind::div: return cat("(", arg(0), " / ", arg(1), ")");
        case expr::kind::pow: {
            const int n = small_power(e.args[1]);
            if (n == 2) return cat("cs_sq(", arg(0), ")");
            if (n == 3) return cat("cs_cube(", arg(0), ")");
            return cat("std::pow(", arg(0), ", ", arg(1), ")");
        }
        case expr::kind::call: break;
    }
    std::string s;
    const std::string& f = e.name;
    if (f == "exp" || f == "log" || f == "sqrt" || f == "sin" || f == "cos" || f == "tan" || f == "atan" ||
        f == "abs" || f == "pow")
        s = cat("std::", f, "(");
    else
        s = cat("cs_", f, "(");
    for (std::size_t i = 0; i < e.args.size(); ++i) {
        if (i) s += ", ";
        s += arg(i);
    }
    s += ")";
    return s;
}

const std::string& expression_prelude() {
    static const std::string p = R"(#include <cmath>
#include <cstddef>
namespace {
inline double cs_sq(double x) { return x * x; }
inline double cs_cube(double x) { return x * x * x; }
inline double cs_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
// tanh from tanh z = (1 - e^{-2z}) / (1 + e^{-2z}): one exp, cheaper than glibc's tanh (which goes through
// expm1); where 1 - e^{-2|z|} would lose digits (|z| < 1/2) the library tanh. Both within a few ulp of tanh.
inline double cs_tanh(double z) {
    const double a = std::abs(z);
    if (a < 0.5) return std::tanh(z);
    const double t = std::exp(-2.0 * a);
    const double r = (1.0 - t) / (1.0 + t);
    return z < 0.0 ? -r : r;
}
inline double cs_heaviside(double x) { return x > 0.0 ? 1.0 : 0.0; }
inline double cs_relu(double x) { return x > 0.0 ? x : 0.0; }
inline double cs_min(double a, double b) { return b < a ? b : a; }
inline double cs_max(double a, double b) { return a < b ? b : a; }
inline double cs_threshold_linear(double x, double th) { return x - th > 0.0 ? x - th : 0.0; }
inline double cs_abbott_chance(double u, double d) {
    const double du = d * u;
    if (std::abs(du) < 1e-6) return 1.0 / d + 0.5 * u + d * u * u / 12.0;
    return u / (1.0 - std::exp(-du));
}
}  // namespace
)";
    return p;
}

}  // namespace cortexsim
