#include "cortexsim/app/cli.hpp"

#include <petscsys.h>
#include <unistd.h>

#include <boost/version.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cortexsim/build_info.hpp"
#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/connectivity/csv.hpp"
#include "cortexsim/integrator/simulation.hpp"
#include "cortexsim/io/h5_output.hpp"

namespace cortexsim {

std::string usage_text() {
    return "usage: mpirun -n N cortexsim run CONFIG [-o OUT.h5] [--set key=value ...] [--overwrite] [--quiet]\n"
           "       cortexsim check CONFIG [--set key=value ...]\n"
           "       cortexsim --version | --help\n"
           "  run     integrate the model of CONFIG on N ranks (1 <= N <= number of areas) and write one HDF5 file\n"
           "  check   validate CONFIG and its data files without running\n"
           "  -o OUT.h5         output file (default: output.path of the config)\n"
           "  --set key=value   override a config value, e.g. --set run.dt_ms=0.2 --set stimuli.0.amplitude_hz=20\n"
           "  --overwrite       replace an existing output file (only once the new one is complete)\n"
           "  --quiet           no progress line\n"
           "exit codes: 0 success, 1 bad input or failed run, 2 bad command line\n";
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
    if (o.command != "run" && o.command != "check")
        throw usage_error("unknown command '" + o.command + "' (commands: run, check; see --help)");
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const char* opt) -> std::string {
            if (i + 1 >= args.size()) throw usage_error(std::string("option ") + opt + " needs a value");
            return args[++i];
        };
        if (a == "-o" || a == "--output") {
            if (o.command != "run") throw usage_error("option " + a + " belongs to 'run'");
            o.output = value("-o");
        } else if (a == "--set") {
            o.overrides.push_back(value("--set"));
        } else if (a.rfind("--set=", 0) == 0) {
            o.overrides.push_back(a.substr(6));
        } else if (a == "--overwrite") {
            o.overwrite = true;
        } else if (a == "--quiet" || a == "-q") {
            o.quiet = true;
        } else if (!a.empty() && a[0] == '-') {
            throw usage_error("unknown option '" + a + "' (see --help)");
        } else if (o.config.empty()) {
            o.config = a;
        } else {
            throw usage_error("unexpected argument '" + a + "' (one config file per run)");
        }
    }
    if (o.config.empty()) throw usage_error("'" + o.command + "' needs a config file");
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

void print_table(const std::string& file) {
    const auto areas = read_h5_strings(file, "/areas");
    const auto hier = read_h5_doubles(file, "/analysis/hierarchy");
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
    run_collectively(comm, [&] {
        spec = load_config(o.config, o.overrides);
        (void)read_square_matrix_csv(spec.connectivity.fln_path, spec.areas.names);
    });
    if (comm_rank(comm) == 0) {
        std::printf("%s: OK: model '%s', %zu areas x %zu populations, %lld steps of %g ms, %lld records\n",
                    o.config.c_str(), spec.name.c_str(), spec.areas.size(), spec.populations.size(),
                    static_cast<long long>(spec.run.n_steps), spec.run.dt_ms,
                    static_cast<long long>(spec.run.n_records()));
        std::fflush(stdout);
    }
    return exit_ok;
}

