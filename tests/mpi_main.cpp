// GoogleTest main for tests that may run under mpiexec: MPI first, then GoogleTest (so PETSc never sees
// gtest flags), then PETSc and graph_partition's graph backend linked in (graph_petsc.hpp). Only rank 0 prints;
// the exit code is the maximum over ranks.
#include <gtest/gtest.h>
#include <mpi.h>
#include <petscsys.h>

#include <cstdio>

#include "cortexsim/partition/graph_petsc.hpp"

namespace {
/// On ranks other than 0: print only failed assertions, prefixed with the rank.
class failure_printer : public ::testing::EmptyTestEventListener {
public:
    explicit failure_printer(int rank) : rank_(rank) {}
    void OnTestPartResult(const ::testing::TestPartResult& r) override {
        if (r.failed())
            std::fprintf(stderr, "[rank %d] %s:%d: failure\n%s\n", rank_, r.file_name() ? r.file_name() : "?",
                         r.line_number(), r.summary());
    }

private:
    int rank_;
};
}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    ::testing::InitGoogleTest(&argc, argv);
    PetscInitializeNoArguments();
    PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
    PetscPopSignalHandler();
    // method "graph" through the PETSc linked in here (the executable loads the PETSc module instead)
    cortexsim::set_graph_backend(&cortexsim::linked_petsc_graph_backend());
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0) {
        auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
        delete listeners.Release(listeners.default_result_printer());
        listeners.Append(new failure_printer(rank));
    }
    int local = RUN_ALL_TESTS();
    int global = 0;
    MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    PetscFinalize();
    MPI_Finalize();
    return global;
}
