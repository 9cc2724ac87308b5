// cortexsim: entry point. Owns the MPI and PETSc sessions; everything else takes a communicator.
#include <mpi.h>
#include <petscsys.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cortexsim/app/cli.hpp"

int main(int argc, char** argv) {
    // Everything after a lone "--" is for PETSc (e.g. cortexsim run CONFIG -- -log_view): cortexsim's own parser
    // sees only the arguments before it, so an unknown option before "--" is still refused.
    int cli_argc = argc;
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--") {
            cli_argc = i;
            break;
        }
    std::vector<char*> petsc_argv = {argv[0]};
    for (int i = cli_argc + 1; i < argc; ++i) petsc_argv.push_back(argv[i]);
    petsc_argv.push_back(nullptr);
    int petsc_argc = static_cast<int>(petsc_argv.size()) - 1;
    char** petsc_args = petsc_argv.data();

    // help and version need no communication: answered before MPI (no orted, no PETSc libraries initialised)
    if (const int code = cortexsim::answer_without_mpi(std::vector<std::string>(argv + 1, argv + cli_argc)); code >= 0)
        return code;
    // --help, --version, check, sweep --list: no MPI (Open MPI's singleton start forks orted) and no PETSc
    if (const int rc = cortexsim::run_cli_without_mpi(cli_argc, argv); rc >= 0) return rc;
    MPI_Init(&argc, &argv);
    int rc = cortexsim::exit_failure;
    if (PetscInitialize(&petsc_argc, &petsc_args, nullptr, nullptr) != 0) {
        std::fprintf(stderr, "cortexsim: error: PETSc failed to initialise\n");
    } else {
        PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
        PetscPopSignalHandler();
        rc = cortexsim::run_cli(cli_argc, argv, MPI_COMM_WORLD);
        PetscFinalize();
    }
    MPI_Finalize();
    return rc;
}
