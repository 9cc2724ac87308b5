// The two exchanges behind include/cortexsim/exchange/exchange.hpp: direct (every step) and delayed (once per
// minimum-delay epoch), and the factory that chooses between them.
#include "cortexsim/exchange/exchange.hpp"

#include <petscis.h>
#include <petscvec.h>

#include <algorithm>
#include <string>

#include "compiled_rows.hpp"
#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/memory.hpp"
#include "petsc_check.hpp"
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

namespace {

/// A VecScatter from a distributed Vec (block size bs, this rank's n_local blocks; the array is placed at
/// each use) to a sequential Vec over `buffer` that receives the blocks of `needed`, in order.
struct petsc_gather {
    Vec from = nullptr, to = nullptr;
    VecScatter scatter = nullptr;

    petsc_gather(MPI_Comm comm, PetscInt bs, std::size_t n_local, std::size_t n_areas, double* from_array,
                 const std::vector<std::int64_t>& needed, double* buffer) {
        const auto nn = static_cast<PetscInt>(needed.size());
        CS_PETSC(VecCreateMPIWithArray(comm, bs, static_cast<PetscInt>(n_local) * bs,
                                       static_cast<PetscInt>(n_areas) * bs, from_array, &from));
        CS_PETSC(VecCreateSeqWithArray(PETSC_COMM_SELF, bs, nn * bs, buffer, &to));
        std::vector<PetscInt> idx(needed.begin(), needed.end());
        IS is = nullptr;
        CS_PETSC(ISCreateBlock(PETSC_COMM_SELF, bs, nn, idx.data(), PETSC_COPY_VALUES, &is));
        const PetscErrorCode ierr = VecScatterCreate(from, is, to, nullptr, &scatter);
        ISDestroy(&is);
        CS_PETSC(ierr);
    }
    ~petsc_gather() {  // never throws
        VecScatterDestroy(&scatter);
        VecDestroy(&to);
        VecDestroy(&from);
    }
    petsc_gather(const petsc_gather&) = delete;
    petsc_gather& operator=(const petsc_gather&) = delete;

    void run() {
        CS_PETSC(VecScatterBegin(scatter, from, to, INSERT_VALUES, SCATTER_FORWARD));
        CS_PETSC(VecScatterEnd(scatter, from, to, INSERT_VALUES, SCATTER_FORWARD));
    }
};

// ---- direct: exchanged every step (and every stage) ------------------------------------------------------------

class direct_exchange final : public exchange {
public:
    /// Collective; the rows are checked already (compile_rows).
    direct_exchange(MPI_Comm comm, const block_partition& part, detail::compiled_rows rows)
        : single_rank_(comm_size(comm) == 1), r_(std::move(rows)) {
        // one rank: a nonzero reads the caller's array at its global column; else the gathered buffer
        col_ = single_rank_ ? std::vector<std::int32_t>(r_.global_col.begin(), r_.global_col.end()) : r_.needed_index;
        gathered_.assign(std::max<std::size_t>(r_.needed.size(), 1), 0.0);
        if (!single_rank_)
            gather_ = std::make_unique<petsc_gather>(comm, 1, r_.n_rows, part.n_areas(), nullptr, r_.needed,
                                                     gathered_.data());
        detail::fill_stats(comm, part, r_, sizeof(double), stats_);
    }

    void initialise(const double*) override {}

    void sums(std::int64_t, int, const double* x_local, double* out) override {
        const double* src = x_local;
        if (gather_) {
            CS_PETSC(VecPlaceArray(gather_->from, x_local));
            gather_->run();
            CS_PETSC(VecResetArray(gather_->from));
            src = gathered_.data();
        }
        const std::int64_t* rp = r_.row_ptr.data();
        const std::int32_t* ci = col_.data();
        const double* v = r_.val.data();
        for (std::size_t i = 0; i < r_.n_rows; ++i)
            out[i] = detail::row_sum(rp[i], rp[i + 1], v, [&](std::int64_t k) { return src[ci[k]]; });
    }

    void sums_of_constant(double value, double* out) const override {
        for (std::size_t i = 0; i < r_.n_rows; ++i)
            out[i] = detail::row_sum(r_.row_ptr[i], r_.row_ptr[i + 1], r_.val.data(),
                                     [&](std::int64_t) { return value; });
    }

