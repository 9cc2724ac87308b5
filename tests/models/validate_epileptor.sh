#!/usr/bin/env bash
# Epileptor (configs/models/epileptor.yaml) against an independent numpy reference (tests/models/ref_epileptor.py),
# on 2 ranks: the threshold x0_c where the rest state loses stability (Newton + eigenvalues, bisection);
#  1. x0 = x0_c - 0.15: after 10 s every area is at the Newton rest state and x1 < 0 throughout (no seizure);
#  2. x0 = -1.6 (the paper's value): the first 500 ms equal the reference's Euler run, x1 > 0.2 (ictal discharges)
#     and z oscillating in every area, no area at rest after 10 s.
# Usage: validate_epileptor.sh BIN TOOLS OUT SRC
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/../cli/lib.sh"
CFG=$SRC/configs/models/epileptor.yaml
REF="/usr/bin/python3 $SRC/tests/models/ref_epileptor.py"
mkdir -p "$OUT" && rm -f "$OUT"/*.h5
read -r XC XREST < <(cd "$SRC/tests/models" && $REF threshold) || fail "threshold"
echo "threshold x0_c = $XC; rest run at x0 = $XREST"
common=(--quiet --set run.t_end_ms=10000 --set run.record_interval_ms=5)
expect_rc 0 "$OUT/rest.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/rest.h5" "${common[@]}" \
  --set model.equations.parameters.x0="$XREST"
(cd "$SRC/tests/models" && $REF check "$SRC" "$OUT/rest.h5" rest "$XREST") || fail "rest below the threshold"
expect_rc 0 "$OUT/seizure.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/seizure.h5" "${common[@]}" \
  --set model.equations.parameters.x0=-1.6
(cd "$SRC/tests/models" && $REF check "$SRC" "$OUT/seizure.h5" seizure -1.6) || fail "seizure above the threshold"
echo "PASS epileptor"
