#!/usr/bin/env bash
# Perturbations through --set (appending to the perturbations list), with the papers' predictions:
#  - lesion of every projection: no area holds the memory (Mejias & Wang: no isolated area is bistable);
#  - silencing 9/46d for the whole trial: it stays at exactly 0 Hz, 21 of the other areas still persist;
#  - dopamine dropped to 0 in the delay (Froudist-Walsh): the memory is lost everywhere;
#  - dopamine 0.5 in the config but 1.5 in a window covering the whole trial: the same bytes as DA 1.5.
# Usage: perturbations.sh BIN TOOLS OUT MW_CONFIG FW_CONFIG FW_DA15.h5
BIN=$1 TOOLS=$2 OUT=$3 MW=$4 FW=$5 FW_REF=$6
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; rm -f "$OUT"/*.h5
V="$TOOLS/validate_wm"
expect_rc 0 "$OUT/lesion.log" -- mpi 2 "$BIN" run "$MW" -o "$OUT/lesion.h5" --quiet \
  --set 'perturbations.0={kind: lesion, areas: all, sources: all}'
"$V" persistent_count "$OUT/lesion.h5" 0 > "$OUT/lesion.check" || { cat "$OUT/lesion.check"; fail "lesion"; }
expect_rc 0 "$OUT/silence.log" -- mpi 2 "$BIN" run "$MW" -o "$OUT/silence.h5" --quiet \
  --set 'perturbations.0={kind: silence, areas: [9/46d], onset_ms: 0, duration_ms: 10000}'
"$V" persistent_count "$OUT/silence.h5" 21 9/46d > "$OUT/silence.check" || { cat "$OUT/silence.check"; fail "silence"; }
expect_rc 0 "$OUT/da_drop.log" -- mpi 2 "$BIN" run "$FW" -o "$OUT/da_drop.h5" --quiet \
  --set 'perturbations.0={kind: modulator, modulator: dopamine, value: 0.0, onset_ms: 2500, duration_ms: 2500}'
"$V" persistent_count "$OUT/da_drop.h5" 0 > "$OUT/da_drop.check" || { cat "$OUT/da_drop.check"; fail "dopamine drop"; }
expect_rc 0 "$OUT/da_window.log" -- mpi 3 "$BIN" run "$FW" -o "$OUT/da_window.h5" --quiet \
  --set model.parameters.dopamine=0.5 \
  --set 'perturbations.0={kind: modulator, modulator: dopamine, value: 1.5, onset_ms: 0, duration_ms: 5000}'
same_rates "$FW_REF" "$OUT/da_window.h5"
echo PASS
