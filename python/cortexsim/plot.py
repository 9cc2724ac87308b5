"""Figures of cortexsim runs and sweeps (matplotlib; every function returns the Figure, :func:`save` writes it).

Runs (a Dataset from :func:`cortexsim.open`, or a path): :func:`rates` (one panel per area, stacked by
hierarchy; a heat map for many areas), :func:`traces`, :func:`timescales`, :func:`persistence`, :func:`fc`,
:func:`readout`, :func:`monitor`. Sweeps (a DataFrame from :func:`cortexsim.open_sweep`): :func:`sweep` (curves)
and :func:`persistence_map` (parameter x area).
"""

import os

import numpy as np

from .read import CortexsimError, _lookup, config as _config, open as _open

__all__ = ["save", "rates", "traces", "timescales", "persistence", "persistence_map", "sweep", "fc", "readout",
           "monitor", "figures", "analysed_population", "FORMATS"]

FORMATS = ("png", "pdf", "svg")
DPI = 200


def _plt():
    import matplotlib

    if os.environ.get("MPLBACKEND") is None and not os.environ.get("DISPLAY"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _ds(ds):
    return _open(ds) if isinstance(ds, (str, bytes, os.PathLike)) else ds


def _title(ds, what):
    model = ds.attrs.get("model")
    return f"{what} ({model})" if model else what


def save(fig, path, formats=None, dpi=DPI, close=True):
    """Write ``fig``. ``path`` with a suffix .png/.pdf/.svg: that file; without: ``path.FMT`` for each of
    ``formats`` (default: png). Returns the list of files written."""
    path = os.fspath(path)
    stem, ext = os.path.splitext(path)
    if ext.lower().lstrip(".") in FORMATS and formats is None:
        outs = [path]
    else:
        if ext.lower().lstrip(".") not in FORMATS:
            stem = path
        formats = ("png",) if formats is None else ([formats] if isinstance(formats, str) else list(formats))
        bad = [f for f in formats if f.lower() not in FORMATS]
        if bad:
            raise ValueError(f"unknown format(s) {', '.join(bad)}; use {', '.join(FORMATS)}")
        outs = [f"{stem}.{f.lower()}" for f in formats]
    folder = os.path.dirname(stem)
    if folder and not os.path.isdir(folder):
        raise CortexsimError(f"{folder}: output directory does not exist")
    for o in outs:
        fig.savefig(o, dpi=dpi, metadata={"Date": None} if o.endswith((".pdf", ".svg")) else None)
    if close:
        _plt().close(fig)
    return outs


# ---------------------------------------------------------------------------------------------------------------
# what a run holds

def analysed_population(ds):
    """The population the run's analysis looks at (config ``analysis.population``), else E, else the first."""
    pops = [str(p) for p in ds.population.values]
    try:
        want = _lookup(_config(ds), "analysis.population")
    except Exception:  # noqa: BLE001 - a file without a readable config
        want = None
    if want in pops:
        return want
    return "E" if "E" in pops else pops[0]


def _stimuli(ds):
    """[(name, onset_s, end_s, area)] of the config's stimuli (empty if none or unreadable)."""
    try:
        cfg = _config(ds)
    except Exception:  # noqa: BLE001
        return []
    out = []
    for s in cfg.get("stimuli") or []:
        if isinstance(s, dict) and "onset_ms" in s:
            on = float(s["onset_ms"]) * 1e-3
            out.append((s.get("name", ""), on, on + float(s.get("duration_ms", 0)) * 1e-3, s.get("area")))
    return out


def _analysed_onset(ds):
    """Onset (s) of the stimulus the pulse analysis uses (``analysis.stimulus``, else the first), or None."""
    st = _stimuli(ds)
    if not st:
        return None
    try:
        want = _lookup(_config(ds), "analysis.stimulus")
    except Exception:  # noqa: BLE001
        want = None
    for s in st:
        if want is not None and s[0] == want:
            return s[1]
    return st[0][1]


def _circuit(ds):
    try:
        return str(_lookup(_config(ds), "model.circuit") or "")
    except Exception:  # noqa: BLE001
        return ""


def _hierarchy(ds):
    if "hierarchy" in ds.coords:
        return np.asarray(ds.hierarchy.values, dtype=float)
    return np.arange(ds.sizes["area"], dtype=float)


def _order(ds, areas=None):
    """Indices of the areas (all, or the named ones), by increasing hierarchy."""
    names = [str(a) for a in ds.area.values]
    if areas is None:
        idx = list(range(len(names)))
    else:
        if isinstance(areas, str):
            areas = [a.strip() for a in areas.split(",") if a.strip()]
        unknown = [a for a in areas if a not in names]
        if unknown:
            raise CortexsimError(f"unknown area(s) {', '.join(unknown)}; available: {', '.join(names)}")
        if not areas:
            raise CortexsimError("empty list of areas")
        idx = list(dict.fromkeys(names.index(a) for a in areas))
    h = _hierarchy(ds)
    return sorted(idx, key=lambda i: (h[i] if np.isfinite(h[i]) else np.inf, i))


def _colours(h):
    plt = _plt()
    cmap = plt.get_cmap("viridis")
    finite = np.isfinite(h)
    lo, hi = (np.min(h[finite]), np.max(h[finite])) if finite.any() else (0.0, 1.0)
    span = hi - lo if hi > lo else 1.0
    return [cmap(0.85 * (x - lo) / span) if np.isfinite(x) else "0.3" for x in h]


def _units(ds, var="rates"):
    return str(ds[var].attrs.get("units", "")) if var in ds else ""


def _is_pulse_analysis(ds):
    return "response_hz" in ds or "timescale_s" in ds


def _envelope(t, y, n=1500):
    """(t, y) reduced to at most ~2n points that keep every bucket's minimum and maximum (a long trace looks the
    same, draws faster and makes small PDF/SVG files)."""
    if len(t) <= 2 * n:
        return t, y
    k = -(-len(t) // n)  # records per bucket
    m = -(-len(t) // k)  # buckets
    pad = m * k - len(t)
    yb = np.concatenate([np.asarray(y, dtype=float), np.full(pad, np.nan)]).reshape(m, k)
    finite = np.isfinite(yb)
    lo = np.argmin(np.where(finite, yb, np.inf), axis=1)
    hi = np.argmax(np.where(finite, yb, -np.inf), axis=1)
    first, second = np.minimum(lo, hi), np.maximum(lo, hi)
    idx = (np.arange(m)[:, None] * k + np.stack([first, second], axis=1)).ravel()
    idx = np.minimum(idx, len(t) - 1)
    return np.asarray(t)[idx], np.asarray(y)[idx]


def _fmt(v):
    a = abs(v)
    if a == 0 or not np.isfinite(a):
        return "0" if a == 0 else str(v)
    if a >= 100:
        return f"{v:.0f}"
    if a >= 0.01:
        return f"{v:.3g}"
    return f"{v:.1e}"


# ---------------------------------------------------------------------------------------------------------------
# runs

def rates(ds, population=None, areas=None, relative=None, max_panels=40):
    """Rates by hierarchy: one thin panel per area, lowest hierarchy on top (cf. Chaudhuri et al. 2015, Fig. 3A),
    or a heat map (area x time) when there are more than ``max_panels`` areas.

    ``relative``: plot r(t) - r(t0), t0 the analysed pulse's onset (default: on for the pulse analysis of the
    linear circuits, off otherwise). Stimulus windows are shaded."""
    plt = _plt()
    ds = _ds(ds)
    pop = population or analysed_population(ds)
    if pop not in [str(p) for p in ds.population.values]:
        raise CortexsimError(f"unknown population '{pop}'; available: {', '.join(map(str, ds.population.values))}")
    idx = _order(ds, areas)
    t = ds.time.values
    r = ds.rates.sel(population=pop).values  # [T, A]
    units = _units(ds) or "a.u."
    if relative is None:
        relative = _is_pulse_analysis(ds)
    onset = _analysed_onset(ds)
    label = f"r_{pop}(t)"
    if relative:
        k = 0
        if onset is not None and onset >= t[0]:
            k = max(int(np.searchsorted(t, onset + 1e-9 * max(1.0, abs(onset)), side="right")) - 1, 0)
        r = r - r[k, :]
        label = f"r_{pop}(t) - r_{pop}({t[k]:g} s)"
    names = [str(a) for a in ds.area.values]
    stim = _stimuli(ds)
    if len(idx) > max_panels:
        fig, ax = plt.subplots(figsize=(7.5, 5.0), constrained_layout=True)
        m = r[:, idx].T
        finite = m[np.isfinite(m)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        kw = {"cmap": "magma"} if lo >= 0 else {"cmap": "RdBu_r", "vmin": -max(-lo, hi), "vmax": max(-lo, hi)}
        img = ax.imshow(m, aspect="auto", origin="lower", interpolation="nearest",
                        extent=(t[0], t[-1], -0.5, len(idx) - 0.5), **kw)
        fig.colorbar(img, ax=ax, label=f"{label} ({units})")
        ax.set_xlabel("time (s)")
        fh = _hierarchy(ds)[np.isfinite(_hierarchy(ds))]
        what = "units" if _circuit(ds) == "rnn" else "areas"
        ordered = " by increasing hierarchy" if fh.size and np.ptp(fh) > 0 else ""
        ax.set_ylabel(f"{len(idx)} {what}{ordered}")
        ax.set_title(_title(ds, f"{pop} rates"), fontsize=11)
        return fig
    n = len(idx)
    panel_h, top, bottom = 0.42, 0.75, 0.6
    height = top + bottom + panel_h * n
    fig, axes = plt.subplots(n, 1, sharex=True, figsize=(6.4, height), squeeze=False)
    axes = axes[:, 0]
    fig.subplots_adjust(left=0.14, right=0.86, top=1 - top / height, bottom=bottom / height, hspace=0.25)
    colours = _colours(_hierarchy(ds))
    for ax, i in zip(axes, idx):
        y = r[:, i]
        ax.plot(*_envelope(t, y), color=colours[i], lw=1.1)
        finite = y[np.isfinite(y)]
        ymax = float(finite.max()) if finite.size else 1.0
        ymin = min(0.0, float(finite.min())) if finite.size else 0.0
        span = ymax - ymin if ymax > ymin else 1.0
        ax.set_ylim(ymin - 0.08 * span, ymin + 1.12 * span)
        ax.axhline(0.0, color="0.85", lw=0.6, zorder=0)
        for _, on, off, _a in stim:
            if off > on:
                ax.axvspan(on, off, color="0.92", lw=0, zorder=-1)
            else:
                ax.axvline(on, color="0.6", lw=0.6, ls=":", zorder=0)
        ax.set_yticks([ymax])
        ax.set_yticklabels([_fmt(ymax)])
        ax.yaxis.tick_right()
        ax.tick_params(axis="y", labelsize=7, length=2, pad=2)
        ax.set_ylabel(names[i], rotation=0, ha="right", va="center", fontsize=9, labelpad=6)
        for s in ("top", "left"):
            ax.spines[s].set_visible(False)
        if ax is not axes[-1]:
            ax.spines["bottom"].set_visible(False)
            ax.tick_params(axis="x", bottom=False)
    axes[-1].set_xlim(t[0], t[-1])
    axes[-1].set_xlabel("time (s)")
    what = f"{pop}-rate change" if relative else f"{pop} rates"
    fig.suptitle(_title(ds, what), y=1 - 0.18 / height, fontsize=11)
    fig.text(0.5, 1 - 0.5 / height,
             f"{label} in {units}; areas by increasing hierarchy; own scale per panel, tick = panel max"
             + ("; stimuli shaded" if stim else ""), ha="center", va="center", fontsize=7.5, color="0.25")
    return fig


def traces(ds, areas=None, population=None, ax=None, n=8):
    """Rates of a few areas over time in one axes (default: ``n`` areas spread over the hierarchy)."""
    plt = _plt()
    ds = _ds(ds)
    pop = population or analysed_population(ds)
    idx = _order(ds, areas)
    if areas is None and len(idx) > n:
        idx = [idx[int(round(k))] for k in np.linspace(0, len(idx) - 1, n)]
    fig = ax.figure if ax is not None else plt.subplots(figsize=(7.0, 4.0), constrained_layout=True)[0]
    ax = ax or fig.axes[0]
    colours = _colours(_hierarchy(ds))
    names = [str(a) for a in ds.area.values]
    r = ds.rates.sel(population=pop).values
    for i in idx:
        ax.plot(*_envelope(ds.time.values, r[:, i]), color=colours[i], lw=1.0, label=names[i])
    for _, on, off, _a in _stimuli(ds):
        ax.axvspan(on, max(off, on), color="0.92", lw=0, zorder=-1)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(f"{pop} rate ({_units(ds) or 'a.u.'})")
    ax.set_title(_title(ds, f"{pop} rates"), fontsize=11)
    ax.legend(fontsize=7, ncol=2 if len(idx) > 6 else 1, frameon=False)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    return fig


def _timescale_var(ds):
    """The timescale to plot: the pulse response's decay, else the autocorrelation's (the first with a finite
    value; the first present if none has)."""
    present = [v for v in ("timescale_s", "acf_timescale_1e_s", "intrinsic_timescale_s")
               if v in ds and ds[v].dims == ("area",)]
    for v in present:
        if np.isfinite(ds[v].values).any():
            return v
    return present[0] if present else None


def timescales(ds, areas=None):
    """Timescale (ms, log axis) against hierarchy, one labelled point per area: ``timescale_s`` (decay of the
    pulse response) or ``intrinsic_timescale_s`` (autocorrelation). Areas without a finite timescale are listed."""
    plt = _plt()
    ds = _ds(ds)
    var = _timescale_var(ds)
    if var is None:
        raise CortexsimError(f"{ds.attrs.get('source', 'run')}: no timescale analysis (/analysis/timescale_s or "
                             "/analysis/intrinsic_timescale_s)")
    idx = _order(ds, areas)
    h = _hierarchy(ds)
    tau_ms = ds[var].values * 1e3
    names = [str(a) for a in ds.area.values]
    keep = [i for i in idx if np.isfinite(tau_ms[i]) and tau_ms[i] > 0 and np.isfinite(h[i])]
    skipped = [names[i] for i in idx if i not in keep]
    colours = _colours(h)
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    fig.subplots_adjust(left=0.11, right=0.97, top=0.92, bottom=0.11)
    xs, ys = h[keep], tau_ms[keep]
    ax.scatter(xs, ys, s=30, c=[colours[i] for i in keep], edgecolors="0.2", linewidths=0.5, zorder=3)
    ax.set_yscale("log")
    ax.set_xlabel("hierarchy")
    ax.set_ylabel("timescale (ms)")
    what = "Decay timescale of the response" if var == "timescale_s" else "Intrinsic timescale (autocorrelation)"
    ax.set_title(_title(ds, what), fontsize=11)
    ax.grid(True, which="major", color="0.9", lw=0.6)
    ax.grid(True, which="minor", axis="y", color="0.95", lw=0.4)
    ax.set_axisbelow(True)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    if keep:
        import matplotlib.ticker as mt

        xlo, xhi = float(np.min(xs)), float(np.max(xs))
        xpad = max(0.06 * (xhi - xlo), 0.05)
        ax.set_xlim(xlo - xpad, xhi + xpad)
        ylo, yhi = float(np.min(ys)), float(np.max(ys))
        ax.set_ylim(ylo / 1.45, yhi * 1.45)
        lo_dec, hi_dec = int(np.floor(np.log10(ylo / 1.45))), int(np.ceil(np.log10(yhi * 1.45)))
        ticks = [m * 10.0 ** d for d in range(lo_dec, hi_dec + 1) for m in (1, 2, 5)
                 if ylo / 1.45 <= m * 10.0 ** d <= yhi * 1.45]
        if len(ticks) >= 2:
            ax.set_yticks(ticks)
        ax.yaxis.set_major_formatter(mt.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(mt.NullFormatter())
        _place_labels(ax, fig, xs, ys, [names[i] for i in keep])
    else:
        ax.text(0.5, 0.5, "no finite timescales", transform=ax.transAxes, ha="center", va="center")
    if skipped:
        shown = ", ".join(skipped[:25]) + (f" and {len(skipped) - 25} more" if len(skipped) > 25 else "")
        ax.text(0.99, 0.02, "no timescale (NaN): " + shown, transform=ax.transAxes, ha="right", va="bottom",
                fontsize=7, color="0.4", wrap=True)
    return fig


def _overlaps(bb, others, pad=1.0):
    return any(bb.x0 - pad < o.x1 and bb.x1 + pad > o.x0 and bb.y0 - pad < o.y1 and bb.y1 + pad > o.y0
               for o in others)


def _place_labels(ax, fig, xs, ys, names):
    """Greedy label placement: the first offset around each point that overlaps no earlier label or marker and
    stays inside the axes; else a leader line."""
    import matplotlib.transforms as mtr

    if len(names) > 60:
        return
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax_bb = ax.get_window_extent(renderer)
    pts = ax.transData.transform(np.column_stack([xs, ys]))
    r = 4.0
    markers = [mtr.Bbox([[px - r, py - r], [px + r, py + r]]) for px, py in pts]
    placed = []
    base = [(6, 0, "left", "center"), (-6, 0, "right", "center"), (0, 7, "center", "bottom"),
            (0, -7, "center", "top"), (5, 5, "left", "bottom"), (-5, 5, "right", "bottom"),
            (5, -5, "left", "top"), (-5, -5, "right", "top")]
    offsets = [(dx * d, dy * d, ha, va) for d in (1.0, 2.2, 3.6) for dx, dy, ha, va in base]
    for j in np.argsort(xs):
        done = False
        for dx, dy, ha, va in offsets:
            far = abs(dx) > 8 or abs(dy) > 9
            txt = ax.annotate(names[j], (xs[j], ys[j]), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                              fontsize=7.5, color="0.15",
                              arrowprops=dict(arrowstyle="-", color="0.4", lw=0.6, shrinkA=1, shrinkB=3)
                              if far else None)
            bb = txt.get_window_extent(renderer)
            inside = bb.x0 >= ax_bb.x0 + 2 and bb.x1 <= ax_bb.x1 - 2 and bb.y0 >= ax_bb.y0 + 2 and \
                bb.y1 <= ax_bb.y1 - 2
            if inside and not _overlaps(bb, placed) and not _overlaps(
                    bb, [m for k, m in enumerate(markers) if k != j], pad=0.0):
                placed.append(bb)
                done = True
                break
            txt.remove()
        if not done:
            txt = ax.annotate(names[j], (xs[j], ys[j]), xytext=(8, 8), textcoords="offset points", fontsize=7.5,
                              color="0.15", arrowprops=dict(arrowstyle="-", color="0.4", lw=0.6))
            placed.append(txt.get_window_extent(renderer))


def persistence(ds, population=None):
    """Persistence map of one run: delay-window mean minus baseline mean of the analysed population per area
    (areas by hierarchy), bars filled where /analysis/persistent is 1."""
    plt = _plt()
    ds = _ds(ds)
    for v in ("delay_mean_hz", "baseline_mean_hz", "persistent"):
        if v not in ds:
            raise CortexsimError(f"{ds.attrs.get('source', 'run')}: no working-memory analysis (/analysis/{v})")
    pop = population or analysed_population(ds)

    def per_area(v):
        x = ds[v]
        return (x.sel(population=pop) if "population" in x.dims else x).values

    idx = _order(ds)
    delta = (per_area("delay_mean_hz") - per_area("baseline_mean_hz"))[idx]
    pers = ds.persistent.values[idx] == 1
    names = [str(ds.area.values[i]) for i in idx]
    if len(idx) > 80:
        fig, ax = plt.subplots(figsize=(7.5, 3.5), constrained_layout=True)
        ax.plot(np.arange(len(idx)), delta, lw=0.6, color="0.3")
        ax.scatter(np.flatnonzero(pers), delta[pers], s=4, color="C3", label="persistent")
        ax.set_xlabel("area/unit index by increasing hierarchy")
    else:
        fig, ax = plt.subplots(figsize=(max(6.0, 0.22 * len(idx) + 1.5), 4.0), constrained_layout=True)
        colours = _colours(_hierarchy(ds))
        x = np.arange(len(idx))
        ax.bar(x, delta, color=[colours[i] if p else "white" for i, p in zip(idx, pers)],
               edgecolor=[colours[i] for i in idx], linewidth=1.0)
        ax.set_xticks(x)
        ax.set_xticklabels(names, rotation=90, fontsize=7)
        ax.set_xlabel("areas by increasing hierarchy (filled: persistent)")
    try:
        thr = _lookup(_config(ds), "analysis.threshold_hz")
    except Exception:  # noqa: BLE001
        thr = None
    if isinstance(thr, (int, float)):
        ax.axhline(float(thr), color="C3", lw=0.8, ls="--", label=f"threshold {thr:g} Hz")
        ax.legend(fontsize=8, frameon=False)
    ax.axhline(0.0, color="0.7", lw=0.6)
    ax.set_ylabel(f"{pop}: delay - baseline mean ({_units(ds, 'delay_mean_hz') or 'Hz'})")
    ax.set_title(_title(ds, f"Persistent activity in {int(pers.sum())} of {len(idx)} areas"), fontsize=11)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    return fig


def fc(ds, name=None):
    """An area x area matrix of a run (e.g. functional connectivity), areas by hierarchy: the variable
    ``name``, or the first with dims (area, source_area)."""
    plt = _plt()
    ds = _ds(ds)
    if name is None:
        names = [v for v in ds.data_vars if ds[v].dims == ("area", "source_area")]
        names.sort(key=lambda v: (0 if "fc" in v.lower() else 1, v))
        if not names:
            raise CortexsimError(f"{ds.attrs.get('source', 'run')}: no area x area matrix (e.g. /analysis/fc)")
        name = names[0]
    idx = _order(ds)
    m = ds[name].values[np.ix_(idx, idx)]
    labels = [str(ds.area.values[i]) for i in idx]
    fig, ax = plt.subplots(figsize=(6.8, 6.0), constrained_layout=True)
    finite = m[np.isfinite(m)]
    vmax = float(np.max(np.abs(finite))) if finite.size else 1.0
    img = ax.imshow(m, cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest")
    fig.colorbar(img, ax=ax, label=f"{name} ({ds[name].attrs.get('units', '1')})", shrink=0.8)
    if len(idx) <= 80:
        ax.set_xticks(range(len(idx)))
        ax.set_yticks(range(len(idx)))
        ax.set_xticklabels(labels, rotation=90, fontsize=6)
        ax.set_yticklabels(labels, fontsize=6)
    ax.set_title(_title(ds, f"{name} (areas by hierarchy)"), fontsize=11)
    return fig


def readout(ds):
    """The network readout /readout over time (recurrent networks)."""
    plt = _plt()
    ds = _ds(ds)
    if "readout" not in ds:
        raise CortexsimError(f"{ds.attrs.get('source', 'run')}: no /readout")
    fig, ax = plt.subplots(figsize=(7.0, 3.2), constrained_layout=True)
    x = ds.readout
    tdim = x.dims[0]
    tt = ds[tdim].values if tdim in ds.coords else np.arange(x.shape[0])
    for j in range(x.shape[1] if x.ndim > 1 else 1):
        ax.plot(tt, x.values[:, j] if x.ndim > 1 else x.values, lw=0.9, label=f"output {j}")
    ax.set_xlabel("time (s)" if tdim == "time" else tdim)
    ax.set_ylabel(f"readout ({x.attrs.get('units', '1')})")
    ax.set_title(_title(ds, "Readout"), fontsize=11)
    ax.legend(fontsize=8, frameon=False)
    return fig


def monitor(ds, name, areas=None, n=6):
    """Traces of a monitor /monitors/NAME (variables [time, area, variable]): one axes per variable, ``n`` areas
    spread over the hierarchy (or the named ``areas``)."""
    plt = _plt()
    ds = _ds(ds)
    if name not in ds:
        raise CortexsimError(f"{ds.attrs.get('source', 'run')}: no monitor '{name}'")
    x = ds[name]
    tdim = x.dims[0]
    idx = _order(ds, areas) if "area" in x.dims else [None]
    if areas is None and len(idx) > n:
        idx = [idx[int(round(k))] for k in np.linspace(0, len(idx) - 1, n)]
    vdim = x.dims[-1] if x.ndim == 3 else None
    nv = x.sizes[vdim] if vdim else 1
    fig, axes = plt.subplots(nv, 1, sharex=True, figsize=(7.0, 1.2 + 1.8 * nv), squeeze=False,
                             constrained_layout=True)
    colours = _colours(_hierarchy(ds))
    tt = ds[tdim].values if tdim in ds.coords else np.arange(x.shape[0])
    for v in range(nv):
        ax = axes[v, 0]
        for i in idx:
            y = x
            if vdim:
                y = y.isel({vdim: v})
            if i is not None:
                y = y.isel(area=i)
            ax.plot(tt, np.asarray(y.values).reshape(len(tt), -1), lw=0.9,
                    color=colours[i] if i is not None else None,
                    label=str(ds.area.values[i]) if i is not None else None)
        vname = str(x[vdim].values[v]) if vdim and vdim in x.coords else (f"variable {v}" if vdim else name)
        ax.set_ylabel(vname, fontsize=8)
    axes[0, 0].set_title(_title(ds, f"monitor {name}"), fontsize=11)
    if idx[0] is not None:
        axes[0, 0].legend(fontsize=7, frameon=False, ncol=2)
    axes[-1, 0].set_xlabel("time (s)")
    return fig


# ---------------------------------------------------------------------------------------------------------------
# sweeps

def sweep(df, x, y, hue=None, ax=None, logy=False):
    """Sweep curves: column ``y`` against parameter column ``x`` of an :func:`cortexsim.open_sweep` table, one
    curve per value of ``hue`` (e.g. ``"area"`` with ``per_area=True``)."""
    plt = _plt()
    for c in [x, y] + ([hue] if hue else []):
        if c not in df.columns:
            raise CortexsimError(f"no column '{c}' in the sweep table; columns: {', '.join(map(str, df.columns))}")
    fig = ax.figure if ax is not None else plt.subplots(figsize=(6.4, 4.2), constrained_layout=True)[0]
    ax = ax or fig.axes[0]
    groups = [(None, df)] if hue is None else list(df.groupby(hue, sort=False))
    for key, g in groups:
        g = g.sort_values(x)
        ax.plot(g[x].values, g[y].values, marker="o", ms=4, lw=1.2, label=None if key is None else str(key))
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if logy:
        ax.set_yscale("log")
    if hue is not None and len(groups) <= 20:
        ax.legend(fontsize=7, frameon=False, title=hue)
    model = df["model"].iloc[0] if "model" in df.columns and len(df) else ""
    ax.set_title(f"{y} against {x}" + (f" ({model})" if model else ""), fontsize=11)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    return fig


def persistence_map(df, x, value="persistent"):
    """Persistence map of a sweep: areas (by hierarchy) against the parameter ``x``, coloured by ``value`` (a
    column of :func:`cortexsim.open_sweep` with ``per_area=True``: ``persistent``, or e.g. ``delay_mean_hz_E1``)."""
    plt = _plt()
    for c in (x, value, "area"):
        if c not in df.columns:
            raise CortexsimError(f"no column '{c}' (use open_sweep(..., per_area=True))")
    order = df.groupby("area", sort=False)["hierarchy"].first().sort_values(kind="stable").index if \
        "hierarchy" in df.columns else df["area"].unique()
    table = df.pivot_table(index="area", columns=x, values=value, aggfunc="mean").reindex(order)
    fig, ax = plt.subplots(figsize=(1.6 + 0.55 * table.shape[1], 1.2 + 0.18 * table.shape[0]),
                           constrained_layout=True)
    binary = value == "persistent"
    img = ax.imshow(table.values, aspect="auto", interpolation="nearest", origin="lower",
                    cmap="Greys" if binary else "viridis", vmin=0 if binary else None, vmax=1 if binary else None)
    ax.set_xticks(range(table.shape[1]))
    ax.set_xticklabels([f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in table.columns], fontsize=7)
    ax.set_yticks(range(table.shape[0]))
    ax.set_yticklabels(table.index, fontsize=6)
    ax.set_xlabel(x)
    ax.set_ylabel("areas by increasing hierarchy")
    if not binary:
        fig.colorbar(img, ax=ax, label=value)
    model = df["model"].iloc[0] if "model" in df.columns and len(df) else ""
    counts = table.sum(axis=0).values if binary else None
    ax.set_title((f"persistent areas ({model})" if binary else f"{value} ({model})") if model else value,
                 fontsize=10)
    if counts is not None:
        for k, c in enumerate(counts):
            ax.text(k, table.shape[0] - 0.3, f"{c:.0f}", ha="center", va="bottom", fontsize=7, color="C3")
    return fig


# ---------------------------------------------------------------------------------------------------------------

def figures(ds):
    """The figures a run supports, as {name: function(ds) -> Figure}: rates always; timescales, persistence,
    fc, readout and each monitor when the file has them (analyses that are all NaN are left out)."""
    ds = _ds(ds)
    out = {"rates": rates}
    tv = _timescale_var(ds)
    if tv and np.isfinite(ds[tv].values).any():
        out["timescales"] = timescales
    if all(v in ds for v in ("delay_mean_hz", "baseline_mean_hz", "persistent")) and \
            np.isfinite(ds.persistent.values).any():
        out["persistence"] = persistence
    if any(ds[v].dims == ("area", "source_area") for v in ds.data_vars):
        out["fc"] = fc
    if "readout" in ds:
        out["readout"] = readout
    for v in ds.data_vars:
        if ds[v].dims and ds[v].dims[0] == f"{v}_time":
            out[f"monitor_{v}"] = (lambda name: (lambda d: monitor(d, name)))(v)
    return out
