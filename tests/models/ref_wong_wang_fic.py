"""Independent reference for configs/models/wong_wang_fic.yaml (Deco et al. 2014, feedback inhibition control),
numpy only.

Usage: ref_wong_wang_fic.py star                 -> prints S_E* and S_I* of the FIC target state (r_E = 3 Hz)
       ref_wong_wang_fic.py check SRC RUN.h5     -> the run against the reference (see validate_wong_wang_fic.sh)
       ref_wong_wang_fic.py selftest SRC
"""
import sys

import numpy as np

from modelref import check, fln29, jacobian, newton, read_run

# Deco et al. 2014, J Neurosci 34:7886, Methods (retyped here on purpose).
W_E, W_I, I_0, W_PLUS, J_NMDA = 1.0, 0.7, 0.382, 1.4, 0.15
A_E, B_E, D_E = 310.0, 125.0, 0.16
A_I, B_I, D_I = 615.0, 177.0, 0.087
TAU_E, TAU_I, GAMMA = 100.0, 10.0, 0.641
R_TARGET = 3.0
G = 1.0               # the config's global coupling
DT = 0.1
STIM = dict(area=0, onset=1000, end=2000, amp=0.005)   # steps [onset, end), nA into I_E of V1


def phi(x, a, b, d):
    y = a * x - b
    return y / (1.0 - np.exp(-d * y))


def star():
    g = GAMMA * R_TARGET * TAU_E / 1000.0
    s_e = g / (1.0 + g)
    f = lambda s: np.array([-s[0] / TAU_I + phi(W_I * I_0 + J_NMDA * s_e - s[0], A_I, B_I, D_I) / 1000.0])
    s_i = newton(f, [0.05], tol=1e-16)[0]
    return s_e, s_i


def inverse_phi_E(r):
    f = lambda x: np.array([phi(x[0], A_E, B_E, D_E) - r])
    return newton(f, [0.4], tol=1e-12)[0]


def fic(C):
    """J_i per area so that (S_E*, S_I*) is a fixed point: I_E = phi_E^-1(3 Hz)."""
    s_e, s_i = star()
    x = inverse_phi_E(R_TARGET)
    lr = C @ np.full(C.shape[0], s_e)
    return (W_E * I_0 + W_PLUS * J_NMDA * s_e + G * J_NMDA * lr - x) / s_i


def rhs(state, C, J_i, stim=0.0):
    n = C.shape[0]
    se, si = state[:n], state[n:]
    I_E = W_E * I_0 + W_PLUS * J_NMDA * se + G * J_NMDA * (C @ se) - J_i * si + stim
    I_I = W_I * I_0 + J_NMDA * se - si
    r_e, r_i = phi(I_E, A_E, B_E, D_E), phi(I_I, A_I, B_I, D_I)
    return np.concatenate([-se / TAU_E + (1 - se) * GAMMA * r_e / 1000.0, -si / TAU_I + r_i / 1000.0]), r_e


def euler_run(C, J_i, n_steps, every):
    n = C.shape[0]
    s_e, s_i = star()
    x = np.concatenate([np.full(n, s_e), np.full(n, s_i)])
    out = [x.copy()]
    for k in range(n_steps):
        st = np.zeros(n)
        if STIM["onset"] <= k < STIM["end"]:
            st[STIM["area"]] = STIM["amp"]
        f1, _ = rhs(x, C, J_i, st)
        x = x + DT * f1
        if (k + 1) % every == 0:
            out.append(x.copy())
    return np.array(out)


def main():
    mode = sys.argv[1]
    if mode == "star":
        print("S_E* = %.15g  S_I* = %.15g" % star())
        return 0
    src = sys.argv[2]
    names, C = fln29(src)
    J_i = fic(C)
    n = C.shape[0]
    s_e, s_i = star()
    fp = np.concatenate([np.full(n, s_e), np.full(n, s_i)])
    resid = np.max(np.abs(rhs(fp, C, J_i)[0]))
    lam = np.linalg.eigvals(jacobian(lambda s: rhs(s, C, J_i)[0], fp)).real.max()
    ok = check(resid < 1e-15, "FIC state is a fixed point of the reference (|f| = %.1e); J_i = %.4f..%.4f nA"
               % (resid, J_i.min(), J_i.max()))
    ok &= check(lam < 0, "FIC state is stable at G = %g: largest eigenvalue %.4e /ms" % (G, lam))
    if mode == "selftest":
        traj = euler_run(C, J_i, 60000, 100)
        r_end = rhs(traj[-1], C, J_i)[1]
        print("reference run: max |S_E - S_E*| in stimulus %.3e, r_E at the end %.9f..%.9f Hz"
              % (np.abs(traj[:, :n] - s_e).max(), r_end.min(), r_end.max()))
        return 0 if ok else 1
    t, areas, v = read_run(sys.argv[3])
    assert areas == names
    every = int(round((t[1] - t[0]) * 1000 / DT))
    n_steps = every * (len(t) - 1)
    ref = euler_run(C, J_i, n_steps, every)
    run = np.concatenate([v["S_E"], v["S_I"]], axis=1)
    dev = np.max(np.abs(run - ref) / np.abs(ref))
    ok &= check(dev < 1e-9, "S_E, S_I trajectories (pulse into V1, %d records) vs the reference's Euler run: max rel "
                "%.2e" % (len(t), dev))
    moved = np.max(np.abs(v["S_E"][:, 0] - s_e))
    ok &= check(moved > 1e-3, "the pulse moved V1 away from the FIC state (max |dS_E| = %.3e)" % moved)
    r_end = v["r_E"][-1]
    err = np.max(np.abs(r_end - R_TARGET))
    ok &= check(err < 1e-4, "E rate back at the FIC target in every area at t = %.0f ms: %.9f..%.9f Hz (max |r_E - 3| = "
                "%.1e)" % (t[-1] * 1000, r_end.min(), r_end.max(), err))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
