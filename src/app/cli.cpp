#include "cortexsim/app/cli.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "cortexsim/build_info.hpp"
#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/io/h5_read.hpp"
#include "cortexsim/app/train.hpp"
#include "run.hpp"

namespace cortexsim {

std::string usage_text() {
    return "usage: mpirun -n N cortexsim run CONFIG [-o OUT.h5] [--set key=value ...] [--overwrite] [--quiet]\n"
           "                      [--checkpoint CKPT] [--resume | --restart CKPT] [--point I]\n"
           "       mpirun -n N cortexsim sweep CONFIG [-o OUT.h5] [--set key=value ...] [--overwrite] [--quiet]\n"
           "                      [--ranks-per-point R]\n"
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
           "  --ranks-per-point R  sweep: groups of R ranks run points concurrently, each taking the next point as\n"
           "                    it finishes (default: 1 rank per 2,000 areas, at most N)\n"
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

/// Validates the config, its data files and every sweep point (no communication); the line `check` prints.
std::string check_config(const cli_options& o) {
    const model_spec spec = load_config(o.config, o.overrides);
    // (load_config has read and validated every data file)
    const auto points = sweep_points(o.config);
    for (const auto& p : points) {
        auto ov = o.overrides;
        ov.insert(ov.end(), p.overrides.begin(), p.overrides.end());
        (void)load_config(o.config, ov);
    }
    char line[512];
    std::snprintf(line, sizeof line, ": OK: model '%s', %zu areas x %zu populations, %lld steps of %g ms, %lld records",
                  spec.name.c_str(), spec.areas.size(), spec.populations.size(),
                  static_cast<long long>(spec.run.n_steps), spec.run.dt_ms,
                  static_cast<long long>(spec.run.n_records()));
    return o.config + line + (points.empty() ? "" : ", sweep of " + std::to_string(points.size()) + " points");
}

/// sweep --list: the points, one per line (no communication).
std::string sweep_list(const cli_options& o) {
    const auto pts = sweep_points(o.config);
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

int do_run(const cli_options& o, MPI_Comm comm, const std::string& command_line) {
    run_request rq = request_from(o, command_line);
    std::vector<std::string> overrides = o.overrides;
    std::optional<sweep_point> point;
    if (o.point >= 0) {
        run_collectively(comm, [&] {
            const auto pts = sweep_points(o.config);
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
    return execute_run(rq, comm);
}

int do_sweep(const cli_options& o, MPI_Comm comm, const std::string& command_line) {
    std::vector<sweep_point> pts;
    run_collectively(comm, [&] {
        pts = sweep_points(o.config);
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
    const int size = comm_size(comm), me = comm_rank(comm);
    const int per = static_cast<int>(std::min<long>(
        size, o.ranks_per_point > 0 ? o.ranks_per_point : default_ranks_per_point(reqs.front().spec, size)));
    if (per >= size) {  // every point on every rank, one after the other
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            if (me == 0) {
                std::printf("[cortexsim] sweep point %zu/%zu: %s\n", i + 1, reqs.size(), pts[i].name.c_str());
                std::fflush(stdout);
            }
            const int rc = execute_run(reqs[i], comm);
            if (rc != exit_ok) return rc;
        }
        return exit_ok;
    }
    // groups of `per` ranks (MPI_Comm_split; ranks beyond the last full group stay idle) run points concurrently;
    // each group's first rank takes the next point from a counter on rank 0 (MPI_Fetch_and_op) as it finishes.
    // A point's output depends only on its config, not on the number of ranks (the byte contract).
    const int groups = size / per;
    const int color = me < groups * per ? me / per : MPI_UNDEFINED;
    MPI_Comm group = MPI_COMM_NULL;
    check_mpi(MPI_Comm_split(comm, color, me, &group), "MPI_Comm_split");
    long next_point = 0;
    MPI_Win win = MPI_WIN_NULL;
    check_mpi(MPI_Win_create(&next_point, me == 0 ? static_cast<MPI_Aint>(sizeof(long)) : 0, sizeof(long),
                             MPI_INFO_NULL, comm, &win),
              "MPI_Win_create");
    int rc = exit_ok;
    if (group != MPI_COMM_NULL) {
        const int g_rank = comm_rank(group);
        for (;;) {
            long i = 0;
            if (g_rank == 0) {
                const long one = 1;
                check_mpi(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win), "MPI_Win_lock");
                check_mpi(MPI_Fetch_and_op(&one, &i, MPI_LONG, 0, 0, MPI_SUM, win), "MPI_Fetch_and_op");
                check_mpi(MPI_Win_unlock(0, win), "MPI_Win_unlock");
            }
            check_mpi(MPI_Bcast(&i, 1, MPI_LONG, 0, group), "MPI_Bcast");
            if (i >= static_cast<long>(reqs.size())) break;
            const auto u = static_cast<std::size_t>(i);
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
    MPI_Win_free(&win);
    int worst = rc;
    check_mpi(MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, comm), "MPI_Allreduce");
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
        if (rank == 0) std::fputs(version_line().c_str(), stdout);
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

int run_cli_without_mpi(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "train") return -1;
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
        if (root) std::fprintf(stderr, "cortexsim: error: %s\n", e.what());
        return exit_usage;
    }
    if (o.command != "help" && o.command != "version" && o.command != "check" && !(o.command == "sweep" && o.list))
        return -1;
    try {
        std::string text = o.command == "help"      ? usage_text()
                           : o.command == "version" ? version_line()
                           : o.command == "check"   ? check_config(o) + "\n"
                                                    : sweep_list(o);
        if (root) {
            std::fputs(text.c_str(), stdout);
            std::fflush(stdout);
        }
        return exit_ok;
    } catch (const std::exception& e) {
        if (root) {
            std::fprintf(stderr, "cortexsim: error: %s\n", e.what());
            std::fflush(stderr);
        }
        return exit_failure;
    }
}

}  // namespace cortexsim
