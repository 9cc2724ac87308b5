// Config layer: YAML -> spec, unknown keys, overrides, and every bad-input message.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cortexsim/common/errors.hpp"
#include "cortexsim/common/sha256.hpp"
#include "cortexsim/config/config.hpp"
#include "cortexsim/config/train_config.hpp"
#include "cortexsim/connectivity/connectivity.hpp"
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
    expect_error<config_error>({"run.integrator=rk5"}, "'run.integrator' = 'rk5' (allowed: euler, heun, rk4)");
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

// ---- peer conventions (docs/connectivity.md): delays.rounding, self_connections ------------------------------

namespace {
model_spec substep(const std::vector<std::string>& overrides) {
    return load_config(data_dir() + "/tiny/tiny_substep.yaml", overrides);
}
/// Expects that `fn` throws E with a one-line message containing `part`.
template <class E, class F>
void expect_throw_text(F fn, const std::string& part) {
    try {
        fn();
        FAIL() << "no error for " << part;
    } catch (const E& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find(part), std::string::npos) << "message: " << m;
        EXPECT_EQ(m.find('\n'), std::string::npos) << "one line: " << m;
    }
}
/// (source, delay) of row `target` of the first projection, all rows on one rank.
std::vector<std::pair<std::int64_t, std::int32_t>> row_of(const model_spec& m, std::size_t target) {
    const local_rows r = projection_rows(m, m.projections.at(0), 0, m.areas.size());
    std::vector<std::pair<std::int64_t, std::int32_t>> out;
    for (auto q = r.row_ptr[target]; q < r.row_ptr[target + 1]; ++q) {
        const auto k = static_cast<std::size_t>(q);
        out.emplace_back(r.col[k], r.delay.empty() ? -1 : r.delay[k]);
    }
    return out;
}
using entries = std::vector<std::pair<std::int64_t, std::int32_t>>;
}  // namespace

TEST(config_peers, delay_rounding_key) {
    EXPECT_EQ(tiny().connectivity.delays.rounding, "refuse");
    // sub-step delays (0.35, 0.7, 1.05 steps): refused by default, naming the connection and the way out
    expect_throw_text<config_error>([] { substep({}); }, "larger than the minimum conduction delay (0.035000 ms, "
                                                         "B -> A): use dt_ms <= the minimum delay, or "
                                                         "'model.connectivity.delays.rounding: nearest'");
    const model_spec m = substep({"model.connectivity.delays.rounding=nearest"});
    EXPECT_EQ(m.connectivity.delays.rounding, "nearest");
    EXPECT_EQ(row_of(m, 1), (entries{{0, 0}, {2, 1}}));  // B <- A 0.35 -> 0 steps, B <- C 1.05 -> 1
    EXPECT_EQ(row_of(m, 2), (entries{{0, 1}, {1, 1}}));  // C <- A 0.7 -> 1, C <- B 1.05 -> 1
    expect_throw_text<config_error>([] { substep({"model.connectivity.delays.rounding=up"}); },
                                    "'model.connectivity.delays.rounding' = 'up' (allowed: refuse, nearest)");
}

TEST(config_peers, self_connections_key) {
    EXPECT_EQ(tiny().connectivity.self_connections, "refuse");
    // refuse (default): the diagonal of fln_self.csv (B -> B = 0.1) names the file, the area and the value
    expect_throw_text<data_error>([] { tiny({"model.connectivity.fln=fln_self.csv"}); },
                                  "fln_self.csv: row 'B' (target), column 'B' (source): diagonal value 0.1 must be 0");
    expect_throw_text<config_error>([] { tiny({"model.connectivity.self_connections=keep"}); },
                                    "'model.connectivity.self_connections' = 'keep' (allowed: refuse, local, drop)");
    // drop: as a zero diagonal; local: kept, without delay (0 steps) beside delays of 10 and 30 steps
    const model_spec drop = tiny({"model.connectivity.fln=fln_self.csv", "model.connectivity.self_connections=drop"});
    EXPECT_EQ(row_of(drop, 1), row_of(tiny(), 1));
    EXPECT_EQ(row_of(drop, 1), (entries{{0, -1}, {2, -1}}));
    const model_spec local = substep({"model.connectivity.fln=fln_self.csv",
                                      "model.connectivity.self_connections=local",
                                      "model.connectivity.delays.velocity_m_per_s=3.5"});
    EXPECT_EQ(row_of(local, 1), (entries{{0, 10}, {1, 0}, {2, 30}}));
    const model_spec local_nodelay = tiny({"model.connectivity.fln=fln_self.csv",
                                           "model.connectivity.self_connections=local"});
    EXPECT_EQ(row_of(local_nodelay, 1), (entries{{0, -1}, {1, -1}, {2, -1}}));
}

