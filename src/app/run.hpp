#pragma once
// Private to the app: one run of a model (run, sweep points, replay), from a validated spec to a complete
// output file (or a checkpoint when stopped).
#include <mpi.h>

#include <string>

#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// Everything one run needs besides the communicator.
struct run_request {
    model_spec spec;
    std::string output;
    bool overwrite = false;
    bool quiet = false;
    std::string checkpoint;  // path ("" = OUT.h5.ckpt)
    bool resume = false;
    std::string restart;    // checkpoint to continue from ("" = fresh)
    double until_s = -1.0;  // stop with a checkpoint at this model time (< 0: never)
    std::string command_line;
    bool print_table = true;
};

/// Collective. Returns the exit code (exit_ok, exit_checkpointed); throws on errors (every rank alike).
int execute_run(const run_request& rq, MPI_Comm comm);

}  // namespace cortexsim
