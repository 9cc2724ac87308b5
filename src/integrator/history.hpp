#pragma once
// Private to the integrator: the delay histories of both engines for checkpoints, in the layout of
// engine::export_history ([area][slot], oldest first), from and to delayed_coupling's [slot][area] layout.
// `Groups` is any range of objects with a `std::unique_ptr<delayed_coupling> delayed` member.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cortexsim/exchange/delayed_coupling.hpp"

namespace cortexsim::detail {

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
