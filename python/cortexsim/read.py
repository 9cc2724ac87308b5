"""Reading cortexsim HDF5 outputs: one run as an xarray.Dataset, many runs as a pandas.DataFrame.

The layout is the one of docs/output-format.md: /time [T], /areas [A], /populations [P], /rates [T, A, P],
/config (text, attributes ``overrides`` and ``resolved``), /provenance (attributes), /analysis/NAME ([A], [A, P]
or scalars), global datasets such as /readout [T, n_out], and monitors /monitors/NAME/data [time, area, variable]
with /monitors/NAME/time. Both layouts are read: format version 2 (root attribute ``format_version``: dimension
scales, variable-length UTF-8 names, chunked and compressed /rates) and version 1 (no attribute: fixed-length byte
names, contiguous /rates); datasets that are HDF5 dimension scales are used as coordinates only.
"""

import glob as _glob
import os

import numpy as np

__all__ = ["open", "open_sweep", "config", "CortexsimError", "text"]

_KNOWN_TOP = {"time", "areas", "populations", "rates", "config", "provenance", "analysis", "monitors"}


class CortexsimError(Exception):
    """A cortexsim file that cannot be read, or a run that failed."""


def text(value):
    """A str from an HDF5 string value (bytes, numpy bytes/str scalar or 0-d array)."""
    if isinstance(value, np.ndarray):
        value = value[()] if value.shape == () else value.tobytes()
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).rstrip(b"\0").decode("utf-8", errors="replace")
    return str(value)


def _strings(dset):
    return [text(v).strip() for v in dset[()]]


def _attrs(obj):
    out = {}
    for k, v in obj.attrs.items():
        if k in ("DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME", "_Netcdf4Dimid"):
            continue
        if isinstance(v, (bytes, np.bytes_, str)) or (isinstance(v, np.ndarray) and v.dtype.kind in "SOU"):
            out[k] = text(v)
            # a value longer than an HDF5 attribute holds is in a dataset the attribute names
            if out[k].startswith("stored in the dataset /") and out[k].split()[4] in obj.file:
                out[k] = text(obj.file[out[k].split()[4]][()])
        elif isinstance(v, np.ndarray) and v.shape in ((), (1,)):
            out[k] = v.reshape(()).item()
        else:
            out[k] = v
    return out


def _is_scale(dset):
    cls = dset.attrs.get("CLASS")
    return cls is not None and text(cls) == "DIMENSION_SCALE"


def _h5py():
    try:
        import h5py
    except ImportError as e:  # pragma: no cover - the Debian package is a dependency
        raise CortexsimError("h5py is not installed (Debian: apt-get install python3-h5py)") from e
    return h5py


def _file(path):
    h5py = _h5py()
    path = os.fspath(path)
    if not os.path.exists(path):
        raise CortexsimError(f"{path}: no such file")
    try:
        return h5py.File(path, "r")
    except OSError as e:
        raise CortexsimError(f"{path}: cannot open as HDF5 ({e})") from e


def _need(f, name):
    if name not in f:
        raise CortexsimError(f"{f.filename}: missing dataset /{name} (not a cortexsim output?)")
    return f[name]


def _analysis_dims(name, shape, n_area, n_pop):
    """Dimension names of an /analysis dataset from its shape."""
    if len(shape) == 0:
        return ()
    dims = []
    for k, n in enumerate(shape):
        if k == 0 and n == n_area:
            dims.append("area")
        elif k == 1 and dims == ["area"] and n == n_pop:
            dims.append("population")
        elif k == 1 and dims == ["area"] and n == n_area:
            dims.append("source_area")  # an area x area matrix (e.g. functional connectivity)
        else:
            dims.append(f"{name}_dim{k}")
    return tuple(dims)


