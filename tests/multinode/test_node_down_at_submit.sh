#!/usr/bin/env bash
# A node that is down when the job is submitted, two cases:
#   1. dead but SLURM does not know yet (within SlurmdTimeout it is still "idle"): slurm_chain.sbatch with
#      -N 2 --ntasks-per-node=1 is given node1 and node2; mpirun cannot start its daemon on node2 and fails;
#      the script finds node2 lost and resubmits the chain on node1 alone; the result (1 rank) is
#      byte-identical to a 1-rank run.
#   2. marked DOWN by slurmctld (no answer within SlurmdTimeout): slurm_run.sbatch with -N 2 stays PENDING
#      (reason: the required nodes are down), neither fails nor runs on fewer nodes; when node2 is back it
#      runs on both nodes and its output is byte-identical to the 1-rank run.
# Usage: test_node_down_at_submit.sh BED_DIR WORK_DIR CORTEXSIM COMPARE_RATES SOURCE_DIR
source "$(dirname "$0")/lib.sh"
export CORTEXSIM=$BIN
export CONFIG=$SRC/configs/chaudhuri2015.yaml
export OUT=$W/out/chain.h5
export CORTEXSIM_ARGS="--quiet --set run.t_end_ms=1000"
export NODE_CHECK_S=15

# shellcheck disable=SC2086
direct run "$CONFIG" -o "$W/direct.h5" $CORTEXSIM_ARGS

# ---- 1: dead, SLURM unaware
take_down node2
state=$(sl sinfo -h -N -n node2 -o %T)
say "node2 killed; SLURM says it is '$state'"
id1=""
submit id1 --nodes=2 --ntasks-per-node=1 --export=ALL "$SRC/job_scripts/slurm_chain.sbatch"
say "submitted job $id1"
wait_job "$id1" 90
log1=$W/cortexsim_chain_$id1.out
if [ "$(job_field "$id1" NodeList)" = "node[1-2]" ]; then
  expect_job_ok "$id1"
  grep -q "node(s) lost: node2" "$log1" || fail "job $id1 did not find node2 lost"
  id2=$(sed -n 's/.*resubmitted as job \([0-9]*\).*/\1/p' "$log1")
  [ -n "$id2" ] || fail "job $id1 did not resubmit the chain"
  SUBMITTED+=("$id2")
  wait_job "$id2" 60
  expect_job_ok "$id2"
  log2=$W/cortexsim_chain_$id2.out
  [ "$(job_field "$id2" NodeList)" = node1 ] || fail "job $id2 ran on $(job_field "$id2" NodeList), not node1"
  grep -q "29 areas on 1 rank" "$log2" || fail "job $id2 did not run on 1 rank"
  grep -q "cortexsim exit code 0" "$log2" || fail "job $id2: cortexsim did not exit with code 0"
else
  fail "job $id1 was not given both nodes ($(job_field "$id1" NodeList)): SLURM knew node2 was down already?"
fi
[ "$(provenance "$OUT" rank_hosts)" = node1 ] || fail "rank_hosts '$(provenance "$OUT" rank_hosts)', expected node1"
same_rates "$OUT" "$W/direct.h5"
say "case 1: the chain went on without node2 and completed on node1, identical to 1 rank"

# ---- 2: DOWN in SLURM
start=$SECONDS
until sl sinfo -h -N -n node2 -o %T | grep -q '^down'; do
  [ $((SECONDS - start)) -lt 60 ] || fail "slurmctld did not mark node2 down within 60 s"
  sleep 1
done
say "slurmctld marked node2 $(sl sinfo -h -N -n node2 -o %T)"
id3=""
submit id3 --nodes=2 --ntasks-per-node=1 --output="$W/run_%j.out" \
       --export="ALL,CORTEXSIM=$BIN,CONFIG=$CONFIG,OUT=$W/out/run.h5,CORTEXSIM_ARGS=$CORTEXSIM_ARGS" \
       "$SRC/job_scripts/slurm_run.sbatch"
sleep 4
[ "$(job_field "$id3" JobState)" = PENDING ] || fail "job $id3 is $(job_field "$id3" JobState), expected PENDING"
reason=$(job_field "$id3" Reason)
say "job $id3 (2 nodes) with node2 down: PENDING, reason $reason"
bring_back node2
wait_job "$id3" 90
expect_job_ok "$id3"
[ "$(provenance "$W/out/run.h5" rank_hosts)" = "node1,node2" ] || fail "job $id3 did not run on node1,node2"
same_rates "$W/out/run.h5" "$W/direct.h5"
say "case 2: job $id3 waited for node2 and ran on both nodes when it came back, identical to 1 rank"
say "PASS"
