// Task generators (tasks.hpp): n-back targets by an independent check, determinism, masks, DMS, cue/delay.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstring>
#include <map>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/rnn/tasks.hpp"

using namespace cortexsim;
using namespace cortexsim::rnn;

namespace {

/// The letter shown at step t (the single 1 of x[t]), or -1 if none; fails the test on a malformed row.
int shown(const trial& tr, std::int64_t t) {
    int which = -1;
    for (std::size_t k = 0; k < tr.n_in; ++k) {
        const double v = tr.x[static_cast<std::size_t>(t) * tr.n_in + k];
        EXPECT_TRUE(v == 0.0 || v == 1.0) << "step " << t;
        if (v == 1.0) {
            EXPECT_EQ(which, -1) << "two inputs on at step " << t;
            which = static_cast<int>(k);
        }
    }
    return which;
}

std::string digest(const trial& tr) {
    sha256 h;
    h.update(tr.x.data(), tr.x.size() * sizeof(double));
    h.update(tr.target.data(), tr.target.size() * sizeof(int));
    h.update(tr.mask.data(), tr.mask.size() * sizeof(double));
    h.update(tr.y.data(), tr.y.size() * sizeof(double));
    return h.hex();
}

}  // namespace

TEST(RnnTasks, NbackTargetsAndMasksByIndependentCheck) {
    for (int n : {1, 2, 3}) {
        nback_params p;
        p.n = n;
        p.alphabet = 5;
        p.items = 25;
        p.stim_steps = 3;
        p.gap_steps = 2;
        p.match_probability = 0.4;
        p.response_delay_steps = 1;
        const auto t = make_nback(p, 42);
        ASSERT_EQ(t->n_inputs(), 5u);
        ASSERT_EQ(t->n_outputs(), 2u);
        ASSERT_EQ(t->n_steps(), 25 * 5);
        for (std::uint64_t idx : {0ULL, 1ULL, 7ULL, 123456789ULL}) {
            const trial tr = t->generate(42, idx);
            ASSERT_EQ(tr.n_steps, 125);
            ASSERT_EQ(tr.x.size(), 125u * 5u);
            ASSERT_EQ(tr.y.size(), 125u * 2u);
            // read the letters back from the inputs: on for the stimulus steps, all off in the gaps
            std::vector<int> letters;
            for (int i = 0; i < p.items; ++i) {
                const std::int64_t on = i * 5;
                const int l = shown(tr, on);
                ASSERT_GE(l, 0);
                for (std::int64_t s = 1; s < 3; ++s) EXPECT_EQ(shown(tr, on + s), l);
                for (std::int64_t s = 3; s < 5; ++s) EXPECT_EQ(shown(tr, on + s), -1);
                letters.push_back(l);
            }
            EXPECT_EQ(letters, nback_letters(p, 42, idx));
            // the expected answer of every step, computed here from the letters
            for (int i = 0; i < p.items; ++i)
                for (std::int64_t s = 0; s < 5; ++s) {
                    const auto tt = static_cast<std::size_t>(i * 5 + s);
                    const bool counts = i >= n && s >= 1;
                    const int want =
                        !counts                                                                              ? -1
                        : (letters[static_cast<std::size_t>(i)] == letters[static_cast<std::size_t>(i - n)]) ? 1
                                                                                                             : 0;
                    EXPECT_EQ(tr.mask[tt], counts ? 1.0 : 0.0) << "n=" << n << " item " << i << " step " << s;
                    EXPECT_EQ(tr.target[tt], want) << "n=" << n << " item " << i << " step " << s;
                    for (int k = 0; k < 2; ++k)
                        EXPECT_EQ(tr.y[tt * 2 + static_cast<std::size_t>(k)], want == k ? 1.0 : 0.0);
                }
            // events: the same letters, onsets and answers
            ASSERT_EQ(tr.events.size(), static_cast<std::size_t>(p.items));
            for (int i = 0; i < p.items; ++i) {
                const auto& e = tr.events[static_cast<std::size_t>(i)];
                EXPECT_EQ(e.what, "letter");
                EXPECT_EQ(e.symbol, letters[static_cast<std::size_t>(i)]);
                EXPECT_EQ(e.onset_step, i * 5);
                EXPECT_EQ(e.n_steps, 3);
                EXPECT_EQ(e.answer,
                          i < n ? -1
                                : (letters[static_cast<std::size_t>(i)] == letters[static_cast<std::size_t>(i - n)]));
            }
        }
    }
}

TEST(RnnTasks, NbackMatchProbabilityAndLetterFrequencies) {
    for (double pm : {0.3, 0.5}) {
        nback_params p;
        p.n = 2;
        p.alphabet = 4;
        p.items = 50;
        p.match_probability = pm;
        std::int64_t matches = 0, answers = 0;
        std::map<int, std::int64_t> freq;
        for (std::uint64_t i = 0; i < 400; ++i) {
            const auto l = nback_letters(p, 9, i);
            for (std::size_t k = 0; k < l.size(); ++k) {
                ++freq[l[k]];
                if (k >= 2) {
                    ++answers;
                    matches += l[k] == l[k - 2];
                }
            }
        }
        const double f = static_cast<double>(matches) / static_cast<double>(answers);
        // 19200 Bernoulli draws: standard deviation < 0.004
        EXPECT_NEAR(f, pm, 0.02) << "match probability " << pm;
        ASSERT_EQ(freq.size(), 4u);
        for (const auto& [letter, c] : freq) EXPECT_NEAR(static_cast<double>(c) / 20000.0, 0.25, 0.02) << letter;
    }
}

