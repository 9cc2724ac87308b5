#pragma once
// Reading the labelled CSV tables of the data sets (docs/data.md): header row of column names, first column of
// row labels. Every error names the file, the row and the column.
#include <cstddef>
#include <string>
#include <vector>

namespace cortexsim {

/// A CSV table as text: header (without the first cell), row labels, cells.
struct csv_table {
    std::string path;
    std::string corner;                           // first cell of the header row (e.g. "target\source")
    std::vector<std::string> columns;             // header cells after the first
    std::vector<std::string> row_labels;          // first cell of each data row
    std::vector<std::vector<std::string>> cells;  // cells[r][c], c over columns

    /// Index into `columns` (the columns after the first) of a column by name; throws data_error if absent
    /// (also for the first column, whose cells are the row labels: text_column and number_column read it).
    std::size_t column(const std::string& name) const;
    /// Cell (r, c) of `columns` as a finite double; throws data_error naming file, row and column.
    double number(std::size_t r, std::size_t c) const;
    /// Every cell of the column named `name` as text; the first column (the row labels) is a column too.
    /// Throws data_error listing the columns if there is none of that name.
    std::vector<std::string> text_column(const std::string& name) const;
    /// Every cell of the column named `name` as a finite double (the first column too).
    std::vector<double> number_column(const std::string& name) const;
};

/// Reads a CSV file; throws data_error if it is missing, empty or ragged.
csv_table read_csv(const std::string& path);

/// A square matrix with source (column) and target (row) names; row-major, rows = targets.
struct labelled_matrix {
    std::string path;
    std::vector<std::string> names;  // same for rows and columns
    std::vector<double> values;      // n x n, values[i * n + j] = M[target i, source j]
    std::size_t size() const { return names.size(); }
    double operator()(std::size_t i, std::size_t j) const { return values[i * names.size() + j]; }
};

struct matrix_checks {
    bool non_negative = true;
    bool zero_diagonal = true;
};

/// Reads a square labelled matrix, checks that it is square, that row and column names agree with each other
/// and with `expected_names` (if not empty), that every value is finite, and the checks asked for.
labelled_matrix read_square_matrix_csv(const std::string& path, const std::vector<std::string>& expected_names,
                                       const matrix_checks& checks = {});

}  // namespace cortexsim
