// A task written as a map of keys: `task:` of a training config and `model.rnn.task` of a run config (docs/rnn.md).
#include <cmath>

#include "config_sections.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/rnn/tasks.hpp"

namespace cortexsim::config_sections {
namespace {

/// A number in [lo, hi].
double number_in(const section& s, const char* k, double def, double lo, double hi) {
    const double v = s.number(k, def);
    if (v < lo || v > hi)
        throw config_error(s.origin() + ": '" + s.key(k) + "' = " + shortest_text(v) + " must be in [" +
                           shortest_text(lo) + ", " + shortest_text(hi) + "]");
    return v;
}

int small_whole(const section& s, const char* k, int def, int min) {
    return static_cast<int>(s.whole(k, def, min, std::int64_t{1} << 30));
}

std::shared_ptr<const rnn::task> make_task(const section& s, const std::string& name, std::uint64_t seed) {
    if (name == "nback") {
        s.only({"name", "kind", "seed", "n", "alphabet", "items", "stim_steps", "gap_steps", "match_probability",
                "response_delay_steps"});
        rnn::nback_params p;
        p.n = small_whole(s, "n", p.n, 1);
        p.alphabet = small_whole(s, "alphabet", p.alphabet, 2);
        p.items = small_whole(s, "items", p.items, 2);
        p.stim_steps = s.whole("stim_steps", p.stim_steps, 1);
        p.gap_steps = s.whole("gap_steps", p.gap_steps, 0);
        p.match_probability = number_in(s, "match_probability", p.match_probability, 0.0, 1.0);
        p.response_delay_steps = s.whole("response_delay_steps", p.response_delay_steps, 0);
        return rnn::make_nback(p, seed);
    }
    if (name == "dms") {
        s.only({"name", "kind", "seed", "stimuli", "pre_steps", "sample_steps", "delay_steps", "test_steps",
                "response_steps", "match_probability", "response_delay_steps"});
        rnn::dms_params p;
        p.stimuli = small_whole(s, "stimuli", p.stimuli, 2);
        p.pre_steps = s.whole("pre_steps", p.pre_steps, 0);
        p.sample_steps = s.whole("sample_steps", p.sample_steps, 1);
        p.delay_steps = s.whole("delay_steps", p.delay_steps, 0);
        p.test_steps = s.whole("test_steps", p.test_steps, 1);
        p.response_steps = s.whole("response_steps", p.response_steps, 0);
        p.match_probability = number_in(s, "match_probability", p.match_probability, 0.0, 1.0);
        p.response_delay_steps = s.whole("response_delay_steps", p.response_delay_steps, 0);
        return rnn::make_dms(p, seed);
    }
    if (name == "cue_delay") {
        s.only({"name", "kind", "seed", "cues", "pre_steps", "cue_steps", "delay_steps", "response_steps",
                "response_delay_steps"});
        rnn::cue_delay_params p;
        p.cues = small_whole(s, "cues", p.cues, 2);
        p.pre_steps = s.whole("pre_steps", p.pre_steps, 0);
        p.cue_steps = s.whole("cue_steps", p.cue_steps, 1);
        p.delay_steps = s.whole("delay_steps", p.delay_steps, 0);
        p.response_steps = s.whole("response_steps", p.response_steps, 1);
        p.response_delay_steps = s.whole("response_delay_steps", p.response_delay_steps, 0);
        return rnn::make_cue_delay(p, seed);
    }
    return nullptr;
}

}  // namespace

std::shared_ptr<const rnn::task> read_task(const section& s) {
    if (s.has("name") && s.has("kind"))
        throw config_error(s.origin() + ": '" + s.path() + "' has both 'name' and 'kind' (one of them names the task)");
    const char* name_key = s.has("kind") ? "kind" : "name";
    const std::string name = s.required_text(name_key);
    const auto seed = static_cast<std::uint64_t>(s.whole("seed", 1));
    std::shared_ptr<const rnn::task> task;
    try {
        task = make_task(s, name, seed);
    } catch (const config_error& e) {
        const std::string m = e.what();
        if (m.rfind(s.origin() + ":", 0) == 0) throw;
        throw config_error(s.origin() + ": '" + s.display() + "': " + m);  // a constraint between keys
    }
    if (!task)
        throw config_error(s.origin() + ": '" + s.key(name_key) + "' = '" + name +
                           "' (allowed: nback, dms, cue_delay)");
    return task;
}

}  // namespace cortexsim::config_sections
