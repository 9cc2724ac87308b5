#pragma once
// PETSc, loaded when used (docs/design.md): the cortexsim executable does not link PETSc. It loads the PETSc
// module libcortexsim_petsc.so (petsc_module_abi.hpp) with dlopen only when a command needs PETSc: method
// "graph" of run.partition on more than one rank (plan_needs_petsc, plan.hpp), or PETSc options after a lone
// "--" on the command line. The module is looked for at
//   1. $CORTEXSIM_PETSC_MODULE, if set (only there);
//   2. the folder of the executable (/proc/self/exe): the build tree;
//   3. <folder of the executable>/../<libdir>: an installed tree, wherever it was moved;
//   4. <install prefix>/<libdir>, as configured at build time.
#include <mpi.h>

#include <string>
#include <vector>

namespace cortexsim {

/// Loads the module and initialises PETSc on comm with `options` (PETSc options, e.g. {"-log_view"}), then
/// makes it the graph backend (graph_backend.hpp). Does nothing if loaded already. Collective over comm; every
/// rank throws the same one-line error if any rank fails (the module path, dlerror() and `needed_for`).
void load_petsc_module(MPI_Comm comm, const std::string& needed_for, const std::vector<std::string>& options = {});

/// The module is loaded and PETSc initialised.
bool petsc_module_loaded();

/// PetscFinalize through the module, if it was loaded (before MPI_Finalize). Collective over the comm of the
/// load. Throws petsc_error if PETSc fails to finalise.
void finalize_petsc_module();

/// The PETSc version cortexsim was compiled against (<petscversion.h>; the text of PetscGetVersion), whether or
/// not the module is loaded: what /provenance petsc_version records.
std::string petsc_compiled_version();

/// The paths where the module is looked for, in order (see above).
std::vector<std::string> petsc_module_candidates();

}  // namespace cortexsim
