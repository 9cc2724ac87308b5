"""Independent reference for configs/models/reduced_wong_wang.yaml (Deco et al. 2013), numpy only.

Usage: ref_reduced_wong_wang.py params SRC            -> prints w_mid w_below w_above (the bistable range)
       ref_reduced_wong_wang.py check SRC RUN.h5 KIND  -> compares a run with the Newton fixed points
       KIND: network (defaults, G = 0.5) | bistable W | low W | high W (G = 0, S(0) high where hierarchy > 0.5)
       ref_reduced_wong_wang.py selftest SRC           -> the reference against its own Euler integration
"""
import sys

import numpy as np

from modelref import check, fln29, jacobian, load_column, newton, read_run
import os

# Deco et al. 2013, Methods (the values of the config; retyped here on purpose).
A, B, D, GAMMA, TAU, JN, I0 = 270.0, 108.0, 0.154, 0.641, 100.0, 0.2609, 0.3


def H(x):
    y = A * x - B
    return y / (1.0 - np.exp(-D * y))


def rhs(S, w, G=0.0, C=None):
    lr = C @ S if C is not None else 0.0
    return -S / TAU + (1.0 - S) * GAMMA * H(w * JN * S + G * JN * lr + I0) / 1000.0


def fixed_points_1area(w):
    """All fixed points of one uncoupled area: sign changes on a fine grid, refined by Newton."""
    S = np.linspace(1e-6, 1 - 1e-6, 20001)
    v = rhs(S, w)
    idx = np.where(np.sign(v[:-1]) != np.sign(v[1:]))[0]
    out = []
    for k in idx:
        s = newton(lambda z: rhs(z, w) * 1e3, [S[k]])[0]
        slope = jacobian(lambda z: rhs(z, w), np.array([s]))[0, 0]
        out.append((s, slope))
    return out


def saddle_nodes():
    """The two saddle-node values of w (one area, G = 0) bounding the bistable range."""
    ws = np.linspace(0.8, 2.2, 281)
    n = [len(fixed_points_1area(w)) for w in ws]
    sn = []
    for k in range(len(ws) - 1):
        if n[k] != n[k + 1]:
            lo, hi = ws[k], ws[k + 1]
            for _ in range(25):  # bisection on the number of fixed points
                mid = 0.5 * (lo + hi)
                if len(fixed_points_1area(mid)) == n[k]:
                    lo = mid
                else:
                    hi = mid
            sn.append(0.5 * (lo + hi))
    assert len(sn) == 2, sn
    return sn


def main():
    mode, src = sys.argv[1], sys.argv[2]
    if mode == "params":
        w1, w2 = saddle_nodes()
        print("%.6f %.6f %.6f" % (0.5 * (w1 + w2), w1 - 0.1, w2 + 0.1))
        return 0
    names, C = fln29(src)
    if mode == "selftest":
        G, w = 0.5, 0.9
        S = np.full(29, 0.1)
        for _ in range(40000):
            S = S + 0.1 * rhs(S, w, G, C)
        Sn = newton(lambda s: rhs(s, w, G, C) * 1e3, np.full(29, 0.035))
        print("euler vs newton", np.max(np.abs(S - Sn)))
        w1, w2 = saddle_nodes()
        print("saddle nodes w =", w1, w2, [fixed_points_1area(w) for w in (w1 - 0.1, 0.5 * (w1 + w2), w2 + 0.1)])
        return 0 if np.max(np.abs(S - Sn)) < 1e-9 else 1
    run, kind = sys.argv[3], sys.argv[4]
    t, areas, v = read_run(run)
    assert areas == names, (areas, names)
    S_end, S_before = v["S"][-1], v["S"][-11]
    ok = True
    if kind == "network":
        G, w = 0.5, 0.9
        f = lambda s: rhs(s, w, G, C) * 1e3
        Sn = newton(f, np.full(29, 0.035))
        lam = np.linalg.eigvals(jacobian(lambda s: rhs(s, w, G, C), Sn)).real.max()
        ok &= check(lam < 0, "the Newton fixed point is stable (largest eigenvalue %.3e /ms)" % lam)
        err = np.max(np.abs(S_end - Sn))
        ok &= check(err < 1e-8, "run end vs Newton fixed point of the 29-area network: max |dS| = %.2e "
                    "(S* = %.5f..%.5f)" % (err, Sn.min(), Sn.max()))
        Hn = H(0.9 * JN * Sn + G * JN * (C @ Sn) + I0)
        errH = np.max(np.abs(v["H"][-1] - Hn) / Hn)
        ok &= check(errH < 1e-6, "recorded H vs H(x(S*)): max rel %.2e (%.3f..%.3f Hz)" % (errH, Hn.min(), Hn.max()))
        return 0 if ok else 1
    w = float(sys.argv[5])
    fps = fixed_points_1area(w)
    stable = sorted(s for s, slope in fps if slope < 0)
    _, hier = load_column(os.path.join(src, "configs/data/chaudhuri2015/areas_hierarchy.csv"), "hier_raw")
    high_start = hier / hier.max() > 0.5
    want = {"bistable": 2, "low": 1, "high": 1}[kind]
    ok &= check(len(stable) == want, "w = %.4f: %d stable fixed point(s) %s (want %d)" % (w, len(stable), stable, want))
    if not ok:
        return 1
    if kind == "bistable":
        target = np.where(high_start, stable[1], stable[0])
    else:
        target = np.full(29, stable[0])
    err = np.max(np.abs(S_end - target))
    ok &= check(err < 1e-6, "%s: every area at its stable fixed point (low %.5f, high %.5f): max |dS| = %.2e"
                % (kind, stable[0], stable[-1], err))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
