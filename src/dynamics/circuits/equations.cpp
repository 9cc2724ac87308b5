// circuit: equations (docs/models.md, "Equations"). Three parts:
//   1. the checked model: every expression parsed, every name resolved, parameters and defines sorted by
//      dependency (cycles refused), what each define depends on (state only, or inputs/stimuli);
//   2. the kernel: C++ generated from the model (Euler step, increments, derived variables; one loop over the
//      local areas each), compiled once into a cache by the system compiler, loaded with dlopen;
//   3. the circuit: parameters evaluated per area at set-up (reductions over all areas), initial values,
//      backgrounds solved per area, noise drawn per step, clamps, modulators.
#include "cortexsim/dynamics/circuits/equations.hpp"

#include <dlfcn.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

#include "cortexsim/common/counter_rng.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/dynamics/expression.hpp"

extern char** environ;

namespace cortexsim {

const circuit_info& equations_info() {
    static const circuit_info info{"equations", {}};
    return info;
}

namespace {

namespace fs = std::filesystem;

// Philox stream tag of init_normal(k): counter {area_lo, area_hi, k, 15}, as the wong_wang circuit's initial
// rates (so that an equations model can reproduce them).
constexpr std::uint32_t initial_state_stream = 15;
// Philox stream tag of init_uniform(k, lo, hi): counter {area_lo, area_hi, k, 43}, the first 52-bit uniform.
constexpr std::uint32_t initial_uniform_stream = 43;

[[noreturn]] void fail(const std::string& what) { throw config_error("equations: " + what); }

/// "'model.equations.x' = 'text': what".
[[noreturn]] void fail_at(const equation_text& t, const std::string& what) {
    fail("'" + t.key + "' = '" + t.text + "': " + what);
}

enum class sym_kind { parameter, state, define, input, stim, time, dt, pi };

struct symbol {
    sym_kind kind;
    std::size_t index = 0;
};

/// The checked equations of a model.
struct eq_model {
    // parameters: the explicit ones (config order), then every vector and gradient the model has
    std::vector<std::string> pname;
    std::vector<expr> pexpr;                        // explicit parameters only (data ones: empty)
    std::vector<const equation_text*> ptext;        // null for data
    std::vector<const std::vector<double>*> pdata;  // data parameters: their values per area
    std::vector<std::size_t> porder;                // evaluation order of the explicit ones
    std::vector<std::vector<std::size_t>> pdeps;    // parameters each explicit one uses
    // state
    std::vector<std::string> sname;
    std::vector<expr> ddt, init, noise;
    std::vector<bool> has_noise;
    std::vector<int> noise_index;
    std::vector<bool> stim_explicit;
    // defines
    std::vector<std::string> dname;
    std::vector<expr> dexpr;
    std::vector<std::size_t> dorder;
    std::vector<bool> dstate_only;
    // inputs
    std::vector<std::string> iname;
    std::vector<int> idiff;  // state variable of difference coupling, or -1
    // stored variables: states, then the state-only defines, then the recorded input-dependent defines
    std::vector<std::string> variables;
    std::vector<std::size_t> stored_define;  // define index of variable states + j
    std::vector<std::size_t> recorded;
    std::vector<std::string> modulators;
    std::vector<std::pair<std::size_t, std::size_t>> background;  // (parameter, state)
    std::map<std::string, symbol> symbols;
    bool exact_division = true;
};

bool reserved(const std::string& n) {
    if (n == "t" || n == "dt" || n == "pi") return true;
    for (const auto& f : expression_functions())
        if (n == f.name) return true;
    return false;
}

bool valid_name(const std::string& n) {
    if (n.empty() || !(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_')) return false;
    for (char c : n)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

/// The model's functions (model.equations.functions) with their bodies expanded.
struct function_table {
    std::vector<user_function> list;
    std::vector<expr> bodies;
};

function_table user_functions(const equations_spec& q) {
    function_table f;
    for (const auto& u : q.functions) f.list.push_back({u.name, u.args, u.body.text});
    try {
        f.bodies = expand_user_functions(f.list);
    } catch (const user_function_error& x) {
        fail_at(q.functions[x.function()].body, x.what());
    }
    return f;
}

/// Parsed, with the calls of the model's functions expanded inline.
expr parse_at(const equation_text& t, const function_table& f) {
    if (t.text.empty()) fail("'" + t.key + "' is empty");
    try {
        return parse_expression(t.text, f.list, f.bodies);
    } catch (const expression_error& e) {
        fail_at(t, e.what());
    }
}

/// Depth-first order of items 0..n-1 by deps (each before its users); a cycle is refused naming it.
std::vector<std::size_t> dependency_order(const std::vector<std::vector<std::size_t>>& deps,
                                          const std::vector<std::string>& names, const std::string& what) {
    const std::size_t n = deps.size();
    std::vector<int> mark(n, 0);  // 0 new, 1 on the path, 2 done
    std::vector<std::size_t> order, path;
    std::function<void(std::size_t)> visit = [&](std::size_t u) {
        if (mark[u] == 2) return;
        if (mark[u] == 1) {
            std::string cycle;
            auto it = std::find(path.begin(), path.end(), u);
            for (; it != path.end(); ++it) cycle += names[*it] + " -> ";
            fail("circular " + what + " definitions: " + cycle + names[u]);
        }
        mark[u] = 1;
        path.push_back(u);
        for (std::size_t v : deps[u]) visit(v);
        path.pop_back();
        mark[u] = 2;
        order.push_back(u);
    };
    for (std::size_t u = 0; u < n; ++u) visit(u);
    return order;
}

eq_model build_model(const model_spec& m) {
    const equations_spec& q = m.equations;
    if (!q.defined) fail("the model has no 'model.equations' section");
    eq_model e;
    e.exact_division = q.exact_division;
    const function_table fn = user_functions(q);
    auto declare = [&](const std::string& name, symbol s, const std::string& key) {
        if (!valid_name(name)) fail("'" + key + "': '" + name + "' is not a name (letters, digits, _)");
        if (reserved(name)) fail("'" + key + "': '" + name + "' is a reserved name (t, dt, pi or a function)");
        if (e.symbols.count(name)) fail("'" + key + "': the name '" + name + "' is defined twice");
        e.symbols[name] = s;
    };
    // parameters
    for (const auto& p : q.parameters) {
        declare(p.name, {sym_kind::parameter, e.pname.size()}, p.key);
        e.pname.push_back(p.name);
        e.pexpr.push_back(parse_at(p, fn));
        e.ptext.push_back(&p);
        e.pdata.push_back(nullptr);
    }
    const std::size_t n_explicit = e.pname.size();
    for (const auto& [name, values] : q.vectors) {
        if (e.symbols.count(name)) continue;  // an explicit parameter of that name takes precedence
        if (!valid_name(name) || reserved(name)) continue;
        e.symbols[name] = {sym_kind::parameter, e.pname.size()};
        e.pname.push_back(name);
        e.pexpr.emplace_back();
        e.ptext.push_back(nullptr);
        e.pdata.push_back(&values);
    }
    for (const auto& g : m.gradients) {
        if (e.symbols.count(g.name) || !valid_name(g.name) || reserved(g.name)) continue;
        e.symbols[g.name] = {sym_kind::parameter, e.pname.size()};
        e.pname.push_back(g.name);
        e.pexpr.emplace_back();
        e.ptext.push_back(nullptr);
        e.pdata.push_back(&g.values);
    }
    // state, defines, inputs, stimuli
    if (q.state.empty()) fail("'model.equations.state' declares no state variable");
    for (const auto& s : q.state) {
        declare(s.name, {sym_kind::state, e.sname.size()}, s.ddt.key);
        e.sname.push_back(s.name);
    }
    for (const auto& d : q.defines) {
        declare(d.name, {sym_kind::define, e.dname.size()}, d.key);
        e.dname.push_back(d.name);
        e.dexpr.push_back(parse_at(d, fn));
    }
    for (const auto& in : q.inputs) {
        declare(in.name, {sym_kind::input, e.iname.size()}, "model.equations.inputs." + in.name);
        e.iname.push_back(in.name);
        int diff = -1;
        if (!in.difference_of.empty()) {
            auto it = e.symbols.find(in.difference_of);
            if (it == e.symbols.end() || it->second.kind != sym_kind::state)
                fail("'model.equations.inputs." + in.name + ".difference' = '" + in.difference_of +
                     "' is not a state variable (declared: " +
                     [&] {
                         std::string s;
                         for (const auto& x : e.sname) s += (s.empty() ? "" : ", ") + x;
                         return s;
                     }() +
                     ")");
            diff = static_cast<int>(it->second.index);
        }
        e.idiff.push_back(diff);
    }
    for (std::size_t k = 0; k < e.sname.size(); ++k) {
        const std::string n = "stim_" + e.sname[k];
        if (e.symbols.count(n))
            fail("the name '" + n + "' is reserved for the stimulus of state variable '" + e.sname[k] + "'");
        e.symbols[n] = {sym_kind::stim, k};
    }
    e.symbols["t"] = {sym_kind::time, 0};
    e.symbols["dt"] = {sym_kind::dt, 0};
    e.symbols["pi"] = {sym_kind::pi, 0};
    // functions: names, parameters, the names their bodies use (the context of a call checks the rest)
    for (std::size_t i = 0; i < q.functions.size(); ++i) {
        const equation_function& f = q.functions[i];
        const std::string& key = f.body.key;
        if (!valid_name(f.name)) fail("'" + key + "': '" + f.name + "' is not a name (letters, digits, _)");
        if (reserved(f.name)) fail("'" + key + "': '" + f.name + "' is a reserved name (t, dt, pi or a function)");
        if (e.symbols.count(f.name)) fail("'" + key + "': the name '" + f.name + "' is defined twice");
        for (std::size_t j = 0; j < i; ++j)
            if (q.functions[j].name == f.name) fail("'" + key + "': the function '" + f.name + "' is defined twice");
        for (std::size_t a = 0; a < f.args.size(); ++a) {
            if (!valid_name(f.args[a]) || reserved(f.args[a]))
                fail("'" + key + "': argument '" + f.args[a] + "' is not a name (letters, digits, _; not t, dt, pi " +
                     "or a function)");
            for (std::size_t b = 0; b < a; ++b)
                if (f.args[b] == f.args[a]) fail("'" + key + "': argument '" + f.args[a] + "' is given twice");
        }
        std::vector<std::pair<std::string, std::size_t>> names;
        expression_names(fn.bodies[i], names);
        for (const auto& [n, col] : names)
            if (std::find(f.args.begin(), f.args.end(), n) == f.args.end() && !e.symbols.count(n))
                fail_at(f.body, "column " + std::to_string(col) + ": unknown name '" + n + "'");
    }

    // names and functions each context allows
    auto known_names = [&](const expr& x, const equation_text& t, const std::vector<sym_kind>& allowed,
                           const char* context) {
        std::vector<std::pair<std::string, std::size_t>> names;
        expression_names(x, names);
        for (const auto& [n, col] : names) {
            auto it = e.symbols.find(n);
            if (it == e.symbols.end()) fail_at(t, "column " + std::to_string(col) + ": unknown name '" + n + "'");
            if (std::find(allowed.begin(), allowed.end(), it->second.kind) == allowed.end())
                fail_at(t, "column " + std::to_string(col) + ": '" + n + "' cannot be used in " + context);
        }
    };
    auto setup_calls = [&](const expr& x, const equation_text& t, bool reductions, bool init_normal) {
        std::vector<std::pair<std::string, std::size_t>> calls;
        expression_calls(x, calls);
        for (const auto& [f, col] : calls) {
            const bool red = f == "amax" || f == "amin" || f == "asum" || f == "amean";
            if ((red && !reductions) || ((f == "init_normal" || f == "init_uniform") && !init_normal))
                fail_at(t, "column " + std::to_string(col) + ": '" + f + "' can be used only in " +
                               (red ? "parameters" : "initial values"));
        }
    };
    const std::vector<sym_kind> setup_kinds{sym_kind::parameter, sym_kind::dt, sym_kind::pi};
    const std::vector<sym_kind> all_kinds{sym_kind::parameter, sym_kind::state, sym_kind::define, sym_kind::input,
                                          sym_kind::stim,      sym_kind::time,  sym_kind::dt,     sym_kind::pi};
    e.pdeps.assign(n_explicit, {});
    for (std::size_t p = 0; p < n_explicit; ++p) {
        known_names(e.pexpr[p], *e.ptext[p], setup_kinds, "a parameter (parameters, vectors, gradients, dt, pi)");
        setup_calls(e.pexpr[p], *e.ptext[p], true, false);
        std::vector<std::pair<std::string, std::size_t>> names;
        expression_names(e.pexpr[p], names);
        for (const auto& nm : names) {
            const symbol s = e.symbols.at(nm.first);
            if (s.kind == sym_kind::parameter && s.index < n_explicit) e.pdeps[p].push_back(s.index);
        }
    }
    std::vector<std::string> explicit_names(e.pname.begin(), e.pname.begin() + static_cast<long>(n_explicit));
    e.porder = dependency_order(e.pdeps, explicit_names, "parameter");

    std::vector<std::vector<std::size_t>> ddeps(e.dname.size());
    for (std::size_t d = 0; d < e.dname.size(); ++d) {
        known_names(e.dexpr[d], q.defines[d], all_kinds, "a define");
        setup_calls(e.dexpr[d], q.defines[d], false, false);
        std::vector<std::pair<std::string, std::size_t>> names;
        expression_names(e.dexpr[d], names);
        for (const auto& nm : names) {
            const symbol s = e.symbols.at(nm.first);
            if (s.kind == sym_kind::define) ddeps[d].push_back(s.index);
        }
    }
    e.dorder = dependency_order(ddeps, e.dname, "define");
    e.dstate_only.assign(e.dname.size(), true);
    for (std::size_t d : e.dorder) {
        std::vector<std::pair<std::string, std::size_t>> names;
        expression_names(e.dexpr[d], names);
        for (const auto& nm : names) {
            const symbol s = e.symbols.at(nm.first);
            if (s.kind == sym_kind::input || s.kind == sym_kind::stim || s.kind == sym_kind::time ||
                (s.kind == sym_kind::define && !e.dstate_only[s.index]))
                e.dstate_only[d] = false;
        }
    }

    int next_noise = 0;
    e.stim_explicit.assign(e.sname.size(), false);
    for (std::size_t k = 0; k < q.state.size(); ++k) {
        const equation_state& s = q.state[k];
        e.ddt.push_back(parse_at(s.ddt, fn));
        known_names(e.ddt.back(), s.ddt, all_kinds, "a derivative");
        setup_calls(e.ddt.back(), s.ddt, false, false);
        e.init.push_back(parse_at(s.initial, fn));
        known_names(e.init.back(), s.initial, setup_kinds,
                    "an initial value (parameters, dt, pi, init_normal, init_uniform)");
        setup_calls(e.init.back(), s.initial, false, true);
        e.has_noise.push_back(!s.noise.text.empty());
        if (e.has_noise.back()) {
            e.noise.push_back(parse_at(s.noise, fn));
            known_names(e.noise.back(), s.noise,
                        {sym_kind::parameter, sym_kind::state, sym_kind::define, sym_kind::dt, sym_kind::pi},
                        "a noise amplitude (parameters, state, defines)");
            setup_calls(e.noise.back(), s.noise, false, false);
            std::vector<std::pair<std::string, std::size_t>> names;
            expression_names(e.noise.back(), names);
            for (const auto& [n, col] : names) {
                const symbol sy = e.symbols.at(n);
                if (sy.kind == sym_kind::define && !e.dstate_only[sy.index])
                    fail_at(s.noise, "column " + std::to_string(col) + ": '" + n +
                                         "' depends on inputs or stimuli; a noise amplitude may use only "
                                         "parameters, state and defines of those");
            }
            e.noise_index.push_back(s.noise_index >= 0 ? s.noise_index : next_noise);
            next_noise = std::max(next_noise, e.noise_index.back() + 1);
        } else {
            e.noise.emplace_back();
            e.noise_index.push_back(-1);
        }
        if (!(s.min <= s.max)) fail("'model.equations.state." + s.name + "': min > max");
    }
    for (std::size_t a = 0; a < e.noise_index.size(); ++a)
        for (std::size_t b = a + 1; b < e.noise_index.size(); ++b)
            if (e.noise_index[a] >= 0 && e.noise_index[a] == e.noise_index[b])
                fail("state variables '" + e.sname[a] + "' and '" + e.sname[b] + "' have the same noise_index " +
                     std::to_string(e.noise_index[a]));
    // which stimuli are used explicitly
    auto mark_stim = [&](const expr& x) {
        std::vector<std::pair<std::string, std::size_t>> names;
        expression_names(x, names);
        for (const auto& nm : names) {
            const symbol s = e.symbols.at(nm.first);
            if (s.kind == sym_kind::stim) e.stim_explicit[s.index] = true;
        }
    };
    for (const auto& x : e.ddt) mark_stim(x);
    for (const auto& x : e.dexpr) mark_stim(x);

    // stored variables
    e.variables = e.sname;
    for (std::size_t d = 0; d < e.dname.size(); ++d)
        if (e.dstate_only[d]) {
            e.stored_define.push_back(d);
            e.variables.push_back(e.dname[d]);
        }
    std::vector<std::string> record = q.record;
    if (record.empty()) record = e.sname;
    for (const auto& r : record) {
        auto it = e.symbols.find(r);
        if (it == e.symbols.end() || (it->second.kind != sym_kind::state && it->second.kind != sym_kind::define))
            fail("'model.equations.record': '" + r + "' is not a state variable or a define");
        if (it->second.kind == sym_kind::define && !e.dstate_only[it->second.index] &&
            std::find(e.variables.begin(), e.variables.end(), r) == e.variables.end()) {
            e.stored_define.push_back(it->second.index);
            e.variables.push_back(r);
        }
        const std::size_t v = static_cast<std::size_t>(std::find(e.variables.begin(), e.variables.end(), r) -
                                                       e.variables.begin());
        if (std::find(e.recorded.begin(), e.recorded.end(), v) != e.recorded.end())
            fail("'model.equations.record' names '" + r + "' twice");
        e.recorded.push_back(v);
    }
    // modulators: explicit parameters written as a number
    for (const auto& mname : q.modulators) {
        auto it = e.symbols.find(mname);
        if (it == e.symbols.end() || it->second.kind != sym_kind::parameter || it->second.index >= n_explicit ||
            e.pexpr[it->second.index].k != expr::kind::number)
            fail("'model.equations.modulators': '" + mname + "' is not a parameter given as a number");
        e.modulators.push_back(mname);
    }
    // backgrounds
    for (const auto& [pn, sn] : q.background) {
        auto p = e.symbols.find(pn);
        auto s = e.symbols.find(sn);
        if (p == e.symbols.end() || p->second.kind != sym_kind::parameter || p->second.index >= n_explicit)
            fail("'model.equations.background': '" + pn + "' is not a parameter");
        if (s == e.symbols.end() || s->second.kind != sym_kind::state)
            fail("'model.equations.background." + pn + "' = '" + sn + "' is not a state variable");
        for (std::size_t u = 0; u < n_explicit; ++u)
            for (std::size_t d : e.pdeps[u])
                if (d == p->second.index)
                    fail("'model.equations.background': parameter '" + pn +
                         "' is solved per area and cannot be "
                         "used by parameter '" +
                         e.pname[u] + "'");
        e.background.emplace_back(p->second.index, s->second.index);
    }
    return e;
}

// ---- set-up evaluation ----------------------------------------------------------------------------------------

/// Every parameter's value in every area of the model: [parameter][area].
std::vector<std::vector<double>> parameter_values(const eq_model& e, const model_spec& m,
                                                  const std::vector<std::pair<std::string, double>>& overrides) {
    const std::size_t N = m.areas.size();
    std::vector<std::vector<double>> val(e.pname.size());
    for (std::size_t p = 0; p < e.pname.size(); ++p) {
        if (!e.pdata[p]) continue;
        if (e.pdata[p]->size() != N)
            fail("per-area data '" + e.pname[p] + "' has " + std::to_string(e.pdata[p]->size()) + " values for " +
                 std::to_string(N) + " areas");
        val[p] = *e.pdata[p];
    }
    std::size_t area = 0;
    std::function<double(const std::string&)> lookup;
    std::function<double(const expr&)> setup_call;
    lookup = [&](const std::string& n) -> double {
        const symbol s = e.symbols.at(n);
        if (s.kind == sym_kind::dt) return m.run.dt_ms;
        if (s.kind == sym_kind::pi) return M_PI;
        return val[s.index][area];
    };
    setup_call = [&](const expr& c) -> double {
        const std::size_t keep = area;
        double acc = c.name == "amax"   ? -std::numeric_limits<double>::infinity()
                     : c.name == "amin" ? std::numeric_limits<double>::infinity()
                                        : 0.0;
        for (area = 0; area < N; ++area) {
            const double x = evaluate(c.args[0], lookup, setup_call);
            if (c.name == "amax")
                acc = std::max(acc, x);
            else if (c.name == "amin")
                acc = std::min(acc, x);
            else
                acc += x;
        }
        area = keep;
        if (c.name == "amean") acc /= static_cast<double>(N);
        return acc;
    };
    for (std::size_t p : e.porder) {
        val[p].assign(N, 0.0);
        bool overridden = false;
        for (const auto& [name, v] : overrides)
            if (name == e.pname[p]) {
                std::fill(val[p].begin(), val[p].end(), v);
                overridden = true;
            }
        if (overridden) continue;
        for (area = 0; area < N; ++area) val[p][area] = evaluate(e.pexpr[p], lookup, setup_call);
    }
    for (std::size_t p = 0; p < e.pname.size(); ++p)
        for (std::size_t a = 0; a < N; ++a)
            if (!std::isfinite(val[p][a]))
                fail("parameter '" + e.pname[p] + "' is not finite in area '" + m.areas.names[a] + "' (" +
                     std::to_string(val[p][a]) + ")");
    return val;
}

/// Parameters that vary by area in the kernel: data, anything not equal in every area, modulators and what
/// depends on them, backgrounds.
std::vector<bool> per_area_parameters(const eq_model& e, const std::vector<std::vector<double>>& val) {
    std::vector<bool> per(e.pname.size(), false);
    for (std::size_t p = 0; p < e.pname.size(); ++p) {
        if (e.pdata[p]) per[p] = true;
        for (double v : val[p])
            if (!(v == val[p][0])) per[p] = true;
    }
    for (const auto& mname : e.modulators) per[e.symbols.at(mname).index] = true;
    for (const auto& b : e.background) per[b.first] = true;
    // a parameter depending on a modulated one (transitively) must follow it
    bool changed = true;
    std::vector<bool> modulated(e.pname.size(), false);
    for (const auto& mname : e.modulators) modulated[e.symbols.at(mname).index] = true;
    while (changed) {
        changed = false;
        for (std::size_t p : e.porder)
            for (std::size_t d : e.pdeps[p])
                if (modulated[d] && !modulated[p]) modulated[p] = per[p] = changed = true;
    }
    return per;
}

/// Noise whose amplitude depends on parameters only and is 0 in every area is dropped (no deviates drawn, no
/// term in the kernel): `noise: 0` or a zero sigma from a --set costs nothing.
void drop_silent_noise(eq_model& e, const model_spec& m, const std::vector<std::vector<double>>& val) {
    for (std::size_t k = 0; k < e.sname.size(); ++k) {
        if (!e.has_noise[k]) continue;
        std::vector<std::pair<std::string, std::size_t>> names;
        expression_names(e.noise[k], names);
        bool params_only = true;
        for (const auto& nm : names) {
            const sym_kind kind = e.symbols.at(nm.first).kind;
            params_only = params_only && (kind == sym_kind::parameter || kind == sym_kind::dt || kind == sym_kind::pi);
        }
        if (!params_only) continue;
        bool zero = true;
        for (std::size_t a = 0; a < m.areas.size() && zero; ++a) {
            auto lookup = [&](const std::string& n) -> double {
                const symbol s = e.symbols.at(n);
                if (s.kind == sym_kind::dt) return m.run.dt_ms;
                if (s.kind == sym_kind::pi) return M_PI;
                return val[s.index][a];
            };
            zero = evaluate(e.noise[k], lookup, [](const expr&) { return 0.0; }) == 0.0;
        }
        if (zero) e.has_noise[k] = false;
    }
}

// ---- code generation ------------------------------------------------------------------------------------------

// The kernel's argument block: one field list, compiled here and pasted into the generated code, so that the two
// layouts cannot drift apart.
#define CORTEXSIM_CS_ARGS_FIELDS \
    std::size_t n;               \
    double dt, sqrt_dt, t;       \
    int store;                   \
    double* const* x;            \
    double* const* dx;           \
    const double* const* p;      \
    const double* sp;            \
    const double* const* lr;     \
    const double* const* rs;     \
    const double* const* stim;   \
    const double* const* z;      \
    double* const* w;
#define CORTEXSIM_STRING(...) #__VA_ARGS__
#define CORTEXSIM_EXPANDED_STRING(...) CORTEXSIM_STRING(__VA_ARGS__)

struct cs_args {
    CORTEXSIM_CS_ARGS_FIELDS
};
const char* const args_struct = "struct cs_args { " CORTEXSIM_EXPANDED_STRING(CORTEXSIM_CS_ARGS_FIELDS) " };\n";
using kernel_fn = void (*)(const cs_args*);

std::string generate(const eq_model& e, const std::vector<bool>& per_area) {
    auto name = [&](const std::string& n) -> std::string {
        if (n[0] == '#') return "H" + n.substr(1);  // a hoisted loop invariant (below)
        const symbol s = e.symbols.at(n);
        const std::string k = std::to_string(s.index);
        switch (s.kind) {
            case sym_kind::parameter: return per_area[s.index] ? "P" + k + "[i]" : "S" + k;
            case sym_kind::state: return "x" + k;
            case sym_kind::define: return "d" + k;
            case sym_kind::input:
                if (e.idiff[s.index] >= 0)
                    return "(L" + k + "[i] - R" + k + "[i] * x" + std::to_string(e.idiff[s.index]) + ")";
                return "L" + k + "[i]";
            case sym_kind::stim: return "T" + k + "[i]";
            case sym_kind::time: return "t";
            case sym_kind::dt: return "dt";
            case sym_kind::pi: return "3.141592653589793";
        }
        return "";
    };
    // in the Euler and increments kernels every define is computed in its own pass over the areas into a work
    // array W<d> (same expression, same rounding): the arithmetic passes vectorise, the passes with library
    // calls (exp, tanh) stay tight loops, as in the hand-written kernels
    // Loop invariants: every largest subexpression of uniform parameters, numbers, t, dt and pi is computed once
    // per call, before the loops, as H<k> (the same operations: the same bits). Unless exact_division, a
    // division by such a value becomes a multiplication by its reciprocal H<k> = 1.0 / (...) (can differ in the
    // last bit): a division costs several multiplications, and rate models divide by time constants everywhere.
    std::vector<std::string> hoisted;
    std::map<std::string, std::size_t> hoisted_index;
    std::function<bool(const expr&)> invariant = [&](const expr& x) -> bool {
        if (x.k == expr::kind::number) return true;
        if (x.k == expr::kind::name) {
            if (x.name[0] == '#') return true;
            const symbol s = e.symbols.at(x.name);
            return (s.kind == sym_kind::parameter && !per_area[s.index]) || s.kind == sym_kind::time ||
                   s.kind == sym_kind::dt || s.kind == sym_kind::pi;
        }
        for (const auto& a : x.args)
            if (!invariant(a)) return false;
        return true;
    };
    auto hoist_as = [&](const std::string& code) {
        auto it = hoisted_index.find(code);
        if (it == hoisted_index.end()) {
            it = hoisted_index.emplace(code, hoisted.size()).first;
            hoisted.push_back(code);
        }
        expr h;
        h.k = expr::kind::name;
        h.name = "#" + std::to_string(it->second);
        return h;
    };
    std::function<void(expr&)> hoist = [&](expr& x) {
        if (x.k == expr::kind::number || x.k == expr::kind::name) return;
        if (invariant(x)) {
            x = hoist_as(emit_cpp(x, name));
            return;
        }
        for (auto& a : x.args) hoist(a);
        if (!e.exact_division && x.k == expr::kind::div && invariant(x.args[1])) {
            x.k = expr::kind::mul;
            x.args[1] = hoist_as("1.0 / " + emit_cpp(x.args[1], name));
        }
    };
    std::vector<expr> dexpr = e.dexpr, ddt = e.ddt, noise = e.noise;
    for (std::size_t d : e.dorder) hoist(dexpr[d]);
    for (std::size_t k = 0; k < ddt.size(); ++k) {
        hoist(ddt[k]);
        if (e.has_noise[k]) hoist(noise[k]);
    }
    // every loop over the areas reads and writes distinct arrays (states, work arrays, records, increments;
    // only read-only inputs may share a buffer of zeros): ivdep says so, since GCC ignores __restrict on local
    // pointers and, past 10 run-time alias checks, would not vectorise the final loop at all
    const std::string loop_head = "#pragma GCC ivdep\n    for (std::size_t i = 0; i < n; ++i) {\n";
    const std::size_t K = e.sname.size();
    auto header = [&](bool dx) {
        std::string s =
            "    const std::size_t n = a->n;\n    const double dt = a->dt, sqrt_dt = a->sqrt_dt, t = a->t;\n"
            "    (void)dt; (void)sqrt_dt; (void)t;\n";
        for (std::size_t v = 0; v < e.variables.size(); ++v)
            s += "    double* __restrict X" + std::to_string(v) + " = a->x[" + std::to_string(v) + "];\n";
        if (dx)
            for (std::size_t k = 0; k < K; ++k)
                s += "    double* __restrict D" + std::to_string(k) + " = a->dx[" + std::to_string(k) + "];\n";
        for (std::size_t p = 0; p < e.pname.size(); ++p) {
            const std::string k = std::to_string(p);
            if (per_area[p])
                s += "    const double* __restrict P" + k + " = a->p[" + k + "];\n";
            else
                s += "    const double S" + k + " = a->sp[" + k + "];\n";
        }
        for (std::size_t c = 0; c < e.iname.size(); ++c) {
            const std::string k = std::to_string(c);
            s += "    const double* __restrict L" + k + " = a->lr[" + k + "];\n";
            if (e.idiff[c] >= 0) s += "    const double* __restrict R" + k + " = a->rs[" + k + "];\n";
        }
        for (std::size_t d = 0; d < e.dname.size(); ++d)
            s += "    double* __restrict W" + std::to_string(d) + " = a->w[" + std::to_string(d) + "];\n";
        for (std::size_t k = 0; k < K; ++k) {
            s += "    const double* __restrict T" + std::to_string(k) + " = a->stim[" + std::to_string(k) + "];\n";
            if (e.has_noise[k])
                s += "    const double* __restrict Z" + std::to_string(k) + " = a->z[" + std::to_string(k) + "];\n";
        }
        for (std::size_t h = 0; h < hoisted.size(); ++h)
            s += "    const double H" + std::to_string(h) + " = " + hoisted[h] + ";\n";
        return s;
    };
    auto loads = [&] {
        std::string s;
        for (std::size_t k = 0; k < K; ++k)
            s += "        const double x" + std::to_string(k) + " = X" + std::to_string(k) + "[i];\n";
        return s;
    };
    auto defines = [&](bool state_only) {
        std::string s;
        for (std::size_t d : e.dorder)
            if (!state_only || e.dstate_only[d])
                s += "        const double d" + std::to_string(d) + " = " + emit_cpp(dexpr[d], name) + ";\n";
        return s;
    };
    // Loops over the areas: consecutive defines of arithmetic and branch-free functions share one loop (it
    // vectorises); a define that calls a library function (exp, tanh, ...) gets a loop of its own, a tight loop
    // of calls; the last arithmetic group joins the final loop (right-hand sides and update). A define is kept
    // in its work array W<d> for the later loops and the records. Same expressions: the same bits.
    std::function<bool(const expr&)> simple = [&](const expr& x) -> bool {
        if (x.k == expr::kind::call && x.name != "abs" && x.name != "sqrt" && x.name != "heaviside" &&
            x.name != "relu" && x.name != "min" && x.name != "max" && x.name != "threshold_linear")
            return false;
        if (x.k == expr::kind::pow && emit_cpp(x, name).rfind("cs_", 0) != 0) return false;  // std::pow
        for (const auto& a : x.args)
            if (!simple(a)) return false;
        return true;
    };
    std::vector<std::vector<std::size_t>> groups;
    bool last_simple = false;
    for (std::size_t d : e.dorder) {
        const bool sd = simple(dexpr[d]);
        if (groups.empty() || !sd || !last_simple) groups.emplace_back();
        groups.back().push_back(d);
        last_simple = sd;
    }
    std::vector<std::size_t> tail;  // computed in the final loop
    if (!groups.empty() && last_simple) {
        tail = groups.back();
        groups.pop_back();
    }
    std::vector<bool> recorded_define(e.dname.size(), false), local(e.dname.size(), false);
    for (std::size_t d : e.stored_define) recorded_define[d] = true;
    auto lname = [&](const std::string& n) -> std::string {  // a define of this loop, an earlier one, or else
        if (n[0] != '#' && e.symbols.at(n).kind == sym_kind::define) {
            const std::size_t d = e.symbols.at(n).index;
            return local[d] ? "d" + std::to_string(d) : "W" + std::to_string(d) + "[i]";
        }
        return name(n);
    };
    auto group_code = [&](const std::vector<std::size_t>& g, bool in_final) {
        std::string s;
        for (std::size_t d : g) {
            const std::string ds = std::to_string(d);
            s += "        const double d" + ds + " = " + emit_cpp(dexpr[d], lname) + ";\n";
            if (!in_final || recorded_define[d]) s += "        W" + ds + "[i] = d" + ds + ";\n";
            local[d] = true;
        }
        return s;
    };
    auto define_passes = [&] {
        std::string s;
        for (const auto& g : groups) {
            std::fill(local.begin(), local.end(), false);
            s += loop_head + loads() + group_code(g, false) + "    }\n";
        }
        std::fill(local.begin(), local.end(), false);
        return s;
    };
    auto rhs = [&] {  // the final loop's defines, then the right-hand sides
        std::string s = group_code(tail, true);
        for (std::size_t k = 0; k < K; ++k) {
            const std::string ks = std::to_string(k);
            s += "        const double f" + ks + " = " + emit_cpp(ddt[k], lname);
            if (!e.stim_explicit[k]) s += " + T" + ks + "[i]";
            s += ";\n";
            if (e.has_noise[k]) s += "        const double g" + ks + " = " + emit_cpp(noise[k], lname) + ";\n";
        }
        std::fill(local.begin(), local.end(), false);
        return s;
    };
    // the recorded defines are copied after the final loop, in a loop of their own: a branch inside the final
    // loop would keep it from vectorising
    auto stores = [&] {
        if (e.stored_define.empty()) return std::string();
        std::string s = "    if (a->store)\n" + loop_head;
        for (std::size_t j = 0; j < e.stored_define.size(); ++j)
            s += "            X" + std::to_string(K + j) + "[i] = W" + std::to_string(e.stored_define[j]) + "[i];\n";
        return s + "        }\n";
    };
    std::string src = "// cortexsim equations kernel (generated; docs/models.md, \"Equations\")\n";
    src += expression_prelude();
    src += args_struct;
    // Euler: every right-hand side from the state at the start of the step, then the update.
    src += "extern \"C\" void cs_euler(const cs_args* a) {\n" + header(false) + define_passes();
    src += loop_head + loads() + rhs();
    for (std::size_t k = 0; k < K; ++k) {
        const std::string ks = std::to_string(k);
        src += "        X" + ks + "[i] = x" + ks + " + dt * f" + ks;
        if (e.has_noise[k]) src += " + g" + ks + " * sqrt_dt * Z" + ks + "[i]";
        src += ";\n";
    }
    src += "    }\n" + stores() + "}\n";
    src += "extern \"C\" void cs_increments(const cs_args* a) {\n" + header(true) + define_passes();
    src += loop_head + loads() + rhs();
    for (std::size_t k = 0; k < K; ++k) {
        const std::string ks = std::to_string(k);
        src += "        D" + ks + "[i] = dt * f" + ks;
        if (e.has_noise[k]) src += " + g" + ks + " * sqrt_dt * Z" + ks + "[i]";
        src += ";\n";
    }
    src += "    }\n" + stores() + "}\n";
    src += "extern \"C\" void cs_derive(const cs_args* a) {\n" + header(false);
    src += loop_head + loads() + defines(true);
    for (std::size_t j = 0; j < e.stored_define.size(); ++j)
        if (e.dstate_only[e.stored_define[j]])
            src += "        X" + std::to_string(K + j) + "[i] = d" + std::to_string(e.stored_define[j]) + ";\n";
    src += "    }\n}\n";
    return src;
}

std::string compiler() {
    for (const char* v : {"CORTEXSIM_CXX", "CXX"})
        if (const char* c = std::getenv(v); c && *c) return c;
    return "c++";
}

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

/// Runs `sh -c command` (posix_spawn: safe in an MPI process) and returns its exit status (127: not found).
int run_shell(const std::string& command) {
    pid_t pid = 0;
    std::string sh = "/bin/sh", c = "-c", cmd = command;
    char* argv[] = {sh.data(), c.data(), cmd.data(), nullptr};
    if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv, environ) != 0) return 127;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

void write_atomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream o(tmp, std::ios::binary);
        o << text;
        if (!o) throw io_error("equations kernel: cannot write '" + tmp + "'");
    }
    fs::rename(tmp, path);
}

}  // namespace

// ---- kernel files ---------------------------------------------------------------------------------------------

std::string equations_kernel_cache() {
    if (const char* c = std::getenv("CORTEXSIM_KERNEL_CACHE"); c && *c) return c;
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/cortexsim/kernels";
    return "/tmp/cortexsim-kernels-" + std::to_string(::getuid());
}

namespace {
equations_kernel_file kernel_file_of(const eq_model& e, const std::vector<bool>& per_area) {
    equations_kernel_file k;
    k.source = generate(e, per_area);
    const std::string flags = "-std=c++17 -O3 -ffp-contract=off -fno-math-errno -fPIC -shared";
    sha256 h;
    h.update(k.source);
    h.update("\n" + flags);  // not the compiler's name: a job without one finds what a login node compiled
    k.hash = h.hex();
    const std::string dir = equations_kernel_cache();
    const std::string stem = dir + "/" + k.hash.substr(0, 32);
    k.cpp_path = stem + ".cpp";
    k.so_path = stem + ".so";
    k.command = compiler() + " " + flags + " -o " + shell_quote(stem + ".so.tmp.PID") + " " + shell_quote(k.cpp_path);
    return k;
}
}  // namespace

equations_kernel_file equations_kernel(const model_spec& m) {
    eq_model e = build_model(m);
    const auto val = parameter_values(e, m, {});
    drop_silent_noise(e, m, val);
    return kernel_file_of(e, per_area_parameters(e, val));
}

bool compile_equations_kernel(const equations_kernel_file& k) {
    if (fs::exists(k.so_path)) return false;
    const std::string dir = fs::path(k.so_path).parent_path().string();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw io_error("equations kernel: cannot create the cache directory '" + dir + "': " + ec.message());
    write_atomically(k.cpp_path, k.source);
    const std::string pid = std::to_string(::getpid());
    const std::string tmp = k.so_path + ".tmp." + pid;
    const std::string log = k.so_path.substr(0, k.so_path.size() - 3) + ".log";
    std::string command = k.command;
    command.replace(command.find(".so.tmp.PID"), 11, ".so.tmp." + pid);
    const int rc = run_shell(command + " > " + shell_quote(log) + " 2>&1");
    if (rc != 0) {
        std::ifstream in(log);
        std::string line, first;
        while (std::getline(in, line))
            if (line.find("error") != std::string::npos) {
                first = line;
                break;
            }
        std::error_code ignore;
        fs::remove(tmp, ignore);
        if (rc == 127)
            throw config_error("equations kernel: no C++ compiler '" + compiler() +
                               "' (set CORTEXSIM_CXX or CXX, or run `cortexsim compile CONFIG` where a compiler "
                               "exists and share the kernel cache " +
                               dir + ", docs/hpc.md)");
        throw config_error("equations kernel: the compiler failed on " + k.cpp_path + ": " +
                           (first.empty() ? "exit status " + std::to_string(rc) : first) + " (log: " + log + ")");
    }
    fs::rename(tmp, k.so_path);
    return true;
}

// ---- the circuit ----------------------------------------------------------------------------------------------

struct equations_circuit::impl {
    eq_model e;
    std::vector<std::vector<double>> all_values;  // [parameter][area of the model]
    std::vector<bool> per_area;
    std::vector<std::vector<double>> local;  // per-area parameters, local areas
    std::vector<double> scalars;             // [parameter] (uniform ones)
    std::vector<const double*> pptr;
    std::vector<double*> xptr, dxptr;
    std::vector<const double*> lrptr, rsptr, stimptr, zptr;
    std::vector<std::vector<double>> work;  // [define][local area]: the defines' passes in the kernels
    std::vector<double*> wptr;
    std::vector<std::vector<double>> rowsum;  // difference channels: sum_j W_ij
    std::vector<std::vector<double>> z;       // noise deviates of the step, per state variable
    std::vector<double> zeros;
    std::vector<double> lo, hi;
    bool clamps = false;
    bool noisy = false;
    std::int64_t drawn_step = -1;
    philox_key key{};
    double dt = 0.0;
    std::vector<std::pair<std::string, double>> modulator_values;
    const model_spec* spec = nullptr;
    void* handle = nullptr;
    kernel_fn euler = nullptr, incr = nullptr, derive = nullptr;

