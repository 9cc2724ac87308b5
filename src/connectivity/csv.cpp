#include "cortexsim/connectivity/csv.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cortexsim/common/errors.hpp"

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

std::size_t csv_table::column(const std::string& name) const {
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (columns[c] == name) return c;
    throw data_error(path + ": no column named '" + name + "'");
}

double csv_table::number(std::size_t r, std::size_t c) const {
    const std::string& s = cells.at(r).at(c);
    const char* b = s.c_str();
    char* e = nullptr;
    errno = 0;
    const double v = std::strtod(b, &e);
    const std::string where = path + ": row " + std::to_string(r + 2) + " ('" + row_labels[r] + "'), column '" +
                              columns[c] + "'";
    if (s.empty() || e == b || *e != '\0') throw data_error(where + ": '" + s + "' is not a number");
    if (!std::isfinite(v) || errno == ERANGE) throw data_error(where + ": value " + s + " is not finite");
    return v;
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
            throw data_error(path + ": row " + std::to_string(i + 2) + " is area '" + t.row_labels[i] +
                             "' but column " + std::to_string(i + 2) + " is area '" + t.columns[i] +
                             "' (rows and columns must list the same areas in the same order)");
    if (!expected_names.empty()) {
        if (expected_names.size() != nr)
            throw data_error(path + ": has " + std::to_string(nr) + " areas, the area list has " +
                             std::to_string(expected_names.size()));
        for (std::size_t i = 0; i < nr; ++i)
            if (expected_names[i] != t.columns[i])
                throw data_error(path + ": area " + std::to_string(i) + " is '" + t.columns[i] +
                                 "' but the area list has '" + expected_names[i] + "' there");
    }
    labelled_matrix m;
    m.path = path;
    m.names = t.columns;
    m.values.resize(nr * nc);
    for (std::size_t i = 0; i < nr; ++i)
        for (std::size_t j = 0; j < nc; ++j) {
            const double v = t.number(i, j);
            const std::string where = path + ": row '" + t.row_labels[i] + "' (target), column '" + t.columns[j] +
                                      "' (source)";
            if (checks.non_negative && v < 0.0) throw data_error(where + ": value " + t.cells[i][j] + " is negative");
            if (checks.zero_diagonal && i == j && v != 0.0)
                throw data_error(where + ": diagonal value " + t.cells[i][j] + " must be 0");
            m.values[i * nc + j] = v;
        }
    return m;
}

}  // namespace cortexsim
