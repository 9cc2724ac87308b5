#include "cortexsim/app/cli.hpp"

#include <petscsys.h>
#include <unistd.h>

#include <boost/version.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <iostream>
#include <sstream>

#include "cortexsim/build_info.hpp"
#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/checkpoint/checkpoint.hpp"
#include "cortexsim/app/signals.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/connectivity/csv.hpp"
#include "cortexsim/app/renumber.hpp"
#include "cortexsim/rnn/train.hpp"
#include "cortexsim/integrator/engine.hpp"
#include "cortexsim/io/h5_output.hpp"

namespace cortexsim {

std::string usage_text() {
    return "usage: mpirun -n N cortexsim run CONFIG [-o OUT.h5] [--set key=value ...] [--overwrite] [--quiet]\n"
           "                      [--checkpoint CKPT] [--resume | --restart CKPT] [--point I]\n"
           "       mpirun -n N cortexsim sweep CONFIG [-o OUT.h5] [--set key=value ...] [--overwrite] [--quiet]\n"
           "       cortexsim sweep CONFIG --list\n"
           "       mpirun -n N cortexsim replay OUT.h5 [--keep]\n"
           "       cortexsim check CONFIG [--set key=value ...]\n"
           "       mpirun -n N cortexsim train CONFIG [-o WEIGHTS.h5] [--overwrite] [--resume CKPT] [--set k=v]\n"
           "       cortexsim --version | --help\n"
           "  run     integrate the model of CONFIG on N ranks (1 <= N <= number of areas) and write one HDF5 file\n"
           "  sweep   run every point of the config's sweep section (--list: print the points)\n"
           "  replay  re-run an output file from what it holds (config and data) and compare the rates bit for bit\n"
           "  check   validate CONFIG and its data files without running\n"
           "  train   train a recurrent network on a task by BPTT, data-parallel over N ranks (docs/rnn.md)\n"
           "  -o OUT.h5         output file (default: output.path of the config)\n"
           "  --set key=value   override a config value, e.g. --set run.dt_ms=0.2 --set stimuli.0.amplitude_hz=20\n"
           "  --overwrite       replace an existing output (only once the new one is complete) or checkpoint\n"
           "  --quiet           no progress line\n"
           "  --checkpoint CKPT checkpoint file (default OUT.h5.ckpt); written every checkpoint.every_sim_s or\n"
           "                    checkpoint.every_wall_min and on SIGTERM/SIGUSR1/SIGINT (then exit code 3)\n"
           "  --resume          continue from the checkpoint if there is one; do nothing if OUT.h5 is complete\n"
           "  --restart CKPT    continue from this checkpoint\n"
           "  --point I         run point I (from 0) of the sweep section, output OUT_<point>.h5\n"
           "  --until-s T       stop at model time T with a checkpoint (exit code 3): run in segments\n"
           "exit codes: 0 success, 1 bad input or failed run, 2 bad command line,\n"
           "            3 stopped by a signal after writing a checkpoint (continue with --resume)\n";
}

cli_options parse_cli(const std::vector<std::string>& args) {
    cli_options o;
    if (args.empty()) throw usage_error("no command given (try: cortexsim --help)");
    o.command = args[0];
    if (o.command == "--help" || o.command == "-h" || o.command == "help") {
        o.command = "help";
        return o;
    }
    if (o.command == "--version") {
        o.command = "version";
        return o;
    }
    if (o.command != "run" && o.command != "check" && o.command != "sweep" && o.command != "replay")
        throw usage_error("unknown command '" + o.command + "' (commands: run, sweep, replay, check; see --help)");
    auto only_for = [&](const std::string& opt, std::initializer_list<const char*> cmds) {
        for (const char* c : cmds)
            if (o.command == c) return;
        throw usage_error("option " + opt + " does not belong to '" + o.command + "'");
    };
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const char* opt) -> std::string {
            if (i + 1 >= args.size()) throw usage_error(std::string("option ") + opt + " needs a value");
            return args[++i];
        };
        if (a == "-o" || a == "--output") {
            only_for(a, {"run", "sweep", "replay"});
            o.output = value("-o");
        } else if (a == "--set") {
            only_for(a, {"run", "sweep", "check"});
            o.overrides.push_back(value("--set"));
        } else if (a.rfind("--set=", 0) == 0) {
            only_for("--set", {"run", "sweep", "check"});
            o.overrides.push_back(a.substr(6));
        } else if (a == "--overwrite") {
            only_for(a, {"run", "sweep"});
            o.overwrite = true;
        } else if (a == "--quiet" || a == "-q") {
            o.quiet = true;
        } else if (a == "--checkpoint") {
            only_for(a, {"run"});
            o.checkpoint = value("--checkpoint");
        } else if (a == "--resume") {
            only_for(a, {"run"});
            o.resume = true;
        } else if (a == "--restart") {
            only_for(a, {"run"});
            o.restart = value("--restart");
        } else if (a == "--point") {
            only_for(a, {"run"});
            const std::string v = value("--point");
            try {
                std::size_t used = 0;
                o.point = std::stol(v, &used);
                if (used != v.size() || o.point < 0) throw 0;
            } catch (...) {
                throw usage_error("--point '" + v + "': expected a point index (0, 1, ...)");
            }
        } else if (a == "--until-s") {
            only_for(a, {"run"});
            const std::string v = value("--until-s");
            try {
                std::size_t used = 0;
                o.until_s = std::stod(v, &used);
                if (used != v.size() || !(o.until_s > 0)) throw 0;
            } catch (...) {
                throw usage_error("--until-s '" + v + "': expected a model time in seconds > 0");
            }
        } else if (a == "--list") {
            only_for(a, {"sweep"});
            o.list = true;
        } else if (a == "--keep") {
            only_for(a, {"replay"});
            o.keep = true;
        } else if (!a.empty() && a[0] == '-') {
            throw usage_error("unknown option '" + a + "' (see --help)");
        } else if (o.config.empty()) {
            o.config = a;
        } else {
            throw usage_error("unexpected argument '" + a + "' (one config file per run)");
        }
    }
    if (o.config.empty())
        throw usage_error("'" + o.command + "' needs " + (o.command == "replay" ? "an output file" : "a config file"));
    if (o.resume && !o.restart.empty()) throw usage_error("--resume and --restart exclude each other");
    return o;
}

