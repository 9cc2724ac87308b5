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

/// The size of the output file of `spec` in bytes, estimated: /rates, /time (and /readout of an RNN), the
/// /analysis columns, the config and the embedded data files, and 1 MiB of metadata.
double output_bytes_estimate(const model_spec& spec);

/// Throws io_error naming both sizes if the output of `spec` cannot fit in the free space of the folder of
/// `out_path` (nothing is checked if the folder does not exist: the output then fails on that). Local.
void check_output_space(const model_spec& spec, const std::string& out_path);

/// Collective. Returns the exit code (exit_ok, exit_checkpointed); throws on errors (every rank alike).
int execute_run(const run_request& rq, MPI_Comm comm);

}  // namespace cortexsim
