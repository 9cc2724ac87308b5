#!/usr/bin/env bash
# Kuramoto (configs/models/kuramoto.yaml) against the critical coupling of the uniform frequency distribution.
# The config is run on N = 100 all-to-all areas (W_ij = 1/N, i != j: the classical (K/N) sum_j sin(theta_j -
# theta_i), written here into OUT) whose hierarchy values are evenly spaced, so the natural frequencies
# f0 + df (2 h - 1) are uniform on [f0 - df, f0 + df]: g(0) = 1/(2 gamma), gamma = 2 pi df / 1000 rad/ms, and
# K_c = 2/(pi g(0)) = 4 gamma / pi. RK4 at dt = 0.5 ms; over the last 1.5 s of 3 s:
#  - K = 0.7 K_c: incoherent, time-averaged order parameter r < 0.3 (finite-size level ~ 1/sqrt(N) = 0.1, larger
#    near K_c);
#  - K = 1.1 K_c: locked, r within 0.03 of the self-consistent value of the uniform distribution
#    (r = (K r / 2 gamma) (phi + sin(2 phi)/2), sin(phi) = gamma / (K r); 0.873), and r(1.1) - r(0.7) > 0.5.
# Usage: validate_kuramoto.sh BIN TOOLS OUT SRC
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$SRC/tests/cli/lib.sh"
CFG=$SRC/configs/models/kuramoto.yaml
mkdir -p "$OUT"
N=100
/usr/bin/python3 - "$OUT" $N <<'PY' || fail "writing the all-to-all network"
import sys
out, n = sys.argv[1], int(sys.argv[2])
names = ["k%03d" % i for i in range(n)]
with open(f"{out}/areas.csv", "w") as f:
    f.write("area,hier_raw\n" + "".join(f"{a},{i}\n" for i, a in enumerate(names)))
with open(f"{out}/all_to_all.csv", "w") as f:
    f.write("target\\source," + ",".join(names) + "\n")
    for i, a in enumerate(names):
        f.write(a + "," + ",".join("0" if i == j else repr(1.0 / n) for j in range(n)) + "\n")
PY
KC=$(/usr/bin/python3 -c "import math; print(4 * (2 * math.pi * 2.0 / 1000) / math.pi)")
for m in 0.7 1.1; do
  K=$(/usr/bin/python3 -c "print($m * $KC)")
  rm -f "$OUT/K$m.h5"
  expect_rc 0 "$OUT/K$m.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/K$m.h5" --quiet --set run.t_end_ms=3000 \
    --set run.integrator=rk4 --set run.dt_ms=0.5 --set model.areas.file="$OUT/areas.csv" \
    --set "model.connectivity.matrices={fln: $OUT/all_to_all.csv}" \
    --set model.equations.parameters.f0_hz=10 --set model.equations.parameters.df_hz=2 \
    --set model.equations.parameters.K=$K
done
PYTHONPATH=$SRC/tests/models /usr/bin/python3 - "$OUT" "$KC" <<'PY' || fail "Kuramoto validation"
import sys, numpy as np
from models_read import load
out, Kc = sys.argv[1], float(sys.argv[2])
gamma = 2 * np.pi * 2.0 / 1000
assert abs(Kc - 4 * gamma / np.pi) < 1e-15
def r_theory(K):
    r = np.linspace(1e-4, 1, 200001)
    phi = np.arcsin(np.minimum(1, gamma / (K * r)))
    g = K * r / (2 * gamma) * (phi + np.sin(2 * phi) / 2) - r
    k = np.where(np.sign(g[:-1]) != np.sign(g[1:]))[0]
    return r[k[-1]] if len(k) else 0.0
res = {}
for m in (0.7, 1.1):
    t, x, areas = load(f"{out}/K{m}.h5")
    assert len(areas) == 100
    r = np.abs(np.exp(1j * x["theta"]).mean(axis=1))
    res[m] = r[t >= t[-1] - 1500].mean()
    print("K = %.1f K_c (K_c = %.5f rad/ms): time-averaged r = %.4f, theory %.4f" % (m, Kc, res[m], r_theory(m * Kc)))
assert r_theory(0.7 * Kc) == 0.0
assert res[0.7] < 0.3, "K < K_c: the oscillators synchronise"
assert abs(res[1.1] - r_theory(1.1 * Kc)) < 0.03, "K > K_c: r differs from the uniform-distribution theory"
assert res[1.1] - res[0.7] > 0.5, "no transition at K_c"
print("ok")
PY
