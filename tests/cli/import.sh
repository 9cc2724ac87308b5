#!/usr/bin/env bash
# cortexsim import: a 76-region TVB connectivity zip (tests/import/make_tvb_zip.py) imports into 76x76 weights and
# tract lengths equal to the text files, labels from centres.txt, centres, flags; a config using the imported file
# (areas, weights, delays from the tract lengths) runs on 1 and 2 ranks with the same rates, and naming the zip
# directly gives the same rates; text matrices with a labels file and a MATLAB v7.3 file import too; bad input
# (missing member, non-square matrix, label count mismatch, a v5 .mat header without content, existing output) is
# one error line naming the file, exit 1. (MATLAB v5/v7 files with content: tests/cli/import_mat_v5.sh)
# Usage: import.sh BIN TOOLS OUT SOURCE_DIR
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
rm -rf "$OUT"; mkdir -p "$OUT"
$PY "$SRC/tests/import/make_tvb_zip.py" "$OUT/conn76.zip" || fail "fixture"

# --help answers without MPI
expect_rc 0 "$OUT/help.log" -- "$BIN" import --help
grep -q "^usage: cortexsim import FILE -o CONN.h5" "$OUT/help.log" || fail "import --help"

expect_rc 0 "$OUT/imp.log" -- "$BIN" import "$OUT/conn76.zip" -o "$OUT/conn76.h5"
grep -q "76 regions (76x76 weights, tract lengths, centres) -> $OUT/conn76.h5" "$OUT/imp.log" || fail "import line"
$PY - "$OUT/conn76.zip" "$OUT/conn76.h5" <<'PY' || fail "imported values"
import sys, io, zipfile, numpy as np, h5py
z = zipfile.ZipFile(sys.argv[1])
txt = lambda n: np.loadtxt(io.StringIO(z.read(n).decode()), dtype=object if n == "centres.txt" else float)
with h5py.File(sys.argv[2], "r") as f:
    for name, member in [("weights", "weights.txt"), ("tract_lengths", "tract_lengths.txt")]:
        d = f[name]
        assert d.shape == (76, 76), (name, d.shape)
        assert np.array_equal(d[()], txt(member)), name
    cen = txt("centres.txt")
    labels = [str(x) for x in cen[:, 0]]
    assert [a.decode() for a in f["weights"].attrs["areas"]] == labels
    assert [a.decode() for a in f["areas"][()]] == labels
    assert np.array_equal(f["centres"][()], cen[:, 1:].astype(float))
    c = f["centres"][()]
    assert np.allclose(f["centre_distances"][()], np.linalg.norm(c[:, None, :] - c[None, :, :], axis=2), rtol=0, atol=1e-12)
    for name, member in [("cortical", "cortical.txt"), ("hemispheres", "hemispheres.txt"), ("region_areas", "areas.txt")]:
        assert np.array_equal(f[name][()], txt(member)), name
    assert f.attrs["format"].decode() == "cortexsim connectome 1"
print("values OK")
PY

# an existing output is kept
expect_rc 1 "$OUT/exists.log" -- "$BIN" import "$OUT/conn76.zip" -o "$OUT/conn76.h5"
grep -q "^cortexsim: error: $OUT/conn76.h5: exists (use --overwrite to replace it)$" "$OUT/exists.log" || fail "exists"
expect_rc 0 "$OUT/over.log" -- "$BIN" import "$OUT/conn76.zip" -o "$OUT/conn76.h5" --overwrite

# a config on the imported connectome: linear E/I, rows normalised, delays from the tract lengths at 3.5 m/s
cat > "$OUT/tvb.yaml" <<YAML
model:
  name: tvb76
  circuit: linear_ei
  areas: {file: conn76.h5}
  parameters: {w_EE: 24.3, w_IE: 12.2}
  connectivity:
    matrices:
      w: {file: conn76.h5, dataset: /weights}
      d: {file: conn76.h5, dataset: /tract_lengths}
    delays: {distance: d, velocity_m_per_s: 3.5}
  projections:
    - {name: E_to_E, source: E, target: E, matrix: w, normalise_rows: true, scale: 20}
    - {name: E_to_I, source: E, target: I, matrix: w, normalise_rows: true, scale: 15}