    ~impl() {
        if (handle) dlclose(handle);
    }
};

circuit_names equations_circuit::names(const model_spec& m) {
    const eq_model e = build_model(m);
    circuit_names n;
    n.variables = e.variables;
    for (std::size_t v : e.recorded) n.recorded.push_back(e.variables[v]);
    n.channels = e.iname;
    n.ports = e.sname;
    n.modulators = e.modulators;
    return n;
}

void equations_circuit::check(const model_spec& m) {
    const eq_model e = build_model(m);
    if (!(m.run.dt_ms > 0.0)) fail("run.dt_ms must be positive");
    parameter_values(e, m, {});
}

equations_circuit::equations_circuit(const model_spec& m, std::size_t begin, std::size_t n)
    : circuit(begin, n), impl_(std::make_unique<impl>()) {
    impl& s = *impl_;
    s.e = build_model(m);
    const eq_model& e = s.e;
    s.spec = &m;
    {
        std::vector<std::string> rec;
        for (std::size_t v : e.recorded) rec.push_back(e.variables[v]);
        declare(e.variables, rec, e.iname, e.sname, e.modulators);
    }
    if (begin + n > m.areas.size()) fail("local areas exceed the areas of the model");
    s.dt = m.run.dt_ms;
    s.key = key_of(m.run.seed);
    s.all_values = parameter_values(e, m, {});
    drop_silent_noise(s.e, m, s.all_values);
    s.per_area = per_area_parameters(e, s.all_values);
    for (const auto& mname : e.modulators)
        s.modulator_values.emplace_back(mname, s.all_values[e.symbols.at(mname).index][0]);

    // the kernel: compiled (if the cache lacks it) and loaded
    const equations_kernel_file k = kernel_file_of(e, s.per_area);
    compile_equations_kernel(k);
    s.handle = dlopen(k.so_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!s.handle) fail("cannot load the kernel " + k.so_path + ": " + dlerror());
    s.euler = reinterpret_cast<kernel_fn>(dlsym(s.handle, "cs_euler"));
    s.incr = reinterpret_cast<kernel_fn>(dlsym(s.handle, "cs_increments"));
    s.derive = reinterpret_cast<kernel_fn>(dlsym(s.handle, "cs_derive"));
    if (!s.euler || !s.incr || !s.derive) fail("the kernel " + k.so_path + " lacks its functions");

    init_ids(m);
    const std::size_t K = e.sname.size(), P = e.pname.size();
    s.zeros.assign(std::max<std::size_t>(n, 1), 0.0);
    s.local.assign(P, {});
    s.scalars.assign(P, 0.0);
    s.pptr.assign(P, s.zeros.data());
    for (std::size_t p = 0; p < P; ++p) {
        s.scalars[p] = s.all_values[p].empty() ? 0.0 : s.all_values[p][0];
        if (s.per_area[p]) {
            s.local[p].assign(s.all_values[p].begin() + static_cast<long>(begin),
                              s.all_values[p].begin() + static_cast<long>(begin + n));
            s.local[p].resize(std::max<std::size_t>(n, 1), 0.0);
            s.pptr[p] = s.local[p].data();
        }
    }
    s.xptr.assign(e.variables.size(), nullptr);
    for (std::size_t v = 0; v < e.variables.size(); ++v) s.xptr[v] = var(v);
    s.dxptr.assign(K, nullptr);
    s.lrptr.assign(e.iname.size(), s.zeros.data());
    s.rowsum.assign(e.iname.size(), std::vector<double>(std::max<std::size_t>(n, 1), 0.0));
    s.rsptr.assign(e.iname.size(), nullptr);
    for (std::size_t c = 0; c < e.iname.size(); ++c) s.rsptr[c] = s.rowsum[c].data();
    s.stimptr.assign(K, s.zeros.data());
    s.z.assign(K, {});
    s.zptr.assign(K, s.zeros.data());
    for (std::size_t k = 0; k < K; ++k)
        if (e.has_noise[k]) {
            s.noisy = true;
            s.z[k].assign(std::max<std::size_t>(n, 1), 0.0);
            s.zptr[k] = s.z[k].data();
        }
    s.work.assign(e.dname.size(), std::vector<double>(std::max<std::size_t>(n, 1), 0.0));
    for (auto& w : s.work) s.wptr.push_back(w.data());
    s.lo.resize(K);
    s.hi.resize(K);
    for (std::size_t k = 0; k < K; ++k) {
        s.lo[k] = m.equations.state[k].min;
        s.hi[k] = m.equations.state[k].max;
        s.clamps = s.clamps || std::isfinite(s.lo[k]) || std::isfinite(s.hi[k]);
    }

    // initial state
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t a = begin + i;
        auto lookup = [&](const std::string& nm) -> double {
            const symbol sy = e.symbols.at(nm);
            if (sy.kind == sym_kind::dt) return s.dt;
            if (sy.kind == sym_kind::pi) return M_PI;
            return s.all_values[sy.index][a];
        };
        std::function<double(const expr&)> setup;
        setup = [&](const expr& c) -> double {
            const double kk = evaluate(c.args[0], lookup, [](const expr&) { return 0.0; });
            if (!(kk >= 0.0 && kk < 4294967296.0 && kk == std::floor(kk)))
                fail(c.name + "(k" + (c.name == "init_uniform" ? ", lo, hi" : "") + ") needs a whole k >= 0, not " +
                     std::to_string(kk));
            const auto k32 = static_cast<std::uint32_t>(kk);
            if (c.name == "init_uniform") {
                const double lo = evaluate(c.args[1], lookup, setup), hi = evaluate(c.args[2], lookup, setup);
                return lo + (hi - lo) * uniform01(counter_of(area_id(i), k32, initial_uniform_stream), s.key)[0];
            }
            return normal2(counter_of(area_id(i), k32, initial_state_stream), s.key)[0];
        };
        for (std::size_t k = 0; k < K; ++k) {
            const double x0 = evaluate(e.init[k], lookup, setup);
            if (!std::isfinite(x0))
                fail("the initial value of '" + e.sname[k] + "' is not finite in area '" + m.areas.names[a] + "'");
            var(k)[i] = x0;
        }
    }
    derive();
}

