#pragma once
// Where method "graph" of graph_partition finds PETSc (docs/design.md, "PETSc, loaded when used"). The
// partition library itself does not link PETSc: graph_partition validates the rows, then hands them to the
// graph backend of the process, which is either
//  * the PETSc module libcortexsim_petsc.so, loaded with dlopen (petsc_module.hpp; what the cortexsim
//    executable uses), or
//  * the same code linked in (graph_petsc.hpp, the library cortexsim::graph_petsc; tests and programs that
//    link PETSc themselves).
// Both run the one implementation in src/partition/graph_petsc.cpp.
#include <mpi.h>

#include <string>
#include <vector>

#include "cortexsim/partition/petsc_module_abi.hpp"

namespace cortexsim {

struct graph_backend {
    /// This rank's part for each of its rows (rows validated, >= 2 ranks). Collective; throws alike on every rank.
    std::vector<int> (*parts)(MPI_Comm comm, const cortexsim_graph_rows& rows);
    /// The MatPartitioning type used ("ptscotch", "parmetis" or "average"). Not collective.
    std::string (*partitioner_type)();
};

/// Sets the backend of method "graph" (nullptr: none). Set once, before the graph partition is used.
void set_graph_backend(const graph_backend* backend);

/// The backend set, or nullptr.
const graph_backend* current_graph_backend();

}  // namespace cortexsim
