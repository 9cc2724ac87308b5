#include "cortexsim/connectivity/csv.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"

namespace cortexsim {
namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cur += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cur += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(cur);
            cur.clear();
        } else if (c != '\r') {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

}  // namespace

namespace {

/// "index, area, hier_raw" (at most 20 names).
std::string column_list(const csv_table& t) {
    std::string s = printable(t.corner);
    for (std::size_t c = 0; c < t.columns.size() && c < 19; ++c) s += ", " + printable(t.columns[c]);
    if (t.columns.size() >= 20) s += ", ... (" + std::to_string(t.columns.size() + 1) + " columns)";
    return s;
}

[[noreturn]] void no_column(const csv_table& t, const std::string& name) {
    throw data_error(t.path + ": no column named '" + printable(name) + "' (columns: " + column_list(t) + ")");
}

/// A cell as a finite double; `where` names file, row and column.
double parse_number(const std::string& s, const std::string& where) {
    const char* b = s.c_str();
    char* e = nullptr;
    errno = 0;
    const double v = std::strtod(b, &e);
    if (s.empty() || e == b || *e != '\0') throw data_error(where + ": '" + printable(s) + "' is not a number");
    if (!std::isfinite(v) || errno == ERANGE) throw data_error(where + ": value " + printable(s) + " is not finite");
    return v;
}

}  // namespace

std::size_t csv_table::column(const std::string& name) const {
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (columns[c] == name) return c;
    if (name == corner)
        throw data_error(path + ": column '" + printable(name) + "' is the first column (the row labels)");
    no_column(*this, name);
}

double csv_table::number(std::size_t r, std::size_t c) const {
    return parse_number(cells.at(r).at(c), path + ": row " + std::to_string(r + 2) + " ('" + printable(row_labels[r]) +
                                               "'), column '" + printable(columns[c]) + "'");
}

std::vector<std::string> csv_table::text_column(const std::string& name) const {
    if (name == corner) return row_labels;
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (columns[c] == name) {
            std::vector<std::string> out;
            out.reserve(cells.size());
            for (const auto& row : cells) out.push_back(row[c]);
            return out;
        }
    no_column(*this, name);
}

std::vector<double> csv_table::number_column(const std::string& name) const {
    std::vector<double> out;
    if (name == corner) {
        for (std::size_t r = 0; r < row_labels.size(); ++r)
            out.push_back(parse_number(row_labels[r],
                                       path + ": row " + std::to_string(r + 2) + ", column '" + printable(name) + "'"));
        return out;
    }
    const std::size_t c = column(name);
    for (std::size_t r = 0; r < cells.size(); ++r) out.push_back(number(r, c));
    return out;
}

csv_table read_csv(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw data_error(path + ": cannot open data file (missing or unreadable)");
    csv_table t;
    t.path = path;
    std::string line;
    std::size_t lineno = 0;
    bool have_header = false;
    while (std::getline(in, line)) {
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        auto cells = split_csv_line(line);
        if (!have_header) {
            t.corner = cells.front();
            t.columns.assign(cells.begin() + 1, cells.end());
            have_header = true;
            continue;
        }
        if (cells.size() != t.columns.size() + 1)
            throw data_error(path + ": line " + std::to_string(lineno) + " has " + std::to_string(cells.size()) +
                             " fields, the header has " + std::to_string(t.columns.size() + 1));
        t.row_labels.push_back(cells.front());
        t.cells.emplace_back(cells.begin() + 1, cells.end());
    }
    if (!have_header) throw data_error(path + ": file is empty");
    if (t.cells.empty()) throw data_error(path + ": no data rows");
    return t;
}

labelled_matrix read_square_matrix_csv(const std::string& path, const std::vector<std::string>& expected_names,
                                       const matrix_checks& checks) {
    const csv_table t = read_csv(path);
    const std::size_t nr = t.row_labels.size(), nc = t.columns.size();
    if (nr != nc)
        throw data_error(path + ": matrix is not square (" + std::to_string(nr) + " rows, " + std::to_string(nc) +
                         " columns)");
    for (std::size_t i = 0; i < nr; ++i)
        if (t.row_labels[i] != t.columns[i])
            throw data_error(path + ": row " + std::to_string(i + 2) + " is area '" + printable(t.row_labels[i]) +
                             "' but column " + std::to_string(i + 2) + " is area '" + printable(t.columns[i]) +
                             "' (rows and columns must list the same areas in the same order)");
    if (!expected_names.empty()) {
        if (expected_names.size() != nr)
            throw data_error(path + ": has " + std::to_string(nr) + " areas, the area list has " +
                             std::to_string(expected_names.size()));
        for (std::size_t i = 0; i < nr; ++i)
            if (expected_names[i] != t.columns[i])
                throw data_error(path + ": area " + std::to_string(i) + " is '" + printable(t.columns[i]) +
                                 "' but the area list has '" + printable(expected_names[i]) + "' there");
    }
    labelled_matrix m;
    m.path = path;
    m.names = t.columns;
    m.values.resize(nr * nc);
    for (std::size_t i = 0; i < nr; ++i)
        for (std::size_t j = 0; j < nc; ++j) {
            const double v = t.number(i, j);
            if ((checks.non_negative && v < 0.0) || (checks.zero_diagonal && i == j && v != 0.0)) {
                const std::string where = path + ": row '" + printable(t.row_labels[i]) + "' (target), column '" +
                                          printable(t.columns[j]) + "' (source)";
                if (checks.non_negative && v < 0.0)
                    throw data_error(where + ": value " + printable(t.cells[i][j]) + " is negative");
                throw data_error(where + ": diagonal value " + printable(t.cells[i][j]) +
                                 " must be 0 (a self-connection: see model.connectivity.self_connections)");
            }
            m.values[i * nc + j] = v;
        }
    return m;
}

}  // namespace cortexsim
