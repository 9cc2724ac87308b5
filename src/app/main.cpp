// cortexsim: entry point. Owns the MPI and PETSc sessions; everything else takes a communicator.
#include <mpi.h>
#include <petscsys.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cortexsim/app/cli.hpp"

int main(int argc, char** argv) {
    // help and version need no communication: answered before MPI (no orted, no PETSc libraries initialised)
    if (const int code = cortexsim::answer_without_mpi(std::vector<std::string>(argv + 1, argv + argc)); code >= 0)
        return code;
    // --help, --version, check, sweep --list: no MPI (Open MPI's singleton start forks orted) and no PETSc
    if (const int rc = cortexsim::run_cli_without_mpi(argc, argv); rc >= 0) return rc;
    MPI_Init(&argc, &argv);
    int rc = cortexsim::exit_failure;
    if (PetscInitializeNoArguments() != 0) {
        std::fprintf(stderr, "cortexsim: error: PETSc failed to initialise\n");
    } else {
        PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
        PetscPopSignalHandler();
        rc = cortexsim::run_cli(argc, argv, MPI_COMM_WORLD);
        PetscFinalize();
    }
    MPI_Finalize();
    return rc;
}
