#pragma once
// Saving a running engine to a checkpoint and restoring it (docs/reproducibility.md): the engine's per-rank
// state is gathered onto rank 0 in data-file order and written atomically; a restart (on any rank count) reads
// it on rank 0, checks it against the model and scatters each rank its areas. Collective over comm.
#include <mpi.h>

#include <cstdint>
#include <string>

#include "cortexsim/integrator/engine.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// The run a checkpoint belongs to.
struct checkpoint_context {
    const model_spec& spec;       // as the ranks hold it (renumbered after a graph partition)
    const model_spec& file_spec;  // in data-file order (the order of outputs and checkpoints)
    MPI_Comm comm;
};

/// Collective. Gathers the engine's state (after e.step() steps) and writes `path` on rank 0; `history`
/// (the run's "step@time on N ranks" list) gets this checkpoint appended (on every rank).
void save_checkpoint(const std::string& path, const engine& e, const checkpoint_context& ctx, const std::string& run_id,
                     std::string& history);

/// What a restored checkpoint says about its run.
struct restored_run {
    std::int64_t step = 0;
    std::string run_id, history;
    int ranks_at_save = 0;
};

/// Collective. Reads `path` on rank 0, checks that it belongs to this model (fingerprint, areas, variables,
/// steps, analysis, delay histories: config_error / data_error naming the file and what differs) and restores
/// the engine on every rank.
restored_run restore_checkpoint(const std::string& path, engine& e, const checkpoint_context& ctx);

}  // namespace cortexsim
