#!/usr/bin/python3
"""Plot the output of a cortexsim run.

Usage:
    /usr/bin/python3 tools/plot_run.py OUT.h5 [-o PREFIX] [--areas V1,V4,...]

Reads the HDF5 file written by ``cortexsim run`` and writes two figures:

  PREFIX_rates.png       E-population rate change r_E(t) - r_E(t_onset) of each
                         area, one thin panel per area, stacked top to bottom by
                         increasing hierarchy (cf. Chaudhuri et al. 2015, Fig. 3A).
  PREFIX_timescales.png  decay timescale (ms, log axis) against hierarchy, one
                         labelled point per area (areas with NaN timescale skipped).

PREFIX defaults to the input path without ``.h5``. ``--areas`` restricts both
figures to the listed areas. The baseline t_onset is the onset of the analysed
pulse, read from the config stored in the file (``/config``); the baseline
value is the last record at or before the onset (t = first record if the onset
cannot be found). Errors are reported as one line on stderr, exit code 1.
"""

import argparse
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

PROG = "plot_run.py"
DPI = 100


class PlotError(Exception):
    """An error reported as one line on stderr."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise PlotError(message)


def parse_args(argv):
    p = Parser(prog=PROG, description="Plot rates and timescales of a cortexsim run.")
    p.add_argument("file", help="HDF5 output file of cortexsim run")
    p.add_argument("-o", "--output", dest="prefix", default=None,
                   help="output prefix (default: input file name without .h5)")
    p.add_argument("--areas", default=None,
                   help="comma-separated list of areas to plot (default: all)")
    return p.parse_args(argv)


# ----------------------------------------------------------------------------
# reading

def as_text(value):
    if isinstance(value, np.ndarray):
        value = value.item() if value.shape == () else value.tobytes()
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def dataset(f, name):
    if name not in f:
        raise PlotError(f"{f.filename}: missing dataset /{name}")
    return f[name][()]


def onset_from_yaml(text):
    """Onset (s) of the analysed stimulus, or None."""
    try:
        import yaml  # python3-yaml, optional
        cfg = yaml.safe_load(text)
        stimuli = cfg.get("stimuli") or []
        if not stimuli:
            return None
        chosen = stimuli[0]
        wanted = (cfg.get("analysis") or {}).get("stimulus")
        for s in stimuli:
            if wanted is not None and s.get("name") == wanted:
                chosen = s
                break
        if "onset_ms" in chosen:
            return float(chosen["onset_ms"]) * 1e-3
        return None
    except ImportError:
        pass
    except Exception:
        pass  # fall through to the regex
    m = re.search(r"^stimuli\s*:(.*)", text, flags=re.M | re.S)
    if m:
        o = re.search(r"^\s*-?\s*onset_ms\s*:\s*([-+0-9.eE]+)", m.group(1), flags=re.M)
        if o:
            try:
                return float(o.group(1)) * 1e-3
            except ValueError:
                return None
    return None


def read_run(path):
    import h5py

    if not os.path.exists(path):
        raise PlotError(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise PlotError(f"{path}: cannot open as HDF5 ({e})")
    with f:
        run = {
            "time": np.asarray(dataset(f, "time"), dtype=float),
            "areas": [as_text(a).strip() for a in dataset(f, "areas")],
            "populations": [as_text(p).strip() for p in dataset(f, "populations")],
            "rates": np.asarray(dataset(f, "rates"), dtype=float),
            "hierarchy": np.asarray(dataset(f, "analysis/hierarchy"), dtype=float),
            "timescale_s": np.asarray(dataset(f, "analysis/timescale_s"), dtype=float),
        }
        onset = None
        if "config" in f:
            cfg = f["config"]
            # 'resolved' holds the config with command-line overrides applied
            text = as_text(cfg.attrs["resolved"]) if "resolved" in cfg.attrs else as_text(cfg[()])
            onset = onset_from_yaml(text)
        run["onset_s"] = onset
        model = None
        if "provenance" in f and "model" in f["provenance"].attrs:
            model = as_text(f["provenance"].attrs["model"])
        run["model"] = model

    T, A = len(run["time"]), len(run["areas"])
    if run["rates"].ndim != 3 or run["rates"].shape[:2] != (T, A):
        raise PlotError(f"{path}: /rates has shape {run['rates'].shape}, expected ({T}, {A}, P)")
    for key in ("hierarchy", "timescale_s"):
        if run[key].shape != (A,):
            raise PlotError(f"{path}: /analysis/{key} has shape {run[key].shape}, expected ({A},)")
    if T == 0:
        raise PlotError(f"{path}: no records in /time")
    return run


def select_areas(run, spec):
    """Indices of the areas to plot, ordered by increasing hierarchy."""
    names = run["areas"]
    if spec is None:
        idx = list(range(len(names)))
    else:
        wanted = [s.strip() for s in spec.split(",") if s.strip()]
        if not wanted:
            raise PlotError("--areas: empty list")
        unknown = [w for w in wanted if w not in names]
        if unknown:
            raise PlotError(f"--areas: unknown area(s) {', '.join(unknown)}; "
                            f"available: {', '.join(names)}")
        idx = list(dict.fromkeys(names.index(w) for w in wanted))
    h = run["hierarchy"]
    return sorted(idx, key=lambda i: (h[i], i))


# ----------------------------------------------------------------------------
# plotting

def area_colours(hier):
    cmap = plt.get_cmap("viridis")
    return [cmap(0.85 * float(x)) if np.isfinite(x) else "0.3" for x in hier]


def fmt_hz(v):
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 0.01:
        return f"{v:.3g}"
    if a >= 1e-4:
        return f"{v:.2g}"
    return f"{v:.1e}"


def plot_rates(run, idx, out):
    t = run["time"]
    pops = run["populations"]
    e = pops.index("E") if "E" in pops else 0
    rE = run["rates"][:, :, e]

    onset = run["onset_s"]
    if onset is not None and onset >= t[0]:
        k = int(np.searchsorted(t, onset + 1e-9 * max(1.0, abs(onset)), side="right")) - 1
        k = max(k, 0)
        base_label = f"t = {t[k]:g} s (pulse onset)"
    else:
        k = 0
        base_label = f"t = {t[0]:g} s"
    drE = rE - rE[k, :]

    n = len(idx)
    panel_h = 0.42
    top, bottom = 0.75, 0.6
    height = top + bottom + panel_h * n
    fig, axes = plt.subplots(n, 1, sharex=True, figsize=(6.4, height), squeeze=False)
    axes = axes[:, 0]
    fig.subplots_adjust(left=0.13, right=0.87, top=1 - top / height,
                        bottom=bottom / height, hspace=0.25)
    colours = area_colours(run["hierarchy"])

    for ax, i in zip(axes, idx):
        y = drE[:, i]
        ax.plot(t, y, color=colours[i], lw=1.2)
        ymax = float(np.nanmax(y))
        ymin = min(0.0, float(np.nanmin(y)))
        span = ymax - ymin
        if not np.isfinite(span) or span <= 0:
            span = 1.0
        ax.set_ylim(ymin - 0.08 * span, ymin + 1.12 * span)
        ax.axhline(0.0, color="0.8", lw=0.6, zorder=0)
        if onset is not None:
            ax.axvline(onset, color="0.6", lw=0.6, ls=":", zorder=0)
        ax.set_yticks([ymax])
        ax.set_yticklabels([fmt_hz(ymax)])
        ax.yaxis.tick_right()
        ax.tick_params(axis="y", labelsize=7, length=2, pad=2)
        ax.set_ylabel(run["areas"][i], rotation=0, ha="right", va="center",
                      fontsize=9, labelpad=6)
        for s in ("top", "left"):
            ax.spines[s].set_visible(False)
        if ax is not axes[-1]:
            ax.spines["bottom"].set_visible(False)
            ax.tick_params(axis="x", bottom=False)

    axes[-1].set_xlim(t[0], t[-1])
    axes[-1].set_xlabel("time (s)")
    title = "E-rate change after the pulse"
    if run["model"]:
        title += f" ({run['model']})"
    fig.suptitle(title, y=1 - 0.18 / height, fontsize=11)
    fig.text(0.5, 1 - 0.5 / height,
             r"$r_E(t) - r_E(t_0)$ in Hz, $t_0$ = " + base_label.replace("t = ", "")
             + "; areas by increasing hierarchy; own scale per panel, tick = panel max",
             ha="center", va="center", fontsize=7.5, color="0.25")
    fig.savefig(out, dpi=DPI)
    plt.close(fig)


def _overlaps(bb, others, pad=1.0):
    for o in others:
        if (bb.x0 - pad < o.x1 and bb.x1 + pad > o.x0 and
                bb.y0 - pad < o.y1 and bb.y1 + pad > o.y0):
            return True
    return False


def place_labels(ax, fig, xs, ys, names):
    """Greedy label placement: try offsets around each point, keep the first
    one that neither overlaps an earlier label, a marker, nor leaves the axes."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax_bb = ax.get_window_extent(renderer)
    pts = ax.transData.transform(np.column_stack([xs, ys]))
    r = 4.0  # marker radius in pixels (approx.)
    markers = [matplotlib.transforms.Bbox([[px - r, py - r], [px + r, py + r]]) for px, py in pts]
    placed = []
    offsets = [(6, 0, "left", "center"), (-6, 0, "right", "center"),
               (0, 7, "center", "bottom"), (0, -7, "center", "top"),
               (5, 5, "left", "bottom"), (-5, 5, "right", "bottom"),
               (5, -5, "left", "top"), (-5, -5, "right", "top")]
    all_offsets = [(dx * d, dy * d, ha, va) for d in (1.0, 2.2, 3.6, 5.0)
                   for dx, dy, ha, va in offsets]
    order = np.argsort(xs)
    for j in order:
        best = None
        for dx, dy, ha, va in all_offsets:
            txt = ax.annotate(names[j], (xs[j], ys[j]), xytext=(dx, dy),
                              textcoords="offset points", ha=ha, va=va,
                              fontsize=7.5, color="0.15")
            bb = txt.get_window_extent(renderer)
            inside = (bb.x0 >= ax_bb.x0 + 2 and bb.x1 <= ax_bb.x1 - 2 and
                      bb.y0 >= ax_bb.y0 + 2 and bb.y1 <= ax_bb.y1 - 2)
            ok = inside and not _overlaps(bb, placed) and not _overlaps(
                bb, [m for k, m in enumerate(markers) if k != j], pad=0.0)
            if ok:
                best = (txt, bb, dx, dy)
                break
            txt.remove()
        if best is None:
            # nothing free: put it to the right with a leader line
            txt = ax.annotate(names[j], (xs[j], ys[j]), xytext=(8, 8),
                              textcoords="offset points", fontsize=7.5, color="0.15",
                              arrowprops=dict(arrowstyle="-", color="0.4", lw=0.6))
            placed.append(txt.get_window_extent(renderer))
            continue
        txt, bb, dx, dy = best
        if abs(dx) > 8 or abs(dy) > 9:
            txt.remove()
            ha, va = txt.get_ha(), txt.get_va()
            txt = ax.annotate(names[j], (xs[j], ys[j]), xytext=(dx, dy),
                              textcoords="offset points", ha=ha, va=va,
                              fontsize=7.5, color="0.15",
                              arrowprops=dict(arrowstyle="-", color="0.4", lw=0.6,
                                              shrinkA=1, shrinkB=3))
        placed.append(bb)


