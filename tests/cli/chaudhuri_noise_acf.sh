#!/usr/bin/env bash
# configs/chaudhuri2015_noise.yaml (Chaudhuri 2015 Fig 3B-D protocol) (1 rank; rank counts are covered by the byte contract): its autocorrelation timescales
# equal an FFT autocorrelation of its own records (1 % median), and the exact stationary ones of the linear model
# from a discrete Lyapunov solve (1/e: 3 % median, 10 % worst; the paper's fit rule: 5 % median).
# Usage: chaudhuri_noise_acf.sh BIN TOOLS OUT SOURCE_DIR
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"
CFG=$SRC/configs/chaudhuri2015_noise.yaml
expect_rc 0 "$OUT/run.log" -- "$BIN" run "$CFG" -o "$OUT/noise.h5" --overwrite --quiet
/usr/bin/python3 "$SRC/tests/acf_fft_check.py" "$OUT/noise.h5" > "$OUT/fft.log" 2>&1 || { cat "$OUT/fft.log"; fail "FFT check"; }
tail -1 "$OUT/fft.log"
"$TOOLS/exact_acf" "$CFG" "$OUT/noise.h5" > "$OUT/exact.log" 2>&1 || { cat "$OUT/exact.log"; fail "exact timescales"; }
tail -2 "$OUT/exact.log"
rm -f "$OUT/noise.h5"
echo PASS
