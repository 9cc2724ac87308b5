// model.equations of circuit: equations (docs/models.md, "Equations") -> m.equations. Only the layout is read
// here; the expressions are parsed and checked by the circuit's static check (dynamics/circuits/equations.hpp),
// which the config calls through the catalogue.
#include "config_sections.hpp"
#include "cortexsim/common/errors.hpp"
#include "yaml_reader.hpp"

namespace cortexsim::config_sections {

using yaml_reader::section;
using yaml_reader::value;

namespace {

/// An expression: a number or a string, kept as written.
equation_text expression_at(const value& v, const std::string& name) {
    if (!v.present()) v.fail_key("needs a value (a number or an expression in quotes)");
    if (!v.is_scalar()) v.fail("must be a number or an expression (a string)");
    return {name, v.text(), v.key()};
}

std::vector<std::string> names_at(const value& v) {
    std::vector<std::string> out;
    if (!v.present()) return out;
    if (!v.is_list()) v.fail("must be a list of names");
    for (const auto& item : v.items()) out.push_back(item.text());
    return out;
}

}  // namespace

void read_equations(const section& model, const std::vector<data_vector>& vectors, model_spec& m) {
    if (!model.has("equations"))
        throw config_error(model.origin() + ": missing required key 'model.equations' (circuit: equations)");
    const section eq = model.sub("equations");
    eq.only({"parameters", "modulators", "inputs", "define", "state", "record", "background", "units", "division"});
    equations_spec& q = m.equations;
    q.defined = true;
    for (const auto& [name, v] : eq.sub("parameters").entries()) q.parameters.push_back(expression_at(v, name));
    q.modulators = names_at(eq.at("modulators"));
    for (const auto& [name, v] : eq.sub("inputs").entries()) {
        equation_input in;
        in.name = name;
        if (v.present()) {
            const section s = v.map();
            s.only({"difference"});
            in.difference_of = s.text("difference", "");
        }
        q.inputs.push_back(in);
    }
    for (const auto& [name, v] : eq.sub("define").entries()) q.defines.push_back(expression_at(v, name));
    const section st = eq.sub("state");
    if (st.entries().empty())
        throw config_error(model.origin() + ": 'model.equations.state' must declare at least one state variable");
    for (const auto& [name, v] : st.entries()) {
        const section s = v.map();
        s.only({"ddt", "initial", "noise", "noise_index", "min", "max"});
        equation_state x;
        x.name = name;
        x.ddt = expression_at(s.required("ddt"), "");
        x.initial = s.has("initial") ? expression_at(s.at("initial"), "") : equation_text{"", "0", s.key("initial")};
        if (s.has("noise")) x.noise = expression_at(s.at("noise"), "");
        x.noise_index = s.has("noise_index") ? static_cast<int>(s.whole("noise_index", 0, 0, 1 << 20)) : -1;
        x.min = s.number("min", x.min);
        x.max = s.number("max", x.max);
        q.state.push_back(x);
    }
    q.record = names_at(eq.at("record"));
    for (const auto& [name, v] : eq.sub("background").entries()) {
        if (!v.is_scalar()) v.fail("must name a state variable");
        q.background.emplace_back(name, v.text());
    }
    q.units = eq.text("units", "1");
    if (eq.has("division")) {
        const std::string d = eq.text("division", "reciprocal");
        if (d != "reciprocal" && d != "exact") eq.at("division").fail("must be 'reciprocal' or 'exact'");
        q.exact_division = d == "exact";
    }
    for (const auto& [name, values] : vectors) q.vectors.emplace_back(name, values);
}

}  // namespace cortexsim::config_sections
