// The `model` section of a run config: circuit, areas, data vectors and gradients, local parameters,
// connectivity and projections (docs/config.md, docs/connectivity.md).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "config_sections.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/memory.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/common/time.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/connectivity/csv.hpp"
#include "cortexsim/io/h5_read.hpp"

namespace cortexsim::config_sections {
namespace {

namespace fs = std::filesystem;

bool has_gradient(const model_spec& m, const std::string& name) {
    for (const auto& g : m.gradients)
        if (g.name == name) return true;
    return false;
}

/// The values of a gradient over the data vector v.
std::vector<double> gradient_over(const gradient_spec& g, const std::vector<double>& v, const section& x) {
    const std::string& origin = x.origin();
    const double mn = *std::min_element(v.begin(), v.end()), mx = *std::max_element(v.begin(), v.end());
    std::vector<double> out;
    for (double raw : v) {
        double u = raw;
        if (g.normalise == "max") {
            if (!(mx > 0))
                throw config_error(origin + ": '" + x.key("normalise") + "': vector '" + g.vector +
                                   "' has no positive maximum");
            u = raw / mx;
        } else if (g.normalise == "minmax") {
            if (!(mx > mn))
                throw config_error(origin + ": '" + x.key("normalise") + "': vector '" + g.vector + "' is constant");
            u = (raw - mn) / (mx - mn);
        } else if (g.normalise != "none") {
            throw config_error(origin + ": '" + x.key("normalise") + "' = '" + g.normalise +
                               "' (allowed: none, max, minmax)");
        }
        out.push_back(g.offset + g.slope * u);
    }
    return out;
}

/// Checks the values of an HDF5 matrix (finite, >= 0, zero diagonal) and its area names against the areas.
void check_h5_matrix(const std::string& where, const std::vector<std::string>& names, const area_table& areas,
                     const std::vector<double>& values, bool zero_diag) {
    if (names != areas.names) {
        for (std::size_t i = 0; i < std::min(names.size(), areas.size()); ++i)
            if (names[i] != areas.names[i])
                throw data_error(where + ": area " + std::to_string(i) + " is '" + printable(names[i]) +
                                 "' but the area list has '" + printable(areas.names[i]) + "' there");
        throw data_error(where + ": has " + std::to_string(names.size()) + " areas, the area list has " +
                         std::to_string(areas.size()));
    }
    const std::size_t N = names.size();
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = 0; j < N; ++j) {
            const double v = values[i * N + j];
            if (std::isfinite(v) && v >= 0 && !(zero_diag && i == j && v != 0)) continue;
            const std::string at = where + ": row '" + printable(names[i]) + "' (target), column '" +
                                   printable(names[j]) + "' (source)";
            if (!std::isfinite(v)) throw data_error(at + ": value is not finite");
            if (v < 0) throw data_error(at + ": value " + shortest_text(v) + " is negative");
            throw data_error(at + ": diagonal value must be 0");
        }
}

/// One named matrix: `path` or {file, dataset, zero_diagonal, max}.
area_matrix read_matrix(const std::string& name, const value& n, const area_table& areas, const std::string& base_dir,
                        std::vector<data_file>& files) {
    area_matrix am;
    am.name = name;
    std::string dataset, rel;
    bool zero_diag = true;
    double max_value = std::numeric_limits<double>::infinity();
    if (n.is_scalar()) {
        rel = n.text();
    } else {
        const section x(n.node(), n.key(), n.origin());
        x.only({"file", "dataset", "zero_diagonal", "max"});
        rel = x.required_text("file");
        dataset = x.text("dataset", "");
        zero_diag = x.flag("zero_diagonal", true);
        max_value = x.number("max", max_value);
    }
    am.path = resolve(base_dir, rel);
    std::error_code ec;
    if (!fs::is_regular_file(am.path, ec))
        throw data_error(n.origin() + ": '" + n.key() + "' names data file '" + am.path + "', which does not exist");
    record_data_file(files, n.is_scalar() ? n.key() : n.key() + ".file", am.path);
    const bool h5 = am.path.size() > 3 && am.path.substr(am.path.size() - 3) == ".h5";
    if (!dataset.empty() || h5) {
        std::vector<std::string> names;
        read_h5_matrix(am.path, dataset.empty() ? "/" + name : dataset, names, am.values);
        check_h5_matrix(am.path + ":" + (dataset.empty() ? "/" + name : dataset), names, areas, am.values, zero_diag);
    } else {
        matrix_checks checks;
        checks.zero_diagonal = zero_diag;
        am.values = read_square_matrix_csv(am.path, areas.names, checks).values;
    }
    for (std::size_t k = 0; k < am.values.size(); ++k)
        if (am.values[k] > max_value)
            throw data_error(am.path + ": value " + std::to_string(am.values[k]) + " at row " +
                             std::to_string(k / areas.size()) + ", column " + std::to_string(k % areas.size()) +
                             " exceeds the maximum " + std::to_string(max_value) + " set by '" + n.key() + ".max'");
    return am;
}

/// One item of model.projections.
projection_spec read_projection(const section& x, std::size_t i, const model_spec& m, const circuit_names& names) {
    const std::string& origin = x.origin();
    const bool linear = m.circuit == "linear_ei";
    x.only({"name", "source", "target", "matrix", "power", "normalise_rows", "scale", "sln", "sln_matrix", "gradient"});
    auto pop_index = [&](const char* k) {
        const std::string v = x.required_text(k);
        auto it = std::find(m.populations.begin(), m.populations.end(), v);
        if (it == m.populations.end())
            throw config_error(origin + ": '" + x.key(k) + "' = '" + v + "' is not a population (allowed: E, I)");
        return static_cast<std::size_t>(it - m.populations.begin());
    };
    projection_spec pr;
    pr.name = x.text("name", "projection" + std::to_string(i));
    pr.source = linear ? pop_index("source") : one_of(names.variables, x, "source", "a variable", m.circuit);
    pr.target = linear ? pop_index("target") : one_of(names.channels, x, "target", "an input channel", m.circuit);
    pr.matrix = x.text("matrix", "fln");
    pr.power = x.number("power", 1.0);
    pr.normalise_rows = x.flag("normalise_rows", false);
    pr.scale = x.number("scale", 1.0);
    pr.sln = x.text("sln", "none");
    pr.sln_matrix = x.text("sln_matrix", "sln");
    pr.gradient = x.text("gradient", "");
    if (!m.connectivity.has(pr.matrix))
        throw config_error(origin + ": '" + x.key("matrix") + "' = '" + pr.matrix +
                           "' is not a matrix under model.connectivity");
    if (pr.sln != "none" && pr.sln != "feedforward" && pr.sln != "feedback")
        throw config_error(origin + ": '" + x.key("sln") + "' = '" + pr.sln +
                           "' (allowed: none, feedforward, feedback)");
    if (pr.sln != "none" && !m.connectivity.has(pr.sln_matrix))
        throw config_error(origin + ": '" + x.key("sln_matrix") + "' = '" + pr.sln_matrix +
                           "' is not a matrix under model.connectivity");
    if (!pr.gradient.empty() && !has_gradient(m, pr.gradient))
        throw config_error(origin + ": '" + x.key("gradient") + "' = '" + pr.gradient +
                           "' is not a gradient under model.gradients");
    if (!(pr.power > 0)) throw config_error(origin + ": '" + x.key("power") + "' must be > 0");
    if (m.connectivity.synthetic.defined && pr.matrix == "fln" &&
        (pr.power != 1.0 || pr.normalise_rows || pr.sln != "none"))
        throw config_error(origin + ": '" + x.key("matrix") +
                           "': the synthetic matrix is used as generated (no power, normalise_rows or sln)");
    return pr;
}

}  // namespace

