// Exchange layer on N ranks: the deterministic coupling equals the documented summation tree bit for bit on
// any rank count, a plain dense sum to rounding, and PETSc's
// MatMult to rounding; a failure on one rank becomes the same error on every rank.
#include <gtest/gtest.h>
#include <petscmat.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/connectivity/csv.hpp"
#include "cortexsim/connectivity/synthetic.hpp"
#include "cortexsim/exchange/exchange.hpp"
#include "test_support.hpp"

using namespace cortexsim;
using cortexsim::test::source_dir;
using cortexsim::test::world_rank;
using cortexsim::test::world_size;

namespace {

/// This rank's rows as a PETSc MPIAIJ matrix (the production path assembles none: exchange.hpp), to compare
/// the exchange with PETSc's own MatMult.
Mat petsc_matrix(const block_partition& part, const local_rows& rows) {
    Mat W = nullptr;
    const auto n = static_cast<PetscInt>(rows.n_rows), N = static_cast<PetscInt>(part.n_areas());
    MatCreateAIJ(MPI_COMM_WORLD, n, n, N, N, static_cast<PetscInt>(rows.n_global), nullptr,
                 static_cast<PetscInt>(rows.n_global), nullptr, &W);
    for (std::size_t i = 0; i < rows.n_rows; ++i) {
        const auto row = static_cast<PetscInt>(rows.row_begin + i);
        const auto b = rows.row_ptr[i], e = rows.row_ptr[i + 1];
        const std::vector<PetscInt> cols(rows.col.begin() + b, rows.col.begin() + e);
        MatSetValues(W, 1, &row, static_cast<PetscInt>(cols.size()), cols.data(), rows.val.data() + b, INSERT_VALUES);
    }
    MatAssemblyBegin(W, MAT_FINAL_ASSEMBLY);
    MatAssemblyEnd(W, MAT_FINAL_ASSEMBLY);
    return W;
}

/// A deterministic pseudo-random dense matrix with ~30 % nonzeros spanning many orders of magnitude.
labelled_matrix random_matrix(std::size_t n) {
    labelled_matrix m;
    m.names.resize(n);
    m.values.assign(n * n, 0.0);
    std::uint64_t s = 88172645463325252ull;
    auto next = [&] {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return static_cast<double>(s >> 11) * 0x1.0p-53;
    };
    for (std::size_t i = 0; i < n; ++i) {
        std::string name = "a";  // (not "a" + to_string: a GCC 12 -Wrestrict false positive)
        name += std::to_string(i);
        m.names[i] = std::move(name);
        for (std::size_t j = 0; j < n; ++j)
            if (i != j && next() < 0.3) m.values[i * n + j] = std::pow(10.0, -6.0 * next());
    }
    return m;
}

std::vector<double> source_values(std::size_t n) {
    std::vector<double> x(n);
    for (std::size_t j = 0; j < n; ++j) x[j] = 10.0 + std::sin(1.0 + static_cast<double>(j)) * 7.3;
    return x;
}

void check_against_dense(const labelled_matrix& m) {
    const std::size_t n = m.size();
    block_partition part(n, world_size());
    const int me = world_rank();
    const local_rows rows = rows_of(m, part.begin(me), part.end(me));
    const auto c = make_exchange(MPI_COMM_WORLD, part, rows);
    const auto x = source_values(n);
    std::vector<double> out(part.count(me), -1.0);
    c->sums(0, 0, x.data() + part.begin(me), out.data());
    for (std::size_t i = 0; i < part.count(me); ++i) {
        const std::size_t gi = part.begin(me) + i;
        // the documented summation tree: nonzeros in increasing column order dealt round-robin to four
        // partial sums, combined as (s0 + s1) + (s2 + s3)
        double part_sum[4] = {0.0, 0.0, 0.0, 0.0}, plain = 0.0;
        std::size_t k = 0;
        for (std::size_t j = 0; j < n; ++j)
            if (m(gi, j) != 0.0) {
                part_sum[k++ % 4] += m(gi, j) * x[j];
                plain += m(gi, j) * x[j];
            }
        const double ref = (part_sum[0] + part_sum[1]) + (part_sum[2] + part_sum[3]);
        EXPECT_EQ(out[i], ref) << "row " << gi << " on " << world_size() << " ranks";  // bit for bit
        EXPECT_NEAR(out[i], plain, 1e-14 * std::fabs(plain));                          // dense reference
    }
    // PETSc's own MatMult agrees to rounding
    Mat W = petsc_matrix(part, rows);
    Vec xv = nullptr, yv = nullptr;
    MatCreateVecs(W, &xv, &yv);
    double* xa = nullptr;
    VecGetArray(xv, &xa);
    for (std::size_t i = 0; i < part.count(me); ++i) xa[i] = x[part.begin(me) + i];
    VecRestoreArray(xv, &xa);
    MatMult(W, xv, yv);
    const double* ya = nullptr;
    VecGetArrayRead(yv, &ya);
    for (std::size_t i = 0; i < part.count(me); ++i) EXPECT_NEAR(ya[i], out[i], 1e-12 * std::fabs(out[i]) + 1e-300);
    VecRestoreArrayRead(yv, &ya);
    VecDestroy(&xv);
    VecDestroy(&yv);
    MatDestroy(&W);
}

}  // namespace

