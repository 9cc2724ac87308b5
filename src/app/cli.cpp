#include "cortexsim/app/cli.hpp"
#include "cortexsim/app/compare.hpp"
#include "cortexsim/app/import.hpp"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>

#include "cortexsim/build_info.hpp"
#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/memory.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/dynamics/circuits/equations.hpp"
#include "cortexsim/io/h5_output.hpp"
#include "cortexsim/io/h5_read.hpp"
#include "cortexsim/partition/petsc_module.hpp"
#include "cortexsim/partition/plan.hpp"
#include "cortexsim/app/train.hpp"
#include "run.hpp"

namespace cortexsim {
std::string usage_text() {
    return "usage: [mpirun -n N] cortexsim COMMAND [ARGUMENTS]    (cortexsim COMMAND --help: options, examples)\n"
           "  run     integrate the model of CONFIG on N ranks (1 <= N <= number of areas) and write one HDF5 file\n"
           "  sweep   run every point of the config's sweep section (--list: print the points)\n"
           "  replay  re-run an output file from what it holds (config and data) and compare the rates bit for bit\n"
           "  check   validate CONFIG and its data files without running\n"
           "  compile prepare the compiled kernel of a circuit: equations model (on a machine with a compiler)\n"
           "  train   train a recurrent network on a task by BPTT, data-parallel over N ranks (docs/rnn.md)\n"
           "  compare score a finished run against data: FC, FCD, timescales, persistence (docs/observables.md)\n"
           "  import  a connectome (TVB zip, MATLAB v7.3 .mat, text matrices) into an HDF5 file a config names\n"
           "  help COMMAND, COMMAND --help   this command's usage, options, examples and exit codes\n"
           "  --version                      version and git commit of the build\n"
           "  ... -- PETSC_OPTIONS           run, sweep, replay, train, compare: everything after a lone -- goes\n"
           "                                 to PETSc (e.g. -- -log_view); cortexsim options come before it\n"
           "       mpirun -n N cortexsim run CONFIG [-o OUT.h5] [--set key=value ...] [--overwrite] [--quiet]\n"
           "                      [--checkpoint CKPT] [--resume | --restart CKPT] [--point I] [--until-s T]\n"
           "                      [--exit-code-file F]\n"
           "       mpirun -n N cortexsim sweep CONFIG [-o OUT.h5] [--set key=value ...] [--overwrite] [--quiet]\n"
           "                      [--ranks-per-point R]\n"
           "       cortexsim sweep CONFIG --list\n"
           "       mpirun -n N cortexsim replay OUT.h5 [-o REPLAY.h5] [--keep]\n"
           "       cortexsim check CONFIG [--set key=value ...]\n"
           "       cortexsim compile CONFIG [--set key=value ...]\n"
           "       mpirun -n N cortexsim train CONFIG [-o WEIGHTS.h5] [--overwrite] [--resume CKPT] [--set k=v]\n"
           "       cortexsim compare OUT.h5 [--fc MONITOR=FC.csv] [--fcd MONITOR=OTHER.h5] [--timescales T.csv]\n"
           "                         [--persistence T.csv] [--no-write]\n"
           "       cortexsim import FILE -o CONN.h5 [--labels L] [--lengths D] [--centres C] [--overwrite]\n"
           "exit codes: 0 success, 1 bad input or failed run, 2 bad command line,\n"
           "            3 stopped by a signal or --until-s after writing a checkpoint (continue with --resume)\n"
           "            (train: 2 also for a bad config or an existing output; see cortexsim train --help)\n";
}

std::string command_help(const std::string& command) {
    const std::string set_option =
        "  --set key=value   override a config value (repeatable; list indices as numbers, lists as [a, b]),\n"
        "                    e.g. --set run.dt_ms=0.2 --set stimuli.0.amplitude_hz=20,\n"
        "                    --set 'sweep.parameters={model.parameters.eta: [0.2, 0.4]}'\n";
    if (command == "run")
        return "usage: mpirun -n N cortexsim run CONFIG [-o OUT.h5] [--set key=value ...] [--overwrite] [--quiet]\n"
               "                      [--checkpoint CKPT] [--resume | --restart CKPT] [--point I] [--until-s T]\n"
               "                      [--exit-code-file F]\n"
               "Integrate the model of CONFIG on N MPI ranks (1 <= N <= number of areas; the rates are bit-identical\n"
               "on any N) and write one HDF5 file (docs/output-format.md); rank 0 prints progress, a result table and\n"
               "the output path.\n"
               "options:\n"
               "  -o OUT.h5         output file (default: output.path of the config, relative to the working "
               "folder)\n" +
               set_option +
               "  --overwrite       replace an existing output (only once the new one is complete) or checkpoint\n"
               "  --quiet, -q       no progress line and no partition report (the table is printed)\n"
               "  --checkpoint CKPT checkpoint file (default OUT.h5.ckpt); written every checkpoint.every_sim_s or\n"
               "                    checkpoint.every_wall_min and on SIGTERM/SIGUSR1/SIGINT (then exit code 3)\n"
               "  --resume          continue from the checkpoint if there is one; do nothing if OUT.h5 is complete\n"
               "  --restart CKPT    continue from this checkpoint (also on another number of ranks)\n"
               "  --point I         run point I (from 0) of the config's sweep section; the output is\n"
               "                    OUT_<name>.h5, <name> the point's name as `cortexsim sweep --list` prints it\n"
               "  --until-s T       stop at model time T (s) with a checkpoint (exit code 3): run in segments\n"
               "  --exit-code-file F  write the exit code to F when the command ends (for job scripts: mpirun exits\n"
               "                    with 1 when it was signalled, although the ranks checkpointed and exited with 3)\n"
               "  -- PETSC_OPTIONS  everything after a lone -- is passed to PetscInitialize, e.g. -- -log_view\n"
               "                    -options_left (docs/hpc.md); an unknown option before -- is still refused\n"
               "examples:\n"
               "  mpirun -n 2 cortexsim run configs/chaudhuri2015.yaml -o out/chaudhuri2015.h5\n"
               "  mpirun -n 4 cortexsim run configs/froudistwalsh2021.yaml --set model.parameters.dopamine=2.0\n"
               "  cortexsim run configs/froudistwalsh2021.yaml --point 3 -o out/fw.h5   # writes "
               "out/fw_dopamine=1.5.h5\n"
               "  mpirun -n 2 cortexsim run CONFIG -o out.h5 --until-s 1; mpirun -n 3 cortexsim run CONFIG -o out.h5 "
               "--resume\n"
               "  mpirun -n 2 cortexsim run configs/chaudhuri2015.yaml -o out.h5 -- -log_view   # PETSc's profile\n"
               "exit codes: 0 success (also: --resume of a complete output), 1 bad input or failed run (one line\n"
               "  'cortexsim: error: ...'; no output left behind), 2 bad command line,\n"
               "  3 stopped by a signal or --until-s after writing a checkpoint (continue with --resume)\n";
    if (command == "sweep")
        return "usage: mpirun -n N cortexsim sweep CONFIG [-o OUT.h5] [--set key=value ...] [--overwrite] [--quiet]\n"
               "                      [--ranks-per-point R]\n"
               "       cortexsim sweep CONFIG --list\n"
               "Run every point of the config's sweep section: the N ranks form groups of R that run points\n"
               "concurrently, each group taking the next point when it finishes; point <name> writes\n"
               "OUT_<name>.h5, the same bytes as running it alone. Every point's config is validated first.\n"
               "(Read the results with python/cortexsim: cortexsim.open_sweep(\"OUT_*.h5\"), docs/python.md.)\n"
               "options:\n"
               "  -o OUT.h5         base name of the outputs (default: output.path of the config)\n" +
               set_option +
               "  --overwrite       replace existing outputs\n"
               "  --quiet, -q       no progress lines\n"
               "  --list            print the points (index, name, overrides) and exit; runs nothing\n"
               "  --ranks-per-point R  ranks per point (default: 1 rank per 2,000 areas, at most N)\n"
               "  -- PETSC_OPTIONS  everything after a lone -- is passed to PetscInitialize, e.g. -- -log_view\n"
               "                    -options_left (docs/hpc.md); an unknown option before -- is still refused\n"
               "examples:\n"
               "  cortexsim sweep configs/froudistwalsh2021.yaml --list\n"
               "  mpirun -n 2 cortexsim sweep configs/froudistwalsh2021.yaml -o out/fw.h5\n"
               "  (one point per job of a SLURM array: cortexsim run CONFIG --point $SLURM_ARRAY_TASK_ID; "
               "docs/hpc.md)\n"
               "exit codes: 0 every point done, 1 bad input or a failed point (later points are not run),\n"
               "  2 bad command line, 3 a point stopped by a signal after writing its checkpoint\n";
    if (command == "replay")
        return "usage: mpirun -n N cortexsim replay OUT.h5 [-o REPLAY.h5] [--keep]\n"
               "Re-run an output file from what it holds (the resolved config and the embedded data files, checked\n"
               "against their SHA-256 and the recorded fingerprint), on any N, and compare /rates bit for bit.\n"
               "options:\n"
               "  -o REPLAY.h5      where to write the replayed run (default: a temporary folder next to OUT.h5,\n"
               "                    removed afterwards)\n"
               "  --keep            keep the temporary folder (the extracted data files and the replayed output)\n"
               "examples:\n"
               "  mpirun -n 3 cortexsim replay out/chaudhuri2015.h5\n"
               "  cortexsim replay out/fw.h5 -o /tmp/fw_again.h5\n"
               "exit codes: 0 bit-identical, 1 the rates differ, or bad input / a failed run, 2 bad command line\n";
    if (command == "check")
        return "usage: [mpirun -n N] cortexsim check CONFIG [--set key=value ...]\n"
               "Validate CONFIG and every data file it names (and every point of its sweep section) without\n"
               "running; prints 'CONFIG: OK: model ..., areas x populations, steps, records'.\n"
               "options:\n" +
               set_option +
               "examples:\n"
               "  cortexsim check configs/chaudhuri2015.yaml\n"
               "  cortexsim check configs/chaudhuri2015.yaml --set run.dt_ms=0.05\n"
               "exit codes: 0 valid, 1 invalid config or data (one line 'cortexsim: error: ...'), 2 bad command line\n";
    if (command == "compile")
        return "usage: cortexsim compile CONFIG [--set key=value ...]\n"
               "Generate and compile the kernel of a circuit: equations model (and of every point of its sweep\n"
               "section) into the kernel cache, without running: $CORTEXSIM_KERNEL_CACHE, else\n"
               "~/.cache/cortexsim/kernels. Runs find their kernel there by the SHA-256 of its code, so a job on\n"
               "compute nodes without a compiler uses what a login node compiled (docs/hpc.md).\n"
               "The compiler: $CORTEXSIM_CXX, else $CXX, else c++.\n"
               "options:\n" +
               set_option +
               "examples:\n"
               "  cortexsim compile configs/mejiaswang2022_equations.yaml\n"
               "  CORTEXSIM_KERNEL_CACHE=$HOME/kernels cortexsim compile configs/models/hopf.yaml\n"
               "exit codes: 0 compiled or cached, 1 invalid config or the compiler failed, 2 bad command line\n";
    if (command == "train") return rnn::train_usage();
    if (command == "compare") return compare_usage();
    if (command == "import") return import_usage();
    return "";
}

namespace {

bool is_command(const std::string& c) {
    return c == "run" || c == "sweep" || c == "replay" || c == "check" || c == "compile" || c == "train" ||
           c == "compare" || c == "import";
}

/// This process is rank 0 of its job, or not started by a launcher (read from the launchers' variables, since
/// help is answered before MPI_Init).
bool first_process() {
    for (const char* v : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
        const char* x = std::getenv(v);
        if (x && *x) return std::strcmp(x, "0") == 0;
    }
    return true;
}

}  // namespace

int answer_without_mpi(const std::vector<std::string>& args) {
    if (args.empty()) return -1;
    std::string text;
    const std::string& first = args[0];
    if (first == "--help" || first == "-h" || (first == "help" && args.size() == 1)) {
        text = usage_text();
    } else if (first == "help") {
        text = command_help(args[1]);
        if (text.empty() || args.size() > 2) {
            if (first_process())
                std::fprintf(stderr, "cortexsim: error: %s\n",
                             text.empty() ? ("no help for '" + args[1] +
                                             "' (commands: run, sweep, replay, check, train, compare, import)")
                                                .c_str()
                                          : "help takes one command");
            return exit_usage;
        }
    } else if (first == "--version" && args.size() == 1) {
        text = std::string("cortexsim ") + build_info::version + " (git " + build_info::git_commit +
               (std::string(build_info::git_dirty) == "true" ? ", dirty" : "") + ")\n";
    } else if (is_command(first)) {
        bool asked = false;
        for (std::size_t i = 1; i < args.size(); ++i)
            if (args[i] == "--help" || args[i] == "-h") asked = true;
        if (!asked) return -1;
        text = command_help(first);
    } else {
        return -1;
    }
    if (first_process()) {
        std::fputs(text.c_str(), stdout);
        std::fflush(stdout);
    }
    return exit_ok;
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
    if (o.command != "run" && o.command != "check" && o.command != "sweep" && o.command != "replay" &&
        o.command != "compile")
        throw usage_error("unknown command '" + o.command +
                          "' (commands: run, sweep, replay, check, compile, train, compare, import; see cortexsim "
                          "--help)");
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
            only_for(a, {"run", "sweep", "check", "compile"});
            o.overrides.push_back(value("--set"));
        } else if (a.rfind("--set=", 0) == 0) {
            only_for("--set", {"run", "sweep", "check", "compile"});
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
        } else if (a == "--exit-code-file") {
            only_for(a, {"run", "sweep"});
            o.exit_code_file = value("--exit-code-file");
        } else if (a == "--list") {
            only_for(a, {"sweep"});
            o.list = true;
        } else if (a == "--ranks-per-point") {
            only_for(a, {"sweep"});
            const std::string v = value("--ranks-per-point");
            try {
                std::size_t used = 0;
                o.ranks_per_point = std::stol(v, &used);
                if (used != v.size() || o.ranks_per_point < 1) throw 0;
            } catch (...) {
                throw usage_error("--ranks-per-point '" + v + "': expected a number of ranks >= 1");
            }
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

/// `cortexsim compile`: the kernel of the config and of every sweep point, compiled into the cache (no MPI).
std::string compile_kernels(const cli_options& o) {
    std::vector<std::vector<std::string>> variants{o.overrides};
    for (const auto& p : sweep_points(o.config, o.overrides)) {
        std::vector<std::string> ov = o.overrides;
        ov.insert(ov.end(), p.overrides.begin(), p.overrides.end());
        variants.push_back(ov);
    }
    std::string text, done;
    for (const auto& ov : variants) {
        const model_spec spec = load_config(o.config, ov);
        if (spec.circuit != "equations")
            return o.config + ": circuit '" + spec.circuit + "' is built in: nothing to compile\n";
        const equations_kernel_file k = equations_kernel(spec);
        if (done.find(k.so_path) != std::string::npos) continue;
        done += k.so_path + "\n";
        const auto t0 = std::chrono::steady_clock::now();
        const bool compiled = compile_equations_kernel(k);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        char line[64];
        std::snprintf(line, sizeof line, " (compiled in %.2f s)", s);
        text += "kernel " + k.so_path + (compiled ? std::string(line) : std::string(" (cached)")) + "\n";
    }
    return text;
}

/// Validates the config, its data files, every sweep point and the output's size against the free space of its
/// folder (no communication); the line `check` prints.
std::string check_config(const cli_options& o) {
    const model_spec spec = load_config(o.config, o.overrides);
    // (load_config has read and validated every data file)
    const auto points = sweep_points(o.config, o.overrides);
    for (const auto& p : points) {
        auto ov = o.overrides;
        ov.insert(ov.end(), p.overrides.begin(), p.overrides.end());
        (void)load_config(o.config, ov);
    }
    // the output of output.path (run -o may choose another folder: run checks that one again)
    check_output_space(spec, spec.output.path);
    char line[1024];
    std::snprintf(line, sizeof line,
                  "%s: OK: model '%s', %zu areas x %zu populations, %lld steps of %g ms, %lld records%s; "
                  "output about %s",
                  printable(o.config).c_str(), printable(spec.name).c_str(), spec.areas.size(), spec.populations.size(),
                  static_cast<long long>(spec.run.n_steps), spec.run.dt_ms,
                  static_cast<long long>(spec.run.n_records()),
                  points.empty() ? "" : (", sweep of " + std::to_string(points.size()) + " points").c_str(),
                  bytes_text(output_bytes_estimate(spec)).c_str());
    return line;
}

/// sweep --list: the points, one per line (no communication).
std::string sweep_list(const cli_options& o) {
    const auto pts = sweep_points(o.config, o.overrides);
    if (pts.empty()) throw config_error(o.config + ": has no 'sweep' section");
    std::string out;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        out += std::to_string(i) + " " + pts[i].name + "\t";
        for (const auto& x : pts[i].overrides) out += " " + x;
        out += "\n";
    }
    return out;
}

int do_check(const cli_options& o, MPI_Comm comm) {
    std::string line;
    run_collectively(comm, [&] { line = check_config(o); });
    if (comm_rank(comm) == 0) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    }
    return exit_ok;
}