// ---- helpers -------------------------------------------------------------------------------------------------

std::string resolve(const std::string& base_dir, const std::string& rel) {
    fs::path q(rel);
    if (q.is_absolute() || base_dir.empty()) return q.lexically_normal().string();
    return (fs::path(base_dir) / q).lexically_normal().string();
}

std::string existing_file(const section& s, const char* k, const std::string& base_dir) {
    const std::string p = resolve(base_dir, s.required_text(k));
    std::error_code ec;
    if (!fs::is_regular_file(p, ec))
        throw data_error(s.origin() + ": '" + s.key(k) + "' names data file '" + p + "', which does not exist");
    return p;
}

void record_data_file(std::vector<data_file>& files, const std::string& key, const std::string& path) {
    data_file f;
    f.key = key;
    f.path = path;
    f.content = read_text_file(path);
    f.sha256 = sha256::of(f.content);
    files.push_back(std::move(f));
}

void check_positive(const section& s, const char* k, double v) {
    if (!(v > 0.0)) throw config_error(s.origin() + ": '" + s.key(k) + "' = " + shortest_text(v) + " must be > 0");
}

std::size_t one_of(const std::vector<std::string>& list, const section& x, const char* k, const std::string& what,
                   const std::string& circuit) {
    const std::string v = x.required_text(k);
    auto it = std::find(list.begin(), list.end(), v);
    if (it == list.end()) {
        std::string l;
        for (const auto& n : list) l += (l.empty() ? "" : ", ") + n;
        throw config_error(x.origin() + ": '" + x.key(k) + "' = '" + v + "' is not " + what + " of circuit '" +
                           circuit + "' (allowed: " + l + ")");
    }
    return static_cast<std::size_t>(it - list.begin());
}

