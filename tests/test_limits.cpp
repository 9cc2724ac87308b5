// Bad input at the limits (docs/config.md, "Limits"): times that are too many steps, sizes that cannot be
// allocated, messages that echo input text (escaped) and name the right thing, the first column of a CSV table.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/format.hpp"
#include "cortexsim/common/memory.hpp"
#include "cortexsim/common/time.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/config/train_config.hpp"
#include "cortexsim/connectivity/csv.hpp"
#include "cortexsim/rnn/tasks.hpp"
#include "test_support.hpp"

using namespace cortexsim;
using cortexsim::test::data_dir;
using cortexsim::test::source_dir;

namespace {

/// The message of the cortexsim::error of type E that `f` throws ("" if none); checks that it is one line of
/// printable ASCII.
template <class E = config_error, class F>
std::string error_of(F f) {
    try {
        f();
    } catch (const E& e) {
        const std::string m = e.what();
        for (char c : m) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "not printable ASCII: " << m;
        return m;
    }
    return "";
}

model_spec tiny(const std::vector<std::string>& overrides = {}) {
    return load_config(data_dir() + "/tiny/tiny.yaml", overrides);
}
model_spec shipped(const std::string& name, const std::vector<std::string>& overrides = {}) {
    return load_config(source_dir() + "/configs/" + name, overrides);
}

bool has(const std::string& m, const std::string& part) { return m.find(part) != std::string::npos; }

const char* const train_text = R"(task: {name: nback, n: 1, alphabet: 3, items: 6}
network: {units: 8, dt_ms: 10, tau_ms: 20}
training: {batch: 4, iterations: 3}
)";

}  // namespace

// ---- common helpers ------------------------------------------------------------------------------------------

TEST(limits, printable_escapes_control_and_non_ascii_bytes) {
    EXPECT_EQ(printable("V1"), "V1");
    EXPECT_EQ(printable(std::string("a\nb\tc\x01\x7f\xff\xfe", 9)), "a\\nb\\tc\\x01\\x7f\\xff\\xfe");
    EXPECT_EQ(printable(std::string(1, '\0')), "\\x00");
    EXPECT_EQ(printable(std::string(300, 'x'), 10), "xxxxxxxxxx... (300 bytes)");
}

TEST(limits, sizes_for_messages) {
    EXPECT_EQ(bytes_text(512), "512 bytes");
    EXPECT_EQ(bytes_text(8000000002056.0), "7.28 TiB (8000000002056 bytes)");
    EXPECT_TRUE(has(bytes_text(1e300), "bytes"));
    EXPECT_EQ(product_of({1e300, 1e300}), INFINITY);
    EXPECT_GT(available_memory_bytes(), 0u);
    EXPECT_NO_THROW(check_allocation(1e6, "a small buffer"));
    const std::string m = error_of([] { check_allocation(1e30, "the thing (key.x = 3)"); });
    EXPECT_EQ(m.rfind("the thing (key.x = 3) needs ", 0), 0u) << m;
    EXPECT_TRUE(has(m, "more than the memory available (")) << m;
    EXPECT_TRUE(has(error_of([] { check_allocation(INFINITY, "x"); }), "needs")) << "inf is refused";
    EXPECT_TRUE(has(error_of([] { check_allocation(NAN, "x"); }), "needs")) << "nan is refused";
}

TEST(limits, nearest_steps_are_range_checked) {
    EXPECT_EQ(nearest_steps_of(10.2, 0.5, "w"), 20);
    EXPECT_EQ(nearest_steps_of(10.25, 0.5, "w"), 21);  // half away from zero, as std::llround
    EXPECT_TRUE(has(error_of([] { nearest_steps_of(1e300, 0.5, "'analysis.delay_ms' end"); }),
                    "'analysis.delay_ms' end = 1e+300 ms is 2e+300 steps of run.dt_ms = 0.5 ms, more than the largest "
                    "step count 2^53"));
    EXPECT_TRUE(has(error_of([] { nearest_steps_of(-1, 0.5, "w"); }), "must be >= 0"));
}

// ---- times turned into steps ---------------------------------------------------------------------------------

TEST(limits, whole_number_message_shows_the_value_as_written) {
    // (std::to_string showed 1e-07 as 0.000000)
    EXPECT_EQ(error_of([] { tiny({"stimuli.0.onset_ms=1e-7"}); }),
              data_dir() + "/tiny/tiny.yaml: 'stimuli.0.onset_ms' = 1e-07 ms is not a whole number of time steps "
                           "(run.dt_ms = 0.5)");
}

TEST(limits, analysis_windows_and_lags_are_range_checked) {
    const std::string w = error_of([] { shipped("froudistwalsh2021.yaml", {"analysis.delay_ms=[0, 1e300]"}); });
    EXPECT_TRUE(has(w, "'analysis.delay_ms' end = 1e+300 ms is 2e+300 steps")) << w;
    const std::string l = error_of([] { shipped("froudistwalsh2021.yaml", {"analysis.max_lag_ms=1e300"}); });
    EXPECT_TRUE(has(l, "'analysis.max_lag_ms' = 1e+300 ms is 2e+300 steps")) << l;
}

