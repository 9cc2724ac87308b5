#include "run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <limits>

#include "cortexsim/app/cli.hpp"
#include "cortexsim/checkpoint/run_checkpoint.hpp"
#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/memory.hpp"
#include "cortexsim/common/time.hpp"
#include "cortexsim/dynamics/circuit.hpp"
#include "cortexsim/dynamics/circuits/equations.hpp"
#include "cortexsim/integrator/engine.hpp"
#include "cortexsim/io/h5_output.hpp"
#include "cortexsim/io/provenance.hpp"
#include "cortexsim/partition/petsc_module.hpp"
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

/// One column of the result table: a value per area and how to print it.
struct table_column {
    std::string header;
    int width;
    std::vector<double> values;
    std::function<std::string(double)> format;
};

std::string formatted(const char* format, double v) {
    char b[64];
    std::snprintf(b, sizeof b, format, v);
    return b;
}

/// An /analysis dataset of the output, or nothing if the run did not write it.
std::vector<double> optional_column(const std::string& file, const std::string& name) {
    try {
        return read_h5_doubles(file, "/analysis/" + name);
    } catch (const std::exception&) {
        return {};
    }
}

/// Prints the columns that have at least one finite value (a model without, say, a distractor has no distractor
/// column); nothing if only the hierarchy is left.
void print_columns(const std::vector<std::string>& areas, const std::vector<table_column>& all) {
    std::vector<const table_column*> cols;
    for (const auto& c : all)
        if (c.values.size() == areas.size() &&
            std::any_of(c.values.begin(), c.values.end(), [](double v) { return std::isfinite(v); }))
            cols.push_back(&c);
    if (cols.size() <= 1) return;  // the hierarchy alone (no analysis): no table
    std::printf("%-8s", "area");
    for (const auto* c : cols) std::printf(" %*s", c->width, c->header.c_str());
    std::printf("\n");
    const std::size_t shown = std::min<std::size_t>(areas.size(), 100);  // a synthetic cortex has 1e4-1e5 areas
    for (std::size_t i = 0; i < shown; ++i) {
        std::printf("%-8s", areas[i].c_str());
        for (const auto* c : cols) std::printf(" %*s", c->width, c->format(c->values[i]).c_str());
        std::printf("\n");
    }
    if (shown < areas.size()) std::printf("(%zu more areas: see /analysis in the output)\n", areas.size() - shown);
}

/// Column p of an [A, P] analysis.
std::vector<double> population_column(const std::vector<double>& v, std::size_t n_areas, std::size_t p) {
    std::vector<double> out;
    const std::size_t P = n_areas ? v.size() / n_areas : 0;
    if (p >= P) return out;
    for (std::size_t i = 0; i < n_areas; ++i) out.push_back(v[i * P + p]);
    return out;
}