def _monitor(xr, grp, name, n_area):
    """One monitor group /monitors/NAME: data [time, area, variable] (generic in rank) and time."""
    if "data" not in grp:
        return {}, {}
    d = grp["data"]
    data = np.asarray(d[()])
    tdim = f"{name}_time"
    dims = []
    for k, n in enumerate(data.shape):
        if k == 0:
            dims.append(tdim)
        elif k == 1 and n == n_area:
            dims.append("area")
        elif k == data.ndim - 1 and k >= 1:
            dims.append(f"{name}_variable")
        else:
            dims.append(f"{name}_dim{k}")
    coords = {}
    if "time" in grp:
        t = np.asarray(grp["time"][()], dtype=float)
        if data.ndim and t.shape == (data.shape[0],):
            coords[tdim] = xr.Variable((tdim,), t, _attrs(grp["time"]))
    vdim = f"{name}_variable"
    names = None
    for where in (d.attrs, grp.attrs):
        if "variables" in where:
            names = [text(v).strip() for v in np.atleast_1d(where["variables"])]
            if len(names) == 1 and "," in names[0]:
                names = [s.strip() for s in names[0].split(",")]
            break
    if names is None and "variables" in grp:
        names = _strings(grp["variables"])
    if names is not None and vdim in dims and len(names) == data.shape[dims.index(vdim)]:
        coords[vdim] = xr.Variable((vdim,), np.array(names, dtype=object))
    attrs = _attrs(d)
    attrs.update({k: v for k, v in _attrs(grp).items() if k not in attrs and k != "variables"})
    attrs.pop("variables", None)
    return {name: xr.Variable(tuple(dims), data, attrs)}, coords


def open(path, areas=None, time_s=None):  # noqa: A001 - the package's verb, as in xarray.open_dataset
    """Read one cortexsim output file into an xarray.Dataset.

    Variables: ``rates`` (time, area, population) with ``units``; every /analysis dataset by its name ([area],
    [area, population], [area, source_area] or scalar), except ``hierarchy`` which is a coordinate on ``area``;
    global datasets such as ``readout`` (time, output); each monitor /monitors/NAME as ``NAME`` with its own
    time coordinate ``NAME_time``. Attributes: model, the config text, the resolved config, the overrides and
    every /provenance attribute (prefixed ``provenance_``).

    ``areas`` (names) and ``time_s`` ((t0, t1) in s, both ends included) read only that part of /rates from the
    file (the areas in file order); every other variable is cut to the same areas and times. Without them
    everything is read into memory.
    """
    import xarray as xr

    path = os.fspath(path)
    with _file(path) as f:
        time = np.asarray(_need(f, "time")[()], dtype=float)
        areas_all = _strings(_need(f, "areas"))
        pops = _strings(_need(f, "populations"))
        r = _need(f, "rates")
        T, A, P = len(time), len(areas_all), len(pops)
        if r.shape != (T, A, P):
            raise CortexsimError(f"{path}: /rates has shape {r.shape}, expected ({T}, {A}, {P})")
        aidx = None
        if areas is not None:
            wanted = [areas] if isinstance(areas, str) else list(areas)
            unknown = [a for a in wanted if a not in areas_all]
            if unknown or not wanted:
                raise CortexsimError(f"{path}: unknown area(s) {', '.join(unknown) or '(none given)'}")
            aidx = sorted({areas_all.index(a) for a in wanted})
        k0, k1 = 0, T
        if time_s is not None:
            t0, t1 = (float(x) for x in time_s)
            eps = 1e-9 * max(1.0, abs(t0), abs(t1))
            k0 = int(np.searchsorted(time, t0 - eps, side="left"))
            k1 = int(np.searchsorted(time, t1 + eps, side="right"))
        rates = np.asarray(r[k0:k1] if aidx is None else r[k0:k1, aidx, :])
        rates_var = xr.Variable(("time", "area", "population"), rates, _attrs(r))
        areas = areas_all
        coords = {
            "time": xr.Variable(("time",), time, _attrs(f["time"])),
            "area": xr.Variable(("area",), np.array(areas, dtype=object)),
            "population": xr.Variable(("population",), np.array(pops, dtype=object)),
        }
        data_vars = {}
        if "analysis" in f:
            for name, d in f["analysis"].items():
                if not hasattr(d, "shape") or _is_scale(d):
                    continue
                values = np.asarray(d[()])
                dims = _analysis_dims(name, values.shape, A, P)
                var = xr.Variable(dims, values, _attrs(d))
                if name == "hierarchy" and dims == ("area",):
                    coords["hierarchy"] = var
                else:
                    data_vars[name] = var
            # groups: /analysis/fc/NAME [area, area], /analysis/fcd/NAME [window, window], /analysis/psd/NAME
            # [area, frequency] (+ NAME_frequency_hz), /analysis/compare/SCORE (scalars): variables GROUP_NAME
            for group, g in f["analysis"].items():
                if hasattr(g, "shape"):
                    continue
                for name, d in g.items():
                    if not hasattr(d, "shape") or name.endswith("_frequency_hz"):
                        continue
                    values, v = np.asarray(d[()]), f"{group}_{name}"
                    if group == "psd" and f"{name}_frequency_hz" in g:
                        fdim = f"{v}_frequency_hz"
                        coords[fdim] = xr.Variable((fdim,), np.asarray(g[f"{name}_frequency_hz"][()]), {"units": "Hz"})
                        dims = ("area", fdim) if values.shape[0] == A else (f"{v}_row", fdim)
                    elif values.ndim == 2 and values.shape == (A, A):
                        dims = ("area", "source_area")
                    else:
                        dims = tuple(f"{v}_dim{i}" for i in range(values.ndim))
                    data_vars[v] = xr.Variable(dims, values, _attrs(d))
        for name, d in f.items():
            if name in _KNOWN_TOP or not hasattr(d, "shape") or _is_scale(d):
                continue
            values = np.asarray(d[()])
            if values.dtype.kind in "SOU" or (values.dtype.kind == "u" and values.dtype.itemsize == 1):
                continue  # text or embedded bytes, not a variable
            dims = tuple("time" if (k == 0 and n == T) else f"{name}_dim{k}" for k, n in enumerate(values.shape))
            if name == "readout" and values.ndim == 2:
                dims = (dims[0], "output")  # /readout [records, n_out] of a recurrent network
            data_vars[name] = xr.Variable(dims, values, _attrs(d))
        if "monitors" in f:
            for name, grp in f["monitors"].items():
                if hasattr(grp, "keys"):
                    v, c = _monitor(xr, grp, name, A)
                    data_vars.update(v)
                    coords.update(c)
        if "source_area" in {dim for v in data_vars.values() for dim in v.dims}:
            coords["source_area"] = xr.Variable(("source_area",), np.array(areas, dtype=object))
        attrs = {"source": os.path.abspath(path)}
        attrs.update({k: v for k, v in _attrs(f).items()})
        attrs["format_version"] = int(attrs.get("format_version", 1))  # files without it: version 1
        if "config" in f:
            c = f["config"]
            attrs["config"] = text(c[()])
            ca = _attrs(c)
            attrs["config_resolved"] = ca.get("resolved", attrs["config"])
            attrs["overrides"] = ca.get("overrides", "")
        if "provenance" in f:
            prov = _attrs(f["provenance"])
            prov.pop("config_text", None)  # the same as attrs["config"]
            for k, v in prov.items():
                attrs[f"provenance_{k}"] = v
            if "model" in prov:
                attrs["model"] = prov["model"]
    ds = xr.Dataset(data_vars, coords=coords, attrs=attrs)
    ds = ds.isel(time=slice(k0, k1), area=slice(None) if aidx is None else aidx)
    if time_s is not None:  # monitors have their own time axes
        for c in [c for c in ds.coords if c.endswith("_time") and c != "time"]:
            ds = ds.sel({c: slice(t0 - eps, t1 + eps)})
    return xr.Dataset({"rates": rates_var, **ds.data_vars}, coords=ds.coords, attrs=ds.attrs)


