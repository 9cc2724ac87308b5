#pragma once
// /provenance of an output file (docs/output-format.md, docs/reproducibility.md): how the run came to be
// (build, libraries, command line, hosts, config, data files with their bytes and SHA-256) and how it ran.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cortexsim/io/h5_output.hpp"
#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// What the run knows about itself beyond the spec (filled by the app).
struct run_facts {
    int ranks = 1;
    std::string partition;  // one line describing the partition
    std::string command_line;
    std::string rank_hosts;   // host of every rank in rank order, runs as NAME*COUNT (common/collective.hpp)
    std::string mpi_library;  // first line of MPI_Get_library_version
    std::string petsc_version;
    std::string start_time, end_time;  // UTC
    std::int64_t steps = 0, steps_this_segment = 0;
    double loop_seconds = 0.0, steps_per_second = 0.0;
    std::int64_t steps_per_exchange = 1;
    double exchanges_per_second = 0.0;
    std::string checkpoints;  // "step@time on N ranks;..." of every checkpoint of this run
    bool restarted = false;
    /// The named parameters of the circuit type with their defaults (circuit_info::defaults; empty for
    /// linear_ei, generic and rnn, whose values the spec holds).
    std::vector<std::pair<std::string, double>> circuit_defaults;
};

/// A YAML-like listing of every resolved value of the spec that the circuit uses (for /provenance): linear_ei's
/// parameters, a generic circuit's populations, weights and inputs, an RNN's shape, or every named parameter of
/// another circuit type (`circuit_defaults` with the config's values in their place).
std::string resolved_parameters(const model_spec& m,
                                const std::vector<std::pair<std::string, double>>& circuit_defaults = {});

/// Collective: writes the /provenance attributes and embeds every data file of the spec
/// (/provenance/data_files/<i>, uint8, with key, path and sha256 attributes).
void write_provenance(h5_output& out, const model_spec& spec, const run_facts& facts);

/// "euler" or "heun".
std::string integrator_name(integrator_kind k);

}  // namespace cortexsim
