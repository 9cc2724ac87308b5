#pragma once
// Private to the exchange layer: every PETSc call goes through CS_PETSC, which throws petsc_error with
// PETSc's message.
#include <petscsys.h>

#include "cortexsim/common/errors.hpp"

namespace cortexsim::detail {
[[noreturn]] void throw_petsc(PetscErrorCode ierr, const char* call, const char* file, int line);
}

#define CS_PETSC(call)                                                                       \
    do {                                                                                     \
        const PetscErrorCode cs_ierr_ = (call);                                              \
        if (cs_ierr_) ::cortexsim::detail::throw_petsc(cs_ierr_, #call, __FILE__, __LINE__); \
    } while (0)
