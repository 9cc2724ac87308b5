#pragma once
// Private to the partition layer: the PETSc side of method "graph" (graph_petsc.cpp), as the PETSc module
// (petsc_module_abi.cpp) and linked_petsc_graph_backend() call it. PETSc initialised by the caller.
#include <mpi.h>

#include <string>
#include <vector>

#include "cortexsim/partition/petsc_module_abi.hpp"

namespace cortexsim {

/// This rank's part of each of its rows (rows validated by graph_partition, >= 2 ranks). Collective; throws alike
/// on every rank (petsc_error, mpi_error).
std::vector<int> petsc_graph_parts(MPI_Comm comm, const cortexsim_graph_rows& rows);

/// "ptscotch", "parmetis" or "average": the best MatPartitioning type this PETSc offers.
std::string petsc_graph_partitioner_type();

}  // namespace cortexsim