std::string version_line() {
    return std::string("cortexsim ") + build_info::version + " (git " + build_info::git_commit +
           (std::string(build_info::git_dirty) == "true" ? ", dirty" : "") + ")\n";
}

/// Ranks per sweep point when --ranks-per-point is not given: enough that each rank has at least 2,000 areas
/// (smaller models are latency-bound on more ranks), at most all ranks.
long default_ranks_per_point(const model_spec& spec, int size) {
    return std::clamp<long>(static_cast<long>(spec.areas.size() / 2000), 1, size);
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

/// Loads the PETSc module (partition/petsc_module.hpp) if a run of `spec` on `ranks` ranks needs PETSc, before any
/// communicator is split (PETSc starts on comm). Collective; every rank decides alike (they share the config).
void load_petsc_if_needed(MPI_Comm comm, const model_spec& spec, int ranks) {
    if (plan_needs_petsc(spec, ranks))
        load_petsc_module(comm, "'run.partition' = 'graph' of " + spec.config_path + " on " + std::to_string(ranks) +
                                    " ranks");
}

int do_run(const cli_options& o, MPI_Comm comm, const std::string& command_line) {
    run_request rq = request_from(o, command_line);
    std::vector<std::string> overrides = o.overrides;
    std::optional<sweep_point> point;
    if (o.point >= 0) {
        run_collectively(comm, [&] {
            const auto pts = sweep_points(o.config, o.overrides);
            if (pts.empty()) throw config_error(o.config + ": --point needs a 'sweep' section in the config");
            if (static_cast<std::size_t>(o.point) >= pts.size())
                throw config_error(o.config + ": --point " + std::to_string(o.point) +
                                   " is out of range (the sweep has " + std::to_string(pts.size()) + " points: 0.." +
                                   std::to_string(pts.size() - 1) + ")");
            point = pts[static_cast<std::size_t>(o.point)];
        });
        overrides.insert(overrides.end(), point->overrides.begin(), point->overrides.end());
    }
    run_collectively(comm, [&] { rq.spec = load_config(o.config, overrides); });
    rq.output = o.output.empty() ? rq.spec.output.path : o.output;
    if (point) rq.output = sweep_output_path(rq.output, *point);
    load_petsc_if_needed(comm, rq.spec, comm_size(comm));
    return execute_run(rq, comm);
}

/// The summary files of a sweep: <stem>_summary.h5 and <stem>_summary.csv next to the points' outputs.
std::pair<std::string, std::string> sweep_summary_paths(const std::string& base_output) {
    const std::string h5 = sweep_output_path(base_output, sweep_point{"summary", {}});
    return {h5, h5.substr(0, h5.size() - 3) + ".csv"};
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + "\"";
}

/// Rank 0, after every point finished: one row per point (index, name, output, the swept parameters, every
/// scalar /analysis dataset, n_persistent, loop_seconds) as HDF5 and CSV (docs/output-format.md, "Sweep
/// summary"). A value a point does not have is NaN in the HDF5 file and empty in the CSV.
void write_sweep_summary(const std::vector<sweep_point>& pts, const std::vector<run_request>& reqs,
                         const std::string& base_output, const std::string& config) {
    const std::size_t n = pts.size();
    const double nan = std::nan("");
    // swept parameters, by key in the order of the first point that sets them
    std::vector<std::string> keys;
    std::vector<std::vector<std::string>> values;  // [key][point]
    for (std::size_t i = 0; i < n; ++i)
        for (const auto& ov : pts[i].overrides) {
            const auto eq = ov.find('=');
            const std::string k = ov.substr(0, eq), v = eq == std::string::npos ? "" : ov.substr(eq + 1);
            auto it = std::find(keys.begin(), keys.end(), k);
            if (it == keys.end()) {
                keys.push_back(k);
                values.emplace_back(n);
                it = keys.end() - 1;
            }
            values[static_cast<std::size_t>(it - keys.begin())][i] = v;
        }
    // scalar analyses, by name in the order of their first appearance
    std::vector<std::string> names;
    std::vector<std::vector<double>> scal;  // [name][point]
    auto put = [&](const std::string& name, std::size_t i, double v) {
        auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) {
            names.push_back(name);
            scal.emplace_back(n, nan);
            it = names.end() - 1;
        }
        scal[static_cast<std::size_t>(it - names.begin())][i] = v;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const std::string& out = reqs[i].output;
        for (const auto& [k, v] : read_h5_scalars(out, "/analysis")) put(k, i, v);
        if (h5_has_dataset(out, "/analysis/persistent")) {
            const auto per = read_h5_doubles(out, "/analysis/persistent");
            if (per.size() > 1) put("n_persistent", i, static_cast<double>(std::count(per.begin(), per.end(), 1.0)));
        }
        const std::string loop = read_h5_string_attribute(out, "/provenance", "loop_seconds");
        put("loop_seconds", i, loop.empty() ? nan : std::strtod(loop.c_str(), nullptr));
    }
    // the HDF5 table
    std::vector<h5_column> cols;
    {
        h5_column c{"point", {}, {}, "index of the point (cortexsim run --point I)"};
        for (std::size_t i = 0; i < n; ++i) c.numbers.push_back(static_cast<double>(i));
        cols.push_back(std::move(c));
        h5_column nm{"name", {}, {}, "name of the point (its output is <stem>_<name>.h5)"};
        h5_column pa{"path", {}, {}, "output file of the point"};
        for (std::size_t i = 0; i < n; ++i) {
            nm.texts.push_back(pts[i].name);
            pa.texts.push_back(std::filesystem::absolute(reqs[i].output).string());
        }
        cols.push_back(std::move(nm));
        cols.push_back(std::move(pa));
    }
    std::vector<bool> numeric(keys.size(), true);
    for (std::size_t k = 0; k < keys.size(); ++k) {
        h5_column c{"parameters/" + keys[k], {}, {}, "swept parameter (config key)"};
        for (const auto& v : values[k]) {
            char* end = nullptr;
            const double x = std::strtod(v.c_str(), &end);
            numeric[k] = numeric[k] && !v.empty() && end && *end == '\0';
            c.numbers.push_back(x);
        }
        if (!numeric[k]) c.texts = values[k];
        cols.push_back(std::move(c));
    }
    for (std::size_t a = 0; a < names.size(); ++a) {
        const bool derived = names[a] == "n_persistent" || names[a] == "loop_seconds";
        cols.push_back({(derived ? "" : "analysis/") + names[a],
                        scal[a],
                        {},
                        names[a] == "n_persistent"   ? "number of areas with /analysis/persistent = 1"
                        : names[a] == "loop_seconds" ? "wall time of the time-step loop (s), /provenance loop_seconds"
                                                     : "the point's scalar /analysis/" + names[a]});
    }
    const auto [h5_path, csv_path] = sweep_summary_paths(base_output);
    write_h5_table(h5_path, cols, n,
                   {{"kind", "sweep_summary"}, {"config", config}, {"description", "one row per sweep point"}});
    // the CSV: the same columns, parameters and analyses by their plain names
    std::string csv = "point,name";
    for (const auto& k : keys) csv += "," + csv_field(k);
    for (const auto& a : names) csv += "," + csv_field(a);
    csv += ",path\n";
    for (std::size_t i = 0; i < n; ++i) {
        csv += std::to_string(i) + "," + csv_field(pts[i].name);
        for (std::size_t k = 0; k < keys.size(); ++k) csv += "," + csv_field(values[k][i]);
        for (std::size_t a = 0; a < names.size(); ++a) {
            csv += ",";
            if (!std::isnan(scal[a][i])) csv += shortest_text(scal[a][i]);
        }
        csv += "," + csv_field(std::filesystem::absolute(reqs[i].output).string()) + "\n";
    }
    std::ofstream f(csv_path, std::ios::binary | std::ios::trunc);
    f << csv;
    if (!f) throw io_error(csv_path + ": cannot write the sweep summary");
    std::printf("sweep summary: %s, %s\n", h5_path.c_str(), csv_path.c_str());
    std::fflush(stdout);
}