/// The result table of a finished run (rank 0), by the analysis the circuit type has: only the columns the
/// model has (finite somewhere).
void print_table(const std::string& file, const model_spec& spec) {
    if (spec.rnn.defined) return;  // units, not areas: see the summary line and /readout
    const circuit_info* info = find_circuit(spec.circuit);
    const auto areas = read_h5_strings(file, "/areas");
    const auto hier = read_h5_doubles(file, "/analysis/hierarchy");
    const std::size_t A = areas.size();
    auto fixed = [](const char* f) { return [f](double v) { return formatted(f, v); }; };
    std::vector<table_column> cols{{"hierarchy", 9, hier, fixed("%.3f")}};
    if (!info || info->analysis == "window") {
        // working-memory table: the analysed population's windows and the flag
        std::size_t p = 0;
        for (std::size_t q = 0; q < spec.populations.size(); ++q)
            if (spec.populations[q] == spec.analysis.population) p = q;
        const auto pers = optional_column(file, "persistent");
        cols.push_back({"baseline " + spec.populations[p], 14,
                        population_column(optional_column(file, "baseline_mean_hz"), A, p), fixed("%.3f")});
        cols.push_back({"delay " + spec.populations[p], 14,
                        population_column(optional_column(file, "delay_mean_hz"), A, p), fixed("%.3f")});
        cols.push_back({"persistent", 10, pers, [](double v) {
                            return std::isfinite(v) ? std::string(v == 1.0 ? "yes" : "no") : std::string("nan");
                        }});
        cols.push_back({"cue resp (Hz)", 14, optional_column(file, "cue_response_hz"), fixed("%.3f")});
        cols.push_back({"distr. resp", 14, optional_column(file, "distractor_response_hz"), fixed("%.3f")});
        auto tau = optional_column(file, "intrinsic_timescale_s");
        for (auto& t : tau) t *= 1e3;
        cols.push_back({"timescale (ms)", 14, tau, fixed("%.1f")});
        print_columns(areas, cols);
        if (pers.size() == A && std::any_of(pers.begin(), pers.end(), [](double v) { return std::isfinite(v); })) {
            std::string list;
            std::size_t count = 0;
            for (std::size_t i = 0; i < A; ++i)
                if (pers[i] == 1.0) {
                    ++count;
                    list += (list.empty() ? "" : " ") + areas[i];
                }
            std::printf("persistent activity in %zu of %zu areas: %s\n", count, A, list.c_str());
        }
        return;
    }
    auto tau = optional_column(file, "timescale_s");
    for (auto& t : tau) t *= 1e3;
    cols.push_back({"peak E (Hz)", 14, population_column(optional_column(file, "peak_rate_hz"), A, 0), fixed("%.4f")});
    cols.push_back({"response (Hz)", 14, optional_column(file, "response_hz"), fixed("%.6g")});
    cols.push_back({"timescale (ms)", 14, tau, fixed("%.1f")});
    // autocorrelation timescales (analysis.timescale_ms, e.g. configs/chaudhuri2015_noise.yaml)
    auto acf_1e = optional_column(file, "acf_timescale_1e_s"), acf_fit = optional_column(file, "acf_timescale_fit_s");
    for (auto& t : acf_1e) t *= 1e3;
    for (auto& t : acf_fit) t *= 1e3;
    cols.push_back({"ACF 1/e (ms)", 14, acf_1e, fixed("%.1f")});
    cols.push_back({"ACF fit rule (ms)", 18, acf_fit, fixed("%.1f")});
    print_columns(areas, cols);
}

/// --until-s as a step (-1: none); a usage_error if it is not a whole number of steps.
std::int64_t until_step_of(double until_s, const model_spec& spec) {
    if (until_s <= 0) return -1;
    const double q = until_s * 1e3 / spec.run.dt_ms;
    if (!(q <= static_cast<double>(spec.run.n_steps))) return -1;  // at or after the end: nothing to stop at
    const double r = std::round(q);
    if (std::fabs(q - r) > 1e-9 * std::max(1.0, q))
        throw usage_error("--until-s " + shortest_text(until_s) + " is not a whole number of time steps");
    const auto k = static_cast<std::int64_t>(r);  // (0 < r <= n_steps <= 2^53)
    return k >= spec.run.n_steps ? -1 : k;
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
    layout.records_per_block = e.records_per_block();
    if (const circuit_info* c = find_circuit(spec.circuit)) layout.rates_units = c->rates_units;
    if (spec.circuit == "equations") layout.rates_units = spec.equations.units;
    layout.config_text = spec.config_text;
    layout.resolved_yaml = spec.resolved_yaml;
    layout.overrides = spec.overrides;
    return layout;
}

}  // namespace

double output_bytes_estimate(const model_spec& spec) {
    const double records = static_cast<double>(spec.run.n_records());
    const double A = static_cast<double>(spec.areas.size()), P = static_cast<double>(spec.populations.size());
    double bytes = product_of({records, A * P + 1.0, 8.0});                                          // /rates, /time
    if (spec.rnn.defined) bytes += product_of({records, static_cast<double>(spec.rnn.n_out), 8.0});  // /readout
    bytes += product_of({A, P + 1.0, 16.0, 8.0});  // /analysis columns
    bytes += 3.0 * static_cast<double>(spec.config_text.size() + spec.resolved_yaml.size());
    for (const auto& f : spec.data_files) bytes += static_cast<double>(f.content.size());
    return bytes + 1024.0 * 1024.0;
}

void check_output_space(const model_spec& spec, const std::string& out_path) {
    const std::string dir = std::filesystem::absolute(out_path).parent_path().string();
    const double free = free_space_bytes(dir);
    if (free < 0) return;
    const double need = output_bytes_estimate(spec);
    if (need > free)
        throw io_error(out_path + ": the output needs about " + bytes_text(need) + ": " +
                       std::to_string(spec.run.n_records()) + " records (run.t_end_ms / run.record_interval_ms) x " +
                       std::to_string(spec.areas.size()) + " areas x " + std::to_string(spec.populations.size()) +
                       " populations x 8 bytes, more than the free space of its folder '" + dir + "', " +
                       bytes_text(free));
}

