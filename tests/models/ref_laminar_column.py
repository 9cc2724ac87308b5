"""Independent reference for configs/models/laminar_column.yaml (Potjans & Diesmann 2014 column as rate units),
numpy only.

Usage: ref_laminar_column.py check SRC RUN.h5 column|network
       ref_laminar_column.py selftest SRC
"""
import sys

import numpy as np

from modelref import check, fln29, jacobian, newton, read_run

POPS = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
# Potjans & Diesmann 2014, Table 5 (retyped here on purpose)
N = np.array([20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948], dtype=float)
KEXT = np.array([1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100], dtype=float)
C = np.array([[0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
              [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
              [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
              [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
              [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
              [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
              [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
              [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443]])
TAU, J, G_INH, NU_BG, K_LR, G = 10.0, 0.001, -4.0, 8.0, 500.0, 1.0

K = np.log(1 - C) / np.log(1 - 1 / np.outer(N, N)) / N[:, None]
SIGN = np.tile(np.where(np.arange(8) % 2 == 0, 1.0, G_INH), (8, 1))
SIGN[0, 2] = 2.0                      # L4E -> L2/3E doubled
W = J * K * SIGN
LR_TARGET = np.array([1, 0, 0, 0, 1, 0, 0, 0], dtype=float)


def rhs(r, F=None, g=G):
    """r: [areas, 8] flattened; F: FLN (None: isolated columns)."""
    R = r.reshape(-1, 8)
    lr = (F @ R[:, 0]) if F is not None else np.zeros(R.shape[0])
    mu = R @ W.T + J * KEXT * NU_BG + J * K_LR * g * lr[:, None] * LR_TARGET
    return ((-R + np.maximum(mu, 0)) / TAU).ravel()


def main():
    mode, src = sys.argv[1], sys.argv[2]
    names, F = fln29(src)
    n = len(names)
    col = newton(lambda r: rhs(r) * 10, np.ones(8))
    lam = np.linalg.eigvals(jacobian(rhs, col)).real.max()
    ok = check(lam < 0, "isolated column: fixed point %s Hz, max eigenvalue %.3f /ms" % (np.round(col, 3), lam))
    net = newton(lambda r: rhs(r, F) * 10, np.tile(col, n))
    laml = np.linalg.eigvals(jacobian(lambda r: rhs(r, F), net)).real.max()
    ok &= check(laml < 0, "network (G = %g): fixed point by Newton (232 unknowns), L2/3E %.3f..%.3f Hz, max "
                "eigenvalue %.3f /ms" % (G, net[0::8].min(), net[0::8].max(), laml))
    if mode == "selftest":
        r = np.ones(8 * n)
        for _ in range(10000):
            r = r + 0.1 * rhs(r, F)
        print("euler vs Newton:", np.max(np.abs(r - net)))
        return 0 if ok else 1
    t, areas, v = read_run(sys.argv[3])
    assert areas == names
    end = np.stack([v["r_" + p][-1] for p in POPS], axis=1)      # [A, 8]
    want = np.tile(col, (n, 1)) if sys.argv[4] == "column" else net.reshape(n, 8)
    err = np.max(np.abs(end - want) / want)
    ok &= check(err < 1e-9, "%s: run end vs the Newton fixed point, all 8 populations of every area: max rel %.1e"
                % (sys.argv[4], err))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
