#!/usr/bin/env bash
# PETSc loaded only when used (docs/design.md, "PETSc, loaded when used"): the cortexsim executable loads the PETSc
# module (libcortexsim_petsc.so) for run.partition = graph on more than one rank and for PETSc options after "--",
# and only then. A graph-partitioned run through the module equals the block run byte for byte; PETSc options
# still reach PETSc; a module that cannot be loaded is one error line and a non-zero exit on every rank when it
# is needed, and is never looked at when it is not.
# Usage: petsc_module.sh BIN TOOLS OUT SOURCE_DIR
BIN=$1 TOOLS=$2 OUT=$3 SRC=$4
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; rm -f "$OUT"/*.h5 "$OUT"/*.csv "$OUT"/rc.* "$OUT"/*.log
FW=$SRC/configs/froudistwalsh2021.yaml
short="--set run.t_end_ms=50 --quiet"
missing=$OUT/no_such_dir/libcortexsim_petsc.so

# (b) the graph partition through the module on 2 ranks: the same /rates bytes as contiguous blocks
expect_rc 0 "$OUT/graph.log" -- mpi 2 "$BIN" run "$FW" -o "$OUT/graph.h5" $short --set run.partition=graph
expect_rc 0 "$OUT/block.log" -- mpi 2 "$BIN" run "$FW" -o "$OUT/block.h5" $short
same_rates "$OUT/block.h5" "$OUT/graph.h5"
h5dump -a /provenance/partition "$OUT/graph.h5" | grep -q "graph partition (PETSc MatPartitioning" ||
  fail "the graph run did not use the graph partition"
# /provenance petsc_version: the version compiled against, the same whether or not the module was loaded
v_graph=$(h5dump -a /provenance/petsc_version "$OUT/graph.h5" | grep '(0)')
v_block=$(h5dump -a /provenance/petsc_version "$OUT/block.h5" | grep '(0)')
[ "$v_graph" = "$v_block" ] || fail "petsc_version differs: $v_graph / $v_block"
echo "$v_block" | grep -q "Petsc Release Version [0-9]" || echo "$v_block" | grep -q "Petsc Development" ||
  fail "petsc_version is not PETSc's version text: $v_block"

# a sweep in groups of 2 of 4 ranks: PETSc starts on all ranks before they split, each group partitions its points
expect_rc 0 "$OUT/sweep.log" -- mpi 4 "$BIN" sweep "$FW" -o "$OUT/sweep.h5" --quiet --overwrite --set run.t_end_ms=5 \
  --set run.partition=graph --ranks-per-point 2
for f in "$OUT"/sweep_dopamine=*.h5; do
  h5dump -a /provenance/partition "$f" | grep -q "graph partition (PETSc MatPartitioning" || fail "$f: no graph partition"
done
[ "$(ls "$OUT"/sweep_dopamine=*.h5 | wc -l)" -ge 2 ] || fail "the sweep wrote fewer than 2 points"

# (c) PETSc options after "--" load the module and reach PETSc, on a block run that would not need it
expect_rc 0 "$OUT/options.log" -- mpi 2 "$BIN" run "$FW" -o "$OUT/options.h5" $short -- -options_left \
  -cortexsim_unused_option 7
grep -q "Option left: name:-cortexsim_unused_option" "$OUT/options.log" || fail "-options_left did not reach PETSc"
# ... and so do options in $PETSC_OPTIONS
expect_rc 0 "$OUT/env_options.log" -- env PETSC_OPTIONS="-options_left -cortexsim_env_option 3" \
  "$MPIEXEC" --bind-to none --oversubscribe -x PETSC_OPTIONS -n 2 "$BIN" run "$FW" -o "$OUT/env.h5" $short
grep -q "Option left: name:-cortexsim_env_option" "$OUT/env_options.log" || fail "\$PETSC_OPTIONS did not reach PETSc"

# (d) a module that cannot be loaded, where it is needed: one error line, a non-zero exit on every rank, no output
each_rank() {  # each_rank NAME command...: every rank's exit status in $OUT/rc.NAME.<rank>, its output in NAME.log
  local name=$1; shift
  CORTEXSIM_PETSC_MODULE=$missing timeout 120 "$MPIEXEC" --bind-to none --oversubscribe -n 2 \
    bash -c '"$@"; echo $? > "'"$OUT"'/rc.'"$name"'.$OMPI_COMM_WORLD_RANK"' each_rank "$@" >"$OUT/$name.log" 2>&1 ||
    { cat "$OUT/$name.log"; fail "$name: the launcher failed or timed out"; }
}
check_failed_everywhere() {  # NAME NEEDED_FOR
  local name=$1 why=$2 r
  for r in 0 1; do
    [ -s "$OUT/rc.$name.$r" ] || { cat "$OUT/$name.log"; fail "$name: rank $r did not finish"; }
    [ "$(cat "$OUT/rc.$name.$r")" != 0 ] || { cat "$OUT/$name.log"; fail "$name: rank $r exited 0 without its module"; }
  done
  [ "$(grep -c . "$OUT/$name.log")" = 1 ] || { cat "$OUT/$name.log"; fail "$name: not exactly one line of output"; }
  grep -q "^cortexsim: error: cannot load the PETSc module $missing, needed for $why: $missing: cannot open shared object file" \
    "$OUT/$name.log" || { cat "$OUT/$name.log"; fail "$name: the error does not name the module, the need and dlerror"; }
}
each_rank graph_missing "$BIN" run "$FW" -o "$OUT/missing.h5" $short --set run.partition=graph
check_failed_everywhere graph_missing "'run.partition' = 'graph' of $FW on 2 ranks"
[ -e "$OUT/missing.h5" ] && fail "output written although the partition failed"
each_rank options_missing "$BIN" run "$FW" -o "$OUT/missing.h5" $short -- -options_left
check_failed_everywhere options_missing "the PETSc options after '--'"
# ... and where it is not needed (blocks; the graph method on one rank), the missing module is never loaded
expect_rc 0 "$OUT/lazy_block.log" -- env CORTEXSIM_PETSC_MODULE="$missing" \
  "$MPIEXEC" --bind-to none --oversubscribe -x CORTEXSIM_PETSC_MODULE -n 2 "$BIN" run "$FW" -o "$OUT/lazy.h5" $short
same_rates "$OUT/block.h5" "$OUT/lazy.h5"
expect_rc 0 "$OUT/lazy_graph1.log" -- env CORTEXSIM_PETSC_MODULE="$missing" \
  "$MPIEXEC" -x CORTEXSIM_PETSC_MODULE -n 1 "$BIN" run "$FW" -o "$OUT/lazy1.h5" $short --set run.partition=graph
same_rates "$OUT/block.h5" "$OUT/lazy1.h5"
echo PASS
