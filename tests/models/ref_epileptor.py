"""Independent reference for configs/models/epileptor.yaml (Jirsa et al. 2014), numpy only.

Usage: ref_epileptor.py threshold               -> prints x0_c (the fixed point loses stability) and x0_c - 0.15
       ref_epileptor.py check SRC RUN.h5 rest X0 | seizure X0
       ref_epileptor.py selftest
"""
import sys

import numpy as np

from modelref import check, jacobian, newton, read_run

# Jirsa et al. 2014, Brain 137:2210, Supplementary equations and parameters (retyped here on purpose).
Y0, TAU0, TAU2, I_REST1, I_REST2, GAMMA = 1.0, 2857.0, 10.0, 3.1, 0.45, 0.01
DT = 0.05
INITIAL = np.array([-1.46, -9.7, 2.95, -0.76, 0.0, -0.146])  # the config's initial state (near rest)


def rhs(s, x0):
    x1, y1, z, x2, y2, u = s
    f1 = (x1 ** 3 - 3 * x1 ** 2) if x1 < 0 else (x2 - 0.6 * (z - 4) ** 2) * x1
    f2 = 0.0 if x2 < -0.25 else 6 * (x2 + 0.25)
    return np.array([y1 - f1 - z + I_REST1, Y0 - 5 * x1 ** 2 - y1, (4 * (x1 - x0) - z) / TAU0,
                     -y2 + x2 - x2 ** 3 + I_REST2 + 2 * u - 0.3 * (z - 3.5), (-y2 + f2) / TAU2,
                     -GAMMA * (u - 0.1 * x1)])


def rest(x0):
    """The rest state (x1 < 0, x2 < -0.25): x1 is the real negative root of the cubic that dx1/dt = 0 becomes
    with y1 = y0 - 5 x1^2 and z = 4 (x1 - x0); x2 the lowest real root of dx2/dt = 0 with y2 = 0, u = 0.1 x1;
    polished by Newton on the full system."""
    x1 = min(r.real for r in np.roots([-1.0, -2.0, -4.0, 4 * x0 + Y0 + I_REST1]) if abs(r.imag) < 1e-9)
    z = 4 * (x1 - x0)
    x2 = min(r.real for r in np.roots([-1.0, 0.0, 1.0, I_REST2 + 0.2 * x1 - 0.3 * (z - 3.5)]) if abs(r.imag) < 1e-9)
    guess = np.array([x1, Y0 - 5 * x1 ** 2, z, x2, 0.0, 0.1 * x1])
    fp = newton(lambda s: rhs(s, x0), guess)
    assert fp[0] < 0 and fp[3] < -0.25, fp
    lam = np.linalg.eigvals(jacobian(lambda s: rhs(s, x0), fp)).real.max()
    return fp, lam


def threshold():
    lo, hi = -2.4, -1.6      # stable at lo, unstable at hi
    assert rest(lo)[1] < 0 < rest(hi)[1]
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        if rest(mid)[1] < 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def euler(x0, n_steps, every):
    s = INITIAL.copy()
    out = [s.copy()]
    for k in range(n_steps):
        s = s + DT * rhs(s, x0)
        if (k + 1) % every == 0:
            out.append(s.copy())
    return np.array(out)


def main():
    mode = sys.argv[1]
    if mode == "threshold":
        xc = threshold()
        print("%.6f %.6f" % (xc, xc - 0.15))
        return 0
    if mode == "selftest":
        xc = threshold()
        print("x0_c =", xc, "rest at -2.2:", rest(-2.2))
        tr = euler(-1.6, 100000, 200)
        print("seizure run: x1 in [%.3f, %.3f], z in [%.3f, %.3f]" % (tr[:, 0].min(), tr[:, 0].max(), tr[:, 2].min(),
                                                                     tr[:, 2].max()))
        return 0
    src, run, kind, x0 = sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
    t, areas, v = read_run(run)
    names = ["x1", "y1", "z", "x2", "y2", "u"]
    state = np.stack([v[n] for n in names], axis=2)   # [T, A, 6]
    fp, lam = rest(x0)
    ok = True
    if kind == "rest":
        ok &= check(lam < 0, "x0 = %.4f below the threshold: the rest state is stable (max eigenvalue %.3e)" % (x0, lam))
        err = np.max(np.abs(state[-1] - fp))
        ok &= check(err < 1e-7, "every area at the Newton rest state at t = %.0f ms: max |d| = %.2e (x1* = %.5f)"
                    % (t[-1] * 1000, err, fp[0]))
        ok &= check(np.all(state[:, :, 0] < 0), "no seizure: x1 < 0 throughout")
    else:
        ok &= check(lam > 0, "x0 = %.4f above the threshold: the rest state is unstable (max eigenvalue %.3e)" % (x0, lam))
        every = int(round((t[1] - t[0]) * 1000 / DT))
        n_early = int(round(500 / ((t[1] - t[0]) * 1000)))
        ref = euler(x0, every * n_early, every)
        err = np.max(np.abs(state[: n_early + 1] - ref[:, None, :]))
        ok &= check(err < 1e-6, "first 500 ms equal the reference's Euler run in every area: max |d| = %.2e" % err)
        x1, z = state[:, :, 0], state[:, :, 2]
        late = t >= t[-1] / 2
        ok &= check(np.all(x1.max(axis=0) > 0.2), "seizure: x1 > 0.2 (ictal discharges) in every area (min of the "
                    "maxima %.3f)" % x1.max(axis=0).min())
        ok &= check(np.all(z[late].max(axis=0) - z[late].min(axis=0) > 0.5),
                    "slow permittivity z oscillates in the second half in every area (min range %.3f)"
                    % (z[late].max(axis=0) - z[late].min(axis=0)).min())
        ok &= check(np.all(np.abs(state[-1] - fp).max(axis=1) > 0.1), "no area sits at the (unstable) rest state")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
