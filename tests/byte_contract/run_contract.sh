#!/usr/bin/env bash
# The byte contract of the core: every shipped config (and a few noisy variants) must write /rates whose
# SHA-256 is the one recorded in rates_sha256.txt, on every rank count given.
#
#   run_contract.sh BIN TOOLS OUT RANKS [--record]
#     BIN    the cortexsim executable           TOOLS  folder with rates_sha256
#     OUT    scratch folder                     RANKS  rank counts, e.g. "1 2 3 4"
#     --record  print a new table (from the first rank count) instead of checking
# The RNN configs need trained weights: they are made first with `cortexsim train configs/rnn_train_nback.yaml`
# on 2 ranks (training is deterministic for a given rank count; its weights' /W_rec SHA-256 is in the table).
set -u
BIN=$1 TOOLS=$2 OUT=$3 RANKS=$4 MODE=${5:-check}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TABLE=$HERE/rates_sha256.txt
: "${MPIEXEC:=mpiexec}"
mpi() { local n=$1; shift; "$MPIEXEC" --bind-to none --oversubscribe -n "$n" "$@" < /dev/null; }
mkdir -p "$OUT"
W=$OUT/rnn_nback_weights.h5
if ! mpi 2 "$BIN" train "$ROOT/configs/rnn_train_nback.yaml" -o "$W" --overwrite > "$OUT/train.log" 2>&1; then
  cat "$OUT/train.log"; echo "FAIL: training the n-back weights"; exit 1
fi
fail=0
check() {  # check NAME WANT GOT WHERE
  if [ "$MODE" = --record ]; then return; fi
  if [ "$2" = "$3" ]; then echo "ok   $1 ($4)"; else echo "FAIL $1 ($4): /rates SHA-256 $3, contract $2"; fail=1; fi
}
got=$("$TOOLS/rates_sha256" "$W" /W_rec)
want=$(awk '$1 == "weights:rnn_train_nback" {print $2}' "$TABLE")
check weights:rnn_train_nback "$want" "$got" "2 ranks, /W_rec"
[ "$MODE" = --record ] && echo "weights:rnn_train_nback $got"
while read -r name sha config args; do
  case "$name" in ''|'#'*|weights:*) continue ;; esac
  eval "set -- $args"
  extra=("$@")
  for n in $RANKS; do
    o=$OUT/${name}_np$n.h5
    if ! mpi "$n" "$BIN" run "$ROOT/$config" -o "$o" --overwrite --quiet "${extra[@]//@WEIGHTS@/$W}" \
         > "$OUT/${name}_np$n.log" 2>&1; then
      cat "$OUT/${name}_np$n.log"; echo "FAIL $name ($n ranks): the run failed"; fail=1; continue
    fi
    got=$("$TOOLS/rates_sha256" "$o")
    if [ "$MODE" = --record ]; then printf '%s %s %s %s\n' "$name" "$got" "$config" "$args"; break; fi
    check "$name" "$sha" "$got" "$n ranks"
    rm -f "$o"
  done
done < "$TABLE"
[ "$fail" = 0 ] && [ "$MODE" != --record ] && echo PASS
exit $fail