TEST(config, missing_config_file) { EXPECT_THROW(load_config("/nonexistent/x.yaml"), config_error); }

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
    expect_fw_error<config_error>({"model.projections.0.source=S_NMDA_E3"},
                                  "'model.projections.0.source' = 'S_NMDA_E3' is not a variable");
    expect_fw_error<config_error>({"model.projections.0.target=sup_X"}, "is not an input channel");
    expect_fw_error<config_error>({"stimuli.0.population=E3_dend"},
                                  "'stimuli.0.population' = 'E3_dend' is not a stimulus port");
    expect_fw_error<config_error>({"analysis.population=E3"}, "'analysis.population' = 'E3'");
    expect_fw_error<config_error>({"analysis.rule=mean"}, "'analysis.rule' = 'mean'");
    expect_fw_error<config_error>({"analysis.delay_ms=[5, 4]"}, "'analysis.delay_ms' must satisfy");
    expect_fw_error<config_error>({"run.integrator=rk5"}, "(allowed: euler, heun, rk4)");
    expect_fw_error<config_error>({"model.circuit=wong_wangg"}, "'model.circuit' = 'wong_wangg' (allowed: linear_ei");
    expect_fw_error<config_error>({"model.populations.E.tau_ms=1"}, "only for 'model.circuit: generic'");
    expect_fw_error<config_error>({"run.dt_ms=2.5", "run.record_interval_ms=5"}, "dt");
}

TEST(config_circuits, perturbations_appended_with_set) {
    const model_spec m = fw(
        {"perturbations.0.kind=silence", "perturbations.0.areas=[9/46d, 8B]", "perturbations.0.populations=[E1]",
         "perturbations.0.onset_ms=2000", "perturbations.0.duration_ms=500", "perturbations.1.kind=modulator",
         "perturbations.1.modulator=dopamine", "perturbations.1.value=0.5", "perturbations.1.onset_ms=3000",
         "perturbations.1.duration_ms=1000", "perturbations.2.kind=lesion", "perturbations.2.areas=[24c]",
         "perturbations.2.sources=[9/46d]", "stimuli.1.name=late", "stimuli.1.area=V1", "stimuli.1.population=E2_dend",
         "stimuli.1.onset_ms=100", "stimuli.1.duration_ms=10", "stimuli.1.amplitude=0.05"});
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
                                     {"task_stimuli={task: \"" + task +
                                          "\", trial: 3, step_ms: 250, onset_ms: 1000, "
                                          "area: V1, ports: [E1, E2], amplitude: 0.3}",
                                      "run.t_end_ms=17000"});
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
    expect_fw_error<config_error>({"task_stimuli={task: \"" + task +
                                   "\", step_ms: 250, area: V1, ports: [E9], amplitude: 0.1}"},
                                  "'task_stimuli.ports.0' = 'E9' is not a stimulus port");
    expect_fw_error<config_error>(
        {"task_stimuli={task: \"nback n=0\", step_ms: 250, area: V1, ports: [E1], amplitude: 0.1}"}, "'task_stimuli'");
}

