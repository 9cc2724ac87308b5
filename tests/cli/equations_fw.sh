#!/usr/bin/env bash
# configs/froudistwalsh2021_equations.yaml (circuit: equations) is the hand-written froudist_walsh circuit of
# configs/froudistwalsh2021.yaml: both run 2 s (cue 1.0-1.4 s in V1, then 0.6 s of delay) on 2 ranks, and 2.5 s
# with dopamine 0 from 1.5 to 2.0 s (modulator window); their /rates must agree to 1e-12, max over elements of
# |a - b| / max(|b|, 1e-300). The trajectory must be
# non-trivial (the cue drives V1 E1 and the activity spreads), so that the comparison means something.
# Usage: equations_fw.sh BIN OUT SRC
BIN=$1 OUT=$2 SRC=$3
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; rm -f "$OUT"/*.h5
export CORTEXSIM_KERNEL_CACHE="$OUT/kernels"
# configs/models/froudistwalsh2021.yaml (the model library's entry) is the same model: equal after its data paths
# (relative to configs/models/), name and output path are mapped to those of the top-level config
/usr/bin/python3 - "$SRC/configs/froudistwalsh2021_equations.yaml" "$SRC/configs/models/froudistwalsh2021.yaml" <<'PY' \
  || fail "configs/models/froudistwalsh2021.yaml is not the same model as configs/froudistwalsh2021_equations.yaml"
import sys, yaml
top, lib = (yaml.safe_load(open(p)) for p in sys.argv[1:3])
def norm(x):
    if isinstance(x, dict): return {k: norm(v) for k, v in x.items()}
    if isinstance(x, list): return [norm(v) for v in x]
    return x.replace("../data/", "data/", 1) if isinstance(x, str) and x.startswith("../data/") else x
lib = norm(lib)
lib["model"]["name"], lib["output"]["path"] = top["model"]["name"], top["output"]["path"]
sys.exit(0 if lib == top else 1)
PY
T=(--set run.t_end_ms=2000)
# the dopamine modulator: DA 0 from 1.5 to 2.0 s (the parameters that depend on it are re-evaluated at the edges)
M=(--set run.t_end_ms=2500
   --set 'perturbations.0={kind: modulator, modulator: dopamine, value: 0.0, onset_ms: 1500, duration_ms: 500}')
for c in hand eq; do
  cfg=$SRC/configs/froudistwalsh2021.yaml; [ $c = eq ] && cfg=$SRC/configs/froudistwalsh2021_equations.yaml
  expect_rc 0 "$OUT/$c.log" -- mpi 2 "$BIN" run "$cfg" -o "$OUT/$c.h5" --quiet "${T[@]}"
  expect_rc 0 "$OUT/${c}_da.log" -- mpi 2 "$BIN" run "$cfg" -o "$OUT/${c}_da.h5" --quiet "${M[@]}"
done
for run in "" _da; do
/usr/bin/python3 - "$OUT/hand$run.h5" "$OUT/eq$run.h5" "$run" <<'PY' || fail "equations config differs from the hand-written circuit ($run)"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    b, pb, ab, tb = f["/rates"][()], list(f["/populations"][()]), list(f["/areas"][()]), f["/time"][()]
with h5py.File(sys.argv[2], "r") as f:
    a, pa, aa, ta = f["/rates"][()], list(f["/populations"][()]), list(f["/areas"][()]), f["/time"][()]
if a.shape != b.shape or pa != pb or aa != ab or not np.array_equal(ta, tb):
    print("layout differs:", a.shape, b.shape, pa, pb); sys.exit(1)
if not (np.isfinite(a).all() and np.isfinite(b).all()):
    print("non-finite rates"); sys.exit(1)
rel = np.abs(a - b) / np.maximum(np.abs(b), 1e-300)
k = np.unravel_index(np.argmax(rel), rel.shape)
print("max relative difference %.3e at (time %g s, area %s, %s): %.17g vs %.17g; max |a-b| %.3e Hz; "
      "bit-identical elements %.1f %%" % (rel[k], tb[k[0]], ab[k[1]].decode(), pb[k[2]].decode(), a[k], b[k],
                                          np.abs(a - b).max(), 100.0 * np.mean(a == b)))
# the comparison covers a non-trivial trajectory: the cue lifts V1 E1 and E1 - E2 is selective in many areas
t = tb * 1000.0  # /time is in s
e1, e2 = pb.index(b"E1"), pb.index(b"E2")
v1 = ab.index(b"V1")
cue = b[(t >= 1000) & (t < 1400), v1, e1].max() - b[(t >= 500) & (t < 1000), v1, e1].mean()
sel = int(((b[-1, :, e1] - b[-1, :, e2]) > 5.0).sum())
print("V1 E1 rise during the cue %.2f Hz" % cue)
print(sys.argv[1], "areas with E1 - E2 > 5 Hz at the end: %d" % sel)
sys.exit(0 if rel.max() <= 1e-12 and cue > 10.0 and (sel >= 5 or sys.argv[3] == "_da") else 1)
PY
done
# the modulator window changed the trajectory (so the second comparison tests it)
/usr/bin/python3 - "$OUT/hand.h5" "$OUT/hand_da.h5" <<'PY' || fail "the dopamine window had no effect"
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r")["/rates"][()] for p in sys.argv[1:3])
d = np.abs(a[-1] - b[a.shape[0] - 1]).max()
print("DA 0 window: max |change| of the rates at 2 s %.2f Hz" % d)
sys.exit(0 if d > 1.0 else 1)
PY
echo PASS