std::int64_t end_step_of(std::int64_t onset_step, double duration_ms, double dt_ms, const std::string& where) {
    const std::int64_t n = steps_of(duration_ms, dt_ms, where);
    if (n > max_steps - onset_step)
        throw config_error(where + " = " + shortest_text(duration_ms) + " ms ends at step " +
                           std::to_string(onset_step) + " + " + std::to_string(n) +
                           ", beyond the largest step count 2^53");
    return onset_step + n;
}

// ---- model.name, model.circuit, model.areas ------------------------------------------------------------------

void read_model_head(const section& model, model_spec& m) {
    const std::string& origin = model.origin();
    model.only({"name", "circuit", "areas", "vectors", "gradients", "parameters", "connectivity", "projections",
                "populations", "local", "rnn", "equations"});
    m.name = model.required_text("name");
    m.circuit = model.text("circuit", "linear_ei");
    if (m.circuit != "linear_ei" && !find_circuit(m.circuit)) {
        std::string allowed = "linear_ei";
        for (const auto& c : circuit_catalogue()) allowed += ", " + c.type;
        throw config_error(origin + ": '" + model.key("circuit") + "' = '" + m.circuit + "' (allowed: " + allowed +
                           ")");
    }
    if (m.circuit != "generic")
        for (const char* k : {"populations", "local"})
            if (model.has(k))
                throw config_error(origin + ": '" + model.key(k) + "' is only for 'model.circuit: generic'");
    if (m.circuit != "rnn" && model.has("rnn"))
        throw config_error(origin + ": '" + model.key("rnn") + "' is only for 'model.circuit: rnn'");
    if (m.circuit == "rnn") {
        // the units of the network are the "areas" (one population each); W_rec is the coupling matrix
        for (const char* k : {"areas", "vectors", "gradients", "connectivity", "projections"})
            if (model.has(k))
                throw config_error(origin + ": '" + model.key(k) +
                                   "' does not apply to 'model.circuit: rnn' (see docs/rnn.md)");
        if (!model.has("rnn"))
            throw config_error(origin + ": missing " + (model.at("rnn").node().IsDefined() ? "value for " : "") +
                               "required key 'model.rnn' (circuit: rnn)");
    } else if (!model.sub("connectivity").has("synthetic")) {  // a synthetic cortex names its own areas
        (void)model.required("areas");
    }
}