// ---- the resolved YAML and the fingerprint of every shipped config (old checkpoints are matched by fingerprint):
//      recorded before the config reader was rewritten; they must never change.
TEST(config, resolved_yaml_and_fingerprints_are_pinned) {
    struct pinned {
        std::string config;
        std::vector<std::string> overrides;
        std::string resolved_sha256, fingerprint;
    };
    const std::string task = "task_stimuli={task: \"nback n=1 alphabet=2 items=8 stim_steps=2 gap_steps=6 "
                             "match_probability=0.4 response_delay_steps=1 seed=1\", trial: 3, step_ms: 250, "
                             "onset_ms: 1000, area: V1, ports: [E1, E2], amplitude: 0.3}";
    const std::vector<pinned> cases = {
        {"configs/chaudhuri2015.yaml",
         {},
         "4bf217cf48eeb9bc1f8df0cc6065e06a5eb2862ae751bb843f9f40c9c2be66d2",
         "2e5628ff26a597bbe94625ad6f6d149741157c9eb0f3d9be6ab59640b562cf55"},
        {"configs/chaudhuri2015_delays.yaml",
         {},
         "e39aa8971caab6760ac0e301becd9fe2707c24b9874df6fb4c98e4c0ecadfcb4",
         "372521b028fbffd885f18cffdb6b31e5883a6bf3945277251ad2dc1e40cffebc"},
        {"configs/chaudhuri2015_generic.yaml",
         {},
         "4e5b2fecd1f3f26d042eb60ba5615d4a9448cdaf5fec40f2771fc769a1a987e1",
         "bec7dcbb396de5ba0ff58e9effa48701e95b0524fe6501bbfe729f95c30b21aa"},
        {"configs/joglekar2018_strong_gba.yaml",
         {},
         "b4a7f4e5431e70a107ba18a6b4b4e789779aadb4aacc7166407ea64d2bafb82a",
         "b957ebed996df99b6053350a94a768b41bc12b2abac970603e608bed0b549fa8"},
        {"configs/mejiaswang2022.yaml",
         {},
         "e27b9c4d42762a0cf48613f6cf6def50d92c1ee16ae5bff658cfc354980f311f",
         "27af578d7e173b5696d3703e9d6ffce502eafe3d33677f7e4e2e6f21638c7d52"},
        {"configs/mejiaswang2022.yaml",
         {"model.parameters.noise_sigma_nA=0.01"},
         "ce4780486b573fff6dee4f600392efbed24759ed2fa0c95ce39d721561ebaa9c",
         "345aa14f75db9313c93a95c7c48d614dfc3c5a817f4efcb20dd3ee5d8ea8dbc6"},
        {"configs/froudistwalsh2021.yaml",
         {},
         "e4fb6b6c8e9ea6ce2dd867fdfacece8b3651f961d3b8a72106a800834e853d30",
         "3a3cb22c6eeff22407ee3463d289b0620d3025a5769832732137142e7e1122d3"},
        {"configs/froudistwalsh2021.yaml",
         {"model.parameters.noise_sigma_nA=0.005", "run.partition=graph"},
         "d3f62f7b5f03fbbade8bc7832d393fd8181f61acde3a185e39c833c95ff004a3",
         "84c10a32f2e3e680e0e2a5ca6dc6e0c644d16e6f98d1398d650df432c49c5c38"},
        {"configs/froudistwalsh2021_distractor.yaml",
         {},
         "d43836915bcb04f02654e9b1f80a8a050dd07aa3d28e5c914afd39e2f19f63e2",
         "f5802d4496efeebec42530be4f868139f29a4f210279c59c6b22cf4b00a749ed"},
        {"configs/froudistwalsh2021_stp.yaml",
         {},
         "156703208bf27cfcbe5bd622a89e8a81baaa3f19b44f2df2a0d9dd0d68e02a66",
         "f593d62398e32e90ad28b93b4a19fc324ad83597ac67ae88e4494947866e0f44"},
        {"configs/laminar_generic.yaml",
         {},
         "b141cd54a2d9c33ac271bce5d6b2a25d66269a93a0728657ff9693c6a10a63bd",
         "6583eee9bf0b764c6d2a5e79aab7ec2a5c03229835f231966b62c4b9a7bf1958"},
        {"configs/rnn_random_10k.yaml",
         {},
         "bad432627ec35a25f936242df88f2dc2a62c0c7d51b85faf68e16d107545b8d7",
         "97858d6b0cc33f68447e7205cf54d9af08e0feed23accc7e1b77b45306d7eec3"},
        {"configs/compare_nback_cortex.yaml",
         {task},
         "ea62cbc4a10a91d89afe97eeb14c8b85019882215aee8ffbc3db670ccff596e4",
         "01916abb2d4a74d5a6aa3bed5ee613a0538b096aab0873f1a8ff910069021695"},
        {"configs/chaudhuri2015.yaml",
         {"run.dt_ms=0.05", "stimuli.0.amplitude_hz=3.5", "model.parameters.eta=0.1"},
         "5c5f223f2386639cb8e4326ceaf10ffcbc6f9cdff408549f7ed322b04b705450",
         "dda178a7a981ccf3d96ee07c829c2eb931c472237b59e389dbe6472bc705b7ad"},
        {"configs/chaudhuri2015.yaml",
         {"stimuli.1={name: probe, area: V1, population: I, onset_ms: 600, duration_ms: 50, amplitude_hz: 3}",
          "checkpoint.every_sim_s=0.5"},
         "57ff72e3edf4ae4d33ed6fa4077049adac243e56f8a2b8491dfcaa5655315374",
         "877196bb2c6614043e2d27bfe457913c2ff8129ad086a807654e23a55ed53ac6"},
        {"configs/chaudhuri2015.yaml",
         {"run.integrator=heun", "run.record_interval_ms=0.5"},
         "c10854a970f3219fe1966249371b1e35eecab62f5d3d785638314ac3d2a23170",
         "0f01d96002c55787d2d48c57af36360c3a60281849ed44702e610e72cd47bbee"},
        {"configs/chaudhuri2015.yaml",
         {"run.seed=3.0"},
         "f70e89aab6fca9d5a0cfb717bea7a5c64965c2a98ad19b2b35d0271ccff0a67b",
         "15e24ecee6acd901e6d439ebde2d295da1c02241dbc42c121b3282ac61abab76"},
        {"configs/froudistwalsh2021.yaml",
         {"perturbations.0.kind=silence", "perturbations.0.areas=[9/46d, 8B]", "perturbations.0.populations=[E1]",
          "perturbations.0.onset_ms=2000", "perturbations.0.duration_ms=500", "perturbations.1.kind=modulator",
          "perturbations.1.modulator=dopamine", "perturbations.1.value=0.5", "perturbations.1.onset_ms=3000",
          "perturbations.1.duration_ms=1000", "perturbations.2.kind=lesion", "perturbations.2.areas=[24c]",
          "perturbations.2.sources=all", "stimuli.1.name=late", "stimuli.1.area=V1", "stimuli.1.population=E2_dend",
          "stimuli.1.onset_ms=100", "stimuli.1.duration_ms=10", "stimuli.1.amplitude=0.05"},
         "5adab8aedf607faf5f4dc40fec01d6e9111634db8632ba47b8146025f7fab738",
         "10c10e4f631680f12e1fec5d1b7a335f7644a617196fa84bbf6fea46f4c1b807"},
        {"configs/froudistwalsh2021.yaml",
         {"perturbations.0={kind: lesion, areas: all, sources: all}"},
         "7e28c1a7df50589195edfc4680526c1a341e9cebad6d21645558f1aa6a400777",
         "392276f00cefcbd8823d7858d2c87d0ee80f24b05cb5783854cc125d3838a58b"},
        {"configs/mejiaswang2022.yaml",
         {"stimuli.1={name: probe, area: V1, population: E2, onset_ms: 6000, duration_ms: 500, amplitude: 0.3}"},
         "ce124a845905b32b5a2fc1b2aa9b4688476bde002824fef31a34c48845b78259",
         "57072c72e5b48cbe93ed6f8f32128410934c587576ccd7be75527e6ba4ea795a"},
        {"configs/laminar_generic.yaml",
         {"run.seed=3.0"},
         "f9b58ff972101d33f941ccdc5c6d9ad84a24d9e99935ae4b82d8f49a2aa9e767",
         "e0845527da996de459357a67f9810d21a4462ab3188818c41a9938aecab14ca9"},
        {"configs/chaudhuri2015_delays.yaml",
         {"model.connectivity.delays.velocity_m_per_s=7"},
         "ee11a9d5a11e3511366cc9733084f020106e92483c134e22d76bd865f2b8d569",
         "fa64693d2204c6ca77223b69e179d275728fc2f3e6cf4a2558c5b473cb49a1dd"},
        {"tests/data/tiny/tiny.yaml",
         {},
         "581b82b4da1f25478045a016cdeef504c1ff0a8a96500f79a38a2c1fbe4ba56b",
         "3c3d21d426016438310374d0415b69c7006b5d4af767ed3d3a388b5fbe7139c2"},
        {"tests/data/tiny/tiny.yaml",
         {"checkpoint=~"},
         "a88730036239e066598bbfc59501fe71f5859145d6640615cd243f3e77d79b0f",
         "3c3d21d426016438310374d0415b69c7006b5d4af767ed3d3a388b5fbe7139c2"},
    };
    for (const auto& c : cases) {
        const model_spec m = load_config(source_dir() + "/" + c.config, c.overrides);
        EXPECT_EQ(sha256::of(m.resolved_yaml), c.resolved_sha256)
            << c.config << " with " << c.overrides.size() << " overrides";
        EXPECT_EQ(m.fingerprint, c.fingerprint) << c.config << " with " << c.overrides.size() << " overrides";
    }
}

