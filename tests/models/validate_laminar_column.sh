#!/usr/bin/env bash
# Laminar column (configs/models/laminar_column.yaml) against independent Newton solves
# (tests/models/ref_laminar_column.py, numpy), on 2 ranks, 1 s from r = 1 Hz:
#  1. G = 0: every area's 8 populations at the fixed point of one isolated column (to 1e-9 relative);
#  2. the defaults (G = 1, FLN onto L2/3E and L5E): the fixed point of the 29-area network (232 unknowns).
# Usage: validate_laminar_column.sh BIN TOOLS OUT SRC
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/../cli/lib.sh"
CFG=$SRC/configs/models/laminar_column.yaml
REF="/usr/bin/python3 $SRC/tests/models/ref_laminar_column.py"
mkdir -p "$OUT" && rm -f "$OUT"/*.h5
expect_rc 0 "$OUT/column.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/column.h5" --quiet --set run.record_interval_ms=10 \
  --set model.equations.parameters.G=0
(cd "$SRC/tests/models" && $REF check "$SRC" "$OUT/column.h5" column) || fail "isolated column"
expect_rc 0 "$OUT/network.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/network.h5" --quiet --set run.record_interval_ms=10
(cd "$SRC/tests/models" && $REF check "$SRC" "$OUT/network.h5" network) || fail "network"
echo "PASS laminar_column"
