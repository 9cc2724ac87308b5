#include "cortexsim/exchange/delayed_coupling.hpp"

#include <petscis.h>

#include <algorithm>
#include <string>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/exchange/petsc_check.hpp"
#include "row_sum.hpp"

namespace cortexsim {


delayed_coupling::delayed_coupling(MPI_Comm comm, const block_partition& part, const local_rows& rows_in,
                                   const std::vector<std::size_t>& column_key)
    : comm_(comm), n_local_(rows_in.n_rows), begin_(rows_in.row_begin) {
    local_rows rows = rows_in;
    if (!column_key.empty())
        for (std::size_t i = 0; i < rows.n_rows; ++i) {
            const auto b = static_cast<std::size_t>(rows.row_ptr[i]), e = static_cast<std::size_t>(rows.row_ptr[i + 1]);
            detail::order_row_by_key(rows.col.data(), b, e, column_key, [&](const std::vector<std::size_t>& idx) {
                local_rows t;
                for (std::size_t k : idx) {
                    t.col.push_back(rows_in.col[k]);
                    t.val.push_back(rows_in.val[k]);
                    if (!rows_in.delay.empty()) t.delay.push_back(rows_in.delay[k]);
                }
                std::copy(t.col.begin(), t.col.end(), rows.col.begin() + static_cast<std::ptrdiff_t>(b));
                std::copy(t.val.begin(), t.val.end(), rows.val.begin() + static_cast<std::ptrdiff_t>(b));
                std::copy(t.delay.begin(), t.delay.end(), rows.delay.begin() + static_cast<std::ptrdiff_t>(b));
            });
        }
    const int me = comm_rank(comm);
    if (rows.row_begin != part.begin(me) || rows.n_rows != part.count(me))
        throw mpi_error("delayed coupling: local rows do not match the partition on rank " + std::to_string(me));
    if (rows.delay.size() != rows.nnz()) throw mpi_error("delayed coupling: rows carry no delays");

    int local_min = 1 << 30, local_max = 1;
    for (auto d : rows.delay) {
        if (d < 1) throw data_error("delayed coupling: a delay of " + std::to_string(d) + " steps (must be >= 1)");
        local_min = std::min<int>(local_min, d);
        local_max = std::max<int>(local_max, d);
    }
    int gmin = 0, gmax = 0;
    check_mpi(MPI_Allreduce(&local_min, &gmin, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
    check_mpi(MPI_Allreduce(&local_max, &gmax, 1, MPI_INT, MPI_MAX, comm), "MPI_Allreduce");
    if (gmin == (1 << 30)) gmin = 1;  // no connections anywhere
    D_ = gmin;
    max_d_ = std::max(gmax, gmin);
    L_ = max_d_ + 1;

    needed_.assign(rows.col.begin(), rows.col.end());
    std::sort(needed_.begin(), needed_.end());
    needed_.erase(std::unique(needed_.begin(), needed_.end()), needed_.end());
    n_needed_ = needed_.size();
    row_ptr_.assign(rows.row_ptr.begin(), rows.row_ptr.end());
    val_ = rows.val;
    delay_ = rows.delay;
    col_.resize(rows.col.size());
    for (std::size_t k = 0; k < rows.col.size(); ++k)
        col_[k] = static_cast<PetscInt>(
            std::lower_bound(needed_.begin(), needed_.end(), static_cast<PetscInt>(rows.col[k])) - needed_.begin());

    ring_.assign(static_cast<std::size_t>(L_) * n_needed_, 0.0);
    own_ring_.assign(static_cast<std::size_t>(L_) * n_local_, 0.0);
    pack_.assign(n_local_ * static_cast<std::size_t>(D_), 0.0);
    gathered_.assign(std::max<std::size_t>(n_needed_ * static_cast<std::size_t>(D_), 1), 0.0);

    const PetscInt bs = static_cast<PetscInt>(D_);
    CS_PETSC(VecCreateMPIWithArray(comm, bs, static_cast<PetscInt>(n_local_) * bs,
                                   static_cast<PetscInt>(part.n_areas()) * bs, pack_.data(), &x_global_));
    CS_PETSC(VecCreateSeqWithArray(PETSC_COMM_SELF, bs, static_cast<PetscInt>(n_needed_) * bs, gathered_.data(),
                                   &x_gathered_));
    IS from = nullptr;
    CS_PETSC(ISCreateBlock(PETSC_COMM_SELF, bs, static_cast<PetscInt>(n_needed_), needed_.data(), PETSC_COPY_VALUES,
                           &from));
    const PetscErrorCode ierr = VecScatterCreate(x_global_, from, x_gathered_, nullptr, &scatter_);
    ISDestroy(&from);
    CS_PETSC(ierr);

    for (PetscInt c : needed_)
        if (static_cast<std::size_t>(c) < part.begin(me) || static_cast<std::size_t>(c) >= part.end(me))
            ++stats_.ghost_sources;
    stats_.local_rows = n_local_;
    stats_.nnz = val_.size();
    stats_.bytes_per_exchange = stats_.ghost_sources * sizeof(double) * static_cast<std::size_t>(D_);
    stats_.steps_per_exchange = D_;
    count_neighbours(comm, part, needed_, stats_);
}

delayed_coupling::~delayed_coupling() {
    VecScatterDestroy(&scatter_);
    VecDestroy(&x_gathered_);
    VecDestroy(&x_global_);
}

void delayed_coupling::exchange_block() {
    CS_PETSC(VecScatterBegin(scatter_, x_global_, x_gathered_, INSERT_VALUES, SCATTER_FORWARD));
    CS_PETSC(VecScatterEnd(scatter_, x_global_, x_gathered_, INSERT_VALUES, SCATTER_FORWARD));
    for (std::size_t c = 0; c < n_needed_; ++c)
        for (std::int64_t q = 0; q < D_; ++q)
            ring_[slot(pack_first_ + q) * n_needed_ + c] = gathered_[c * static_cast<std::size_t>(D_) + static_cast<std::size_t>(q)];
}

void delayed_coupling::initialise(const double* x0_local) {
    for (std::size_t i = 0; i < n_local_; ++i) {
        for (std::int64_t q = 0; q < D_; ++q) pack_[i * static_cast<std::size_t>(D_) + static_cast<std::size_t>(q)] = x0_local[i];
        for (std::int64_t s = 0; s < L_; ++s) own_ring_[static_cast<std::size_t>(s) * n_local_ + i] = x0_local[i];
    }
    CS_PETSC(VecScatterBegin(scatter_, x_global_, x_gathered_, INSERT_VALUES, SCATTER_FORWARD));
    CS_PETSC(VecScatterEnd(scatter_, x_global_, x_gathered_, INSERT_VALUES, SCATTER_FORWARD));
    for (std::size_t c = 0; c < n_needed_; ++c)
        for (std::int64_t s = 0; s < L_; ++s)
            ring_[static_cast<std::size_t>(s) * n_needed_ + c] = gathered_[c * static_cast<std::size_t>(D_)];
    pack_first_ = 0;
}

void delayed_coupling::step(std::int64_t t, const double* x_local, double* out) {
    if (t % D_ == 0 && t > 0) exchange_block();  // states [t - D, t - 1] of every needed source
    if (t % D_ == 0) pack_first_ = t;
    const std::size_t q = static_cast<std::size_t>(t - pack_first_);
    const std::size_t own_slot = slot(t) * n_local_;
    for (std::size_t i = 0; i < n_local_; ++i) {
        pack_[i * static_cast<std::size_t>(D_) + q] = x_local[i];
        own_ring_[own_slot + i] = x_local[i];
    }
    const double* ring = ring_.data();
    const std::size_t nn = n_needed_;
    const std::int32_t* dl = delay_.data();
    const PetscInt* ci = col_.data();
    // slot of s(t - d) without a division per nonzero: base - d, wrapped once (d <= max_d < L)
    const std::int64_t base = static_cast<std::int64_t>(slot(t)), L = L_;
    for (std::size_t i = 0; i < n_local_; ++i)
        out[i] = detail::row_sum(row_ptr_[i], row_ptr_[i + 1], val_.data(), [&](PetscInt k) {
            std::int64_t sl = base - dl[k];
            sl += sl < 0 ? L : 0;
            return ring[static_cast<std::size_t>(sl) * nn + static_cast<std::size_t>(ci[k])];
        });
}

void delayed_coupling::sums_of_constant(double value, double* out) const {
    for (std::size_t i = 0; i < n_local_; ++i)
        out[i] = detail::row_sum(row_ptr_[i], row_ptr_[i + 1], val_.data(), [&](PetscInt) { return value; });
}

std::vector<double> delayed_coupling::export_history(std::int64_t k) const {
    std::vector<double> h(static_cast<std::size_t>(L_) * n_local_);
    for (std::int64_t s = 0; s < L_; ++s) {
        const std::int64_t t = k - L_ + s;
        for (std::size_t i = 0; i < n_local_; ++i)
            h[static_cast<std::size_t>(s) * n_local_ + i] = own_ring_[slot(t) * n_local_ + i];
    }
    return h;
}

void delayed_coupling::import_history(std::int64_t k, const std::vector<double>& g) {
    const std::size_t n_areas = g.size() / static_cast<std::size_t>(L_);
    for (std::int64_t s = 0; s < L_; ++s) {
        const std::int64_t t = k - L_ + s;
        const double* row = g.data() + static_cast<std::size_t>(s) * n_areas;
        for (std::size_t c = 0; c < n_needed_; ++c) ring_[slot(t) * n_needed_ + c] = row[needed_[c]];
        for (std::size_t i = 0; i < n_local_; ++i) own_ring_[slot(t) * n_local_ + i] = row[begin_ + i];
    }
    // the states of the current epoch before step k wait in the pack for the next exchange (at a boundary
    // k % D == 0, step k exchanges the whole previous epoch [k - D, k - 1])
    pack_first_ = k % D_ == 0 ? k - D_ : (k / D_) * D_;
    for (std::int64_t t = pack_first_; t < k; ++t) {
        const double* row = g.data() + static_cast<std::size_t>(t - (k - L_)) * n_areas;
        for (std::size_t i = 0; i < n_local_; ++i)
            pack_[i * static_cast<std::size_t>(D_) + static_cast<std::size_t>(t - pack_first_)] = row[begin_ + i];
    }
}

}  // namespace cortexsim