TEST(mpi_coupling, random_matrix_equals_dense_reference) { check_against_dense(random_matrix(57)); }

TEST(mpi_coupling, chaudhuri_fln_equals_dense_reference) {
    check_against_dense(read_square_matrix_csv(source_dir() + "/configs/data/chaudhuri2015/fln_29x29.csv", {}));
}

TEST(mpi_coupling, ghost_statistics) {
    const auto m = random_matrix(40);
    block_partition part(m.size(), world_size());
    const int me = world_rank();
    const auto c = make_exchange(MPI_COMM_WORLD, part, rows_of(m, part.begin(me), part.end(me)));
    if (world_size() == 1)
        EXPECT_EQ(c->stats().ghost_sources, 0u);
    else
        EXPECT_GT(c->stats().ghost_sources, 0u);
    EXPECT_EQ(c->stats().bytes_per_exchange, c->stats().ghost_sources * sizeof(double));
    EXPECT_EQ(c->stats().local_rows, part.count(me));
}

namespace {

/// Rows [b, e) of a banded matrix of n areas (row i reads i - 5 .. i + 5 but not i) where every 97th row also
/// reads the area n / 2 away: on a block partition most rows read only their rank's areas, a few read ghosts.
/// Matrix m (of two with the same pattern) has values scaled differently.
local_rows banded_rows(std::size_t n, std::size_t b, std::size_t e, int m) {
    local_rows r;
    r.n_global = n;
    r.row_begin = b;
    r.n_rows = e - b;
    for (std::size_t i = b; i < e; ++i) {
        std::vector<std::size_t> cols;
        for (std::size_t j = i >= 5 ? i - 5 : 0; j <= std::min(n - 1, i + 5); ++j)
            if (j != i) cols.push_back(j);
        if (i % 97 == 0) cols.push_back((i + n / 2) % n);
        std::sort(cols.begin(), cols.end());
        cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
        for (std::size_t j : cols) {
            r.col.push_back(static_cast<std::int64_t>(j));
            r.val.push_back((1.0 + static_cast<double>(m)) * std::exp(-0.37 * static_cast<double>((i * 7 + j) % 23)));
        }
        r.row_ptr.push_back(static_cast<std::int64_t>(r.col.size()));
    }
    return r;
}

}  // namespace

// The direct exchange sums the rows that read no ghost between starting its messages and waiting for them
// (exchange_stats::overlapped_rows counts them), and with exchange_options::overlap = false after the receive:
// both give, bit for bit, the sums of one rank, for one matrix and one source and for 2 matrices x 4 sources.
TEST(mpi_coupling, overlapped_sums_equal_one_rank_bit_for_bit) {
    const std::size_t n = 6000;
    const int me = world_rank(), size = world_size();
    const block_partition part(n, size);
    const std::size_t b = part.begin(me), e = part.end(me), nl = e - b;
    for (const std::size_t M : {std::size_t{1}, std::size_t{2}})
        for (const std::size_t S : {std::size_t{1}, std::size_t{4}}) {
            std::vector<local_rows> mine, all;
            for (std::size_t m = 0; m < M; ++m) {
                mine.push_back(banded_rows(n, b, e, static_cast<int>(m)));
                all.push_back(banded_rows(n, 0, n, static_cast<int>(m)));
            }
            std::vector<const local_rows*> mp, ap;
            for (std::size_t m = 0; m < M; ++m) {
                mp.push_back(&mine[m]);
                ap.push_back(&all[m]);
            }
            // this rank's rows that read only its own areas
            std::size_t interior = 0;
            for (std::size_t i = 0; i < nl; ++i) {
                bool inside = true;
                for (auto k = mine[0].row_ptr[i]; k < mine[0].row_ptr[i + 1]; ++k) {
                    const auto c = static_cast<std::size_t>(mine[0].col[static_cast<std::size_t>(k)]);
                    inside = inside && c >= b && c < e;
                }
                interior += inside ? 1 : 0;
            }
            exchange_options o;
            o.n_sources = S;
            o.rows_per_block = 700;
            const auto serial = make_exchange(MPI_COMM_SELF, block_partition(n, 1), rows_in_memory(ap), o);
            std::vector<std::unique_ptr<exchange>> ex;
            for (const bool overlap : {true, false}) {
                o.overlap = overlap;
                ex.push_back(make_exchange(MPI_COMM_WORLD, part, rows_in_memory(mp), o));
            }
            const int calls = 3;
            for (int t = 0; t < calls; ++t) {
                std::vector<std::vector<double>> x(S, std::vector<double>(n));
                for (std::size_t s = 0; s < S; ++s)
                    for (std::size_t j = 0; j < n; ++j)
                        x[s][j] = 10.0 + 7.3 * std::sin(1.0 + static_cast<double>(j * (s + 1) + 31 * t));
                std::vector<const double*> xa, xl;
                for (std::size_t s = 0; s < S; ++s) {
                    xa.push_back(x[s].data());
                    xl.push_back(x[s].data() + b);
                }
                std::vector<std::vector<double>> ref(M * S, std::vector<double>(n, -1.0));
                std::vector<double*> rp;
                for (auto& v : ref) rp.push_back(v.data());
                serial->sums(t, 0, xa.data(), rp.data());
                for (std::size_t q = 0; q < ex.size(); ++q) {
                    std::vector<std::vector<double>> out(M * S, std::vector<double>(nl, -2.0));
                    std::vector<double*> op;
                    for (auto& v : out) op.push_back(v.data());
                    ex[q]->sums(t, 0, xl.data(), op.data());
                    for (std::size_t j = 0; j < M * S; ++j)
                        for (std::size_t i = 0; i < nl; ++i)
                            ASSERT_EQ(out[j][i], ref[j][b + i])  // bit for bit
                                << "overlap " << (q == 0) << ", M " << M << ", S " << S << ", sum " << j << ", row "
                                << b + i << " on " << size << " ranks";
                }
            }
            for (std::size_t q = 0; q < ex.size(); ++q) {
                const exchange_stats& st = ex[q]->stats();
                if (size == 1) {  // one rank: no messages
                    EXPECT_EQ(st.exchanges, 0u);
                    EXPECT_EQ(st.overlapped_rows, 0u);
                    continue;
                }
                EXPECT_EQ(st.interior_rows, interior);
                EXPECT_GT(st.interior_rows, nl / 2);  // the band: most rows read no ghost
                EXPECT_LT(st.interior_rows, nl);      // the rows next to the other blocks and the far reads do
                EXPECT_EQ(st.exchanges, static_cast<std::uint64_t>(calls));
                EXPECT_EQ(st.overlapped_rows, q == 0 ? static_cast<std::uint64_t>(calls) * interior : 0u)
                    << (q == 0 ? "overlap on" : "overlap off");
            }
        }
}