def config(source):
    """The resolved config (after --set overrides and sweep point values) of a run as a dict.

    ``source``: an output path or a Dataset from :func:`open`.
    """
    import yaml

    if isinstance(source, (str, bytes, os.PathLike)):
        with _file(source) as f:
            if "config" not in f:
                raise CortexsimError(f"{os.fspath(source)}: no /config")
            ca = _attrs(f["config"])
            resolved = ca.get("resolved") or text(f["config"][()])
    else:
        resolved = source.attrs.get("config_resolved", source.attrs.get("config", ""))
    return yaml.safe_load(resolved) or {}


def _lookup(cfg, key):
    """The value at a dotted config key (list indices as numbers), or None."""
    node = cfg
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _paths(paths):
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    out = []
    for p in paths:
        p = os.fspath(p)
        if any(ch in p for ch in "*?["):
            hits = sorted(_glob.glob(p))
            if not hits:
                raise CortexsimError(f"{p}: no file matches")
            out.extend(hits)
        elif os.path.isdir(p):
            out.extend(sorted(_glob.glob(os.path.join(p, "*.h5"))))
        else:
            out.append(p)
    if not out:
        raise CortexsimError("open_sweep: no files given")
    return out


def _scalar(v):
    v = np.asarray(v)
    if v.size != 1:
        return None
    x = v.reshape(()).item()
    return text(x) if isinstance(x, bytes) else x