// ---- the one YAML reader (src/config/yaml_reader.hpp): duplicate keys, null, whole numbers, --set, time ranges ---
namespace {

/// A tiny run config written out (data paths relative to tests/data/tiny); `run` is the body of its run section.
std::string tiny_with_run(const std::string& run) {
    return "model:\n  name: tiny\n  areas: {file: areas.csv}\n  connectivity: {fln: fln.csv}\n"
           "stimuli:\n  - {name: pulse, area: A, onset_ms: 10, duration_ms: 20, amplitude_hz: 10}\nrun:\n" +
           run;
}

model_spec tiny_text_config(const std::string& text, const std::vector<std::string>& overrides = {}) {
    return parse_config(text, "x.yaml", data_dir() + "/tiny", overrides);
}

/// A small training config (the keys of docs/rnn.md).
const char* const train_text = R"(task:
  name: nback
  n: 1
  alphabet: 3
  items: 6
network:
  units: 8
  dt_ms: 10
  tau_ms: [20, 40]
training:
  batch: 4
  iterations: 3
)";

/// The message of the config_error that `f` throws ("" if none); checks that it is one line.
template <class F>
std::string config_error_of(F f) {
    try {
        f();
    } catch (const config_error& e) {
        const std::string m = e.what();
        EXPECT_EQ(m.find('\n'), std::string::npos) << "one line: " << m;
        return m;
    }
    return "";
}

}  // namespace

