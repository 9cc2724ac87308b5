#!/usr/bin/env bash
# Distances from area centres (model.connectivity.matrices.NAME: {centres: FILE, aliases: ...}): the 29-area
# model with delays over the Euclidean distances between the Markov 2014 centres gives the same rates (1 and 2
# ranks) as with the same distances precomputed into a CSV by numpy; the 30- and 40-area configs accept them as
# delays; a missing centre is one error line naming the file and the area.
# Usage: centre_distances.sh BIN TOOLS OUT SOURCE_DIR
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/lib.sh"
rm -rf "$OUT"; mkdir -p "$OUT"
CEN=$SRC/configs/data/mejias2016/area_centers_MERetal14_on_F99.csv
ALIASES='{"9/46v": "9-46v", "9/46d": "9-46d"}'
/usr/bin/python3 - "$CEN" "$SRC/configs/data/chaudhuri2015/fln_29x29.csv" "$OUT/dist29.csv" <<'PY' || fail "numpy distances"
import sys, csv, numpy as np
rows = {r["area"]: r for r in csv.DictReader(open(sys.argv[1]))}
names = next(csv.reader(open(sys.argv[2])))[1:]
alias = {"9/46v": "9-46v", "9/46d": "9-46d"}
xyz = np.array([[float(rows[alias.get(n, n)][k]) for k in ("x_mm", "y_mm", "z_mm")] for n in names])
d = xyz[:, None, :] - xyz[None, :, :]
dist = np.sqrt(d[:, :, 0] * d[:, :, 0] + d[:, :, 1] * d[:, :, 1] + d[:, :, 2] * d[:, :, 2])
with open(sys.argv[3], "w") as f:
    f.write("target\\source," + ",".join(names) + "\n")
    for i, n in enumerate(names):
        f.write(n + "," + ",".join(repr(float(x)) for x in dist[i]) + "\n")
print("min off-diagonal distance %.2f mm" % dist[~np.eye(len(names), dtype=bool)].min())
PY
CFG=$SRC/configs/chaudhuri2015_delays.yaml
short=(--set run.t_end_ms=400 --quiet)
expect_rc 0 "$OUT/a.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/centres.h5" "${short[@]}" \
  --set "model.connectivity.matrices.distance_mm={centres: $CEN, aliases: $ALIASES}"
expect_rc 0 "$OUT/b.log" -- mpi 1 "$BIN" run "$CFG" -o "$OUT/csv.h5" "${short[@]}" \
  --set "model.connectivity.matrices.distance_mm=$OUT/dist29.csv"
same_rates "$OUT/centres.h5" "$OUT/csv.h5"
expect_rc 0 "$OUT/c.log" -- mpi 1 "$BIN" run "$CFG" -o "$OUT/wiring.h5" "${short[@]}"
"$TOOLS/compare_rates" "$OUT/centres.h5" "$OUT/wiring.h5" >/dev/null 2>&1 && fail "centre distances had no effect"
# the 30- and 40-area data sets: delays from the centres
for c in mejiaswang2022 froudistwalsh2021; do
  expect_rc 0 "$OUT/$c.log" -- "$BIN" check "$SRC/configs/$c.yaml" \
    --set "model.connectivity.matrices.dist={centres: $CEN, aliases: $ALIASES}" \
    --set "model.connectivity.delays={distance: dist, velocity_m_per_s: 3.5}" --set run.dt_ms=0.1
done
expect_rc 1 "$OUT/bad.log" -- "$BIN" check "$CFG" --set "model.connectivity.matrices.distance_mm={centres: $CEN}"
grep -q "^cortexsim: error: $CEN: has no centre for area '9/46v' (map a differing name with 'model.connectivity.matrices.distance_mm.aliases')$" \
  "$OUT/bad.log" || { cat "$OUT/bad.log"; fail "missing centre"; }
echo PASS
