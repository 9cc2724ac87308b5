"""Shared fixtures: the cortexsim executable, a scratch folder, and real runs of shipped configs made once per
session (through cortexsim.run, so every test that uses them also exercises the launcher).

Environment (set by tests/CMakeLists.txt): CORTEXSIM (the executable), CORTEXSIM_TEST_OUT (scratch folder),
MPLBACKEND=Agg. Without CORTEXSIM the checkout's build/cortexsim is used.
"""

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))

import cortexsim  # noqa: E402

os.environ.setdefault("MPLBACKEND", "Agg")

# Every shipped config that `cortexsim run` takes, with the overrides that keep the test cheap (same circuit,
# same analysis and output layout, shorter model time where the full run takes seconds) and the weights the
# recurrent-network configs need (@WEIGHTS@: trained for a few iterations by the `weights` fixture).
SHIPPED = {
    "chaudhuri2015": {},
    "chaudhuri2015_delays": {"run.t_end_ms": 600},
    "chaudhuri2015_generic": {"run.t_end_ms": 600},
    "chaudhuri2015_noise": {"run.t_end_ms": 6000, "analysis.timescale_ms": "[1000, 6000]"},
    "resting_state": {"run.t_end_ms": 200000, "monitors.0.discard_ms": 20000, "monitors.0.fcd.window_samples": 20,
                      "monitors.0.fcd.step_samples": 10, "monitors.2.discard_ms": 20000},
    "joglekar2018_strong_gba": {"run.t_end_ms": 1500, "stimuli.0.onset_ms": 200},
    "mejiaswang2022": {},
    "froudistwalsh2021": {},
    "froudistwalsh2021_distractor": {},
    "froudistwalsh2021_stp": {"run.t_end_ms": 1500, "analysis.baseline_ms": "[500, 1000]",
                              "analysis.delay_ms": "[1000, 1500]", "stimuli.0.onset_ms": 600,
                              "stimuli.1.onset_ms": 1000, "stimuli.2.onset_ms": 1000},
    "laminar_generic": {},
    "rnn_random_10k": {"run.t_end_ms": 1000},
    "rnn_nback": {"model.rnn.weights": "@WEIGHTS@", "run.t_end_ms": 3200, "analysis.timescale_ms": "[0, 3200]"},
    "compare_nback_cortex": {"task_stimuli.weights": "@WEIGHTS@", "run.t_end_ms": 2000,
                             "analysis.delay_ms": "[1500, 2000]"},
}


@pytest.fixture(scope="session")
def binary():
    return cortexsim.find_binary(os.environ.get("CORTEXSIM"))


@pytest.fixture(scope="session")
def scratch(tmp_path_factory):
    out = os.environ.get("CORTEXSIM_TEST_OUT")
    if out:
        p = Path(out)
        p.mkdir(parents=True, exist_ok=True)
        return p
    return tmp_path_factory.mktemp("cortexsim")


@pytest.fixture(scope="session")
def weights(binary, scratch):
    """n-back weights from a few training iterations of configs/rnn_train_nback.yaml (the layout of a trained
    file; the accuracy does not matter here)."""
    import subprocess

    w = scratch / "rnn_weights.h5"
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = [binary, "train", str(REPO / "configs" / "rnn_train_nback.yaml"), "-o", str(w), "--overwrite",
           "--set", "training.iterations=2", "--set", "training.eval_trials=8",
           "--set", f"checkpoint.path={scratch / 'rnn_weights.ckpt'}"]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr + p.stdout
    return w


class Runs:
    """Outputs of shipped configs, each run once (1 rank) on first use."""

    def __init__(self, binary, scratch, request):
        self.binary, self.scratch, self.request = binary, scratch, request
        self.paths = {}

    def path(self, name):
        if name not in self.paths:
            overrides = dict(SHIPPED[name])
            if "@WEIGHTS@" in overrides.values():
                w = str(self.request.getfixturevalue("weights"))
                overrides = {k: (w if v == "@WEIGHTS@" else v) for k, v in overrides.items()}
            out = self.scratch / f"{name}.h5"
            self.paths[name] = cortexsim.run(REPO / "configs" / f"{name}.yaml", ranks=1, set=overrides,
                                             output=out, binary=self.binary, load=False)
        return self.paths[name]


@pytest.fixture(scope="session")
def runs(binary, scratch, request):
    return Runs(binary, scratch, request)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
