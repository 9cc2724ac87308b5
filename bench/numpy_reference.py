#!/usr/bin/python3
"""NumPy reference of the Chaudhuri et al. 2015 benchmark run (bench/run_bench.sh), for speed and correctness.

    /usr/bin/python3 bench/numpy_reference.py [--t-end-ms 10000] [--variant expr|inplace] [--compare OUT.h5]

The same model and protocol as `cortexsim run configs/chaudhuri2015.yaml --set run.t_end_ms=10000`
(docs/models.md, "Equations"), written the way a scientist would in NumPy:

  * 29 areas from configs/data/chaudhuri2015/areas_hierarchy.csv (h_i = hier_raw / max hier_raw) and the raw
    29x29 FLN matrix from fln_29x29.csv (rows = targets, columns = sources; long-range input LR = FLN @ r_E);
  * beta-multiplied form, s_i = 1 + eta h_i, every term a rate in Hz:
        I_E = beta_E (w_EE s r_E - w_EI r_I + mu_EE s LR) + bkg_E + stim
        I_I = beta_I (w_IE s r_E - w_II r_I + mu_IE s LR) + bkg_I
        r_E += dt/tau_E (-r_E + [I_E]_+),  r_I += dt/tau_I (-r_I + [I_I]_+)      (forward Euler)
    with bkg chosen so that (r_E, r_I) = (10, 35) Hz is the fixed point, and the run starting there;
  * pulse of 41.8646 Hz to V1 E during the updates from step 1000 to 3499 (100 < t <= 350 ms), dt = 0.1 ms,
    10 s = 100,000 steps, both rates of all areas recorded every 1 ms (10 steps) into a preallocated array of
    10,001 x 29 x 2 (t = 0 included), exactly like cortexsim's /rates.

The arithmetic is that of cortexsim's kernel term by term (same coefficients, same order of additions, no FMA);
only LR differs in summation order (BLAS dgemv here, a fixed four-way tree per row in cortexsim), so the
recorded traces agree to round-off (~1e-13 Hz), not bit for bit.

Timed: the time loop only (time.perf_counter around it; set-up, CSV reading and the comparison are not timed).
Variants:
  expr     (default) plain array expressions, a temporary per operation: the straightforward way;
  inplace  the same operations with out= arguments and preallocated scratch arrays (no allocation per step).
Prints `numpy(<variant>): N steps in T s: X steps/s`, a machine-readable line
`RESULT numpy_<variant> steps=N loop_s=T` (read by run_bench.sh), then V1's peak E rate (~110 Hz), and with
--compare the max |difference| of the V1 and 24c E traces (and of all rates) against a cortexsim output file.
Exit status 1 if the peak or the comparison is off.
"""
import argparse
import csv
import os
import sys
import time

import numpy as np


