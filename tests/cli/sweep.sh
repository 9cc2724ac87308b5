#!/usr/bin/env bash
# A sweep section: --list, all points in one job, one point with --point; each point's own output.
# Usage: sweep.sh BIN TOOLS OUT DATA_DIR(tests/data/tiny)
BIN=$1 TOOLS=$2 OUT=$3 DATA=$4
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT/sweep"; cfg=$OUT/sweep/sweep.yaml; rm -f "$OUT"/sweep/*.h5 "$OUT"/sweep/*.csv
sed "s#file: areas.csv#file: $DATA/areas.csv#; s#fln: fln.csv#fln: $DATA/fln.csv#" "$DATA/tiny.yaml" > "$cfg"
cat >> "$cfg" <<'YAML'
sweep:
  mode: grid
  parameters:
    model.parameters.eta: [0.2, 0.68]
    stimuli.0.amplitude_hz: [5, 10]
YAML
expect_rc 0 "$OUT/sweep_list.log" -- "$BIN" sweep "$cfg" --list
[ "$(wc -l < "$OUT/sweep_list.log")" -eq 4 ] || fail "expected 4 points"
grep -q "^3 eta=0.68_amplitude_hz=10" "$OUT/sweep_list.log" || fail "bad point names"
expect_rc 0 "$OUT/sweep_all.log" -- mpi 2 "$BIN" sweep "$cfg" -o "$OUT/sweep/s.h5" --quiet
for p in eta=0.2_amplitude_hz=5 eta=0.2_amplitude_hz=10 eta=0.68_amplitude_hz=5 eta=0.68_amplitude_hz=10; do
  [ -f "$OUT/sweep/s_$p.h5" ] || fail "missing output of point $p"
done
# the summary: one row per point (index, name, swept parameters, every scalar analysis), as HDF5 and CSV
[ -f "$OUT/sweep/s_summary.h5" ] && [ -f "$OUT/sweep/s_summary.csv" ] || fail "no sweep summary"
grep -q "^sweep summary: .*s_summary.h5" "$OUT/sweep_all.log" || fail "the summary is not reported"
/usr/bin/python3 - "$OUT/sweep" <<'PY' || fail "bad sweep summary"
import csv, math, sys, h5py, numpy as np
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/s_summary.csv")))
names = ["eta=0.2_amplitude_hz=5", "eta=0.2_amplitude_hz=10", "eta=0.68_amplitude_hz=5", "eta=0.68_amplitude_hz=10"]
assert [r["name"] for r in rows] == names and [r["point"] for r in rows] == ["0", "1", "2", "3"], rows
assert [r["model.parameters.eta"] for r in rows] == ["0.2", "0.2", "0.68", "0.68"]
assert [r["stimuli.0.amplitude_hz"] for r in rows] == ["5", "10", "5", "10"]
with h5py.File(f"{d}/s_summary.h5", "r") as s:
    assert s.attrs["kind"] in (b"sweep_summary", "sweep_summary")
    assert list(s["parameters/model.parameters.eta"][()]) == [0.2, 0.2, 0.68, 0.68]
    assert [n.decode() if isinstance(n, bytes) else n for n in s["name"][()]] == names
    assert [x.name for x in s["point"].dims[0].values()] == ["/row"]
    analyses = list(s["analysis"].keys()) if "analysis" in s else []
    # every scalar /analysis dataset of the points is a column, with the point's value
    for i, n in enumerate(names):
        with h5py.File(f"{d}/s_{n}.h5", "r") as f:
            scalars = [k for k, v in f["analysis"].items() if hasattr(v, "shape") and v.size == 1]
            assert sorted(scalars) == sorted(analyses), (scalars, analyses)
            for k in scalars:
                assert s["analysis/" + k][i] == f["analysis/" + k][()].item()
                assert float(rows[i][k]) == f["analysis/" + k][()].item()
    assert all(x > 0 for x in s["loop_seconds"][()])
print("summary ok:", len(analyses), "scalar analyses")
PY
# a working-memory model: the summary's n_persistent is each point's count of /analysis/persistent == 1
FW=$(cd "$DATA/../../.." && pwd)/configs/froudistwalsh2021.yaml
expect_rc 0 "$OUT/sweep_fw.log" -- mpi 2 "$BIN" sweep "$FW" -o "$OUT/sweep/fw.h5" --quiet --set run.t_end_ms=20 \
  --set analysis.baseline_ms=[0,10] --set analysis.delay_ms=[10,20] --set stimuli.0.onset_ms=5 \
  --set stimuli.0.duration_ms=5 --set 'sweep.parameters={model.parameters.dopamine: [1.0, 2.5]}'
/usr/bin/python3 - "$OUT/sweep" <<'PY' || fail "bad working-memory sweep summary"
import csv, sys, h5py, numpy as np
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/fw_summary.csv")))
assert [r["model.parameters.dopamine"] for r in rows] == ["1.0", "2.5"], rows
with h5py.File(f"{d}/fw_summary.h5", "r") as s:
    for i, r in enumerate(rows):
        with h5py.File(r["path"], "r") as f:
            n = int(np.sum(f["analysis/persistent"][()] == 1))
        assert s["n_persistent"][i] == n and int(r["n_persistent"]) == n, (i, n)
