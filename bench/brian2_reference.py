#!/usr/bin/python3
"""Brian2 version of the Chaudhuri et al. 2015 benchmark run (bench/run_bench.sh), for scale.

    /usr/bin/python3 bench/brian2_reference.py --mode {numpy,cython,standalone} [--record] [--reps R]
                                               [--t-end-ms 10000] [--compare OUT.h5] [--build-dir DIR]

Needs Brian2 (Debian 12: `apt-get install --no-install-recommends python3-brian`, Brian 2.5.1); the cython and
standalone modes also need a C++ compiler (and cython3, pulled in by python3-brian).

The model is the one of configs/chaudhuri2015.yaml and bench/numpy_reference.py, written in Brian2's own terms:
  * one NeuronGroup of 29 areas, variables r_E, r_I (dimensionless, the rate in Hz), per-area constants
    a_EE, a_IE, c_E, c_I, bkg_E, bkg_I (the beta-multiplied coefficients; background at the (10, 35) Hz fixed
    point), integrated with method='euler', dt = 0.1 ms;
  * the long-range input lr_i = sum_j FLN_ij r_E,j as a Synapses summed variable (`lr_post = w * r_E_pre
    (summed)`) over the 536 nonzero FLN entries; Brian updates summed variables before the group's state
    update in the same time step, so lr is that of the current state, as in cortexsim;
  * the pulse 41.8646 Hz to V1 E as a TimedArray with 50 ms bins (on in bins 2..6 = steps 1000..3499, i.e. the
    updates at 100 <= t < 350 ms, as cortexsim) times a per-area gain that is 1 for V1 only;
  * without --record: no monitor at all (the configuration of the quoted "0.4 M steps/s" figure);
    with --record: a StateMonitor of r_E and r_I of all areas every 1 ms (dt=1*ms).

What is timed (printed as steps/s = steps / time):
  * numpy, cython (runtime mode): Brian's own measurement of the Network.run loop (device._last_run_time: wall
    clock from after code generation/compilation to the end of the loop). Code generation, Cython compilation
    (cached in ~/.cython after the first run; triggered here by an untimed net.run(0 ms)) and network set-up
    are excluded. The wall time of the whole net.run call is printed for context.
  * standalone (cpp_standalone): code generation and compilation (device.build(run=False)) are not timed; then
    the compiled binary is run (device.run, once per rep) and two figures are printed: Brian's own loop time
    written by the binary (results/last_run_info.txt; measured with std::clock(), i.e. CPU time of the loop,
    which the simulator queries every step) and the wall time of the whole binary run (process start, loading
    the arrays, the loop, writing the results). steps/s is computed from the loop time; the wall figure is for context.
    Brian's default standalone compiler flags apply (-O3 -ffast-math -fno-finite-math-only -march=native).
Each of --reps R timed runs prints `brian2(<mode>, <record|norecord>): N steps in T s: X steps/s (...)` and a
machine-readable `RESULT brian2_<mode>_<record|norecord> steps=N loop_s=T wall_s=W` (read by run_bench.sh).
Correctness: with --record prints V1's peak E rate (~110 Hz); with --compare OUT.h5 (a cortexsim file of the
same run) the max |difference| of all recorded rates (records 0..n-1: Brian records at the start of a step, so
its last record is t = T - 1 ms), or without --record of the final state (cortexsim's last record, t = T).
The checks use the state after the last rep. Exit status 1 if a check fails.
"""
import argparse
import csv
import os
import shutil
import sys
import tempfile
import time

import numpy as np

from chaudhuri_model import *  # noqa: F401,F403  (parameters, read_model, coefficients)

