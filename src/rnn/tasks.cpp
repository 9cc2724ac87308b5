#include "cortexsim/rnn/tasks.hpp"
#include "cortexsim/common/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <type_traits>

#include "cortexsim/common/counter_rng.hpp"
#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/memory.hpp"

namespace cortexsim::rnn {
namespace {

constexpr std::uint32_t tag_nback = 32, tag_dms = 33, tag_cue = 34;

/// floor(u * k) for u in (0, 1), clamped to k - 1.
int pick(double u, int k) { return std::min(k - 1, static_cast<int>(u * k)); }

/// A uniform choice among the k - 1 symbols other than `other`.
int pick_other(double u, int k, int other) {
    const int r = pick(u, k - 1);
    return r < other ? r : r + 1;
}

std::string num(double v) { return shortest_text(v); }

void require(bool ok, const std::string& task, const std::string& what) {
    if (!ok) throw config_error("task " + task + ": " + what);
}

/// The largest number of steps of one trial (2^30).
constexpr double max_trial_steps = 1073741824.0;

/// A trial of `steps` steps (summed as doubles: no overflow) must have at most 2^30 steps and fit in memory
/// (its inputs, targets and mask are held whole).
void require_trial_size(const std::string& task, double steps, double n_in, double n_out) {
    require(steps <= max_trial_steps, task,
            "a trial of " + num(steps) + " steps is longer than the largest trial of 2^30 steps");
    check_allocation(product_of({steps, 8.0 * (n_in + n_out) + 12.0}),
                     "task " + task + ": a trial of " + num(steps) + " steps x " + num(n_in) + " inputs");
}

trial empty_trial(std::int64_t n_steps, std::size_t n_in, std::size_t n_out) {
    trial tr;
    tr.n_steps = n_steps;
    tr.n_in = n_in;
    tr.n_out = n_out;
    const auto T = static_cast<std::size_t>(n_steps);
    tr.x.assign(T * n_in, 0.0);
    tr.target.assign(T, -1);
    tr.y.assign(T * n_out, 0.0);
    tr.mask.assign(T, 0.0);
    return tr;
}

void show(trial& tr, int channel, std::int64_t from, std::int64_t n) {
    for (std::int64_t t = from; t < from + n; ++t)
        tr.x[static_cast<std::size_t>(t) * tr.n_in + static_cast<std::size_t>(channel)] = 1.0;
}

void respond(trial& tr, int cls, std::int64_t from, std::int64_t to) {
    for (std::int64_t t = from; t < to; ++t) {
        const auto ts = static_cast<std::size_t>(t);
        tr.target[ts] = cls;
        tr.mask[ts] = 1.0;
        tr.y[ts * tr.n_out + static_cast<std::size_t>(cls)] = 1.0;
    }
}

// ---- n-back -------------------------------------------------------------------------------------------------

class nback_task final : public task {
public:
    nback_task(const nback_params& p, std::uint64_t seed) : task(seed), p_(p) {
        require(p.n >= 1, "nback", "n = " + std::to_string(p.n) + " must be >= 1");
        require(p.alphabet >= 2, "nback", "alphabet = " + std::to_string(p.alphabet) + " must be >= 2");
        require(p.items > p.n, "nback",
                "items = " + std::to_string(p.items) + " must be larger than n = " + std::to_string(p.n));
        require(p.stim_steps >= 1, "nback", "stim_steps = " + std::to_string(p.stim_steps) + " must be >= 1");
        require(p.gap_steps >= 0, "nback", "gap_steps = " + std::to_string(p.gap_steps) + " must be >= 0");
        require(p.match_probability >= 0.0 && p.match_probability <= 1.0, "nback",
                "match_probability = " + num(p.match_probability) + " must be in [0, 1]");
        require_trial_size("nback",
                           static_cast<double>(p.items) *
                               (static_cast<double>(p.stim_steps) + static_cast<double>(p.gap_steps)),
                           p.alphabet, 2);
        require(p.response_delay_steps >= 0 && p.response_delay_steps < p.stim_steps + p.gap_steps, "nback",
                "response_delay_steps = " + std::to_string(p.response_delay_steps) + " must be in [0, " +
                    std::to_string(p.stim_steps + p.gap_steps - 1) + "]");
    }
    std::string name() const override { return "nback"; }
    std::string description() const override {
        return "nback n=" + std::to_string(p_.n) + " alphabet=" + std::to_string(p_.alphabet) +
               " items=" + std::to_string(p_.items) + " stim_steps=" + std::to_string(p_.stim_steps) +
               " gap_steps=" + std::to_string(p_.gap_steps) + " match_probability=" + num(p_.match_probability) +
               " response_delay_steps=" + std::to_string(p_.response_delay_steps) + " seed=" + std::to_string(seed_);
    }
    std::size_t n_inputs() const override { return static_cast<std::size_t>(p_.alphabet); }
    std::size_t n_outputs() const override { return 2; }
    std::int64_t n_steps() const override { return p_.items * (p_.stim_steps + p_.gap_steps); }
    trial generate(std::uint64_t seed, std::uint64_t index) const override {
        const auto letters = nback_letters(p_, seed, index);
        const auto answers = nback_answers(letters, p_.n);
        trial tr = empty_trial(n_steps(), n_inputs(), n_outputs());
        const std::int64_t period = p_.stim_steps + p_.gap_steps;
        for (int i = 0; i < p_.items; ++i) {
            const std::int64_t onset = i * period;
            show(tr, letters[static_cast<std::size_t>(i)], onset, p_.stim_steps);
            const int a = answers[static_cast<std::size_t>(i)];
            if (a >= 0) respond(tr, a, onset + p_.response_delay_steps, onset + period);
            tr.events.push_back({"letter", letters[static_cast<std::size_t>(i)], onset, p_.stim_steps, a});
        }
        return tr;
    }

private:
    nback_params p_;
};

// ---- delayed match-to-sample --------------------------------------------------------------------------------

class dms_task final : public task {
public:
    dms_task(const dms_params& p, std::uint64_t seed) : task(seed), p_(p) {
        require(p.stimuli >= 2, "dms", "stimuli = " + std::to_string(p.stimuli) + " must be >= 2");
        require(p.pre_steps >= 0, "dms", "pre_steps must be >= 0");
        require(p.sample_steps >= 1, "dms", "sample_steps must be >= 1");
        require(p.delay_steps >= 0, "dms", "delay_steps must be >= 0");
        require(p.test_steps >= 1, "dms", "test_steps must be >= 1");
        require(p.response_steps >= 0, "dms", "response_steps must be >= 0");
        require(p.match_probability >= 0.0 && p.match_probability <= 1.0, "dms",
                "match_probability = " + num(p.match_probability) + " must be in [0, 1]");
        require_trial_size("dms",
                           static_cast<double>(p.pre_steps) + static_cast<double>(p.sample_steps) +
                               static_cast<double>(p.delay_steps) + static_cast<double>(p.test_steps) +
                               static_cast<double>(p.response_steps),
                           p.stimuli, 2);
        require(p.response_delay_steps >= 0 && p.response_delay_steps < p.test_steps + p.response_steps, "dms",
                "response_delay_steps = " + std::to_string(p.response_delay_steps) + " must be in [0, " +
                    std::to_string(p.test_steps + p.response_steps - 1) + "]");
    }
    std::string name() const override { return "dms"; }
    std::string description() const override {
        return "dms stimuli=" + std::to_string(p_.stimuli) + " pre_steps=" + std::to_string(p_.pre_steps) +
               " sample_steps=" + std::to_string(p_.sample_steps) + " delay_steps=" + std::to_string(p_.delay_steps) +
               " test_steps=" + std::to_string(p_.test_steps) + " response_steps=" + std::to_string(p_.response_steps) +
               " match_probability=" + num(p_.match_probability) +
               " response_delay_steps=" + std::to_string(p_.response_delay_steps) + " seed=" + std::to_string(seed_);
    }
    std::size_t n_inputs() const override { return static_cast<std::size_t>(p_.stimuli); }
    std::size_t n_outputs() const override { return 2; }
    std::int64_t n_steps() const override {
        return p_.pre_steps + p_.sample_steps + p_.delay_steps + p_.test_steps + p_.response_steps;
    }
    trial generate(std::uint64_t seed, std::uint64_t index) const override {
        const auto u = uniform01x4(counter_of(index, 0, tag_dms), key_of(seed));
        const int sample = pick(u[0], p_.stimuli);
        const bool match = u[1] < p_.match_probability;
        const int test = match ? sample : pick_other(u[2], p_.stimuli, sample);
        trial tr = empty_trial(n_steps(), n_inputs(), n_outputs());
        const std::int64_t s_on = p_.pre_steps, t_on = s_on + p_.sample_steps + p_.delay_steps;
        show(tr, sample, s_on, p_.sample_steps);
        show(tr, test, t_on, p_.test_steps);
        respond(tr, match ? 1 : 0, t_on + p_.response_delay_steps, n_steps());
        tr.events.push_back({"sample", sample, s_on, p_.sample_steps, -1});
        tr.events.push_back({"test", test, t_on, p_.test_steps, match ? 1 : 0});
        return tr;
    }

private:
    dms_params p_;
};

// ---- cue / delay / response ---------------------------------------------------------------------------------

class cue_delay_task final : public task {
public:
    cue_delay_task(const cue_delay_params& p, std::uint64_t seed) : task(seed), p_(p) {
        require(p.cues >= 2, "cue_delay", "cues = " + std::to_string(p.cues) + " must be >= 2");
        require(p.pre_steps >= 0, "cue_delay", "pre_steps must be >= 0");
        require(p.cue_steps >= 1, "cue_delay", "cue_steps must be >= 1");
        require(p.delay_steps >= 0, "cue_delay", "delay_steps must be >= 0");
        require(p.response_steps >= 1, "cue_delay", "response_steps must be >= 1");
        require_trial_size("cue_delay",
                           static_cast<double>(p.pre_steps) + static_cast<double>(p.cue_steps) +
                               static_cast<double>(p.delay_steps) + static_cast<double>(p.response_steps),
                           static_cast<double>(p.cues) + 1.0, p.cues);
        require(p.response_delay_steps >= 0 && p.response_delay_steps < p.response_steps, "cue_delay",
                "response_delay_steps = " + std::to_string(p.response_delay_steps) + " must be in [0, " +
                    std::to_string(p.response_steps - 1) + "]");
    }
    std::string name() const override { return "cue_delay"; }
    std::string description() const override {
        return "cue_delay cues=" + std::to_string(p_.cues) + " pre_steps=" + std::to_string(p_.pre_steps) +
               " cue_steps=" + std::to_string(p_.cue_steps) + " delay_steps=" + std::to_string(p_.delay_steps) +
               " response_steps=" + std::to_string(p_.response_steps) +
               " response_delay_steps=" + std::to_string(p_.response_delay_steps) + " seed=" + std::to_string(seed_);
    }
    std::size_t n_inputs() const override { return static_cast<std::size_t>(p_.cues) + 1; }
    std::size_t n_outputs() const override { return static_cast<std::size_t>(p_.cues); }
    std::int64_t n_steps() const override { return p_.pre_steps + p_.cue_steps + p_.delay_steps + p_.response_steps; }
    trial generate(std::uint64_t seed, std::uint64_t index) const override {
        const auto u = uniform01x4(counter_of(index, 0, tag_cue), key_of(seed));
        const int cue = pick(u[0], p_.cues);
        trial tr = empty_trial(n_steps(), n_inputs(), n_outputs());
        const std::int64_t go_on = p_.pre_steps + p_.cue_steps + p_.delay_steps;
        show(tr, cue, p_.pre_steps, p_.cue_steps);
        show(tr, p_.cues, go_on, p_.response_steps);
        respond(tr, cue, go_on + p_.response_delay_steps, n_steps());
        tr.events.push_back({"cue", cue, p_.pre_steps, p_.cue_steps, -1});
        tr.events.push_back({"go", -1, go_on, p_.response_steps, cue});
        return tr;
    }

private:
    cue_delay_params p_;
};

}  // namespace

std::vector<int> nback_letters(const nback_params& p, std::uint64_t seed, std::uint64_t index) {
    std::vector<int> letters(static_cast<std::size_t>(std::max(p.items, 0)));
    const auto key = key_of(seed);
    for (int i = 0; i < p.items; ++i) {
        const auto u = uniform01x4(counter_of(index, static_cast<std::uint32_t>(i), tag_nback), key);
        const auto is = static_cast<std::size_t>(i);
        if (i < p.n)
            letters[is] = pick(u[1], p.alphabet);
        else if (u[0] < p.match_probability)
            letters[is] = letters[is - static_cast<std::size_t>(p.n)];
        else
            letters[is] = pick_other(u[1], p.alphabet, letters[is - static_cast<std::size_t>(p.n)]);
    }
    return letters;
}

std::vector<int> nback_answers(const std::vector<int>& letters, int n) {
    std::vector<int> a(letters.size(), -1);
    for (std::size_t i = static_cast<std::size_t>(n); i < letters.size(); ++i)
        a[i] = letters[i] == letters[i - static_cast<std::size_t>(n)] ? 1 : 0;
    return a;
}

std::shared_ptr<const task> make_nback(const nback_params& p, std::uint64_t seed) {
    return std::make_shared<nback_task>(p, seed);
}
std::shared_ptr<const task> make_dms(const dms_params& p, std::uint64_t seed) {
    return std::make_shared<dms_task>(p, seed);
}
std::shared_ptr<const task> make_cue_delay(const cue_delay_params& p, std::uint64_t seed) {
    return std::make_shared<cue_delay_task>(p, seed);
}

std::shared_ptr<const task> task_from_description(const std::string& description) {
    std::istringstream in(description);
    std::string name, tok;
    in >> name;
    std::map<std::string, std::string> kv;
    while (in >> tok) {
        const auto eq = tok.find('=');
        if (eq == std::string::npos || eq == 0)
            throw data_error("task description '" + description + "': '" + tok + "' is not key=value");
        kv[tok.substr(0, eq)] = tok.substr(eq + 1);
    }
    auto take = [&](const char* k, auto def) {
        using T = decltype(def);
        const auto it = kv.find(k);
        if (it == kv.end()) return def;
        const std::string v = it->second;
        kv.erase(it);
        try {
            std::size_t used = 0;
            T out{};
            if constexpr (std::is_same_v<T, double>)
                out = std::stod(v, &used);
            else if constexpr (std::is_same_v<T, std::uint64_t>)
                out = std::stoull(v, &used);
            else
                out = static_cast<T>(std::stoll(v, &used));
            if (used != v.size()) throw 0;
            return out;
        } catch (...) {
            throw data_error("task description '" + description + "': " + k + " = '" + v + "' is not a number");
        }
    };
    std::shared_ptr<const task> t;
    try {
        if (name == "nback") {
            nback_params p;
            p.n = take("n", p.n);
            p.alphabet = take("alphabet", p.alphabet);
            p.items = take("items", p.items);
            p.stim_steps = take("stim_steps", p.stim_steps);
            p.gap_steps = take("gap_steps", p.gap_steps);
            p.match_probability = take("match_probability", p.match_probability);
            p.response_delay_steps = take("response_delay_steps", p.response_delay_steps);
            const auto seed = take("seed", std::uint64_t{1});
            t = make_nback(p, seed);
        } else if (name == "dms") {
            dms_params p;
            p.stimuli = take("stimuli", p.stimuli);
            p.pre_steps = take("pre_steps", p.pre_steps);
            p.sample_steps = take("sample_steps", p.sample_steps);
            p.delay_steps = take("delay_steps", p.delay_steps);
            p.test_steps = take("test_steps", p.test_steps);
            p.response_steps = take("response_steps", p.response_steps);
            p.match_probability = take("match_probability", p.match_probability);
            p.response_delay_steps = take("response_delay_steps", p.response_delay_steps);
            const auto seed = take("seed", std::uint64_t{1});
            t = make_dms(p, seed);
        } else if (name == "cue_delay") {
            cue_delay_params p;
            p.cues = take("cues", p.cues);
            p.pre_steps = take("pre_steps", p.pre_steps);
            p.cue_steps = take("cue_steps", p.cue_steps);
            p.delay_steps = take("delay_steps", p.delay_steps);
            p.response_steps = take("response_steps", p.response_steps);
            p.response_delay_steps = take("response_delay_steps", p.response_delay_steps);
            const auto seed = take("seed", std::uint64_t{1});
            t = make_cue_delay(p, seed);
        } else {
            throw data_error("task description '" + description + "': unknown task '" + name +
                             "' (known: nback, dms, cue_delay)");
        }
    } catch (const config_error& e) {
        throw data_error("task description '" + description + "': " + e.what());
    }
    if (!kv.empty())
        throw data_error("task description '" + description + "': unknown parameter '" + kv.begin()->first + "'");
    return t;
}

}  // namespace cortexsim::rnn
