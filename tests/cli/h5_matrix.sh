#!/usr/bin/env bash
# Connectivity from HDF5: the FLN as a dataset with an "areas" attribute gives the same rates as the CSV;
# names that do not match the area list are refused naming the file, dataset and area.
# Usage: h5_matrix.sh BIN TOOLS OUT SOURCE_DIR REF.h5
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4 REF=$5
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; rm -f "$OUT"/h5m*.h5 "$OUT"/conn*.h5
/usr/bin/python3 - "$SRC/configs/data/chaudhuri2015/fln_29x29.csv" "$OUT/conn.h5" "$OUT/conn_bad.h5" <<'PY'
import sys, csv, numpy as np, h5py
rows = list(csv.reader(open(sys.argv[1])))
names = rows[0][1:]
m = np.array([[float(x) for x in r[1:]] for r in rows[1:]])
with h5py.File(sys.argv[2], 'w') as f:
    d = f.create_dataset('fln', data=m); d.attrs['areas'] = names       # variable-length strings
with h5py.File(sys.argv[3], 'w') as f:
    bad = list(names); bad[3] = 'XX'
    d = f.create_dataset('fln', data=m); d.attrs['areas'] = np.array(bad, dtype='S8')  # fixed-length strings
PY
sed -e "s#file: data/#file: $SRC/configs/data/#" -e "s#fln: data/chaudhuri2015/fln_29x29.csv#fln: {file: $OUT/conn.h5, dataset: /fln}#" \
    "$SRC/configs/chaudhuri2015_generic.yaml" > "$OUT/h5m.yaml"
grep -q "conn.h5" "$OUT/h5m.yaml" || fail "config rewrite failed"
expect_rc 0 "$OUT/h5m_1.log" -- mpi 2 "$BIN" run "$OUT/h5m.yaml" -o "$OUT/h5m.h5" --quiet
same_rates "$REF" "$OUT/h5m.h5"
expect_rc 1 "$OUT/h5m_2.log" -- mpi 2 "$BIN" run "$OUT/h5m.yaml" -o "$OUT/h5m_bad.h5" \
    --set "model.connectivity.matrices.fln.file=$OUT/conn_bad.h5"
grep -q "^cortexsim: error: $OUT/conn_bad.h5:/fln: area 3 is 'XX' but the area list has 'DP' there" "$OUT/h5m_2.log" \
  || fail "bad names not reported"
echo PASS
