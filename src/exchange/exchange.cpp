// The two exchanges behind include/cortexsim/exchange/exchange.hpp: direct (every step) and delayed (once per
// minimum-delay epoch), and the factory that chooses between them.
#include "cortexsim/exchange/exchange.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <string>
#include <utility>

#include "compiled_rows.hpp"
#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/memory.hpp"
#include "halo.hpp"
#include "row_sum.hpp"

namespace cortexsim {
namespace {

using detail::compiled_rows;

/// Rows to compute: all (list empty and all true) or the listed ones.
struct row_list {
    const std::uint32_t* rows = nullptr;  // null: rows [0, n)
    std::size_t n = 0;
    std::size_t at(std::size_t q) const { return rows ? rows[q] : q; }
};

/// Splits the rows into those that read only this rank's own sources (summed while messages travel) and the rest.
void split_rows(const compiled_rows& r, std::vector<std::uint32_t>& interior, std::vector<std::uint32_t>& boundary) {
    const auto lo = static_cast<std::int32_t>(r.own_first), hi = static_cast<std::int32_t>(r.own_first + r.n_rows);
    for (std::size_t i = 0; i < r.n_rows; ++i) {
        bool inside = true;
        for (auto k = r.row_ptr[i]; k < r.row_ptr[i + 1] && inside; ++k) {
            const std::int32_t c = r.col[static_cast<std::size_t>(k)];
            inside = c >= lo && c < hi;
        }
        (inside ? interior : boundary).push_back(static_cast<std::uint32_t>(i));
    }
}

// ---- kernels ---------------------------------------------------------------------------------------------------
// src / hist hold S values per source: src[c S + s]; hist[(c S + s) Lp + slot]. M = S = 0: known at run time only.

using direct_kernel = void (*)(const compiled_rows& r, row_list rows, std::size_t S_rt, const double* src,
                               double* const* out, double* acc);

template <int M, int S>
void direct_rows(const compiled_rows& r, row_list rows, std::size_t S_rt, const double* src, double* const* out,
                 double* acc) {
    const std::int64_t* rp = r.row_ptr.data();
    const std::int32_t* ci = r.col.data();
    const double* v = r.val.data();
    if constexpr (M == 1 && S == 1) {
        (void)S_rt;
        (void)acc;
        double* o = out[0];
        for (std::size_t q = 0; q < rows.n; ++q) {
            const std::size_t i = rows.at(q);
            o[i] = detail::row_sum(rp[i], rp[i + 1], v, [&](std::int64_t k) { return src[ci[k]]; });
        }
    } else if constexpr (M > 0) {
        (void)S_rt;
        (void)acc;
        double o[M * S];
        for (std::size_t q = 0; q < rows.n; ++q) {
            const std::size_t i = rows.at(q);
            detail::row_sums<M, S>(
                rp[i], rp[i + 1], v, [&](std::int64_t k) { return src + static_cast<std::size_t>(ci[k]) * S; }, o);
            for (int j = 0; j < M * S; ++j) out[j][i] = o[j];
        }
    } else {
        const std::size_t Mr = r.n_values, Sr = S_rt, MS = Mr * Sr;
        double* o = acc + 4 * MS;
        for (std::size_t q = 0; q < rows.n; ++q) {
            const std::size_t i = rows.at(q);
            detail::row_sums(
                rp[i], rp[i + 1], v, Mr, Sr, [&](std::int64_t k) { return src + static_cast<std::size_t>(ci[k]) * Sr; },
                acc, o);
            for (std::size_t j = 0; j < MS; ++j) out[j][i] = o[j];
        }
    }
}

direct_kernel choose_direct(std::size_t M, std::size_t S) {
    if (M == 1 && S == 1) return &direct_rows<1, 1>;
    if (M == 1 && S == 2) return &direct_rows<1, 2>;
    if (M == 1 && S == 4) return &direct_rows<1, 4>;
    if (M == 2 && S == 1) return &direct_rows<2, 1>;
    if (M == 2 && S == 2) return &direct_rows<2, 2>;
    if (M == 2 && S == 4) return &direct_rows<2, 4>;
    return &direct_rows<0, 0>;
}

// ---- the delayed sums, source by source -----------------------------------------------------------------------
//
// The sums of D consecutive steps T .. T + D - 1 (an epoch) are computed source by source (the rows transposed:
// every nonzero listed under its source, the sources in increasing column key), so that each source's ring of
// past states is read by all its readers at once while it is in cache. Each row keeps the four partial sums of
// row_sum.hpp per sum and step, acc[((i 4 + lane) M S + j) D + p], where lane = position of the nonzero in its
// row mod 4: since each row's nonzeros are reached in increasing key, which is its stored order, every partial
// sum adds the same products in the same order as the row-by-row tree, and the result is bit-identical to it.

/// The rows transposed: for processing position q, the held source order[q] and its readers [ptr[q], ptr[q + 1]).
struct source_major {
    std::vector<std::uint32_t> order;     // held source (index into needed) of each position
    std::vector<std::int64_t> ptr;        // n_held + 1
    std::vector<std::uint32_t> row_lane;  // per nonzero: row * 4 + lane
    std::vector<double> val;              // [nonzero][M]
    std::vector<std::int32_t> delay;      // per nonzero
    std::size_t bytes() const {
        return order.size() * 4 + ptr.size() * 8 + row_lane.size() * 4 + val.size() * 8 + delay.size() * 4;
    }
};

/// Transposes r (whose columns are indices into needed) into source-major order by column key (empty: by
/// column), and frees r's pattern and values.
source_major transpose(compiled_rows& r, const std::vector<std::size_t>& key) {
    if (r.n_rows >= (std::size_t{1} << 30)) throw mpi_error("exchange: more than 2^30 rows on one rank");
    const std::size_t n_held = r.n_needed(), M = r.n_values, nnz = r.nnz();
    source_major t;
    t.order.resize(n_held);
    std::iota(t.order.begin(), t.order.end(), 0U);
    if (!key.empty())
        std::sort(t.order.begin(), t.order.end(), [&](std::uint32_t x, std::uint32_t y) {
            return key[static_cast<std::size_t>(r.global(x))] < key[static_cast<std::size_t>(r.global(y))];
        });
    std::vector<std::uint32_t> position(n_held);
    for (std::size_t q = 0; q < n_held; ++q) position[t.order[q]] = static_cast<std::uint32_t>(q);
    t.ptr.assign(n_held + 1, 0);
    for (std::int32_t c : r.col) ++t.ptr[position[static_cast<std::size_t>(c)] + 1];
    for (std::size_t q = 0; q < n_held; ++q) t.ptr[q + 1] += t.ptr[q];
    std::vector<std::int64_t> next(t.ptr.begin(), t.ptr.end() - 1);
    t.row_lane.resize(nnz);
    t.val.resize(nnz * M);
    t.delay.resize(nnz);
    for (std::size_t i = 0; i < r.n_rows; ++i) {
        const std::int64_t b = r.row_ptr[i], e = r.row_ptr[i + 1];
        for (std::int64_t k = b; k < e; ++k) {
            const auto ku = static_cast<std::size_t>(k);
            const auto to = static_cast<std::size_t>(next[position[static_cast<std::size_t>(r.col[ku])]]++);
            t.row_lane[to] = static_cast<std::uint32_t>(i * 4 + static_cast<std::size_t>((k - b) & 3));
            for (std::size_t m = 0; m < M; ++m) t.val[to * M + m] = r.val[ku * M + m];
            t.delay[to] = r.delay[ku];
        }
    }
    r.col = {};
    r.val = {};
    r.delay = {};
    r.row_ptr = {};
    // each source's readers by decreasing delay (their order does not matter: each is another row), so that the
    // reads of its ring go forward through memory once per epoch
    std::vector<std::size_t> idx;
    std::vector<std::uint32_t> rl;
    std::vector<double> v;
    std::vector<std::int32_t> d;
    for (std::size_t q = 0; q < n_held; ++q) {
        const auto b = static_cast<std::size_t>(t.ptr[q]), e = static_cast<std::size_t>(t.ptr[q + 1]);
        idx.resize(e - b);
        std::iota(idx.begin(), idx.end(), b);
        std::stable_sort(idx.begin(), idx.end(), [&](std::size_t x, std::size_t y) { return t.delay[x] > t.delay[y]; });
        rl.resize(e - b);
        v.resize((e - b) * M);
        d.resize(e - b);
        for (std::size_t k = 0; k < idx.size(); ++k) {
            rl[k] = t.row_lane[idx[k]];
            d[k] = t.delay[idx[k]];
            for (std::size_t m = 0; m < M; ++m) v[k * M + m] = t.val[idx[k] * M + m];
        }
        std::copy(rl.begin(), rl.end(), t.row_lane.begin() + static_cast<std::ptrdiff_t>(b));
        std::copy(d.begin(), d.end(), t.delay.begin() + static_cast<std::ptrdiff_t>(b));
        std::copy(v.begin(), v.end(), t.val.begin() + static_cast<std::ptrdiff_t>(b * M));
    }
    return t;
}

struct epoch_args {
    const double* hist;
    const std::size_t* off;  // per held source: its rings start at hist + off[c] (source vector s at + s (len + D - 1))
    const std::int32_t* len;   // per held source: its ring's slots in time (its largest delay + 1)
    const std::int32_t* base;  // per held source: the slot of step T in its ring
    std::size_t D;             // steps computed
    std::size_t S;             // source vectors
    std::size_t M;             // matrices
    std::size_t n_rows;
    double* epoch;  // [D][M S][n_rows]
    double* acc;    // [n_rows][4][M S][D]
};
using epoch_kernel = void (*)(const source_major& t, const epoch_args& a);

/// x[p] += w h[p], p < D (DD = D at compile time, or 0); x (partial sums) and h (history) never overlap.
template <int DD>
inline void add_window(double* __restrict x, const double* __restrict h, double w, std::size_t D) {
    if constexpr (DD >= 4) {
        // two at a time in SSE2 registers (GCC does not vectorise the unrolled loop at this -O level); the
        // same IEEE products and sums as one at a time (-ffp-contract=off: no fused multiply-add)
        using v2 = double __attribute__((vector_size(16)));
        const v2 wv = {w, w};
        for (std::size_t p = 0; p + 2 <= static_cast<std::size_t>(DD); p += 2) {
            v2 xv, hv;
            std::memcpy(&xv, x + p, sizeof xv);
            std::memcpy(&hv, h + p, sizeof hv);
            xv += wv * hv;
            std::memcpy(x + p, &xv, sizeof xv);
        }
        if constexpr (DD % 2 != 0) x[DD - 1] += w * h[DD - 1];
    } else {
        const std::size_t n = DD ? static_cast<std::size_t>(DD) : D;
        for (std::size_t p = 0; p < n; ++p) x[p] += w * h[p];
    }
}

/// The sums of the D steps T .. T + D - 1: nonzero k reads the D states s(T - d_k) .. s(T - d_k + D - 1),
/// contiguous in its source's ring from slot base[c] - d_k (the first D - 1 slots are mirrored after the last, so
/// a window never wraps). M, S, DD = 0: known at run time only.
template <int M, int S, int DD>
void epoch_sums(const source_major& t, const epoch_args& a) {
    const std::size_t Mr = M ? static_cast<std::size_t>(M) : a.M;
    const std::size_t Sr = S ? static_cast<std::size_t>(S) : a.S;
    const std::size_t D = DD ? static_cast<std::size_t>(DD) : a.D;
    const std::size_t MS = Mr * Sr, MSD = MS * D, nr = a.n_rows;
    double* acc = a.acc;
    std::fill(acc, acc + nr * 4 * MSD, 0.0);
    const std::uint32_t* rl = t.row_lane.data();
    const std::int32_t* dl = t.delay.data();
    const double* val = t.val.data();
    for (std::size_t q = 0; q < t.order.size(); ++q) {
        const std::size_t c = t.order[q];
        const double* hc = a.hist + a.off[c];
        const std::int64_t bc = a.base[c], Lc = a.len[c];
        const std::size_t Lp = static_cast<std::size_t>(Lc) + D - 1;
        for (std::int64_t k = t.ptr[q]; k < t.ptr[q + 1]; ++k) {
            const auto ku = static_cast<std::size_t>(k);
            double* x0 = acc + static_cast<std::size_t>(rl[ku]) * MSD;
            std::int64_t s0 = bc - dl[ku];
            s0 += s0 < 0 ? Lc : 0;
            const double* v = val + ku * Mr;
            for (std::size_t s = 0; s < Sr; ++s) {
                const double* h = hc + s * Lp + static_cast<std::size_t>(s0);
                for (std::size_t m = 0; m < Mr; ++m) {
                    const double w = v[m];
                    add_window<DD>(x0 + (m * Sr + s) * D, h, w, D);
                }
            }
        }
    }
    for (std::size_t i = 0; i < nr; ++i) {  // (no division by a run-time D here: it took a quarter of the kernel)
        const double* x = acc + i * 4 * MSD;
        for (std::size_t m = 0; m < MS; ++m)
            for (std::size_t p = 0; p < D; ++p) {
                const std::size_t j = m * D + p;
                a.epoch[(p * MS + m) * nr + i] = (x[j] + x[MSD + j]) + (x[2 * MSD + j] + x[3 * MSD + j]);
            }
    }
}

/// epoch_sums<1, 1, D> for D = 1 .. 32, indexed by D - 1: with D known at compile time the D products of a
/// nonzero are unrolled (Chaudhuri with delays has D = 14).
template <std::size_t... I>
constexpr std::array<epoch_kernel, sizeof...(I)> single_epoch_kernels(std::index_sequence<I...>) {
    return {&epoch_sums<1, 1, static_cast<int>(I) + 1>...};
}
constexpr auto single_epoch = single_epoch_kernels(std::make_index_sequence<32>{});

epoch_kernel choose_epoch(std::size_t M, std::size_t S, std::size_t D) {
    if (M == 1 && S == 1) {
        if (D >= 1 && D <= single_epoch.size()) return single_epoch[D - 1];
        return &epoch_sums<1, 1, 0>;
    }
    if (M == 2 && S == 4) return &epoch_sums<2, 4, 0>;
    return &epoch_sums<0, 0, 0>;
}

/// The sums when every past value of source s is value[s], by the same partial sums.
void constant_sums(const source_major& t, std::size_t M, std::size_t S, std::size_t n_rows, const double* value,
                   double* const* out) {
    const std::size_t MS = M * S;
    std::vector<double> acc(n_rows * 4 * MS, 0.0);
    for (std::size_t q = 0; q < t.order.size(); ++q)
        for (std::int64_t k = t.ptr[q]; k < t.ptr[q + 1]; ++k) {
            const auto ku = static_cast<std::size_t>(k);
            double* x = acc.data() + static_cast<std::size_t>(t.row_lane[ku]) * MS;
            for (std::size_t m = 0; m < M; ++m)
                for (std::size_t s = 0; s < S; ++s) x[m * S + s] += t.val[ku * M + m] * value[s];
        }
    for (std::size_t i = 0; i < n_rows; ++i) {
        const double* x = acc.data() + i * 4 * MS;
        for (std::size_t j = 0; j < MS; ++j) out[j][i] = (x[j] + x[MS + j]) + (x[2 * MS + j] + x[3 * MS + j]);
    }
}

void constant_sums(const compiled_rows& r, std::size_t S, const double* value, double* const* out) {
    const std::size_t MS = r.n_values * S;
    std::vector<double> acc(4 * MS), o(MS);
    for (std::size_t i = 0; i < r.n_rows; ++i) {
        detail::row_sums(
            r.row_ptr[i], r.row_ptr[i + 1], r.val.data(), r.n_values, S, [&](std::int64_t) { return value; },
            acc.data(), o.data());
        for (std::size_t j = 0; j < MS; ++j) out[j][i] = o[j];
    }
}

std::size_t matrix_bytes(const compiled_rows& r) {
    return r.col.size() * sizeof(std::int32_t) + r.val.size() * sizeof(double) + r.delay.size() * sizeof(std::int32_t) +
           r.row_ptr.size() * sizeof(std::int64_t);
}

// ---- direct: exchanged every step (and every stage) ------------------------------------------------------------

class direct_exchange final : public exchange {
public:
    /// Collective; the rows are checked already (compile_rows).
    direct_exchange(MPI_Comm comm, const block_partition& part, compiled_rows rows, std::size_t S, bool overlap)
        : exchange(rows.n_values, S),
          S_(S),
          overlap_(overlap),
          r_(std::move(rows)),
          kernel_(choose_direct(r_.n_values, S)) {
        acc_.assign(5 * r_.n_values * S_, 0.0);
        if (!r_.identity || S_ > 1) gathered_.assign(std::max<std::size_t>(r_.n_needed() * S_, 1), 0.0);
        if (!r_.identity) {
            halo_ = std::make_unique<detail::halo>(comm, part, r_, S_, gathered_.data());
            split_rows(r_, interior_, boundary_);
            // the interior rows in chunks of about poll_nonzeros nonzeros, the messages polled after each
            std::int64_t nz = 0;
            for (std::size_t q = 0; q < interior_.size(); ++q) {
                nz += r_.row_ptr[interior_[q] + 1] - r_.row_ptr[interior_[q]];
                if (nz >= poll_nonzeros || q + 1 == interior_.size()) {
                    chunk_end_.push_back(q + 1);
                    nz = 0;
                }
            }
        }
        detail::fill_stats(comm, part, r_, sizeof(double) * S_, stats_);
        stats_.interior_rows = r_.identity ? r_.n_rows : interior_.size();
        stats_.matrix_bytes = matrix_bytes(r_);
    }

