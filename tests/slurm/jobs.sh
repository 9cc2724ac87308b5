# Job helpers shared by the single-node SLURM tests (tests/slurm/lib.sh) and the two-node ones
# (tests/multinode/lib.sh), sourced by both: each defines job_field, say and fail (and SUBMITTED) first.

is_terminal() {
  case $1 in
    COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE|OUT_OF_MEMORY) return 0 ;;
  esac
  return 1
}

# wait_job JOBID TIMEOUT_S: until every record of the job (all array tasks) has ended. Fails on timeout.
wait_job() {
  local id=$1 timeout=$2 start=$SECONDS states s finished
  SUBMITTED+=("$id")
  while :; do
    states=$(job_field "$id" JobState)
    finished=1
    [ -n "$states" ] || finished=0
    for s in $states; do is_terminal "$s" || finished=0; done
    [ $finished -eq 1 ] && break
    [ $((SECONDS - start)) -lt "$timeout" ] || fail "job $id not finished after $timeout s (states: $states)"
    sleep 0.5
  done
  say "job $id ended after $((SECONDS - start)) s: $(echo "$states" | paste -sd' ')" \
      "(exit codes $(job_field "$id" ExitCode | paste -sd' '))"
}

# wait_running JOBID TIMEOUT_S
wait_running() {
  local id=$1 timeout=$2 start=$SECONDS s
  while :; do
    s=$(job_field "$id" JobState)
    [ "$s" = RUNNING ] && return 0
    is_terminal "$s" && fail "job $id ended ($s) before it was seen running"
    [ $((SECONDS - start)) -lt "$timeout" ] || fail "job $id not running after $timeout s (state $s)"
    sleep 0.2
  done
}

# expect_job_ok JOBID: every record COMPLETED with exit code 0:0
expect_job_ok() {
  local s
  for s in $(job_field "$1" JobState); do [ "$s" = COMPLETED ] || fail "job $1: state $s, expected COMPLETED"; done
  for s in $(job_field "$1" ExitCode); do [ "$s" = 0:0 ] || fail "job $1: exit code $s, expected 0:0"; done
}
