// The PETSc module, libcortexsim_petsc.so: the C ABI of petsc_module_abi.hpp over PETSc and the one
// implementation of method "graph" (graph_petsc.cpp). The cortexsim executable loads it with dlopen only when a
// command needs PETSc (petsc_module.cpp); nothing else links it. No C++ exception leaves it: every failure
// becomes a return code and a message.
#include <petscsys.h>
#include <petscversion.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/partition/petsc_module_abi.hpp"
#include "graph_petsc_impl.hpp"

namespace {

bool started_here = false;  // PetscInitialize was called by this module (and PetscFinalize is its to call)

void copy_text(const std::string& s, char* out, size_t size) {
    if (!out || size == 0) return;
    const size_t n = std::min(s.size(), size - 1);
    std::memcpy(out, s.data(), n);
    out[n] = '\0';
}

int failure(cortexsim::error_kind kind, const std::string& msg, char* err, size_t err_size) {
    copy_text(msg, err, err_size);
    return static_cast<int>(kind) + 1;
}

/// Runs f; a thrown error becomes its kind + 1 and message.
template <class F>
int guarded(char* err, size_t err_size, F&& f) {
    try {
        f();
        return 0;
    } catch (const cortexsim::error& e) {
        return failure(e.kind(), e.what(), err, err_size);
    } catch (const std::exception& e) {
        return failure(cortexsim::error_kind::generic, e.what(), err, err_size);
    } catch (...) {
        return failure(cortexsim::error_kind::generic, "unknown exception in the PETSc module", err, err_size);
    }
}

/// The disposition of every signal, saved before PetscInitialize and restored after it: PETSc installs its own
/// handler (which cortexsim pops, as it always did), and popping it leaves SIG_DFL, not what was there before
/// (Open MPI's handlers, cortexsim's stop handlers of a run already under way).
struct saved_signals {
    struct sigaction old[NSIG];
    bool have[NSIG] = {};
    saved_signals() {
        for (int s = 1; s < NSIG; ++s) have[s] = sigaction(s, nullptr, &old[s]) == 0;
    }
    void restore() const {
        for (int s = 1; s < NSIG; ++s)
            if (have[s]) sigaction(s, &old[s], nullptr);
    }
};

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int cortexsim_petsc_module_abi(void) { return CORTEXSIM_PETSC_MODULE_ABI; }

__attribute__((visibility("default"))) int cortexsim_petsc_initialize(MPI_Fint comm, int argc, char** argv, char* err,
                                                                      size_t err_size) {
    return guarded(err, err_size, [&] {
        PetscBool already = PETSC_FALSE;
        PetscInitialized(&already);
        if (!already) {
            const saved_signals signals;
            PETSC_COMM_WORLD = MPI_Comm_f2c(comm);
            int n = argc;
            char** args = argv;  // PETSc keeps these (PetscGetArgs): the loader owns them until the end
            if (PetscInitialize(&n, &args, nullptr, nullptr) != 0)
                throw cortexsim::petsc_error("PETSc failed to initialise (PetscInitialize)");
            started_here = true;
            PetscPopSignalHandler();
            signals.restore();
        }
        PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
    });
}

__attribute__((visibility("default"))) int cortexsim_petsc_finalize(char* err, size_t err_size) {
    return guarded(err, err_size, [&] {
        if (!started_here) return;
        started_here = false;
        if (PetscFinalize() != 0) throw cortexsim::petsc_error("PETSc failed to finalise (PetscFinalize)");
    });
}

__attribute__((visibility("default"))) int cortexsim_petsc_version(char* out, size_t out_size, char* err,
                                                                   size_t err_size) {
    return guarded(err, err_size, [&] {
        char v[256];
        if (PetscGetVersion(v, sizeof v) != 0) throw cortexsim::petsc_error("PetscGetVersion failed");
        copy_text(v, out, out_size);
    });
}

__attribute__((visibility("default"))) int cortexsim_petsc_partitioner_type(char* out, size_t out_size, char* err,
                                                                            size_t err_size) {
    return guarded(err, err_size, [&] { copy_text(cortexsim::petsc_graph_partitioner_type(), out, out_size); });
}

__attribute__((visibility("default"))) int cortexsim_petsc_graph_parts(MPI_Fint comm, const cortexsim_graph_rows* rows,
                                                                       int* parts, char* err, size_t err_size) {
    return guarded(err, err_size, [&] {
        const std::vector<int> p = cortexsim::petsc_graph_parts(MPI_Comm_f2c(comm), *rows);
        std::copy(p.begin(), p.end(), parts);
    });
}

}  // extern "C"