    void initialise(const double* const*) override {}

    void sums(std::int64_t, int, const double* const* x, double* const* out) override {
        const std::size_t n = r_.n_rows, S = S_;
        if (r_.identity) {
            const double* src = x[0];
            if (S > 1) {
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t s = 0; s < S; ++s) gathered_[i * S + s] = x[s][i];
                src = gathered_.data();
            }
            kernel_(r_, {nullptr, n}, S, src, out, acc_.data());
            return;
        }
        double* send = halo_->send_buffer();
        const auto& sl = halo_->send_local();
        for (std::size_t q = 0; q < sl.size(); ++q)
            for (std::size_t s = 0; s < S; ++s) send[q * S + s] = x[s][static_cast<std::size_t>(sl[q])];
        halo_->start();
        double* own = gathered_.data() + r_.own_first * S;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t s = 0; s < S; ++s) own[i * S + s] = x[s][i];
        ++stats_.exchanges;
        if (!overlap_) {  // every row after the receive (each row's sum is the same either way)
            halo_->finish();
            kernel_(r_, {nullptr, n}, S, gathered_.data(), out, acc_.data());
            return;
        }
        // the rows that read no ghost while the messages travel, polling them between chunks
        std::size_t q0 = 0;
        for (std::size_t q1 : chunk_end_) {
            kernel_(r_, {interior_.data() + q0, q1 - q0}, S, gathered_.data(), out, acc_.data());
            q0 = q1;
            halo_->test();
        }
        stats_.overlapped_rows += interior_.size();
        halo_->finish();
        kernel_(r_, {boundary_.data(), boundary_.size()}, S, gathered_.data(), out, acc_.data());
    }

