"""cortexsim.plot: every figure to PNG, PDF and SVG; tools/plot_run.py on the output of every shipped config."""

import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

import cortexsim
from cortexsim import plot
from cortexsim.plot_run import main as plot_run_main

from conftest import REPO, SHIPPED

SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<?xml"}


def check_files(paths):
    assert paths, "no figure written"
    for p in paths:
        ext = os.path.splitext(p)[1][1:]
        with open(p, "rb") as f:
            head = f.read(8)
        assert head.startswith(SIGNATURES[ext]), f"{p} is not a {ext} file"
        assert os.path.getsize(p) > 1000, f"{p} is nearly empty"


def test_run_figures_all_formats(runs, scratch):
    ds = cortexsim.open(runs.path("chaudhuri2015"))
    out = scratch / "fig"
    out.mkdir(exist_ok=True)
    check_files(plot.save(plot.rates(ds, areas="V1,V4,7m,24c"), out / "rates", formats=plot.FORMATS))
    check_files(plot.save(plot.timescales(ds), out / "timescales.svg"))
    check_files(plot.save(plot.traces(ds, areas=["V1", "24c"]), out / "traces.pdf"))
    with pytest.raises(cortexsim.CortexsimError, match="unknown area"):
        plot.traces(ds, areas=["V1", "nowhere"])
    with pytest.raises(ValueError, match="unknown format"):
        plot.save(plot.traces(ds), out / "x", formats=["gif"])
    with pytest.raises(cortexsim.CortexsimError, match="no working-memory analysis"):
        plot.persistence(ds)
    # a linear run's rates figure plots the change after the pulse onset: the first panel's maximum is V1's
    fig = plot.rates(ds)
    top = fig.axes[0]
    assert top.get_ylabel() == "V1"
    y = top.lines[0].get_ydata()
    v1 = ds.rates.sel(area="V1", population="E").values
    k = int(np.searchsorted(ds.time.values, 0.1 + 1e-10, side="right")) - 1  # onset 100 ms
    np.testing.assert_allclose(y, v1 - v1[k])  # 2501 records: drawn in full


def test_long_traces_keep_their_extremes(runs):
    """Traces longer than 3000 records are drawn as per-bucket minimum and maximum: the peaks stay."""
    ds = cortexsim.open(runs.path("froudistwalsh2021"))  # 10001 records
    line = plot.traces(ds, areas=["V1"], population="E1").axes[0].lines[0]
    y = ds.rates.sel(area="V1", population="E1").values
    assert len(line.get_ydata()) <= 3000
    assert np.max(line.get_ydata()) == np.max(y) and np.min(line.get_ydata()) == np.min(y)
    assert set(line.get_xdata()) <= set(ds.time.values)


def test_fc_and_persistence(runs, scratch):
    src = runs.path("froudistwalsh2021")
    ds = cortexsim.open(src)
    check_files(plot.save(plot.persistence(ds), scratch / "fw_persistence", formats=["png", "svg"]))
    # an area x area matrix (here the correlation of the E1 rates, added to a copy of the output)
    dst = scratch / "fw_with_fc.h5"
    shutil.copyfile(src, dst)
    with h5py.File(dst, "a") as f:
        r = f["rates"][()][:, :, 0]
        d = f.create_dataset("analysis/fc", data=np.corrcoef(r.T))
        d.attrs["units"] = "1"
    ds2 = cortexsim.open(dst)
    assert ds2.fc.dims == ("area", "source_area") and list(ds2.source_area.values) == list(ds2.area.values)
    assert "fc" in plot.figures(ds2) and "fc" not in plot.figures(ds)
    check_files(plot.save(plot.fc(ds2), scratch / "fw_fc.png"))


def test_sweep_figures(runs, scratch, binary):
    paths = [cortexsim.run(REPO / "tests" / "data" / "tiny" / "tiny.yaml", set={"stimuli.0.amplitude_hz": a},
                           output=scratch / f"tiny_amp{a}.h5", binary=binary, load=False) for a in (5, 10, 20)]
    long = cortexsim.open_sweep(paths, per_area=True)
    fig = plot.sweep(long, "stimuli.0.amplitude_hz", "response_hz", hue="area")
    assert len(fig.axes[0].lines) == 3  # one curve per area
    check_files(plot.save(fig, scratch / "sweep_curves", formats=["png", "pdf"]))
    fig = plot.persistence_map(long, "stimuli.0.amplitude_hz", value="peak_rate_hz_E")
    check_files(plot.save(fig, scratch / "sweep_map.png"))
    with pytest.raises(cortexsim.CortexsimError, match="no column 'nope'"):
        plot.sweep(long, "stimuli.0.amplitude_hz", "nope")


# ---- tools/plot_run.py: every shipped config -----------------------------------------------------------------

EXPECTED = {  # figures beyond `rates` each config's output must give
    "chaudhuri2015": {"timescales"}, "chaudhuri2015_delays": {"timescales"}, "chaudhuri2015_generic": {"timescales"},
    "joglekar2018_strong_gba": {"timescales"}, "mejiaswang2022": {"persistence"},
    "froudistwalsh2021": {"persistence"}, "froudistwalsh2021_distractor": {"persistence"},
    "froudistwalsh2021_stp": {"persistence"}, "laminar_generic": {"persistence"}, "rnn_random_10k": {"readout"},
    "rnn_nback": {"readout", "timescales"}, "compare_nback_cortex": {"persistence", "timescales"},
    "chaudhuri2015_noise": {"timescales"},
    "resting_state": {"fc", "monitor_bold", "monitor_lfp", "monitor_rates_1s"},
}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_plot_run_every_shipped_config(name, runs, scratch, capsys):
    h5 = runs.path(name)
    prefix = scratch / "plot_run" / name
    prefix.parent.mkdir(exist_ok=True)
    assert plot_run_main([h5, "-o", str(prefix), "--dpi", "60"]) == 0
    written = capsys.readouterr().out.split()
    check_files(written)
    got = {os.path.basename(w)[len(name) + 1:-4] for w in written}
    assert got == {"rates"} | EXPECTED[name]


def test_plot_run_script(runs, scratch):
    """The script itself: all three formats, and one error line for a missing file."""
    script = [sys.executable, str(REPO / "tools" / "plot_run.py")]
    env = dict(os.environ, MPLBACKEND="Agg")
    prefix = scratch / "script" / "mw"
    prefix.parent.mkdir(exist_ok=True)
    p = subprocess.run(script + [runs.path("mejiaswang2022"), "-o", str(prefix), "--format", "png,pdf,svg",
                                 "--only", "persistence"], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == [f"{prefix}_persistence.{e}" for e in ("png", "pdf", "svg")]
    check_files(p.stdout.split())
    p = subprocess.run(script + [str(scratch / "missing.h5")], capture_output=True, text=True, env=env)
    assert p.returncode == 1 and p.stderr.count("\n") == 1 and "plot_run.py: error:" in p.stderr
    assert "no such file" in p.stderr


def test_plot_run_errors(runs, capsys):
    assert plot_run_main([runs.path("mejiaswang2022"), "--only", "timescales"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("plot_run.py: error: --only: timescales not available") and err.count("\n") == 1
    assert plot_run_main([runs.path("mejiaswang2022"), "--format", "gif"]) == 1
    assert "unknown format(s) gif" in capsys.readouterr().err
    assert plot_run_main([runs.path("mejiaswang2022"), "-o", "/nonexistent/folder/x"]) == 1
    assert "output directory does not exist" in capsys.readouterr().err