TEST(mpi_collective, failure_on_one_rank_reaches_every_rank) {
    const int last = world_size() - 1;
    std::string msg;
    try {
        run_collectively(MPI_COMM_WORLD, [&] {
            if (world_rank() == last) throw data_error("file x.csv: bad value on the last rank");
        });
    } catch (const error& e) {
        msg = e.what();
    }
    EXPECT_EQ(msg, "file x.csv: bad value on the last rank");
    EXPECT_NO_THROW(run_collectively(MPI_COMM_WORLD, [] {}));
}

// A coupling built from each rank's own generated rows of a synthetic cortex equals, bit for bit, the same
// coupling built on one rank from all rows.
TEST(SyntheticMpi, CouplingFromOwnRowsEqualsOneRankBitForBit) {
    for (const std::string geometry : {"sheet", "sphere"}) {
        synthetic_spec s;
        s.n_areas = 2000;
        s.geometry = geometry;
        s.extent_mm = geometry == "sheet" ? 100.0 : 50.0;
        s.length_constant_mm = 10.0;
        s.density = 0.01;
        s.seed = 7;
        s.weight_scale = 0.37;
        const int me = world_rank();
        const block_partition part(s.n_areas, world_size());
        const local_rows mine = synthetic_rows(s, part.begin(me), part.end(me));
        const auto c = make_exchange(MPI_COMM_WORLD, part, mine);
        std::vector<double> x(s.n_areas);
        for (std::size_t j = 0; j < x.size(); ++j) x[j] = 10.0 + std::sin(1.0 + static_cast<double>(j)) * 7.3;
        std::vector<double> out(part.count(me), -1.0);
        c->sums(0, 0, x.data() + part.begin(me), out.data());

        // serial: every row generated on this rank, and a coupling of one rank
        const local_rows all = synthetic_rows(s, 0, s.n_areas);
        const block_partition one(s.n_areas, 1);
        const auto serial = make_exchange(MPI_COMM_SELF, one, all);
        std::vector<double> ref(s.n_areas, -2.0);
        serial->sums(0, 0, x.data(), ref.data());
        for (std::size_t i = 0; i < part.count(me); ++i) {
            const std::size_t gi = part.begin(me) + i;
            EXPECT_EQ(out[i], ref[gi]) << geometry << " row " << gi << " on " << world_size() << " ranks";
            // the documented summation tree from the generated rows
            double p[4] = {0, 0, 0, 0};
            for (auto q = all.row_ptr[gi]; q < all.row_ptr[gi + 1]; ++q)
                p[static_cast<std::size_t>(q - all.row_ptr[gi]) % 4] +=
                    all.val[static_cast<std::size_t>(q)] *
                    x[static_cast<std::size_t>(all.col[static_cast<std::size_t>(q)])];
            EXPECT_EQ(out[i], (p[0] + p[1]) + (p[2] + p[3])) << geometry << " row " << gi;
        }
        // this rank's rows are the slice of all rows
        EXPECT_TRUE(std::equal(mine.col.begin(), mine.col.end(), all.col.begin() + all.row_ptr[part.begin(me)]));
        EXPECT_EQ(c->stats().nnz, mine.nnz());
    }
}
