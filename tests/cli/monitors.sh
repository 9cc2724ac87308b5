#!/usr/bin/env bash
# Monitors and their analyses (docs/observables.md) on configs/resting_state.yaml, shortened to 200 s:
# /monitors/bold/{data,time}, /monitors/rates_1s/{data,time}, /analysis/fc/bold (symmetric, unit diagonal,
# equal to numpy's corrcoef of the written BOLD after discard_ms) and /analysis/fcd/bold are the same bytes on
# 1, 2, 3 and 4 ranks and after a checkpoint on 2 ranks continued on 3 (the BOLD state and the series so far are
# in the checkpoint). Usage: monitors.sh BIN TOOLS OUT SOURCE_DIR
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"
CFG=$SRC/configs/resting_state.yaml
# a lead field of 3 sensors (a projection monitor) and the raw E every 100 ms to check it against
/usr/bin/python3 - "$OUT/lead_field.csv" "$SRC/configs/data/chaudhuri2015/areas_hierarchy.csv" <<'PY' || fail "lead field"
import csv, sys
areas = [r["area"] for r in csv.DictReader(open(sys.argv[2]))]
with open(sys.argv[1], "w") as o:
    o.write("sensor," + ",".join(areas[::-1]) + "\n")  # columns in another order than the areas
    for s in range(3):
        o.write("S%d," % s + ",".join("%.3f" % (((7 * s + 3 * i) % 11) / 10.0 - 0.4) for i in range(len(areas))) + "\n")
PY
SET=(--set run.t_end_ms=200000 --set monitors.0.discard_ms=20000 --set monitors.0.fcd.window_samples=20
     --set monitors.0.fcd.step_samples=10 --set monitors.2.discard_ms=20000
     --set "monitors.3={name: eeg, kind: projection, variables: [E], matrix: $OUT/lead_field.csv, period_ms: 100}"
     --set "monitors.4={name: e100, kind: raw, variables: [E], period_ms: 100}")
DS="/monitors/bold/data /monitors/bold/time /monitors/rates_1s/data /monitors/rates_1s/time /analysis/fc/bold
    /analysis/fcd/bold /monitors/lfp/data /analysis/psd/lfp /analysis/psd/lfp_frequency_hz /monitors/eeg/data /rates"
sums() { for d in $DS; do "$TOOLS/rates_sha256" "$1" "$d" || fail "no $d in $1"; done; }
for n in 1 2 3 4; do
  rm -f "$OUT/np$n.h5"
  expect_rc 0 "$OUT/np$n.log" -- mpi "$n" "$BIN" run "$CFG" -o "$OUT/np$n.h5" --quiet "${SET[@]}"
  sums "$OUT/np$n.h5" > "$OUT/np$n.sha"
done
cmp "$OUT/np1.sha" "$OUT/np2.sha" || fail "monitors differ between 1 and 2 ranks"
cmp "$OUT/np1.sha" "$OUT/np3.sha" || fail "monitors differ between 1 and 3 ranks"
cmp "$OUT/np1.sha" "$OUT/np4.sha" || fail "monitors differ between 1 and 4 ranks"
# a checkpoint at 77 s (between two TRs, inside an average period) on 2 ranks, continued on 3
o=$OUT/restart.h5; rm -f "$o" "$o.partial" "$o.ckpt"
expect_rc 3 "$OUT/restart_1.log" -- mpi 2 "$BIN" run "$CFG" -o "$o" --until-s 77.3 "${SET[@]}"
expect_rc 0 "$OUT/restart_2.log" -- mpi 3 "$BIN" run "$CFG" -o "$o" --resume "${SET[@]}"
sums "$o" > "$OUT/restart.sha"
cmp "$OUT/np1.sha" "$OUT/restart.sha" || fail "monitors differ after a checkpoint and restart"
# the numbers: FC against numpy, shapes, dimension scales
/usr/bin/python3 - "$OUT/np1.h5" <<'PY' || fail "FC check"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
b, t = f["/monitors/bold/data"][()], f["/monitors/bold/time"][()]
assert b.shape == (100, 29, 1) and t[0] == 2.0 and t[-1] == 200.0, (b.shape, t[0], t[-1])
fc = f["/analysis/fc/bold"][()]
assert np.array_equal(fc, fc.T) and np.all(np.diag(fc) == 1.0)
ref = np.corrcoef(b[t >= 20.0, :, 0].T)
assert np.abs(fc - ref).max() < 1e-12, np.abs(fc - ref).max()
assert f["/analysis/fcd/bold"].shape == (8, 8)
r = f["/monitors/rates_1s/data"][()]
rates = f["/rates"][()]  # [record, area, population], records every 20 ms: a 1 s period holds 50 records
assert r.shape == (200, 29, 2)
assert np.abs(r[0] - rates[1:51].mean(axis=0)).max() < 1e-9
assert [s.name for s in f["/monitors/bold/data"].dims[0].values()] == ["/monitors/bold/time"]
assert [s.name for s in f["/monitors/bold/data"].dims[1].values()] == ["/areas"]
# LFP: the Welch PSD equals numpy's (periodic Hann, half overlap, mean removed, one-sided density)
lfp, L = f["/monitors/lfp/data"][()][:, :, 0], 256
lt = (np.arange(lfp.shape[0]) + 1) * 0.02
y = lfp[lt >= 20.0]
w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(L) / L)
segs = [y[s:s + L] for s in range(0, y.shape[0] - L + 1, L // 2)]
P = np.mean([np.abs(np.fft.rfft((s - s.mean(0)) * w[:, None], axis=0)) ** 2 for s in segs], axis=0)
P[1:-1] *= 2
P /= 50.0 * (w ** 2).sum()
psd = f["/analysis/psd/lfp"][()]
assert psd.shape == (29, 129) and np.allclose(psd, P.T, rtol=1e-9, atol=0), np.abs(psd - P.T).max()
assert f["/analysis/psd/lfp_frequency_hz"][-1] == 25.0
# projection: sensors = lead field x E (the columns name the areas in another order)
import csv
rows = list(csv.reader(open(sys.argv[1].rsplit("/", 1)[0] + "/lead_field.csv")))
names = [n.decode() if isinstance(n, bytes) else n for n in f["/areas"][()]]
Lf = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
Lf = Lf[:, [rows[0][1:].index(n) for n in names]]
eeg, e100 = f["/monitors/eeg/data"][()][:, :, 0], f["/monitors/e100/data"][()][:, :, 0]
assert eeg.shape == (2000, 3) and e100.shape == (2001, 29), (eeg.shape, e100.shape)
assert np.allclose(eeg, e100[1:] @ Lf.T, rtol=1e-12, atol=1e-12), np.abs(eeg - e100[1:] @ Lf.T).max()
print("FC = corrcoef of the BOLD after discard (max diff %.1e); mean off-diagonal FC %.3f" %
      (np.abs(fc - ref).max(), fc[np.triu_indices(29, 1)].mean()))
PY
echo PASS
