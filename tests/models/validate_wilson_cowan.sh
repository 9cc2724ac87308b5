#!/usr/bin/env bash
# Wilson-Cowan (configs/models/wilson_cowan.yaml) against an independent reference (numpy, in this file):
#  1. single node: the branch of fixed points in P and the eigenvalues of its Jacobian give a low stable state at
#     P = 0.5, only an unstable focus at P = 1.25 (the paper's limit cycle) and a stable focus at P = 2.5;
#  2. uncoupled run (G = 0) at P = 0.5: every area at the Newton fixed point (1e-7); at P = 1.25: every area
#     oscillates (peak-to-peak of E > 0.1 over the last 500 ms);
#  3. coupled run (G = 0.5, P = 2.5, FLN with delays): the 58 equations of the network solved by Newton, all
#     eigenvalues of their Jacobian with Re < 0, and the run's final state equal to that solution (1e-7).
# Usage: validate_wilson_cowan.sh BIN TOOLS OUT SRC
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$SRC/tests/cli/lib.sh"
CFG=$SRC/configs/models/wilson_cowan.yaml
mkdir -p "$OUT"
run() {
  local name=$1; shift
  rm -f "$OUT/$name.h5"
  expect_rc 0 "$OUT/$name.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/$name.h5" --quiet --set run.t_end_ms=1500 "$@"
}
run low --set model.equations.parameters.G=0 --set model.equations.parameters.P=0.5
run cycle --set model.equations.parameters.G=0 --set model.equations.parameters.P=1.25
run coupled --set model.equations.parameters.G=0.5 --set model.equations.parameters.P=2.5
PYTHONPATH=$SRC/tests/models /usr/bin/python3 - "$OUT" "$SRC" <<'PY' || fail "Wilson-Cowan validation"
import sys, numpy as np
from models_read import load, read_matrix, newton, jacobian
out, src = sys.argv[1], sys.argv[2]
c1, c2, c3, c4, ae, te, ai, ti, re, ri, tau = 16., 12., 15., 3., 1.3, 4., 2., 3.7, 1., 1., 8.
S = lambda x, a, th: 1 / (1 + np.exp(-a * (x - th))) - 1 / (1 + np.exp(a * th))
ke, ki = 1 - 1 / (1 + np.exp(ae * te)), 1 - 1 / (1 + np.exp(ai * ti))
def rhs(E, I, P, lr):
    return ((-E + (ke - re * E) * S(c1 * E - c2 * I + P + lr, ae, te)) / tau,
            (-I + (ki - ri * I) * S(c3 * E - c4 * I, ai, ti)) / tau)
def node(P):
    F = lambda y: np.array(rhs(y[0], y[1], P, 0.0))
    # every fixed point: scan E, I from the I nullcline by bisection, then Newton
    def I_of(E):
        lo, hi = 0.0, 1.0
        for _ in range(100):
            m = (lo + hi) / 2
            lo, hi = (m, hi) if rhs(E, m, P, 0)[1] > 0 else (lo, m)
        return lo
    Es = np.linspace(0, 0.9, 3001)
    g = np.array([rhs(E, I_of(E), P, 0)[0] for E in Es])
    fps = []
    for k in np.where(np.sign(g[:-1]) != np.sign(g[1:]))[0]:
        y, J = newton(F, [Es[k], I_of(Es[k])])
        fps.append((y, np.linalg.eigvals(J)))
    return fps
fp = {P: node(P) for P in (0.5, 1.25, 2.5)}
for P, f in fp.items():
    print("P=%g fixed points:" % P, [(np.round(y, 6).tolist(), np.round(ev, 5).tolist()) for y, ev in f])
assert len(fp[0.5]) == 1 and max(fp[0.5][0][1].real) < 0, "reference: P=0.5 should have one stable state"
assert all(max(ev.real) > 0 for _, ev in fp[1.25]), "reference: P=1.25 should have no stable fixed point"
assert len(fp[2.5]) == 1 and max(fp[2.5][0][1].real) < 0 and abs(fp[2.5][0][1][0].imag) > 0, \
    "reference: P=2.5 should be a stable focus"
# Hopf point of the upper branch between 1.25 and 2.5 (bisection on the sign of the largest real part)
lo, hi = 1.25, 2.5
for _ in range(40):
    m = (lo + hi) / 2
    lo, hi = (m, hi) if max(max(ev.real) for _, ev in node(m)) > 0 else (lo, m)
print("reference Hopf point P_H = %.5f" % lo)

t, x, areas = load(f"{out}/low.h5")
yL = fp[0.5][0][0]
tail = t >= t[-1] - 500
errL = max(np.abs(x["E"][-1] - yL[0]).max(), np.abs(x["I"][-1] - yL[1]).max())
print("P=0.5 uncoupled: max |final - Newton| = %.3g, ptp %.3g" % (errL, np.ptp(x["E"][tail], axis=0).max()))
assert errL < 1e-7, "P=0.5: run's final state is not the Newton fixed point"

t, x, areas = load(f"{out}/cycle.h5")
tail = t >= t[-1] - 500
ptp = np.ptp(x["E"][tail], axis=0)
print("P=1.25 uncoupled: peak-to-peak of E over the last 500 ms: min %.4f max %.4f" % (ptp.min(), ptp.max()))
assert ptp.min() > 0.1, "P=1.25: no limit cycle"

t, x, areas = load(f"{out}/coupled.h5")
W = read_matrix(f"{src}/configs/data/chaudhuri2015/fln_29x29.csv", areas)
n = len(areas)
G, P = 0.5, 2.5
def Fnet(y):
    E, I = y[:n], y[n:]
    dE, dI = rhs(E, I, P, G * (W @ E))
    return np.concatenate([dE, dI])
y0 = np.concatenate([np.full(n, fp[2.5][0][0][0]), np.full(n, fp[2.5][0][0][1])])
y, J = newton(Fnet, y0)
ev = np.linalg.eigvals(J)
print("coupled: Newton E in [%.5f, %.5f], largest Re(eigenvalue) %.5f /ms" % (y[:n].min(), y[:n].max(), ev.real.max()))
assert ev.real.max() < 0, "reference: the coupled fixed point is not stable"
assert np.ptp(y[:n]) > 1e-3, "reference: the coupling should make the areas differ"
err = max(np.abs(x["E"][-1] - y[:n]).max(), np.abs(x["I"][-1] - y[n:]).max())
print("coupled: max |final - Newton| = %.3g" % err)
assert err < 1e-7, "coupled: run's final state is not the Newton fixed point"
print("ok")
PY
