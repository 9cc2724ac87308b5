#include "long_range.hpp"

#include <algorithm>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/connectivity/recurrent.hpp"

namespace cortexsim::detail {
namespace {

/// Projections that share a source and a transformed matrix share one exchange and one row sum: the indices
/// of the projections of each group, in order of first appearance.
std::vector<std::vector<std::size_t>> group_projections(const std::vector<projection_spec>& ps) {
    auto same_matrix = [](const projection_spec& a, const projection_spec& b) {
        return a.source == b.source && a.matrix == b.matrix && a.power == b.power &&
               a.normalise_rows == b.normalise_rows && a.sln == b.sln && a.sln_matrix == b.sln_matrix;
    };
    std::vector<std::vector<std::size_t>> members;
    for (std::size_t p = 0; p < ps.size(); ++p) {
        bool placed = false;
        for (auto& m : members)
            if (same_matrix(ps[m.front()], ps[p])) {
                m.push_back(p);
                placed = true;
                break;
            }
        if (!placed) members.push_back({p});
    }
    return members;
}

/// Removes the entries (target in `targets`, source in `sources`) of the rows: a lesion of those projections.
void remove_entries(local_rows& rows, const std::vector<std::size_t>& targets,
                    const std::vector<std::size_t>& sources) {
    local_rows out;
    out.n_global = rows.n_global;
    out.row_begin = rows.row_begin;
    out.n_rows = rows.n_rows;
    out.row_ptr.assign(1, 0);
    const bool delays = !rows.delay.empty();
    for (std::size_t r = 0; r < rows.n_rows; ++r) {
        const std::size_t t = rows.row_begin + r;
        const bool hit_target = std::find(targets.begin(), targets.end(), t) != targets.end();
        for (auto q = rows.row_ptr[r]; q < rows.row_ptr[r + 1]; ++q) {
            const auto k = static_cast<std::size_t>(q);
            const auto s = static_cast<std::size_t>(rows.col[k]);
            if (hit_target && std::find(sources.begin(), sources.end(), s) != sources.end()) continue;
            out.col.push_back(rows.col[k]);
            out.val.push_back(rows.val[k]);
            if (delays) out.delay.push_back(rows.delay[k]);
        }
        out.row_ptr.push_back(static_cast<std::int64_t>(out.col.size()));
    }
    rows = std::move(out);
}

/// Moves the entries of 0 steps of delay out of `rows` into the returned undelayed rows.
local_rows split_zero_delays(local_rows& rows) {
    local_rows zero, rest;
    for (local_rows* o : {&zero, &rest}) {
        o->n_global = rows.n_global;
        o->row_begin = rows.row_begin;
        o->n_rows = rows.n_rows;
        o->row_ptr.assign(1, 0);
    }
    for (std::size_t r = 0; r < rows.n_rows; ++r) {
        for (auto q = rows.row_ptr[r]; q < rows.row_ptr[r + 1]; ++q) {
            const auto k = static_cast<std::size_t>(q);
            local_rows& o = rows.delay[k] == 0 ? zero : rest;
            o.col.push_back(rows.col[k]);
            o.val.push_back(rows.val[k]);
            if (&o == &rest) rest.delay.push_back(rows.delay[k]);
        }
        zero.row_ptr.push_back(static_cast<std::int64_t>(zero.col.size()));
        rest.row_ptr.push_back(static_cast<std::int64_t>(rest.col.size()));
    }
    rows = std::move(rest);
    return zero;
}

}  // namespace

long_range::long_range(const model_spec& spec, MPI_Comm comm, const block_partition& part, const circuit& c)
    : n_(c.n_local()), n_areas_(part.n_areas()) {
    const std::size_t begin = part.begin(comm_rank(comm));
    for (const auto& m : group_projections(spec.projections)) {
        const projection_spec& first = spec.projections[m.front()];
        group g;
        g.source = first.source;
        local_rows rows;
        run_collectively(comm, [&] {
            rows = spec.rnn.defined && first.matrix == "W_rec" ? rnn_recurrent_rows(spec, begin, begin + n_)
                                                               : projection_rows(spec, first, begin, begin + n_);
            for (const auto& pert : spec.perturbations)
                if (pert.kind == "lesion") remove_entries(rows, pert.areas, pert.sources);
        });
        // delays of 0 steps (delays.rounding: nearest, self_connections: local) read the state at the start of
        // the step, as without delay: all of them, a direct exchange; beside longer ones, a second, direct one
        int local[2] = {0, 0}, any[2] = {0, 0};  // [has 0-step delays, has longer delays]
        for (std::int32_t d : rows.delay) local[d == 0 ? 0 : 1] = 1;
        check_mpi(MPI_Allreduce(local, any, 2, MPI_INT, MPI_MAX, comm), "MPI_Allreduce");
        if (any[0] && !any[1]) rows.delay.clear();
        if (any[0] && any[1]) {
            const local_rows zero = split_zero_delays(rows);
            g.x0 = make_exchange(comm, part, zero, spec.areas.original);
            g.sum0.assign(n_, 0.0);
        }
        g.x = make_exchange(comm, part, rows, spec.areas.original);
        g.sum.assign(n_, 0.0);
        for (std::size_t p : m) {
            const projection_spec& pr = spec.projections[p];
            const std::vector<double> gv = gradient_values(spec, pr.gradient);
            const double* gain = c.channel_gain(pr.target);
            std::vector<double> coeff(n_);
            for (std::size_t i = 0; i < n_; ++i)
                coeff[i] = gain ? gain[i] * pr.scale * gv[begin + i] : pr.scale * gv[begin + i];
            g.targets.emplace_back(pr.target, std::move(coeff));
        }
        groups_.push_back(std::move(g));
    }
    const std::size_t C = c.input_channels().size();
    lr_.assign(C * n_, 0.0);
    for (std::size_t ch = 0; ch < C; ++ch) ptr_.push_back(lr_.data() + ch * n_);
}

void long_range::initialise(const circuit& c) {
    for (auto& g : groups_) {
        g.x->initialise(c.var(g.source));
        if (g.x0) g.x0->initialise(c.var(g.source));
    }
}

void long_range::input(std::int64_t k, int stage, const circuit& c) {
    std::fill(lr_.begin(), lr_.end(), 0.0);
    for (auto& g : groups_) {
        double* sum = g.sum.data();
        g.x->sums(k, stage, c.var(g.source), sum);
        if (g.x0) {
            g.x0->sums(k, stage, c.var(g.source), g.sum0.data());
            for (std::size_t i = 0; i < n_; ++i) sum[i] += g.sum0[i];
        }
        for (const auto& [ch, coeff] : g.targets) {
            double* in = lr_.data() + ch * n_;
            const double* cf = coeff.data();
            for (std::size_t i = 0; i < n_; ++i) in[i] += cf[i] * sum[i];
        }
    }
}

std::vector<std::vector<double>> long_range::at_constant(const std::vector<double>& value) const {
    std::vector<std::vector<double>> lr(ptr_.size(), std::vector<double>(n_, 0.0));
    std::vector<double> sum(n_);
    for (const auto& g : groups_) {
        g.x->sums_of_constant(value.at(g.source), sum.data());
        if (g.x0) {
            std::vector<double> sum0(n_);
            g.x0->sums_of_constant(value.at(g.source), sum0.data());
            for (std::size_t i = 0; i < n_; ++i) sum[i] += sum0[i];
        }
        for (const auto& [ch, coeff] : g.targets)
            for (std::size_t i = 0; i < n_; ++i) lr[ch][i] += coeff[i] * sum[i];
    }
    return lr;
}

const exchange_stats& long_range::first_stats() const {
    static const exchange_stats none{};
    return groups_.empty() ? none : groups_.front().x->stats();
}

double long_range::exchanges_per_second(double dt_ms, int stages) const {
    const double steps_per_s = 1e3 / dt_ms;
    double total = 0.0;
    for (const auto& g : groups_) {
        total += g.x->history_length() == 0 ? steps_per_s * stages
                                            : steps_per_s / static_cast<double>(g.x->min_delay());
        if (g.x0) total += steps_per_s * stages;
    }
    return total;
}

std::vector<std::int64_t> long_range::history_lengths() const {
    std::vector<std::int64_t> l;
    for (const auto& g : groups_)
        if (g.x->history_length() > 0) l.push_back(g.x->history_length());
    return l;
}

std::vector<std::vector<double>> long_range::export_histories(std::int64_t step) const {
    std::vector<std::vector<double>> h;
    for (const auto& g : groups_) {
        const auto L = static_cast<std::size_t>(g.x->history_length());
        if (L == 0) continue;
        const auto slots = g.x->export_history(step);  // [L][n_local]
        std::vector<double> t(n_ * L);
        for (std::size_t s = 0; s < L; ++s)
            for (std::size_t i = 0; i < n_; ++i) t[i * L + s] = slots[s * n_ + i];
        h.push_back(std::move(t));
    }
    return h;
}

void long_range::import_histories(std::int64_t step, const std::vector<std::vector<double>>& global) {
    std::size_t q = 0;
    for (auto& g : groups_) {
        const auto L = static_cast<std::size_t>(g.x->history_length());
        if (L == 0) continue;
        const auto& h = global.at(q++);
        std::vector<double> slots(L * n_areas_);
        for (std::size_t a = 0; a < n_areas_; ++a)
            for (std::size_t s = 0; s < L; ++s) slots[s * n_areas_ + a] = h[a * L + s];
        g.x->import_history(step, slots);
    }
}

}  // namespace cortexsim::detail
