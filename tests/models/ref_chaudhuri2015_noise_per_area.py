"""Independent reference for configs/models/chaudhuri2015_noise_per_area.yaml, numpy only.

Usage: ref_chaudhuri2015_noise_per_area.py fixed SRC EQ.h5 LINEAR.h5   (noise off; LINEAR = configs/chaudhuri2015.yaml)
       ref_chaudhuri2015_noise_per_area.py variance SRC EQ.h5 DT DISCARD_MS
       ref_chaudhuri2015_noise_per_area.py selftest SRC
"""
import os
import sys

import numpy as np

from modelref import check, fln29, load_column, read_run

# Chaudhuri et al. 2015 (configs/data/chaudhuri2015/parameters.csv), retyped.
TAU_E, TAU_I, BETA_E, BETA_I = 20.0, 10.0, 0.066, 0.351
W_EE, W_IE, W_EI, W_II, MU_EE, MU_IE, ETA = 24.3, 12.2, 19.7, 12.5, 33.7, 25.3, 0.68


def jacobian(src):
    """The linear system around (10, 35) Hz (the rectification is inactive there): d/dt [r_E; r_I] = A [r_E; r_I]."""
    names, F = fln29(src)
    _, hier = load_column(os.path.join(src, "configs/data/chaudhuri2015/areas_hierarchy.csv"), "hier_raw")
    s = 1 + ETA * hier / hier.max()
    n = len(names)
    A = np.zeros((2 * n, 2 * n))
    A[:n, :n] = (np.diag(BETA_E * W_EE * s - 1) + BETA_E * MU_EE * s[:, None] * F) / TAU_E
    A[:n, n:] = -BETA_E * W_EI * np.eye(n) / TAU_E
    A[n:, :n] = (np.diag(BETA_I * W_IE * s) + BETA_I * MU_IE * s[:, None] * F) / TAU_I
    A[n:, n:] = -(BETA_I * W_II + 1) * np.eye(n) / TAU_I
    return names, A


def sigma(src):
    names, sig = load_column(os.path.join(src, "configs/models/data/chaudhuri2015_noise_sigma.csv"), "sigma_E")
    return names, sig


def discrete_lyapunov(M, Q):
    """P = sum_k M^k Q M^T^k by doubling (P <- P + Mk P Mk^T, Mk <- Mk^2)."""
    P, Mk = Q.copy(), M.copy()
    for _ in range(60):
        P_new = P + Mk @ P @ Mk.T
        Mk = Mk @ Mk
        if np.max(np.abs(P_new - P)) <= 1e-15 * np.max(np.abs(P_new)):
            return P_new
        P = P_new
    raise RuntimeError("doubling did not converge")


def v1_statistics(src, dt, every):
    """Stationary variance of V1's E rate under Euler-Maruyama, and the SD of the sample variance of N records
    taken every `every` steps (Gaussian process: Var(s^2) ~ (2/N) sum_m C(m)^2)."""
    names, A = jacobian(src)
    _, sig = sigma(src)
    n = len(names)
    M = np.eye(2 * n) + dt * A
    B = np.zeros(2 * n)
    B[:n] = sig
    P = discrete_lyapunov(M, dt * np.diag(B * B))
    var = P[0, 0]
    Me = np.linalg.matrix_power(M, every)
    acov, X = [], P.copy()
    for _ in range(200000):
        acov.append(X[0, 0])
        X = Me @ X
        if abs(X[0, 0]) < 1e-6 * var and len(acov) > 10:
            break
    acov = np.array(acov)
    return var, acov, np.sqrt(np.diag(P)[:n])


def main():
    mode, src = sys.argv[1], sys.argv[2]
    names, A = jacobian(src)
    lam = np.linalg.eigvals(A).real.max()
    ok = check(lam < 0, "linearised network stable: slowest time constant %.1f ms" % (-1 / lam))
    if mode == "selftest":
        var, acov, _ = v1_statistics(src, 0.2, 5)
        # Monte-Carlo check of the Lyapunov solution with the same Euler-Maruyama scheme
        _, sig = sigma(src)
        n = len(names)
        rng = np.random.default_rng(1)
        M = np.eye(2 * n) + 0.2 * A
        x, acc, cnt = np.zeros(2 * n), 0.0, 0
        for k in range(300000):
            x = M @ x
            x[:n] += sig * np.sqrt(0.2) * rng.standard_normal(n)
            if k > 25000 and k % 5 == 0:
                acc += x[0] ** 2
                cnt += 1
        sd = np.sqrt(2 * (acov[0] ** 2 + 2 * np.sum(acov[1:] ** 2)) / cnt)
        print("V1 variance: Lyapunov %.5f, Monte Carlo %.5f (SD of the estimate %.5f, corr. length %d records)"
              % (var, acc / cnt, sd, len(acov)))
        return 0
    t, areas, v = read_run(sys.argv[3])
    assert areas == names
    if mode == "fixed":
        _, _, lin = read_run(sys.argv[4])
        before = t < 0.1 - 1e-9
        errE = np.max(np.abs(v["r_E"][before] - 10))
        errI = np.max(np.abs(v["r_I"][before] - 35))
        ok &= check(max(errE, errI) < 1e-9, "background solve: (10, 35) Hz in every area before the pulse "
                    "(max dev %.1e, %.1e Hz, %d records)" % (errE, errI, before.sum()))
        for p, q in (("r_E", "E"), ("r_I", "I")):
            dev = np.max(np.abs(v[p] - lin[q]) / np.abs(lin[q]))
            ok &= check(dev < 1e-9, "%s equals the hand-written linear_ei circuit (V1 pulse, 2.5 s): max rel %.1e"
                        % (p, dev))
        ok &= check(lin["E"][:, 0].max() > 100, "the pulse drove V1 (peak %.1f Hz)" % lin["E"][:, 0].max())
        return 0 if ok else 1
    dt, discard = float(sys.argv[4]), float(sys.argv[5])
    rec_ms = (t[1] - t[0]) * 1000
    every = int(round(rec_ms / dt))
    var, acov, sd_all = v1_statistics(src, dt, every)
    x = v["r_E"][t * 1000 >= discard, 0] - 10.0
    N = x.size
    est = np.mean(x * x)            # deviations from the known mean 10 Hz
    sd = np.sqrt(2 * (acov[0] ** 2 + 2 * np.sum(acov[1:] ** 2)) / N)
    z = (est - var) / sd
    ok &= check(abs(z) < 4, "V1 E-rate variance %.5f Hz^2 over %d records vs discrete Lyapunov %.5f (SD of the "
                "estimate %.5f, z = %.2f)" % (est, N, var, sd, z))
    ratio = np.sqrt(np.mean((v["r_E"][t * 1000 >= discard] - 10.0) ** 2, axis=0)) / sd_all
    ok &= check(np.all((ratio > 0.5) & (ratio < 2)), "every area's E-rate SD within a factor 2 of the Lyapunov SD "
                "(per-area sigma; Lyapunov SDs %.3f..%.3f Hz; ratios %.2f..%.2f)"
                % (sd_all.min(), sd_all.max(), ratio.min(), ratio.max()))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