namespace {

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

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

std::string hostname() {
    char h[256] = {0};
    gethostname(h, sizeof h - 1);
    return h;
}

std::string fmt(double v, int prec = 4) {
    if (std::isnan(v)) return "nan";
    std::ostringstream s;
    s.precision(prec);
    s << v;
    return s.str();
}

void print_table(const std::string& file, const model_spec& spec) {
    if (spec.circuit == "rnn") return;  // units, not areas: see the summary line and /readout
    const auto areas = read_h5_strings(file, "/areas");
    const auto hier = read_h5_doubles(file, "/analysis/hierarchy");
    if (spec.circuit != "linear_ei") {
        // working-memory table of a nonlinear circuit: the analysed population's windows and the flag
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
                    ("baseline " + spec.populations[p]).c_str(), ("delay " + spec.populations[p]).c_str(),
                    "persistent", "cue resp (Hz)", "distr. resp");
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
    for (std::size_t i = 0; i < areas.size(); ++i)
        std::printf("%-8s %9.3f %14.4f %14.6g %14.1f\n", areas[i].c_str(), hier[i], peak[i * P], resp[i],
                    tau[i] * 1e3);
}

int do_check(const cli_options& o, MPI_Comm comm) {
    model_spec spec;
    std::size_t n_points = 0;
    run_collectively(comm, [&] {
        spec = load_config(o.config, o.overrides);
        // (load_config has read and validated every data file)
        const auto points = sweep_points(o.config);
        for (const auto& p : points) {
            auto ov = o.overrides;
            ov.insert(ov.end(), p.overrides.begin(), p.overrides.end());
            (void)load_config(o.config, ov);
        }
        n_points = points.size();
    });
    if (comm_rank(comm) == 0) {
        std::printf("%s: OK: model '%s', %zu areas x %zu populations, %lld steps of %g ms, %lld records%s\n",
                    o.config.c_str(), spec.name.c_str(), spec.areas.size(), spec.populations.size(),
                    static_cast<long long>(spec.run.n_steps), spec.run.dt_ms,
                    static_cast<long long>(spec.run.n_records()),
                    n_points ? (", sweep of " + std::to_string(n_points) + " points").c_str() : "");
        std::fflush(stdout);
    }
    return exit_ok;
}

/// Everything one run needs besides the communicator.
struct run_request {
    model_spec spec;
    std::string output;
    bool overwrite = false;
    bool quiet = false;
    std::string checkpoint;  // path
    bool resume = false;
    std::string restart;     // checkpoint to continue from ("" = fresh)
    double until_s = -1.0;   // stop with a checkpoint at this model time (< 0: never)
    std::string command_line;
    bool print_table = true;
};

/// Gathers per-area values (per_area values each) of every rank to rank 0, in global area order.
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

/// A YAML-like listing of every resolved value of the spec (defaults included), for /provenance.
std::string resolved_parameters(const model_spec& m) {
    std::ostringstream o;
    o.precision(17);
    const auto& p = m.params;
    o << "model: " << m.name << "\ncircuit: " << m.circuit << "\nareas: " << m.areas.size()
      << "\nparameters: {tau_E_ms: " << p.tau_E_ms << ", tau_I_ms: " << p.tau_I_ms << ", beta_E: " << p.beta_E
      << ", beta_I: " << p.beta_I << ", w_EE: " << p.w_EE << ", w_IE: " << p.w_IE << ", w_EI: " << p.w_EI
      << ", w_II: " << p.w_II << ", mu_EE: " << p.mu_EE << ", mu_IE: " << p.mu_IE << ", eta: " << p.eta
      << ", r_E_target_hz: " << p.r_E_target_hz << ", r_I_target_hz: " << p.r_I_target_hz
      << ", rate_floor_E_hz: " << p.rate_floor_E_hz << ", rate_floor_I_hz: " << p.rate_floor_I_hz << "}\n";
    o << "run: {t_end_ms: " << m.run.t_end_ms << ", dt_ms: " << m.run.dt_ms << ", n_steps: " << m.run.n_steps
      << ", record_every_steps: " << m.run.record_every << ", integrator: "
      << (m.run.integrator == integrator_kind::euler ? "euler" : "heun") << ", seed: " << m.run.seed << "}\n";
    o << "stimuli:\n";
    for (const auto& s : m.stimuli)
        o << "  - {name: " << s.name << ", area: " << m.areas.names[s.area]
          << ", population: " << m.populations[s.population] << ", onset_step: " << s.onset_step
          << ", end_step: " << s.end_step << ", amplitude_hz: " << s.amplitude << "}\n";
    o << "fingerprint: " << m.fingerprint << "\n";
    return o.str();
}

int execute_run(const run_request& rq, MPI_Comm comm) {
    const model_spec& file_spec = rq.spec;  // areas in data-file order (the output's and checkpoints' order)
    const partition_plan plan = plan_partition(file_spec, comm);
    const model_spec& spec = plan.spec;     // areas as the ranks hold them (renumbered after a graph partition)
    const int rank = comm_rank(comm);
    const int size = comm_size(comm);
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
    if (rq.until_s > 0) {
        const double q = rq.until_s * 1e3 / spec.run.dt_ms;
        until_step = static_cast<std::int64_t>(std::llround(q));
        if (std::fabs(q - static_cast<double>(until_step)) > 1e-9 * std::max(1.0, q))
            throw usage_error("--until-s " + fmt(rq.until_s) + " is not a whole number of time steps");
        if (until_step >= spec.run.n_steps) until_step = -1;  // nothing to stop at
    }
    std::unique_ptr<engine> sim = make_engine(spec, comm);
    if (rank == 0 && !rq.quiet) {
        std::printf("[cortexsim] partition (%s): per rank: areas, nonzeros, ghost areas, bytes per exchange\n",
                    spec.partition_method.c_str());
        for (const auto& line : plan.report) std::printf("[cortexsim]   %s\n", line.c_str());
        std::fflush(stdout);
    }
    const std::size_t P = sim->state_size();  // numbers per area in a checkpoint's state
    const std::size_t S = sim->analysis_state_size();

    output_layout layout;
    layout.area_names = file_spec.areas.names;
    if (!spec.areas.original.empty())
        for (std::size_t i = 0; i < sim->local_count(); ++i)
            layout.area_rows.push_back(spec.areas.original[sim->local_begin() + i]);
    layout.populations = spec.populations;
    layout.area_begin = sim->local_begin();
    layout.n_local = sim->local_count();
    layout.n_records = spec.run.n_records();
    layout.record_dt_s = static_cast<double>(spec.run.record_every) * spec.run.dt_ms * 1e-3;
    layout.config_text = spec.config_text;
    layout.resolved_yaml = spec.resolved_yaml;
    layout.overrides = spec.overrides;

    std::unique_ptr<h5_output> out;
    std::string history;
    if (!restart.empty()) {
        checkpoint_data c;
        run_collectively(comm, [&] {
            if (rank != 0) return;
            c = read_checkpoint(restart);
            if (c.fingerprint != spec.fingerprint)
                throw config_error(restart + ": checkpoint is from a different model or config (model '" + c.model +
                                   "', fingerprint " + c.fingerprint.substr(0, 12) + "...; this run: model '" +
                                   spec.name + "', fingerprint " + spec.fingerprint.substr(0, 12) + "...)");
            if (c.area_names != file_spec.areas.names || c.n_populations != P || c.n_steps != spec.run.n_steps ||
                c.analysis_state_size != S || c.rates.size() != spec.areas.size() * P)
                throw data_error(restart + ": checkpoint does not match this model's areas, populations or steps");
        });
        long long step = c.step;
        check_mpi(MPI_Bcast(&step, 1, MPI_LONG_LONG, 0, comm), "MPI_Bcast");
        const std::string run_id = broadcast_string(comm, c.run_id);
        history = broadcast_string(comm, c.history);
        const auto rates = scatter_areas(comm, sim->partition(), to_internal_order(spec, c.rates, P), P);
        const auto analysis = scatter_areas(comm, sim->partition(), to_internal_order(spec, c.analysis, S), S);
        sim->import_state(step, rates, analysis);
        {
            const auto lengths = sim->history_lengths();
            int ok = rank != 0 || c.delay_lengths == lengths;
            check_mpi(MPI_Bcast(&ok, 1, MPI_INT, 0, comm), "MPI_Bcast");
            if (!ok) throw data_error(restart + ": checkpoint's conduction-delay history does not match this model");
            std::vector<std::vector<double>> hist(lengths.size());
            for (std::size_t g = 0; g < lengths.size(); ++g) {
                std::vector<double> h = rank == 0 ? c.delay_history[g] : std::vector<double>();
                unsigned long long n = h.size();
                check_mpi(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, comm), "MPI_Bcast");
                h.resize(n);
                check_mpi(MPI_Bcast(h.data(), static_cast<int>(n), MPI_DOUBLE, 0, comm), "MPI_Bcast");
                hist[g] = to_internal_order(spec, h, static_cast<std::size_t>(lengths[g]));
            }
            sim->import_history(hist);
        }
        out = std::make_unique<h5_output>(comm, out_path, h5_output::append, layout, run_id);
        if (rank == 0 && !rq.quiet)
            std::printf("[cortexsim] continuing from %s at t = %.4f s (step %lld, written on %d ranks)\n",
                        restart.c_str(), static_cast<double>(step) * spec.run.dt_ms * 1e-3, step, c.ranks_at_save);
    } else {
        out = std::make_unique<h5_output>(comm, out_path, rq.overwrite, layout);
    }

