#!/usr/bin/python3
"""Compare a trained RNN and a cortex model fed the same n-back stream (docs/rnn.md).

Usage: /usr/bin/python3 tools/compare_rnn_cortex.py RNN.h5 CORTEX.h5 OUT.png

RNN.h5: `cortexsim run configs/rnn_nback.yaml` (hidden activity /rates [t, unit, 1], /readout, analysis with
intrinsic_timescale_s). CORTEX.h5: `cortexsim run configs/compare_nback_cortex.yaml` (the same letters as cues
into V1 of the Mejias & Wang model). Prints a summary table and draws: the RNN's first stream (units, readout),
the cortex areas' responses to the same letters, and the intrinsic timescales of RNN units and cortex areas.
"""
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def names(ds):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in ds[()]]


def main(rnn_path, cortex_path, out_png):
    with h5py.File(rnn_path, "r") as f:
        t_r = f["/time"][()]
        a = f["/rates"][()][:, :, 0]
        ro = f["/readout"][()]
        tau_r = f["/analysis/intrinsic_timescale_s"][()] * 1e3
    with h5py.File(cortex_path, "r") as f:
        t_c = f["/time"][()]
        rates = f["/rates"][()]
        areas = names(f["/areas"])
        pops = names(f["/populations"])
        tau_c = f["/analysis/intrinsic_timescale_s"][()] * 1e3
        hier = f["/analysis/hierarchy"][()]
        delay = f["/analysis/delay_mean_hz"][()]
        persistent = f["/analysis/persistent"][()]
    stream = t_r <= 1.6 + 1e-9  # the first 2-back stream: 16 letters x 5 steps x 20 ms
    fig, ax = plt.subplots(2, 2, figsize=(12, 8))
    order = np.argsort(-a[stream].std(axis=0))[:40]
    ax[0, 0].imshow(a[stream][:, order].T, aspect="auto", origin="lower", cmap="magma",
                    extent=[0, t_r[stream][-1] * 1e3, 0, len(order)])
    ax[0, 0].plot(t_r[stream] * 1e3, ro[stream, 1] * len(order), color="cyan", lw=1.5, label="readout p(match) (scaled)")
    ax[0, 0].set(title="RNN: 40 most variable hidden units, one 2-back stream", xlabel="time (ms)", ylabel="unit")
    ax[0, 0].legend(loc="upper right", fontsize=8)
    for name, col in (("V1", "k"), ("LIP", "tab:blue"), ("9/46d", "tab:red"), ("24c", "tab:green")):
        i = areas.index(name)
        ax[0, 1].plot(t_c, rates[:, i, pops.index("E1")], color=col, label=name + " E1")
        ax[0, 1].plot(t_c, rates[:, i, pops.index("E2")], color=col, ls="--", alpha=0.6)
    ax[0, 1].set(title="Cortex (Mejias & Wang 2022): the same letters as cues into V1\n(solid E1 = even letters, dashed E2 = odd)",
                 xlabel="time (s)", ylabel="rate (Hz)")
    ax[0, 1].legend(fontsize=8)
    good = np.isfinite(tau_r)
    ax[1, 0].hist(tau_r[good], bins=30, color="tab:purple")
    ax[1, 0].set(title=f"RNN units: intrinsic timescale (median {np.median(tau_r[good]):.0f} ms, {good.sum()} units)",
                 xlabel="lag where the autocorrelation falls below 1/e (ms)", ylabel="units")
    ok = np.isfinite(tau_c)
    ax[1, 1].scatter(hier[ok], tau_c[ok], c=np.where(persistent[ok] == 1, "tab:red", "tab:gray"))
    for h, t, n in zip(hier[ok], tau_c[ok], np.array(areas)[ok]):
        ax[1, 1].annotate(n, (h, t), fontsize=7)
    ax[1, 1].set(title="Cortex areas: intrinsic timescale of spontaneous E1\n(red: persistent after the stream)",
                 xlabel="spine-count gradient g", ylabel="timescale (ms)")
    fig.tight_layout()
    fig.savefig(out_png, dpi=90)
    print(f"RNN: {a.shape[1]} units, median intrinsic timescale {np.median(tau_r[good]):.1f} ms "
          f"(IQR {np.percentile(tau_r[good], 25):.1f}-{np.percentile(tau_r[good], 75):.1f}); "
          f"readout {ro.shape[1]} classes")
    print(f"cortex: {len(areas)} areas, intrinsic timescale {np.nanmin(tau_c):.1f}-{np.nanmax(tau_c):.1f} ms, "
          f"{int(np.nansum(persistent))} areas persistent after the stream; "
          f"delay E1 mean {np.nanmean(delay[:, pops.index('E1')]):.2f} Hz, E2 {np.nanmean(delay[:, pops.index('E2')]):.2f} Hz")
    print(f"figure: {out_png}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
