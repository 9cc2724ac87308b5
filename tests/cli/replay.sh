#!/usr/bin/env bash
# cortexsim replay re-runs an output from what the file holds (config, embedded data) on another rank count
# and finds /rates bit-identical; a file whose embedded data were tampered with is refused.
# Usage: replay.sh BIN TOOLS OUT FILE.h5
BIN=$1 TOOLS=$2 OUT=$3 FILE=$4
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"
expect_rc 0 "$OUT/replay_1.log" -- mpi 3 "$BIN" replay "$FILE"
grep -q "replay of $FILE on 3 ranks: /rates bit-identical (145058 values)" "$OUT/replay_1.log" || fail "no identity line"
cp "$FILE" "$OUT/tampered.h5"
/usr/bin/python3 - "$OUT/tampered.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], 'r+') as f:
    d = f['/provenance/data_files/1']   # the FLN matrix
    b = d[...]; b[100] = (int(b[100]) + 1) % 256; d[...] = b
PY
expect_rc 1 "$OUT/replay_2.log" -- mpi 2 "$BIN" replay "$OUT/tampered.h5"
grep -q "does not match its SHA-256" "$OUT/replay_2.log" || fail "tampered data not detected"
echo PASS