    // ---- the control hook: progress, signals, periodic checkpoints
    install_stop_signal_handlers();
    using clock = std::chrono::steady_clock;
    const auto t_start = clock::now();
    auto last_print = t_start, last_ckpt = t_start;
    const double t_end_s = spec.run.t_end_ms * 1e-3;
    const std::int64_t n_steps = spec.run.n_steps;
    const std::int64_t ckpt_every = spec.checkpoint.every_steps;
    const double wall_every_s = spec.checkpoint.every_wall_min * 60.0;
    const std::int64_t control_every = 1024;
    const std::int64_t first_step = sim->step();
    int stopped_by = 0;
    if (until_step <= first_step) until_step = -1;  // nothing left to stop at


    auto save = [&](std::int64_t k) {
        sim->flush_records(out.get());
        out->flush();
        std::vector<double> rates, analysis;
        sim->export_state(rates, analysis);
        const auto all_rates = to_file_order(spec, gather_areas(comm, sim->partition(), rates, P), P);
        const auto all_analysis = to_file_order(spec, gather_areas(comm, sim->partition(), analysis, S), S);
        const auto lengths = sim->history_lengths();
        const auto local_hist = sim->export_history();
        std::vector<std::vector<double>> all_hist;
        for (std::size_t g = 0; g < lengths.size(); ++g)
            all_hist.push_back(to_file_order(
                spec, gather_areas(comm, sim->partition(), local_hist[g], static_cast<std::size_t>(lengths[g])),
                static_cast<std::size_t>(lengths[g])));
        run_collectively(comm, [&] {
            if (rank != 0) return;
            checkpoint_data c;
            c.fingerprint = spec.fingerprint;
            c.model = spec.name;
            c.run_id = out->run_id();
            c.step = k;
            c.n_steps = n_steps;
            c.records_written = sim->records_taken();
            c.n_areas = spec.areas.size();
            c.n_populations = P;
            c.area_names = file_spec.areas.names;
            c.rates = all_rates;
            c.analysis = all_analysis;
            c.analysis_state_size = S;
            c.ranks_at_save = size;
            history += (history.empty() ? "" : ";") + std::to_string(k) + "@" + utc_now() + " on " +
                       std::to_string(size) + " ranks";
            c.history = history;
            c.delay_lengths = lengths;
            c.delay_history = all_hist;
            write_checkpoint(ckpt_path, c);
        });
        out->keep_partial_on_failure();
        last_ckpt = clock::now();
        if (rank == 0 && !rq.quiet) {
            std::printf("[cortexsim] checkpoint at t = %.4f s (step %lld) -> %s\n",
                        static_cast<double>(k) * spec.run.dt_ms * 1e-3, static_cast<long long>(k), ckpt_path.c_str());
            std::fflush(stdout);
        }
    };

