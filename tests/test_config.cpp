// Config layer: YAML -> spec, unknown keys, overrides, and every bad-input message.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/rnn/tasks.hpp"
#include "test_support.hpp"

using namespace cortexsim;
using cortexsim::test::data_dir;
using cortexsim::test::source_dir;

namespace {

std::string tiny_text() {
    std::ifstream in(data_dir() + "/tiny/tiny.yaml");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

model_spec tiny(const std::vector<std::string>& overrides = {}) {
    return parse_config(tiny_text(), "tiny.yaml", data_dir() + "/tiny", overrides);
}

/// Expects that loading fails with an error of type E whose message contains `part`.
template <class E>
void expect_error(const std::vector<std::string>& overrides, const std::string& part) {
    try {
        tiny(overrides);
        FAIL() << "no error for " << part;
    } catch (const E& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find(part), std::string::npos) << "message: " << m;
        EXPECT_EQ(m.find('\n'), std::string::npos) << "one line: " << m;
    }
}

}  // namespace

TEST(config, default_model_loads) {
    const model_spec m = load_config(source_dir() + "/configs/chaudhuri2015.yaml");
    EXPECT_EQ(m.name, "chaudhuri2015");
    ASSERT_EQ(m.areas.size(), 29u);
    EXPECT_EQ(m.areas.names.front(), "V1");
    EXPECT_EQ(m.areas.names.back(), "24c");
    EXPECT_EQ(m.areas.hierarchy.front(), 0.0);
    EXPECT_EQ(m.areas.hierarchy.back(), 1.0);
    EXPECT_DOUBLE_EQ(m.params.beta_E, 0.066);
    EXPECT_EQ(m.run.n_steps, 25000);
    EXPECT_EQ(m.run.record_every, 10);
    EXPECT_EQ(m.run.n_records(), 2501);
    ASSERT_EQ(m.stimuli.size(), 1u);
    EXPECT_EQ(m.stimuli[0].area, 0u);
    EXPECT_EQ(m.stimuli[0].onset_step, 1000);
    EXPECT_EQ(m.stimuli[0].end_step, 3500);
    EXPECT_EQ(m.data_files.size(), 2u);
}

TEST(config, joglekar_strong_gba_loads) {
    const model_spec m = load_config(source_dir() + "/configs/joglekar2018_strong_gba.yaml");
    EXPECT_DOUBLE_EQ(m.params.w_EI, 25.2);
    EXPECT_DOUBLE_EQ(m.params.mu_EE, 51.5);
    EXPECT_DOUBLE_EQ(m.params.rate_floor_E_hz, 10.0);
}

TEST(config, overrides_apply) {
    const model_spec m = tiny({"run.dt_ms=0.25", "stimuli.0.amplitude_hz=3.5", "model.parameters.eta=0.1"});
    EXPECT_DOUBLE_EQ(m.run.dt_ms, 0.25);
    EXPECT_EQ(m.run.n_steps, 800);
    EXPECT_DOUBLE_EQ(m.stimuli[0].amplitude, 3.5);
    EXPECT_DOUBLE_EQ(m.params.eta, 0.1);
    EXPECT_NE(m.resolved_yaml.find("0.25"), std::string::npos);
    EXPECT_EQ(m.config_text, tiny_text());
}

TEST(config, heun_integrator) { EXPECT_EQ(tiny({"run.integrator=heun"}).run.integrator, integrator_kind::heun); }

TEST(config, unknown_key_is_an_error) {
    expect_error<config_error>({"run.dtt_ms=0.1"}, "unknown key 'run.dtt_ms'");
    expect_error<config_error>({"model.parameters.tau_X_ms=3"}, "unknown key 'model.parameters.tau_X_ms'");
    expect_error<config_error>({"extra=1"}, "unknown key 'extra'");
}

TEST(config, bad_values) {
    expect_error<config_error>({"run.dt_ms=0"}, "'run.dt_ms' = 0");
    expect_error<config_error>({"run.dt_ms=-1"}, "must be > 0");
    expect_error<config_error>({"run.dt_ms=10"}, "smaller than the smallest time constant");
    expect_error<config_error>({"run.dt_ms=abc"}, "'run.dt_ms' = 'abc' is not a number");
    expect_error<config_error>({"run.dt_ms=.nan"}, "not finite");
    expect_error<config_error>({"run.t_end_ms=200.3"}, "not a whole number of time steps");
    expect_error<config_error>({"run.integrator=rk4"}, "'run.integrator' = 'rk4'");
    expect_error<config_error>({"stimuli.0.area=Z"}, "'stimuli.0.area' = 'Z' is not an area");
    expect_error<config_error>({"stimuli.0.population=X"}, "'stimuli.0.population' = 'X'");
    expect_error<config_error>({"model.parameters.tau_E_ms=0"}, "'model.parameters.tau_E_ms'");
    expect_error<config_error>({"model.circuit=spiking"}, "'model.circuit' = 'spiking'");
}