from chaudhuri_model import *  # noqa: F401,F403  (parameters, read_model, coefficients)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--t-end-ms", type=float, default=10000.0)
    ap.add_argument("--variant", choices=["expr", "inplace"], default="expr")
    ap.add_argument("--compare", metavar="OUT.h5", help="cortexsim output file of the same run to compare with")
    ap.add_argument("--tolerance", type=float, default=1e-9, help="max allowed |difference| in Hz (default 1e-9)")
    a = ap.parse_args()

    names, h, W = read_model()
    n = len(names)
    v1 = names.index(PULSE_AREA)
    a_EE, a_IE, a_EI, a_II, c_E, c_I, bkg_E, bkg_I = coefficients(h, W)
    k_E, k_I = DT / TAU_E, DT / TAU_I

    n_steps = int(round(a.t_end_ms / DT))
    every = int(round(RECORD_MS / DT))
    on = int(round(PULSE_ON_MS / DT))
    off = on + int(round(PULSE_DUR_MS / DT))
    n_rec = n_steps // every + 1

    rec = np.empty((n_rec, n, 2))           # preallocated, like cortexsim's /rates [record, area, population]
    r_E = np.full(n, R_E0)
    r_I = np.full(n, R_I0)
    stim = np.zeros(n)
    rec[0, :, 0] = r_E
    rec[0, :, 1] = r_I

    if a.variant == "expr":
        t0 = time.perf_counter()
        for k in range(n_steps):
            if k == on:
                stim[v1] = PULSE_HZ
            elif k == off:
                stim[v1] = 0.0
            lr = W @ r_E
            i_E = a_EE * r_E + a_EI * r_I + c_E * lr + bkg_E + stim
            i_I = a_IE * r_E + a_II * r_I + c_I * lr + bkg_I
            r_E = r_E + k_E * (-r_E + np.maximum(i_E, 0.0))
            r_I = r_I + k_I * (-r_I + np.maximum(i_I, 0.0))
            if (k + 1) % every == 0:
                m = (k + 1) // every
                rec[m, :, 0] = r_E
                rec[m, :, 1] = r_I
        loop_s = time.perf_counter() - t0
    else:
        lr = np.empty(n)
        i_E, i_I, t1, nE, nI = (np.empty(n) for _ in range(5))
        t0 = time.perf_counter()
        for k in range(n_steps):
            if k == on:
                stim[v1] = PULSE_HZ
            elif k == off:
                stim[v1] = 0.0
            np.dot(W, r_E, out=lr)
            # i_E = ((((a_EE r_E + a_EI r_I) + c_E lr) + bkg_E) + stim), the kernel's order of additions
            np.multiply(a_EE, r_E, out=i_E)
            np.multiply(a_EI, r_I, out=t1)
            i_E += t1
            np.multiply(c_E, lr, out=t1)
            i_E += t1
            i_E += bkg_E
            i_E += stim
            np.multiply(a_IE, r_E, out=i_I)
            np.multiply(a_II, r_I, out=t1)
            i_I += t1
            np.multiply(c_I, lr, out=t1)
            i_I += t1
            i_I += bkg_I
            # r += k (-r + relu(i)), computed as in the kernel (r + k * (relu(i) - r) would round differently)
            np.maximum(i_E, 0.0, out=i_E)
            np.negative(r_E, out=nE)
            nE += i_E
            nE *= k_E
            r_E += nE
            np.maximum(i_I, 0.0, out=i_I)
            np.negative(r_I, out=nI)
            nI += i_I
            nI *= k_I
            r_I += nI
            if (k + 1) % every == 0:
                m = (k + 1) // every
                rec[m, :, 0] = r_E
                rec[m, :, 1] = r_I
        loop_s = time.perf_counter() - t0

    print(f"numpy({a.variant}): {n_steps} steps in {loop_s:.3f} s: {n_steps / loop_s:.3e} steps/s")
    print(f"RESULT numpy_{a.variant} steps={n_steps} loop_s={loop_s:.6g}")
    peak = rec[:, v1, 0].max()
    print(f"V1 peak E rate: {peak:.4f} Hz (expected ~110 Hz)")
    ok = abs(peak - 110.0) < 0.5

    if a.compare:
        import h5py
        with h5py.File(a.compare, "r") as f:
            other = f["/rates"][...]
            onames = [x.decode() if isinstance(x, bytes) else str(x) for x in f["/areas"][...]]
        if other.shape != rec.shape or onames != names:
            print(f"compare: shape/areas differ: {other.shape} vs {rec.shape}")
            return 1
        i24 = names.index("24c")
        d_v1 = np.abs(other[:, v1, 0] - rec[:, v1, 0]).max()
        d_24 = np.abs(other[:, i24, 0] - rec[:, i24, 0]).max()
        d_all = np.abs(other - rec).max()
        print(f"compare with {a.compare}: max |diff| V1 E {d_v1:.3e} Hz, 24c E {d_24:.3e} Hz, "
              f"all rates {d_all:.3e} Hz (tolerance {a.tolerance:g})")
        ok = ok and d_all <= a.tolerance
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
