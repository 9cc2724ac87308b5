#!/usr/bin/env bash
# TVB's Generic2dOscillator (configs/models/generic_2d_oscillator.yaml) against Newton fixed points and
# Jacobian eigenvalues (numpy, in this file), TVB's default parameters:
#  1. coupled (G = 0.5, linear FLN coupling with delays, I = 0): the 58 equations solved by Newton, every
#     eigenvalue of their Jacobian with Re < 0 (a stable focus in every area), the run's final state equal to
#     that solution (1e-7), and the coupling moving it (> 1e-3);
#  2. the Hopf point in I: the trace of the single-node Jacobian d (tau (2 e V - 3 f V^2) - beta / tau) vanishes at
#     V_H = 1 - sqrt(2/3), I_H = f V_H^3 - e V_H^2 - (a + b V_H) = 3.7402 (checked against the eigenvalues);
#     uncoupled (G = 0) at I = 4.5 every area oscillates (peak-to-peak of V > 1 over the last 500 ms).
# Usage: validate_generic_2d_oscillator.sh BIN TOOLS OUT SRC
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$SRC/tests/cli/lib.sh"
CFG=$SRC/configs/models/generic_2d_oscillator.yaml
mkdir -p "$OUT"
run() {
  local name=$1; shift
  rm -f "$OUT/$name.h5"
  expect_rc 0 "$OUT/$name.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/$name.h5" --quiet --set run.t_end_ms=2000 \
    --set run.integrator=rk4 "$@"
}
run coupled --set model.equations.parameters.G=0.5 --set model.equations.parameters.I=0
run oscillating --set model.equations.parameters.G=0 --set model.equations.parameters.I=4.5
PYTHONPATH=$SRC/tests/models /usr/bin/python3 - "$OUT" "$SRC" <<'PY' || fail "Generic2dOscillator validation"
import sys, numpy as np
from models_read import load, read_matrix, newton
out, src = sys.argv[1], sys.argv[2]
tau, a, b, c, d, e, f, g, alpha, beta, gamma = 1., -2., -10., 0., 0.02, 3., 1., 0., 1., 1., 1.
def rhs(V, W, I, cpl):
    return (d * tau * (alpha * W - f * V**3 + e * V**2 + g * V + gamma * I + gamma * cpl),
            d * (a + b * V + c * V**2 - beta * W) / tau)

t, x, areas = load(f"{out}/coupled.h5")
C = read_matrix(f"{src}/configs/data/chaudhuri2015/fln_29x29.csv", areas)
n, G = len(areas), 0.5
F = lambda y: np.concatenate(rhs(y[:n], y[n:], 0.0, G * (C @ y[:n])))
y0 = np.concatenate([np.full(n, -0.2), np.full(n, 0.0)])
y, J = newton(F, y0)
ev = np.linalg.eigvals(J)
yu, _ = newton(lambda z: np.concatenate(rhs(z[:n], z[n:], 0.0, 0.0)), y0)
err = max(np.abs(x["V"][-1] - y[:n]).max(), np.abs(x["W"][-1] - y[n:]).max())
print("coupled: Newton V in [%.6f, %.6f]; largest Re(eigenvalue) %.5f/ms; |coupled - uncoupled| %.3g; "
      "max |final - Newton| %.3g" % (y[:n].min(), y[:n].max(), ev.real.max(), np.abs(y - yu).max(), err))
assert ev.real.max() < 0, "reference: coupled fixed point not stable"
assert np.abs(y - yu).max() > 1e-3, "reference: the coupling should move the fixed point"
assert err < 1e-7, "coupled: run's final state is not the Newton fixed point"

VH = 1 - np.sqrt(2 / 3)
IH = f * VH**3 - e * VH**2 - (a + b * VH)
for dI, sign in ((-1e-3, -1), (1e-3, 1)):
    I = IH + dI
    z, Jn = newton(lambda z: np.array(rhs(z[0], z[1], I, 0.0)), [VH, a + b * VH])
    evn = np.linalg.eigvals(Jn)
    assert np.sign(evn.real.max()) == sign and abs(evn.imag).max() > 0, "reference: I_H is not the Hopf point"
t, x, _ = load(f"{out}/oscillating.h5")
ptp = np.ptp(x["V"][t >= t[-1] - 500], axis=0)
print("I_H = %.5f; I = 4.5 uncoupled: peak-to-peak of V in [%.4f, %.4f]" % (IH, ptp.min(), ptp.max()))
assert ptp.min() > 1, "I > I_H: no oscillation"
print("ok")
PY