stimuli:
  - {name: pulse, area: rV1, population: E, onset_ms: 10, duration_ms: 50, amplitude_hz: 20}
run: {t_end_ms: 200, dt_ms: 0.1, record_interval_ms: 1}
output: {path: tvb76.h5}
YAML
expect_rc 0 "$OUT/check.log" -- "$BIN" check "$OUT/tvb.yaml"
grep -q "OK: model 'tvb76', 76 areas x 2 populations" "$OUT/check.log" || fail "check"
expect_rc 0 "$OUT/run1.log" -- mpi 1 "$BIN" run "$OUT/tvb.yaml" -o "$OUT/run1.h5" --quiet
expect_rc 0 "$OUT/run2.log" -- mpi 2 "$BIN" run "$OUT/tvb.yaml" -o "$OUT/run2.h5" --quiet
same_rates "$OUT/run1.h5" "$OUT/run2.h5"
$PY - "$OUT/run2.h5" <<'PY' || fail "run output"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    r = f["rates"][()]
    assert r.shape[1] == 76, r.shape
    assert np.isfinite(r).all()
    names = [a.decode() for a in f["areas"][()]]
    e = r[:, :, 0] if r.ndim == 3 else r
    v1, far = names.index("rV1"), names.index("lPFCPOL")
    assert e[:, v1].max() > e[:, far].max() > e[0, far], "the pulse must spread from rV1"
print("run OK")
PY
# the zip named directly: the same rates
sed -e "s#file: conn76.h5, dataset: /weights#file: conn76.zip, dataset: weights#" \
    -e "s#file: conn76.h5, dataset: /tract_lengths#file: conn76.zip, dataset: tract_lengths#" \
    -e "s#areas: {file: conn76.h5}#areas: {file: conn76.zip}#" "$OUT/tvb.yaml" > "$OUT/tvb_zip.yaml"
grep -q "conn76.h5" "$OUT/tvb_zip.yaml" && fail "config rewrite"
expect_rc 0 "$OUT/runz.log" -- mpi 2 "$BIN" run "$OUT/tvb_zip.yaml" -o "$OUT/runz.h5" --quiet
same_rates "$OUT/run1.h5" "$OUT/runz.h5"
# a gradient over the hierarchy: the imported connectome has none
expect_rc 1 "$OUT/hier.log" -- "$BIN" check "$OUT/tvb.yaml" --set "model.gradients={s: {vector: hierarchy}}"
grep -q "^cortexsim: error: .*'model.gradients.s.vector' = 'hierarchy', but the area table has no hierarchy column" \
  "$OUT/hier.log" || fail "hierarchy error"

# text matrices: a whitespace matrix with a labels file and a tract-length matrix (transposed input)
unzip -p "$OUT/conn76.zip" weights.txt > "$OUT/w.txt"; unzip -p "$OUT/conn76.zip" tract_lengths.txt > "$OUT/l.txt"
unzip -p "$OUT/conn76.zip" centres.txt | cut -d' ' -f1 > "$OUT/labels.txt"
expect_rc 0 "$OUT/txt.log" -- "$BIN" import "$OUT/w.txt" --lengths "$OUT/l.txt" --labels "$OUT/labels.txt" \
    --transpose -o "$OUT/txt.h5"
