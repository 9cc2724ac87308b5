#!/usr/bin/env bash
# job_scripts/slurm_sweep_array.sbatch, submitted unchanged as a job array of 3 tasks (1 rank each) over a
# 3-point sweep of eta: 3 outputs, all different, and the point eta=0.68 has the same /rates and /time, byte
# for byte, as a direct 2-rank run of the default config (whose eta is 0.68).
# Usage: test_sweep_array.sh CLUSTER_DIR WORK_DIR CORTEXSIM COMPARE_RATES SOURCE_DIR
source "$(dirname "$0")/lib.sh"
DEFAULT=$SRC/configs/chaudhuri2015.yaml
CONFIG=$W/sweep.yaml

# The default config with absolute data paths (they are relative to the config's folder) and a sweep section.
sed "s#^\( *file: \)data/#\1$SRC/configs/data/#; s#^\( *fln: \)data/#\1$SRC/configs/data/#" "$DEFAULT" > "$CONFIG"
cat >> "$CONFIG" <<'YAML'
sweep: {mode: list, parameters: {model.parameters.eta: [0.5, 0.68, 0.9]}}
YAML
grep -q "file: $SRC/configs/data/" "$CONFIG" && grep -q "fln: $SRC/configs/data/" "$CONFIG" \
  || fail "could not make the data paths of $DEFAULT absolute"

"$BIN" sweep "$CONFIG" --list > "$W/points.txt" 2>&1 || { cat "$W/points.txt"; fail "cortexsim sweep --list failed"; }
cat "$W/points.txt"
N=$(wc -l < "$W/points.txt")
[ "$N" -eq 3 ] || fail "expected 3 sweep points, --list printed $N lines"

id=""
submit id --array=0-$((N - 1)) --ntasks=1 --output="$W/sweep_%A_%a.out" \
       --export="ALL,CORTEXSIM=$BIN,CONFIG=$CONFIG,OUT=$W/out/sweep.h5,CORTEXSIM_ARGS=--quiet,MPIRUN_FLAGS=--bind-to none" \
       "$SRC/job_scripts/slurm_sweep_array.sbatch"
say "submitted array job $id (0-$((N - 1)))"
wait_job "$id" 150
[ "$(job_field "$id" JobState | wc -l)" -eq 3 ] || fail "expected 3 array tasks"
expect_job_ok "$id"

for p in eta=0.5 eta=0.68 eta=0.9; do
  [ -f "$W/out/sweep_$p.h5" ] || fail "missing output of point $p: $W/out/sweep_$p.h5"
done
for i in 0 1 2; do
  grep -q "cortexsim exit code 0" "$W/sweep_${id}_$i.out" || fail "task $i: no exit code 0 in its log"
done
different_rates "$W/out/sweep_eta=0.5.h5" "$W/out/sweep_eta=0.68.h5"
different_rates "$W/out/sweep_eta=0.68.h5" "$W/out/sweep_eta=0.9.h5"
different_rates "$W/out/sweep_eta=0.5.h5" "$W/out/sweep_eta=0.9.h5"

direct 2 run "$DEFAULT" -o "$W/direct.h5" --quiet
same_rates "$W/out/sweep_eta=0.68.h5" "$W/direct.h5"
say "PASS"
