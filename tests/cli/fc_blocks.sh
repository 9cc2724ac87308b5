#!/usr/bin/env bash
# FC computed in row blocks (docs/observables.md, "FC in blocks"): a synthetic cortex of 2,000 areas with noise
# into every area (`areas: all`: /provenance's resolved_parameters lists a noise stimulus per area, longer than
# the 64 KiB an HDF5 attribute can hold: it goes into the dataset /provenance/resolved_parameters, which this test
# checks) and a raw monitor of [E, I] with fc: true. /analysis/fc/raw is the same bytes on 1, 2, 3 and
# 4 ranks, equals numpy's corrcoef of the written E samples to 1e-12, is symmetric with a unit diagonal, chunked,
# with /areas as the scale of both axes; and no rank holds more than about A^2 / P values of it (the run's log line
# reports the largest piece a rank held). Usage: fc_blocks.sh BIN TOOLS OUT SOURCE_DIR
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"
A=2000
cat > "$OUT/fc_blocks.yaml" <<YAML
model:
  name: fc_blocks
  circuit: linear_ei
  parameters: {tau_E_ms: 20, tau_I_ms: 10, beta_E: 0.066, beta_I: 0.351, w_EE: 24.3, w_IE: 12.2, w_EI: 19.7,
               w_II: 12.5, mu_EE: 33.7, mu_IE: 25.3, eta: 0.68, r_E_target_hz: 10, r_I_target_hz: 35}
  connectivity:
    synthetic: {areas: $A, geometry: sheet, extent_mm: 45, length_constant_mm: 10, density: 0.01, seed: 3}
stimuli:
  - {name: noise, kind: noise, areas: all, population: E, sd_hz: 10}
run: {t_end_ms: 120, dt_ms: 0.2, record_interval_ms: 1, seed: 11}
monitors:
  - {name: raw, kind: raw, variables: [E, I], period_ms: 1, fc: true, discard_ms: 20}
YAML
for n in 1 2 3 4; do
  rm -f "$OUT/np$n.h5"
  expect_rc 0 "$OUT/np$n.log" -- mpi "$n" "$BIN" run "$OUT/fc_blocks.yaml" -o "$OUT/np$n.h5"
  "$TOOLS/rates_sha256" "$OUT/np$n.h5" /analysis/fc/raw > "$OUT/np$n.sha" || fail "no /analysis/fc/raw on $n ranks"
  line=$(grep "/analysis/fc/raw: computed in blocks of rows on $n rank" "$OUT/np$n.log") ||
    { cat "$OUT/np$n.log"; fail "no block report on $n ranks"; }
  most=$(sed -E 's/.*at most ([0-9]+) values.*/\1/' <<<"$line")
  # about A^2 / P values per rank (the row split balances the pairs; a row more at most)
  [ "$most" -le $((A * A / n + 2 * A)) ] || fail "$n ranks: a rank held $most values of the FC, more than A^2/P + 2A"
  [ "$n" -eq 1 ] || [ "$most" -lt $((A * A)) ] || fail "$n ranks: a rank held the whole FC"
  echo "$n ranks: at most $most values of the FC on a rank (A^2 / P = $((A * A / n)))"
done
for n in 2 3 4; do cmp "$OUT/np1.sha" "$OUT/np$n.sha" || fail "FC differs between 1 and $n ranks"; done
/usr/bin/python3 - "$OUT/np1.h5" "$A" "$SRC/python" <<'PY' || fail "FC check"
import sys, h5py, numpy as np
f, A = h5py.File(sys.argv[1], "r"), int(sys.argv[2])
x, t = f["/monitors/raw/data"][()], f["/monitors/raw/time"][()]
assert x.shape[1:] == (A, 2), x.shape
d = f["/analysis/fc/raw"]
fc = d[()]
assert fc.shape == (A, A) and d.chunks == (256, 256), (fc.shape, d.chunks)
assert not np.isnan(fc).any() and np.array_equal(fc, fc.T) and np.all(np.diag(fc) == 1.0)
ref = np.corrcoef(x[t >= 0.02 - 1e-12, :, 0].T)  # the first variable (E), samples from discard_ms on
err = np.abs(fc - ref).max()
assert err < 1e-12, err
assert [s.name for s in d.dims[0].values()] == ["/areas"] and [s.name for s in d.dims[1].values()] == ["/areas"]
assert d.attrs["units"] in (b"1", "1")
off = fc[np.triu_indices(A, 1)]
print("FC of %d areas = corrcoef (max diff %.1e); off-diagonal mean %.3f, sd %.3f" % (A, err, off.mean(), off.std()))
# the resolved parameters (a noise stimulus per area) are too long for an attribute: in a dataset, named by it
note = f["/provenance"].attrs["resolved_parameters"]
note = note.decode() if isinstance(note, bytes) else note
assert note.startswith("stored in the dataset /provenance/resolved_parameters ("), note
text = f["/provenance/resolved_parameters"][()]
text = text.decode() if isinstance(text, bytes) else text
assert len(text) > 65536 and text.count("noise") >= A, (len(text), text[:200])
print("/provenance/resolved_parameters: %d bytes in a dataset" % len(text))
sys.path.insert(0, sys.argv[3])
import cortexsim  # the Python reader follows the attribute to the dataset
assert cortexsim.open(sys.argv[1]).attrs["provenance_resolved_parameters"] == text
PY
echo PASS