TEST(config, bad_overrides) {
    expect_error<config_error>({"run.dt_ms"}, "expected key=value");
    expect_error<config_error>({"stimuli.7.amplitude_hz=1"}, "out of range");
    expect_error<config_error>({"perturbations.0.kind=silence"}, "need a nonlinear circuit");
}

TEST(config, data_file_errors) {
    expect_error<data_error>({"model.connectivity.fln=missing.csv"}, "'model.connectivity.fln' names data file");
    expect_error<data_error>({"model.areas.file=nope.csv"}, "nope.csv");
    expect_error<data_error>({"model.areas.hierarchy_column=h"}, "no column named 'h'");
}

TEST(config, missing_config_file) {
    EXPECT_THROW(load_config("/nonexistent/x.yaml"), config_error);
}

TEST(config, invalid_yaml) {
    EXPECT_THROW(parse_config("run: [1, 2", "bad.yaml", "."), config_error);
    EXPECT_THROW(parse_config("- 1\n- 2\n", "bad.yaml", "."), config_error);
}

// ---- nonlinear circuits: names are checked against the circuit; perturbations; appending with --set -------
namespace {
model_spec fw(const std::vector<std::string>& overrides = {}) {
    return load_config(source_dir() + "/configs/froudistwalsh2021.yaml", overrides);
}
template <class E>
void expect_fw_error(const std::vector<std::string>& overrides, const std::string& part) {
    try {
        fw(overrides);
        FAIL() << "no error for " << part;
    } catch (const E& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find(part), std::string::npos) << "message: " << m;
        EXPECT_EQ(m.find('\n'), std::string::npos) << "one line: " << m;
        EXPECT_NE(m.find("froudistwalsh2021.yaml"), std::string::npos) << "names the file: " << m;
    }
}
}  // namespace

TEST(config_circuits, names_come_from_the_circuit) {
    const model_spec m = fw();
    EXPECT_EQ(m.circuit, "froudist_walsh");
    EXPECT_EQ(m.populations, (std::vector<std::string>{"E1", "E2", "PV", "SST1", "SST2", "VIP1", "VIP2"}));
    ASSERT_EQ(m.projections.size(), 8u);
    ASSERT_EQ(m.stimuli.size(), 1u);
    EXPECT_EQ(m.stimuli[0].population, 0u);  // port E1_dend
    EXPECT_EQ(m.analysis.population, "E1");
    EXPECT_EQ(m.circuit_params.size(), 2u);
}

TEST(config_circuits, bad_names_and_values) {
    expect_fw_error<config_error>({"model.parameters.dopamin=1"}, "unknown key 'model.parameters.dopamin'");
    expect_fw_error<config_error>({"model.projections.0.source=S_NMDA_E3"}, "'model.projections.0.source' = 'S_NMDA_E3' is not a variable");
    expect_fw_error<config_error>({"model.projections.0.target=sup_X"}, "is not an input channel");
    expect_fw_error<config_error>({"stimuli.0.population=E3_dend"}, "'stimuli.0.population' = 'E3_dend' is not a stimulus port");
    expect_fw_error<config_error>({"analysis.population=E3"}, "'analysis.population' = 'E3'");
    expect_fw_error<config_error>({"analysis.rule=mean"}, "'analysis.rule' = 'mean'");
    expect_fw_error<config_error>({"analysis.delay_ms=[5, 4]"}, "'analysis.delay_ms' must satisfy");
    expect_fw_error<config_error>({"run.integrator=heun"}, "explicit Euler");
    expect_fw_error<config_error>({"model.circuit=wong_wangg"}, "'model.circuit' = 'wong_wangg' (allowed: linear_ei");
    expect_fw_error<config_error>({"model.populations.E.tau_ms=1"}, "only for 'model.circuit: generic'");
    expect_fw_error<config_error>({"run.dt_ms=2.5", "run.record_interval_ms=5"}, "dt");
}