$PY - "$OUT/conn76.h5" "$OUT/txt.h5" <<'PY' || fail "text import"
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
assert np.array_equal(a["weights"][()].T, b["weights"][()])
assert np.array_equal(a["tract_lengths"][()].T, b["tract_lengths"][()])
assert list(a["areas"][()]) == list(b["areas"][()])
assert "centres" not in b
PY
# a MATLAB v7.3 file (HDF5 with a 512-byte user block; MATLAB stores the transpose)
$PY - "$OUT/conn76.h5" "$OUT/sc.mat" "$OUT/v5.mat" <<'PY' || fail "mat fixture"
import sys, h5py, numpy as np
src = h5py.File(sys.argv[1], "r")
with h5py.File(sys.argv[2], "w", userblock_size=512) as f:
    d = f.create_dataset("SC", data=src["weights"][()].T); d.attrs["MATLAB_class"] = np.bytes_("double")
    d = f.create_dataset("tract_lengths", data=src["tract_lengths"][()].T); d.attrs["MATLAB_class"] = np.bytes_("double")
    refs = f.create_group("#refs#")
    labels = [a.decode() for a in src["areas"][()]]
    rs = []
    for i, s in enumerate(labels):
        c = refs.create_dataset("c%d" % i, data=np.array([[ord(ch)] for ch in s], dtype=np.uint16))
        c.attrs["MATLAB_class"] = np.bytes_("char")
        rs.append(c.ref)
    d = f.create_dataset("labels", data=np.array([rs], dtype=h5py.ref_dtype)); d.attrs["MATLAB_class"] = np.bytes_("cell")
with open(sys.argv[2], "r+b") as f:
    f.write(b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .")
with open(sys.argv[3], "wb") as f:
    f.write(b"MATLAB 5.0 MAT-file, Platform: GLNXA64".ljust(116) + bytes(12))
PY
expect_rc 0 "$OUT/mat.log" -- "$BIN" import "$OUT/sc.mat" --weights SC -o "$OUT/mat.h5"
$PY - "$OUT/conn76.h5" "$OUT/mat.h5" <<'PY' || fail "mat import"
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for k in ["weights", "tract_lengths", "areas"]:
    assert np.array_equal(a[k][()], b[k][()]), k
PY

# bad input: one line naming the file, exit 1
$PY "$SRC/tests/import/make_tvb_zip.py" "$OUT/nolen.zip" --drop tract_lengths.txt
expect_rc 1 "$OUT/bad1.log" -- "$BIN" import "$OUT/nolen.zip" -o "$OUT/bad1.h5"
grep -q "^cortexsim: error: $OUT/nolen.zip: missing member 'tract_lengths.txt'" "$OUT/bad1.log" || fail "missing member"
$PY "$SRC/tests/import/make_tvb_zip.py" "$OUT/rows.zip" --rows 75
expect_rc 1 "$OUT/bad2.log" -- "$BIN" import "$OUT/rows.zip" -o "$OUT/bad2.h5"
grep -q "^cortexsim: error: $OUT/rows.zip:weights.txt: matrix is not square (75 rows, 76 columns)$" "$OUT/bad2.log" \
  || fail "non-square"
head -n 70 "$OUT/labels.txt" > "$OUT/labels70.txt"
expect_rc 1 "$OUT/bad3.log" -- "$BIN" import "$OUT/w.txt" --labels "$OUT/labels70.txt" -o "$OUT/bad3.h5"
grep -q "^cortexsim: error: $OUT/labels70.txt: has 70 labels for a 76x76 matrix$" "$OUT/bad3.log" || fail "labels count"
expect_rc 1 "$OUT/bad4.log" -- "$BIN" import "$OUT/v5.mat" -o "$OUT/bad4.h5"
grep -q "^cortexsim: error: $OUT/v5.mat: cannot be read as a MATLAB v5/v7 .mat file" "$OUT/bad4.log" || fail "v5 mat"
expect_rc 2 "$OUT/bad5.log" -- "$BIN" import "$OUT/conn76.zip"
grep -q "^cortexsim: error: import needs -o CONN.h5$" "$OUT/bad5.log" || fail "no -o"
for f in "$OUT"/bad*.log; do [ "$(wc -l < "$f")" -eq 1 ] || fail "$f is not one line"; done
for n in 1 2 3 4 5; do [ ! -e "$OUT/bad$n.h5" ] || fail "bad$n.h5 written"; done
echo PASS