    control_hook hook;
    hook.first = std::min(n_steps, first_step + 1);
    hook.fn = [&](std::int64_t k) -> std::int64_t {
        const auto now = clock::now();
        if (!rq.quiet && rank == 0 && std::chrono::duration<double>(now - last_print).count() >= 2.0) {
            last_print = now;
            const double wall = std::chrono::duration<double>(now - t_start).count();
            const double rate = static_cast<double>(k - first_step) / wall;
            std::printf("[cortexsim] t = %.3f / %.3f s | %.3g steps/s | ETA %.1f s\n",
                        t_end_s * static_cast<double>(k) / static_cast<double>(n_steps), t_end_s, rate,
                        static_cast<double>(n_steps - k) / rate);
            std::fflush(stdout);
        }
        int flags[2] = {stop_signal_received(),
                        rank == 0 && wall_every_s > 0 &&
                            std::chrono::duration<double>(now - last_ckpt).count() >= wall_every_s};
        int agreed[2] = {0, 0};
        check_mpi(MPI_Allreduce(flags, agreed, 2, MPI_INT, MPI_MAX, comm), "MPI_Allreduce");
        if (agreed[0] || k == until_step) {
            stopped_by = agreed[0];
            save(k);
            return control_hook::stop_now;
        }
        if (agreed[1] || (ckpt_every > 0 && k % ckpt_every == 0)) save(k);
        std::int64_t next = k + control_every;
        if (ckpt_every > 0) next = std::min(next, (k / ckpt_every + 1) * ckpt_every);
        if (until_step > k) next = std::min(next, until_step);
        return next;
    };
    const run_report rep = sim->run(out.get(), hook);

