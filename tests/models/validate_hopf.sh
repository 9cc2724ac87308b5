#!/usr/bin/env bash
# Stuart-Landau / Hopf normal form (configs/models/hopf.yaml) against independent references, noise off
# (beta = 0), stochastic Heun (deterministic without noise) at dt = 0.5 ms for 5 s:
#  1. uncoupled (G = 0), a = +2/s and a = -2/s: the radius r = sqrt(x^2 + y^2) of every area follows the exact
#     solution of r' = (a - r^2) r, 1/r^2 = 1/a + (1/r0^2 - 1/a) exp(-2 a t), at every record (relative 3e-4):
#     r -> sqrt(a) above the bifurcation, decays as exp(a t) below; the phase turns
#     at omega = 2 pi f (1e-3 rad after 31 rad); r(5 s) = sqrt(a) to 1e-4;
#  2. coupled (G = 1, a = 0.2/s, diffusive FLN coupling): the run equals a numpy RK4 integration of the 58
#     equations with sum_j C_ij (x_j - x_i) (1e-4), and differs from the uncoupled solution (> 1e-3).
# Usage: validate_hopf.sh BIN TOOLS OUT SRC
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$SRC/tests/cli/lib.sh"
CFG=$SRC/configs/models/hopf.yaml
mkdir -p "$OUT"
run() {
  local name=$1; shift
  rm -f "$OUT/$name.h5"
  expect_rc 0 "$OUT/$name.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/$name.h5" --quiet --set run.t_end_ms=5000 \
    --set run.dt_ms=0.5 --set run.integrator=heun --set run.record_interval_ms=10 \
    --set model.equations.parameters.beta=0 --set model.equations.parameters.f_hz=1 "$@"
}
run above --set model.equations.parameters.G=0 --set model.equations.parameters.a=2
run below --set model.equations.parameters.G=0 --set model.equations.parameters.a=-2
run coupled --set model.equations.parameters.G=1 --set model.equations.parameters.a=0.2
PYTHONPATH=$SRC/tests/models /usr/bin/python3 - "$OUT" "$SRC" <<'PY' || fail "Hopf validation"
import sys, numpy as np
from models_read import load, read_matrix
out, src = sys.argv[1], sys.argv[2]
omega = 2 * np.pi * 1.0          # rad/s (f = 1 Hz)
for name, a in (("above", 2.0), ("below", -2.0)):
    t, x, _ = load(f"{out}/{name}.h5")
    ts = (t - t[0]) / 1000.0     # s
    r = np.hypot(x["x"], x["y"])
    r0 = r[0]
    exact = 1 / np.sqrt(1 / a + (1 / r0**2 - 1 / a) * np.exp(-2 * a * ts[:, None]))
    rel = np.abs(r / exact - 1).max()
    ph = np.unwrap(np.arctan2(x["y"], x["x"]), axis=0)
    dph = np.abs((ph - ph[0]) - omega * ts[:, None]).max()
    print("a=%+g: r(0) in [%.4f, %.4f], r(end) in [%.3g, %.3g] (sqrt(a) = %s); max rel |r - exact| %.3g; "
          "max |phase - omega t| %.3g rad" % (a, r0.min(), r0.max(), r[-1].min(), r[-1].max(),
                                              "%.6f" % np.sqrt(a) if a > 0 else "-", rel, dph))
    assert rel < 3e-4, f"a={a}: radius differs from the exact solution"
    assert dph < 1e-3, f"a={a}: phase does not turn at omega"
    if a > 0:
        assert np.abs(r[-1] - np.sqrt(a)).max() < 1e-4, "a>0: amplitude does not tend to sqrt(a)"
    else:
        assert (r[-1] < 1e-3 * r0).all(), "a<0: amplitude does not decay"

t, x, areas = load(f"{out}/coupled.h5")
C = read_matrix(f"{src}/configs/data/chaudhuri2015/fln_29x29.csv", areas)
a, G = 0.2, 1.0
def F(z):
    X, Y = z
    q = a - X**2 - Y**2
    return np.array([q * X - omega * Y + G * (C @ X - C.sum(1) * X), q * Y + omega * X + G * (C @ Y - C.sum(1) * Y)])
h = 1e-4                          # s (0.1 ms)
z = np.array([x["x"][0], x["y"][0]])
steps = int(round((t[1] - t[0]) / 1000 / h))
err = 0.0
for k in range(1, len(t)):
    for _ in range(steps):
        k1 = F(z); k2 = F(z + h / 2 * k1); k3 = F(z + h / 2 * k2); k4 = F(z + h * k3)
        z = z + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    err = max(err, np.abs(z[0] - x["x"][k]).max(), np.abs(z[1] - x["y"][k]).max())
r = np.hypot(x["x"], x["y"])
r0 = r[0]
ts = (t - t[0]) / 1000.0
unc = 1 / np.sqrt(1 / a + (1 / r0**2 - 1 / a) * np.exp(-2 * a * ts[:, None]))
dc = np.abs(r - unc).max()
print("coupled: max |run - numpy RK4| = %.3g; max |r - uncoupled r| = %.3g" % (err, dc))
assert err < 1e-4, "coupled run differs from the numpy integration of the diffusive coupling"
assert dc > 1e-3, "the coupling has no effect"
print("ok")
PY
