#!/usr/bin/env bash
# A trained RNN (weights from `cortexsim train`) run by the simulator on 1 and 3 ranks: the hidden activity
# (/rates) and the readout (/readout) are bit-identical, and the network does its task on fresh streams.
# Bad input: a missing weights file, a time step other than the network's.
# Usage: rnn_run.sh BIN TOOLS OUT CONFIG WEIGHTS.h5
BIN=$1 TOOLS=$2 OUT=$3 CONFIG=$4 W=$5
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; rm -f "$OUT"/*.h5
for n in 1 3; do
  expect_rc 0 "$OUT/run$n.log" -- mpi $n "$BIN" run "$CONFIG" -o "$OUT/r$n.h5" --set model.rnn.weights="$W"
  grep -Eq "task accuracy on [0-9]+ masked records: (9[5-9]|100)\." "$OUT/run$n.log" || { cat "$OUT/run$n.log"; fail "accuracy below 95 % on $n ranks"; }
done
same_rates "$OUT/r1.h5" "$OUT/r3.h5"
h5dump -d /readout "$OUT/r1.h5" | tail -n +3 > "$OUT/a.txt"; h5dump -d /readout "$OUT/r3.h5" | tail -n +3 > "$OUT/b.txt"
[ -s "$OUT/a.txt" ] || fail "no /readout"
cmp -s "$OUT/a.txt" "$OUT/b.txt" || fail "/readout differs between 1 and 3 ranks"
expect_rc 1 "$OUT/bad1.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$OUT/bad1.h5" --set model.rnn.weights="$OUT/none.h5"
grep -q "'model.rnn.weights' names '.*none.h5', which does not exist" "$OUT/bad1.log" || { cat "$OUT/bad1.log"; fail "missing weights"; }
expect_rc 1 "$OUT/bad2.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$OUT/bad2.h5" --set model.rnn.weights="$W" --set run.dt_ms=10 --set run.record_interval_ms=10
grep -q "run.dt_ms = 10.000000 must equal the network's dt_ms = 20.000000" "$OUT/bad2.log" || { cat "$OUT/bad2.log"; fail "dt mismatch"; }
[ ! -e "$OUT/bad1.h5" ] && [ ! -e "$OUT/bad2.h5" ] || fail "output written for bad input"
echo PASS