TAU_E_MS, TAU_I_MS, DT_MS = TAU_E, TAU_I, DT


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=["numpy", "cython", "standalone"], required=True)
    ap.add_argument("--record", action="store_true", help="StateMonitor of r_E, r_I every 1 ms")
    ap.add_argument("--t-end-ms", type=float, default=10000.0)
    ap.add_argument("--compare", metavar="OUT.h5")
    ap.add_argument("--tolerance", type=float, default=1e-9)
    ap.add_argument("--reps", type=int, default=1, help="timed runs of the same protocol (default 1): runtime "
                    "modes restore the initial state (Network.store/restore) before each; standalone runs the "
                    "compiled binary again")
    ap.add_argument("--build-dir", help="standalone project directory (default: a temporary one, deleted)")
    a = ap.parse_args()

    import brian2 as b2
    from brian2 import ms, second, NeuronGroup, Synapses, StateMonitor, TimedArray, Network, defaultclock

    b2.prefs.logging.console_log_level = "WARNING"
    b2.prefs.logging.file_log = False
    b2.prefs.logging.delete_log_on_exit = True
    if a.mode == "standalone":
        b2.set_device("cpp_standalone", build_on_run=False)
    else:
        b2.prefs.codegen.target = a.mode

    names, h, W = read_model()
    n = len(names)
    v1 = names.index(PULSE_AREA)
    a_EE, a_IE, a_EI, a_II, c_E, c_I, bkg_E, bkg_I = coefficients(h, W)

    defaultclock.dt = DT_MS * ms
    tau_E, tau_I = TAU_E_MS * ms, TAU_I_MS * ms
    pulse = TimedArray(np.array([0, 0, 1, 1, 1, 1, 1, 0], dtype=float) * PULSE_HZ, dt=50 * ms)

    eqs = """
    dr_E/dt = (-r_E + clip(I_E, 0, inf)) / tau_E : 1
    dr_I/dt = (-r_I + clip(I_I, 0, inf)) / tau_I : 1
    I_E = a_EE*r_E + a_EI*r_I + c_E*lr + bkg_E + stim_gain*pulse(t) : 1
    I_I = a_IE*r_E + a_II*r_I + c_I*lr + bkg_I : 1
    lr : 1
    a_EE : 1 (constant)
    a_IE : 1 (constant)
    c_E : 1 (constant)
    c_I : 1 (constant)
    bkg_E : 1 (constant)
    bkg_I : 1 (constant)
    stim_gain : 1 (constant)
    """
    ns = dict(tau_E=tau_E, tau_I=tau_I, a_EI=a_EI, a_II=a_II, pulse=pulse)
    G = NeuronGroup(n, eqs, method="euler", namespace=ns, name="areas")
    G.a_EE, G.a_IE, G.c_E, G.c_I, G.bkg_E, G.bkg_I = a_EE, a_IE, c_E, c_I, bkg_E, bkg_I
    gain = np.zeros(n)
    gain[v1] = 1.0
    G.stim_gain = gain
    G.r_E = R_E0
    G.r_I = R_I0

    tgt, src = np.nonzero(W)                       # W[target, source]
    S = Synapses(G, G, model="w : 1 (constant)\nlr_post = w * r_E_pre : 1 (summed)", name="fln")
    S.connect(i=src, j=tgt)
    S.w = W[tgt, src]
    objs = [G, S]
    M = None
    if a.record:
        M = StateMonitor(G, ["r_E", "r_I"], record=True, dt=1 * ms, name="mon")
        objs.append(M)
    net = Network(*objs)

    n_steps = int(round(a.t_end_ms / DT_MS))
    label = f"brian2({a.mode}, {'record' if a.record else 'norecord'})"
    tag = f"brian2_{a.mode}_{'record' if a.record else 'norecord'}"
    tmpdir = None
    runs = []                                       # (loop seconds, wall seconds) per rep
    if a.mode == "standalone":
        net.run(a.t_end_ms * ms, namespace=ns)
        bdir = a.build_dir or tempfile.mkdtemp(prefix="cortexsim_brian2_")
        tmpdir = None if a.build_dir else bdir
        t0 = time.perf_counter()
        b2.device.build(directory=bdir, compile=True, run=False, clean=True)
        setup = f"code generation + compilation {time.perf_counter() - t0:.1f} s, untimed"
        for _ in range(a.reps):
            t0 = time.perf_counter()
            b2.device.run(directory=bdir, with_output=True, run_args=[])
            runs.append((float(b2.device._last_run_time), time.perf_counter() - t0))
        wall_what = "binary wall"
    else:
        net.store("initial")
        t0 = time.perf_counter()
        net.run(0 * ms, namespace=ns)               # code generation (and Cython compilation), untimed
        setup = f"code generation {time.perf_counter() - t0:.1f} s, untimed"
        for _ in range(a.reps):
            net.restore("initial")
            t0 = time.perf_counter()
            net.run(a.t_end_ms * ms, namespace=ns)
            runs.append((float(b2.device._last_run_time), time.perf_counter() - t0))
        wall_what = "net.run wall"
    for loop, wall in runs:
        print(f"{label}: {n_steps} steps in {loop:.3f} s: {n_steps / loop:.3e} steps/s "
              f"({wall_what} {wall:.3f} s)")
        print(f"RESULT {tag} steps={n_steps} loop_s={loop:.6g} wall_s={wall:.6g}")
    print(f"({setup})")

    ok = True
    final = np.stack([np.asarray(G.r_E[:]), np.asarray(G.r_I[:])], axis=1)     # [area, population]
    if M is not None:
        rec = np.stack([np.asarray(M.r_E[:]).T, np.asarray(M.r_I[:]).T], axis=2)  # [record, area, population]
        peak = rec[:, v1, 0].max()
        print(f"V1 peak E rate: {peak:.4f} Hz (expected ~110 Hz)")
        ok = abs(peak - 110.0) < 0.5
    else:
        print(f"V1 E rate at the end: {final[v1, 0]:.6f} Hz (no recording; peak not available)")
    if a.compare:
        import h5py
        with h5py.File(a.compare, "r") as f:
            other = f["/rates"][...]
        if M is not None:
            m = min(len(rec), len(other))
            d = np.abs(other[:m] - rec[:m]).max()
            what = f"{m} records"
        else:
            d = np.abs(other[-1] - final).max()
            what = "final state"
        print(f"compare with {a.compare} ({what}): max |diff| {d:.3e} Hz (tolerance {a.tolerance:g})")
        ok = ok and d <= a.tolerance
    if tmpdir:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
