#!/usr/bin/env bash
# The cortexsim executable does not link PETSc (it loads the PETSc module when a command needs it: docs/design.md,
# "PETSc, loaded when used"); the module does, and exports the C ABI of petsc_module_abi.hpp.
# Usage: petsc_not_linked.sh BIN MODULE
BIN=$1 MODULE=$2
fail() { echo "FAIL: $*"; exit 1; }
[ -f "$MODULE" ] || fail "no module $MODULE next to the executable"
readelf -d "$BIN" > /dev/null || fail "readelf cannot read $BIN"
if readelf -d "$BIN" | grep NEEDED | grep -i petsc; then fail "$BIN links PETSc"; fi
readelf -d "$MODULE" | grep NEEDED | grep -qi "libpetsc" || fail "$MODULE does not link PETSc"
for f in cortexsim_petsc_module_abi cortexsim_petsc_initialize cortexsim_petsc_finalize cortexsim_petsc_version \
  cortexsim_petsc_partitioner_type cortexsim_petsc_graph_parts; do
  nm -D --defined-only "$MODULE" | grep -qw "$f" || fail "$MODULE does not export $f"
done
echo "PASS: $(readelf -d "$BIN" | grep -c NEEDED) shared libraries, none of them PETSc"