print("working-memory summary ok")
PY
expect_rc 1 "$OUT/sweep_summary_exists.log" -- mpi 1 "$BIN" sweep "$cfg" -o "$OUT/sweep/s.h5" --quiet
grep -q "s_summary.h5: sweep summary exists already (use --overwrite to replace it)" "$OUT/sweep_summary_exists.log" \
  || { cat "$OUT/sweep_summary_exists.log"; fail "an existing summary was not refused"; }
"$TOOLS/compare_rates" "$OUT/sweep/s_eta=0.2_amplitude_hz=5.h5" "$OUT/sweep/s_eta=0.68_amplitude_hz=5.h5" 2>/dev/null \
  && fail "different points gave the same rates"
expect_rc 0 "$OUT/sweep_one.log" -- mpi 1 "$BIN" run "$cfg" -o "$OUT/sweep/one.h5" --point 3 --quiet
same_rates "$OUT/sweep/s_eta=0.68_amplitude_hz=10.h5" "$OUT/sweep/one_eta=0.68_amplitude_hz=10.h5"
# the point equals the plain config with the same values
expect_rc 0 "$OUT/sweep_plain.log" -- mpi 1 "$BIN" run "$cfg" -o "$OUT/sweep/plain.h5" --quiet --set stimuli.0.amplitude_hz=10
same_rates "$OUT/sweep/plain.h5" "$OUT/sweep/s_eta=0.68_amplitude_hz=10.h5"
expect_rc 1 "$OUT/sweep_bad.log" -- mpi 1 "$BIN" run "$cfg" -o "$OUT/sweep/x.h5" --point 9
grep -q "^cortexsim: error: .*--point 9 is out of range (the sweep has 4 points: 0..3)" "$OUT/sweep_bad.log" || fail "bad point accepted"
# --set reaches the sweep section: check, --list, sweep and --point see the changed sweep
expect_rc 1 "$OUT/sweep_setbad.log" -- "$BIN" check "$cfg" --set sweep.mode=bogus
grep -q "'sweep.mode' = 'bogus' (allowed: grid, list)" "$OUT/sweep_setbad.log" || fail "--set sweep.mode=bogus accepted"
expect_rc 0 "$OUT/sweep_setlist.log" -- "$BIN" sweep "$cfg" --list --set sweep.mode=list
[ "$(wc -l < "$OUT/sweep_setlist.log")" -eq 2 ] || fail "--set sweep.mode=list: expected 2 points"
expect_rc 0 "$OUT/sweep_setparams.log" -- "$BIN" sweep "$cfg" --list \
  --set 'sweep.parameters={model.parameters.eta: [0.2, 0.3, 0.4]}'
[ "$(wc -l < "$OUT/sweep_setparams.log")" -eq 3 ] && grep -q "^2 eta=0.4" "$OUT/sweep_setparams.log" \
  || fail "--set sweep.parameters ignored"
expect_rc 0 "$OUT/sweep_setpoint.log" -- mpi 1 "$BIN" run "$cfg" -o "$OUT/sweep/sp.h5" --point 1 --quiet \
  --set 'sweep.parameters={model.parameters.eta: [0.2, 0.3, 0.4]}'
[ -f "$OUT/sweep/sp_eta=0.3.h5" ] || fail "--point of a sweep changed by --set"
echo PASS
# on 2 ranks the tiny model's points run in 2 groups of 1 rank (default: 1 rank per 2,000 areas), each taking the
# next point as it finishes; each point is identical to running it alone, and to the sweep on all ranks at once
grep -q "(ranks 1-1)" "$OUT/sweep_all.log" || fail "no point ran on the second group of ranks"
expect_rc 0 "$OUT/sweep_one0.log" -- mpi 1 "$BIN" run "$cfg" -o "$OUT/sweep/one.h5" --point 0 --quiet
same_rates "$OUT/sweep/s_eta=0.2_amplitude_hz=5.h5" "$OUT/sweep/one_eta=0.2_amplitude_hz=5.h5"
expect_rc 0 "$OUT/sweep_whole.log" -- mpi 2 "$BIN" sweep "$cfg" -o "$OUT/sweep/w.h5" --ranks-per-point 2 --quiet
grep -q "(ranks " "$OUT/sweep_whole.log" && fail "--ranks-per-point 2 on 2 ranks should run every point on both"
for p in eta=0.2_amplitude_hz=5 eta=0.2_amplitude_hz=10 eta=0.68_amplitude_hz=5 eta=0.68_amplitude_hz=10; do
  same_rates "$OUT/sweep/s_$p.h5" "$OUT/sweep/w_$p.h5"
done
expect_rc 2 "$OUT/sweep_bad_rpp.log" -- "$BIN" sweep "$cfg" --ranks-per-point 0
