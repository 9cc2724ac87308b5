"""Independent reference for configs/models/montbrio.yaml (Montbrio, Pazo & Roxin 2015), numpy only.

The fixed points of one uncoupled population are those of the paper's steady-state relations: r* = -Delta /
(2 pi tau v*) from dr/dt = 0 and v*^2 + eta + J tau r* - (pi tau r*)^2 = 0; with R = tau r* they are the
positive roots of  -pi^2 R^4 + J R^3 + eta R^2 + Delta^2/(4 pi^2) = 0.

Usage: ref_montbrio.py check SRC RUN.h5 uncoupled|network
       ref_montbrio.py selftest SRC
"""
import sys

import numpy as np

from modelref import check, fln29, jacobian, newton, read_run, load_column
import os

TAU, DELTA, ETA, J = 10.0, 1.0, -5.0, 15.0   # ms, paper Fig 2 values in units of Delta
G = 1.0                                      # the config's coupling


def rhs(y, C=None, G=0.0):
    n = y.size // 2
    r, v = y[:n], y[n:]
    lr = C @ r if C is not None else 0.0
    dr = (DELTA / (np.pi * TAU) + 2 * r * v) / TAU
    dv = (v * v + ETA + J * TAU * r + G * TAU * lr - (np.pi * TAU * r) ** 2) / TAU
    return np.concatenate([dr, dv])


def analytic_fixed_points():
    roots = np.roots([-np.pi ** 2, J, ETA, 0.0, DELTA ** 2 / (4 * np.pi ** 2)])
    R = sorted(x.real for x in roots if abs(x.imag) < 1e-12 and x.real > 0)
    out = []
    for Rk in R:
        r = Rk / TAU
        v = -DELTA / (2 * np.pi * TAU * r)
        lam = np.linalg.eigvals(jacobian(rhs, np.array([r, v]))).real.max()
        out.append((r, v, lam))
    return out


def main():
    mode, src = sys.argv[1], sys.argv[2]
    fps = analytic_fixed_points()
    stable = [(r, v) for r, v, lam in fps if lam < 0]
    ok = check(len(fps) == 3 and len(stable) == 2, "bistable: fixed points (r Hz, v, max eigenvalue /ms) %s"
               % [("%.4f" % (1000 * r), "%.4f" % v, "%.3g" % lam) for r, v, lam in fps])
    for r, v, _ in fps:
        res = np.max(np.abs(rhs(np.array([r, v]))))
        ok &= check(res < 1e-12, "analytic fixed point r = %.6f Hz: |f| = %.1e" % (1000 * r, res))
    names, C = fln29(src)
    n = len(names)
    lo = np.concatenate([np.full(n, stable[0][0]), np.full(n, stable[0][1])])
    net = newton(lambda y: rhs(y, C, G) * 10, lo)
    lam = np.linalg.eigvals(jacobian(lambda y: rhs(y, C, G), net)).real.max()
    ok &= check(lam < 0, "network (G = %g) low fixed point by Newton: r = %.4f..%.4f Hz, max eigenvalue %.3g /ms"
                % (G, 1000 * net[:n].min(), 1000 * net[:n].max(), lam))
    if mode == "selftest":
        y = lo * 1.5
        for _ in range(50000):
            y = y + 0.01 * rhs(y, C, G)
        print("euler vs Newton", np.max(np.abs(y - net)))
        return 0 if ok else 1
    t, areas, v = read_run(sys.argv[3])
    assert areas == names
    kind = sys.argv[4]
    r_end, v_end = v["r"][-1], v["v"][-1]   # r in 1/ms (r_hz = 1000 r is recorded too)
    if kind == "uncoupled":
        _, hier = load_column(os.path.join(src, "configs/data/chaudhuri2015/areas_hierarchy.csv"), "hier_raw")
        high = hier / hier.max() > 0.5
        want_r = np.where(high, stable[1][0], stable[0][0])
        want_v = np.where(high, stable[1][1], stable[0][1])
        ok &= check(high.any() and (~high).any(), "both initial states used (%d areas start high)" % high.sum())
    else:
        want_r, want_v = net[:n], net[n:]
    err = max(np.max(np.abs(r_end - want_r) / want_r), np.max(np.abs(v_end - want_v) / np.abs(want_v)))
    ok &= check(err < 1e-8, "%s: run end vs reference fixed points: max rel %.2e" % (kind, err))
    ok &= check(np.max(np.abs(v["r_hz"][-1] - 1000 * r_end)) <= 1e-9 * np.max(v["r_hz"][-1]), "r_hz = 1000 r")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
