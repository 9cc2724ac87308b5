#!/usr/bin/env bash
# cortexsim import of MATLAB v5/v7 .mat files (libmatio): files written at test time by scipy.io.savemat
# (tests/import/make_mat_files.py), uncompressed (v5) and zlib-compressed (v7), import to weights, tract lengths and
# labels equal bit for bit to those written, and to the same CONN.h5 data as a v7.3 (HDF5) file of the same
# matrices; single, int32, uint8, logical and sparse weights, a char-matrix of labels; bad input (missing
# variable, non-square, non-numeric, complex, 3-D, labels of the wrong count, a v4 file, a truncated file, a
# non-MAT file) is one error line naming the file and variable, exit 1, no output. The binary loads one HDF5.
# Usage: import_mat_v5.sh BIN TOOLS OUT SOURCE_DIR
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
rm -rf "$OUT"; mkdir -p "$OUT"
$PY "$SRC/tests/import/make_tvb_zip.py" "$OUT/conn76.zip" || fail "zip fixture"
expect_rc 0 "$OUT/zip.log" -- "$BIN" import "$OUT/conn76.zip" -o "$OUT/conn76.h5"
$PY "$SRC/tests/import/make_mat_files.py" "$OUT/conn76.h5" "$OUT" || fail "mat fixtures"

# libmatio linked without its serial HDF5: the process has only the parallel HDF5 of the rest of cortexsim
if ldd "$BIN" | grep -q "libhdf5_serial"; then fail "cortexsim loads Debian's serial libhdf5 (through libmatio)"; fi

expect_rc 0 "$OUT/help.log" -- "$BIN" import --help
grep -q "MATLAB v5/v7 (also compressed) or v7.3" "$OUT/help.log" || fail "import --help names v5"

# v5 (uncompressed), v7 (compressed: SC and region_labels found by their default names, a char matrix) and v7.3
expect_rc 0 "$OUT/v5.log" -- "$BIN" import "$OUT/v5.mat" -o "$OUT/v5.h5"
grep -q "76 regions (76x76 weights, tract lengths) -> $OUT/v5.h5" "$OUT/v5.log" || fail "v5 import line"
expect_rc 0 "$OUT/v7.log" -- "$BIN" import "$OUT/v7.mat" -o "$OUT/v7.h5"
expect_rc 0 "$OUT/v73.log" -- "$BIN" import "$OUT/v73.mat" -o "$OUT/v73.h5"
$PY - "$OUT/conn76.h5" "$OUT/v5.h5" "$OUT/v7.h5" "$OUT/v73.h5" <<'PY' || fail "v5/v7 values"
import sys, h5py
ref = h5py.File(sys.argv[1], "r")
for path, fmt in zip(sys.argv[2:], ["mat-v5", "mat-v5", "mat-v7.3"]):
    with h5py.File(path, "r") as f:
        for k in ["weights", "tract_lengths"]:
            a, b = ref[k][()], f[k][()]
            assert a.dtype == b.dtype and a.shape == b.shape == (76, 76) and a.tobytes() == b.tobytes(), (path, k)
        assert list(f["areas"][()]) == list(ref["areas"][()]), path
        assert f.attrs["source_format"].decode() == fmt, (path, f.attrs["source_format"])
print("v5/v7 values OK")
PY
for d in /weights /tract_lengths /areas; do
  h5dump -A 0 -d $d "$OUT/v73.h5" | tail -n +3 > "$OUT/a.txt"
  for v in v5 v7; do
    h5dump -A 0 -d $d "$OUT/$v.h5" | tail -n +3 > "$OUT/b.txt"
    cmp -s "$OUT/a.txt" "$OUT/b.txt" || fail "$d of $v.mat differs from the v7.3 import"
  done
done
# --weights/--lengths/--labels name the variables; --transpose as for text input
expect_rc 0 "$OUT/named.log" -- "$BIN" import "$OUT/v7.mat" --weights tract_lengths --lengths SC \
    --labels region_labels --transpose -o "$OUT/named.h5"
$PY - "$OUT/conn76.h5" "$OUT/named.h5" <<'PY' || fail "named variables"
import sys, h5py
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
assert (a["tract_lengths"][()].T == b["weights"][()]).all() and (a["weights"][()].T == b["tract_lengths"][()]).all()
PY

# other classes of the weights: single, int32, logical, sparse, uint8; uint16 lengths
i=0
for w in w_single w_int32 w_logical w_sparse w_uint8; do
  expect_rc 0 "$OUT/$w.log" -- "$BIN" import "$OUT/classes.mat" --weights $w --lengths l_uint16 -o "$OUT/$w.h5"
