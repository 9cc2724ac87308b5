"""cortexsim.run (mpirun on 1 and 2 ranks, overrides, sweeps, errors) and cortexsim.open_sweep."""

import h5py
import numpy as np
import pytest

import cortexsim

from conftest import REPO

TINY = REPO / "tests" / "data" / "tiny"


@pytest.fixture(scope="module")
def tiny_sweep_config(scratch):
    """tests/data/tiny/tiny.yaml with absolute data paths and a 2 x 2 grid sweep."""
    text = (TINY / "tiny.yaml").read_text()
    text = text.replace("file: areas.csv", f"file: {TINY / 'areas.csv'}").replace("fln: fln.csv",
                                                                                   f"fln: {TINY / 'fln.csv'}")
    text += "sweep:\n  mode: grid\n  parameters:\n    model.parameters.eta: [0.2, 0.68]\n" \
            "    stimuli.0.amplitude_hz: [5, 10]\n"
    cfg = scratch / "tiny_sweep.yaml"
    cfg.write_text(text)
    return cfg


def test_run_one_and_two_ranks_identical(binary, scratch):
    a = cortexsim.run(TINY / "tiny.yaml", ranks=1, output=scratch / "tiny_np1.h5", binary=binary)
    b = cortexsim.run(TINY / "tiny.yaml", ranks=2, output=scratch / "tiny_np2.h5", binary=binary)
    assert a.rates.dims == ("time", "area", "population") and list(a.area.values) == ["A", "B", "C"]
    assert a.attrs["provenance_ranks"] == "1" and b.attrs["provenance_ranks"] == "2"
    np.testing.assert_array_equal(a.rates.values, b.rates.values)  # bit-identical on any rank count


def test_run_overrides_and_load_false(binary, scratch):
    path = cortexsim.run(TINY / "tiny.yaml", set={"run.t_end_ms": 100, "stimuli.0.amplitude_hz": 20},
                         output=scratch / "tiny_set.h5", binary=binary, load=False)
    assert path.endswith("tiny_set.h5")
    ds = cortexsim.open(path)
    assert ds.sizes["time"] == 101  # 100 ms at the default record interval of 1 ms, record 0 included
    assert ds.attrs["overrides"].splitlines() == ["run.t_end_ms=100", "stimuli.0.amplitude_hz=20"]
    assert cortexsim.config(ds)["stimuli"][0]["amplitude_hz"] == 20


def test_run_failure_raises_with_message(binary, scratch):
    with pytest.raises(cortexsim.CortexsimError, match=r"code 1: cortexsim: error: .*unknown key 'run.dtt_ms'"):
        cortexsim.run(TINY / "tiny.yaml", set={"run.dtt_ms": 0.1}, output=scratch / "bad.h5", binary=binary)
    assert not (scratch / "bad.h5").exists()
    with pytest.raises(ValueError, match="ranks"):
        cortexsim.run(TINY / "tiny.yaml", ranks=0, binary=binary)


def test_command_lines(binary):
    cmd = cortexsim.command("c.yaml", ranks=4, set={"a.b": [1, 2], "c": True}, output="o.h5", launcher="srun",
                            binary=binary)
    assert cmd[:4] == ["srun", "--mpi=pmix", "-n", "4"]
    assert cmd[4:] == [binary, "run", "c.yaml", "-o", "o.h5", "--set", "a.b=[1, 2]", "--set", "c=true",
                       "--overwrite", "--quiet"]
    assert cortexsim.command("c.yaml", launcher=None, binary=binary, sweep=True)[:2] == [binary, "sweep"]


def test_sweep_table(binary, scratch, tiny_sweep_config):
    df = cortexsim.run(tiny_sweep_config, ranks=2, sweep=True, output=scratch / "tsw.h5",
                       set={"run.t_end_ms": 150}, binary=binary)
    assert len(df) == 4
    assert list(df.columns[:5]) == ["path", "model", "model.parameters.eta", "stimuli.0.amplitude_hz",
                                    "run.t_end_ms"]
    assert sorted(zip(df["model.parameters.eta"], df["stimuli.0.amplitude_hz"])) == \
        [(0.2, 5), (0.2, 10), (0.68, 5), (0.68, 10)]
    # 2 ranks, 3 areas: the sweep runs two points at a time, one rank each (--ranks-per-point default)
    assert set(df["run.t_end_ms"]) == {150} and set(df["ranks"]) == {1}
    # the same files by glob, one row per file and area
    long = cortexsim.open_sweep(str(scratch / "tsw_*.h5"), per_area=True)
    assert len(long) == 12 and {"area", "hierarchy", "response_hz", "peak_rate_hz_E"} <= set(long.columns)
    # linear model: the response of the stimulated area scales with the amplitude
    a = long[long.area == "A"].set_index(["model.parameters.eta", "stimuli.0.amplitude_hz"])["response_hz"]
    for eta in (0.2, 0.68):
        assert a[(eta, 10)] == pytest.approx(2 * a[(eta, 5)], rel=1e-9)
    # and the table agrees with the files
    for _, row in long.iterrows():
        with h5py.File(row["path"], "r") as f:
            i = [n.decode().strip() for n in f["areas"][()]].index(row["area"])
            assert row["response_hz"] == f["analysis/response_hz"][i]


def test_sweep_scalar_analyses(binary, scratch):
    """A 2-point dopamine sweep of the Froudist-Walsh model: n_persistent and per-area flags agree."""
    data = REPO / "configs" / "data" / "froudistwalsh2021"
    text = (REPO / "configs" / "froudistwalsh2021.yaml").read_text().replace("data/froudistwalsh2021/", f"{data}/")
    text = text.replace("model.parameters.dopamine: [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0]",
                        "model.parameters.dopamine: [0.0, 1.5]")
    cfg = scratch / "fw_sweep.yaml"
    cfg.write_text(text)
    paths = cortexsim.run(cfg, ranks=1, sweep=True, output=scratch / "fw_sweep.h5", binary=binary, load=False)
    assert len(paths) == 2
    df = cortexsim.open_sweep(paths)
    assert list(df["model.parameters.dopamine"]) == [0.0, 1.5]
    long = cortexsim.open_sweep(paths, per_area=True)
    counts = long.groupby("model.parameters.dopamine")["persistent"].sum()
    assert list(df["n_persistent"]) == [int(counts[0.0]), int(counts[1.5])]
    assert df["n_persistent"].iloc[1] == 23  # 23 of 40 areas at dopamine 1.5 (README, docs/validation.md)


def test_open_sweep_errors(scratch):
    with pytest.raises(cortexsim.CortexsimError, match="no file matches"):
        cortexsim.open_sweep(str(scratch / "nothing_*.h5"))
