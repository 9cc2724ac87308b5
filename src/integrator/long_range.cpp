#include "long_range.hpp"

#include <algorithm>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/connectivity/recurrent.hpp"
#include "cortexsim/connectivity/synthetic.hpp"

namespace cortexsim::detail {
namespace {

/// Projections that share a source and a transformed matrix share one exchange and one row sum: the indices
/// of the projections of each group, in order of first appearance.
bool same_transform(const projection_spec& a, const projection_spec& b) {
    return a.matrix == b.matrix && a.power == b.power && a.normalise_rows == b.normalise_rows && a.sln == b.sln &&
           a.sln_matrix == b.sln_matrix;
}

/// Two matrices with the same rows, columns and delays (this rank's rows).
bool same_pattern(const local_rows& a, const local_rows& b) {
    return a.row_begin == b.row_begin && a.n_rows == b.n_rows && a.row_ptr == b.row_ptr && a.col == b.col &&
           a.delay == b.delay;
}

std::vector<std::vector<std::size_t>> group_projections(const std::vector<projection_spec>& ps) {
    auto same_matrix = [](const projection_spec& a, const projection_spec& b) {
        return a.source == b.source && same_transform(a, b);
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

/// True if the only transform is the synthetic cortex's generated matrix and its exchange can be decided from the
/// spec alone (delays >= 1 step or none, so no 0-step split; lesions only without delays, so that a lesion
/// that empties the matrix cannot turn a delayed exchange into a direct one): its rows are then generated block by
/// block straight into the exchange (no full copy of the rows beside the exchange's, docs/design.md "Memory").
bool streamable(const model_spec& spec, const std::vector<std::size_t>& transform_first) {
    if (transform_first.size() != 1 || spec.rnn.defined || !spec.connectivity.synthetic.defined) return false;
    if (spec.projections[transform_first.front()].matrix != "fln") return false;
    const auto& d = spec.connectivity.delays;
    const bool delays = d.velocity_m_per_s > 0.0;
    if (delays && d.rounding == "nearest") return false;
    for (const auto& pert : spec.perturbations)
        if (pert.kind == "lesion" && delays) return false;
    return true;
}

/// Rows per block asked from a streamed source: about 1/16 of this rank's rows (the block is the only transient
/// copy), between 64 and 1024.
std::size_t stream_block(std::size_t n_rows) { return std::clamp<std::size_t>(n_rows / 16, 64, 1024); }

}  // namespace

long_range::long_range(const model_spec& spec, MPI_Comm comm, const block_partition& part, const circuit& c)
    : n_(c.n_local()), n_areas_(part.n_areas()) {
    const std::size_t begin = part.begin(comm_rank(comm));
    const auto& ps = spec.projections;
    const auto members = group_projections(ps);
    // the distinct transformed matrices (in order of first appearance), the groups that use each and their sources
    std::vector<std::size_t> transform_first;  // a projection of each transform
    std::vector<std::size_t> transform_of(members.size());
    std::vector<std::vector<std::size_t>> transform_sources;
    for (std::size_t g = 0; g < members.size(); ++g) {
        const projection_spec& first = ps[members[g].front()];
        std::size_t t = 0;
        while (t < transform_first.size() && !same_transform(ps[transform_first[t]], first)) ++t;
        if (t == transform_first.size()) {
            transform_first.push_back(members[g].front());
            transform_sources.emplace_back();
        }
        transform_of[g] = t;
        transform_sources[t].push_back(first.source);
    }
    const std::size_t T = transform_first.size();
    std::vector<local_rows> rows(T);
    const bool stream = streamable(spec, transform_first);
    std::unique_ptr<synthetic_generator> gen;  // stream: the rows are generated inside make_exchange
    run_collectively(comm, [&] {
        if (stream) gen = std::make_unique<synthetic_generator>(spec.connectivity.synthetic);
        for (std::size_t t = 0; t < T && !stream; ++t) {
            const projection_spec& first = ps[transform_first[t]];
            rows[t] = spec.rnn.defined && first.matrix == "W_rec" ? rnn_recurrent_rows(spec, begin, begin + n_)
                                                                  : projection_rows(spec, first, begin, begin + n_);
            for (const auto& pert : spec.perturbations)
                if (pert.kind == "lesion") remove_entries(rows[t], pert.areas, pert.sources);
        }
    });
    // delays of 0 steps (delays.rounding: nearest, self_connections: local) read the state at the start of the
    // step, as without delay: all of them, a direct exchange; beside longer ones, a second, direct exchange of
    // that transform alone (its pass then holds only it), whose sums are added to the delayed ones row by row
    std::vector<int> has(2 * T, 0);  // [t][has 0-step delays, has longer delays], agreed by all ranks
    for (std::size_t t = 0; t < T; ++t)
        for (std::int32_t d : rows[t].delay) has[2 * t + (d == 0 ? 0 : 1)] = 1;
    if (T > 0)
        check_mpi(MPI_Allreduce(MPI_IN_PLACE, has.data(), static_cast<int>(2 * T), MPI_INT, MPI_MAX, comm),
                  "MPI_Allreduce");
    std::vector<local_rows> zero_rows(T);
    std::vector<bool> mixed(T, false);
    for (std::size_t t = 0; t < T; ++t) {
        if (has[2 * t] && !has[2 * t + 1]) rows[t].delay.clear();
        if (has[2 * t] && has[2 * t + 1]) {
            zero_rows[t] = split_zero_delays(rows[t]);
            mixed[t] = true;
        }
    }
    // which transforms have the same pattern and delays on every rank (one flag per pair, agreed by all ranks)
    std::vector<int> same(T * T, 0);
    for (std::size_t t = 0; t < T; ++t)
        for (std::size_t u = t + 1; u < T; ++u) same[t * T + u] = same_pattern(rows[t], rows[u]) ? 1 : 0;
    if (T > 1)
        check_mpi(MPI_Allreduce(MPI_IN_PLACE, same.data(), static_cast<int>(T * T), MPI_INT, MPI_MIN, comm),
                  "MPI_Allreduce");
    // passes: transforms with one pattern that read the same set of sources
    std::vector<std::size_t> pass_of(T, T), value_of(T, 0);
    for (std::size_t t = 0; t < T; ++t) {
        if (pass_of[t] != T) continue;
        const std::size_t p = passes_.size();
        pass ps_t;
        ps_t.sources = transform_sources[t];
        std::vector<std::size_t> cluster{t};
        pass_of[t] = p;
        auto sorted = [](std::vector<std::size_t> v) {
            std::sort(v.begin(), v.end());
            return v;
        };
        for (std::size_t u = t + 1; u < T && !mixed[t]; ++u)
            if (pass_of[u] == T && !mixed[u] && same[t * T + u] != 0 &&
                sorted(transform_sources[u]) == sorted(transform_sources[t])) {
                pass_of[u] = p;
                value_of[u] = cluster.size();
                cluster.push_back(u);
            }
        std::vector<const local_rows*> matrices;
        for (std::size_t u : cluster) matrices.push_back(&rows[u]);
        exchange_options o;
        o.n_sources = ps_t.sources.size();
        o.column_key = spec.areas.original;
        o.overlap = spec.run.exchange_overlap;
        ps_t.n_values = matrices.size();
        if (stream) {
            const auto& delays = spec.connectivity.delays;
            const double v = delays.velocity_m_per_s, dt = spec.run.dt_ms;
            const std::size_t k = gen->sources_per_row();
            const synthetic_generator& g = *gen;
            row_source src;
            src.delays = v > 0.0;
            src.count = [k](std::size_t b, std::size_t e) { return (e - b) * k; };
            src.fill = [&](std::size_t b, std::size_t e, std::vector<local_rows>& out) {
                out[0] = g.rows(b, e);
                if (v > 0.0) g.add_delays(out[0], v, dt);
                for (const auto& pert : spec.perturbations)
                    if (pert.kind == "lesion") remove_entries(out[0], pert.areas, pert.sources);
            };
            o.rows_per_block = stream_block(n_);
            ps_t.x = make_exchange(comm, part, src, o);
        } else {
            ps_t.x = make_exchange(comm, part, rows_in_memory(matrices), o);
        }
        if (mixed[t]) {  // its 0-step entries: a direct exchange of the same sources
            ps_t.x0 = make_exchange(comm, part, rows_in_memory({&zero_rows[t]}), o);
            zero_rows[t] = local_rows{};
        }
        for (std::size_t u : cluster) rows[u] = local_rows{};  // freed as the passes are built
        const std::size_t MS = ps_t.n_values * ps_t.sources.size();
        ps_t.sum.assign(MS * n_, 0.0);
        for (std::size_t j = 0; j < MS; ++j) ps_t.out.push_back(ps_t.sum.data() + j * n_);
        ps_t.read.assign(ps_t.out.begin(), ps_t.out.end());
        if (ps_t.x0) {
            // the delayed sums stay in `sum` across the stages of a step (a delayed exchange writes them at
            // stage 0 only); the 0-step sums of each stage go to sum0; the groups read sum + sum0 from total
            ps_t.sum0.assign(MS * n_, 0.0);
            ps_t.total.assign(MS * n_, 0.0);
            for (std::size_t j = 0; j < MS; ++j) {
                ps_t.out0.push_back(ps_t.sum0.data() + j * n_);
                ps_t.read[j] = ps_t.total.data() + j * n_;
            }
        }
        ps_t.in.assign(ps_t.sources.size(), nullptr);
        passes_.push_back(std::move(ps_t));
    }
    gen.reset();
    for (std::size_t gi = 0; gi < members.size(); ++gi) {
        const auto& m = members[gi];
        group g;
        g.source = ps[m.front()].source;
        const std::size_t t = transform_of[gi];
        g.pass = pass_of[t];
        const pass& p = passes_[g.pass];
        g.source_index = static_cast<std::size_t>(std::find(p.sources.begin(), p.sources.end(), g.source) -
                                                  p.sources.begin());
        g.sum_index = value_of[t] * p.sources.size() + g.source_index;
        for (std::size_t q : m) {
            const projection_spec& pr = ps[q];
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
    for (auto& p : passes_) {
        for (std::size_t s = 0; s < p.sources.size(); ++s) p.in[s] = c.var(p.sources[s]);
        p.x->initialise(p.in.data());
        if (p.x0) p.x0->initialise(p.in.data());
    }
}

void long_range::input(std::int64_t k, int stage, const circuit& c) {
    for (auto& p : passes_) {
        for (std::size_t s = 0; s < p.sources.size(); ++s) p.in[s] = c.var(p.sources[s]);
        p.x->sums(k, stage, p.in.data(), p.out.data());
        if (p.x0) {
            p.x0->sums(k, stage, p.in.data(), p.out0.data());
            for (std::size_t j = 0; j < p.total.size(); ++j) p.total[j] = p.sum[j] + p.sum0[j];
        }
    }
    // into the channels in the groups' order (the order of every channel's additions does not depend on the passes)
    std::fill(lr_.begin(), lr_.end(), 0.0);
    for (const auto& g : groups_) {
        const double* sum = passes_[g.pass].read[g.sum_index];
        for (const auto& [ch, coeff] : g.targets) {
            double* in = lr_.data() + ch * n_;
            const double* cf = coeff.data();
            for (std::size_t i = 0; i < n_; ++i) in[i] += cf[i] * sum[i];
        }
    }
}

std::vector<std::vector<double>> long_range::at_constant(const std::vector<double>& value) const {
    std::vector<std::vector<double>> lr(ptr_.size(), std::vector<double>(n_, 0.0));
    std::vector<std::vector<double>> sums(passes_.size());
    for (std::size_t q = 0; q < passes_.size(); ++q) {
        const pass& p = passes_[q];
        const std::size_t S = p.sources.size(), MS = p.n_values * S;
        std::vector<double> v(S);
        for (std::size_t s = 0; s < S; ++s) v[s] = value.at(p.sources[s]);
        sums[q].assign(MS * n_, 0.0);
        std::vector<double*> out;
        for (std::size_t j = 0; j < MS; ++j) out.push_back(sums[q].data() + j * n_);
        p.x->sums_of_constant(v.data(), out.data());
        if (p.x0) {
            std::vector<double> zero(MS * n_, 0.0);
            std::vector<double*> out0;
            for (std::size_t j = 0; j < MS; ++j) out0.push_back(zero.data() + j * n_);
            p.x0->sums_of_constant(v.data(), out0.data());
            for (std::size_t j = 0; j < MS * n_; ++j) sums[q][j] += zero[j];
        }
    }
    for (const auto& g : groups_) {
        const double* sum = sums[g.pass].data() + g.sum_index * n_;
        for (const auto& [ch, coeff] : g.targets)
            for (std::size_t i = 0; i < n_; ++i) lr[ch][i] += coeff[i] * sum[i];
    }
    return lr;
}

const exchange_stats& long_range::first_stats() const {
    static const exchange_stats none{};
    return passes_.empty() ? none : passes_.front().x->stats();
}

double long_range::exchanges_per_second(double dt_ms, int stages) const {
    const double steps_per_s = 1e3 / dt_ms;
    double total = 0.0;
    for (const auto& p : passes_) {
        total += p.x->history_length() == 0 ? steps_per_s * stages
                                            : steps_per_s / static_cast<double>(p.x->min_delay());
        if (p.x0) total += steps_per_s * stages;
    }
    return total;
}

std::vector<std::int64_t> long_range::history_lengths() const {
    std::vector<std::int64_t> l;
    for (const auto& g : groups_)  // one history per group (the checkpoint's layout), even where a pass shares it
        if (passes_[g.pass].x->history_length() > 0) l.push_back(passes_[g.pass].x->history_length());
    return l;
}

std::vector<std::vector<double>> long_range::export_histories(std::int64_t step) const {
    std::vector<std::vector<double>> h;
    for (const auto& g : groups_) {
        const exchange& x = *passes_[g.pass].x;
        const auto L = static_cast<std::size_t>(x.history_length());
        if (L == 0) continue;
        const auto slots = x.export_history(step, g.source_index);  // [L][n_local]
        std::vector<double> t(n_ * L);
        for (std::size_t s = 0; s < L; ++s)
            for (std::size_t i = 0; i < n_; ++i) t[i * L + s] = slots[s * n_ + i];
        h.push_back(std::move(t));
    }
    return h;
}

void long_range::import_histories(std::int64_t step, const std::vector<std::vector<double>>& global) {
    std::size_t q = 0;
    for (const auto& g : groups_) {
        exchange& x = *passes_[g.pass].x;
        const auto L = static_cast<std::size_t>(x.history_length());
        if (L == 0) continue;
        const auto& h = global.at(q++);
        std::vector<double> slots(L * n_areas_);
        for (std::size_t a = 0; a < n_areas_; ++a)
            for (std::size_t s = 0; s < L; ++s) slots[s * n_areas_ + a] = h[a * L + s];
        x.import_history(step, slots, g.source_index);
    }
}

}  // namespace cortexsim::detail
