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

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

/// `name(a, b): "body"`: the key is the function's name and its parameters.
equation_function function_at(const std::string& head, const value& v) {
    equation_function f;
    const auto open = head.find('(');
    if (open == std::string::npos || head.back() != ')' || head.find(')') != head.size() - 1)
        v.fail_key("must be written name(arg, ...): \"expression\" (e.g. S(v): \"1/(1 + exp(-v))\")");
    f.name = trimmed(head.substr(0, open));
    const std::string inside = head.substr(open + 1, head.size() - open - 2);
    if (!trimmed(inside).empty()) {
        std::size_t p = 0;
        for (;;) {
            const auto comma = inside.find(',', p);
            f.args.push_back(trimmed(inside.substr(p, comma == std::string::npos ? std::string::npos : comma - p)));
            if (comma == std::string::npos) break;
            p = comma + 1;
        }
    }
    f.body = expression_at(v, f.name);
    return f;
}

}  // namespace

void read_equations(const section& model, const std::vector<data_vector>& vectors, model_spec& m) {
    if (!model.has("equations"))
        throw config_error(model.origin() + ": missing required key 'model.equations' (circuit: equations)");
    const section eq = model.sub("equations");
    eq.only({"parameters", "matrices", "modulators", "inputs", "functions", "define", "state", "record", "background",
             "units", "division"});
    equations_spec& q = m.equations;
    q.defined = true;
    for (const auto& [name, v] : eq.sub("parameters").entries()) q.parameters.push_back(expression_at(v, name));
    // matrices: a table of parameters, M: {rows: [a, b], columns: [x, y], values: [[..], [..]]} -> M_a_x, M_a_y, ...
    for (const auto& [name, v] : eq.sub("matrices").entries()) {
        const section mx = v.map();
        mx.only({"rows", "columns", "values"});
        const std::vector<std::string> rows = names_at(mx.required("rows"));
        const std::vector<std::string> cols = mx.has("columns") ? names_at(mx.at("columns")) : rows;
        if (rows.empty() || cols.empty())
            throw config_error(model.origin() + ": '" + mx.key("rows") +
                               "' and the columns must name at least one row " + "and column");
        const value vals = mx.required("values");
        if (!vals.is_list()) vals.fail("must be a list of rows (lists of numbers or expressions)");
        const auto items = vals.items();
        if (items.size() != rows.size())
            vals.fail_key("has " + std::to_string(items.size()) + " rows for the " + std::to_string(rows.size()) +
                          " names of '" + mx.key("rows") + "'");
        for (std::size_t r = 0; r < rows.size(); ++r) {
            if (!items[r].is_list()) items[r].fail("must be a list (the row '" + rows[r] + "')");
            const auto row = items[r].items();
            if (row.size() != cols.size())
                items[r].fail_key("(row '" + rows[r] + "') has " + std::to_string(row.size()) + " values for " +
                                  std::to_string(cols.size()) + " columns");
            for (std::size_t c = 0; c < cols.size(); ++c) {
                std::string pname = name;
                pname += "_";
                pname += rows[r];
                pname += "_";
                pname += cols[c];
                q.parameters.push_back(expression_at(row[c], pname));
            }
        }
    }
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
    for (const auto& [head, v] : eq.sub("functions").entries()) q.functions.push_back(function_at(head, v));
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
        const std::string d = eq.text("division", "exact");
        if (d != "reciprocal" && d != "exact") eq.at("division").fail("must be 'reciprocal' or 'exact'");
        q.exact_division = d == "exact";
    }
    for (const auto& [name, values] : vectors) {
        if (name == "area_index")
            throw config_error(model.origin() + ": the data vector 'area_index' clashes with the built-in symbol "
                                                "'area_index' of circuit: equations (the area's 0-based row in the "
                                                "area table); rename the vector");
        q.vectors.emplace_back(name, values);
    }
    // area_index: the area's 0-based position in the area table (data-file order, not rank order)
    std::vector<double> index(m.areas.size());
    for (std::size_t a = 0; a < index.size(); ++a) index[a] = static_cast<double>(a);
    q.vectors.emplace_back("area_index", std::move(index));
}

}  // namespace cortexsim::config_sections
