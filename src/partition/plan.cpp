#include "cortexsim/partition/plan.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/partition/graph_partition.hpp"
#include "cortexsim/partition/partition.hpp"

namespace cortexsim {
namespace {

/// This rank's block rows of the coupling graph: weight_ij = sum over the distinct matrices of the projections
/// of M_ij (in data-file numbering).
std::vector<weighted_row> graph_rows(const model_spec& m, std::size_t begin, std::size_t end) {
    const std::size_t A = m.areas.size();
    std::vector<const area_matrix*> mats;
    for (const auto& p : m.projections)
        if (const auto* mat = m.connectivity.find(p.matrix))
            if (std::find(mats.begin(), mats.end(), mat) == mats.end()) mats.push_back(mat);
    std::vector<weighted_row> rows(end - begin);
    for (std::size_t i = begin; i < end; ++i)
        for (std::size_t j = 0; j < A; ++j) {
            if (j == i) continue;
            double w = 0.0;
            for (const auto* mat : mats) w += std::fabs((*mat)(A, i, j));
            if (w != 0.0) rows[i - begin].emplace_back(j, w);
        }
    return rows;
}

model_spec renumbered(const model_spec& m, const std::vector<std::size_t>& order) {
    const std::size_t A = order.size();
    std::vector<std::size_t> inverse(A);
    for (std::size_t n = 0; n < A; ++n) inverse[order[n]] = n;
    model_spec r = m;
    for (std::size_t n = 0; n < A; ++n) {
        r.areas.names[n] = m.areas.names[order[n]];
        r.areas.hierarchy[n] = m.areas.hierarchy[order[n]];
    }
    r.areas.original = order;
    for (auto& g : r.gradients)
        for (std::size_t n = 0; n < A; ++n)
            g.values[n] = m.gradients[static_cast<std::size_t>(&g - r.gradients.data())].values[order[n]];
    for (std::size_t v = 0; v < r.equations.vectors.size(); ++v)  // circuit: equations' per-area data
        for (std::size_t n = 0; n < A && r.equations.vectors[v].second.size() == A; ++n)
            r.equations.vectors[v].second[n] = m.equations.vectors[v].second[order[n]];
    for (std::size_t q = 0; q < r.connectivity.matrices.size(); ++q) {
        const auto& src = m.connectivity.matrices[q].values;
        auto& dst = r.connectivity.matrices[q].values;
        for (std::size_t i = 0; i < A; ++i)
            for (std::size_t j = 0; j < A; ++j) dst[i * A + j] = src[order[i] * A + order[j]];
    }
    for (auto& s : r.stimuli) s.area = inverse[s.area];
    for (auto& p : r.perturbations) {
        for (auto& a : p.areas) a = inverse[a];
        for (auto& a : p.sources) a = inverse[a];
    }
    return r;
}

}  // namespace

bool plan_needs_petsc(const model_spec& spec, int ranks) {
    return spec.partition_method == "graph" && ranks > 1 && !spec.rnn.defined && !spec.connectivity.synthetic.defined;
}

partition_plan plan_partition(const model_spec& spec, MPI_Comm comm) {
    partition_plan plan;
    const int size = comm_size(comm), me = comm_rank(comm);
    const std::size_t A = spec.areas.size();
    const block_partition blocks(A, size);
    std::vector<weighted_row> rows;
    const bool graph = spec.partition_method == "graph";
    if (spec.rnn.defined) {
        if (graph)
            throw config_error(spec.config_path + ": 'run.partition' = 'graph' is not available for circuit rnn");
        plan.spec = spec;
        plan.description = "contiguous blocks of units";
        return plan;
    }
    if (spec.connectivity.synthetic.defined) {  // the rows exist only where they are generated, in the exchange
        if (graph)
            throw config_error(spec.config_path +
                               ": 'run.partition' = 'graph' is not available for a synthetic cortex");
        plan.spec = spec;
        plan.description = "contiguous blocks of the synthetic sheet's areas (numbered row by row across it)";
        return plan;
    }
    run_collectively(comm, [&] { rows = graph_rows(spec, blocks.begin(me), blocks.end(me)); });
    const std::vector<int> block_owner = graph_partition(comm, A, blocks.begin(me), rows, "block");
    std::vector<int> owner = block_owner;
    if (graph && size > 1) owner = graph_partition(comm, A, blocks.begin(me), rows, "graph");
    const partition_report rep = make_partition_report(comm, owner, blocks.begin(me), rows);
    plan.report = format_partition_report(rep);
    if (graph && size > 1) {
        const partition_report before = make_partition_report(comm, block_owner, blocks.begin(me), rows);
        plan.report.push_back("(contiguous blocks would need " + std::to_string(before.total_ghosts) +
                              " ghost areas in total, the graph partition needs " + std::to_string(rep.total_ghosts) +
                              ")");
    }
    if (!graph || size == 1) {
        plan.spec = spec;
        plan.description = "contiguous blocks: with q = floor(A/N), rank r owns areas [r*q + min(r, A mod N), ...), "
                           "the first A mod N ranks one more (docs/design.md)";
        return plan;
    }
    std::vector<std::size_t> order, counts(static_cast<std::size_t>(size), 0);
    for (int r = 0; r < size; ++r)
        for (std::size_t a = 0; a < A; ++a)
            if (owner[a] == r) {
                order.push_back(a);
                ++counts[static_cast<std::size_t>(r)];
            }
    plan.spec = renumbered(spec, order);
    plan.spec.partition_counts = counts;
    plan.description =
        "graph partition (PETSc MatPartitioning, " + graph_partitioner_type() +
        "); areas renumbered part by part, output and checkpoints in data-file order (docs/partition.md)";
    return plan;
}

std::vector<double> to_file_order(const model_spec& m, const std::vector<double>& internal, std::size_t width) {
    if (m.areas.original.empty() || internal.empty()) return internal;
    std::vector<double> out(internal.size());
    for (std::size_t n = 0; n < m.areas.original.size(); ++n)
        std::copy_n(internal.begin() + static_cast<std::ptrdiff_t>(n * width), width,
                    out.begin() + static_cast<std::ptrdiff_t>(m.areas.original[n] * width));
    return out;
}

std::vector<double> to_internal_order(const model_spec& m, const std::vector<double>& file, std::size_t width) {
    if (m.areas.original.empty() || file.empty()) return file;
    std::vector<double> out(file.size());
    for (std::size_t n = 0; n < m.areas.original.size(); ++n)
        std::copy_n(file.begin() + static_cast<std::ptrdiff_t>(m.areas.original[n] * width), width,
                    out.begin() + static_cast<std::ptrdiff_t>(n * width));
    return out;
}

}  // namespace cortexsim
