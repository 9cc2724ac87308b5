#pragma once
// The PETSc side of method "graph", linked in (the static library cortexsim::graph_petsc, which links PETSc):
// for tests and programs that link PETSc themselves. The cortexsim executable reaches the same code through the
// PETSc module instead (petsc_module.hpp). PETSc must be initialised by the caller.
#include "cortexsim/partition/graph_backend.hpp"

namespace cortexsim {

/// The backend that calls the linked-in PETSc: set_graph_backend(&linked_petsc_graph_backend()).
const graph_backend& linked_petsc_graph_backend();

}  // namespace cortexsim
