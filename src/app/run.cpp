#include "run.hpp"

#include <petscsys.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "cortexsim/app/cli.hpp"
#include "cortexsim/checkpoint/run_checkpoint.hpp"
#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/time.hpp"
#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/integrator/engine.hpp"
#include "cortexsim/io/h5_output.hpp"
#include "cortexsim/io/provenance.hpp"
#include "cortexsim/partition/plan.hpp"
#include "run_control.hpp"

namespace cortexsim {
namespace {

std::string mpi_library() {
    char v[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    MPI_Get_library_version(v, &len);
    std::string s(v, static_cast<std::size_t>(len));
    const auto nl = s.find_first_of("\n,");
    return nl == std::string::npos ? s : s.substr(0, nl);
}

std::string petsc_version() {
    char v[256];
    PetscGetVersion(v, sizeof v);
    return v;
}

/// The result table of a finished run (rank 0), by the analysis the circuit type has.
void print_table(const std::string& file, const model_spec& spec) {
    if (spec.rnn.defined) return;  // units, not areas: see the summary line and /readout
    const circuit_info* info = find_circuit(spec.circuit);
    const auto areas = read_h5_strings(file, "/areas");
    const auto hier = read_h5_doubles(file, "/analysis/hierarchy");
    if (!info || info->analysis == "window") {
        // working-memory table: the analysed population's windows and the flag
        const auto base = read_h5_doubles(file, "/analysis/baseline_mean_hz");
        const auto delay = read_h5_doubles(file, "/analysis/delay_mean_hz");
        const auto pers = read_h5_doubles(file, "/analysis/persistent");
        const auto cue = read_h5_doubles(file, "/analysis/cue_response_hz");
        const auto dis = read_h5_doubles(file, "/analysis/distractor_response_hz");
        const std::size_t P = areas.empty() ? 0 : base.size() / areas.size();
        std::size_t p = 0;
        for (std::size_t q = 0; q < spec.populations.size(); ++q)
            if (spec.populations[q] == spec.analysis.population) p = q;
        std::printf("%-8s %9s %14s %14s %10s %14s %14s\n", "area", "hierarchy",
                    ("baseline " + spec.populations[p]).c_str(), ("delay " + spec.populations[p]).c_str(), "persistent",
                    "cue resp (Hz)", "distr. resp");
        std::string list;
        std::size_t count = 0;
        for (std::size_t i = 0; i < areas.size(); ++i) {
            std::printf("%-8s %9.3f %14.3f %14.3f %10s %14.3f %14.3f\n", areas[i].c_str(), hier[i], base[i * P + p],
                        delay[i * P + p], pers[i] == 1.0 ? "yes" : "no", cue[i], dis[i]);
            if (pers[i] == 1.0) {
                ++count;
                list += (list.empty() ? "" : " ") + areas[i];
            }
        }
        std::printf("persistent activity in %zu of %zu areas: %s\n", count, areas.size(), list.c_str());
        return;
    }
    const auto peak = read_h5_doubles(file, "/analysis/peak_rate_hz");
    const auto resp = read_h5_doubles(file, "/analysis/response_hz");
    const auto tau = read_h5_doubles(file, "/analysis/timescale_s");
    const std::size_t P = areas.empty() ? 0 : peak.size() / areas.size();
    std::printf("%-8s %9s %14s %14s %14s\n", "area", "hierarchy", "peak E (Hz)", "response (Hz)", "timescale (ms)");
    const std::size_t shown = std::min<std::size_t>(areas.size(), 100);  // a synthetic cortex has 1e4-1e5 areas
    for (std::size_t i = 0; i < shown; ++i)
        std::printf("%-8s %9.3f %14.4f %14.6g %14.1f\n", areas[i].c_str(), hier[i], peak[i * P], resp[i], tau[i] * 1e3);
    if (shown < areas.size()) std::printf("(%zu more areas: /analysis in %s)\n", areas.size() - shown, file.c_str());
}

/// --until-s as a step (-1: none); a usage_error if it is not a whole number of steps.
std::int64_t until_step_of(double until_s, const model_spec& spec) {
    if (until_s <= 0) return -1;
    const double q = until_s * 1e3 / spec.run.dt_ms;
    const auto k = static_cast<std::int64_t>(std::llround(q));
    if (!(q < static_cast<double>(max_steps)) || std::fabs(q - static_cast<double>(k)) > 1e-9 * std::max(1.0, q))
        throw usage_error("--until-s " + shortest_text(until_s) + " is not a whole number of time steps");
    return k >= spec.run.n_steps ? -1 : k;  // at or after the end: nothing to stop at
}

output_layout layout_of(const model_spec& spec, const model_spec& file_spec, const engine& e, MPI_Comm comm) {
    const block_partition& part = e.partition();
    const int rank = comm_rank(comm);
    output_layout layout;
    layout.area_names = file_spec.areas.names;
    if (!spec.areas.original.empty())
        for (std::size_t i = 0; i < part.count(rank); ++i)
            layout.area_rows.push_back(spec.areas.original[part.begin(rank) + i]);
    layout.populations = spec.populations;
    layout.area_begin = part.begin(rank);
    layout.n_local = part.count(rank);
    layout.n_records = spec.run.n_records();
    layout.record_dt_s = seconds_of(spec.run.record_every, spec.run.dt_ms);
    layout.config_text = spec.config_text;
    layout.resolved_yaml = spec.resolved_yaml;
    layout.overrides = spec.overrides;
    return layout;
}

}  // namespace

int execute_run(const run_request& rq, MPI_Comm comm) {
    const model_spec& file_spec = rq.spec;  // areas in data-file order (the output's and checkpoints' order)
    const partition_plan plan = plan_partition(file_spec, comm);
    const model_spec& spec = plan.spec;  // areas as the ranks hold them (renumbered after a graph partition)
    const int rank = comm_rank(comm), size = comm_size(comm);
    const std::string start = broadcast_string(comm, utc_now());
    const std::string& out_path = rq.output;
    const std::string ckpt_path = rq.checkpoint.empty() ? out_path + ".ckpt" : rq.checkpoint;

    // ---- fresh start, continue from a checkpoint, or nothing to do
    std::string restart = rq.restart;
    int complete = 0;
    run_collectively(comm, [&] {
        if (rank != 0) return;
        std::error_code ec;
        if (rq.resume) {
            if (std::filesystem::exists(out_path, ec))
                complete = 1;
            else if (std::filesystem::exists(ckpt_path, ec))
                restart = ckpt_path;
        } else if (restart.empty() && std::filesystem::exists(ckpt_path, ec) && !rq.overwrite) {
            throw io_error(ckpt_path + ": checkpoint exists already (use --resume to continue from it, or "
                                       "--overwrite to start afresh)");
        }
    });
    check_mpi(MPI_Bcast(&complete, 1, MPI_INT, 0, comm), "MPI_Bcast");
    restart = broadcast_string(comm, restart);
    if (complete) {
        if (rank == 0) std::printf("%s is complete already: nothing to do\n", out_path.c_str());
        return exit_ok;
    }
    std::int64_t until_step = -1;
    run_collectively(comm, [&] { until_step = until_step_of(rq.until_s, spec); });

    engine sim(spec, comm);
    if (rank == 0 && !rq.quiet) {
        std::printf("[cortexsim] partition (%s): per rank: areas, nonzeros, ghost areas, bytes per exchange\n",
                    spec.partition_method.c_str());
        for (const auto& line : plan.report) std::printf("[cortexsim]   %s\n", line.c_str());
        std::fflush(stdout);
    }
    const output_layout layout = layout_of(spec, file_spec, sim, comm);
    const checkpoint_context ctx{spec, file_spec, comm};

    // ---- the output (new, or the partial output of the run a checkpoint belongs to)
    std::unique_ptr<h5_output> out;
    std::string history;
    if (!restart.empty()) {
        const restored_run r = restore_checkpoint(restart, sim, ctx);
        history = r.history;
        out = std::make_unique<h5_output>(comm, out_path, h5_output::append, layout, r.run_id);
        if (rank == 0 && !rq.quiet)
            std::printf("[cortexsim] continuing from %s at t = %.4f s (step %lld, written on %d ranks)\n",
                        restart.c_str(), seconds_of(r.step, spec.run.dt_ms), static_cast<long long>(r.step),
                        r.ranks_at_save);
    } else {
        out = std::make_unique<h5_output>(comm, out_path, rq.overwrite, layout);
    }

    // ---- the loop, with progress, signals and checkpoints
    auto save = [&](std::int64_t k) {
        sim.flush_records(out.get());
        out->flush();
        save_checkpoint(ckpt_path, sim, ctx, out->run_id(), history);
        out->keep_partial_on_failure();
        if (rank == 0 && !rq.quiet) {
            std::printf("[cortexsim] checkpoint at t = %.4f s (step %lld) -> %s\n", seconds_of(k, spec.run.dt_ms),
                        static_cast<long long>(k), ckpt_path.c_str());
            std::fflush(stdout);
        }
    };
    const std::int64_t first_step = sim.step();
    run_control control(spec, comm, {rq.quiet, until_step}, first_step, save);
    const run_report rep = sim.run(out.get(), control.hook());
    const std::int64_t n_steps = spec.run.n_steps;
    if (sim.step() != n_steps) {
        out->suspend();
        if (rank == 0)
            std::printf("[cortexsim] stopped by %s at t = %.4f s (step %lld of %lld); checkpoint %s; "
                        "continue with --resume\n",
                        control.stopped_by() ? ("signal " + std::to_string(control.stopped_by())).c_str() : "--until-s",
                        seconds_of(sim.step(), spec.run.dt_ms), static_cast<long long>(sim.step()),
                        static_cast<long long>(n_steps), ckpt_path.c_str());
        std::fflush(stdout);
        return exit_checkpointed;
    }

    // ---- results and provenance
    const run_results results = sim.results();
    for (const auto& col : results.columns)
        out->write_analysis(col.name, col.values, col.width, col.unit, col.description);
    for (const auto& g : results.globals) out->write_global(g.name, g.dims, g.data, g.unit, g.description);
    double loop_max = 0.0;
    check_mpi(MPI_Allreduce(&rep.loop_seconds, &loop_max, 1, MPI_DOUBLE, MPI_MAX, comm), "MPI_Allreduce");
    const double steps_per_s = loop_max > 0 ? static_cast<double>(rep.steps) / loop_max : 0.0;
    const exchange_summary xs = sim.exchange_info();
    run_facts facts;
    facts.ranks = size;
    facts.partition = plan.description;
    facts.command_line = rq.command_line;
    facts.mpi_library = mpi_library();
    facts.petsc_version = petsc_version();
    facts.start_time = start;
    facts.end_time = utc_now();
    facts.steps = n_steps;
    facts.steps_this_segment = rep.steps;
    facts.loop_seconds = loop_max;
    facts.steps_per_second = steps_per_s;
    facts.steps_per_exchange = xs.first.steps_per_exchange;
    facts.exchanges_per_second = xs.exchanges_per_second;
    facts.checkpoints = history;
    facts.restarted = !restart.empty();
    write_provenance(*out, spec, facts);
    out->commit();

    if (rank == 0) {
        std::error_code ec;
        std::filesystem::remove(ckpt_path, ec);  // the run is complete: its checkpoint is spent
        std::printf("model %s: %zu areas on %d rank%s, %lld steps of %g ms (%s) in %.3f s: %.3g steps/s\n",
                    spec.name.c_str(), spec.areas.size(), size, size == 1 ? "" : "s", static_cast<long long>(rep.steps),
                    spec.run.dt_ms, integrator_name(spec.run.integrator).c_str(), loop_max, steps_per_s);
        if (!rq.quiet || rq.print_table) {
            const exchange_stats& x = xs.first;
            std::printf("exchange (rank 0): %zu long-range group%s, every %lld step%s, %zu ghost areas, %zu messages "
                        "sent per exchange, %.4g exchanges and %.4g messages sent per simulated second\n",
                        xs.n_groups, xs.n_groups == 1 ? "" : "s", static_cast<long long>(x.steps_per_exchange),
                        x.steps_per_exchange == 1 ? "" : "s", x.ghost_sources, x.send_neighbours,
                        xs.exchanges_per_second, xs.exchanges_per_second * static_cast<double>(x.send_neighbours));
        }
        if (rq.print_table) print_table(out_path, spec);
        for (const auto& line : results.summary) std::printf("%s\n", line.c_str());
        std::printf("output: %s\n", std::filesystem::absolute(out_path).string().c_str());
        std::fflush(stdout);
    }
    return exit_ok;
}

}  // namespace cortexsim
