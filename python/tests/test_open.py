"""cortexsim.open on real outputs: named dims, coordinates, units, analyses, readout and monitors."""

import shutil

import h5py
import numpy as np
import pytest

import cortexsim


def _names(d):
    return [(v.decode() if isinstance(v, bytes) else str(v)).strip() for v in d[()]]


def test_linear_run_as_dataset(runs):
    path = runs.path("chaudhuri2015")
    ds = cortexsim.open(path)
    assert ds.rates.dims == ("time", "area", "population")
    with h5py.File(path, "r") as f:
        areas = _names(f["areas"])
        assert list(ds.area.values) == areas
        assert list(ds.population.values) == _names(f["populations"])
        np.testing.assert_array_equal(ds.rates.values, f["rates"][()])
        np.testing.assert_array_equal(ds.time.values, f["time"][()])
        np.testing.assert_array_equal(ds.hierarchy.values, f["analysis/hierarchy"][()])
        np.testing.assert_array_equal(ds.timescale_s.values, f["analysis/timescale_s"][()])
        np.testing.assert_array_equal(ds.peak_rate_hz.values, f["analysis/peak_rate_hz"][()])
    assert areas[0] == "V1" and len(areas) == 29
    assert ds.hierarchy.dims == ("area",) and "hierarchy" in ds.coords and "hierarchy" not in ds.data_vars
    assert ds.rates.attrs["units"] == "Hz" and ds.time.attrs["units"] == "s"
    assert ds.timescale_s.dims == ("area",) and ds.timescale_s.attrs["units"] == "s"
    assert ds.peak_rate_hz.dims == ("area", "population")
    assert ds.attrs["model"] == "chaudhuri2015"
    assert "model:" in ds.attrs["config_resolved"] and ds.attrs["provenance_ranks"] == "1"
    # label-based selection works on the named dims
    v1 = ds.rates.sel(area="V1", population="E")
    assert v1.dims == ("time",) and float(v1.max()) > 100.0  # the pulse to V1 (docs/models.md)
    # the resolved config as a dict
    cfg = cortexsim.config(ds)
    assert cfg["model"]["name"] == "chaudhuri2015" and cortexsim.config(path) == cfg


def test_read_part_of_a_run(runs):
    """areas= and time_s= read a part of /rates; the rest is cut to match."""
    path = runs.path("froudistwalsh2021")
    full = cortexsim.open(path)
    part = cortexsim.open(path, areas=["24c", "V1", "8m"], time_s=(1.0, 1.5))
    assert list(part.area.values) == ["V1", "8m", "24c"]  # file order
    assert part.time.values[0] == 1.0 and part.time.values[-1] == 1.5 and part.sizes["time"] == 1001
    want = full.sel(area=["V1", "8m", "24c"]).sel(time=slice(1.0, 1.5))
    np.testing.assert_array_equal(part.rates.values, want.rates.values)
    np.testing.assert_array_equal(part.persistent.values, want.persistent.values)
    np.testing.assert_array_equal(part.hierarchy.values, want.hierarchy.values)
    assert part.rates.dims == ("time", "area", "population") and part.rates.attrs == full.rates.attrs
    with pytest.raises(cortexsim.CortexsimError, match="unknown area.*nowhere"):
        cortexsim.open(path, areas=["V1", "nowhere"])


def test_working_memory_run_as_dataset(runs):
    ds = cortexsim.open(runs.path("froudistwalsh2021"))
    assert ds.sizes["area"] == 40 and "E1" in list(ds.population.values)
    assert ds.delay_mean_hz.dims == ("area", "population")
    assert ds.persistent.dims == ("area",) and set(np.unique(ds.persistent.values)) <= {0.0, 1.0}
    assert "timescale_s" not in ds
    # the flag is the documented rule: delay mean minus baseline mean of E1 above 5 Hz
    d = ds.delay_mean_hz.sel(population="E1") - ds.baseline_mean_hz.sel(population="E1")
    np.testing.assert_array_equal((d > 5).values.astype(float), ds.persistent.values)


def test_rnn_readout(runs):
    ds = cortexsim.open(runs.path("rnn_nback"))
    assert ds.readout.dims == ("time", "output") and ds.readout.shape[0] == ds.sizes["time"]
    assert ds.intrinsic_timescale_s.dims == ("area",)


def test_monitor_group_read_generically(runs, scratch):
    """A real output with a /monitors group added in the documented layout ([time, area, variable] + time)."""
    src = runs.path("chaudhuri2015")
    dst = scratch / "with_monitor.h5"
    shutil.copyfile(src, dst)
    with h5py.File(dst, "a") as f:
        rates = f["rates"][()]
        g = f.create_group("monitors/bold")
        d = g.create_dataset("data", data=rates[::100, :, :])
        d.attrs["units"] = "1"
        d.attrs["variables"] = np.array([b"s", b"f"])
        g.create_dataset("time", data=f["time"][()][::100])
        g2 = f.create_group("monitors/raw")
        g2.create_dataset("data", data=rates[::50, :, :1])
    ds = cortexsim.open(dst)
    assert ds.bold.dims == ("bold_time", "area", "bold_variable")
    assert list(ds.bold_variable.values) == ["s", "f"] and ds.bold.attrs["units"] == "1"
    np.testing.assert_array_equal(ds.bold_time.values, ds.time.values[::100])
    np.testing.assert_array_equal(ds.bold.sel(area="V1", bold_variable="f").values, rates[::100, 0, 1])
    assert ds.raw.dims == ("raw_time", "area", "raw_variable") and ds.raw.shape[0] == rates[::50].shape[0]


