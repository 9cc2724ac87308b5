#!/usr/bin/env bash
# Peer conventions (docs/connectivity.md): conduction delays shorter than one step are refused by default and
# rounded to whole steps (0 steps = without delay) with model.connectivity.delays.rounding: nearest, with the same
# bytes on 1 and 2 ranks; a connectome with self-connections is refused by default, and with
# model.connectivity.self_connections: drop gives the bytes of the zero-diagonal matrix, with local it keeps
# them as undelayed coupling (the same bytes on 1 and 2 ranks, other rates than drop).
# Usage: peer_conventions.sh BIN TOOLS OUT SOURCE_DIR
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/lib.sh"
T=$SRC/tests/data/tiny
mkdir -p "$OUT"; rm -f "$OUT"/pc_*
# -- sub-step delays
expect_rc 1 "$OUT/pc_refused.log" -- mpi 2 "$BIN" run "$T/tiny_substep.yaml" -o "$OUT/pc_refused.h5"
grep -q "^cortexsim: error: .*tiny_substep.yaml: 'run.dt_ms' = 0.100000 ms is larger than the minimum conduction delay (0.035000 ms, B -> A): use dt_ms <= the minimum delay, or 'model.connectivity.delays.rounding: nearest'" \
  "$OUT/pc_refused.log" || { cat "$OUT/pc_refused.log"; fail "sub-step delay not refused by default"; }
[ "$(grep -c "error:" "$OUT/pc_refused.log")" = 1 ] || fail "expected one error line"
[ -e "$OUT/pc_refused.h5" ] && fail "output written for a refused config"
for n in 1 2; do
  expect_rc 0 "$OUT/pc_nearest_$n.log" -- mpi $n "$BIN" run "$T/tiny_substep.yaml" -o "$OUT/pc_nearest_$n.h5" \
      --set model.connectivity.delays.rounding=nearest
done
grep -q "2 long-range groups\|every 1 step" "$OUT/pc_nearest_1.log" || { cat "$OUT/pc_nearest_1.log"; fail "no exchange line"; }
same_rates "$OUT/pc_nearest_1.h5" "$OUT/pc_nearest_2.h5"
# -- self-connections
expect_rc 1 "$OUT/pc_self.log" -- mpi 2 "$BIN" run "$T/tiny.yaml" -o "$OUT/pc_self.h5" \
    --set model.connectivity.fln=fln_self.csv
grep -q "^cortexsim: error: $T/fln_self.csv: row 'B' (target), column 'B' (source): diagonal value 0.1 must be 0" \
  "$OUT/pc_self.log" || { cat "$OUT/pc_self.log"; fail "self-connection not refused by default"; }
[ -e "$OUT/pc_self.h5" ] && fail "output written for a refused matrix"
expect_rc 0 "$OUT/pc_zero.log" -- mpi 2 "$BIN" run "$T/tiny.yaml" -o "$OUT/pc_zero.h5"
expect_rc 0 "$OUT/pc_drop.log" -- mpi 2 "$BIN" run "$T/tiny.yaml" -o "$OUT/pc_drop.h5" \
    --set model.connectivity.fln=fln_self.csv --set model.connectivity.self_connections=drop
same_rates "$OUT/pc_zero.h5" "$OUT/pc_drop.h5"
for n in 1 2; do  # local with delays of 10 to 30 steps beside it (3.5 m/s): the self-connection has none
  expect_rc 0 "$OUT/pc_local_$n.log" -- mpi $n "$BIN" run "$T/tiny_substep.yaml" -o "$OUT/pc_local_$n.h5" \
      --set model.connectivity.fln=fln_self.csv --set model.connectivity.self_connections=local \
      --set model.connectivity.delays.velocity_m_per_s=3.5
done
same_rates "$OUT/pc_local_1.h5" "$OUT/pc_local_2.h5"
expect_rc 0 "$OUT/pc_local_drop.log" -- mpi 2 "$BIN" run "$T/tiny_substep.yaml" -o "$OUT/pc_local_drop.h5" \
    --set model.connectivity.fln=fln_self.csv --set model.connectivity.self_connections=drop \
    --set model.connectivity.delays.velocity_m_per_s=3.5
"$TOOLS/compare_rates" "$OUT/pc_local_1.h5" "$OUT/pc_local_drop.h5" >"$OUT/pc_cmp.log" 2>&1 \
  && fail "self_connections local gave the rates of drop"
echo PASS
