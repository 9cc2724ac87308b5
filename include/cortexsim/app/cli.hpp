#pragma once
// The command-line application. The only code that names MPI_COMM_WORLD is main().
#include <mpi.h>

#include <string>
#include <vector>

namespace cortexsim {

/// Exit codes (docs/config.md): 0 success, 1 bad input or failed run, 2 bad command line.
enum exit_code : int { exit_ok = 0, exit_failure = 1, exit_usage = 2, exit_checkpointed = 3 };

struct cli_options {
    std::string command;  // run, sweep, replay, check, help, version
    std::string config;   // for replay: the output file to replay
    std::string output;   // -o (empty: config output.path)
    std::vector<std::string> overrides;
    bool overwrite = false;
    bool quiet = false;
    std::string checkpoint;      // --checkpoint
    bool resume = false;         // --resume
    std::string restart;         // --restart CKPT
    long point = -1;             // --point I
    double until_s = -1.0;       // --until-s T: checkpoint and stop at model time T
    bool list = false;           // sweep --list
    long ranks_per_point = 0;    // sweep --ranks-per-point N (0: from the model size)
    bool keep = false;           // replay --keep
    std::string exit_code_file;  // --exit-code-file FILE: rank 0 writes the exit code there (run, sweep)
};

/// Parses argv (without the program name); throws usage_error.
cli_options parse_cli(const std::vector<std::string>& args);

/// Runs the command on comm (MPI and PETSc initialised). Returns the exit code on this rank; errors are
/// reported once (rank 0) as one line on stderr.
int run_cli(int argc, char** argv, MPI_Comm comm);

/// The overview of every command (cortexsim --help).
std::string usage_text();

/// One command's usage, options, examples and exit codes (cortexsim COMMAND --help); empty for an unknown one.
std::string command_help(const std::string& command);

/// Answers `--help`, `-h`, `help [COMMAND]`, `COMMAND --help` and `--version` without MPI (called by main before
/// MPI_Init; under a launcher only the first process prints). Returns the exit code, or -1 if args ask for
/// something else.
int answer_without_mpi(const std::vector<std::string>& args);

/// The commands that need no communication, run before (and without) MPI and PETSc: --help, --version,
/// check, sweep --list, and command-line errors (docs/config.md: start-up). Returns their exit code, or -1 when the
/// command needs MPI (run_cli then). Under a launcher only the first rank (by the launcher's environment) prints.
int run_cli_without_mpi(int argc, char** argv);

}  // namespace cortexsim