area_table read_areas(const section& model, const std::string& base_dir, std::vector<data_file>& files) {
    const section syn = model.sub("connectivity").sub("synthetic");
    if (syn.present()) {  // a synthetic cortex: areas a0 .. a<n-1>, hierarchy 0
        if (model.has("areas"))
            throw config_error(model.origin() + ": 'model.areas' cannot be given with '" + syn.key("areas") +
                               "' (a synthetic cortex names its areas a0, a1, ...)");
        const auto n = static_cast<std::size_t>(syn.whole("areas", 0, 1, (std::int64_t{1} << 31) - 1));
        area_table a;
        a.names.reserve(n);
        for (std::size_t i = 0; i < n; ++i) a.names.push_back("a" + std::to_string(i));
        a.hierarchy.assign(n, 0.0);
        return a;
    }
    const section s = model.sub("areas");
    s.only({"file", "name_column", "hierarchy_column", "hierarchy_normalisation"});
    const std::string path = existing_file(s, "file", base_dir);
    record_data_file(files, s.key("file"), path);
    const csv_table t = read_csv(path);
    const std::string name_col = s.text("name_column", "area");
    const std::string hier_col = s.text("hierarchy_column", "hier_raw");
    const std::string norm = s.text("hierarchy_normalisation", "max");
    if (norm != "max" && norm != "none")
        throw config_error(s.origin() + ": '" + s.key("hierarchy_normalisation") + "' = '" + norm +
                           "' (allowed: max, none)");
    // (either may be the first column of the file)
    const std::vector<std::string> names = t.text_column(name_col);
    const std::vector<double> hierarchy = t.number_column(hier_col);
    area_table a;
    std::set<std::string> seen;
    for (std::size_t r = 0; r < names.size(); ++r) {
        const std::string& n = names[r];
        if (n.empty()) throw data_error(path + ": row " + std::to_string(r + 2) + ": empty area name");
        if (!seen.insert(n).second) throw data_error(path + ": area '" + printable(n) + "' is listed twice");
        a.names.push_back(n);
        a.hierarchy.push_back(hierarchy[r]);
    }
    if (norm == "max") {
        double mx = 0.0;
        for (double h : a.hierarchy) mx = std::max(mx, h);
        if (!(mx > 0.0)) throw data_error(path + ": column '" + hier_col + "' has no positive value to normalise by");
        for (double& h : a.hierarchy) h = h / mx;
    }
    return a;
}

// ---- data vectors and gradients (per-area values) ------------------------------------------------------------

std::vector<data_vector> read_vectors(const section& model, const area_table& areas, const std::string& base_dir,
                                      std::vector<data_file>& files) {
    std::vector<data_vector> vectors{{"hierarchy", areas.hierarchy}};
    for (const auto& [name, node] : model.sub("vectors").entries()) {
        const section v(node.node(), node.key(), model.origin());
        v.only({"file", "column", "dataset", "name_column"});
        const std::string path = existing_file(v, "file", base_dir);
        record_data_file(files, v.key("file"), path);
        std::vector<std::string> names;
        std::vector<double> vals;
        if (v.has("dataset")) {
            read_h5_vector(path, v.text("dataset", ""), names, vals);
        } else {
            const csv_table t = read_csv(path);
            names = t.text_column(v.text("name_column", "area"));
            vals = t.number_column(v.required_text("column"));
        }
        std::vector<double> per_area(areas.size(), 0.0);
        std::vector<bool> seen(areas.size(), false);
        for (std::size_t r = 0; r < names.size(); ++r) {
            const std::size_t i = areas.find(names[r]);
            if (i == area_table::npos) continue;  // data for areas outside the model are ignored
            per_area[i] = vals[r];
            seen[i] = true;
        }
        for (std::size_t i = 0; i < seen.size(); ++i)
            if (!seen[i])
                throw data_error(path + ": vector '" + printable(name) + "' has no value for area '" +
                                 printable(areas.names[i]) + "'");
        vectors.emplace_back(name, per_area);
    }
    return vectors;
}