equations_circuit::~equations_circuit() = default;

void equations_circuit::call(int which, const step_input& in, double* dx) {
    impl& s = *impl_;
    const eq_model& e = s.e;
    const std::size_t K = e.sname.size();
    for (std::size_t c = 0; c < e.iname.size(); ++c) s.lrptr[c] = in.lr && in.lr[c] ? in.lr[c] : s.zeros.data();
    for (std::size_t k = 0; k < K; ++k) s.stimptr[k] = in.stim && in.stim[k] ? in.stim[k] : s.zeros.data();
    if (s.noisy && s.drawn_step != in.step) {
        // one normal per noisy variable, area and step: noise_normals(seed, area, index / 4, step)[index % 4]
        for (std::size_t i = 0; i < n_; ++i) {
            std::uint32_t group = std::numeric_limits<std::uint32_t>::max();
            std::array<double, 4> g{};
            for (std::size_t k = 0; k < K; ++k) {
                if (!e.has_noise[k]) continue;
                const auto q = static_cast<std::uint32_t>(e.noise_index[k]);
                if (q / 4 != group) {
                    group = q / 4;
                    g = noise_normals(s.key, area_id(i), group, in.step);
                }
                s.z[k][i] = g[q % 4];
            }
        }
        s.drawn_step = in.step;
    }
    if (dx)
        for (std::size_t k = 0; k < K; ++k) s.dxptr[k] = dx + k * n_;
    cs_args a{n_,
              s.dt,
              std::sqrt(s.dt),
              (static_cast<double>(in.step) + in.stage_time) * s.dt,
              in.stage == 0 ? 1 : 0,
              s.xptr.data(),
              s.dxptr.data(),
              s.pptr.data(),
              s.scalars.data(),
              s.lrptr.data(),
              s.rsptr.data(),
              s.stimptr.data(),
              s.zptr.data(),
              s.wptr.data()};
    (which == 0 ? s.euler : which == 1 ? s.incr : s.derive)(&a);
}

