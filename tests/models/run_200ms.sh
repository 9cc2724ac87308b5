#!/usr/bin/env bash
# Every config of the model library runs for 200 ms of model time on 2 ranks and writes finite /rates.
# Usage: run_200ms.sh BIN TOOLS OUT CONFIG
BIN=$1 TOOLS=$2 OUT=$3 CFG=$4
source "$(dirname "$0")/../cli/lib.sh"
mkdir -p "$OUT"
rm -f "$OUT/out.h5"
expect_rc 0 "$OUT/run.log" -- mpi 2 "$BIN" run "$CFG" -o "$OUT/out.h5" --quiet --set run.t_end_ms=200
/usr/bin/python3 - "$OUT/out.h5" <<'PY' || fail "/rates of $CFG"
import sys, h5py, numpy as np
r = h5py.File(sys.argv[1], "r")["/rates"][()]
assert r.size > 0, "empty /rates"
assert np.all(np.isfinite(r)), "non-finite /rates"
print("ok", r.shape)
PY
