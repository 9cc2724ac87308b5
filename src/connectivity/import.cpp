#include "cortexsim/connectivity/import.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/io/zip_read.hpp"

namespace cortexsim {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw data_error(path + ": cannot open (missing or unreadable)");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool ends_with(const std::string& s, const std::string& x) {
    if (s.size() < x.size()) return false;
    std::string tail = s.substr(s.size() - x.size());
    for (auto& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return tail == x;
}

/// The fields of one line: separated by runs of spaces/tabs, or by single commas or semicolons (then trimmed).
std::vector<std::string> fields(const std::string& line) {
    std::vector<std::string> out;
    const bool delimited = line.find_first_of(",;") != std::string::npos;
    std::string cur;
    auto trim = [](std::string s) {
        const auto b = s.find_first_not_of(" \t\""), e = s.find_last_not_of(" \t\"");
        return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    if (delimited) {
        for (char c : line) {
            if (c == ',' || c == ';') {
                out.push_back(trim(cur));
                cur.clear();
            } else {
                cur += c;
            }
        }
        out.push_back(trim(cur));
        return out;
    }
    std::istringstream ss(line);
    std::string f;
    while (ss >> f) out.push_back(f);
    return out;
}

bool parse_double(const std::string& s, double& v) {
    if (s.empty()) return false;
    char* e = nullptr;
    errno = 0;
    v = std::strtod(s.c_str(), &e);
    return e != s.c_str() && *e == '\0';
}

/// The non-empty, non-comment lines with their line numbers.
std::vector<std::pair<std::size_t, std::string>> lines_of(const std::string& text) {
    std::vector<std::pair<std::size_t, std::string>> out;
    std::istringstream in(text);
    std::string line;
    std::size_t no = 0;
    while (std::getline(in, line)) {
        ++no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto b = line.find_first_not_of(" \t");
        if (b == std::string::npos || line[b] == '#') continue;
        out.emplace_back(no, line);
    }
    return out;
}

/// One number per line (cortical.txt, hemispheres.txt, areas.txt).
std::vector<double> parse_column(const std::string& text, const std::string& where) {
    std::vector<double> out;
    for (const auto& [no, line] : lines_of(text)) {
        const auto f = fields(line);
        for (const auto& x : f) {  // TVB writes one value per line; a single row of values is accepted too
            double v = 0;
            if (!parse_double(x, v))
                throw data_error(where + ": line " + std::to_string(no) + ": '" + printable(x) + "' is not a number");
            out.push_back(v);
        }
    }
    return out;
}

/// TVB centres: "label x y z" per line.
void parse_centres(const std::string& text, const std::string& where, std::vector<std::string>& labels,
                   std::vector<double>& xyz) {
    for (const auto& [no, line] : lines_of(text)) {
        const auto f = fields(line);
        if (f.size() != 4)
            throw data_error(where + ": line " + std::to_string(no) + " has " + std::to_string(f.size()) +
                             " fields, expected 4 (label x y z)");
        labels.push_back(f[0]);
        for (int k = 1; k <= 3; ++k) {
            double v = 0;
            if (!parse_double(f[static_cast<std::size_t>(k)], v) || !std::isfinite(v))
                throw data_error(where + ": line " + std::to_string(no) + ": coordinate '" +
                                 printable(f[static_cast<std::size_t>(k)]) + "' is not a finite number");
            xyz.push_back(v);
        }
    }
    if (labels.empty()) throw data_error(where + ": has no regions");
}

/// A labels file: one label per line, or TVB centres (the first column).
std::vector<std::string> parse_labels(const std::string& text, const std::string& where) {
    std::vector<std::string> out;
    for (const auto& [no, line] : lines_of(text)) {
        const auto f = fields(line);
        out.push_back(f.size() == 4 ? f[0] : line.substr(line.find_first_not_of(" \t")));
        while (!out.back().empty() && (out.back().back() == ' ' || out.back().back() == '\t')) out.back().pop_back();
    }
    if (out.empty()) throw data_error(where + ": has no labels");
    return out;
}

void check_square(const std::string& where, std::size_t rows, std::size_t cols) {
    if (rows != cols)
        throw data_error(where + ": matrix is not square (" + std::to_string(rows) + " rows, " + std::to_string(cols) +
                         " columns)");
}

void check_values(const std::string& where, const std::vector<double>& m, std::size_t n) {
    for (std::size_t k = 0; k < m.size(); ++k) {
        if (std::isfinite(m[k]) && m[k] >= 0.0) continue;
        throw data_error(where + ": value " + shortest_text(m[k]) + " at row " + std::to_string(k / n + 1) +
                         ", column " + std::to_string(k % n + 1) +
                         (std::isfinite(m[k]) ? " is negative" : " is not finite"));
    }
}

void check_labels(connectome& c, const std::string& where) {
    const std::size_t n = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(c.weights.size()))));
    if (c.names.size() != n)
        throw data_error(where + ": has " + std::to_string(c.names.size()) + " labels for a " + std::to_string(n) +
                         "x" + std::to_string(n) + " matrix");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < n; ++i) {
        if (c.names[i].empty()) throw data_error(where + ": label " + std::to_string(i + 1) + " is empty");
        if (!seen.insert(c.names[i]).second)
            throw data_error(where + ": label '" + printable(c.names[i]) + "' is listed twice");
    }
}

