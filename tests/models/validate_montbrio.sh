#!/usr/bin/env bash
# Montbrio-Pazo-Roxin (configs/models/montbrio.yaml) against the paper's steady-state relations
# (tests/models/ref_montbrio.py, numpy), noise off, on 2 ranks:
#  1. G = 0, areas with hierarchy > 0.5 start at (r, v) = (0.1/ms, -0.15), the others at (0.008/ms, -2): at 2 s each
#     area sits at the analytic high or low stable fixed point (the positive roots of the quartic in tau r*);
#  2. the defaults (G = 1, FLN, delays): at 2 s the network's low fixed point by Newton.
# Usage: validate_montbrio.sh BIN TOOLS OUT SRC
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/../cli/lib.sh"
CFG=$SRC/configs/models/montbrio.yaml
REF="/usr/bin/python3 $SRC/tests/models/ref_montbrio.py"
mkdir -p "$OUT" && rm -f "$OUT"/*.h5
common=(--quiet --set run.record_interval_ms=10 --set model.equations.parameters.sigma=0)
expect_rc 0 "$OUT/uncoupled.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/uncoupled.h5" "${common[@]}" \
  --set model.equations.parameters.G=0 \
  --set 'model.equations.parameters.r_init="0.008 + 0.092*heaviside(hierarchy - 0.5)"' \
  --set 'model.equations.parameters.v_init="-2 + 1.85*heaviside(hierarchy - 0.5)"'
(cd "$SRC/tests/models" && $REF check "$SRC" "$OUT/uncoupled.h5" uncoupled) || fail "uncoupled fixed points"
expect_rc 0 "$OUT/network.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/network.h5" "${common[@]}"
(cd "$SRC/tests/models" && $REF check "$SRC" "$OUT/network.h5" network) || fail "network fixed point"
echo "PASS montbrio"
