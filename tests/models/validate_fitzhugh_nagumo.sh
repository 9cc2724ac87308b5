#!/usr/bin/env bash
# FitzHugh-Nagumo (configs/models/fitzhugh_nagumo.yaml) against its analytic Hopf point and Newton fixed points.
# a = 0.7, b = 0.8, eps = 0.08: the trace of the Jacobian 1 - v*^2 - eps b vanishes at v* = -sqrt(1 - eps b), so
# I_H = -(v* - v*^3/3 - (v* + a)/b) = 0.33128 (checked here against the eigenvalues of the Jacobian).
#  1. uncoupled (G = 0), I = I_H - 0.03: every area at the fixed point (root of v - v^3/3 - (v + a)/b + I = 0 by
#     Newton; 1e-7), stable;
#  2. uncoupled, I = I_H + 0.02: relaxation oscillation in every area (peak-to-peak of v > 3 over the last 500 ms);
#  3. coupled (G = 0.5, diffusive FLN coupling of v, I_i = 0.25 h_i): the 58 equations solved by Newton, stable
#     (eigenvalues of the Jacobian), equal to the run's final state (1e-7); the coupling moves it (> 1e-3).
# Usage: validate_fitzhugh_nagumo.sh BIN TOOLS OUT SRC
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$SRC/tests/cli/lib.sh"
CFG=$SRC/configs/models/fitzhugh_nagumo.yaml
mkdir -p "$OUT"
IH=$(/usr/bin/python3 -c "import math; v = -math.sqrt(1 - 0.08 * 0.8); print(repr(-(v - v**3 / 3 - (v + 0.7) / 0.8)))")
run() {
  local name=$1; shift
  rm -f "$OUT/$name.h5"
  expect_rc 0 "$OUT/$name.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/$name.h5" --quiet --set run.t_end_ms=1500 \
    --set run.integrator=rk4 "$@"
}
P=model.equations.parameters
run below --set $P.G=0 --set $P.I_slope=0 --set $P.I0=$(/usr/bin/python3 -c "print($IH - 0.03)")
run above --set $P.G=0 --set $P.I_slope=0 --set $P.I0=$(/usr/bin/python3 -c "print($IH + 0.02)")
run coupled --set $P.G=0.5 --set $P.I_slope=0.25 --set $P.I0=0
PYTHONPATH=$SRC/tests/models /usr/bin/python3 - "$OUT" "$SRC" "$IH" <<'PY' || fail "FitzHugh-Nagumo validation"
import sys, numpy as np
from models_read import load, read_matrix, hierarchy, newton
out, src, IH = sys.argv[1], sys.argv[2], float(sys.argv[3])
a, b, eps = 0.7, 0.8, 0.08
def rhs(v, w, I, lr):
    return v - v**3 / 3 - w + I + lr, eps * (v + a - b * w)
def node(I):
    y, J = newton(lambda y: np.array(rhs(y[0], y[1], I, 0.0)), [-1.0, -0.5])
    return y, np.linalg.eigvals(J)
# the analytic Hopf point against the eigenvalues
for d, sign in ((-1e-4, -1), (1e-4, 1)):
    _, ev = node(IH + d)
    assert np.sign(ev.real.max()) == sign and abs(ev.imag).max() > 0, "reference: I_H is not the Hopf point"
print("I_H = %.6f (analytic; eigenvalues change sign across it)" % IH)

t, x, _ = load(f"{out}/below.h5")
y, ev = node(IH - 0.03)
assert ev.real.max() < 0
err = max(np.abs(x["v"][-1] - y[0]).max(), np.abs(x["w"][-1] - y[1]).max())
print("I = I_H - 0.03: Newton (v, w) = (%.6f, %.6f), eigenvalues %s; max |final - Newton| = %.3g"
      % (y[0], y[1], np.round(ev, 5), err))
assert err < 1e-7, "I < I_H: not at the fixed point"

t, x, _ = load(f"{out}/above.h5")
ptp = np.ptp(x["v"][t >= t[-1] - 500], axis=0)
print("I = I_H + 0.02: peak-to-peak of v over the last 500 ms in [%.4f, %.4f]" % (ptp.min(), ptp.max()))
assert ptp.min() > 3, "I > I_H: no relaxation oscillation"

t, x, areas = load(f"{out}/coupled.h5")
W = read_matrix(f"{src}/configs/data/chaudhuri2015/fln_29x29.csv", areas)
h = hierarchy(f"{src}/configs/data/chaudhuri2015/areas_hierarchy.csv", areas)
n, G, I = len(areas), 0.5, 0.25 * h
def F(y):
    v, w = y[:n], y[n:]
    dv, dw = rhs(v, w, I, G * (W @ v - W.sum(1) * v))
    return np.concatenate([dv, dw])
y0 = np.concatenate([np.full(n, -1.1), np.full(n, -0.5)])
y, J = newton(F, y0)
ev = np.linalg.eigvals(J)
yu, _ = newton(lambda z: np.concatenate(rhs(z[:n], z[n:], I, 0.0)), y0)
err = max(np.abs(x["v"][-1] - y[:n]).max(), np.abs(x["w"][-1] - y[n:]).max())
print("coupled: largest Re(eigenvalue) %.5f; |coupled - uncoupled fixed point| %.3g; max |final - Newton| = %.3g"
      % (ev.real.max(), np.abs(y - yu).max(), err))
assert ev.real.max() < 0, "reference: coupled fixed point not stable"
assert np.abs(y - yu).max() > 1e-3, "reference: the coupling should move the fixed point"
assert err < 1e-7, "coupled: run's final state is not the Newton fixed point"
print("ok")
PY
