#!/usr/bin/env bash
# job_scripts/slurm_chain.sbatch across the two nodes (-N 2 --ntasks-per-node=1): job 1 is sent what SLURM sends
# before the time limit ('scancel --full --signal=USR1') after its first checkpoint: it must checkpoint, resubmit
# the chain with the same shape (2 nodes, 2 tasks) and exit 0; job 2 resumes on both nodes and completes. The
# output must be byte-identical (/rates, /time) to an uninterrupted 1-rank run, record the hosts of its ranks
# (node1,node2) and those of every checkpoint.
# Usage: test_chain.sh BED_DIR WORK_DIR CORTEXSIM COMPARE_RATES SOURCE_DIR
source "$(dirname "$0")/lib.sh"
export CORTEXSIM=$BIN
export CONFIG=$SRC/configs/chaudhuri2015.yaml
export OUT=$W/out/chain.h5
export CORTEXSIM_ARGS="--quiet --set run.t_end_ms=3000 --set checkpoint.every_sim_s=0.2"
CKPT=$OUT.ckpt

id1=""
submit id1 --nodes=2 --ntasks-per-node=1 --export=ALL "$SRC/job_scripts/slurm_chain.sbatch"
say "submitted job $id1"
wait_running "$id1" 60
wait_file_newer "$CKPT" "$SRC/job_scripts/slurm_chain.sbatch" 60 "$id1"
say "first checkpoint written; sending SIGUSR1 to job $id1 (as --signal=B:USR1@60 would)"
sl scancel --full --signal=USR1 "$id1" || fail "scancel --signal=USR1 failed"
wait_job "$id1" 60
expect_job_ok "$id1"
log1=$W/cortexsim_chain_$id1.out
grep -q "cortexsim exit code 3" "$log1" || fail "job $id1: cortexsim did not exit with code 3"
id2=$(sed -n 's/.*resubmitted as job \([0-9]*\).*/\1/p' "$log1")
[ -n "$id2" ] || fail "job $id1 did not resubmit itself"
SUBMITTED+=("$id2")
[ "$(job_nodes "$id2")" = 2 ] || fail "job $id2 does not ask for 2 nodes: $(job_nodes "$id2")"
[ "$(job_field "$id2" NumTasks)" = 2 ] || fail "job $id2 does not have 2 tasks: $(job_field "$id2" NumTasks)"
say "job $id1 checkpointed on 2 nodes and resubmitted the chain as job $id2"

wait_job "$id2" 120
expect_job_ok "$id2"
log2=$W/cortexsim_chain_$id2.out
grep -q "resuming from $CKPT" "$log2" || fail "job $id2 did not resume from the checkpoint"
grep -q "cortexsim exit code 0" "$log2" || fail "job $id2: cortexsim did not exit with code 0"
grep -q "29 areas on 2 ranks" "$log2" || fail "job $id2 did not run on 2 ranks"
[ -e "$CKPT" ] && fail "the checkpoint $CKPT is left after completion"
[ "$(job_field "$id2" NodeList)" = "node[1-2]" ] || fail "job $id2 ran on $(job_field "$id2" NodeList)"

hosts=$(provenance "$OUT" rank_hosts)
[ "$hosts" = "node1,node2" ] || fail "rank_hosts '$hosts', expected 'node1,node2'"
ckpts=$(provenance "$OUT" checkpoints)
echo "$ckpts" | grep -q "on 2 ranks (node1,node2)" || fail "the checkpoints do not record their hosts: $ckpts"
# shellcheck disable=SC2086
direct run "$CONFIG" -o "$W/direct.h5" $CORTEXSIM_ARGS --checkpoint "$W/direct.ckpt"
same_rates "$OUT" "$W/direct.h5"
say "PASS"