TEST(limits, conduction_delays_are_range_checked) {
    // 5 mm at 1e-12 m/s: 5e12 ms, far beyond the largest delay
    const std::string d = error_of([] {
        shipped("chaudhuri2015_delays.yaml", {"model.connectivity.delays.velocity_m_per_s=1e-12"});
    });
    EXPECT_TRUE(has(d, "'model.connectivity.delays': the conduction delay ")) << d;
    EXPECT_TRUE(has(d, "more than the largest delay of 1073741823 steps")) << d;
    // within 2^30 steps, but the history of every source over the longest delay does not fit
    const std::string h = error_of([] {
        shipped("chaudhuri2015_delays.yaml", {"model.connectivity.delays.velocity_m_per_s=5.5e-7"});
    });
    EXPECT_TRUE(has(h, "'model.connectivity.delays': the delay history (largest delay ")) << h;
    EXPECT_TRUE(has(h, "more than the memory available")) << h;
}

// ---- sizes set by the input ----------------------------------------------------------------------------------

TEST(limits, rnn_network_and_run_input_sizes) {
    const std::string u = error_of([] {
        shipped("rnn_random_10k.yaml", {"model.rnn.init.units=2147483647", "model.rnn.init.outputs=1048576"});
    });
    EXPECT_TRUE(has(u, "'model.rnn.init.units' = 2147483647: a network of 2147483647 units with 1048576 outputs")) << u;
    EXPECT_TRUE(has(u, "more than the memory available")) << u;
    // 1e14 steps of input, held by every rank
    const std::string s = error_of([] {
        shipped("rnn_random_10k.yaml", {"run.t_end_ms=1e15", "model.rnn.trials.count=1e13"});
    });
    EXPECT_TRUE(has(s, "the input of the network for the run (run.t_end_ms = 1e+15 ms")) << s;
}

TEST(limits, train_network_size_names_the_key) {
    const std::string m = error_of([] { parse_train_config(train_text, "t.yaml", {"network.units=2147483648"}); });
    EXPECT_EQ(m.rfind("t.yaml: 'network.units' = 2147483648: training a network of ", 0), 0u) << m;
    EXPECT_TRUE(has(m, "more than the memory available")) << m;
}

TEST(limits, task_trials_are_bounded) {
    // items x (stim_steps + gap_steps) overflowed int64 before
    const std::string m = error_of([] {
        parse_train_config(train_text, "t.yaml", {"task.items=1073741824", "task.stim_steps=9007199254740992"});
    });
    EXPECT_TRUE(has(m, "t.yaml: 'task': task nback: a trial of ")) << m;
    EXPECT_TRUE(has(m, "steps is longer than the largest trial of 2^30 steps")) << m;
}

// ---- messages ------------------------------------------------------------------------------------------------

TEST(limits, echoed_input_is_escaped) {
    const std::string m = error_of([] { load_config(data_dir() + "/tiny/bad_garbage_area.yaml"); });
    EXPECT_TRUE(has(m, "'stimuli.0.area' = '\\xff\\xfeA\\x01' is not an area of the model")) << m;
    // a CSV cell
    const std::string dir = test::scratch_dir();
    std::ofstream(dir + "/fln_garbage.csv") << "target\\source,A,B,C\nA,0,0.2,\x01\xff\nB,0.3,0,0.1\nC,0.01,0.4,0\n";
    const std::string c = error_of<data_error>([&] { read_square_matrix_csv(dir + "/fln_garbage.csv", {}); });
    EXPECT_TRUE(has(c, "'\\x01\\xff' is not a number")) << c;
}

TEST(limits, hdf5_path_that_is_a_group_names_file_and_path) {
    const std::string m = error_of<data_error>([] { tiny({"model.connectivity.fln=fln_group.h5"}); });
    EXPECT_EQ(m, data_dir() + "/tiny/fln_group.h5:/fln: is a group, not a dataset");
    const std::string n = error_of<data_error>([] {
        tiny({"model.connectivity.fln={file: fln_group.h5, dataset: /fln/deeper/x}"});
    });
    EXPECT_EQ(n, data_dir() + "/tiny/fln_group.h5:/fln/deeper/x: no such dataset");
}

TEST(limits, name_column_may_be_the_first_column) {
    const model_spec m = tiny({"model.areas.file=areas_name_first.csv"});
    EXPECT_EQ(m.areas.names, (std::vector<std::string>{"A", "B", "C"}));
    EXPECT_EQ(m.areas.hierarchy, (std::vector<double>{0.0, 0.5, 1.0}));
    // a vector from the first column of one file, and one whose area names are the first column of another
    const model_spec v = tiny({"model.vectors.idx={file: areas.csv, column: index}",
                               "model.vectors.h={file: areas_name_first.csv, column: hier_raw}",
                               "model.gradients.g_idx={vector: idx}", "model.gradients.g_h={vector: h}"});
    std::map<std::string, std::vector<double>> g;
    for (const auto& x : v.gradients) g[x.name] = x.values;
    EXPECT_EQ(g["g_idx"], (std::vector<double>{0.0, 1.0, 2.0}));
    EXPECT_EQ(g["g_h"], (std::vector<double>{0.0, 1.0, 2.0}));
    // a missing column lists the columns there are
    const std::string e = error_of<data_error>([] { tiny({"model.areas.hierarchy_column=h"}); });
    EXPECT_TRUE(has(e, "areas.csv: no column named 'h' (columns: index, area, hier_raw)")) << e;
}
