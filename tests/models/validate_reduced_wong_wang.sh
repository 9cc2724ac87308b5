#!/usr/bin/env bash
# Reduced Wong-Wang (configs/models/reduced_wong_wang.yaml) against an independent numpy reference
# (tests/models/ref_reduced_wong_wang.py): noise off,
#  1. the defaults (G = 0.5, w = 0.9) on 2 ranks: S at 4 s equals the 29-area fixed point of a Newton solve, H = H(x(S*));
#  2. one area's bistable range in w (saddle nodes by continuation): with G = 0 and S(0) = 0.9 where the
#     hierarchy is > 0.5 (else 0.01), w inside the range keeps both states, 0.1 below it every area ends low,
#     0.1 above it every area ends high, each at the reference's fixed point.
# Usage: validate_reduced_wong_wang.sh BIN TOOLS OUT SRC
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/../cli/lib.sh"
REF="/usr/bin/python3 $SRC/tests/models/ref_reduced_wong_wang.py"
CFG=$SRC/configs/models/reduced_wong_wang.yaml
mkdir -p "$OUT" && rm -f "$OUT"/*.h5
common=(--quiet --set run.t_end_ms=4000 --set run.record_interval_ms=10 --set model.equations.parameters.sigma=0)
expect_rc 0 "$OUT/network.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/network.h5" "${common[@]}"
(cd "$SRC/tests/models" && $REF check "$SRC" "$OUT/network.h5" network) || fail "network fixed point"
read -r W_MID W_LOW W_HIGH < <(cd "$SRC/tests/models" && $REF params "$SRC") || fail "saddle nodes"
echo "bistable range midpoint w = $W_MID; below: $W_LOW; above: $W_HIGH"
for case in "bistable $W_MID" "low $W_LOW" "high $W_HIGH"; do
  set -- $case
  expect_rc 0 "$OUT/$1.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/$1.h5" "${common[@]}" \
    --set model.equations.parameters.G=0 --set model.equations.parameters.w="$2" \
    --set 'model.equations.parameters.S_init="0.01 + 0.89*heaviside(hierarchy - 0.5)"'
  (cd "$SRC/tests/models" && $REF check "$SRC" "$OUT/$1.h5" "$1" "$2") || fail "$1 (w = $2)"
done
echo "PASS reduced_wong_wang"