void transpose(std::vector<double>& m, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) std::swap(m[i * n + j], m[j * n + i]);
}

std::vector<std::string> numbered_labels(std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
        std::string s = "r";
        s += std::to_string(i);
        out.push_back(s);
    }
    return out;
}

}  // namespace

std::vector<double> parse_text_matrix(const std::string& text, const std::string& where, std::size_t& rows,
                                      std::size_t& cols, std::vector<std::string>* labels) {
    const auto ls = lines_of(text);
    if (ls.empty()) throw data_error(where + ": has no matrix (empty)");
    auto first = fields(ls[0].second);
    double v = 0;
    // a labelled CSV: the header's last field is not a number (a label)
    const bool labelled = !first.empty() && !parse_double(first.back(), v);
    std::vector<double> out;
    rows = 0;
    cols = labelled ? first.size() - 1 : first.size();
    std::vector<std::string> row_labels, col_labels;
    if (labelled) col_labels.assign(first.begin() + 1, first.end());
    for (std::size_t r = labelled ? 1 : 0; r < ls.size(); ++r) {
        const auto& [no, line] = ls[r];
        auto f = fields(line);
        if (labelled) {
            row_labels.push_back(f.front());
            f.erase(f.begin());
        }
        if (f.size() != cols) {
            throw data_error(where + ": line " + std::to_string(no) + " has " + std::to_string(f.size()) +
                             " values, the first " + (labelled ? "header has " : "line has ") + std::to_string(cols) +
                             (cols == 0 ? " (matrix is not square: " + std::to_string(ls.size()) + " rows, 0 columns)"
                                        : ""));
        }
        for (std::size_t c = 0; c < f.size(); ++c) {
            if (!parse_double(f[c], v))
                throw data_error(where + ": line " + std::to_string(no) + ", column " + std::to_string(c + 1) + ": '" +
                                 printable(f[c]) + "' is not a number");
            out.push_back(v);
        }
        ++rows;
    }
    if (labelled) {
        for (std::size_t i = 0; i < std::min(row_labels.size(), col_labels.size()); ++i)
            if (row_labels[i] != col_labels[i])
                throw data_error(where + ": row " + std::to_string(i + 1) + " is '" + printable(row_labels[i]) +
                                 "' but column " + std::to_string(i + 1) + " is '" + printable(col_labels[i]) +
                                 "' (rows and columns must list the same regions in the same order)");
        if (labels) *labels = col_labels;
    }
    return out;
}

connectome read_tvb_zip(const std::string& path) {
    const auto members = read_zip(path);
    auto member = [&](const char* name, bool required) -> const zip_member* {
        const zip_member* m = find_zip_member(members, name);
        if (!m && required) {
            std::string have;
            for (const auto& x : members) {
                if (have.size() > 200) break;
                if (!have.empty()) have += ", ";
                have += printable(x.name);
            }
            throw data_error(path + ": missing member '" + name +
                             "' (a TVB connectivity zip has weights.txt, "
                             "tract_lengths.txt, centres.txt; this one has: " +
                             (have.empty() ? "nothing" : have) + ")");
        }
        return m;
    };
    connectome c;
    c.source = path;
    c.format = "tvb-zip";
    const zip_member* centres = member("centres.txt", true);
    parse_centres(centres->content, path + ":" + centres->name, c.names, c.centres);
    const std::size_t n = c.names.size();
    auto square = [&](const zip_member* m) {
        const std::string where = path + ":" + m->name;
        std::size_t rows = 0, cols = 0;
        auto v = parse_text_matrix(m->content, where, rows, cols);
        check_square(where, rows, cols);
        if (rows != n)
            throw data_error(where + ": is " + std::to_string(rows) + "x" + std::to_string(cols) + " but " +
                             "centres.txt has " + std::to_string(n) + " regions (labels count mismatch)");
        check_values(where, v, n);
        return v;
    };
    c.weights = square(member("weights.txt", true));
    c.tract_lengths = square(member("tract_lengths.txt", true));
    auto vec = [&](const char* name, std::vector<double>& out) {
        if (const zip_member* m = member(name, false)) {
            out = parse_column(m->content, path + ":" + m->name);
            if (out.size() != n)
                throw data_error(path + ":" + m->name + ": has " + std::to_string(out.size()) +
                                 " values, centres.txt has " + std::to_string(n) + " regions");
        }
    };
    vec("cortical.txt", c.cortical);
    vec("hemispheres.txt", c.hemispheres);
    vec("areas.txt", c.region_areas);
    check_labels(c, path + ":" + centres->name);
    return c;
}

