#!/usr/bin/env bash
# The runtime guard (docs/reproducibility.md): a model that turns infinite while running stops, names the area,
# the variable and the model time, keeps the records written so far in OUT.partial and exits 1 on every rank.
# Usage: nonfinite_guard.sh BIN OUT SOURCE_DIR
BIN=$1 OUT=$2 SRC=$3
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; rm -f "$OUT"/nf*
expect_rc 1 "$OUT/nf.log" -- mpi 2 "$BIN" run "$SRC/tests/data/tiny/unstable_generic.yaml" -o "$OUT/nf.h5"
msg=$(grep "^cortexsim: error: " "$OUT/nf.log") || { cat "$OUT/nf.log"; fail "no error line"; }
[ "$(grep -c "error:" "$OUT/nf.log")" = 1 ] || { cat "$OUT/nf.log"; fail "expected one error line"; }
echo "$msg" | grep -q "unstable_generic.yaml: the model turned non-finite: area B, variable E = \(-\?inf\|nan\) at t = [0-9.]* ms (step [0-9]*); the records up to then are in $OUT/nf.h5.partial; stopped" \
  || fail "message: $msg"
t=$(echo "$msg" | sed 's/.* at t = \([0-9.]*\) ms.*/\1/')
[ -e "$OUT/nf.h5" ] && fail "an incomplete output took the final name"
[ -f "$OUT/nf.h5.partial" ] || fail "the records were not kept"
/usr/bin/python3 - "$OUT/nf.h5.partial" "$t" <<'PY' || fail "records before the blow-up"
import sys, h5py, numpy as np
t_bad = float(sys.argv[2])
with h5py.File(sys.argv[1], 'r') as f:
    r = f['rates'][:]                      # [record, area, population], record interval 1 ms
assert r.shape == (1001, 3, 1), r.shape
k = int(round(t_bad))                      # record index of the reported time
assert 150 < k < 400, k                    # e-fold 0.34 ms from 1 Hz at 10 ms: overflow near 255 ms
before = r[:k]
assert np.all(np.isfinite(before)), 'non-finite before the reported time'
assert not np.isfinite(r[k, 1, 0]), ('the reported record is finite', r[k])
assert np.all(before[:, [0, 2], 0] == 0.0), 'A and C must stay at rest'
assert before[k - 1, 1, 0] > 1e290, before[k - 1, 1, 0]
assert np.all(np.diff(before[11:, 1, 0]) > 0), 'B grows'
print('records before t = %g ms finite, B at %g Hz just before' % (t_bad, before[k - 1, 1, 0]))
PY
echo PASS