    if (!sim->finished()) {
        out->suspend();
        if (rank == 0)
            std::printf("[cortexsim] stopped by %s at t = %.4f s (step %lld of %lld); checkpoint %s; "
                        "continue with --resume\n",
                        stopped_by ? ("signal " + std::to_string(stopped_by)).c_str() : "--until-s",
                        static_cast<double>(sim->step()) * spec.run.dt_ms * 1e-3,
                        static_cast<long long>(sim->step()), static_cast<long long>(n_steps), ckpt_path.c_str());
        std::fflush(stdout);
        return exit_checkpointed;
    }

    // ---- analysis
    for (const auto& col : sim->analysis_columns())
        out->write_analysis(col.name, col.values, col.width, col.unit, col.description);
    for (const auto& g : sim->global_results()) out->write_global(g.name, g.dims, g.data, g.unit, g.description);

    double loop_max = 0.0;
    check_mpi(MPI_Allreduce(&rep.loop_seconds, &loop_max, 1, MPI_DOUBLE, MPI_MAX, comm), "MPI_Allreduce");
    const double steps_per_s = loop_max > 0 ? static_cast<double>(rep.steps) / loop_max : 0.0;

    // ---- provenance
    std::string files;
    for (const auto& f : spec.data_files)
        files += (files.empty() ? "" : "\n") + f.key + ": " + f.path + " sha256:" + f.sha256;
    attribute_list prov = {
        {"cortexsim_version", build_info::version},
        {"git_commit", build_info::git_commit},
        {"git_dirty", build_info::git_dirty},
        {"compiler", build_info::compiler},
        {"compiler_flags", build_info::compiler_flags},
        {"build_type", build_info::build_type},
        {"mpi_library", mpi_library()},
        {"petsc_version", petsc_version()},
        {"hdf5_version", hdf5_version()},
        {"boost_version", BOOST_LIB_VERSION},
        {"ranks", std::to_string(size)},
        {"partition", plan.description},
        {"command_line", rq.command_line},
        {"host", hostname()},
        {"slurm_job_id", std::getenv("SLURM_JOB_ID") ? std::getenv("SLURM_JOB_ID") : ""},
        {"config_path", spec.config_path},
        {"config_text", spec.config_text},
        {"resolved_parameters", resolved_parameters(spec)},
        {"fingerprint", spec.fingerprint},
        {"model", spec.name},
        {"integrator", spec.run.integrator == integrator_kind::euler ? "euler" : "heun"},
        {"dt_ms", fmt(spec.run.dt_ms, 17)},
        {"steps", std::to_string(n_steps)},
        {"steps_this_segment", std::to_string(rep.steps)},
        {"loop_seconds", fmt(loop_max, 6)},
        {"steps_per_second", fmt(steps_per_s, 6)},
        {"steps_per_exchange", std::to_string(sim->exchange().steps_per_exchange)},
        {"exchanges_per_simulated_second", fmt(sim->exchanges_per_second(), 6)},
        {"checkpoints", history},
        {"restarted", restart.empty() ? "false" : "true"},
        {"start_time", start},
        {"end_time", utc_now()},
        {"data_files", files},
    };
    out->write_attributes("/provenance", prov);
    for (std::size_t i = 0; i < spec.data_files.size(); ++i) {
        const auto& f = spec.data_files[i];
        out->write_bytes("/provenance/data_files/" + std::to_string(i), f.content,
                         {{"key", f.key}, {"path", f.path}, {"sha256", f.sha256}});
    }
    out->commit();
    if (rank == 0) {
        std::error_code ec;
        std::filesystem::remove(ckpt_path, ec);  // the run is complete: its checkpoint is spent
        std::printf("model %s: %zu areas on %d rank%s, %lld steps of %g ms (%s) in %.3f s: %.3g steps/s\n",
                    spec.name.c_str(), spec.areas.size(), size, size == 1 ? "" : "s",
                    static_cast<long long>(rep.steps), spec.run.dt_ms,
                    spec.run.integrator == integrator_kind::euler ? "euler" : "heun", loop_max, steps_per_s);
        if (!rq.quiet || rq.print_table) {
            const exchange_stats& x = sim->exchange();
            std::printf("exchange (rank 0): %zu long-range group%s, every %lld step%s, %zu ghost areas, %zu messages "
                        "sent per exchange, %.4g exchanges and %.4g messages sent per simulated second\n",
                        sim->n_groups(), sim->n_groups() == 1 ? "" : "s", static_cast<long long>(x.steps_per_exchange),
                        x.steps_per_exchange == 1 ? "" : "s", x.ghost_sources, x.send_neighbours,
                        sim->exchanges_per_second(),
                        sim->exchanges_per_second() * static_cast<double>(x.send_neighbours));
        }
        if (rq.print_table) print_table(out_path, spec);
        for (const auto& line : sim->summary_lines()) std::printf("%s\n", line.c_str());
        std::printf("output: %s\n", std::filesystem::absolute(out_path).string().c_str());
        std::fflush(stdout);
    }
    return exit_ok;
}

