"""Shared by tests/models/validate_*.sh: read a cortexsim output (docs/output-format.md) into
(time in ms, {recorded variable: array [T, A]}, area names)."""
import h5py
import numpy as np


def _names(ds):
    return [(x.decode() if isinstance(x, bytes) else str(x)).rstrip("\0") for x in ds[()]]


def load(path):
    with h5py.File(path, "r") as f:
        rates = f["/rates"][()]
        pops = _names(f["/populations"])
        areas = _names(f["/areas"])
        t_ms = f["/time"][()] * 1000.0
    assert np.all(np.isfinite(rates)), f"{path}: non-finite /rates"
    return t_ms, {p: rates[:, :, k] for k, p in enumerate(pops)}, areas


def read_matrix(path, areas):
    """A cortexsim CSV matrix (header = sources, first column = targets), rows/columns in the order of areas."""
    import csv
    with open(path) as fh:
        rows = list(csv.reader(fh))
    src = rows[0][1:]
    tgt = [r[0] for r in rows[1:]]
    m = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    i = [tgt.index(a) for a in areas]
    j = [src.index(a) for a in areas]
    return m[np.ix_(i, j)]


def hierarchy(path, areas, name_column="area", column="hier_raw"):
    import csv
    with open(path) as fh:
        rows = list(csv.DictReader(fh))
    h = {r[name_column]: float(r[column]) for r in rows}
    v = np.array([h[a] for a in areas])
    return v / v.max()


def newton(F, x0, tol=1e-13, maxit=100, h=1e-7):
    """Newton's method with a central-difference Jacobian; returns (x, J at x)."""
    x = np.array(x0, float)
    for _ in range(maxit):
        J = jacobian(F, x, h)
        dx = np.linalg.solve(J, -F(x))
        x = x + dx
        if np.max(np.abs(dx)) < tol:
            break
    else:
        raise AssertionError("Newton did not converge")
    return x, jacobian(F, x, h)


def jacobian(F, x, h=1e-7):
    n = len(x)
    J = np.empty((n, n))
    for k in range(n):
        d = np.zeros(n)
        d[k] = h
        J[:, k] = (F(x + d) - F(x - d)) / (2 * h)
    return J


def peak_hz(t_ms, x):
    """Frequency (Hz) of the largest spectral peak of x (mean removed, Hann window)."""
    x = x - x.mean()
    dt_s = (t_ms[1] - t_ms[0]) / 1000.0
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    fr = np.fft.rfftfreq(len(x), dt_s)
    return fr[np.argmax(spec[1:]) + 1]
