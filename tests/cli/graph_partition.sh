#!/usr/bin/env bash
# run.partition: graph renumbers the areas part by part (PETSc MatPartitioning, PT-Scotch). The rates, the
# analysis and the checkpoints stay in data-file order and do not change: a graph-partitioned run with noise on
# 3 ranks equals the 1-rank block run byte for byte; a checkpoint written by a graph run on 2 ranks continues
# on 3 (another partition) to the same result; delays too. The per-rank partition report is printed.
# Usage: graph_partition.sh BIN TOOLS OUT FW_CONFIG FW_NOISE_NP1.h5 DELAY_CONFIG DELAYS_NP1.h5
BIN=$1 TOOLS=$2 OUT=$3 FW=$4 FW_REF=$5 DELAYS=$6 DELAYS_REF=$7
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"; rm -f "$OUT"/*.h5 "$OUT"/*.ckpt "$OUT"/*.partial
noise="--set model.parameters.noise_sigma_nA=0.005"
expect_rc 0 "$OUT/g3.log" -- mpi 3 "$BIN" run "$FW" -o "$OUT/g3.h5" --set run.partition=graph $noise
grep -q "partition (graph)" "$OUT/g3.log" || fail "no partition report"
grep -q "rank    2: areas" "$OUT/g3.log" || fail "no per-rank line"
grep -q "imbalance (max/mean)" "$OUT/g3.log" || fail "no imbalance line"
same_rates "$FW_REF" "$OUT/g3.h5"
for d in delay_mean_hz persistent hierarchy; do
  h5dump -A 0 -d /analysis/$d "$FW_REF" | tail -n +3 > "$OUT/a.txt"; h5dump -A 0 -d /analysis/$d "$OUT/g3.h5" | tail -n +3 > "$OUT/b.txt"
  cmp -s "$OUT/a.txt" "$OUT/b.txt" || fail "/analysis/$d differs with the graph partition"
done
h5dump -A 0 -d /areas "$FW_REF" | tail -n +3 > "$OUT/a.txt"; h5dump -A 0 -d /areas "$OUT/g3.h5" | tail -n +3 > "$OUT/b.txt"
cmp -s "$OUT/a.txt" "$OUT/b.txt" || fail "/areas not in data-file order"
h5dump -a /provenance/partition "$OUT/g3.h5" | grep -q "graph partition" || fail "provenance does not name the partition"
# checkpoint from a graph run on 2 ranks, continued by a graph run on 3 ranks
o=$OUT/gr.h5
expect_rc 3 "$OUT/gr1.log" -- mpi 2 "$BIN" run "$FW" -o "$o" --set run.partition=graph $noise --until-s 2.0
expect_rc 0 "$OUT/gr2.log" -- mpi 3 "$BIN" run "$FW" -o "$o" --set run.partition=graph $noise --resume
same_rates "$FW_REF" "$o"
# conduction delays (epoch exchange) with a graph partition
expect_rc 0 "$OUT/d4.log" -- mpi 4 "$BIN" run "$DELAYS" -o "$OUT/d4.h5" --set run.partition=graph
same_rates "$DELAYS_REF" "$OUT/d4.h5"
echo PASS
