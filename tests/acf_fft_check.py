#!/usr/bin/python3
"""The in-run autocorrelation timescales of a run against an FFT autocorrelation of its own records.

Usage: acf_fft_check.py OUT.h5 [--tolerance 0.01]
Reads /rates (the analysed population, from the config's analysis.population), the records inside
analysis.timescale_ms, computes each area's mean-subtracted autocorrelation by FFT (zero-padded, normalised by
lag 0), takes the first lag below 1/e with linear interpolation, and compares it with /analysis/acf_timescale_1e_s.
Exits 1 if the median relative difference exceeds the tolerance.
"""
import sys

import h5py
import numpy as np
import yaml


def main():
    args = sys.argv[1:]
    tol = 0.01
    if "--tolerance" in args:
        k = args.index("--tolerance")
        tol = float(args[k + 1])
        del args[k:k + 2]
    path = args[0]
    with h5py.File(path, "r") as f:
        cfg = yaml.safe_load(f["/config"].attrs["resolved"])
        pops = [p.decode() if isinstance(p, bytes) else str(p) for p in f["/populations"][()]]
        time = f["/time"][()]
        got = f["/analysis/acf_timescale_1e_s"][()]
        a = cfg.get("analysis", {})
        pop = pops.index(a.get("population", pops[0]))
        b_ms, e_ms = a["timescale_ms"]
        max_lag_ms = float(a.get("max_lag_ms", 500))
        dt_rec = time[1] - time[0]
        t_ms = np.rint(time * 1e3 / (dt_rec * 1e3)) * dt_rec * 1e3  # record times on the record grid [ms]
        sel = np.nonzero((t_ms >= b_ms - 1e-9) & (t_ms < e_ms - 1e-9))[0]
        x = f["/rates"][sel[0]:sel[-1] + 1, :, pop]
    L = int(round(max_lag_ms / (dt_rec * 1e3)))
    n = x.shape[0]
    size = 1 << int(np.ceil(np.log2(2 * n)))
    diffs = []
    for i in range(x.shape[1]):
        y = x[:, i] - x[:, i].mean()
        spec = np.fft.rfft(y, size)
        c = np.fft.irfft(spec * np.conj(spec), size)[:L + 1]
        acf = c / c[0]
        below = np.nonzero(acf < np.exp(-1))[0]
        tau = np.nan
        if below.size:
            l = below[0]
            frac = (acf[l - 1] - np.exp(-1)) / (acf[l - 1] - acf[l])
            tau = (l - 1 + frac) * dt_rec
        diffs.append(abs(got[i] - tau) / tau)
        print("area %2d: FFT %.6f s, run %.6f s, difference %.2e" % (i, tau, got[i], diffs[-1]))
    med = float(np.median(diffs))
    print("median relative difference %.2e (limit %.2e): %s" % (med, tol, "PASS" if med <= tol else "FAIL"))
    return 0 if med <= tol else 1


if __name__ == "__main__":
    sys.exit(main())