    void sums_of_constant(const double* value, double* const* out) const override { constant_sums(r_, S_, value, out); }

    std::int64_t history_length() const override { return 0; }
    std::int64_t min_delay() const override { return 1; }
    std::vector<double> export_history(std::int64_t, std::size_t) const override { return {}; }
    void import_history(std::int64_t, const std::vector<double>& h, std::size_t) override {
        if (!h.empty()) throw data_error("exchange: a delay history for a coupling without delays");
    }
    const exchange_stats& stats() const override { return stats_; }

private:
    static constexpr std::int64_t poll_nonzeros = 16384;  // nonzeros summed between two polls of the messages

    std::size_t S_;
    bool overlap_;
    compiled_rows r_;
    direct_kernel kernel_;
    std::vector<double> gathered_;  // [needed][S]
    std::vector<double> acc_;
    std::unique_ptr<detail::halo> halo_;
    std::vector<std::uint32_t> interior_, boundary_;
    std::vector<std::size_t> chunk_end_;  // end (index into interior_) of each chunk between polls
    exchange_stats stats_;
};

// ---- delayed: exchanged once per minimum-delay epoch ---------------------------------------------------------------
//
// Input at step t: out_i = sum_j W_ij s_j(t - d_ij), d_ij >= D >= 1 (D = global minimum delay). Every source value
// the D steps of an epoch [T, T + D) need is at least D steps old, i.e. from before T: at the start of the epoch
// each rank receives its ghosts' states of the previous epoch [T - D, T - 1] in one message per neighbour (as NEST
// and Arbor do), and computes the sums of all D steps in one pass over the rows, source by source (epoch_sums).
//
// History: per held source c and source vector s a ring of len_c = (c's largest delay over every rank's readers,
// at least D) + 1 states in time order, state t at slot t mod len_c, with the first D - 1 slots repeated after the
// last, so that the D states a nonzero reads in an epoch are contiguous; the rings one after another (off_), each
// only as long as its source needs (half the memory of rings of max delay + 1 on the 10,000-area sheet, and
// ~20 % faster). Own states are written at every step; ghosts' at the exchange. Checkpoints still carry
// L = max delay + 1 states per area (export gives the oldest held state for the older ones, which no reader reads).