int do_run(const cli_options& o, MPI_Comm comm, const std::string& command_line) {
    const int rank = comm_rank(comm);
    const int size = comm_size(comm);
    const std::string start = broadcast_string(comm, utc_now());

    model_spec spec;
    run_collectively(comm, [&] { spec = load_config(o.config, o.overrides); });
    std::unique_ptr<simulation> sim;
    run_collectively(comm, [&] { sim = std::make_unique<simulation>(spec, comm); });

    output_layout layout;
    layout.area_names = spec.areas.names;
    layout.populations = spec.populations;
    layout.area_begin = sim->local_begin();
    layout.n_local = sim->local_count();
    layout.n_records = spec.run.n_records();
    layout.record_dt_s = static_cast<double>(spec.run.record_every) * spec.run.dt_ms * 1e-3;
    layout.config_text = spec.config_text;
    layout.resolved_yaml = spec.resolved_yaml;
    layout.overrides = spec.overrides;
    const std::string out_path = o.output.empty() ? spec.output.path : o.output;
    h5_output out(comm, out_path, o.overwrite, layout);

    const double t_end_s = spec.run.t_end_ms * 1e-3;
    double last_print = 0.0;
    progress_fn progress;
    if (!o.quiet && rank == 0)
        progress = [&](std::int64_t k, std::int64_t n, double wall) {
            if (wall - last_print < 2.0) return;
            last_print = wall;
            const double rate = static_cast<double>(k) / wall;
            std::printf("[cortexsim] t = %.3f / %.3f s | %.3g steps/s | ETA %.1f s\n",
                        t_end_s * static_cast<double>(k) / static_cast<double>(n), t_end_s, rate,
                        static_cast<double>(n - k) / rate);
            std::fflush(stdout);
        };
    const run_report rep = sim->run(&out, progress);

    // analysis
    const pulse_analysis& an = sim->analysis();
    std::vector<double> hier(spec.areas.hierarchy.begin() + static_cast<std::ptrdiff_t>(sim->local_begin()),
                             spec.areas.hierarchy.begin() +
                                 static_cast<std::ptrdiff_t>(sim->local_begin() + sim->local_count()));
    out.write_analysis("hierarchy", hier, 1, "1", "normalised hierarchy h_i used by the model");
    out.write_analysis("peak_rate_hz", an.peak_rate_hz(), spec.populations.size(), "Hz",
                       "maximum recorded rate of each population over the run");
    out.write_analysis("response_hz", an.response_hz(), 1, "Hz",
                       "peak increase of the E rate after the pulse onset over its value at the onset");
    out.write_analysis("peak_time_s", an.peak_time_s(), 1, "s", "time of the peak E response");
    out.write_analysis("timescale_s", an.timescale_s(), 1, "s",
                       "time from the peak E response until it decays below peak/e (linear interpolation "
                       "between records); NaN if it does not");

    double loop_max = 0.0;
    check_mpi(MPI_Allreduce(&rep.loop_seconds, &loop_max, 1, MPI_DOUBLE, MPI_MAX, comm), "MPI_Allreduce");
    const double steps_per_s = loop_max > 0 ? static_cast<double>(rep.steps) / loop_max : 0.0;

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
        {"partition", "contiguous blocks"},
        {"command_line", command_line},
        {"host", hostname()},
        {"slurm_job_id", std::getenv("SLURM_JOB_ID") ? std::getenv("SLURM_JOB_ID") : ""},
        {"config_path", spec.config_path},
        {"model", spec.name},
        {"integrator", spec.run.integrator == integrator_kind::euler ? "euler" : "heun"},
        {"dt_ms", fmt(spec.run.dt_ms, 17)},
        {"steps", std::to_string(rep.steps)},
        {"loop_seconds", fmt(loop_max, 6)},
        {"steps_per_second", fmt(steps_per_s, 6)},
        {"start_time", start},
        {"end_time", utc_now()},
    };
    std::string files;
    for (const auto& f : spec.data_files) files += (files.empty() ? "" : "\n") + f;
    prov.push_back({"data_files", files});
    out.write_attributes("/provenance", prov);
    out.commit();

    if (rank == 0) {
        std::printf("model %s: %zu areas on %d rank%s, %lld steps of %g ms (%s) in %.3f s: %.3g steps/s\n",
                    spec.name.c_str(), spec.areas.size(), size, size == 1 ? "" : "s",
                    static_cast<long long>(rep.steps), spec.run.dt_ms,
                    spec.run.integrator == integrator_kind::euler ? "euler" : "heun", loop_max, steps_per_s);
        print_table(out_path);
        std::printf("output: %s\n", std::filesystem::absolute(out_path).string().c_str());
        std::fflush(stdout);
    }
    return exit_ok;
}

}  // namespace

int run_cli(int argc, char** argv, MPI_Comm comm) {
    const int rank = comm_rank(comm);
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string command_line = "cortexsim";
    for (const auto& a : args) command_line += " " + a;
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
        return o.command == "check" ? do_check(o, comm) : do_run(o, comm, command_line);
    } catch (const std::exception& e) {
        if (rank == 0) {
            std::fprintf(stderr, "cortexsim: error: %s\n", e.what());
            std::fflush(stderr);
        }
        return exit_failure;
    }
}

}  // namespace cortexsim