run_request request_from(const cli_options& o, const std::string& command_line) {
    run_request rq;
    rq.overwrite = o.overwrite;
    rq.quiet = o.quiet;
    rq.checkpoint = o.checkpoint;
    rq.resume = o.resume;
    rq.restart = o.restart;
    rq.until_s = o.until_s;
    rq.command_line = command_line;
    return rq;
}

int do_run(const cli_options& o, MPI_Comm comm, const std::string& command_line) {
    run_request rq = request_from(o, command_line);
    std::vector<std::string> overrides = o.overrides;
    std::optional<sweep_point> point;
    if (o.point >= 0) {
        run_collectively(comm, [&] {
            const auto pts = sweep_points(o.config);
            if (pts.empty()) throw config_error(o.config + ": --point needs a 'sweep' section in the config");
            if (static_cast<std::size_t>(o.point) >= pts.size())
                throw config_error(o.config + ": --point " + std::to_string(o.point) + " is out of range (the sweep has " +
                                   std::to_string(pts.size()) + " points: 0.." + std::to_string(pts.size() - 1) + ")");
            point = pts[static_cast<std::size_t>(o.point)];
        });
        overrides.insert(overrides.end(), point->overrides.begin(), point->overrides.end());
    }
    run_collectively(comm, [&] { rq.spec = load_config(o.config, overrides); });
    rq.output = o.output.empty() ? rq.spec.output.path : o.output;
    if (point) rq.output = sweep_output_path(rq.output, *point);
    return execute_run(rq, comm);
}

