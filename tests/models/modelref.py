"""Shared helpers of the model-library validations (tests/models/validate_*.sh): data loading and a Newton
solver written independently of cortexsim (numpy only)."""
import csv
import os

import numpy as np


def load_matrix(path):
    """A connectome CSV (header of sources, first column of targets) -> (names, M[target, source])."""
    with open(path) as f:
        rows = list(csv.reader(f))
    names = rows[0][1:]
    m = np.array([[float(x) for x in r[1:]] for r in rows[1:]])
    assert [r[0] for r in rows[1:]] == names, path
    return names, m


def load_column(path, column, key="area"):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return [r[key] for r in rows], np.array([float(r[column]) for r in rows])


def fln29(src):
    return load_matrix(os.path.join(src, "configs/data/chaudhuri2015/fln_29x29.csv"))


def read_run(path):
    """/rates of a run -> (time_s [T], areas [A], {variable: array [T, A]})."""
    import h5py

    with h5py.File(path, "r") as f:
        rates = f["/rates"][()]
        t = f["/time"][()]
        pops = [p.decode() if isinstance(p, bytes) else str(p) for p in f["/populations"][()]]
        areas = [a.decode() if isinstance(a, bytes) else str(a) for a in f["/areas"][()]]
    return t, areas, {p: rates[:, :, k] for k, p in enumerate(pops)}


def jacobian(f, x, h=1e-7):
    fx = f(x)
    J = np.empty((fx.size, x.size))
    for k in range(x.size):
        e = np.zeros_like(x)
        step = h * max(1.0, abs(x[k]))
        e[k] = step
        J[:, k] = (f(x + e) - f(x - e)) / (2 * step)
    return J


def newton(f, x0, jac=None, tol=1e-13, maxit=100):
    """Newton's method with backtracking on |f|; raises if it does not converge."""
    x = np.array(x0, dtype=float)
    for _ in range(maxit):
        fx = f(x)
        if np.max(np.abs(fx)) < tol:
            return x
        J = jac(x) if jac else jacobian(f, x)
        dx = np.linalg.solve(J, -fx)
        lam = 1.0
        while lam > 1e-6:
            xn = x + lam * dx
            if np.all(np.isfinite(f(xn))) and np.max(np.abs(f(xn))) < np.max(np.abs(fx)):
                break
            lam /= 2
        x = xn
    if np.max(np.abs(f(x))) < 1e-9:
        return x
    raise RuntimeError("Newton did not converge: |f| = %g" % np.max(np.abs(f(x))))


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    return bool(cond)