int do_sweep(const cli_options& o, MPI_Comm comm, const std::string& command_line) {
    std::vector<sweep_point> pts;
    run_collectively(comm, [&] {
        pts = sweep_points(o.config, o.overrides);
        if (pts.empty()) throw config_error(o.config + ": has no 'sweep' section");
    });
    if (o.list) {
        std::string list;
        run_collectively(comm, [&] { list = sweep_list(o); });
        if (comm_rank(comm) == 0) {
            std::fputs(list.c_str(), stdout);
            std::fflush(stdout);
        }
        return exit_ok;
    }
    // validate every point before running any
    std::vector<run_request> reqs;
    std::string summary_base;
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
        summary_base = o.output.empty() ? reqs.front().spec.output.path : o.output;
        if (comm_rank(comm) != 0 || o.overwrite) return;
        std::error_code ec;
        for (const auto& f : {sweep_summary_paths(summary_base).first, sweep_summary_paths(summary_base).second})
            if (std::filesystem::exists(f, ec))
                throw io_error(f + ": sweep summary exists already (use --overwrite to replace it)");
    });
    auto summary = [&](MPI_Comm c) {
        run_collectively(c, [&] {
            if (comm_rank(c) == 0) write_sweep_summary(pts, reqs, summary_base, o.config);
        });
    };
    const int size = comm_size(comm), me = comm_rank(comm);
    const int per = static_cast<int>(std::min<long>(
        size, o.ranks_per_point > 0 ? o.ranks_per_point : default_ranks_per_point(reqs.front().spec, size)));
    for (const auto& rq : reqs) load_petsc_if_needed(comm, rq.spec, per);
    if (per >= size) {  // every point on every rank, one after the other
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            if (me == 0) {
                std::printf("[cortexsim] sweep point %zu/%zu: %s\n", i + 1, reqs.size(), pts[i].name.c_str());
                std::fflush(stdout);
            }
            const int rc = execute_run(reqs[i], comm);
            if (rc != exit_ok) return rc;
        }
        summary(comm);
        return exit_ok;
    }
    // groups of `per` ranks (MPI_Comm_split; ranks beyond the last full group stay idle) run points concurrently,
    // group g the points g, g + G, g + 2G, ... (G groups). No communication between the groups while they run: a
    // counter handed out by one-sided MPI (MPI_Fetch_and_op on rank 0, as before) made every other group wait
    // until rank 0 entered MPI again, i.e. until its own point ended (passive-target RMA progresses only inside
    // MPI calls), which serialised the sweep. A point's output depends only on its config, not on the number of
    // ranks (the byte contract).
    const int groups = size / per;
    const int color = me < groups * per ? me / per : MPI_UNDEFINED;
    MPI_Comm group = MPI_COMM_NULL;
    check_mpi(MPI_Comm_split(comm, color, me, &group), "MPI_Comm_split");
    int rc = exit_ok;
    if (group != MPI_COMM_NULL) {
        const int g_rank = comm_rank(group);
        for (std::size_t u = static_cast<std::size_t>(color); u < reqs.size(); u += static_cast<std::size_t>(groups)) {
            if (g_rank == 0) {
                std::printf("[cortexsim] sweep point %zu/%zu: %s (ranks %d-%d)\n", u + 1, reqs.size(),
                            pts[u].name.c_str(), me, me + per - 1);
                std::fflush(stdout);
            }
            try {
                rc = execute_run(reqs[u], group);
            } catch (const std::exception& e) {
                if (g_rank == 0) std::fprintf(stderr, "cortexsim: error: sweep point %zu: %s\n", u, e.what());
                rc = exit_failure;
            }
            if (rc != exit_ok) break;
        }
        MPI_Comm_free(&group);
    }
    int worst = rc;
    check_mpi(MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, comm), "MPI_Allreduce");
    if (worst == exit_ok) summary(comm);
    return worst;
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
    load_petsc_if_needed(comm, rq.spec, comm_size(comm));
    const int rc = execute_run(rq, comm);
    int identical = 0;
    std::size_t n_values = 0;
    if (rc == exit_ok && rank == 0) {
        const auto a = read_h5_bytes(file, "/rates"), b = read_h5_bytes(rq.output, "/rates");
        identical = a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
        n_values = a.size() / sizeof(double);
        std::printf("replay of %s on %d rank%s: /rates %s (%zu values)%s\n", file.c_str(), comm_size(comm),
                    comm_size(comm) == 1 ? "" : "s", identical ? "bit-identical" : "DIFFER", n_values,
                    recorded_commit == build_info::git_commit ? ""
                                                              : (std::string("; recorded with git ") + recorded_commit +
                                                                 ", replayed with " + build_info::git_commit)
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

/// --exit-code-file: rank 0 writes "CODE\n" (atomically: FILE.tmp, then renamed) once the command has ended. A
/// launcher that was signalled itself reports its own code (mpirun: 1), not the ranks' (3 after a checkpoint).
void write_exit_code_file(const std::string& path, int rc) {
    const std::string tmp = path + ".tmp";
    if (std::FILE* f = std::fopen(tmp.c_str(), "w")) {
        const bool ok = std::fprintf(f, "%d\n", rc) > 0;
        if (std::fclose(f) == 0 && ok && std::rename(tmp.c_str(), path.c_str()) == 0) return;
    }
    std::fprintf(stderr, "cortexsim: error: cannot write the exit code file %s\n", path.c_str());
}

int run_command(const cli_options& o, MPI_Comm comm, const std::string& command_line) {
    const int rank = comm_rank(comm);
    try {
        if (o.command == "check") return do_check(o, comm);
        if (o.command == "sweep") return do_sweep(o, comm, command_line);
        if (o.command == "replay") return do_replay(o, comm);
        return do_run(o, comm, command_line);
    } catch (const std::exception& e) {
        if (rank == 0) {
            // one line of printable text, whatever input text the message echoes
            std::fprintf(stderr, "cortexsim: error: %s\n", printable(e.what(), max_message_bytes).c_str());
            std::fflush(stderr);
        }
        return exit_failure;
    }
}

}  // namespace

int run_cli(int argc, char** argv, MPI_Comm comm) {
    const int rank = comm_rank(comm);
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string command_line = "cortexsim";
    for (const auto& a : args) command_line += " " + a;
    if (!args.empty() && args[0] == "train")  // the trainer has its own options (docs/rnn.md)
        return rnn::train_command(std::vector<std::string>(args.begin() + 1, args.end()), comm);
    if (const int code = answer_without_mpi(args); code >= 0) return code;  // (normally answered by main)
    if (!args.empty() && args[0] == "compare") {  // serial: rank 0 scores, every rank returns its code
        int rc = exit_ok;
        if (rank == 0) rc = compare_command(std::vector<std::string>(args.begin() + 1, args.end()));
        MPI_Bcast(&rc, 1, MPI_INT, 0, comm);
        return rc;
    }
    cli_options o;
    try {
        o = parse_cli(args);
    } catch (const usage_error& e) {
        if (rank == 0) std::fprintf(stderr, "cortexsim: error: %s\n", printable(e.what(), max_message_bytes).c_str());
        return exit_usage;
    }
    if (o.command == "help") {
        if (rank == 0) std::fputs(usage_text().c_str(), stdout);
        return exit_ok;
    }
    if (o.command == "version") {
        if (rank == 0) std::fputs(version_line().c_str(), stdout);
        return exit_ok;
    }
    const int rc = run_command(o, comm, command_line);
    if (rank == 0 && !o.exit_code_file.empty()) write_exit_code_file(o.exit_code_file, rc);
    return rc;
}

int run_cli_without_mpi(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "import") {  // serial, no MPI at all (under a launcher: the first rank)
        bool first = true;
        for (const char* v : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
            if (const char* r = std::getenv(v)) {
                first = std::string(r) == "0";
                break;
            }
        return first ? import_command(std::vector<std::string>(args.begin() + 1, args.end())) : exit_ok;
    }
    if (!args.empty() && (args[0] == "train" || args[0] == "compare")) return -1;  // their own parsers
    // under a launcher, every rank runs this: only the first one prints
    bool root = true;
    for (const char* v : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
        if (const char* r = std::getenv(v)) {
            root = std::string(r) == "0";
            break;
        }
    cli_options o;
    try {
        o = parse_cli(args);
    } catch (const usage_error& e) {
        if (root) std::fprintf(stderr, "cortexsim: error: %s\n", printable(e.what(), max_message_bytes).c_str());
        return exit_usage;
    }
    if (o.command != "help" && o.command != "version" && o.command != "check" && o.command != "compile" &&
        !(o.command == "sweep" && o.list))
        return -1;
    try {
        std::string text = o.command == "help"      ? usage_text()
                           : o.command == "version" ? version_line()
                           : o.command == "check"   ? check_config(o) + "\n"
                           : o.command == "compile" ? compile_kernels(o)
                                                    : sweep_list(o);
        if (root) {
            std::fputs(text.c_str(), stdout);
            std::fflush(stdout);
        }
        return exit_ok;
    } catch (const std::exception& e) {
        if (root) {
            std::fprintf(stderr, "cortexsim: error: %s\n", printable(e.what(), max_message_bytes).c_str());
            std::fflush(stderr);
        }
        return exit_failure;
    }
}

}  // namespace cortexsim