class delayed_exchange final : public exchange {
public:
    /// Collective; the rows are checked already (compile_rows, delays >= 1).
    delayed_exchange(MPI_Comm comm, const block_partition& part, compiled_rows rows, std::size_t S,
                     const std::vector<std::size_t>& column_key)
        : exchange(rows.n_values, S), S_(S), r_(std::move(rows)) {
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
        L_ = std::max(gmax, gmin) + 1;
        const auto D = static_cast<std::size_t>(D_);
        const std::size_t Lp = static_cast<std::size_t>(L_) + D - 1;
        const std::size_t MS = r_.n_values * S_;
        run_collectively(comm, [&] {  // (the config checked the model's whole history already)
            check_allocation(product_of({static_cast<double>(Lp), static_cast<double>(r_.n_needed()),
                                         static_cast<double>(S_), 8.0}),
                             "model.connectivity.delays: the delay history of a projection (largest delay " +
                                 std::to_string(L_ - 1) + " steps, " + std::to_string(r_.n_needed()) + " sources)");
        });
        size_rings(comm, part.n_areas());
        hist_.assign(off_.back(), 0.0);
        epoch_.assign(std::max<std::size_t>(D * MS * r_.n_rows, 1), 0.0);
        acc_.assign(std::max<std::size_t>(r_.n_rows * 4 * MS * D, 1), 0.0);
        kernel_ = choose_epoch(r_.n_values, S_, D);
        step_kernel_ = choose_epoch(r_.n_values, S_, 1);
        if (!r_.identity) {
            staging_.assign(std::max<std::size_t>(r_.n_needed() * S_ * D, 1), 0.0);
            halo_ = std::make_unique<detail::halo>(comm, part, r_, S_ * D, staging_.data());
        }
        detail::fill_stats(comm, part, r_, sizeof(double) * S_ * D, stats_);
        stats_.steps_per_exchange = D_;
        stats_.interior_rows = 0;  // the epoch's sums start once the ghosts are in
        t_ = transpose(r_, column_key);
        stats_.matrix_bytes = t_.bytes();
        stats_.history_bytes = hist_.size() * sizeof(double);
    }