    std::int64_t history_length() const override { return 0; }
    std::int64_t min_delay() const override { return 1; }
    std::vector<double> export_history(std::int64_t) const override { return {}; }
    void import_history(std::int64_t, const std::vector<double>& h) override {
        if (!h.empty()) throw data_error("exchange: a delay history for a coupling without delays");
    }
    const exchange_stats& stats() const override { return stats_; }

private:
    bool single_rank_;
    detail::compiled_rows r_;
    std::vector<std::int32_t> col_;
    std::vector<double> gathered_;
    std::unique_ptr<petsc_gather> gather_;
    exchange_stats stats_;
};

// ---- delayed: exchanged once per minimum-delay epoch ---------------------------------------------------------------
//
// Input at step t: out_i = sum_j W_ij s_j(t - d_ij), d_ij >= D >= 1 (D = global minimum delay). Every source value
// a step needs is at least D steps old, so the states produced during one epoch of D steps are exchanged together
// at the start of the next epoch (as NEST and Arbor do).

class delayed_exchange final : public exchange {
public:
    /// Collective; the rows are checked already (compile_rows, delays >= 1).
    delayed_exchange(MPI_Comm comm, const block_partition& part, detail::compiled_rows rows)
        : n_local_(rows.n_rows), begin_(rows.row_begin), r_(std::move(rows)) {
        int local_min = 1 << 30, local_max = 1;
        for (auto d : r_.delay) {
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
        n_needed_ = r_.needed.size();
        const auto D = static_cast<std::size_t>(D_);
        // the history: a ring of L past states of every needed source and local area, D packed states of each
        run_collectively(comm, [&] {
            check_allocation(product_of({static_cast<double>(L_) + static_cast<double>(D_),
                                         static_cast<double>(n_needed_ + n_local_), 8.0}),
                             "model.connectivity.delays: the delay history of a projection (largest delay " +
                                 std::to_string(max_d_) + " steps, " + std::to_string(n_needed_) + " sources, " +
                                 std::to_string(n_local_) + " local areas)");
        });
        ring_.assign(static_cast<std::size_t>(L_) * n_needed_, 0.0);
        own_ring_.assign(static_cast<std::size_t>(L_) * n_local_, 0.0);
        pack_.assign(std::max<std::size_t>(n_local_ * D, 1), 0.0);
        gathered_.assign(std::max<std::size_t>(n_needed_ * D, 1), 0.0);
        gather_ = std::make_unique<petsc_gather>(comm, static_cast<PetscInt>(D_), n_local_, part.n_areas(),
                                                 pack_.data(), r_.needed, gathered_.data());
        detail::fill_stats(comm, part, r_, sizeof(double) * D, stats_);
        stats_.steps_per_exchange = D_;
    }

    void initialise(const double* x0) override {
        const auto D = static_cast<std::size_t>(D_);
        for (std::size_t i = 0; i < n_local_; ++i) {
            for (std::size_t q = 0; q < D; ++q) pack_[i * D + q] = x0[i];
            for (std::int64_t s = 0; s < L_; ++s) own_ring_[static_cast<std::size_t>(s) * n_local_ + i] = x0[i];
        }
        gather_->run();
        for (std::size_t c = 0; c < n_needed_; ++c)
            for (std::int64_t s = 0; s < L_; ++s) ring_[static_cast<std::size_t>(s) * n_needed_ + c] = gathered_[c * D];
        pack_first_ = 0;
    }

    void sums(std::int64_t t, int stage, const double* x_local, double* out) override {
        if (stage > 0) return;  // the delayed input of a step does not depend on its stages
        const auto D = static_cast<std::size_t>(D_);
        if (t % D_ == 0 && t > 0) exchange_block();  // states [t - D, t - 1] of every needed source
        if (t % D_ == 0) pack_first_ = t;
        const auto q = static_cast<std::size_t>(t - pack_first_);
        const std::size_t own_slot = slot(t) * n_local_;
        for (std::size_t i = 0; i < n_local_; ++i) {
            pack_[i * D + q] = x_local[i];
            own_ring_[own_slot + i] = x_local[i];
        }
        const double* ring = ring_.data();
        const std::size_t nn = n_needed_;
        const std::int32_t* dl = r_.delay.data();
        const std::int32_t* ci = r_.needed_index.data();
        // slot of s(t - d) without a division per nonzero: base - d, wrapped once (d <= max_d < L)
        const std::int64_t base = static_cast<std::int64_t>(slot(t)), L = L_;
        for (std::size_t i = 0; i < n_local_; ++i)
            out[i] = detail::row_sum(r_.row_ptr[i], r_.row_ptr[i + 1], r_.val.data(), [&](std::int64_t k) {
                std::int64_t sl = base - dl[k];
                sl += sl < 0 ? L : 0;
                return ring[static_cast<std::size_t>(sl) * nn + static_cast<std::size_t>(ci[k])];
            });
    }

    void sums_of_constant(double value, double* out) const override {
        for (std::size_t i = 0; i < n_local_; ++i)
            out[i] = detail::row_sum(r_.row_ptr[i], r_.row_ptr[i + 1], r_.val.data(),
                                     [&](std::int64_t) { return value; });
    }

    std::int64_t history_length() const override { return L_; }
    std::int64_t min_delay() const override { return D_; }

    std::vector<double> export_history(std::int64_t k) const override {
        std::vector<double> h(static_cast<std::size_t>(L_) * n_local_);
        for (std::int64_t s = 0; s < L_; ++s) {
            const std::int64_t t = k - L_ + s;
            for (std::size_t i = 0; i < n_local_; ++i)
                h[static_cast<std::size_t>(s) * n_local_ + i] = own_ring_[slot(t) * n_local_ + i];
        }
        return h;
    }

    void import_history(std::int64_t k, const std::vector<double>& g) override {
        const std::size_t n_areas = g.size() / static_cast<std::size_t>(L_);
        const auto D = static_cast<std::size_t>(D_);
        for (std::int64_t s = 0; s < L_; ++s) {
            const std::int64_t t = k - L_ + s;
            const double* row = g.data() + static_cast<std::size_t>(s) * n_areas;
            for (std::size_t c = 0; c < n_needed_; ++c)
                ring_[slot(t) * n_needed_ + c] = row[static_cast<std::size_t>(r_.needed[c])];
            for (std::size_t i = 0; i < n_local_; ++i) own_ring_[slot(t) * n_local_ + i] = row[begin_ + i];
        }
        // the states of the current epoch before step k wait in the pack for the next exchange (at a boundary
        // k % D == 0, step k exchanges the whole previous epoch [k - D, k - 1])
        pack_first_ = k % D_ == 0 ? k - D_ : (k / D_) * D_;
        for (std::int64_t t = pack_first_; t < k; ++t) {
            const double* row = g.data() + static_cast<std::size_t>(t - (k - L_)) * n_areas;
            for (std::size_t i = 0; i < n_local_; ++i)
                pack_[i * D + static_cast<std::size_t>(t - pack_first_)] = row[begin_ + i];
        }
    }

    const exchange_stats& stats() const override { return stats_; }

private:
    std::size_t slot(std::int64_t t) const {
        const std::int64_t m = t % L_;
        return static_cast<std::size_t>(m < 0 ? m + L_ : m);
    }
    void exchange_block() {
        gather_->run();
        const auto D = static_cast<std::size_t>(D_);
        for (std::size_t c = 0; c < n_needed_; ++c)
            for (std::size_t q = 0; q < D; ++q)
                ring_[slot(pack_first_ + static_cast<std::int64_t>(q)) * n_needed_ + c] = gathered_[c * D + q];
    }

    std::size_t n_local_, begin_, n_needed_ = 0;
    detail::compiled_rows r_;
    std::int64_t D_ = 1, max_d_ = 1, L_ = 2;
    std::vector<double> ring_;      // [L][n_needed]
    std::vector<double> own_ring_;  // [L][n_local]
    std::vector<double> pack_;      // [n_local][D]
    std::vector<double> gathered_;  // [n_needed][D]
    std::int64_t pack_first_ = 0;   // step of pack slot 0
    std::unique_ptr<petsc_gather> gather_;
    exchange_stats stats_;
};

}  // namespace

std::unique_ptr<exchange> make_exchange(MPI_Comm comm, const block_partition& part, const local_rows& rows,
                                        const std::vector<std::size_t>& column_key) {
    // local checks first, agreed by every rank, then the collective set-up
    detail::compiled_rows r;
    run_collectively(comm, [&] {
        r = detail::compile_rows(part, comm_rank(comm), rows, column_key);
        for (auto d : r.delay)
            if (d < 1) throw data_error("delayed coupling: a delay of " + std::to_string(d) + " steps (must be >= 1)");
    });
    if (r.delay.empty()) return std::make_unique<direct_exchange>(comm, part, std::move(r));
    return std::make_unique<delayed_exchange>(comm, part, std::move(r));
}

}  // namespace cortexsim
