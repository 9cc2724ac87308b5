#!/usr/bin/env bash
# cortexsim compare (docs/observables.md, "Comparing with data"): a run's FC against a matrix (its own FC written
# as a labelled CSV gives r = 1; a run with another seed gives r < 1), FCD against another run (KS distance 0
# with itself), persistence flags of Froudist-Walsh 2021 against the literature table, Chaudhuri 2015's
# timescales against Murray et al. 2014's (configs/data/murray2014), the scores written to
# /analysis/compare; bad input (an area the run does not have, a matrix that is not square, a missing FC, a
# timescale column without its unit) gives one error line and exit 2. Usage: compare.sh BIN TOOLS OUT SOURCE_DIR
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"
CFG=$SRC/configs/resting_state.yaml
SET=(--set run.t_end_ms=200000 --set monitors.0.discard_ms=20000 --set monitors.0.fcd.window_samples=20
     --set monitors.0.fcd.step_samples=10)
rm -f "$OUT"/a.h5 "$OUT"/b.h5 "$OUT"/fw.h5
expect_rc 0 "$OUT/a.log" -- "$BIN" run "$CFG" -o "$OUT/a.h5" --quiet "${SET[@]}"
expect_rc 0 "$OUT/b.log" -- "$BIN" run "$CFG" -o "$OUT/b.h5" --quiet "${SET[@]}" --set run.seed=8
/usr/bin/python3 - "$OUT/a.h5" "$OUT/fc_a.csv" "$OUT/fc_bad.csv" <<'PY' || fail "writing the FC tables"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
names = [n.decode() if isinstance(n, bytes) else n for n in f["/areas"][()]]
fc = f["/analysis/fc/bold"][()]
with open(sys.argv[2], "w") as o:
    o.write("area," + ",".join(names) + "\n")
    for i, n in enumerate(names):
        o.write(n + "," + ",".join(repr(float(v)) for v in fc[i]) + "\n")
with open(sys.argv[3], "w") as o:  # the first 3 areas, one renamed
    o.write("area,V1,V2,XX\nV1,1,0.5,0.2\nV2,0.5,1,0.1\nXX,0.2,0.1,1\n")
PY
expect_rc 0 "$OUT/c1.log" -- "$BIN" compare "$OUT/a.h5" --fc "bold=$OUT/fc_a.csv" --fcd "bold=$OUT/a.h5"
grep -Eq "FC bold: Pearson r of upper triangles +1\.0000" "$OUT/c1.log" || { cat "$OUT/c1.log"; fail "FC of a run against itself is not 1"; }
grep -Eq "FCD bold: KS distance +0\.0000" "$OUT/c1.log" || { cat "$OUT/c1.log"; fail "FCD KS of a run against itself is not 0"; }
expect_rc 0 "$OUT/c2.log" -- "$BIN" compare "$OUT/b.h5" --fc "bold=$OUT/fc_a.csv" --fcd "bold=$OUT/a.h5"
awk -v r="$(grep 'FC bold: Pearson r' "$OUT/c2.log" | awk '{for(i=1;i<=NF;i++) if ($i ~ /^-?[0-9]+\.[0-9]+$/) {print $i; exit}}')" \
  'BEGIN { exit !(r > 0 && r < 0.999) }' || { cat "$OUT/c2.log"; fail "FC of another seed: r not in (0, 0.999)"; }
/usr/bin/python3 -c "
import h5py, sys
g = h5py.File('$OUT/b.h5', 'r')['/analysis/compare']
assert set(g.keys()) == {'fc_bold', 'fcd_ks_bold'}, list(g.keys())
assert 0 < g['fc_bold'][()] < 0.999 and 0 < g['fcd_ks_bold'][()] <= 1
" || fail "/analysis/compare not written"
# persistence: Froudist-Walsh 2021 against the literature table of its data set
expect_rc 0 "$OUT/fw.log" -- "$BIN" run "$SRC/configs/froudistwalsh2021.yaml" -o "$OUT/fw.h5" --quiet
expect_rc 0 "$OUT/c3.log" -- "$BIN" compare "$OUT/fw.h5" --no-write \
  --persistence "$SRC/configs/data/froudistwalsh2021/literature_delay_activity_reports_40.csv"
