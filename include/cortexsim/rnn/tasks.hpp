#pragma once
// Cognitive tasks for AI-style recurrent networks (docs/rnn.md), as generators: a trial is a pure function of
// (task parameters, seed, trial index). Random draws use the counter-based Philox generator keyed by the seed,
// with the trial index in the counter (stream tags 32-34 of common/counter_rng.hpp), so trial i is the same on
// every rank, whichever rank draws it and in whatever order; a trainer on any number of ranks and a cortex
// simulator fed with the same (seed, index) see the same stimulus sequence.
//
// Time is in steps of dt (the network's dt_ms). A trial holds
//   x[t][n_in]      inputs (one-hot stimuli, zero in gaps and delays);
//   target[t]       the class the response should have at step t (-1: none defined);
//   y[t][n_out]     real targets (one-hot of target[t]; zero where target[t] = -1), for the MSE loss;
//   mask[t]         1 where the response counts (loss and accuracy), else 0;
//   events          the symbolic sequence (what is shown when, and the expected answer), for feeding another
//                   model (a cortex simulation) the same stimuli.
//
// The tasks (parameters in the structs below):
//   nback      a stream of `items` letters from an alphabet of A, each shown for stim_steps then a gap of
//              gap_steps; from item n on, the answer is "match" (class 1) if the letter equals the one n items
//              back, else "non-match" (class 0). Item i >= n repeats letter i - n with probability
//              match_probability, otherwise it is drawn uniformly from the A - 1 other letters (so the answer
//              is exact); items 0..n-1 are uniform. Response window of item i >= n: from
//              onset + response_delay_steps to the next onset. Inputs: A one-hot channels.
//   dms        delayed match-to-sample: a sample (one of A stimuli) for sample_steps, a delay of delay_steps,
//              a test stimulus for test_steps, then response_steps more; the test equals the sample with
//              probability match_probability (else one of the A - 1 others). Response window: from
//              test onset + response_delay_steps to the end. Classes 0 non-match, 1 match. Inputs: A channels.
//   cue_delay  working memory: one of K cues for cue_steps, a delay of delay_steps, then a go signal for
//              response_steps during which the answer is the cue (class = cue). Response window: the go period
//              from response_delay_steps on. Inputs: K cue channels and one go channel (the last).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cortexsim::rnn {

/// One shown stimulus of a trial.
struct task_event {
    std::string what;             // "letter" (nback), "sample", "test" (dms), "cue", "go" (cue_delay)
    int symbol = -1;              // letter / stimulus / cue index (input channel); -1 for "go"
    std::int64_t onset_step = 0;  // first step it is shown
    std::int64_t n_steps = 0;     // how long it is shown
    int answer = -1;              // the class expected in the response window that follows it (-1: none)
};

struct trial {
    std::int64_t n_steps = 0;
    std::size_t n_in = 0, n_out = 0;
    std::vector<double> x;     // [n_steps][n_in]
    std::vector<int> target;   // [n_steps]; class index or -1
    std::vector<double> y;     // [n_steps][n_out]
    std::vector<double> mask;  // [n_steps]; 0 or 1
    std::vector<task_event> events;
};

struct nback_params {
    int n = 2;                    // >= 1
    int alphabet = 8;             // A >= 2
    int items = 20;               // letters per trial (stream), > n
    std::int64_t stim_steps = 4;  // >= 1
    std::int64_t gap_steps = 2;   // >= 0
    double match_probability = 0.4;
    std::int64_t response_delay_steps = 1;  // 0 .. stim_steps + gap_steps - 1
};

struct dms_params {
    int stimuli = 8;             // A >= 2
    std::int64_t pre_steps = 0;  // fixation before the sample (no input)
    std::int64_t sample_steps = 4, delay_steps = 10, test_steps = 4, response_steps = 2;
    double match_probability = 0.5;
    std::int64_t response_delay_steps = 1;  // 0 .. test_steps + response_steps - 1
};

struct cue_delay_params {
    int cues = 4;  // K >= 2
    std::int64_t pre_steps = 0;
    std::int64_t cue_steps = 4, delay_steps = 10, response_steps = 4;
    std::int64_t response_delay_steps = 0;  // 0 .. response_steps - 1
};

/// A task: a generator of trials. Thread-safe and stateless after construction.
class task {
public:
    virtual ~task() = default;
    virtual std::string name() const = 0;  // "nback", "dms", "cue_delay"
    /// One line with the name and every parameter, e.g. "nback n=2 alphabet=8 items=20 ... seed=1";
    /// task_from_description() reads it back.
    virtual std::string description() const = 0;
    virtual std::size_t n_inputs() const = 0;
    virtual std::size_t n_outputs() const = 0;  // number of response classes
    virtual std::int64_t n_steps() const = 0;   // steps per trial (all trials have the same length)
    /// Trial `index` of the task with the given seed (deterministic; independent of ranks).
    virtual trial generate(std::uint64_t seed, std::uint64_t index) const = 0;
    /// The default seed of the task (the config's task.seed); generate(seed(), i) is trial i of training.
    std::uint64_t seed() const { return seed_; }

protected:
    explicit task(std::uint64_t seed) : seed_(seed) {}
    std::uint64_t seed_;
};

/// Constructors; throw config_error naming the parameter if a value is out of range.
std::shared_ptr<const task> make_nback(const nback_params& p, std::uint64_t seed);
std::shared_ptr<const task> make_dms(const dms_params& p, std::uint64_t seed);
std::shared_ptr<const task> make_cue_delay(const cue_delay_params& p, std::uint64_t seed);

/// Rebuilds a task from its description() (as stored in a weights file); throws data_error.
std::shared_ptr<const task> task_from_description(const std::string& description);

/// The letters of n-back stream `index` (what generate() shows, in order), and the answers (class of each
/// item: 1 match, 0 non-match, -1 for the first n items).
std::vector<int> nback_letters(const nback_params& p, std::uint64_t seed, std::uint64_t index);
std::vector<int> nback_answers(const std::vector<int>& letters, int n);

}  // namespace cortexsim::rnn
