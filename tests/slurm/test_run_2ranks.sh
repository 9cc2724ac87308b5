#!/usr/bin/env bash
# job_scripts/slurm_run.sbatch, submitted unchanged with 2 tasks on the default config: the job succeeds and its
# output has the same /rates and /time, byte for byte, as a direct 'mpirun -n 2' run.
# Usage: test_run_2ranks.sh CLUSTER_DIR WORK_DIR CORTEXSIM COMPARE_RATES SOURCE_DIR
source "$(dirname "$0")/lib.sh"
CONFIG=$SRC/configs/chaudhuri2015.yaml

id=""
submit id --ntasks=2 --output="$W/run_%j.out" \
       --export="ALL,CORTEXSIM=$BIN,CONFIG=$CONFIG,OUT=$W/out/slurm.h5,CORTEXSIM_ARGS=--quiet,MPIRUN_FLAGS=--bind-to none" \
       "$SRC/job_scripts/slurm_run.sbatch"
say "submitted job $id"
wait_job "$id" 120
expect_job_ok "$id"
grep -q "cortexsim exit code 0" "$W/run_$id.out" || fail "job log says no exit code 0"
grep -q "output: $W/out/slurm.h5" "$W/run_$id.out" || fail "job log does not name the output"
[ -f "$W/out/slurm.h5" ] || fail "no output $W/out/slurm.h5"
[ -e "$W/out/slurm.h5.partial" ] && fail "a .partial file is left"
grep -q "29 areas on 2 ranks" "$W/run_$id.out" || fail "the job did not run on 2 ranks"

direct 2 run "$CONFIG" -o "$W/direct.h5" --quiet
same_rates "$W/out/slurm.h5" "$W/direct.h5"
say "PASS"