def plot_timescales(run, idx, out):
    h = run["hierarchy"]
    tau_ms = run["timescale_s"] * 1e3
    keep = [i for i in idx if np.isfinite(tau_ms[i]) and tau_ms[i] > 0 and np.isfinite(h[i])]
    skipped = [run["areas"][i] for i in idx if i not in keep]
    colours = area_colours(h)

    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    fig.subplots_adjust(left=0.11, right=0.97, top=0.92, bottom=0.11)
    xs = h[keep]
    ys = tau_ms[keep]
    ax.scatter(xs, ys, s=30, c=[colours[i] for i in keep], edgecolors="0.2",
               linewidths=0.5, zorder=3)
    ax.set_yscale("log")
    ax.set_xlabel("hierarchy (normalised)")
    ax.set_ylabel("timescale (ms)")
    title = "Decay timescale of the E response"
    if run["model"]:
        title += f" ({run['model']})"
    ax.set_title(title, fontsize=11)
    ax.grid(True, which="major", color="0.9", lw=0.6)
    ax.grid(True, which="minor", axis="y", color="0.95", lw=0.4)
    ax.set_axisbelow(True)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    if len(keep):
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
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        place_labels(ax, fig, xs, ys, [run["areas"][i] for i in keep])
    else:
        ax.text(0.5, 0.5, "no finite timescales", transform=ax.transAxes,
                ha="center", va="center")
    if skipped:
        ax.text(0.99, 0.02, "no timescale (NaN): " + ", ".join(skipped),
                transform=ax.transAxes, ha="right", va="bottom", fontsize=7, color="0.4")
    fig.savefig(out, dpi=DPI)
    plt.close(fig)


# ----------------------------------------------------------------------------

def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    prefix = args.prefix
    if prefix is None:
        prefix = args.file[:-3] if args.file.endswith(".h5") else args.file
    run = read_run(args.file)
    idx = select_areas(run, args.areas)
    out_dir = os.path.dirname(prefix)
    if out_dir and not os.path.isdir(out_dir):
        raise PlotError(f"{out_dir}: output directory does not exist")
    rates_png = prefix + "_rates.png"
    tau_png = prefix + "_timescales.png"
    plot_rates(run, idx, rates_png)
    plot_timescales(run, idx, tau_png)
    print(rates_png)
    print(tau_png)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except PlotError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        sys.exit(1)
    except Exception as e:  # noqa: BLE001 - one line, whatever went wrong
        msg = str(e).splitlines()[0] if str(e) else ""
        print(f"{PROG}: error: {type(e).__name__}: {msg}", file=sys.stderr)
        sys.exit(1)
