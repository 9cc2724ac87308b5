#!/usr/bin/env bash
# Wong-Wang E/I with feedback inhibition control (configs/models/wong_wang_fic.yaml) against an independent numpy
# reference (tests/models/ref_wong_wang_fic.py), noise off, on 2 ranks: a 0.005 nA pulse into V1's I_E for
# 100-200 ms; the S_E, S_I trajectories (every 10 ms for 6 s) equal the reference's own FIC solve (J_i per area
# from the inverse f-I curve) and Euler integration to 1e-9 relative, the pulse moves V1, and at 6 s every area's
# E rate is back at the FIC target 3 Hz (the reference also checks that the FIC state is stable).
# Usage: validate_wong_wang_fic.sh BIN TOOLS OUT SRC
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/../cli/lib.sh"
CFG=$SRC/configs/models/wong_wang_fic.yaml
mkdir -p "$OUT" && rm -f "$OUT"/*.h5
expect_rc 0 "$OUT/run.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/fic.h5" --quiet --set run.t_end_ms=6000 \
  --set run.record_interval_ms=10 --set model.equations.parameters.sigma=0 \
  --set 'stimuli=[{name: pulse, area: V1, population: S_E, onset_ms: 100, duration_ms: 100, amplitude: 0.005}]'
(cd "$SRC/tests/models" && /usr/bin/python3 ref_wong_wang_fic.py check "$SRC" "$OUT/fic.h5") || fail "FIC"
echo "PASS wong_wang_fic"