def open_sweep(paths, per_area=False):
    """A table of many runs (a sweep's points, or any set of outputs) as a pandas.DataFrame.

    ``paths``: a path, a glob pattern (``"out/fw_*.h5"``), a folder (its ``*.h5``) or a list of them.

    One row per file (``per_area=False``): ``path``, ``model``, one column per swept or overridden parameter
    (every key of the config's ``sweep.parameters`` and of the file's ``--set`` overrides, named by its dotted
    key, valued from the resolved config), then every scalar analysis: each /analysis dataset holding one value,
    ``n_persistent`` (number of areas with persistent activity, when the file has /analysis/persistent), and the
    run's ``ranks`` and ``loop_seconds``. Rows are sorted by the parameters.

    ``per_area=True``: one row per file and area, with ``area``, ``hierarchy``, every per-area analysis and
    every [area, population] analysis as ``NAME_POP`` columns (for persistence maps and sweep curves per area).
    """
    import pandas as pd
    import yaml

    rows = []
    param_keys = []
    for p in _paths(paths):
        with _file(p) as f:
            if text(f.attrs.get("kind", b"")) == "sweep_summary":
                continue  # the summary `cortexsim sweep` writes next to the points (a folder or glob finds it)
            row = {"path": os.path.abspath(p)}
            prov = _attrs(f["provenance"]) if "provenance" in f else {}
            row["model"] = prov.get("model", "")
            cfg, overrides = {}, []
            if "config" in f:
                ca = _attrs(f["config"])
                cfg = yaml.safe_load(ca.get("resolved") or text(f["config"][()])) or {}
                overrides = [ln.strip() for ln in ca.get("overrides", "").splitlines() if "=" in ln]
            keys = list((_lookup(cfg, "sweep.parameters") or {}).keys())
            for ov in overrides:
                k = ov.split("=", 1)[0].strip()
                if k not in keys:
                    keys.append(k)
            for k in keys:
                if k.startswith("sweep."):
                    continue
                v = _lookup(cfg, k)
                if v is None:
                    raw = [o.split("=", 1)[1] for o in overrides if o.split("=", 1)[0].strip() == k]
                    v = yaml.safe_load(raw[-1]) if raw else None
                row[k] = v
                if k not in param_keys:
                    param_keys.append(k)
            areas = _strings(f["areas"]) if "areas" in f else []
            pops = _strings(f["populations"]) if "populations" in f else []
            analysis = {}
            if "analysis" in f:
                for name, d in f["analysis"].items():
                    if hasattr(d, "shape") and not _is_scale(d):
                        analysis[name] = np.asarray(d[()])
                    elif name == "compare":  # the scores of `cortexsim compare`
                        for k, x in d.items():
                            analysis[f"compare_{k}"] = np.asarray(x[()])
            for k in ("ranks", "loop_seconds"):
                if k in prov:
                    try:
                        row[k] = float(prov[k]) if k == "loop_seconds" else int(prov[k])
                    except ValueError:
                        pass
            if not per_area:
                for name, v in analysis.items():
                    s = _scalar(v)
                    if s is not None:
                        row[name] = s
                if "persistent" in analysis and analysis["persistent"].shape == (len(areas),):
                    row["n_persistent"] = int(np.nansum(analysis["persistent"] == 1))
                rows.append(row)
            else:
                A, P = len(areas), len(pops)
                for i, a in enumerate(areas):
                    r = dict(row)
                    r["area"] = a
                    for name, v in analysis.items():
                        if v.shape == (A,):
                            r[name] = v[i].item()
                        elif v.shape == (A, P):
                            for j, pop in enumerate(pops):
                                r[f"{name}_{pop}"] = v[i, j].item()
                    rows.append(r)
    df = pd.DataFrame(rows)
    lead = ["path", "model"] + param_keys + (["area", "hierarchy"] if per_area else [])
    lead = [c for c in lead if c in df.columns]
    df = df[lead + [c for c in df.columns if c not in lead]]
    sortable = [k for k in param_keys if k in df.columns]
    if sortable:
        try:
            df = df.sort_values(sortable + (["hierarchy"] if per_area and "hierarchy" in df else []), kind="stable")
        except TypeError:  # mixed types in a parameter column: keep the file order
            pass
    return df.reset_index(drop=True)
