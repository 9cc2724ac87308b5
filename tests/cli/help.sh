#!/usr/bin/env bash
# Per-command help and the result table: `cortexsim COMMAND --help` for every command (usage, options, examples,
# exit codes) answered without starting MPI, once under mpirun; the table prints only the columns a model has.
# Usage: help.sh BIN TOOLS OUT ROOT
BIN=$1 TOOLS=$2 OUT=$3 ROOT=$4
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"
# An MPI that cannot start (no such point-to-point component): --help must not need it.
export OMPI_MCA_pml=no_such_component
for c in run sweep replay check train import; do
  for form in "$c --help" "$c -h" "help $c" "$c CONFIG --set a=b --help"; do
    expect_rc 0 "$OUT/help_$c.log" -- "$BIN" $form
    for want in "^usage: .*cortexsim $c " "^examples:" "^exit codes: 0 " "^  --"; do
      grep -Eq -- "$want" "$OUT/help_$c.log" || { cat "$OUT/help_$c.log"; fail "'cortexsim $form': no '$want'"; }
    done
  done
done
expect_rc 0 "$OUT/help.log" -- "$BIN" --help
for c in run sweep replay check train compare import; do grep -q "^  $c " "$OUT/help.log" || fail "--help does not list $c"; done
expect_rc 0 "$OUT/version.log" -- "$BIN" --version
grep -q "^cortexsim [0-9]" "$OUT/version.log" || fail "--version"
expect_rc 2 "$OUT/help_bogus.log" -- "$BIN" help bogus
grep -q "cortexsim: error: no help for 'bogus' (commands: run, sweep, replay, check, train, compare, import)" "$OUT/help_bogus.log" \
  || fail "help of an unknown command"
# ...and a command that computes does need MPI: the check above means something
expect_rc 1 "$OUT/needs_mpi.log" -- "$BIN" run "$ROOT/configs/chaudhuri2015.yaml" -o "$OUT/needs_mpi.h5" --overwrite
unset OMPI_MCA_pml
expect_rc 2 "$OUT/unknown.log" -- "$BIN" bogus
grep -q "unknown command 'bogus' (commands: run, sweep, replay, check, compile, train, compare, import; " "$OUT/unknown.log" || fail "unknown command"
# under mpirun: printed once
expect_rc 0 "$OUT/help_np2.log" -- mpi 2 "$BIN" run --help
[ "$(grep -c '^usage: ' "$OUT/help_np2.log")" -eq 1 ] || { cat "$OUT/help_np2.log"; fail "help printed more than once on 2 ranks"; }

# The table: a generic circuit with a cue but no distractor has no distractor column and no NaN column ...
sed "s#data/#$ROOT/configs/data/#g" "$ROOT/configs/laminar_generic.yaml" > "$OUT/laminar.yaml"
expect_rc 0 "$OUT/laminar.log" -- "$BIN" run "$OUT/laminar.yaml" -o "$OUT/laminar.h5" --overwrite --quiet
grep -Eq "^area +hierarchy +baseline L23_E +delay L23_E +persistent +cue resp \(Hz\)$" "$OUT/laminar.log" \
  || { cat "$OUT/laminar.log"; fail "laminar table header"; }
grep -q "nan" "$OUT/laminar.log" && { cat "$OUT/laminar.log"; fail "NaN column in the laminar table"; }
grep -q "^persistent activity in 0 of 29 areas" "$OUT/laminar.log" || fail "persistent summary"
# ... without an analysis section, no table at all (it would be 29 rows of NaN columns)
sed '/^analysis:/,$d' "$OUT/laminar.yaml" > "$OUT/laminar_noanalysis.yaml"
expect_rc 0 "$OUT/noanalysis.log" -- "$BIN" run "$OUT/laminar_noanalysis.yaml" -o "$OUT/noan.h5" --overwrite --quiet
grep -Eq "^area |nan|persistent activity" "$OUT/noanalysis.log" && { cat "$OUT/noanalysis.log"; fail "table without analysis"; }
grep -q "^output: " "$OUT/noanalysis.log" || fail "no output line"
# ... and the linear table keeps every column
expect_rc 0 "$OUT/tiny.log" -- "$BIN" run "$ROOT/tests/data/tiny/tiny.yaml" -o "$OUT/tiny.h5" --overwrite --quiet
grep -Eq "^area +hierarchy +peak E \(Hz\) +response \(Hz\) +timescale \(ms\)$" "$OUT/tiny.log" \
  || { cat "$OUT/tiny.log"; fail "linear table header"; }
echo PASS