    void initialise(const double* const* x0) override {
        const std::size_t n = r_.n_rows;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t s = 0; s < S_; ++s) fill_ring(r_.own_first + i, s, x0[s][i]);
        if (halo_) {  // every ghost's initial state
            const auto D = static_cast<std::size_t>(D_);
            double* send = halo_->send_buffer();
            const auto& sl = halo_->send_local();
            for (std::size_t q = 0; q < sl.size(); ++q)
                for (std::size_t s = 0; s < S_; ++s)
                    for (std::size_t p = 0; p < D; ++p)
                        send[(q * S_ + s) * D + p] = x0[s][static_cast<std::size_t>(sl[q])];
            halo_->start();
            halo_->finish();
            for (const auto& [first, last] : halo_->ghost_ranges())
                for (std::size_t c = first; c < last; ++c)
                    for (std::size_t s = 0; s < S_; ++s) fill_ring(c, s, staging_[(c * S_ + s) * D]);
        }
        epoch_first_ = -1;
    }

    void sums(std::int64_t t, int stage, const double* const* x, double* const* out) override {
        if (stage > 0) return;  // the delayed input of a step does not depend on its stages
        const std::size_t n = r_.n_rows, MS = r_.n_values * S_;
        if (S_ == 1 && t == base_step_ + 1) {  // the usual step: advance every cursor and write the own states
            const std::size_t Dm1 = static_cast<std::size_t>(D_) - 1, f = r_.own_first;
            advance_bases(0, f);  // the ghosts' cursors; the own ones below, with their states
            advance_bases(f + n, base_.size());
            const double* x0 = x[0];
            for (std::size_t i = 0; i < n; ++i) {
                const std::size_t c = f + i;
                const std::int32_t len = len_[c];
                const std::int32_t b = base_[c] + 1 == len ? 0 : base_[c] + 1;
                base_[c] = b;
                double* h = hist_.data() + off_[c];
                const auto bu = static_cast<std::size_t>(b);
                h[bu] = x0[i];
                if (bu < Dm1) h[static_cast<std::size_t>(len) + bu] = x0[i];  // (the mirrored first D - 1 slots)
            }
            base_step_ = t;
        } else {
            move_base(t);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t s = 0; s < S_; ++s)
                    put(r_.own_first + i, s, static_cast<std::size_t>(base_[r_.own_first + i]), x[s][i]);
        }
        const std::int64_t T = t - t % D_;
        if (t == T) {
            if (halo_ && t > 0) {
                pack();
                halo_->start();
                halo_->finish();
                unpack();
            }
            compute_epoch();
            epoch_first_ = T;
        } else if (epoch_first_ < 0 || epoch_first_ > t || T != epoch_first_ - epoch_first_ % D_) {
            // after a restore inside an epoch: the steps t .. T + D - 1 one by one (the history holds [t - L, t - 1])
            for (std::int64_t u = t; u < T + D_; ++u) {
                for (std::size_t c = 0; c < len_.size(); ++c) other_base_[c] = slot(c, u);
                epoch_args a{hist_.data(),       off_.data(), len_.data(),
                             other_base_.data(), 1,           S_,
                             r_.n_values,        n,           epoch_.data() + static_cast<std::size_t>(u - T) * MS * n,
                             acc_.data()};
                step_kernel_(t_, a);
            }
            epoch_first_ = t;
        }
        const std::size_t q = static_cast<std::size_t>(t - T);
        for (std::size_t j = 0; j < MS; ++j) std::memcpy(out[j], epoch_.data() + (q * MS + j) * n, n * sizeof(double));
    }

    void sums_of_constant(const double* value, double* const* out) const override {
        constant_sums(t_, r_.n_values, S_, r_.n_rows, value, out);
    }

    std::int64_t history_length() const override { return L_; }
    std::int64_t min_delay() const override { return D_; }

    std::vector<double> export_history(std::int64_t k, std::size_t s) const override {
        const std::size_t n = r_.n_rows;
        std::vector<double> h(static_cast<std::size_t>(L_) * n);
        for (std::size_t i = 0; i < n; ++i) {
            // a ring holds the last len states; older ones no reader on any rank count reads: the oldest held
            const std::size_t c = r_.own_first + i;
            for (std::int64_t p = 0; p < L_; ++p) {
                const std::int64_t u = std::max<std::int64_t>(k - L_ + p, k - len_[c]);
                h[static_cast<std::size_t>(p) * n + i] = ring(c, s)[slot(c, u)];
            }
        }
        return h;
    }

    void import_history(std::int64_t k, const std::vector<double>& g, std::size_t s) override {
        const std::size_t n_areas = g.size() / static_cast<std::size_t>(L_);
        for (std::size_t c = 0; c < r_.n_needed(); ++c)
            for (std::int64_t p = L_ - len_[c]; p < L_; ++p)
                put(c, s, slot(c, k - L_ + p),
                    g[static_cast<std::size_t>(p) * n_areas + static_cast<std::size_t>(r_.global(c))]);
        epoch_first_ = -1;  // the sums of the current epoch are recomputed at the next step
    }

    const exchange_stats& stats() const override { return stats_; }

