// cortexsim: entry point. Owns the MPI session, and the PETSc session when a command needs PETSc: the executable
// does not link PETSc, it loads the PETSc module when needed (partition/petsc_module.hpp; docs/design.md, "PETSc,
// loaded when used"). Everything else takes a communicator.
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "cortexsim/app/cli.hpp"
#include "cortexsim/common/collective.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/partition/petsc_module.hpp"

namespace {

/// Rank 0 prints the error as one line (every rank has it: the PETSc module's calls are collective).
void report(const std::exception& e) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) {
        std::fprintf(stderr, "cortexsim: error: %s\n",
                     cortexsim::printable(e.what(), cortexsim::max_message_bytes).c_str());
        std::fflush(stderr);
    }
}

}  // namespace

int main(int argc, char** argv) {
    // Everything after a lone "--" is for PETSc (e.g. cortexsim run CONFIG -- -log_view): cortexsim's own parser
    // sees only the arguments before it, so an unknown option before "--" is still refused.
    int cli_argc = argc;
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--") {
            cli_argc = i;
            break;
        }
    const std::vector<std::string> petsc_options(argv + std::min(cli_argc + 1, argc), argv + argc);

    // help and version need no communication: answered before MPI (no orted, no PETSc)
    if (const int code = cortexsim::answer_without_mpi(std::vector<std::string>(argv + 1, argv + cli_argc)); code >= 0)
        return code;
    // --help, --version, check, sweep --list: no MPI (Open MPI's singleton start forks orted) and no PETSc
    if (const int rc = cortexsim::run_cli_without_mpi(cli_argc, argv); rc >= 0) return rc;
    MPI_Init(&argc, &argv);
    int rc = cortexsim::exit_failure;
    try {
        // PETSc options (after "--", or in $PETSC_OPTIONS) load PETSc at once (they may concern anything PETSc
        // does, -log_view the whole run); otherwise the commands load it when they need it (run.partition = graph
        // on several ranks). Decided alike on every rank (the environment could differ between ranks).
        const char* env = std::getenv("PETSC_OPTIONS");
        int wants[2] = {!petsc_options.empty(), env && *env}, any[2] = {0, 0};
        cortexsim::check_mpi(MPI_Allreduce(wants, any, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
        if (any[0] || any[1])
            cortexsim::load_petsc_module(MPI_COMM_WORLD,
                                         any[0] ? "the PETSc options after '--'"
                                                : "the PETSc options in $PETSC_OPTIONS",
                                         petsc_options);
        rc = cortexsim::run_cli(cli_argc, argv, MPI_COMM_WORLD);
    } catch (const std::exception& e) {
        report(e);
        rc = cortexsim::exit_failure;
    }
    try {
        cortexsim::finalize_petsc_module();  // PetscFinalize (prints -log_view), before MPI_Finalize
    } catch (const std::exception& e) {
        report(e);
        rc = cortexsim::exit_failure;
    }
    MPI_Finalize();
    return rc;
}