int do_sweep(const cli_options& o, MPI_Comm comm, const std::string& command_line) {
    std::vector<sweep_point> pts;
    run_collectively(comm, [&] {
        pts = sweep_points(o.config);
        if (pts.empty()) throw config_error(o.config + ": has no 'sweep' section");
    });
    if (o.list) {
        if (comm_rank(comm) == 0) {
            for (std::size_t i = 0; i < pts.size(); ++i) {
                std::string ov;
                for (const auto& x : pts[i].overrides) ov += " " + x;
                std::printf("%zu %s\t%s\n", i, pts[i].name.c_str(), ov.c_str());
            }
            std::fflush(stdout);
        }
        return exit_ok;
    }
    // validate every point before running any
    std::vector<run_request> reqs;
    run_collectively(comm, [&] {
        for (const auto& p : pts) {
            run_request rq = request_from(o, command_line);
            auto ov = o.overrides;
            ov.insert(ov.end(), p.overrides.begin(), p.overrides.end());
            rq.spec = load_config(o.config, ov);
            rq.output = sweep_output_path(o.output.empty() ? rq.spec.output.path : o.output, p);
            rq.print_table = false;
            reqs.push_back(std::move(rq));
        }
    });
    for (std::size_t i = 0; i < reqs.size(); ++i) {
        if (comm_rank(comm) == 0) {
            std::printf("[cortexsim] sweep point %zu/%zu: %s\n", i + 1, reqs.size(), pts[i].name.c_str());
            std::fflush(stdout);
        }
        const int rc = execute_run(reqs[i], comm);
        if (rc != exit_ok) return rc;
    }
    return exit_ok;
}