std::vector<gradient_spec> read_gradients(const section& model, const std::vector<data_vector>& vectors) {
    std::vector<gradient_spec> out;
    for (const auto& [name, node] : model.sub("gradients").entries()) {
        gradient_spec g;
        g.name = name;
        const section x(node.node(), node.key(), model.origin());
        x.only({"vector", "normalise", "offset", "slope"});
        g.vector = x.required_text("vector");
        g.normalise = x.text("normalise", "none");
        g.offset = x.number("offset", 0.0);
        g.slope = x.number("slope", 1.0);
        const std::vector<double>* v = nullptr;
        for (const auto& [k, values] : vectors)
            if (k == g.vector) v = &values;
        if (!v)
            throw config_error(model.origin() + ": '" + x.key("vector") + "' = '" + g.vector +
                               "' is not a data vector (hierarchy, or a name under model.vectors)");
        g.values = gradient_over(g, *v, x);
        out.push_back(std::move(g));
    }
    return out;
}

// ---- local parameters ----------------------------------------------------------------------------------------

std::vector<std::pair<std::string, double>> read_circuit_parameters(const section& model, const std::string& circuit) {
    const section p = model.sub("parameters");
    std::vector<std::string> names;
    for (const auto& [name, def] : find_circuit(circuit)->defaults) names.push_back(name);
    p.only(names, "parameters of circuit '" + circuit + "'");
    std::vector<std::pair<std::string, double>> out;
    for (const auto& [k, v] : p.entries())
        if (v.present()) out.emplace_back(k, v.number());
    return out;
}

linear_parameters read_linear_parameters(const section& model, bool generic_form, const model_spec& m) {
    const std::string& origin = model.origin();
    const section p = model.sub("parameters");
    p.only({"tau_E_ms", "tau_I_ms", "beta_E", "beta_I", "w_EE", "w_IE", "w_EI", "w_II", "mu_EE", "mu_IE", "eta",
            "r_E_target_hz", "r_I_target_hz", "rate_floor_E_hz", "rate_floor_I_hz"});
    if (generic_form)
        for (const char* k : {"mu_EE", "mu_IE", "eta"})
            if (p.has(k))
                throw config_error(origin + ": '" + p.key(k) +
                                   "' belongs to the compact form; with 'model.projections' "
                                   "give long-range scales in the projections and gradients under model.gradients");
    linear_parameters out;
    linear_ei_params& q = out.params;
    // a number, or {value: x, gradient: g} for value * g_i per area
    auto par = [&](const char* k, double& target, bool allow_gradient) {
        const value v = p.at(k);
        if (!v.present()) return;
        if (!v.is_map()) {
            target = v.number();
            return;
        }
        if (!allow_gradient) v.fail("must be a number");
        const section x = v.map();
        x.only({"value", "gradient"});
        target = x.required_number("value");
        const std::string g = x.required_text("gradient");
        if (!has_gradient(m, g))
            throw config_error(origin + ": '" + x.key("gradient") + "' = '" + g +
                               "' is not a gradient under model.gradients");
        out.gradients.emplace_back(k, g);
    };
    using entry = std::pair<const char*, double*>;
    const entry with_gradient[] = {{"tau_E_ms", &q.tau_E_ms}, {"tau_I_ms", &q.tau_I_ms}, {"beta_E", &q.beta_E},
                                   {"beta_I", &q.beta_I},     {"w_EE", &q.w_EE},         {"w_IE", &q.w_IE},
                                   {"w_EI", &q.w_EI},         {"w_II", &q.w_II}};
    const entry plain[] = {{"mu_EE", &q.mu_EE},
                           {"mu_IE", &q.mu_IE},
                           {"eta", &q.eta},
                           {"r_E_target_hz", &q.r_E_target_hz},
                           {"r_I_target_hz", &q.r_I_target_hz},
                           {"rate_floor_E_hz", &q.rate_floor_E_hz},
                           {"rate_floor_I_hz", &q.rate_floor_I_hz}};
    for (const auto& [k, target] : with_gradient) par(k, *target, true);
    for (const auto& [k, target] : plain) par(k, *target, false);
    check_positive(p, "tau_E_ms", q.tau_E_ms);
    check_positive(p, "tau_I_ms", q.tau_I_ms);
    check_positive(p, "beta_E", q.beta_E);
    check_positive(p, "beta_I", q.beta_I);
    for (const auto& [k, g] : out.gradients)
        if (k == "tau_E_ms" || k == "tau_I_ms" || k == "beta_E" || k == "beta_I")
            for (double v : gradient_values(m, g))
                if (!(v > 0))
                    throw config_error(origin + ": gradient '" + g + "' makes 'model.parameters." + k +
                                       "' <= 0 in some area");
    return out;
}