void equations_circuit::step(const step_input& in) {
    call(0, in, nullptr);
    project();
}

void equations_circuit::increments(const step_input& in, double* dx) { call(1, in, dx); }

void equations_circuit::project() {
    impl& s = *impl_;
    if (s.clamps)
        for (std::size_t k = 0; k < s.lo.size(); ++k) {
            double* x = var(k);
            const double lo = s.lo[k], hi = s.hi[k];
            for (std::size_t i = 0; i < n_; ++i) x[i] = std::min(std::max(x[i], lo), hi);
        }
    derive();
}

void equations_circuit::derive() {
    if (impl_->e.stored_define.empty()) return;
    step_input none;
    none.stage = 1;
    call(2, none, nullptr);
}

bool equations_circuit::stochastic() const { return impl_->noisy; }

void equations_circuit::prepare(const long_range_probe& probe) {
    impl& s = *impl_;
    const eq_model& e = s.e;
    bool any_diff = false;
    for (int d : e.idiff) any_diff = any_diff || d >= 0;
    if (any_diff) {  // row sums of every difference channel: its input when every source is 1
        const auto ones = probe(std::vector<double>(variables().size(), 1.0));
        for (std::size_t c = 0; c < e.iname.size(); ++c)
            if (e.idiff[c] >= 0)
                for (std::size_t i = 0; i < n_; ++i) s.rowsum[c][i] = ones[c][i];
    }
    if (e.background.empty()) return;
    // backgrounds: parameter b chosen per area so that d(state)/dt = 0 at the initial state, with the
    // long-range input of constant sources (the initial values, which must be equal in every area).
    const std::size_t V = variables().size();
    std::vector<double> value(V, 0.0);
    for (std::size_t v = 0; v < V; ++v) {
        if (n_ == 0) break;
        value[v] = var(v)[0];
    }
    // every rank needs the same source values: the initial state must be uniform (checked on all areas)
    for (std::size_t k = 0; k < e.sname.size(); ++k)
        for (std::size_t i = 0; i < n_; ++i)
            if (!(var(k)[i] == value[k]))
                fail("'model.equations.background' needs an initial value of '" + e.sname[k] +
                     "' that is equal in every area");
    if (n_ == 0) {
        probe(value);
        return;
    }
    const auto lr = probe(value);
    for (std::size_t i = 0; i < n_; ++i) {
        std::vector<double> defs(e.dname.size(), 0.0);
        std::function<double(const std::string&)> lookup = [&](const std::string& nm) -> double {
            const symbol sy = e.symbols.at(nm);
            switch (sy.kind) {
                case sym_kind::parameter: return s.per_area[sy.index] ? s.local[sy.index][i] : s.scalars[sy.index];
                case sym_kind::state: return var(sy.index)[i];
                case sym_kind::define: return defs[sy.index];
                case sym_kind::input:
                    return e.idiff[sy.index] >= 0
                               ? lr[sy.index][i] -
                                     s.rowsum[sy.index][i] * var(static_cast<std::size_t>(e.idiff[sy.index]))[i]
                               : lr[sy.index][i];
                case sym_kind::stim: return 0.0;
                case sym_kind::time: return 0.0;
                case sym_kind::dt: return s.dt;
                case sym_kind::pi: return M_PI;
            }
            return 0.0;
        };
        auto none = [](const expr&) -> double { return 0.0; };
        auto residual = [&](std::size_t k) {
            for (std::size_t d : e.dorder) defs[d] = evaluate(e.dexpr[d], lookup, none);
            return evaluate(e.ddt[k], lookup, none);
        };
        for (int sweep = 0; sweep < 20; ++sweep) {
            double worst = 0.0;
            for (const auto& [p, k] : e.background) {
                double& b = s.local[p][i];
                double b0 = b, f0 = residual(k);
                double b1 = b0 + 1.0;
                for (int it = 0; it < 60 && f0 != 0.0; ++it) {
                    b = b1;
                    const double f1 = residual(k);
                    if (f1 == f0) break;
                    const double b2 = b1 - f1 * (b1 - b0) / (f1 - f0);
                    b0 = b1;
                    f0 = f1;
                    b1 = b2;
                    if (std::abs(b1 - b0) <= 1e-15 * std::max(1.0, std::abs(b1))) break;
                }
                b = b1;
                worst = std::max(worst, std::abs(residual(k)));
            }
            if (worst <= 1e-13) break;
        }
        for (const auto& [p, k] : e.background)
            if (!std::isfinite(s.local[p][i]) || std::abs(residual(k)) > 1e-9)
                fail("'model.equations.background': no value of '" + e.pname[p] + "' makes d" + e.sname[k] +
                     "/dt zero at the initial state in area '" + s.spec->areas.names[begin_ + i] + "'");
    }
}

void equations_circuit::set_modulator(const std::string& name, double value) {
    impl& s = *impl_;
    bool found = false;
    for (auto& [n, v] : s.modulator_values)
        if (n == name) {
            v = value;
            found = true;
        }
    if (!found) circuit::set_modulator(name, value);
    // re-evaluate the parameters that follow the modulators (in place; modulator edges only)
    const auto val = parameter_values(s.e, *s.spec, s.modulator_values);
    for (std::size_t p = 0; p < s.e.pname.size(); ++p) {
        bool background = false;
        for (const auto& b : s.e.background) background = background || b.first == p;
        if (!s.per_area[p] || background) continue;
        for (std::size_t i = 0; i < n_; ++i) s.local[p][i] = val[p][begin_ + i];
    }
}

double equations_circuit::modulator(const std::string& name) const {
    for (const auto& [n, v] : impl_->modulator_values)
        if (n == name) return v;
    return circuit::modulator(name);
}

}  // namespace cortexsim
