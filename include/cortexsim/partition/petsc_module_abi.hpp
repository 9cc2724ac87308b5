#pragma once
// The C ABI of the PETSc module, libcortexsim_petsc.so (src/partition/petsc_module_abi.cpp): the only code of the
// cortexsim executable that links PETSc, loaded with dlopen only when a run needs PETSc (petsc_module.hpp,
// docs/design.md "PETSc, loaded when used"). Plain C types only: the executable and the module share MPI (one
// libmpi in the process) but no C++ object crosses the boundary; a communicator crosses as its MPI_Fint.
//
// Every function returns 0 on success; otherwise it returns the cortexsim::error_kind of the failure plus 1
// (config 2, ..., petsc 5, mpi 6; generic 1) and writes the one-line message into `err` (a NUL-terminated
// string of at most err_size bytes). The collective ones fail alike on every rank of the communicator.
#include <mpi.h>

#include <stddef.h>

extern "C" {

/// Incremented whenever a signature below changes: the loader refuses a module of another version.
#define CORTEXSIM_PETSC_MODULE_ABI 1

/// This rank's block of rows of the coupling graph (graph_partition.hpp's input, in compressed form): rows
/// [row_begin, row_begin + n_rows) of n_areas, row i's entries in col/val[row_ptr[i], row_ptr[i + 1]).
/// block_starts (n_ranks + 1 entries) is the block layout of the rows over the communicator's ranks.
typedef struct cortexsim_graph_rows {
    size_t n_areas;
    size_t row_begin;
    size_t n_rows;
    const size_t* row_ptr;
    const size_t* col;
    const double* val;
    const size_t* block_starts;
} cortexsim_graph_rows;

/// Returns CORTEXSIM_PETSC_MODULE_ABI as the module was built.
int cortexsim_petsc_module_abi(void);

/// PetscInitialize on comm (PETSC_COMM_WORLD = comm; MPI already initialised) with argv[0..argc) (argv[0] a
/// program name, then PETSc options). PETSc's error handler returns errors, and no signal disposition of the
/// process changes. If PETSc is initialised already (a program that links PETSc itself), only the error
/// handler is pushed and finalize does not end PETSc. Collective over comm.
int cortexsim_petsc_initialize(MPI_Fint comm, int argc, char** argv, char* err, size_t err_size);

/// PetscFinalize, if cortexsim_petsc_initialize started PETSc (prints -log_view etc.). Collective.
int cortexsim_petsc_finalize(char* err, size_t err_size);

/// The version of the PETSc library the module runs with (PetscGetVersion).
int cortexsim_petsc_version(char* out, size_t out_size, char* err, size_t err_size);

/// The MatPartitioning type of method "graph" (graph_partitioner_type()).
int cortexsim_petsc_partitioner_type(char* out, size_t out_size, char* err, size_t err_size);

/// Method "graph" on >= 2 ranks: parts[i] = the part (rank) of row row_begin + i, for the rows validated by
/// graph_partition (graph_partition.hpp). Collective over comm.
int cortexsim_petsc_graph_parts(MPI_Fint comm, const cortexsim_graph_rows* rows, int* parts, char* err,
                                size_t err_size);

}  // extern "C"
