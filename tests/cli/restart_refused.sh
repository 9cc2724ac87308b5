#!/usr/bin/env bash
# Checkpoints of another config, truncated or corrupt checkpoints, and an existing checkpoint without
# --resume are refused with one clear line. Usage: restart_refused.sh BIN TOOLS OUT CONFIG
BIN=$1 TOOLS=$2 OUT=$3 CONFIG=$4
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; o=$OUT/refused.h5; rm -f "$o" "$o.partial" "$o.ckpt" "$OUT"/cut.ckpt "$OUT"/flip.ckpt
expect_rc 3 "$OUT/refused_1.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$o" --until-s 0.5 --quiet
cp "$o.ckpt" "$OUT/keep.ckpt"
expect_rc 1 "$OUT/refused_2.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$o" --resume --set model.parameters.eta=0.5
grep -q "^cortexsim: error: .*checkpoint is from a different model or config" "$OUT/refused_2.log" || fail "other config accepted"
cmp -s "$o.ckpt" "$OUT/keep.ckpt" || fail "checkpoint changed by a refused restart"
head -c 300 "$o.ckpt" > "$OUT/cut.ckpt"
expect_rc 1 "$OUT/refused_3.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$o" --restart "$OUT/cut.ckpt"
grep -q "^cortexsim: error: $OUT/cut.ckpt: checkpoint is truncated" "$OUT/refused_3.log" || fail "truncated accepted"
/usr/bin/python3 - "$o.ckpt" "$OUT/flip.ckpt" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read()); b[-20] ^= 0x40; open(sys.argv[2], 'wb').write(b)
PY
expect_rc 1 "$OUT/refused_4.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$o" --restart "$OUT/flip.ckpt"
grep -q "^cortexsim: error: $OUT/flip.ckpt: checkpoint is corrupt (SHA-256 mismatch)" "$OUT/refused_4.log" || fail "corrupt accepted"
expect_rc 1 "$OUT/refused_5.log" -- mpi 2 "$BIN" run "$CONFIG" -o "$o"
grep -q "^cortexsim: error: $o.ckpt: checkpoint exists already (use --resume" "$OUT/refused_5.log" || fail "checkpoint clobbered"
cmp -s "$o.ckpt" "$OUT/keep.ckpt" || fail "checkpoint changed"
for f in "$OUT"/refused_[2345].log; do [ "$(grep -c '^cortexsim: error:' "$f")" -eq 1 ] || fail "not one error line in $f"; done
echo PASS
