#!/usr/bin/env bash
# A run stopped with a checkpoint at t = 1.0 s on 2 ranks and continued on 3 ranks writes the same /rates,
# byte for byte, as an uninterrupted run on 1 rank. Usage: restart_other_ranks.sh BIN TOOLS OUT CONFIG REF.h5
BIN=$1 TOOLS=$2 OUT=$3 CONFIG=$4 REF=$5
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; o=$OUT/restart.h5; rm -f "$o" "$o.partial" "$o.ckpt"
expect_rc 3 "$OUT/restart_1.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$o" --until-s 1.0
grep -q "stopped by --until-s at t = 1.0000 s" "$OUT/restart_1.log" || fail "no stop message"
[ -f "$o.ckpt" ] || fail "no checkpoint"; [ -f "$o.partial" ] || fail "no partial output"; [ ! -e "$o" ] || fail "final output exists"
expect_rc 0 "$OUT/restart_2.log" -- mpi 3 "$BIN" run "$CONFIG" -o "$o" --resume
grep -q "continuing from $o.ckpt at t = 1.0000 s (step 10000, written on 2 ranks)" "$OUT/restart_2.log" || fail "no continue message"
[ ! -e "$o.ckpt" ] || fail "checkpoint left after completion"; [ ! -e "$o.partial" ] || fail "partial left"
same_rates "$REF" "$o"
# the analysis is restored too
h5dump -A 0 -d /analysis/timescale_s "$REF" | tail -n +3 > "$OUT/a.txt"; h5dump -A 0 -d /analysis/timescale_s "$o" | tail -n +3 > "$OUT/b.txt"
cmp -s "$OUT/a.txt" "$OUT/b.txt" || fail "analysis differs after restart"
# resuming a complete run does nothing
expect_rc 0 "$OUT/restart_3.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$o" --resume
grep -q "is complete already" "$OUT/restart_3.log" || fail "complete run not recognised"
echo PASS
