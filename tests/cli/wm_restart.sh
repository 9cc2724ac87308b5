#!/usr/bin/env bash
# A nonlinear-circuit run WITH noise (and any other --set overrides) stopped with a checkpoint on 2 ranks and
# continued on 3 ranks writes the same /rates and /analysis, byte for byte, as the uninterrupted run REF.h5
# (made with the same overrides on 1 rank): the noise is keyed by (seed, area, population, step), the OU state
# and the modulator windows are part of the checkpoint.
# Usage: wm_restart.sh BIN TOOLS OUT CONFIG REF.h5 UNTIL_S [--set key=value ...]
BIN=$1 TOOLS=$2 OUT=$3 CONFIG=$4 REF=$5 UNTIL=$6
shift 6
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; o=$OUT/wm_restart.h5; rm -f "$o" "$o.partial" "$o.ckpt"
expect_rc 3 "$OUT/wm_restart_1.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$o" --until-s "$UNTIL" "$@"
grep -q "stopped by --until-s" "$OUT/wm_restart_1.log" || fail "no stop message"
[ -f "$o.ckpt" ] || fail "no checkpoint"
expect_rc 0 "$OUT/wm_restart_2.log" -- mpi 3 "$BIN" run "$CONFIG" -o "$o" --resume "$@"
grep -q "continuing from $o.ckpt" "$OUT/wm_restart_2.log" || fail "no continue message"
same_rates "$REF" "$o"
for d in delay_mean_hz baseline_mean_hz persistent cue_response_hz peak_rate_hz; do
  h5dump -A 0 -d /analysis/$d "$REF" | tail -n +3 > "$OUT/a.txt"; h5dump -A 0 -d /analysis/$d "$o" | tail -n +3 > "$OUT/b.txt"
  cmp -s "$OUT/a.txt" "$OUT/b.txt" || fail "/analysis/$d differs after restart"
done
echo PASS