private:
    /// Ring lengths: each held source's largest delay over the readers on every rank (at least D) + 1, so that
    /// a checkpoint holds every state a reader can need on any rank count; the rings laid out one after another.
    void size_rings(MPI_Comm comm, std::size_t n_global) {
        const std::size_t n_held = r_.n_needed(), D = static_cast<std::size_t>(D_);
        std::vector<std::int32_t> largest(r_.identity ? n_held : n_global, 0);
        for (std::size_t k = 0; k < r_.col.size(); ++k) {
            auto& m = largest[static_cast<std::size_t>(r_.global(static_cast<std::size_t>(r_.col[k])))];
            m = std::max(m, r_.delay[k]);
        }
        if (!r_.identity)
            check_mpi(MPI_Allreduce(MPI_IN_PLACE, largest.data(), static_cast<int>(largest.size()), MPI_INT, MPI_MAX,
                                    comm),
                      "MPI_Allreduce");
        len_.resize(n_held);
        off_.assign(n_held + 1, 0);
        for (std::size_t c = 0; c < n_held; ++c) {
            len_[c] = std::max(largest[static_cast<std::size_t>(r_.global(c))], static_cast<std::int32_t>(D_)) + 1;
            off_[c + 1] = off_[c] + S_ * (static_cast<std::size_t>(len_[c]) + D - 1);
        }
        base_.assign(n_held, 0);
        other_base_.assign(n_held, 0);
        base_step_ = 0;
    }
    std::size_t slot(std::size_t c, std::int64_t t) const {
        const std::int64_t m = t % len_[c];
        return static_cast<std::size_t>(m < 0 ? m + len_[c] : m);
    }
    /// base_[c] = the slot of step t in ring c (advanced by one from the last step, else recomputed).
    void move_base(std::int64_t t) {
        if (t == base_step_) return;
        if (t == base_step_ + 1)
            advance_bases(0, base_.size());
        else
            for (std::size_t c = 0; c < base_.size(); ++c) base_[c] = static_cast<std::int32_t>(slot(c, t));
        base_step_ = t;
    }
    /// base_[c] advanced by one step for the held sources c in [from, to).
    void advance_bases(std::size_t from, std::size_t to) {
        for (std::size_t c = from; c < to; ++c) base_[c] = base_[c] + 1 == len_[c] ? 0 : base_[c] + 1;
    }
    double* ring(std::size_t c, std::size_t s) {
        return hist_.data() + off_[c] + s * (static_cast<std::size_t>(len_[c]) + static_cast<std::size_t>(D_) - 1);
    }
    const double* ring(std::size_t c, std::size_t s) const {
        return hist_.data() + off_[c] + s * (static_cast<std::size_t>(len_[c]) + static_cast<std::size_t>(D_) - 1);
    }
    /// The slot `back` steps before the current one (base_), 1 <= back <= D.
    std::size_t before(std::size_t c, std::int64_t back) const {
        const std::int64_t b = base_[c] - back;
        return static_cast<std::size_t>(b < 0 ? b + len_[c] : b);
    }
    void put(std::size_t c, std::size_t s, std::size_t sl, double v) {
        double* h = ring(c, s);
        h[sl] = v;
        if (sl + 1 < static_cast<std::size_t>(D_)) h[static_cast<std::size_t>(len_[c]) + sl] = v;
    }
    void fill_ring(std::size_t c, std::size_t s, double v) {
        double* h = ring(c, s);
        std::fill(h, h + len_[c] + D_ - 1, v);
    }
    /// This rank's states [T - D, T - 1] that its neighbours read, [send entry][s][D].
    void pack() {
        const auto D = static_cast<std::size_t>(D_);
        double* send = halo_->send_buffer();
        const auto& sl = halo_->send_local();
        for (std::size_t q = 0; q < sl.size(); ++q) {
            const std::size_t c = r_.own_first + static_cast<std::size_t>(sl[q]);
            for (std::size_t s = 0; s < S_; ++s) {
                const double* h = ring(c, s);
                for (std::size_t p = 0; p < D; ++p)
                    send[(q * S_ + s) * D + p] = h[before(c, D_ - static_cast<std::int64_t>(p))];
            }
        }
    }
    void unpack() {
        const auto D = static_cast<std::size_t>(D_);
        for (const auto& [first, last] : halo_->ghost_ranges())
            for (std::size_t c = first; c < last; ++c)
                for (std::size_t s = 0; s < S_; ++s)
                    for (std::size_t p = 0; p < D; ++p)
                        put(c, s, before(c, D_ - static_cast<std::int64_t>(p)), staging_[(c * S_ + s) * D + p]);
    }
    void compute_epoch() {  // at t = T: base_ holds the slots of T
        epoch_args a{hist_.data(), off_.data(), len_.data(), base_.data(),  static_cast<std::size_t>(D_),
                     S_,           r_.n_values, r_.n_rows,   epoch_.data(), acc_.data()};
        kernel_(t_, a);
    }

    std::size_t S_;
    compiled_rows r_;  // the held sources (its pattern moves to t_)
    source_major t_;
    std::int64_t D_ = 1, L_ = 2;
    std::vector<double> hist_;              // the rings, source after source: [needed: len + D - 1 slots][S]
    std::vector<std::size_t> off_;          // [needed + 1]: where each source's rings start in hist_
    std::vector<std::int32_t> len_;         // [needed]: each ring's slots in time (the source's largest delay + 1)
    std::vector<std::int32_t> base_;        // [needed]: the slot of step base_step_ in each ring
    std::vector<std::int32_t> other_base_;  // scratch: the slots of another step
    std::int64_t base_step_ = 0;
    std::vector<double> epoch_;      // [D][M S][n_rows]: the sums of the current epoch
    std::vector<double> acc_;        // the partial sums of every row, [n_rows][4][M S][D]
    std::vector<double> staging_;    // [needed][S][D]: received ghost states
    std::int64_t epoch_first_ = -1;  // first step of the current epoch whose sums are in epoch_ (-1: none)
    epoch_kernel kernel_ = nullptr, step_kernel_ = nullptr;
    std::unique_ptr<detail::halo> halo_;
    exchange_stats stats_;
};

}  // namespace

