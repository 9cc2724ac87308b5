#pragma once
// Checkpoints: the full dynamic state of a run, keyed by global area id so that a restart may use another
// number of ranks. Boost.Serialization (binary archive, versioned with BOOST_CLASS_VERSION) inside a small
// envelope: magic line, payload length and SHA-256, so that a truncated or corrupt file is a clear error.
// Written atomically: "<path>.tmp", flushed, then renamed over <path>; the previous checkpoint stays intact
// until the new one is complete.
//
// What is saved (NEST's "State"): step, every variable of every area, the observers' streaming state, the
// number of records already in the output, the run id of the output file, (version 2) the conduction-delay
// history of every area and (version 3) the observers' whole-run state held by rank 0 (an RNN's readout).
// Versions 1 and 2 are read (their observers' whole-run state is empty).
// What is not saved, because it is rebuilt deterministically from the config and data (NEST's "Parameters"
// and "Variables"): coefficients, coupling matrix and scatter, stimulus schedule (a function of the step),
// record buffer (flushed before every checkpoint). Noise, when it comes, is counter-based: keyed by the step.
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace cortexsim {

struct checkpoint_data {
    std::string fingerprint;  // model_spec::fingerprint
    std::string model;
    std::string run_id;     // attribute of the output file it belongs to
    std::int64_t step = 0;  // steps completed
    std::int64_t n_steps = 0;
    std::int64_t records_written = 0;
    std::uint64_t n_areas = 0, n_populations = 0;
    std::vector<std::string> area_names;  // global order: index = global area id
    std::vector<double> rates;            // [area][variable] (n_populations = variables per area)
    std::vector<double> analysis;         // [area][analysis_state_size]: every observer's state, in order
    std::uint64_t analysis_state_size = 0;
    std::int32_t ranks_at_save = 0;  // informational
    std::string history;             // "step@utc-time on N ranks" of every checkpoint of this run, ';'-joined
    // version 2: conduction-delay history, per delayed long-range group: [area][L] states s(k - L .. k - 1)
    std::vector<std::int64_t> delay_lengths;
    std::vector<std::vector<double>> delay_history;
    // version 3: per observer, its whole-run state (rank 0's)
    std::vector<std::vector<double>> observer_global;

    // clang-format off  (Boost.Serialization's "ar & x")
    template <class Archive>
    void serialize(Archive& ar, const unsigned int version) {
        ar& fingerprint& model& run_id& step& n_steps& records_written& n_areas& n_populations;
        ar& area_names& rates& analysis& analysis_state_size& ranks_at_save& history;
        if (version >= 2) ar& delay_lengths& delay_history;
        if (version >= 3) ar& observer_global;
    }
    // clang-format on
};

/// The checked file both kinds of checkpoint use (simulation and RNN training): a magic line, a line
/// "<payload length> <SHA-256 of the payload>", then the payload. Written to "<path>.tmp", fsync-ed and renamed
/// over <path>; throws io_error.
void write_checked_file(const std::string& path, const std::string& magic, const std::string& payload);
/// Reads one back and returns the payload; throws data_error naming the file and the problem (`what` names the
/// kind of file in the bad-header message, e.g. "cortexsim checkpoint"): wrong magic, corrupt header,
/// truncated payload, bytes after the payload, SHA-256 mismatch.
std::string read_checked_file(const std::string& path, const std::string& magic, const std::string& what);

/// Writes atomically; throws io_error.
void write_checkpoint(const std::string& path, const checkpoint_data& c);

/// Reads and verifies (magic, length, SHA-256, archive); throws data_error naming the file and the problem.
checkpoint_data read_checkpoint(const std::string& path);

}  // namespace cortexsim

BOOST_CLASS_VERSION(cortexsim::checkpoint_data, 3)