connectome import_connectome(const import_options& o) {
    connectome c;
    const std::string& in = o.input;
    if (ends_with(in, ".zip")) {
        for (const auto* x : {&o.labels, &o.lengths, &o.centres, &o.weights_var})
            if (!x->empty()) throw usage_error("a TVB zip brings its own labels, lengths and centres: give only -o");
        c = read_tvb_zip(in);
    } else if (ends_with(in, ".mat")) {
        read_file(in);  // a missing or unreadable file: the usual error line
        const int version = mat_file_version(in);
        if (version == 4)
            throw data_error(in + ": is a MATLAB v4 .mat file, which is not read: save it with save(..., '-v7') "
                                  "or '-v7.3'");
        if (version == 0)
            throw data_error(in + ": is not a MATLAB .mat file (no v5/v7 header, no v7.3 HDF5 signature)");
        // v5/v7 (also zlib-compressed v7) through libmatio, v7.3 through HDF5: the same variables, the same checks
        const bool v5 = version == 5;
        auto read_matrix = v5 ? read_mat5_matrix : read_mat73_matrix;
        auto read_strings = v5 ? read_mat5_strings : read_mat73_strings;
        c.source = in;
        c.format = v5 ? "mat-v5" : "mat-v7.3";
        const auto vars = v5 ? mat5_variables(in) : h5_root_variables(in);
        std::string wv = o.weights_var;
        if (wv.empty()) {
            for (const char* k : {"weights", "W", "SC", "sc", "C"})
                for (const auto& v : vars)
                    if (wv.empty() && v.name == k) wv = k;
            if (wv.empty()) {
                std::string list;
                for (const auto& v : vars) {
                    if (!list.empty()) list += ", ";
                    list += printable(v.name);
                }
                throw data_error(in + ": no variable 'weights' (variables: " + (list.empty() ? "none" : list) +
                                 "); name it with --weights VAR");
            }
        }
        std::size_t rows = 0, cols = 0;
        c.weights = read_matrix(in, wv, rows, cols);
        const std::string where = in + ": variable '" + wv + "'";
        check_square(where, rows, cols);
        check_values(where, c.weights, rows);
        std::string lv = o.lengths;
        if (lv.empty())
            for (const auto& v : vars)
                if (v.name == "tract_lengths") lv = v.name;
        if (!lv.empty()) {
            std::size_t r2 = 0, c2 = 0;
            c.tract_lengths = read_matrix(in, lv, r2, c2);
            const std::string w2 = in + ": variable '" + lv + "'";
            check_square(w2, r2, c2);
            if (r2 != rows)
                throw data_error(w2 + ": is " + std::to_string(r2) + "x" + std::to_string(c2) + ", the weights are " +
                                 std::to_string(rows) + "x" + std::to_string(cols));
            check_values(w2, c.tract_lengths, rows);
        }
        std::string labv = o.labels;
        if (labv.empty())
            for (const auto& v : vars)
                if (v.name == "labels" || v.name == "region_labels") labv = v.name;
        c.names = labv.empty() ? numbered_labels(rows) : read_strings(in, labv);
        check_labels(c, labv.empty() ? in : in + ": variable '" + labv + "'");
    } else {
        c.source = in;
        c.format = "text";
        std::size_t rows = 0, cols = 0;
        std::vector<std::string> labels;
        c.weights = parse_text_matrix(read_file(in), in, rows, cols, &labels);
        check_square(in, rows, cols);
        check_values(in, c.weights, rows);
        if (!o.lengths.empty()) {
            std::size_t r2 = 0, c2 = 0;
            std::vector<std::string> l2;
            c.tract_lengths = parse_text_matrix(read_file(o.lengths), o.lengths, r2, c2, &l2);
            check_square(o.lengths, r2, c2);
            if (r2 != rows)
                throw data_error(o.lengths + ": is " + std::to_string(r2) + "x" + std::to_string(c2) + ", " + in +
                                 " is " + std::to_string(rows) + "x" + std::to_string(cols));
            if (!l2.empty() && !labels.empty() && l2 != labels)
                throw data_error(o.lengths + ": its labels differ from those of " + in);
            check_values(o.lengths, c.tract_lengths, rows);
        }
        if (!o.centres.empty()) {
            std::vector<std::string> cl;
            parse_centres(read_file(o.centres), o.centres, cl, c.centres);
            if (cl.size() != rows)
                throw data_error(o.centres + ": has " + std::to_string(cl.size()) + " regions, " + in + " is " +
                                 std::to_string(rows) + "x" + std::to_string(cols) + " (labels count mismatch)");
            if (labels.empty() && o.labels.empty()) labels = cl;
        }
        if (!o.labels.empty()) {
            auto given = parse_labels(read_file(o.labels), o.labels);
            if (!labels.empty() && given != labels)
                throw data_error(o.labels + ": its labels differ from the header of " + in);
            labels = std::move(given);
        }
        c.names = labels.empty() ? numbered_labels(rows) : labels;
        check_labels(c, o.labels.empty() ? in : o.labels);
    }
    if (o.transpose) {
        transpose(c.weights, c.size());
        if (!c.tract_lengths.empty()) transpose(c.tract_lengths, c.size());
    }
    return c;
}

}  // namespace cortexsim
