#!/usr/bin/env bash
# Froudist-Walsh Fig 4 (short-term facilitation, DA 0.5): after a cue the memory is activity-silent, and a
# non-selective ping reactivates the cued column E1 over E2 in many areas; without the cue the ping response is
# symmetric. Usage: fw_stp.sh BIN OUT CONFIG
BIN=$1 OUT=$2 CONFIG=$3
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; rm -f "$OUT"/*.h5
expect_rc 0 "$OUT/cue.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$OUT/cue.h5" --quiet
expect_rc 0 "$OUT/nocue.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$OUT/nocue.h5" --quiet --set stimuli.0.amplitude=0
/usr/bin/python3 - "$OUT/cue.h5" "$OUT/nocue.h5" <<'PY' || fail "ping reactivation"
import sys, h5py
def selective(path):
    with h5py.File(path, "r") as f:
        d = f["/analysis/delay_mean_hz"][()]
        pops = [p.decode() if isinstance(p, bytes) else p for p in f["/populations"][()]]
        e1, e2 = pops.index("E1"), pops.index("E2")
        return int(((d[:, e1] - d[:, e2]) > 1.0).sum()), int(((d[:, e2] - d[:, e1]) > 1.0).sum())
cue, nocue = selective(sys.argv[1]), selective(sys.argv[2])
print("after the ping, areas with E1 - E2 > 1 Hz (and E2 - E1 > 1 Hz): cue", cue, "no cue", nocue)
sys.exit(0 if cue[0] >= 8 and cue[1] == 0 and nocue == (0, 0) else 1)
PY
echo PASS
