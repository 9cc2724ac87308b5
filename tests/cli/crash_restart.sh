#!/usr/bin/env bash
# Crash safety: a run is killed with SIGKILL (every process of the job) at pseudo-random moments, continued
# from its last checkpoint with --resume each time, and its final /rates must equal an uninterrupted run's.
# Usage: crash_restart.sh BIN TOOLS OUT CONFIG [SEED]
BIN=$1 TOOLS=$2 OUT=$3 CONFIG=$4 SEED=${5:-20261128}
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; o=$OUT/crash.h5; ref=$OUT/crash_ref.h5; rm -f "$o" "$o.partial" "$o.ckpt" "$ref"
SET=(--set run.t_end_ms=150000 --set run.record_interval_ms=10 --set checkpoint.every_sim_s=5)
expect_rc 0 "$OUT/crash_ref.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$ref" "${SET[@]}" --quiet
RANDOM=$SEED
kills=0
for attempt in 1 2 3 4; do
  setsid "$MPIEXEC" --bind-to none --oversubscribe -n $(( attempt % 2 + 1 )) "$BIN" run "$CONFIG" -o "$o" "${SET[@]}" \
      --resume --quiet > "$OUT/crash_$attempt.log" 2>&1 &
  pid=$!
  delay=$(( 300 + RANDOM % 900 ))   # ms
  sleep "$(printf '0.%03d' "$delay")"
  if kill -0 "$pid" 2>/dev/null; then
    # every process of the job: Open MPI puts each rank in a process group of its own, so killing mpirun's group
    # left the ranks running for up to a second, long enough to finish a run beside the next attempt. They keep
    # the session of setsid (= $pid): kill the session and wait until none of it is left.
    pkill -KILL -s "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; kills=$((kills + 1))
    for _ in $(seq 100); do pgrep -s "$pid" > /dev/null || break; sleep 0.05; done
    pgrep -s "$pid" > /dev/null && fail "processes of the killed job still alive after 5 s"
    echo "attempt $attempt: killed after $delay ms ($(ls "$o.ckpt" 2>/dev/null || echo no checkpoint yet))"
  else
    wait "$pid"; echo "attempt $attempt: finished before the kill"
  fi
done
expect_rc 0 "$OUT/crash_final.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$o" "${SET[@]}" --resume --quiet
[ "$kills" -ge 1 ] || fail "no run was killed (machine too fast for the kill window?)"
same_rates "$ref" "$o"
echo "PASS ($kills kills)"
