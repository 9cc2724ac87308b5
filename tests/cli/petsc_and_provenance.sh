#!/usr/bin/env bash
# PETSc options after a lone "--" reach PetscInitialize (an unknown option before it is still refused), and
# /provenance resolved_parameters lists what each circuit type uses (no linear E/I defaults for a generic model).
# Usage: petsc_and_provenance.sh BIN TOOLS OUT SOURCE_DIR
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; rm -f "$OUT"/*.h5
TINY=$SRC/tests/data/tiny/tiny.yaml
# -log_view prints PETSc's profile at PetscFinalize; -options_left names an option nobody used: both reach PETSc
expect_rc 0 "$OUT/petsc.log" -- mpi 2 "$BIN" run "$TINY" -o "$OUT/petsc.h5" --quiet -- -log_view \
  -options_left -cortexsim_test_unused_option 7
grep -q "PETSc Performance Summary" "$OUT/petsc.log" || { cat "$OUT/petsc.log"; fail "-log_view did not reach PETSc"; }
grep -q "cortexsim_test_unused_option" "$OUT/petsc.log" || fail "-options_left did not list the unused option"
expect_rc 0 "$OUT/plain.log" -- mpi 2 "$BIN" run "$TINY" -o "$OUT/plain.h5" --quiet
grep -q "PETSc Performance Summary" "$OUT/plain.log" && fail "a profile without -log_view"
same_rates "$OUT/petsc.h5" "$OUT/plain.h5"
# the command line is still checked before "--"
expect_rc 2 "$OUT/unknown.log" -- mpi 1 "$BIN" run "$TINY" -o "$OUT/x.h5" -log_view
grep -q "unknown option '-log_view'" "$OUT/unknown.log" || fail "an unknown option before -- was accepted"
[ -e "$OUT/x.h5" ] && fail "output written after a refused command line"
grep -q -- "-- PETSC_OPTIONS" <("$BIN" run --help) || fail "run --help does not document -- PETSC_OPTIONS"

# resolved_parameters of each circuit type
expect_rc 0 "$OUT/generic.log" -- mpi 2 "$BIN" run "$SRC/configs/laminar_generic.yaml" -o "$OUT/generic.h5" --quiet \
  --set run.t_end_ms=20
expect_rc 0 "$OUT/fw.log" -- mpi 2 "$BIN" run "$SRC/configs/froudistwalsh2021.yaml" -o "$OUT/fw.h5" --quiet \
  --set run.t_end_ms=20 --set analysis.baseline_ms=[0,10] --set analysis.delay_ms=[10,20] \
  --set stimuli.0.onset_ms=5 --set stimuli.0.duration_ms=5 --set model.parameters.dopamine=2.5
/usr/bin/python3 - "$OUT" <<'PY' || fail "bad resolved_parameters"
import sys, h5py
def rp(path):
    with h5py.File(path, "r") as f:
        v = f["provenance"].attrs["resolved_parameters"]
        return v.decode() if isinstance(v, bytes) else str(v)
out = sys.argv[1]
lin, gen, fw = rp(f"{out}/plain.h5"), rp(f"{out}/generic.h5"), rp(f"{out}/fw.h5")
assert "tau_E_ms: " in lin and "beta_E: " in lin, lin
for unused in ("tau_E_ms", "beta_E", "w_EE", "mu_EE", "r_E_target_hz"):
    assert unused not in gen, f"generic lists linear_ei's {unused}:\n{gen}"
assert "L23_E: {tau_ms: 20, transfer: {kind: threshold_linear" in gen and "noise: ou, noise_sigma: 1" in gen, gen
assert "L56_E: {tau_ms: 30" in gen and "- {to: L23_E, from: L23_E, weight: 0.80000000000000004 * s}" in gen, gen
# every named parameter of the circuit, the config's value where it sets one, the default elsewhere
assert "dopamine: 2.5" in fw and "noise_tau_ms: 2" in fw and "noise_sigma_nA: 0" in fw, fw
print("resolved_parameters ok")
PY
echo PASS
