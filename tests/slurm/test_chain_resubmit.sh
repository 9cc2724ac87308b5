#!/usr/bin/env bash
# job_scripts/slurm_chain.sbatch, submitted unchanged with 2 tasks for a long run (900 s of model time,
# checkpoints every 20 s of model time; long enough that no job can finish before its signal), in three jobs:
#   job 1: mid-run the test sends what SLURM sends before a time limit (--signal=B:USR1@60), with
#          'scancel --full --signal=USR1': the job must checkpoint, see exit code 3, submit the next job of the
#          chain (same name, 2 tasks) and end with exit code 0;
#   job 2: resumes; the test stops it as a user stops a chain, 'scancel --batch --signal=TERM': it must
#          checkpoint, end with exit code 3 and NOT resubmit;
#   job 3: the same script submitted again by the test resumes and completes the run.
# The output must equal an uninterrupted direct run bit for bit (/rates, /time), and no checkpoint or partial
# file may be left.
# Usage: test_chain_resubmit.sh CLUSTER_DIR WORK_DIR CORTEXSIM COMPARE_RATES SOURCE_DIR
source "$(dirname "$0")/lib.sh"
export CORTEXSIM=$BIN
export CONFIG=$SRC/configs/chaudhuri2015.yaml
export OUT=$W/out/chain.h5
export CORTEXSIM_ARGS="--quiet --set run.t_end_ms=900000 --set run.record_interval_ms=10 --set checkpoint.every_sim_s=20"
export MPIRUN_FLAGS="--bind-to none"
CKPT=$OUT.ckpt

# The job runs in (and its #SBATCH --output file lands in) the submit folder, $W; so do the next jobs.
id1="" id3=""
submit id1 --ntasks=2 --export=ALL "$SRC/job_scripts/slurm_chain.sbatch"
log1=$W/cortexsim_chain_$id1.out
say "submitted job $id1"
wait_running "$id1" 60
# Wait for the first periodic checkpoint: the run is under way and its signal handlers are installed.
start=$SECONDS
until [ -f "$CKPT" ]; do
  [ $((SECONDS - start)) -lt 60 ] || fail "no checkpoint $CKPT after 60 s"
  [ "$(job_field "$id1" JobState)" = RUNNING ] || fail "job $id1 ended before its first checkpoint"
  sleep 0.2
done
sleep 1
say "first checkpoint written; sending SIGUSR1 to job $id1 (as --signal=B:USR1@60 would)"
scancel --full --signal=USR1 "$id1" || fail "scancel --signal=USR1 failed"

wait_job "$id1" 60
expect_job_ok "$id1"
grep -q "received SIGUSR1" "$log1" || fail "the batch shell did not see SIGUSR1"
grep -q "cortexsim exit code 3" "$log1" || fail "job $id1: cortexsim did not exit with code 3"
grep -q "stopped by signal" "$log1" || fail "job $id1: cortexsim did not report the stop"
id2=$(sed -n 's/.*resubmitted as job \([0-9]*\).*/\1/p' "$log1")
[ -n "$id2" ] || fail "job $id1 did not resubmit itself"
SUBMITTED+=("$id2")
say "job $id1 checkpointed and resubmitted the chain as job $id2"
[ "$(job_field "$id2" JobName)" = "$(job_field "$id1" JobName)" ] || fail "job $id2 has another name"
[ "$(job_field "$id2" NumTasks)" = 2 ] || fail "job $id2 does not have 2 tasks: $(job_field "$id2" NumTasks)"

# job 2: wait until it has written a checkpoint of its own, then stop the chain
wait_running "$id2" 60
mark=$W/job2_started
touch "$mark"
start=$SECONDS
until [ "$CKPT" -nt "$mark" ]; do
  [ $((SECONDS - start)) -lt 60 ] || fail "job $id2 wrote no checkpoint in 60 s"
  [ "$(job_field "$id2" JobState)" = RUNNING ] || fail "job $id2 ended before the test could stop it"
  sleep 0.2
done
say "job $id2 has checkpointed; stopping the chain with scancel --batch --signal=TERM"
scancel --batch --signal=TERM "$id2" || fail "scancel --batch --signal=TERM failed"
wait_job "$id2" 60
log2=$W/cortexsim_chain_$id2.out
grep -q "resuming from $CKPT" "$log2" || fail "job $id2 did not resume from the checkpoint"
grep -q "cortexsim exit code 3" "$log2" || fail "job $id2: cortexsim did not exit with code 3 after SIGTERM"
grep -q "resubmitted" "$log2" && fail "job $id2 resubmitted after SIGTERM (a cancel must end the chain)"
[ "$(job_field "$id2" ExitCode)" = 3:0 ] || fail "job $id2: exit code $(job_field "$id2" ExitCode), expected 3:0"
[ -z "$(squeue -h -n cortexsim-chain -o %i)" ] || fail "a job of the chain is queued after the cancel"
[ -f "$CKPT" ] || fail "no checkpoint after the cancel"

# job 3: the same submission again continues the run to its end
submit id3 --ntasks=2 --export=ALL "$SRC/job_scripts/slurm_chain.sbatch"
say "submitted job $id3 to continue"
wait_job "$id3" 120
expect_job_ok "$id3"
log3=$W/cortexsim_chain_$id3.out
grep -q "resuming from $CKPT" "$log3" || fail "job $id3 did not resume from the checkpoint"
grep -q "cortexsim exit code 0" "$log3" || fail "job $id3: cortexsim did not exit with code 0"
grep -q "resubmitted" "$log3" && fail "job $id3 resubmitted although the run was complete"
[ -f "$OUT" ] || fail "no output $OUT"
[ -e "$CKPT" ] && fail "the checkpoint $CKPT is left after completion"
[ -e "$OUT.partial" ] && fail "$OUT.partial is left after completion"
[ -z "$(squeue -h -n cortexsim-chain -o %i)" ] || fail "jobs of the chain still queued"

# shellcheck disable=SC2086
direct 2 run "$CONFIG" -o "$W/direct.h5" $CORTEXSIM_ARGS --checkpoint "$W/direct.ckpt"
same_rates "$OUT" "$W/direct.h5"
say "PASS"
