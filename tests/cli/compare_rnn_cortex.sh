#!/usr/bin/env bash
# The comparison of docs/rnn.md end to end: the RNN's first 2-back stream into the cortex model (task_stimuli
# from the weights file), the RNN on its streams, and the figure script on both outputs.
# Usage: compare_rnn_cortex.sh BIN OUT SOURCE_DIR WEIGHTS.h5
BIN=$1 OUT=$2 SRC=$3 W=$4
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; rm -f "$OUT"/*.h5 "$OUT"/*.png
expect_rc 0 "$OUT/cortex.log" -- mpi 2 "$BIN" run "$SRC/configs/compare_nback_cortex.yaml" -o "$OUT/cortex.h5" --quiet \
  --set task_stimuli.weights="$W" --set run.t_end_ms=4000 --set 'analysis.delay_ms=[3000, 4000]'
expect_rc 0 "$OUT/rnn.log" -- mpi 2 "$BIN" run "$SRC/configs/rnn_nback.yaml" -o "$OUT/rnn.h5" --quiet --set model.rnn.weights="$W"
expect_rc 0 "$OUT/plot.log" -- /usr/bin/python3 "$SRC/tools/compare_rnn_cortex.py" "$OUT/rnn.h5" "$OUT/cortex.h5" "$OUT/cmp.png"
grep -q "RNN: 128 units, median intrinsic timescale" "$OUT/plot.log" || { cat "$OUT/plot.log"; fail "no RNN summary"; }
grep -q "cortex: 30 areas" "$OUT/plot.log" || fail "no cortex summary"
[ -s "$OUT/cmp.png" ] || fail "no figure"
echo PASS
