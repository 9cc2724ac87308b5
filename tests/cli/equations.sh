#!/usr/bin/env bash
# circuit: equations (docs/models.md, "Equations"):
#  1. integrators: on tests/data/tiny/eq.yaml (x' = -x/tau_i, y' = cos(omega t), exact solutions known), halving
#     dt divides the error by ~2 (euler), ~4 (heun), ~16 (rk4); a recorded define equals its expression; the
#     difference coupling u' = k sum_j W_ij (u_j - u_i) equals a numpy Euler integration with the FLN of the file;
#  2. configs/mejiaswang2022_equations.yaml gives the /rates of the hand-written wong_wang kernel
#     (configs/mejiaswang2022.yaml) to 1e-12 relative, and the same bytes on 1 and 3 ranks;
#  2b. division by loop invariants: exact (default) and reciprocal both match the hand kernel to 1e-12; the
#     reciprocal kernel hoists reciprocals, the default does not; a bad value is one error line;
#  3. the kernel cache: `cortexsim compile` compiles once (then "cached"); a run without a compiler uses the cached
#     kernel; without a cached kernel and without a compiler, or with a failing compiler, one error line that names
#     the compiler or the generated file and the compiler's first error, exit 1 on every rank, no output;
#  4. tests/data/tiny/eq_lang.yaml: functions (sig calling lin) equal their formula written out, a matrix of
#     parameters (W_row_column) holds its entries, area_index is the
#     area's row in the area table, init_uniform(k, lo, hi) and init_normal(k) equal an independent Philox4x32-10
#     (below, in Python) keyed by (seed, area, k) on streams 43 and 15; the same bytes on 1, 2, 3 ranks, and on the
#     29 Chaudhuri areas on 1 and 4 ranks and with run.partition: graph (areas renumbered: area_index stays the
#     area table's row).
# Usage: equations.sh BIN TOOLS OUT SRC
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"
export CORTEXSIM_KERNEL_CACHE=$OUT/kernels
rm -rf "$OUT"/*.h5 "$OUT/kernels" "$OUT/empty" "$OUT/other" "$OUT"/k_*
TINY=$SRC/tests/data/tiny/eq.yaml
EXPECT="bash $SRC/tests/expect_error.sh"

# 1. integrators and the language
for integ in euler heun rk4; do
  for dt in 1 0.5; do
    expect_rc 0 "$OUT/$integ$dt.log" -- mpi 2 "$BIN" run "$TINY" -o "$OUT/${integ}_$dt.h5" --quiet \
      --set run.integrator=$integ --set run.dt_ms=$dt
  done
done
/usr/bin/python3 - "$OUT" "$SRC/tests/data/tiny/fln.csv" <<'PY' || fail "integrator orders / language"
import sys, h5py, numpy as np
out, fln = sys.argv[1], sys.argv[2]
tau = np.array([10.0, 15.0, 20.0]); om = 0.05
want = {"euler": 2.0, "heun": 4.0, "rk4": 16.0}
for integ, ratio in want.items():
    err = []
    for dt in ("1", "0.5"):
        r = h5py.File(f"{out}/{integ}_{dt}.h5", "r")["/rates"][()]
        t = np.arange(r.shape[0]) * 1.0  # records every 1 ms
        ex = np.exp(-t[:, None] / tau[None, :]); ey = np.sin(om * t) / om
        err.append(max(np.abs(r[:, :, 0] - ex).max(), np.abs(r[:, :, 1] - ey[:, None]).max()))
        assert np.array_equal(r[:, :, 3], 2 * r[:, :, 0]), "define v = 2 x not recorded exactly"
    q = err[0] / err[1]
    print(f"{integ}: max error {err[0]:.3e} (dt 1) {err[1]:.3e} (dt 0.5), ratio {q:.2f} (order ratio {ratio})")
    assert 0.85 * ratio < q < 1.2 * ratio, f"{integ}: error ratio {q} not ~{ratio}"
# difference coupling, Euler dt = 1: u_i += dt k sum_j W_ij (u_j - u_i)
W = np.loadtxt(fln, delimiter=",", skiprows=1, usecols=(1, 2, 3))
u = np.array([0.0, 0.5, 1.0]); k = 0.1
r = h5py.File(f"{out}/euler_1.h5", "r")["/rates"][()]
for step in range(r.shape[0] - 1):
    assert np.allclose(r[step, :, 2], u, rtol=0, atol=1e-12), f"u differs at step {step}"
    u = u + 1.0 * (k * (W @ u - W.sum(axis=1) * u))
print("difference coupling: equal to numpy to 1e-12")
PY

# 2. Mejias & Wang as equations vs the hand-written kernel
expect_rc 0 "$OUT/mw_hand.log" -- "$BIN" run "$SRC/configs/mejiaswang2022.yaml" -o "$OUT/mw_hand.h5" --quiet
expect_rc 0 "$OUT/mw_eq1.log" -- "$BIN" run "$SRC/configs/mejiaswang2022_equations.yaml" -o "$OUT/mw_eq1.h5" --quiet
expect_rc 0 "$OUT/mw_eq3.log" -- mpi 3 "$BIN" run "$SRC/configs/mejiaswang2022_equations.yaml" -o "$OUT/mw_eq3.h5" --quiet
same_rates "$OUT/mw_eq1.h5" "$OUT/mw_eq3.h5"
/usr/bin/python3 - "$OUT/mw_hand.h5" "$OUT/mw_eq1.h5" <<'PY' || fail "Mejias-Wang equations vs hand-written"
import sys, h5py, numpy as np
a = h5py.File(sys.argv[1], "r")["/rates"][()]; b = h5py.File(sys.argv[2], "r")["/rates"][()]
assert a.shape == b.shape, (a.shape, b.shape)
rel = np.abs(b - a) / np.maximum(np.abs(a), 1e-300)
print(f"Mejias-Wang equations vs wong_wang: max relative difference {rel.max():.3e}, max |a - b| {np.abs(a - b).max():.3e} Hz")
assert rel.max() <= 1e-12
PY

# 2b. loop invariants and division (docs/models.md, "Loop invariants and division"): by default divisions stay as
# written; with division: reciprocal a division by a uniform parameter is a multiplication by its reciprocal,
# hoisted out of the loops.
# Both give the hand-written kernel's rates to 1e-12; an unknown value is one error line.
expect_rc 0 "$OUT/mw_recip.log" -- "$BIN" run "$SRC/configs/mejiaswang2022_equations.yaml" -o "$OUT/mw_recip.h5" \
  --quiet --set model.equations.division=reciprocal
/usr/bin/python3 - "$OUT/mw_hand.h5" "$OUT/mw_eq1.h5" "$OUT/mw_recip.h5" <<'PY' || fail "division: reciprocal"
import sys, h5py, numpy as np
a, b, c = (h5py.File(f, "r")["/rates"][()] for f in sys.argv[1:4])
for name, x in (("exact", b), ("reciprocal", c)):
    rel = np.abs(x - a) / np.maximum(np.abs(a), 1e-300)
    print(f"division {name} vs wong_wang: max relative difference {rel.max():.3e}")
    assert rel.max() <= 1e-12
PY
for mode in reciprocal exact; do
  expect_rc 0 "$OUT/k_$mode.log" -- env CORTEXSIM_KERNEL_CACHE="$OUT/k_$mode" "$BIN" compile \
    "$SRC/configs/mejiaswang2022_equations.yaml" --set model.equations.division=$mode
done
kc() { ls "$OUT/k_$1"/*.cpp; }
grep -q "const double H[0-9]* = 1.0 / S" "$(kc reciprocal)" || fail "no hoisted reciprocal with division: reciprocal"
! grep -q "= 1.0 / S" "$(kc exact)" || fail "division: exact still hoists a reciprocal"
grep -q "#pragma GCC ivdep" "$(kc exact)" || fail "kernel loops not marked ivdep"
$EXPECT --text "'model.equations.division'" --text "= fast must be 'reciprocal' or 'exact'" --exit 1 -- \
  "$BIN" check "$SRC/configs/mejiaswang2022_equations.yaml" --set model.equations.division=fast \
  > "$OUT/div_bad.log" 2>&1 || { cat "$OUT/div_bad.log"; fail "bad division value"; }

# 3. the kernel cache and the compiler
expect_rc 0 "$OUT/c1.log" -- env CORTEXSIM_KERNEL_CACHE="$OUT/other" "$BIN" compile "$TINY"
grep -q "(compiled in" "$OUT/c1.log" || { cat "$OUT/c1.log"; fail "compile did not compile"; }
expect_rc 0 "$OUT/c2.log" -- env CORTEXSIM_KERNEL_CACHE="$OUT/other" "$BIN" compile "$TINY"
grep -q "(cached)" "$OUT/c2.log" || { cat "$OUT/c2.log"; fail "second compile did not find the cache"; }
expect_rc 0 "$OUT/nocxx.log" -- env CORTEXSIM_KERNEL_CACHE="$OUT/other" CORTEXSIM_CXX=/nonexistent/c++ \
  "$MPIEXEC" --bind-to none --oversubscribe -x CORTEXSIM_KERNEL_CACHE -x CORTEXSIM_CXX -n 2 "$BIN" run "$TINY" \
  -o "$OUT/nocxx.h5" --quiet
$EXPECT --text "equations kernel: no C++ compiler '/nonexistent/c++'" --exit 1 --absent "$OUT/e1.h5" -- \
  env CORTEXSIM_KERNEL_CACHE="$OUT/empty" CORTEXSIM_CXX=/nonexistent/c++ \
  "$MPIEXEC" --bind-to none --oversubscribe -x CORTEXSIM_KERNEL_CACHE -x CORTEXSIM_CXX -n 2 "$BIN" run "$TINY" \
  -o "$OUT/e1.h5" > "$OUT/e1.log" 2>&1 || { cat "$OUT/e1.log"; fail "missing compiler"; }
$EXPECT --text "the compiler failed on $OUT/empty/" --exit 1 --absent "$OUT/e2.h5" -- \
  env CORTEXSIM_KERNEL_CACHE="$OUT/empty" CORTEXSIM_CXX="c++ -include /nonexistent/x.h" \
  "$MPIEXEC" --bind-to none --oversubscribe -x CORTEXSIM_KERNEL_CACHE -x CORTEXSIM_CXX -n 2 "$BIN" run "$TINY" \
  -o "$OUT/e2.h5" > "$OUT/e2.log" 2>&1 || { cat "$OUT/e2.log"; fail "failing compiler"; }
grep -q "/nonexistent/x.h: No such file" "$OUT/e2.log" || { cat "$OUT/e2.log"; fail "compiler's first error not quoted"; }
# 4. functions, area_index, init_uniform
LANG=$SRC/tests/data/tiny/eq_lang.yaml
for np in 1 2 3; do
  expect_rc 0 "$OUT/lang$np.log" -- mpi $np "$BIN" run "$LANG" -o "$OUT/lang$np.h5" --quiet --set run.seed=7
done
for f in lang2 lang3; do same_rates "$OUT/lang1.h5" "$OUT/$f.h5"; done
# the 29 Chaudhuri areas on 1 and 4 ranks, and on 3 with the graph partition, which renumbers the areas (11, 8 and
# 10 areas per rank, not in file order)
C29=(--set model.areas.file=../../../configs/data/chaudhuri2015/areas_hierarchy.csv --set model.areas.name_column=area
     --set model.connectivity.fln=../../../configs/data/chaudhuri2015/fln_29x29.csv --set run.seed=7 --quiet)
expect_rc 0 "$OUT/lang29.log" -- "$BIN" run "$LANG" -o "$OUT/lang29.h5" "${C29[@]}"
expect_rc 0 "$OUT/lang29_4.log" -- mpi 4 "$BIN" run "$LANG" -o "$OUT/lang29_4.h5" "${C29[@]}"
expect_rc 0 "$OUT/lang29g.log" -- mpi 3 "$BIN" run "$LANG" -o "$OUT/lang29_graph.h5" "${C29[@]}" --set run.partition=graph
same_rates "$OUT/lang29.h5" "$OUT/lang29_4.h5"
same_rates "$OUT/lang29.h5" "$OUT/lang29_graph.h5"
/usr/bin/python3 -c "import sys, h5py; r = h5py.File(sys.argv[1], 'r')['/rates'][0]; \
assert list(r[:, 0]) == list(range(29)), r[:, 0]" "$OUT/lang29_graph.h5" || fail "area_index after the graph partition"
/usr/bin/python3 - "$OUT/lang1.h5" <<'PY' || fail "functions / area_index / init_uniform"
import sys, math, h5py, numpy as np
r = h5py.File(sys.argv[1], "r")["/rates"][()]  # [time, area, variable]: d p q w y x s
M = 0xFFFFFFFF
def philox(c, k):  # Philox4x32-10 (Salmon et al. 2011), as Random123
    c, k = list(c), list(k)
    for i in range(10):
        if i:
            k = [(k[0] + 0x9E3779B9) & M, (k[1] + 0xBB67AE85) & M]
        p0, p1 = 0xD2511F53 * c[0], 0xCD9E8D57 * c[2]
        c = [(p1 >> 32) ^ c[1] ^ k[0], p1 & M, (p0 >> 32) ^ c[3] ^ k[1], p0 & M]
    return c
def u01(hi, lo):
    return float(2 * ((((hi << 32) | lo) >> 12)) + 1) * 2.0**-53
seed = 7
key = [seed & M, seed >> 32]
def uniform(area, k):  # init_uniform's uniform: stream 43
    w = philox([area, 0, k, 43], key)
    return u01(w[0], w[1])
def normal(area, k):  # init_normal: Box-Muller on stream 15
    w = philox([area, 0, k, 15], key)
    u0, u1 = u01(w[0], w[1]), u01(w[2], w[3])
    return math.sqrt(-2.0 * math.log(u0)) * math.cos(2.0 * math.pi * u1)
for a in range(3):
    assert r[0, a, 0] == a, f"area_index of area {a}: {r[0, a, 0]}"
    lo, hi = -1.0 - a, 1.0 + 2.0 * a
    assert r[0, a, 1] == lo + (hi - lo) * uniform(a, 1), (a, r[0, a, 1], lo + (hi - lo) * uniform(a, 1))
    assert abs(r[0, a, 2] - normal(a, 1)) <= 1e-15 * max(1.0, abs(normal(a, 1))), (a, r[0, a, 2], normal(a, 1))
    assert r[0, a, 3] == 0.0 + (1.0 - 0.0) * uniform(a, 2)
    assert r[0, a, 4] == a + (0.0 + (1.0 - 0.0) * uniform(a, 1))
assert len(set(r[0, :, 3])) == 3 and 0 < r[0, :, 3].min() and r[0, :, 3].max() < 1
# s = sig(c_max, y) = c_max/(1 + exp(lin(y))), lin(u) = r*(v0 - u), evaluated in the same order
y, s = r[:, :, 4], r[:, :, 6]
want = 2.0 / (1.0 + np.exp(0.5 * (1.0 - y)))
assert np.allclose(s, want, rtol=1e-15, atol=0), np.abs(s - want).max()
assert not np.allclose(r[-1, :, 5], 0)
assert list(r[0, :, 7]) == [4021.0 + 100 * a for a in range(3)], r[0, :, 7]  # the matrix W
print("functions, matrices, area_index, init_uniform, init_normal: as computed independently")
PY
echo "PASS"