// ---- connectivity: named matrices (CSV or HDF5), delays ------------------------------------------------------

connectivity_spec read_connectivity(const section& model, bool generic_form, const area_table& areas,
                                    const std::string& base_dir, std::vector<data_file>& files) {
    const std::string& origin = model.origin();
    const section c = model.sub("connectivity");
    c.only({"fln", "matrices", "delays", "synthetic"});
    connectivity_spec out;
    if (c.has("synthetic")) {
        const section y = c.sub("synthetic");
        y.only({"areas", "geometry", "extent_mm", "length_constant_mm", "density", "weight_scale", "seed"});
        if (c.has("fln") || c.has("matrices"))
            throw config_error(origin + ": '" + c.key("synthetic") + "' generates the matrix 'fln': give no '" +
                               c.key("fln") + "' or '" + c.key("matrices") + "'");
        auto& s = out.synthetic;
        s.defined = true;
        s.n_areas = areas.size();
        s.geometry = y.text("geometry", "sheet");
        if (s.geometry != "sheet" && s.geometry != "sphere")
            throw config_error(origin + ": '" + y.key("geometry") + "' = '" + s.geometry +
                               "' (allowed: sheet, sphere)");
        s.extent_mm = y.number("extent_mm", 100.0);
        s.length_constant_mm = y.number("length_constant_mm", 10.0);
        s.density = y.number("density", 0.01);
        s.weight_scale = y.number("weight_scale", 1.0);
        s.seed = static_cast<std::uint64_t>(y.whole("seed", 1));
        check_positive(y, "extent_mm", s.extent_mm);
        check_positive(y, "length_constant_mm", s.length_constant_mm);
        check_positive(y, "weight_scale", s.weight_scale);
        if (!(s.density >= 0.0 && s.density <= 1.0))
            throw config_error(origin + ": '" + y.key("density") + "' must be in [0, 1]");
    }
    if (c.has("fln")) out.matrices.push_back(read_matrix("fln", c.at("fln"), areas, base_dir, files));
    const value mats = c.at("matrices");
    if (mats.present()) {
        if (!mats.is_map()) throw config_error(origin + ": '" + c.key("matrices") + "' must map names to files");
        for (const auto& [name, node] : mats.map().entries()) {
            if (out.find(name)) throw config_error(origin + ": matrix '" + name + "' is given twice");
            out.matrices.push_back(read_matrix(name, node, areas, base_dir, files));
        }
    }
    if (!out.has("fln") && !generic_form)
        throw config_error(origin + ": missing required key 'model.connectivity.fln'");
    if (const auto* f = out.find("fln")) out.fln_path = f->path;
    if (c.has("delays")) {
        const section d = c.sub("delays");
        d.only({"distance", "velocity_m_per_s"});
        out.delays.distance_matrix = out.synthetic.defined ? d.text("distance", "") : d.required_text("distance");
        out.delays.velocity_m_per_s = d.required_number("velocity_m_per_s");
        if (out.synthetic.defined && !out.delays.distance_matrix.empty())
            throw config_error(origin + ": '" + d.key("distance") +
                               "': a synthetic cortex's delays come from its geometry (give only velocity_m_per_s)");
        if (!out.synthetic.defined && !out.find(out.delays.distance_matrix))
            throw config_error(origin + ": '" + d.key("distance") + "' = '" + out.delays.distance_matrix +
                               "' is not a matrix under model.connectivity");
        check_positive(d, "velocity_m_per_s", out.delays.velocity_m_per_s);
    }
    return out;
}

// ---- projections ---------------------------------------------------------------------------------------------

