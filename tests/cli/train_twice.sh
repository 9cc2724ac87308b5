#!/usr/bin/env bash
# A finished `cortexsim train` removes its checkpoint (the weights are written), so a second training with the same
# config starts instead of refusing ("checkpoint exists already").
# Usage: train_twice.sh BIN OUT SOURCE_DIR
BIN=$1 OUT=$2 SRC=$3
TOOLS=. source "$(dirname "$0")/lib.sh"
rm -rf "$OUT"; mkdir -p "$OUT"; cd "$OUT" || exit 1
CFG=$SRC/configs/rnn_train_nback.yaml
S=(--quiet --set training.iterations=4 --set checkpoint.every=2 --set training.eval_trials=8
   --set training.progress_every=2)
expect_rc 0 "$OUT/first.log" -- mpi 2 "$BIN" train "$CFG" -o w1.h5 "${S[@]}"
[ -f w1.h5 ] || fail "no weights"
[ -e rnn_train_nback.ckpt ] && fail "the checkpoint of a finished training was left behind"
expect_rc 0 "$OUT/second.log" -- mpi 2 "$BIN" train "$CFG" -o w2.h5 "${S[@]}"
[ -f w2.h5 ] || fail "the second training wrote no weights"
expect_rc 0 "$OUT/third.log" -- mpi 1 "$BIN" train "$CFG" -o w3.h5 "${S[@]}" --set checkpoint.path=other.ckpt
[ -e other.ckpt ] && fail "the checkpoint of a finished training (checkpoint.path) was left behind"
echo PASS