def test_errors(scratch):
    with pytest.raises(cortexsim.CortexsimError, match="no such file"):
        cortexsim.open(scratch / "does_not_exist.h5")
    bad = scratch / "not_hdf5.h5"
    bad.write_text("hello")
    with pytest.raises(cortexsim.CortexsimError, match="cannot open as HDF5"):
        cortexsim.open(bad)
    empty = scratch / "empty.h5"
    with h5py.File(empty, "w"):
        pass
    with pytest.raises(cortexsim.CortexsimError, match="missing dataset /time"):
        cortexsim.open(empty)


def test_monitors_fc_and_spectra_of_a_resting_state_run(runs):
    """configs/resting_state.yaml (shortened): the monitors written by cortexsim, FC as an area x area matrix,
    the LFP spectrum with its frequency axis, all with named dimensions."""
    ds = cortexsim.open(runs.path("resting_state"))
    assert ds.bold.dims == ("bold_time", "area", "bold_variable") and ds.bold.shape == (100, 29, 1)
    assert float(ds.bold_time[-1]) == 200.0
    assert ds.fc_bold.dims == ("area", "source_area")
    assert np.allclose(np.diag(ds.fc_bold.values), 1.0)
    assert ds.psd_lfp.dims == ("area", "psd_lfp_frequency_hz") and float(ds.psd_lfp_frequency_hz[-1]) == 25.0
    assert list(ds.area.values[:2]) == ["V1", "V2"]


def test_format_version_2_is_self_describing(runs):
    """Format 2 (docs/output-format.md): dimension scales on /rates, UTF-8 names, chunks of one area's records,
    compression, units per circuit, /format_version."""
    path = runs.path("froudistwalsh2021")
    with h5py.File(path, "r") as f:
        assert int(f.attrs["format_version"]) == 2
        r = f["rates"]
        assert [[s.name for s in r.dims[i].values()] for i in range(3)] == [["/time"], ["/areas"], ["/populations"]]
        for name in ("areas", "populations"):
            info = h5py.check_string_dtype(f[name].dtype)
            assert info is not None and info.encoding == "utf-8" and info.length is None  # variable-length
        assert r.chunks is not None and r.chunks[1] == 1 and r.chunks[2] == r.shape[2] and r.chunks[0] > 1
        assert r.compression is None  # chunked, not compressed (docs/output-format.md)
        assert r.attrs["units"] in (b"Hz", "Hz")
        assert [s.name for s in f["analysis/persistent"].dims[0].values()] == ["/areas"]
    ds = cortexsim.open(path)
    assert ds.attrs["format_version"] == 2 and ds.rates.attrs["units"] == "Hz"
    # a dimensionless circuit says so
    rnn = cortexsim.open(runs.path("rnn_random_10k"))
    assert rnn.rates.attrs["units"] == "1"


def test_reads_a_version_1_file(runs, scratch):
    """A hand-made file in the layout before format_version (contiguous /rates, fixed-length byte names, no
    dimension scales, no /format_version) reads the same as the version-2 file it was copied from."""
    src = runs.path("chaudhuri2015")
    old = scratch / "format_v1.h5"
    with h5py.File(src, "r") as f, h5py.File(old, "w") as g:
        for name in ("time", "rates"):
            d = g.create_dataset(name, data=f[name][()])  # contiguous, no filters
            for k, v in f[name].attrs.items():
                if k not in ("CLASS", "NAME", "DIMENSION_LIST", "REFERENCE_LIST"):
                    d.attrs[k] = v
        for name in ("areas", "populations"):
            names = [n.encode() if isinstance(n, str) else n for n in f[name][()]]
            g.create_dataset(name, data=np.array(names, dtype=f"S{max(len(n) for n in names)}"))
        f.copy("analysis", g)
        for k in ("CLASS", "NAME", "DIMENSION_LIST", "REFERENCE_LIST"):
            for d in g["analysis"].values():
                if k in d.attrs:
                    del d.attrs[k]
        f.copy("config", g)
        f.copy("provenance", g)
        for k, v in f.attrs.items():
            if k != "format_version":
                g.attrs[k] = v
    new, v1 = cortexsim.open(src), cortexsim.open(old)
    assert v1.attrs["format_version"] == 1
    assert list(v1.area.values) == list(new.area.values) and list(v1.population.values) == list(new.population.values)
    np.testing.assert_array_equal(v1.rates.values, new.rates.values)
    np.testing.assert_array_equal(v1.timescale_s.values, new.timescale_s.values)
    assert v1.rates.dims == new.rates.dims and v1.rates.attrs["units"] == "Hz"