namespace {

/// The runtime guard (docs/reproducibility.md): if any rank's state turned NaN or infinite, the records so far
/// are written and kept in the .partial output, and every rank throws the error of the earliest such record
/// (the lowest rank among equals), naming the area, the variable and the model time. Collective.
void stop_if_nonfinite(engine& sim, h5_output& out, const model_spec& spec, MPI_Comm comm) {
    const std::int64_t none = std::numeric_limits<std::int64_t>::max();
    const std::int64_t mine = sim.nonfinite().step >= 0 ? sim.nonfinite().step : none;
    std::int64_t first = none;
    check_mpi(MPI_Allreduce(&mine, &first, 1, MPI_INT64_T, MPI_MIN, comm), "MPI_Allreduce");
    if (first == none) return;
    sim.flush_records(&out);
    out.flush();
    out.keep_partial_on_failure();
    run_collectively(comm, [&] {
        if (mine != first) return;
        const nonfinite_state& b = sim.nonfinite();
        char t[64];
        std::snprintf(t, sizeof t, "%.10g", static_cast<double>(b.step) * spec.run.dt_ms);
        throw error(spec.config_path + ": the model turned non-finite: area " + b.area + ", variable " + b.variable +
                    " = " + (std::isnan(b.value) ? std::string("nan") : shortest_text(b.value)) + " at t = " + t +
                    " ms (step " + std::to_string(b.step) + "); the records up to then are in " + out.partial_path() +
                    "; stopped");
    });
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
        // a new output must fit (checked before anything is created)
        if (restart.empty() && !complete) check_output_space(file_spec, out_path);
    });
    check_mpi(MPI_Bcast(&complete, 1, MPI_INT, 0, comm), "MPI_Bcast");
    restart = broadcast_string(comm, restart);
    if (complete) {
        if (rank == 0) std::printf("%s is complete already: nothing to do\n", out_path.c_str());
        return exit_ok;
    }
    std::int64_t until_step = -1;
    run_collectively(comm, [&] { until_step = until_step_of(rq.until_s, spec); });

    // circuit: equations: the first rank compiles the kernel if the cache lacks it while the others wait (one
    // compile per run, not one per rank; every rank then loads it from the cache)
    if (spec.circuit == "equations")
        run_collectively(comm, [&] {
            if (rank == 0) compile_equations_kernel(equations_kernel(spec));
        });
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
    run_control control(spec, comm, {rq.quiet, until_step, [&sim] { return sim.nonfinite().step >= 0; }}, first_step,
                        save);
    const run_report rep = sim.run(out.get(), control.hook());
    const std::int64_t n_steps = spec.run.n_steps;
    stop_if_nonfinite(sim, *out, spec, comm);
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
    for (const auto& g : results.globals) {
        out->write_global(g.name, g.dims, g.data, g.unit, g.description, g.attributes, g.scales, g.row_split);
        if (g.row_split.empty()) continue;
        // a matrix computed in blocks: the largest piece a rank held (its memory, about n^2 / P values)
        unsigned long long mine = g.data.size(), most = 0;
        check_mpi(MPI_Allreduce(&mine, &most, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, comm), "MPI_Allreduce");
        if (rank == 0 && !rq.quiet)
            std::printf("[cortexsim] %s: computed in blocks of rows on %d rank%s, at most %llu values on a rank "
                        "(%zu x %zu matrix)\n",
                        g.name.c_str(), size, size == 1 ? "" : "s", most, g.dims[0], g.dims[0]);
    }
    double loop_max = 0.0;
    check_mpi(MPI_Allreduce(&rep.loop_seconds, &loop_max, 1, MPI_DOUBLE, MPI_MAX, comm), "MPI_Allreduce");
    const double steps_per_s = loop_max > 0 ? static_cast<double>(rep.steps) / loop_max : 0.0;
    const exchange_summary xs = sim.exchange_info();
    run_facts facts;
    facts.ranks = size;
    facts.partition = plan.description;
    facts.command_line = rq.command_line;
    facts.rank_hosts = rank_hosts(comm);
    facts.mpi_library = mpi_library();
    facts.petsc_version = petsc_compiled_version();  // the header's, loaded or not (docs/design.md)
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
    if (const circuit_info* c = find_circuit(spec.circuit)) facts.circuit_defaults = c->defaults;
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
