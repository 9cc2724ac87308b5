#!/usr/bin/env bash
# job_scripts/slurm_sweep_array.sbatch across the two nodes: a 2-point sweep of eta as a job array whose every
# task takes both nodes (-N 2 --ntasks=2 --ntasks-per-node=1, one rank per node; the template says --ntasks=1). Each point must be byte-identical
# (/rates, /time) to the same point run on 1 rank outside SLURM, the two points must differ, and each output
# must record one rank on each node.
# Usage: test_sweep_array.sh BED_DIR WORK_DIR CORTEXSIM COMPARE_RATES SOURCE_DIR
source "$(dirname "$0")/lib.sh"
DEFAULT=$SRC/configs/chaudhuri2015.yaml
CONFIG=$W/sweep.yaml
ARGS="--quiet --set run.t_end_ms=500"

sed "s#^\( *file: \)data/#\1$SRC/configs/data/#; s#^\( *fln: \)data/#\1$SRC/configs/data/#" "$DEFAULT" > "$CONFIG"
echo "sweep: {mode: list, parameters: {model.parameters.eta: [0.5, 0.9]}}" >> "$CONFIG"
plain "$BIN" sweep "$CONFIG" --list > "$W/points.txt" 2>&1 || { cat "$W/points.txt"; fail "cortexsim sweep --list failed"; }
N=$(wc -l < "$W/points.txt")
[ "$N" -eq 2 ] || fail "expected 2 sweep points, --list printed $N lines"

id=""
submit id --array=0-$((N - 1)) --nodes=2 --ntasks=2 --ntasks-per-node=1 --output="$W/sweep_%A_%a.out" \
       --export="ALL,CORTEXSIM=$BIN,CONFIG=$CONFIG,OUT=$W/out/sweep.h5,CORTEXSIM_ARGS=$ARGS" \
       "$SRC/job_scripts/slurm_sweep_array.sbatch"
say "submitted array job $id (0-$((N - 1)), 2 nodes per task)"
wait_job "$id" 150
[ "$(job_field "$id" JobState | wc -l)" -eq 2 ] || fail "expected 2 array tasks"
expect_job_ok "$id"
for i in 0 1; do
  p=$(awk -v i=$i '$1 == i {print $2}' "$W/points.txt")
  out=$W/out/sweep_$p.h5
  [ -f "$out" ] || fail "missing output of point $p: $out"
  grep -q "29 areas on 2 ranks" "$W/sweep_${id}_$i.out" || fail "task $i did not run on 2 ranks"
  hosts=$(provenance "$out" rank_hosts)
  [ "$hosts" = "node1,node2" ] || fail "point $p: rank_hosts '$hosts', expected 'node1,node2'"
  # shellcheck disable=SC2086
  direct run "$CONFIG" -o "$W/direct.h5" --point "$i" $ARGS  # writes direct_<point>.h5
  same_rates "$out" "$W/direct_$p.h5"
  say "point $i ($p): ranks on $hosts, identical to 1 rank"
done
"$COMPARE" "$W/out/sweep_eta=0.5.h5" "$W/out/sweep_eta=0.9.h5" >/dev/null 2>&1 && fail "the two points are identical"
say "PASS"