TEST(config_reader, duplicate_keys_are_errors) {
    // run config: a key twice in a block map, in a flow map, in a list item, in the value of a --set
    EXPECT_EQ(config_error_of([] {
                  tiny_text_config(tiny_with_run("  t_end_ms: 200\n  dt_ms: 0.5\n  dt_ms: 0.25\n"));
              }),
              "x.yaml: key 'run.dt_ms' is given twice (lines 9 and 10)");
    EXPECT_EQ(config_error_of([] { tiny_text_config(tiny_with_run("  {t_end_ms: 200, t_end_ms: 100}\n")); }),
              "x.yaml: key 'run.t_end_ms' is given twice (lines 8 and 8)");
    EXPECT_EQ(config_error_of([] {
                  tiny_text_config("stimuli:\n  - name: a\n    area: A\n    area: B\n" +
                                   tiny_with_run("  t_end_ms: 200\n"));
              }),
              "x.yaml: key 'stimuli.0.area' is given twice (lines 3 and 4)");
    EXPECT_EQ(config_error_of([] { tiny_text_config(tiny_with_run("  t_end_ms: 200\n") + "run:\n  dt_ms: 1\n"); }),
              "x.yaml: key 'run' is given twice (lines 7 and 9)");
    EXPECT_EQ(config_error_of([] { tiny({"stimuli.1={name: b, name: c}"}); }),
              "--set 'stimuli.1={name: b, name: c}': key 'stimuli.1.name' is given twice (lines 1 and 1)");
    // training config
    EXPECT_EQ(config_error_of([] { parse_train_config(std::string(train_text) + "  batch: 8\n", "t.yaml"); }),
              "t.yaml: key 'training.batch' is given twice (lines 11 and 13)");
}

