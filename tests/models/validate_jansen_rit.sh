#!/usr/bin/env bash
# Jansen-Rit (configs/models/jansen_rit.yaml) against an independent reference (numpy, in this file), uncoupled
# areas (G = 0), no noise, from rest, RK4 at dt = 0.2 ms:
#  1. reference: fixed points of the single node for input p, eigenvalues of the 6x6 Jacobian; the Hopf points of
#     the upper branch (~ 89.8/s and ~ 315.7/s) must lie in (60, 150) and (150, 450);
#  2. p = 60/s: the run settles on the low stable fixed point (Newton, 1e-6 mV), no oscillation;
#  3. p = 150/s: an alpha limit cycle: peak-to-peak of v = y1 - y2 > 1 mV, frequency 8-12 Hz, amplitude and period
#     equal (2 %, 1 %) to those of a numpy RK4 integration of the same equations;
#  4. p = 450/s: above the upper Hopf point: damped, the run ends at the fixed point (5e-3 mV, peak-to-peak of
#     the last 500 ms < 0.05 mV against > 1 mV at 150/s).
# Usage: validate_jansen_rit.sh BIN TOOLS OUT SRC
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$SRC/tests/cli/lib.sh"
CFG=$SRC/configs/models/jansen_rit.yaml
mkdir -p "$OUT"
for p in 60 150 450; do
  rm -f "$OUT/p$p.h5"
  expect_rc 0 "$OUT/p$p.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/p$p.h5" --quiet --set run.t_end_ms=2500 \
    --set run.integrator=rk4 --set run.dt_ms=0.2 --set model.equations.parameters.G=0 --set model.equations.parameters.p_hz=$p
done
PYTHONPATH=$SRC/tests/models /usr/bin/python3 - "$OUT" <<'PY' || fail "Jansen-Rit validation"
import sys, numpy as np
from models_read import load, newton
out = sys.argv[1]
A, B, a, b, C, e0, v0, r = 3.25, 22.0, 0.1, 0.05, 135.0, 0.0025, 6.0, 0.56   # ms, mV
C1, C2, C3, C4 = C, 0.8 * C, 0.25 * C, 0.25 * C
S = lambda v: 2 * e0 / (1 + np.exp(r * (v0 - v)))
def f(y, p):
    y0, y1, y2, y3, y4, y5 = y
    return np.array([y3, y4, y5, A * a * S(y1 - y2) - 2 * a * y3 - a * a * y0,
                     A * a * (p + C2 * S(C1 * y0)) - 2 * a * y4 - a * a * y1,
                     B * b * C4 * S(C3 * y0) - 2 * b * y5 - b * b * y2])
def fixed_points(p):
    # y0 = (A/a) S(y1 - y2), y1 = (A/a)(p + C2 S(C1 y0)), y2 = (B/b) C4 S(C3 y0): a scalar equation in y0
    g = lambda y0: y0 - (A / a) * S((A / a) * (p + C2 * S(C1 * y0)) - (B / b) * C4 * S(C3 * y0))
    ys = np.linspace(0, 0.3, 30001)
    gs = g(ys)
    res = []
    for k in np.where(np.sign(gs[:-1]) != np.sign(gs[1:]))[0]:
        y, _ = newton(lambda y: f(y, p), [ys[k], (A / a) * (p + C2 * S(C1 * ys[k])), (B / b) * C4 * S(C3 * ys[k]), 0, 0, 0])
        _, J = newton(lambda y: f(y, p), y)
        res.append((y, np.linalg.eigvals(J)))
    return res
def upper_re(p_hz):
    y, ev = max(fixed_points(p_hz / 1000), key=lambda t: t[0][0])
    return ev.real.max()
def hopf(lo, hi):
    assert upper_re(lo) * upper_re(hi) < 0
    for _ in range(30):
        m = (lo + hi) / 2
        lo, hi = (m, hi) if upper_re(m) * upper_re(lo) > 0 else (lo, m)
    return (lo + hi) / 2
h1, h2 = hopf(60, 150), hopf(150, 450)
print("reference Hopf points of the upper branch: p = %.2f/s and %.2f/s" % (h1, h2))
assert 85 < h1 < 95 and 310 < h2 < 320, "reference Hopf points far from the published ~89/s and ~315/s"
def cycle(v, t):
    """peak-to-peak and mean period (ms) from upward crossings of the mean, linearly interpolated"""
    m = v.mean()
    k = np.where((v[:-1] < m) & (v[1:] >= m))[0]
    tc = t[k] + (m - v[k]) / (v[k + 1] - v[k]) * (t[k + 1] - t[k])
    return np.ptp(v), (np.diff(tc).mean() if len(tc) > 2 else np.inf)

t, x, _ = load(f"{out}/p60.h5")
fps = fixed_points(0.06)
low = min(fps, key=lambda t: t[0][0])
assert low[1].real.max() < 0
vlow = low[0][1] - low[0][2]
tail = t >= t[-1] - 1000
err = np.abs(x["v"][-1] - vlow).max()
print("p=60/s: %d fixed points; low one v = %.6f mV; max |final - Newton| = %.3g mV, ptp %.3g mV"
      % (len(fps), vlow, err, np.ptp(x["v"][tail], axis=0).max()))
assert err < 1e-6, "p=60/s: not at the low fixed point"
assert np.ptp(x["v"][tail], axis=0).max() < 1e-5, "p=60/s: oscillates"

t, x, _ = load(f"{out}/p150.h5")
tail = t >= t[-1] - 1500
dt = 0.1
y = np.zeros(6); vs = []
for k in range(int(round(t[-1] / dt))):
    k1 = f(y, 0.15); k2 = f(y + dt / 2 * k1, 0.15); k3 = f(y + dt / 2 * k2, 0.15); k4 = f(y + dt * k3, 0.15)
    y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    vs.append(y[1] - y[2])
vs = np.array(vs)[9::10]          # at 1 ms, 2 ms, ... as /rates (record 0 is t = 0)
ref_ptp, ref_T = cycle(vs[-1500:], t[tail])
for i in range(x["v"].shape[1]):
    ptp, T = cycle(x["v"][tail, i], t[tail])
    if i == 0:
        print("p=150/s: run ptp %.4f mV period %.3f ms (%.2f Hz); numpy ptp %.4f mV period %.3f ms"
              % (ptp, T, 1000 / T, ref_ptp, ref_T))
    assert ptp > 1.0, "p=150/s: no oscillation"
    assert 8 <= 1000 / T <= 12, "p=150/s: not in the alpha band"
    assert abs(ptp / ref_ptp - 1) < 0.02 and abs(T / ref_T - 1) < 0.01, "p=150/s: differs from the numpy limit cycle"

t, x, _ = load(f"{out}/p450.h5")
(yh, evh), = fixed_points(0.45)
tail = t >= t[-1] - 500
err = np.abs(x["v"][-1] - (yh[1] - yh[2])).max()
print("p=450/s: stable focus (max Re %.5f/ms, %.2f Hz); max |final - Newton| = %.3g mV, ptp of last 500 ms %.3g"
      % (evh.real.max(), np.abs(evh.imag).max() / 2 / np.pi * 1000, err, np.ptp(x["v"][tail], axis=0).max()))
assert evh.real.max() < 0
assert err < 5e-3, "p=450/s: not at the fixed point"
assert np.ptp(x["v"][tail], axis=0).max() < 0.05, "p=450/s: still oscillating"
print("ok")
PY
