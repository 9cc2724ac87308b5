#!/usr/bin/env bash
# Chaudhuri 2015 with per-area noise (configs/models/chaudhuri2015_noise_per_area.yaml), on 2 ranks, against
# (tests/models/ref_chaudhuri2015_noise_per_area.py):
#  1. noise off, the V1 pulse of configs/chaudhuri2015.yaml: (10, 35) Hz in every area before the pulse (the
#     background solve) and r_E, r_I equal to the hand-written linear_ei circuit (configs/chaudhuri2015.yaml, same
#     dt) to 1e-9 relative for 2.5 s;
#  2. noise on, 60 s: V1's stationary E-rate variance (after 5 s) vs the discrete Lyapunov equation of the
#     Euler-Maruyama scheme P = M P M^T + dt B B^T (within 4 SD of the estimator), every area's SD within a factor 2.
# Usage: validate_chaudhuri2015_noise_per_area.sh BIN TOOLS OUT SRC
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/../cli/lib.sh"
CFG=$SRC/configs/models/chaudhuri2015_noise_per_area.yaml
REF="/usr/bin/python3 $SRC/tests/models/ref_chaudhuri2015_noise_per_area.py"
mkdir -p "$OUT" && rm -f "$OUT"/*.h5
expect_rc 0 "$OUT/eq.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/eq.h5" --quiet --set model.equations.parameters.noise_scale=0 \
  --set 'stimuli=[{name: pulse, area: V1, population: r_E, onset_ms: 100, duration_ms: 250, amplitude: 41.8646}]'
expect_rc 0 "$OUT/linear.log" -- mpi 2 "$BIN" run "$SRC/configs/chaudhuri2015.yaml" -o "$OUT/linear.h5" --quiet \
  --set run.dt_ms=0.2
(cd "$SRC/tests/models" && $REF fixed "$SRC" "$OUT/eq.h5" "$OUT/linear.h5") || fail "fixed point / linear_ei"
expect_rc 0 "$OUT/noise.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/noise.h5" --quiet --set run.t_end_ms=60000 \
  --set run.record_interval_ms=1 --set 'model.equations.record=[r_E]'
(cd "$SRC/tests/models" && $REF variance "$SRC" "$OUT/noise.h5" 0.2 5000) || fail "stationary variance"
echo "PASS chaudhuri2015_noise_per_area"