TEST(config_reader, null_is_absent_for_optional_keys_and_an_error_for_required_ones) {
    // optional keys written without a value take their defaults
    const model_spec a = tiny_text_config(tiny_with_run("  t_end_ms: 200\n  dt_ms:\n  seed: ~\n  integrator: null\n"));
    EXPECT_DOUBLE_EQ(a.run.dt_ms, 0.1);
    EXPECT_EQ(a.run.n_steps, 2000);
    EXPECT_EQ(a.run.seed, 0u);
    EXPECT_EQ(a.run.integrator, integrator_kind::euler);
    const model_spec b = tiny({"output.path=~", "stimuli.0.population=~", "checkpoint.every_sim_s=~"});
    EXPECT_EQ(b.output.path, "tiny.h5");
    EXPECT_EQ(b.stimuli[0].population, 0u);
    EXPECT_EQ(b.checkpoint.every_steps, 0);
    // required keys: absent and null are different messages
    EXPECT_EQ(config_error_of([] { tiny_text_config(tiny_with_run("  t_end_ms:\n")); }),
              "x.yaml: missing value for required key 'run.t_end_ms'");
    EXPECT_EQ(config_error_of([] { tiny_text_config(tiny_with_run("  dt_ms: 0.5\n")); }),
              "x.yaml: missing required key 'run.t_end_ms'");
    EXPECT_EQ(config_error_of([] { tiny({"model.name=~"}); }),
              "tiny.yaml: missing value for required key 'model.name'");
    EXPECT_EQ(config_error_of([] { tiny({"stimuli.0.area=null"}); }),
              "tiny.yaml: missing value for required key 'stimuli.0.area'");
    // the same in a training config
    const rnn::train_config t = parse_train_config(train_text, "t.yaml", {"training.iterations=~", "network.seed=~"});
    EXPECT_EQ(t.iterations, 500);
    EXPECT_EQ(t.network.seed, 1u);
    EXPECT_EQ(config_error_of([] {
                  parse_train_config(train_text, "t.yaml", {"task.n=3", "task.name=~"});
              }),
              "t.yaml: missing value for required key 'task.name'");
}

TEST(config_reader, whole_numbers) {
    EXPECT_EQ(tiny({"run.seed=3.0"}).run.seed, 3u);
    EXPECT_EQ(tiny({"run.seed=9007199254740992"}).run.seed, 9007199254740992u);  // 2^53
    EXPECT_EQ(config_error_of([] { tiny({"run.seed=3.5"}); }), "tiny.yaml: 'run.seed' = 3.5 must be a whole number");
    EXPECT_EQ(config_error_of([] { tiny({"run.seed=-1"}); }), "tiny.yaml: 'run.seed' = -1 must be >= 0");
    EXPECT_EQ(config_error_of([] { tiny({"run.seed=9007199254740993"}); }),  // 2^53 + 1, not rounded to 2^53
              "tiny.yaml: 'run.seed' = 9007199254740993 must be <= 2^53");
    EXPECT_EQ(config_error_of([] { tiny({"run.seed=1e300"}); }), "tiny.yaml: 'run.seed' = 1e+300 must be <= 2^53");
    EXPECT_EQ(parse_train_config(train_text, "t.yaml", {"training.batch=16.0"}).batch, 16);
    EXPECT_EQ(config_error_of([] { parse_train_config(train_text, "t.yaml", {"training.batch=2.5"}); }),
              "t.yaml: 'training.batch' = 2.5 must be a whole number");
    EXPECT_EQ(config_error_of([] { parse_train_config(train_text, "t.yaml", {"network.seed=18446744073709551615"}); }),
              "t.yaml: 'network.seed' = 1.8446744073709552e+19 must be <= 2^53");
    EXPECT_EQ(config_error_of([] { parse_train_config(train_text, "t.yaml", {"task.n=0"}); }),
              "t.yaml: 'task.n' = 0 must be >= 1");
}

