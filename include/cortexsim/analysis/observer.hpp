#pragma once
// Observers of the time loop (NEST's recording devices, TVB's monitors): the loop calls every observer at each
// record with the recorded variables of this rank's areas and asks each for its results at the end; it knows
// nothing about what they compute. An observer's streaming state is saved in checkpoints (per area, and on
// rank 0 a whole-run part), so that a restarted run gives the same results.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cortexsim/spec/model_spec.hpp"

namespace cortexsim {

/// One per-area result for /analysis: values [n_local][width] of this rank's areas.
struct analysis_column {
    std::string name;
    std::vector<double> values;
    std::size_t width = 1;
    std::string unit, description;
};

/// A whole-run result held by rank 0 (e.g. an RNN's readout over time), written as one dataset.
struct global_result {
    std::string name;  // path in the file, e.g. "/readout"
    std::vector<std::size_t> dims;
    std::vector<double> data;  // rank 0 only (row-major), empty elsewhere
    std::string unit, description;
    std::vector<std::pair<std::string, std::string>> attributes;  // further string attributes
    std::vector<std::string> scales;  // per dimension: a dataset to attach as its dimension scale ("" = none)
    /// A symmetric [n][n] matrix computed in blocks (the FC): when not empty, rank r holds rows
    /// [row_split[r], row_split[r + 1]) and `data` is, on every rank, its L-shaped piece as pearson_fc_block lays it
    /// out (analysis/monitors.hpp); the pieces are written collectively, in chunks.
    std::vector<std::size_t> row_split = {};
};

/// Everything the observers of a run report.
struct run_results {
    std::vector<analysis_column> columns;
    std::vector<global_result> globals;
    std::vector<std::string> summary;  // lines for rank 0 to print
};

class observer {
public:
    virtual ~observer() = default;
    /// Record `record` (taken after record * record_every steps): recorded[p][i], p = recorded variable, i =
    /// local area. Called on every rank at the same records; may communicate (collectively).
    virtual void observe(std::int64_t record, const double* const* recorded) = 0;
    /// Appends this observer's results (call after the run has finished).
    virtual void results(run_results& out) const = 0;

    /// Values per local area of the streaming state (checkpoints), and saving / restoring local area i.
    virtual std::size_t state_size() const { return 0; }
    virtual void save(std::size_t /*i*/, double* /*out*/) const {}
    virtual void load(std::size_t /*i*/, const double* /*in*/) {}
    /// Whole-run state held by rank 0 (empty elsewhere), and restoring it (rank 0; others get an empty vector).
    virtual std::vector<double> save_global() const { return {}; }
    virtual void load_global(const std::vector<double>& /*state*/) {}
};

/// What an observer may use of the run besides the records: gathering one value per area onto rank 0, in
/// global area order (implemented by the exchange layer; collective; rank 0 gets n_areas values, others null);
/// broadcasting rank 0's values to every rank (collective; `values` is resized on the others), this rank and the
/// number of ranks (for results computed in blocks).
class root_gather {
public:
    virtual ~root_gather() = default;
    virtual const double* gather(const double* local) = 0;
    virtual void broadcast(std::vector<double>& values) = 0;
    virtual std::size_t rank() const = 0;
    virtual std::size_t ranks() const = 0;
};

/// The analysis observers a spec asks for: `kind` "pulse" (pulse response and timescales of the first recorded
/// population; analysis.stimulus) or "window" (working-memory windows and persistence; analysis.population
/// ...), then, with analysis.timescale_ms, the autocorrelation timescales of the analysed population
/// (analysis/acf.hpp), for local areas [begin, begin + n). `recorded` are the recorded variables' names, `ports`
/// the circuit's stimulus ports. Throws config_error for an unknown kind or analysed population.
std::vector<std::unique_ptr<observer>> make_analysis_observers(const std::string& kind, const model_spec& spec,
                                                               std::size_t begin, std::size_t n,
                                                               const std::vector<std::string>& recorded,
                                                               const std::vector<std::string>& ports);

}  // namespace cortexsim
