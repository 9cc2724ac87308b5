#pragma once
// Private to the integrator: what both engines (simulation, circuit_simulation) do alike with their
// long-range groups: grouping the projections, building a group's exchange, its statistics, and the delay
// histories for checkpoints. `Groups` is any range of objects with members
// `std::unique_ptr<coupling> direct` and `std::unique_ptr<delayed_coupling> delayed`.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/connectivity/connectivity.hpp"
#include "cortexsim/exchange/coupling.hpp"
#include "cortexsim/exchange/delayed_coupling.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim::detail {

/// Projections that share a source and a transformed matrix share one exchange and one row sum: the indices
/// of the projections of each group, in order of first appearance.
inline std::vector<std::vector<std::size_t>> group_projections(const std::vector<projection_spec>& ps) {
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

/// Collective: the group's exchange from this rank's rows, a delayed one if the spec has conduction delays.
template <class Group>
void build_exchange(Group& g, MPI_Comm comm, const block_partition& part, const local_rows& rows,
                    const model_spec& spec) {
    run_collectively(comm, [&] {
        if (!spec.connectivity.delays.distance_matrix.empty())
            g.delayed = std::make_unique<delayed_coupling>(comm, part, rows, spec.areas.original);
        else
            g.direct = std::make_unique<coupling>(comm, part, rows, spec.areas.original);
    });
}

/// Exchange statistics of the first group (all groups share the partition).
template <class Groups>
const exchange_stats& first_exchange_stats(const Groups& groups) {
    static const exchange_stats none{};
    if (groups.empty()) return none;
    return groups.front().direct ? groups.front().direct->stats() : groups.front().delayed->stats();
}

/// Exchanges per simulated second of all groups; `direct_per_step` exchanges per step of an undelayed group.
template <class Groups>
double exchanges_per_second(const Groups& groups, double dt_ms, double direct_per_step) {
    const double steps_per_s = 1e3 / dt_ms;
    double total = 0.0;
    for (const auto& g : groups)
        total += g.direct ? steps_per_s * direct_per_step : steps_per_s / static_cast<double>(g.delayed->min_delay());
    return total;
}

template <class Groups>
std::vector<std::vector<double>> export_histories(const Groups& groups, std::int64_t step, std::size_t n_local) {
    std::vector<std::vector<double>> h;
    for (const auto& g : groups)
        if (g.delayed) {
            const auto slots = g.delayed->export_history(step);  // [L][n_local]
            const std::size_t L = static_cast<std::size_t>(g.delayed->history_length());
            std::vector<double> t(n_local * L);
            for (std::size_t s = 0; s < L; ++s)
                for (std::size_t i = 0; i < n_local; ++i) t[i * L + s] = slots[s * n_local + i];
            h.push_back(std::move(t));
        }
    return h;
}

template <class Groups>
std::vector<std::int64_t> history_lengths(const Groups& groups) {
    std::vector<std::int64_t> l;
    for (const auto& g : groups)
        if (g.delayed) l.push_back(g.delayed->history_length());
    return l;
}

/// `global`: one [n_areas][L] array per delayed group (any rank count wrote it).
template <class Groups>
void import_histories(Groups& groups, std::int64_t step, std::size_t n_areas,
                      const std::vector<std::vector<double>>& global) {
    std::size_t q = 0;
    for (auto& g : groups)
        if (g.delayed) {
            const std::size_t L = static_cast<std::size_t>(g.delayed->history_length());
            const auto& h = global.at(q++);
            std::vector<double> slots(L * n_areas);
            for (std::size_t a = 0; a < n_areas; ++a)
                for (std::size_t s = 0; s < L; ++s) slots[s * n_areas + a] = h[a * L + s];
            g.delayed->import_history(step, slots);
        }
}

}  // namespace cortexsim::detail
