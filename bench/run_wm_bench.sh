#!/usr/bin/env bash
# Working-memory circuits benchmark: Froudist-Walsh 2021 (40 areas x 7 rate populations + 24 gates/currents
# each, 8 long-range projections) and Mejias & Wang 2022 (30 areas), one trial with OU noise on, on 1 and 2
# MPI ranks, recording every step (the configs' 0.5 ms) and every 5 ms.
#
#   bash bench/run_wm_bench.sh [REPS]          (REPS defaults to 3; needs build/cortexsim)
#
# Runs, each REPS times (median reported):
#   mpirun -n N build/cortexsim run configs/froudistwalsh2021.yaml --set model.parameters.noise_sigma_nA=0.005
#          [--set run.record_interval_ms=5]                                    (5 s trial, 10,000 steps)
#   mpirun -n N build/cortexsim run configs/mejiaswang2022.yaml --set model.parameters.noise_sigma_nA=0.01
#          [--set run.record_interval_ms=5]                                    (10 s trial, 20,000 steps)
# Timed: the time loop (steps/s as stored in /provenance; records and collective HDF5 writes included).
set -euo pipefail
REPS=${1:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CORTEXSIM_BIN:-$here/build/cortexsim}
[ -x "$BIN" ] || { echo "no $BIN: run bash tools/setup.sh first" >&2; exit 1; }
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
unset OMPI_MCA_mpi_yield_when_idle
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '| model | ranks | recording | steps | median steps/s | runs |\n|---|---|---|---|---|---|\n'
for model in froudistwalsh2021 mejiaswang2022; do
  sigma=0.005; [ "$model" = mejiaswang2022 ] && sigma=0.01
  for n in 1 2; do
    for rec in config 5; do
      extra=(); [ "$rec" = 5 ] && extra=(--set run.record_interval_ms=5)
      rates=()
      for ((r = 0; r < REPS; r++)); do
        line=$(mpirun --bind-to none --oversubscribe -n $n "$BIN" run "$here/configs/$model.yaml" -o "$tmp/o.h5" \
               --overwrite --quiet --set model.parameters.noise_sigma_nA=$sigma "${extra[@]}" | grep '^model')
        rates+=("$(echo "$line" | sed 's/.*: \([0-9.e+]*\) steps\/s/\1/')")
        steps=$(echo "$line" | sed 's/.* \([0-9]*\) steps of.*/\1/')
      done
      med=$(printf '%s\n' "${rates[@]}" | median)
      label=$([ "$rec" = config ] && echo "as configured" || echo "every 5 ms")
      printf '| %s | %d | %s | %s | %.3g | %s |\n' "$model" $n "$label" "$steps" "$med" "${rates[*]}"
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
