#include "cortexsim/checkpoint/run_checkpoint.hpp"

#include <ctime>

#include "cortexsim/checkpoint/checkpoint.hpp"
#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/time.hpp"
#include "cortexsim/partition/plan.hpp"

namespace cortexsim {
namespace {

/// Gathers per-area values (per_area each) of every rank to rank 0, in global (internal) area order.
std::vector<double> gather_areas(MPI_Comm comm, const block_partition& part, const std::vector<double>& local,
                                 std::size_t per_area) {
    std::vector<int> counts(static_cast<std::size_t>(part.n_ranks())), displs(counts.size());
    for (int r = 0; r < part.n_ranks(); ++r) {
        counts[static_cast<std::size_t>(r)] = static_cast<int>(part.count(r) * per_area);
        displs[static_cast<std::size_t>(r)] = static_cast<int>(part.begin(r) * per_area);
    }
    std::vector<double> all(comm_rank(comm) == 0 ? part.n_areas() * per_area : 0);
    check_mpi(MPI_Gatherv(local.data(), static_cast<int>(local.size()), MPI_DOUBLE, all.data(), counts.data(),
                          displs.data(), MPI_DOUBLE, 0, comm),
              "MPI_Gatherv");
    return all;
}

/// Scatters per-area values held by rank 0 (global order) to their owners.
std::vector<double> scatter_areas(MPI_Comm comm, const block_partition& part, const std::vector<double>& all,
                                  std::size_t per_area) {
    std::vector<int> counts(static_cast<std::size_t>(part.n_ranks())), displs(counts.size());
    for (int r = 0; r < part.n_ranks(); ++r) {
        counts[static_cast<std::size_t>(r)] = static_cast<int>(part.count(r) * per_area);
        displs[static_cast<std::size_t>(r)] = static_cast<int>(part.begin(r) * per_area);
    }
    std::vector<double> local(part.count(comm_rank(comm)) * per_area);
    check_mpi(MPI_Scatterv(all.data(), counts.data(), displs.data(), MPI_DOUBLE, local.data(),
                           static_cast<int>(local.size()), MPI_DOUBLE, 0, comm),
              "MPI_Scatterv");
    return local;
}

std::vector<double> broadcast_doubles(MPI_Comm comm, std::vector<double> v) {
    unsigned long long n = v.size();
    check_mpi(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, comm), "MPI_Bcast");
    v.resize(n);
    if (n > 0) check_mpi(MPI_Bcast(v.data(), static_cast<int>(n), MPI_DOUBLE, 0, comm), "MPI_Bcast");
    return v;
}

}  // namespace

void save_checkpoint(const std::string& path, const engine& e, const checkpoint_context& ctx, const std::string& run_id,
                     std::string& history) {
    const MPI_Comm comm = ctx.comm;
    const model_spec& spec = ctx.spec;
    const int rank = comm_rank(comm), size = comm_size(comm);
    const engine_state s = e.save();
    const block_partition& part = e.partition();
    const std::size_t P = s.width, S = s.observer_width;
    checkpoint_data c;
    c.rates = to_file_order(spec, gather_areas(comm, part, s.state, P), P);
    c.analysis = to_file_order(spec, gather_areas(comm, part, s.observers, S), S);
    c.delay_lengths = s.history_lengths;
    for (std::size_t g = 0; g < s.history_lengths.size(); ++g) {
        const auto L = static_cast<std::size_t>(s.history_lengths[g]);
        c.delay_history.push_back(to_file_order(spec, gather_areas(comm, part, s.histories[g], L), L));
    }
    c.observer_global = s.observer_global;
    if (!history.empty()) history += ';';
    history += std::to_string(s.step);
    history += '@';
    history += broadcast_string(comm, utc_now());
    history += " on ";
    history += std::to_string(size);
    history += " ranks (";
    history += rank_hosts(comm);
    history += ')';
    run_collectively(comm, [&] {
        if (rank != 0) return;
        c.fingerprint = spec.fingerprint;
        c.model = spec.name;
        c.run_id = run_id;
        c.step = s.step;
        c.n_steps = spec.run.n_steps;
        c.records_written = s.step / spec.run.record_every + 1;
        c.n_areas = spec.areas.size();
        c.n_populations = P;
        c.area_names = ctx.file_spec.areas.names;
        c.analysis_state_size = S;
        c.ranks_at_save = size;
        c.history = history;
        write_checkpoint(path, c);
    });
}

restored_run restore_checkpoint(const std::string& path, engine& e, const checkpoint_context& ctx) {
    const MPI_Comm comm = ctx.comm;
    const model_spec& spec = ctx.spec;
    const int rank = comm_rank(comm);
    // what this model's engine holds, to check the checkpoint against
    const engine_state mine = e.save();
    const std::size_t P = mine.width, S = mine.observer_width;
    checkpoint_data c;
    run_collectively(comm, [&] {
        if (rank != 0) return;
        c = read_checkpoint(path);
        if (c.fingerprint != spec.fingerprint)
            throw config_error(path + ": checkpoint is from a different model or config (model '" + c.model +
                               "', fingerprint " + c.fingerprint.substr(0, 12) + "...; this run: model '" + spec.name +
                               "', fingerprint " + spec.fingerprint.substr(0, 12) + "...)");
        if (c.area_names != ctx.file_spec.areas.names || c.n_populations != P || c.n_steps != spec.run.n_steps ||
            c.analysis_state_size != S || c.rates.size() != spec.areas.size() * P)
            throw data_error(path + ": checkpoint does not match this model's areas, populations or steps");
        if (c.delay_lengths != mine.history_lengths)
            throw data_error(path + ": checkpoint's conduction-delay history does not match this model");
    });
    restored_run r;
    long long step = c.step;
    int ranks = c.ranks_at_save;
    check_mpi(MPI_Bcast(&step, 1, MPI_LONG_LONG, 0, comm), "MPI_Bcast");
    check_mpi(MPI_Bcast(&ranks, 1, MPI_INT, 0, comm), "MPI_Bcast");
    r.step = step;
    r.ranks_at_save = ranks;
    r.run_id = broadcast_string(comm, c.run_id);
    r.history = broadcast_string(comm, c.history);

    engine_state s;
    s.step = r.step;
    s.width = P;
    s.observer_width = S;
    s.state = scatter_areas(comm, e.partition(), to_internal_order(spec, c.rates, P), P);
    s.observers = scatter_areas(comm, e.partition(), to_internal_order(spec, c.analysis, S), S);
    s.history_lengths = mine.history_lengths;
    for (std::size_t g = 0; g < mine.history_lengths.size(); ++g) {
        const auto L = static_cast<std::size_t>(mine.history_lengths[g]);
        s.histories.push_back(to_internal_order(
            spec, broadcast_doubles(comm, rank == 0 ? c.delay_history[g] : std::vector<double>()), L));
    }
    s.observer_global = c.observer_global;  // rank 0's; empty elsewhere
    s.observer_global.resize(mine.observer_global.size());
    run_collectively(comm, [&] { e.restore(s); });
    return r;
}

}  // namespace cortexsim