row_source rows_in_memory(const std::vector<const local_rows*>& rows) {
    row_source src;
    src.n_values = rows.size();
    for (const local_rows* r : rows) src.delays = src.delays || !r->delay.empty();
    src.count = [rows](std::size_t, std::size_t) { return rows.empty() ? 0 : rows.front()->nnz(); };
    src.fill = [rows](std::size_t b, std::size_t e, std::vector<local_rows>& out) {
        for (std::size_t m = 0; m < rows.size(); ++m) {
            const local_rows& all = *rows[m];
            local_rows& o = out[m];
            o.n_global = all.n_global;
            o.row_begin = b;
            o.n_rows = e - b;
            if (b < all.row_begin || e > all.row_begin + all.n_rows || all.row_ptr.size() != all.n_rows + 1) {
                o.row_begin = all.row_begin;  // reported by the checks
                o.n_rows = all.n_rows;
                continue;
            }
            const std::size_t i0 = b - all.row_begin, i1 = e - all.row_begin;
            const auto k0 = all.row_ptr[i0], k1 = all.row_ptr[i1];
            o.row_ptr.resize(o.n_rows + 1);
            for (std::size_t i = i0; i <= i1; ++i) o.row_ptr[i - i0] = all.row_ptr[i] - k0;
            o.col.assign(all.col.begin() + k0, all.col.begin() + k1);
            o.val.assign(all.val.begin() + k0, all.val.begin() + k1);
            if (!all.delay.empty()) o.delay.assign(all.delay.begin() + k0, all.delay.begin() + k1);
        }
    };
    return src;
}

