#pragma once
// Partitioning a run (docs/partition.md): contiguous blocks, or a graph partition after which the areas are
// renumbered part by part (each rank's areas contiguous, in data-file order within a part). The renumbered
// spec keeps every area's data, stimuli and perturbations; area_table::original maps back, so that noise
// keys, summation orders, the output file and checkpoints stay in data-file order and the rates do not depend
// on the partition.
#include <mpi.h>

#include <string>
#include <vector>

#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

struct partition_plan {
    model_spec spec;                  // renumbered (or the input, for blocks)
    std::vector<std::string> report;  // per-rank report lines (rank 0), for printing
    std::string description;          // one line for /provenance
};

/// Collective. Builds the coupling graph (union of the projections' matrices) from each rank's block rows,
/// partitions it by spec.partition_method and renumbers the spec if the method is "graph".
/// Method "graph" needs PETSc (graph_backend.hpp): the PETSc module must be loaded (petsc_module.hpp) or PETSc
/// linked in before plan_partition, else it throws petsc_error on every rank.
partition_plan plan_partition(const model_spec& spec, MPI_Comm comm);

/// Whether plan_partition(spec, comm) on `ranks` ranks uses PETSc: run.partition = graph on more than one rank,
/// for a model whose coupling graph is partitioned (not rnn, not a synthetic cortex). Pure function: every rank
/// of a run answers alike.
bool plan_needs_petsc(const model_spec& spec, int ranks);

/// Per-area values (`width` each) from internal (renumbered) order to data-file order and back.
std::vector<double> to_file_order(const model_spec& renumbered, const std::vector<double>& internal, std::size_t width);
std::vector<double> to_internal_order(const model_spec& renumbered, const std::vector<double>& file, std::size_t width);

}  // namespace cortexsim