done
$PY - "$OUT" <<'PY' || fail "classes"
import sys, h5py, numpy as np
out = sys.argv[1]
exp = np.load(out + "/classes_expected.npy")
for i, w in enumerate(["w_single", "w_int32", "w_logical", "w_sparse", "w_uint8"]):
    with h5py.File("%s/%s.h5" % (out, w), "r") as f:
        assert f["weights"][()].tobytes() == exp[i].tobytes(), w
        assert f["tract_lengths"][()].tobytes() == exp[5].tobytes(), w
assert exp[3].min() == 0 and (exp[3] > 0).sum() > 100  # the sparse matrix has zeros and entries
print("classes OK")
PY

# bad input: one line naming the file and the variable, exit 1, no output
bad() {  # bad NAME EXPECTED-LINE -- import arguments...
  local name=$1 want=$2; shift 3
  expect_rc 1 "$OUT/$name.log" -- "$BIN" import "$@" -o "$OUT/$name.h5"
  [ "$(wc -l < "$OUT/$name.log")" -eq 1 ] || { cat "$OUT/$name.log"; fail "$name: not one line"; }
  grep -qxF "cortexsim: error: $want" "$OUT/$name.log" || { cat "$OUT/$name.log"; fail "$name: expected '$want'"; }
  [ ! -e "$OUT/$name.h5" ] || fail "$name.h5 written"
}
B=$OUT/bad.mat
bad missing "$B: variable 'nope': no such variable" -- "$B" --weights nope
bad missing_len "$B: variable 'FL': no such variable" -- "$B" --lengths FL
bad missing_lab "$B: variable 'names': no such variable" -- "$B" --labels names
bad noweights "$OUT/noweights.mat: no variable 'weights' (variables: foo, bar); name it with --weights VAR" \
  -- "$OUT/noweights.mat"
bad nonsquare "$B: variable 'nonsquare': matrix is not square (75 rows, 76 columns)" -- "$B" --weights nonsquare
bad len_size "$B: variable 'nonsquare': matrix is not square (75 rows, 76 columns)" -- "$B" --lengths nonsquare
bad chars "$B: variable 'chars': is not a numeric matrix (MATLAB class char)" -- "$B" --weights chars
bad cellw "$B: variable 'cellw': is not a numeric matrix (MATLAB class cell)" -- "$B" --weights cellw
bad complexw "$B: variable 'complexw': is complex (a real matrix is needed)" -- "$B" --weights complexw
bad cube "$B: variable 'cube': is not a 2-D matrix (3 dimensions)" -- "$B" --weights cube
expect_rc 1 "$OUT/negative.log" -- "$BIN" import "$B" --weights negative -o "$OUT/negative.h5"
grep -qx "cortexsim: error: $B: variable 'negative': value -[0-9.e-]* at row [0-9]*, column [0-9]* is negative" \
  "$OUT/negative.log" || { cat "$OUT/negative.log"; fail "negative"; }
bad labels70 "$B: variable 'labels70': has 70 labels for a 76x76 matrix" -- "$B" --labels labels70
bad labels_num "$B: variable 'weights': is neither a char array nor a cell array (MATLAB class double)" \
  -- "$B" --labels weights
bad mixed "$B: variable 'mixed' cell 4: is not a char array (MATLAB class double)" -- "$B" --labels mixed
bad int64 "$OUT/classes.mat: variable 'w_int64_big': value at row 1, column 1 is an integer a double cannot hold exactly" \
  -- "$OUT/classes.mat" --weights w_int64_big
bad v4 "$OUT/v4.mat: is a MATLAB v4 .mat file, which is not read: save it with save(..., '-v7') or '-v7.3'" \
  -- "$OUT/v4.mat"
bad junk "$OUT/junk.mat: is not a MATLAB .mat file (no v5/v7 header, no v7.3 HDF5 signature)" -- "$OUT/junk.mat"
# truncated files (libmatio only warns, and would give zeros for the missing data)
for t in truncated truncated5; do
  expect_rc 1 "$OUT/$t.log" -- "$BIN" import "$OUT/$t.mat" -o "$OUT/$t.h5"
  [ "$(wc -l < "$OUT/$t.log")" -eq 1 ] || { cat "$OUT/$t.log"; fail "$t: not one line"; }
  grep -q "^cortexsim: error: $OUT/$t.mat: cannot be read as a MATLAB v5/v7 .mat file (.*end-of-file" "$OUT/$t.log" \
    || { cat "$OUT/$t.log"; fail "$t: names the file and the problem"; }
  [ ! -e "$OUT/$t.h5" ] || fail "$t.h5 written"
done
echo PASS
