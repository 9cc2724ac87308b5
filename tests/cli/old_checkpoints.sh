#!/usr/bin/env bash
# Checkpoints written before the core redesign (tests/data/old_checkpoints) are read by today's build and the
# runs they continue end with the /rates bytes of the uninterrupted run (recorded in the README there).
# Usage: old_checkpoints.sh BIN TOOLS OUT SOURCE_DIR
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/lib.sh"
DATA=$SRC/tests/data/old_checkpoints
S="--set run.t_end_ms=300 --set run.record_interval_ms=10"
for n in 1 3; do
  rm -rf "$OUT/np$n"; mkdir -p "$OUT/np$n"; cp "$DATA"/*.ckpt "$DATA"/*.partial "$OUT/np$n/"
  expect_rc 0 "$OUT/np$n/delays.log" -- mpi $n "$BIN" run "$SRC/configs/chaudhuri2015_delays.yaml" \
      -o "$OUT/np$n/delays.h5" $S --resume
  got=$("$TOOLS/rates_sha256" "$OUT/np$n/delays.h5")
  [ "$got" = 940046366919bf262b9146e00cdbae1c39cbf4bc29ade1ac31c812052728d3cd ] || fail "delays resumed on $n ranks: $got"
  expect_rc 0 "$OUT/np$n/fw.log" -- mpi $n "$BIN" run "$SRC/configs/froudistwalsh2021.yaml" \
      -o "$OUT/np$n/fw.h5" $S --set model.parameters.noise_sigma_nA=0.005 --resume
  got=$("$TOOLS/rates_sha256" "$OUT/np$n/fw.h5")
  [ "$got" = c6eae289fc98e6ba1fad1a4e36b54bae4b9eac1a70f162638ac34a3a29c31367 ] || fail "fw resumed on $n ranks: $got"
done
echo PASS
