#include "cortexsim/exchange/coupling.hpp"

#include <petscis.h>

#include <algorithm>
#include <string>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/exchange/petsc_check.hpp"
#include "row_sum.hpp"

namespace cortexsim {

namespace detail {
void throw_petsc(PetscErrorCode ierr, const char* call, const char* file, int line) {
    const char* text = nullptr;
    PetscErrorMessage(ierr, &text, nullptr);
    throw petsc_error(std::string("PETSc error ") + std::to_string(static_cast<int>(ierr)) + " in " + call + " (" +
                      file + ":" + std::to_string(line) + "): " + (text ? text : "unknown"));
}
}  // namespace detail

void count_neighbours(MPI_Comm comm, const block_partition& part, const std::vector<PetscInt>& needed,
                      exchange_stats& stats) {
    const int size = comm_size(comm), me = comm_rank(comm);
    std::vector<int> from(static_cast<std::size_t>(size), 0), to(static_cast<std::size_t>(size), 0);
    for (PetscInt c : needed) {
        const int o = part.owner(static_cast<std::size_t>(c));
        if (o != me) from[static_cast<std::size_t>(o)] = 1;
    }
    check_mpi(MPI_Alltoall(from.data(), 1, MPI_INT, to.data(), 1, MPI_INT, comm), "MPI_Alltoall");
    stats.recv_neighbours = static_cast<std::size_t>(std::count(from.begin(), from.end(), 1));
    stats.send_neighbours = static_cast<std::size_t>(std::count(to.begin(), to.end(), 1));
}

coupling::coupling(MPI_Comm comm, const block_partition& part, const local_rows& rows,
                   const std::vector<std::size_t>& column_key)
    : comm_(comm), n_local_(rows.n_rows), single_rank_(comm_size(comm) == 1) {
    const int me = comm_rank(comm);
    if (rows.row_begin != part.begin(me) || rows.n_rows != part.count(me))
        throw mpi_error("coupling: local rows do not match the partition on rank " + std::to_string(me));
    const PetscInt N = static_cast<PetscInt>(part.n_areas());
    const PetscInt n = static_cast<PetscInt>(n_local_);
    const PetscInt r0 = static_cast<PetscInt>(rows.row_begin);
    const PetscInt r1 = r0 + n;

    // ---- 1. the PETSc matrix, preallocated exactly (diagonal and off-diagonal blocks)
    std::vector<PetscInt> d_nnz(n_local_, 0), o_nnz(n_local_, 0);
    for (std::size_t i = 0; i < n_local_; ++i)
        for (auto k = rows.row_ptr[i]; k < rows.row_ptr[i + 1]; ++k) {
            const auto c = rows.col[static_cast<std::size_t>(k)];
            if (c >= r0 && c < r1)
                ++d_nnz[i];
            else
                ++o_nnz[i];
        }
    CS_PETSC(MatCreateAIJ(comm, n, n, N, N, 0, d_nnz.data(), 0, o_nnz.data(), &W_));
    CS_PETSC(MatSetOption(W_, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
    for (std::size_t i = 0; i < n_local_; ++i) {
        const PetscInt row = r0 + static_cast<PetscInt>(i);
        const auto b = rows.row_ptr[i], e = rows.row_ptr[i + 1];
        std::vector<PetscInt> cols(rows.col.begin() + b, rows.col.begin() + e);
        CS_PETSC(MatSetValues(W_, 1, &row, static_cast<PetscInt>(cols.size()), cols.data(), rows.val.data() + b,
                              INSERT_VALUES));
    }
    CS_PETSC(MatAssemblyBegin(W_, MAT_FINAL_ASSEMBLY));
    CS_PETSC(MatAssemblyEnd(W_, MAT_FINAL_ASSEMBLY));

    // ---- 2. our own rows, read back from the matrix in global column order
    std::vector<PetscInt> global_col;
    row_ptr_.assign(1, 0);
    for (PetscInt row = r0; row < r1; ++row) {
        PetscInt ncols = 0;
        const PetscInt* cols = nullptr;
        const PetscScalar* vals = nullptr;
        CS_PETSC(MatGetRow(W_, row, &ncols, &cols, &vals));
        for (PetscInt k = 0; k < ncols; ++k) {
            if (k > 0 && cols[k] <= cols[k - 1]) {
                MatRestoreRow(W_, row, &ncols, &cols, &vals);
                throw petsc_error("coupling: MatGetRow returned unsorted columns");
            }
            global_col.push_back(cols[k]);
            val_.push_back(vals[k]);
        }
        CS_PETSC(MatRestoreRow(W_, row, &ncols, &cols, &vals));
        row_ptr_.push_back(static_cast<PetscInt>(val_.size()));
    }

    if (!column_key.empty())
        for (std::size_t i = 0; i < n_local_; ++i)
            detail::order_row_by_key(global_col.data(), static_cast<std::size_t>(row_ptr_[i]),
                                     static_cast<std::size_t>(row_ptr_[i + 1]), column_key,
                                     [&](const std::vector<std::size_t>& idx) {
                                         std::vector<PetscInt> c;
                                         std::vector<double> v;
                                         for (std::size_t k : idx) {
                                             c.push_back(global_col[k]);
                                             v.push_back(val_[k]);
                                         }
                                         std::copy(c.begin(), c.end(), global_col.begin() + row_ptr_[i]);
                                         std::copy(v.begin(), v.end(), val_.begin() + row_ptr_[i]);
                                     });

    // ---- 3. the gather pattern: every source a local row reads, in increasing global order
    std::vector<PetscInt> needed = global_col;
    std::sort(needed.begin(), needed.end());
    needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
    col_.resize(global_col.size());
    for (std::size_t k = 0; k < global_col.size(); ++k) {
        if (single_rank_)
            col_[k] = global_col[k];
        else
            col_[k] = static_cast<PetscInt>(std::lower_bound(needed.begin(), needed.end(), global_col[k]) -
                                            needed.begin());
    }
    for (PetscInt c : needed)
        if (c < r0 || c >= r1) ++stats_.ghost_sources;
    stats_.local_rows = n_local_;
    stats_.nnz = val_.size();
    stats_.bytes_per_exchange = stats_.ghost_sources * sizeof(double);
    count_neighbours(comm, part, needed, stats_);

    CS_PETSC(VecCreateMPIWithArray(comm, 1, n, N, nullptr, &x_global_));
    gathered_buf_.assign(std::max<std::size_t>(needed.size(), 1), 0.0);
    CS_PETSC(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, static_cast<PetscInt>(needed.size()), gathered_buf_.data(),
                                   &gathered_));
    IS from = nullptr;
    CS_PETSC(ISCreateGeneral(PETSC_COMM_SELF, static_cast<PetscInt>(needed.size()), needed.data(), PETSC_COPY_VALUES,
                             &from));
    const PetscErrorCode ierr = VecScatterCreate(x_global_, from, gathered_, nullptr, &scatter_);
    ISDestroy(&from);
    CS_PETSC(ierr);
}

coupling::~coupling() {
    // Never throw from a destructor: errors here are ignored.
    VecScatterDestroy(&scatter_);
    VecDestroy(&gathered_);
    VecDestroy(&x_global_);
    MatDestroy(&W_);
}

Vec coupling::create_vector() const {
    Vec v = nullptr;
    CS_PETSC(MatCreateVecs(W_, &v, nullptr));
    return v;
}

void coupling::apply(const double* x_local, double* out) {
    const double* src = x_local;
    if (!single_rank_) {
        CS_PETSC(VecPlaceArray(x_global_, x_local));
        CS_PETSC(VecScatterBegin(scatter_, x_global_, gathered_, INSERT_VALUES, SCATTER_FORWARD));
        CS_PETSC(VecScatterEnd(scatter_, x_global_, gathered_, INSERT_VALUES, SCATTER_FORWARD));
        CS_PETSC(VecResetArray(x_global_));
        src = gathered_buf_.data();
    }
    const PetscInt* rp = row_ptr_.data();
    const PetscInt* ci = col_.data();
    const double* v = val_.data();
    // the partition-independent summation tree (row_sum.hpp)
    for (std::size_t i = 0; i < n_local_; ++i)
        out[i] = detail::row_sum(rp[i], rp[i + 1], v, [&](PetscInt k) { return src[ci[k]]; });
}

}  // namespace cortexsim