compact_form compact_projections(const model_spec& m) {
    compact_form f;
    gradient_spec& g = f.gradient;
    g.name = "hierarchy_scaling";
    g.vector = "hierarchy";
    g.offset = 1.0;
    g.slope = m.params.eta;
    for (double h : m.areas.hierarchy) g.values.push_back(1.0 + m.params.eta * h);
    f.gradients = {{"w_EE", g.name}, {"w_IE", g.name}};
    projection_spec ee, ie;
    ee.name = "E_to_E";
    ee.source = 0;
    ee.target = 0;
    ee.scale = m.params.mu_EE;
    ee.gradient = g.name;
    ie = ee;
    ie.name = "E_to_I";
    ie.target = 1;
    ie.scale = m.params.mu_IE;
    f.projections = {ee, ie};
    return f;
}

std::vector<projection_spec> read_projections(const section& model, const model_spec& m, const circuit_names& names) {
    const value pn = model.at("projections");
    if (m.circuit == "linear_ei" && (!pn.is_list() || pn.node().size() == 0))
        throw config_error(model.origin() + ": 'model.projections' must be a non-empty list");
    std::vector<projection_spec> out;
    if (!pn.present()) return out;  // a nonlinear circuit without long-range input
    for (const value& item : pn.items())
        out.push_back(read_projection(section(item.node(), item.key(), model.origin()), out.size(), m, names));
    return out;
}

void check_delays(const model_spec& m) {
    const auto& delays = m.connectivity.delays;
    if (delays.distance_matrix.empty()) return;  // none, or a synthetic geometry's (delays of at least 1 step)
    const area_matrix& dist = *m.connectivity.find(delays.distance_matrix);
    const std::size_t N = m.areas.size();
    double min_delay = std::numeric_limits<double>::infinity(), max_delay = 0.0;
    std::string where, where_max;
    for (const auto& pr : m.projections) {
        const area_matrix& w = *m.connectivity.find(pr.matrix);
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t j = 0; j < N; ++j)
                if (w(N, i, j) != 0.0) {
                    const double d = dist(N, i, j) / delays.velocity_m_per_s;  // mm / (mm/ms)
                    if (d < min_delay) {
                        min_delay = d;
                        where = m.areas.names[j] + " -> " + m.areas.names[i];
                    }
                    if (!(d <= max_delay)) {
                        max_delay = d;
                        where_max = m.areas.names[j] + " -> " + m.areas.names[i];
                    }
                }
    }
    if (min_delay < m.run.dt_ms)
        throw config_error(m.config_path + ": 'run.dt_ms' = " + std::to_string(m.run.dt_ms) +
                           " ms is larger than the minimum conduction delay (" + std::to_string(min_delay) + " ms, " +
                           printable(where) + "): use dt_ms <= the minimum delay");
    if (min_delay == std::numeric_limits<double>::infinity()) return;  // no connection
    // the delays in steps are 32-bit, and every delayed projection keeps a history of max delay + 1 steps
    const double steps = std::round(max_delay / m.run.dt_ms), min_steps = std::round(min_delay / m.run.dt_ms);
    const std::string key = m.config_path + ": 'model.connectivity.delays'";
    if (!(steps <= static_cast<double>(max_delay_steps)))
        throw config_error(key + ": the conduction delay " + printable(where_max) + " (" + shortest_text(max_delay) +
                           " ms) is " + shortest_text(steps) + " steps of run.dt_ms = " + shortest_text(m.run.dt_ms) +
                           " ms, more than the largest delay of " + std::to_string(max_delay_steps) + " steps");
    // on one rank: a ring of (max delay + 1) past states and (min delay) packed states of every source and every
    // local area, per projection (docs/config.md, "Limits"; the exchange checks its exact size again)
    const double n_proj = static_cast<double>(std::max<std::size_t>(m.projections.size(), 1));
    check_allocation(product_of({n_proj, steps + 1.0 + min_steps, 2.0 * static_cast<double>(N), 8.0}),
                     key + ": the delay history (largest delay " + shortest_text(steps) + " steps, " +
                         printable(where_max) + "; " + std::to_string(N) + " areas)");
}

}  // namespace cortexsim::config_sections