int do_replay(const cli_options& o, MPI_Comm comm) {
    const int rank = comm_rank(comm);
    const std::string& file = o.config;
    std::string resolved, fingerprint, tmpdir, recorded_commit;
    std::vector<std::string> keys, paths;
    run_collectively(comm, [&] {
        if (rank != 0) return;
        resolved = read_h5_string_attribute(file, "/config", "resolved");
        fingerprint = read_h5_string_attribute(file, "/provenance", "fingerprint");
        recorded_commit = read_h5_string_attribute(file, "/provenance", "git_commit");
        if (resolved.empty()) throw io_error(file + ": has no resolved config (/config attribute 'resolved')");
        const auto files = read_embedded_files(file);
        // next to the file: on a cluster that folder is on a file system every rank sees, /tmp may not be
        std::string tmpl = (std::filesystem::absolute(file).parent_path() / ".cortexsim_replay_XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw io_error("cannot create a temporary folder for the replay next to " + file);
        tmpdir = tmpl;
        for (std::size_t i = 0; i < files.size(); ++i) {
            if (sha256::of(files[i].content) != files[i].sha256)
                throw data_error(file + ": embedded data file '" + files[i].key + "' does not match its SHA-256");
            const std::string p = tmpdir + "/" + std::to_string(i) + "_" +
                                  std::filesystem::path(files[i].path).filename().string();
            std::ofstream(p, std::ios::binary) << files[i].content;
            keys.push_back(files[i].key);
            paths.push_back(p);
        }
    });
    resolved = broadcast_string(comm, resolved);
    fingerprint = broadcast_string(comm, fingerprint);
    tmpdir = broadcast_string(comm, tmpdir);
    keys = broadcast_strings(comm, keys);
    paths = broadcast_strings(comm, paths);
    run_request rq;
    rq.quiet = true;
    rq.print_table = false;
    rq.command_line = "cortexsim replay " + file;
    std::vector<std::string> ov;
    for (std::size_t i = 0; i < keys.size(); ++i) ov.push_back(keys[i] + "=" + paths[i]);
    run_collectively(comm, [&] {
        rq.spec = parse_config(resolved, file + ":/config", tmpdir, ov);
        if (rq.spec.fingerprint != fingerprint)
            throw data_error(file + ": the replayed config's fingerprint differs from the recorded one");
    });
    rq.output = o.output.empty() ? tmpdir + "/replay.h5" : o.output;
    rq.overwrite = true;
    const int rc = execute_run(rq, comm);
    int identical = 0;
    std::size_t n_values = 0;
    if (rc == exit_ok && rank == 0) {
        const auto a = read_h5_bytes(file, "/rates"), b = read_h5_bytes(rq.output, "/rates");
        identical = a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
        n_values = a.size() / sizeof(double);
        std::printf("replay of %s on %d rank%s: /rates %s (%zu values)%s\n", file.c_str(), comm_size(comm),
                    comm_size(comm) == 1 ? "" : "s", identical ? "bit-identical" : "DIFFER", n_values,
                    recorded_commit == build_info::git_commit
                        ? ""
                        : (std::string("; recorded with git ") + recorded_commit + ", replayed with " +
                           build_info::git_commit)
                              .c_str());
        if (!o.keep) {
            std::error_code ec;
            std::filesystem::remove_all(tmpdir, ec);
        } else {
            std::printf("replay files kept in %s\n", tmpdir.c_str());
        }
        std::fflush(stdout);
    }
    check_mpi(MPI_Bcast(&identical, 1, MPI_INT, 0, comm), "MPI_Bcast");
    if (rc != exit_ok) return rc;
    return identical ? exit_ok : exit_failure;
}

}  // namespace

int run_cli(int argc, char** argv, MPI_Comm comm) {
    const int rank = comm_rank(comm);
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string command_line = "cortexsim";
    for (const auto& a : args) command_line += " " + a;
    if (!args.empty() && args[0] == "train")  // the trainer has its own options (docs/rnn.md)
        return rnn::train_command(std::vector<std::string>(args.begin() + 1, args.end()), comm);
    cli_options o;
    try {
        o = parse_cli(args);
    } catch (const usage_error& e) {
        if (rank == 0) std::fprintf(stderr, "cortexsim: error: %s\n", e.what());
        return exit_usage;
    }
    if (o.command == "help") {
        if (rank == 0) std::fputs(usage_text().c_str(), stdout);
        return exit_ok;
    }
    if (o.command == "version") {
        if (rank == 0)
            std::printf("cortexsim %s (git %s%s)\n", build_info::version, build_info::git_commit,
                        std::string(build_info::git_dirty) == "true" ? ", dirty" : "");
        return exit_ok;
    }
    try {
        if (o.command == "check") return do_check(o, comm);
        if (o.command == "sweep") return do_sweep(o, comm, command_line);
        if (o.command == "replay") return do_replay(o, comm);
        return do_run(o, comm, command_line);
    } catch (const std::exception& e) {
        if (rank == 0) {
            std::fprintf(stderr, "cortexsim: error: %s\n", e.what());
            std::fflush(stderr);
        }
        return exit_failure;
    }
}

}  // namespace cortexsim