std::unique_ptr<exchange> make_exchange(MPI_Comm comm, const block_partition& part, const row_source& rows,
                                        const exchange_options& options) {
    const int me = comm_rank(comm);
    const std::size_t S = std::max<std::size_t>(options.n_sources, 1);
    // do the rows carry delays? (a rank without nonzeros cannot tell: every rank agrees)
    int local_delays = rows.delays ? 1 : 0, delays = 0;
    check_mpi(MPI_Allreduce(&local_delays, &delays, 1, MPI_INT, MPI_MAX, comm), "MPI_Allreduce");
    // local checks first, agreed by every rank, then the collective set-up
    detail::compiled_rows r;
    const bool identity = comm_size(comm) == 1;
    run_collectively(comm, [&] { r = detail::compile_rows(part, me, rows, options, delays != 0, identity); });
    if (delays == 0) return std::make_unique<direct_exchange>(comm, part, std::move(r), S, options.overlap);
    return std::make_unique<delayed_exchange>(comm, part, std::move(r), S, options.column_key);
}

std::unique_ptr<exchange> make_exchange(MPI_Comm comm, const block_partition& part, const local_rows& rows,
                                        const std::vector<std::size_t>& column_key) {
    exchange_options o;
    o.column_key = column_key;
    return make_exchange(comm, part, rows_in_memory({&rows}), o);
}

}  // namespace cortexsim