TEST(RnnTasks, SameSeedSameSequenceOtherSeedOrIndexOther) {
    nback_params p;
    const auto t = make_nback(p, 5);
    const trial a = t->generate(5, 17), b = t->generate(5, 17);
    EXPECT_EQ(digest(a), digest(b));
    EXPECT_NE(digest(a), digest(t->generate(5, 18)));
    EXPECT_NE(digest(a), digest(t->generate(6, 17)));
    // order of generation does not matter (no hidden state)
    const auto t2 = make_nback(p, 5);
    (void)t2->generate(5, 3);
    EXPECT_EQ(digest(t2->generate(5, 17)), digest(a));
    // every rank generates the same trial: compare digests across the communicator
    const std::string d = digest(t->generate(5, 1000 + 0));
    std::vector<char> mine(d.begin(), d.end()), r0(mine);
    MPI_Bcast(r0.data(), static_cast<int>(r0.size()), MPI_CHAR, 0, MPI_COMM_WORLD);
    EXPECT_EQ(mine, r0);
}

TEST(RnnTasks, DelayedMatchToSample) {
    dms_params p;
    p.stimuli = 4;
    p.pre_steps = 2;
    p.sample_steps = 3;
    p.delay_steps = 5;
    p.test_steps = 2;
    p.response_steps = 3;
    p.match_probability = 0.5;
    p.response_delay_steps = 1;
    const auto t = make_dms(p, 3);
    ASSERT_EQ(t->n_steps(), 15);
    int matches = 0;
    for (std::uint64_t i = 0; i < 300; ++i) {
        const trial tr = t->generate(3, i);
        const int sample = shown(tr, 2), test = shown(tr, 10);
        ASSERT_GE(sample, 0);
        ASSERT_GE(test, 0);
        for (std::int64_t s = 0; s < 15; ++s) {
            const int want_in = s >= 2 && s < 5 ? sample : s >= 10 && s < 12 ? test : -1;
            EXPECT_EQ(shown(tr, s), want_in) << "step " << s;
            const bool counts = s >= 11;
            EXPECT_EQ(tr.mask[static_cast<std::size_t>(s)], counts ? 1.0 : 0.0);
            EXPECT_EQ(tr.target[static_cast<std::size_t>(s)], counts ? (sample == test ? 1 : 0) : -1);
        }
        matches += sample == test;
        ASSERT_EQ(tr.events.size(), 2u);
        EXPECT_EQ(tr.events[1].answer, sample == test ? 1 : 0);
    }
    EXPECT_NEAR(matches / 300.0, 0.5, 0.1);
}

TEST(RnnTasks, CueDelayResponse) {
    cue_delay_params p;
    p.cues = 3;
    p.pre_steps = 1;
    p.cue_steps = 2;
    p.delay_steps = 4;
    p.response_steps = 3;
    p.response_delay_steps = 1;
    const auto t = make_cue_delay(p, 11);
    ASSERT_EQ(t->n_inputs(), 4u);
    ASSERT_EQ(t->n_outputs(), 3u);
    ASSERT_EQ(t->n_steps(), 10);
    std::map<int, int> seen;
    for (std::uint64_t i = 0; i < 90; ++i) {
        const trial tr = t->generate(11, i);
        const int cue = shown(tr, 1);
        ASSERT_GE(cue, 0);
        ASSERT_LT(cue, 3);
        ++seen[cue];
        for (std::int64_t s = 0; s < 10; ++s) {
            const int want_in = s >= 1 && s < 3 ? cue : s >= 7 ? 3 : -1;
            EXPECT_EQ(shown(tr, s), want_in) << "step " << s;
            EXPECT_EQ(tr.mask[static_cast<std::size_t>(s)], s >= 8 ? 1.0 : 0.0);
            EXPECT_EQ(tr.target[static_cast<std::size_t>(s)], s >= 8 ? cue : -1);
        }
    }
    EXPECT_EQ(seen.size(), 3u);
}

TEST(RnnTasks, DescriptionRoundTripAndBadParameters) {
    nback_params p;
    p.n = 3;
    p.alphabet = 7;
    p.match_probability = 0.35;
    const auto a = make_nback(p, 99);
    const auto b = task_from_description(a->description());
    EXPECT_EQ(b->description(), a->description());
    EXPECT_EQ(digest(a->generate(99, 4)), digest(b->generate(b->seed(), 4)));
    for (const auto& t : {make_dms(dms_params{}, 2), make_cue_delay(cue_delay_params{}, 3)})
        EXPECT_EQ(task_from_description(t->description())->description(), t->description());
    EXPECT_THROW(task_from_description("nback n=2 bogus=1"), data_error);
    EXPECT_THROW(task_from_description("flanker n=2"), data_error);
    nback_params bad = p;
    bad.items = 3;  // not more than n
    EXPECT_THROW(make_nback(bad, 1), config_error);
    bad = p;
    bad.response_delay_steps = 6;  // beyond the letter's period
    EXPECT_THROW(make_nback(bad, 1), config_error);
}
