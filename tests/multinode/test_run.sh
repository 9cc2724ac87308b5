#!/usr/bin/env bash
# job_scripts/slurm_run.sbatch across the two nodes of the bed: -N 2 --ntasks-per-node=1, once with mpirun
# (Open MPI starts its daemon on node2 through SLURM) and once with MPIRUN="srun --mpi=pmix" (slurmd starts
# the ranks, PMIx wires them up). Each job must complete, run one rank on each node (/provenance rank_hosts
# "node1,node2") and write /rates and /time byte-identical to a 1-rank run outside SLURM.
# Usage: test_run.sh BED_DIR WORK_DIR CORTEXSIM COMPARE_RATES SOURCE_DIR
source "$(dirname "$0")/lib.sh"
CONFIG=$SRC/configs/chaudhuri2015.yaml
ARGS="--quiet --set run.t_end_ms=1000"

# shellcheck disable=SC2086
direct run "$CONFIG" -o "$W/direct.h5" $ARGS
for launcher in mpirun "srun --mpi=pmix"; do
  tag=${launcher%% *}
  id=""
  submit id --nodes=2 --ntasks-per-node=1 --output="$W/run_${tag}_%j.out" \
         --export="ALL,CORTEXSIM=$BIN,CONFIG=$CONFIG,OUT=$W/out/$tag.h5,CORTEXSIM_ARGS=$ARGS,MPIRUN=$launcher" \
         "$SRC/job_scripts/slurm_run.sbatch"
  say "submitted job $id ($launcher)"
  wait_job "$id" 120
  expect_job_ok "$id"
  log=$W/run_${tag}_$id.out
  [ "$(job_field "$id" NodeList)" = "node[1-2]" ] || fail "job $id ran on $(job_field "$id" NodeList), not node[1-2]"
  grep -q "cortexsim exit code 0" "$log" || fail "job log says no exit code 0"
  grep -q "29 areas on 2 ranks" "$log" || fail "job $id did not run on 2 ranks"
  hosts=$(provenance "$W/out/$tag.h5" rank_hosts)
  [ "$hosts" = "node1,node2" ] || fail "provenance rank_hosts is '$hosts', expected 'node1,node2'"
  [ "$(provenance "$W/out/$tag.h5" slurm_job_id)" = "$id" ] || fail "provenance slurm_job_id is not $id"
  same_rates "$W/out/$tag.h5" "$W/direct.h5"
  say "$launcher: ranks on $hosts, identical to 1 rank"
done
say "PASS"