TEST(config_circuits, perturbations_appended_with_set) {
    const model_spec m = fw({"perturbations.0.kind=silence", "perturbations.0.areas=[9/46d, 8B]",
                             "perturbations.0.populations=[E1]", "perturbations.0.onset_ms=2000",
                             "perturbations.0.duration_ms=500", "perturbations.1.kind=modulator",
                             "perturbations.1.modulator=dopamine", "perturbations.1.value=0.5",
                             "perturbations.1.onset_ms=3000", "perturbations.1.duration_ms=1000",
                             "perturbations.2.kind=lesion", "perturbations.2.areas=[24c]",
                             "perturbations.2.sources=[9/46d]", "stimuli.1.name=late", "stimuli.1.area=V1",
                             "stimuli.1.population=E2_dend", "stimuli.1.onset_ms=100", "stimuli.1.duration_ms=10",
                             "stimuli.1.amplitude=0.05"});
    ASSERT_EQ(m.perturbations.size(), 3u);
    EXPECT_EQ(m.perturbations[0].kind, "silence");
    EXPECT_EQ(m.perturbations[0].areas.size(), 2u);
    EXPECT_EQ(m.perturbations[0].onset_step, 4000);
    EXPECT_EQ(m.perturbations[0].end_step, 5000);
    EXPECT_EQ(m.perturbations[1].modulator, "dopamine");
    EXPECT_EQ(m.perturbations[2].sources.size(), 1u);
    ASSERT_EQ(m.stimuli.size(), 2u);
    EXPECT_EQ(m.stimuli[1].population, 1u);  // E2_dend
    expect_fw_error<config_error>({"perturbations.0.kind=cut"}, "'perturbations.0.kind' = 'cut'");
    expect_fw_error<config_error>({"perturbations.0.kind=silence", "perturbations.0.areas=[V9]",
                                   "perturbations.0.onset_ms=0", "perturbations.0.duration_ms=1"},
                                  "'perturbations.0.areas.0' = 'V9' is not an area");
    expect_fw_error<config_error>({"perturbations.0.kind=modulator", "perturbations.0.modulator=serotonin",
                                   "perturbations.0.value=1", "perturbations.0.onset_ms=0",
                                   "perturbations.0.duration_ms=1"},
                                  "'perturbations.0.modulator' = 'serotonin' is not a modulator");
    expect_fw_error<config_error>({"stimuli.5.area=V1"}, "index 5 is out of range");
}

TEST(config_circuits, task_stimuli_follow_the_task) {
    const std::string task = "nback n=1 alphabet=2 items=8 stim_steps=2 gap_steps=6 match_probability=0.4 "
                             "response_delay_steps=1 seed=1";
    const model_spec m = load_config(source_dir() + "/configs/mejiaswang2022.yaml",
                                     {"task_stimuli={task: \"" + task + "\", trial: 3, step_ms: 250, onset_ms: 1000, "
                                      "area: V1, ports: [E1, E2], amplitude: 0.3}", "run.t_end_ms=17000"});
    ASSERT_EQ(m.stimuli.size(), 9u);  // the config's cue + 8 letters
    rnn::nback_params p;
    p.n = 1;
    p.alphabet = 2;
    p.items = 8;
    p.stim_steps = 2;
    p.gap_steps = 6;
    p.match_probability = 0.4;
    const auto letters = rnn::nback_letters(p, 1, 3);
    for (std::size_t q = 0; q < 8; ++q) {
        const stimulus_spec& s = m.stimuli[1 + q];
        EXPECT_EQ(s.population, static_cast<std::size_t>(letters[q])) << q;  // letter k -> port k (E1, E2)
        EXPECT_EQ(s.onset_step, static_cast<std::int64_t>((1000 + 2000 * q) / 0.5)) << q;
        EXPECT_EQ(s.end_step - s.onset_step, 1000);
        EXPECT_EQ(s.area, 0u);
    }
    expect_fw_error<config_error>({"task_stimuli={task: \"" + task + "\", step_ms: 250, area: V1, ports: [E9], amplitude: 0.1}"},
                                  "'task_stimuli.ports.0' = 'E9' is not a stimulus port");
    expect_fw_error<config_error>({"task_stimuli={task: \"nback n=0\", step_ms: 250, area: V1, ports: [E1], amplitude: 0.1}"},
                                  "'task_stimuli'");
}