TEST(config_reader, set_with_list_index_in_a_train_config) {
    const rnn::train_config t = parse_train_config(train_text, "t.yaml", {"network.tau_ms.1=60"});
    EXPECT_DOUBLE_EQ(t.network.tau_min_ms, 20.0);
    EXPECT_DOUBLE_EQ(t.network.tau_max_ms, 60.0);
    EXPECT_EQ(t.overrides, (std::vector<std::string>{"network.tau_ms.1=60"}));
    // a list created on the way, and the errors of run's --set
    const rnn::train_config u = parse_train_config(
        "task: {name: nback, n: 1, alphabet: 3, items: 6}\nnetwork: {units: 8}\ntraining: {batch: 4}\n", "u.yaml",
        {"network.tau_ms.0=50", "network.tau_ms.1=70"});
    EXPECT_DOUBLE_EQ(u.network.tau_min_ms, 50.0);
    EXPECT_DOUBLE_EQ(u.network.tau_max_ms, 70.0);
    EXPECT_EQ(config_error_of([] { parse_train_config(train_text, "t.yaml", {"network.tau_ms.3=1"}); }),
              "--set 'network.tau_ms.3=1': index 3 is out of range (t.yaml has 2 items there; index 2 appends one)");
    EXPECT_EQ(config_error_of([] { parse_train_config(train_text, "t.yaml", {"network.tau_ms.x=1"}); }),
              "--set 'network.tau_ms.x=1': 'x' must be a list index");
    EXPECT_EQ(config_error_of([] { parse_train_config(train_text, "t.yaml", {"training.batch"}); }),
              "--set 'training.batch': expected key=value (for example training.iterations=200)");
}

TEST(config_reader, times_are_range_checked) {
    auto error_naming = [](const std::vector<std::string>& overrides, const std::string& key) {
        const std::string m = config_error_of([&] { tiny(overrides); });
        EXPECT_EQ(m.rfind("tiny.yaml: ", 0), 0u) << m;
        EXPECT_NE(m.find(key), std::string::npos) << "'" << key << "' not in: " << m;
        return m;
    };
    EXPECT_NE(error_naming({"run.t_end_ms=1e30"}, "'run.t_end_ms'").find("more than the largest step count 2^53"),
              std::string::npos);
    const std::string rec = error_naming({"run.record_interval_ms=1e300"}, "'run.record_interval_ms'");
    EXPECT_EQ(rec.find("shorter than one time step"), std::string::npos) << rec;
    EXPECT_NE(rec.find("is longer than the run"), std::string::npos) << rec;
    EXPECT_EQ(error_naming({"run.record_interval_ms=400"}, "'run.record_interval_ms'"),
              "tiny.yaml: 'run.record_interval_ms' = 400 ms is longer than the run ('run.t_end_ms' = 200 ms)");
    error_naming({"stimuli.0.duration_ms=1e300"}, "'stimuli.0.duration_ms'");
    error_naming({"run.dt_ms=1e-300"}, "run.dt_ms = 1e-300");
    // onset and duration are each below 2^53 steps, their sum is not
    EXPECT_NE(error_naming({"stimuli.0.onset_ms=4e15", "stimuli.0.duration_ms=4e15"}, "'stimuli.0.duration_ms'")
                  .find("beyond the largest step count 2^53"),
              std::string::npos);
    error_naming({"checkpoint.every_sim_s=1e300"}, "'checkpoint.every_sim_s'");
    // the message of the whole-number check shows the values as written (shortest_text, not std::to_string)
    EXPECT_EQ(error_naming({"stimuli.0.onset_ms=10.2"}, "'stimuli.0.onset_ms'"),
              "tiny.yaml: 'stimuli.0.onset_ms' = 10.2 ms is not a whole number of time steps (run.dt_ms = 0.5)");
}

TEST(config, noise_stimuli_expand_to_areas_with_their_own_streams) {
    const model_spec m = load_config(source_dir() + "/configs/chaudhuri2015_noise.yaml");
    ASSERT_EQ(m.stimuli.size(), 29u);  // V1, then the 28 other areas
    EXPECT_TRUE(m.stimuli[0].noise);
    EXPECT_EQ(m.stimuli[0].area, m.areas.find("V1"));
    EXPECT_DOUBLE_EQ(m.stimuli[0].amplitude, 2.0);
    EXPECT_DOUBLE_EQ(m.stimuli[0].sd, 0.5);
    EXPECT_EQ(m.stimuli[0].noise_stream, 0u);
    for (std::size_t k = 1; k < m.stimuli.size(); ++k) {
        EXPECT_NE(m.stimuli[k].area, m.areas.find("V1"));
        EXPECT_DOUBLE_EQ(m.stimuli[k].sd, 1e-5);
        EXPECT_EQ(m.stimuli[k].noise_stream, 1u);
        EXPECT_EQ(m.stimuli[k].end_step, m.run.n_steps);  // default: to the end of the run
    }
}