grep -q "persistence: fraction of areas that agree" "$OUT/c3.log" || { cat "$OUT/c3.log"; fail "no persistence score"; }
# timescales: Chaudhuri 2015's noise-driven run (shortened to 200 s) against Murray et al. 2014's measured
# timescales, matched by area name (configs/data/murray2014/SOURCE.md); the score is recomputed here from
# /analysis/acf_timescale_1e_s and the table, so a wrong match or rank would fail
M14=$SRC/configs/data/murray2014/timescales_murray2014_chaudhuri29.csv
rm -f "$OUT"/cn.h5
expect_rc 0 "$OUT/cn.log" -- "$BIN" run "$SRC/configs/chaudhuri2015_noise.yaml" -o "$OUT/cn.h5" --quiet \
  --set run.t_end_ms=205000 --set analysis.timescale_ms=[5000,205000]
expect_rc 0 "$OUT/c4.log" -- "$BIN" compare "$OUT/cn.h5" --timescales "$M14"
grep -Eq "timescales: Spearman rho +-?[0-9.]+ +.*\(4 areas\)" "$OUT/c4.log" || { cat "$OUT/c4.log"; fail "no Murray 2014 timescale score"; }
/usr/bin/python3 - "$OUT/cn.h5" "$M14" <<'PY' || fail "Murray 2014 Spearman does not match its recomputation"
import csv, sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
names = [n.decode() if isinstance(n, bytes) else n for n in f["/areas"][()]]
tau = f["/analysis/acf_timescale_1e_s"][()]
rows = list(csv.DictReader(open(sys.argv[2])))
model = np.array([tau[names.index(r["area"])] for r in rows])
data = np.array([float(r["timescale_ms"]) for r in rows])
rank = lambda x: np.argsort(np.argsort(x)).astype(float)  # no ties in these values
rho = np.corrcoef(rank(model), rank(data))[0, 1]
got = f["/analysis/compare/timescales_spearman"][()]
print("Murray 2014: model 1/e timescales (ms)", dict(zip([r["area"] for r in rows], np.round(model * 1e3, 1))),
      "Spearman", got)
assert len(rows) == 4 and abs(got - rho) < 1e-12, (got, rho)
PY
cat "$OUT/c1.log" "$OUT/c2.log" "$OUT/c3.log" "$OUT/c4.log"
# bad input: one line, exit 2
printf 'area,V1,V2\nV1,1,0.5\n' > "$OUT/ragged.csv"
for case in "bold=$OUT/fc_bad.csv|area 'XX' is not an area of the run" \
            "bold=$OUT/ragged.csv|ragged.csv" \
            "nobold=$OUT/fc_a.csv|no dataset /analysis/fc/nobold"; do
  arg=${case%%|*} want=${case#*|}
  expect_rc 2 "$OUT/bad.log" -- "$BIN" compare "$OUT/a.h5" --no-write --fc "$arg"
  [ "$(wc -l < "$OUT/bad.log")" -eq 1 ] || { cat "$OUT/bad.log"; fail "more than one line for --fc $arg"; }
  grep -qF "$want" "$OUT/bad.log" || { cat "$OUT/bad.log"; fail "message for --fc $arg lacks: $want"; }
done
expect_rc 2 "$OUT/bad.log" -- "$BIN" compare "$OUT/a.h5" \
  --timescales "$SRC/tests/data/chaudhuri2015_reference_results_computed.csv" --timescale-column hier_normalized
grep -q "must end in _ms or _s" "$OUT/bad.log" || { cat "$OUT/bad.log"; fail "timescale column unit"; }
rm -f "$OUT"/a.h5 "$OUT"/b.h5 "$OUT"/fw.h5 "$OUT"/cn.h5
echo PASS
