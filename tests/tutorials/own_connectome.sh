#!/usr/bin/env bash
# Runs the ```bash blocks of docs/tutorials/own_connectome.md in order (from a scratch folder holding links to the
# repository's docs/ and tests/): `cortexsim` is this build's binary, `mpirun -n 2` the test launcher, and the run is
# shortened to 20 s of model time (4 s discarded before the FC). Then checks what the tutorial promises: 76x76 weights, BOLD volumes, a 76x76 FC, the
# three sweep points run as the array's tasks and read as one table.
# Usage: own_connectome.sh BIN TOOLS OUT SOURCE_DIR
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/../cli/lib.sh"
rm -rf "$OUT"; mkdir -p "$OUT/work"; cd "$OUT" || fail "cd"
ln -s "$SRC/docs" docs; ln -s "$SRC/tests" tests
awk '/^```bash$/{on=1; next} /^```$/{on=0} on' "$SRC/docs/tutorials/own_connectome.md" > steps.sh
[ "$(grep -c '' steps.sh)" -gt 10 ] || fail "no bash blocks found in the tutorial"
sed -i -e "s#^mpirun -n 2 cortexsim run \(.*\)#mpi 2 \"$BIN\" run \1 --set run.t_end_ms=20000 --set monitors.0.discard_ms=4000 --quiet#" \
       -e "s#^cortexsim #\"$BIN\" #" -e "s#\$(cortexsim #\$(\"$BIN\" #" -e "s#^PYTHONPATH=python #PYTHONPATH=$SRC/python #" steps.sh
grep -q "run.t_end_ms=20000" steps.sh || fail "the run step was not found"
{ echo "source \"$SRC/tests/cli/lib.sh\"; set -e"; cat steps.sh; } > run_steps.sh
bash run_steps.sh > steps.log 2>&1 || { cat steps.log; fail "a tutorial step failed"; }
cat steps.log
grep -q "work/conn76.zip: 76 regions (76x76 weights, tract lengths, centres) -> work/conn76.h5" steps.log || fail "import"
grep -q "OK: model 'own_connectome', 76 areas x 2 populations" steps.log || fail "check"
grep -q "^BOLD volumes: 10  FC: (76, 76)  mean FC: " steps.log || fail "BOLD/FC line"
# the sweep: three points listed, run as the array's tasks would, one table
[ "$(grep -cE "^[0-2] scale=(5|10|20)\s" steps.log)" -eq 3 ] || fail "sweep --list"
for v in 5 10 20; do
  [ -f "work/sweep_scale=$v.h5" ] || fail "no sweep point scale=$v"
  grep -qE "^scale $v: mean FC [0-9]" steps.log || fail "no finite FC of scale=$v"
done
echo PASS