TEST(config, bad_noise_stimuli_and_timescale_windows_are_errors) {
    expect_error<config_error>({"stimuli.0={kind: noise, area: A, sd_hz: -1}"}, "the SD must be >= 0");
    expect_error<config_error>({"stimuli.0={kind: noise, sd_hz: 1}"}, "needs exactly one of 'area' and 'areas'");
    expect_error<config_error>({"stimuli.0={kind: noise, areas: [A, XX], sd_hz: 1}"}, "'XX' is not an area");
    expect_error<config_error>({"stimuli.0={kind: noise, area: A}"}, "needs exactly one of 'sd_hz'");
    expect_error<config_error>({"stimuli.0={kind: wave, area: A}"}, "(allowed: pulse, noise)");
    expect_error<config_error>({"analysis.timescale_ms=[0, 1e9]"}, "after the run ends");
}

TEST(config, monitors_are_read_and_bad_monitors_are_errors) {
    const model_spec m = load_config(source_dir() + "/configs/resting_state.yaml");
    ASSERT_EQ(m.monitors.size(), 3u);
    EXPECT_EQ(m.monitors[2].weights, (std::vector<double>{1, -1}));
    EXPECT_EQ(m.monitors[2].psd_segment, 256);
    EXPECT_EQ(m.monitors[0].kind, "bold");
    EXPECT_EQ(m.monitors[0].every, 100);  // TR 2 s, records every 20 ms
    EXPECT_EQ(m.monitors[0].n_samples, 1850);
    EXPECT_EQ(m.monitors[0].discard_samples, 49);  // samples at 2, 4, ..., 98 s are before 100 s
    EXPECT_EQ(m.monitors[1].variables, (std::vector<std::string>{"E", "I"}));
    // tiny: dt 0.5 ms, records every 1 ms, 200 ms
    const std::string b = "monitors.0={name: b, kind: bold, tr_ms: 20";
    expect_error<config_error>({"monitors.0={name: r, kind: raw, variables: [X]}"},
                               "'X' is not a variable of circuit 'linear_ei' (allowed: E, I)");
    expect_error<config_error>({"monitors.0={name: r, kind: raw, period_ms: 1.5}"},
                               "is not a whole number of record intervals (1 ms)");
    expect_error<config_error>({b + ", tr_ms: 0.25}"}, "");  // duplicate key: refused by the reader
    expect_error<config_error>({"monitors.0={name: b, kind: bold, tr_ms: 0.25}"},
                               "is shorter than the record interval (1 ms)");
    expect_error<config_error>({b + ", fc: true, discard_ms: 199}"}, "FC needs at least 3 samples");
    expect_error<config_error>({b + ", variables: [E, I]}"}, "must name one variable");
    expect_error<config_error>({b + ", preset: spm}"}, "(allowed: neurolib, tvb)");
    expect_error<config_error>({b + ", parameters: {rho: 1.5}}"}, "must be < 1");
    expect_error<config_error>({"monitors.0={name: a/b, kind: raw}"}, "may hold only letters");
    expect_error<config_error>({"monitors.0={name: a, kind: spectrum}"},
                               "(allowed: raw, average, bold, lfp, projection)");
    expect_error<data_error>({"monitors.0={name: p, kind: projection, matrix: nofile.csv}"},
                             "nofile.csv', which does not exist");
    const std::string l = "monitors.0={name: l, kind: lfp, variables: [E, I]";
    expect_error<config_error>({l + ", weights: [1]}"}, "must be a list of 2 numbers, one per variable");
    expect_error<config_error>({l + ", band_hz: [600, 0]}"}, "below the Nyquist frequency of the records (500 Hz)");
    expect_error<config_error>({l + ", band_hz: [20, 10]}"}, "must satisfy 0 <= low < high");
    expect_error<config_error>({l + ", psd: {segment_samples: 100}}"}, "must be a power of two");
    expect_error<config_error>({l + ", psd: {segment_samples: 256}}"}, "gives only 200 samples");
    expect_error<config_error>({"monitors.0={name: a, kind: raw}", "monitors.1={name: a, kind: average}"},
                               "is used by two monitors");
    expect_error<config_error>({b + ", fcd: {window_samples: 8, step_samples: 4}}"}, "FCD needs at least");
}
