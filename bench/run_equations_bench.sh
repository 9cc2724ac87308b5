#!/usr/bin/env bash
# Equations vs hand-written kernels (docs/benchmarks.md, "Equations"): the same model as a hand-written circuit
# and as circuit: equations, run alternately in the same minutes on 1 rank, noise off (the configs' defaults).
#
#   bash bench/run_equations_bench.sh [REPS]        (REPS defaults to 5; needs build/cortexsim)
#
# Pairs: configs/mejiaswang2022.yaml vs configs/mejiaswang2022_equations.yaml, and
# configs/froudistwalsh2021.yaml vs configs/froudistwalsh2021_equations.yaml (when present), each recording
# as configured and every 5 ms. Timed: the time loop (the run's "steps/s" line). Prints the median steps/s of
# each and their ratio (equations / hand-written; goal >= 0.8).
set -euo pipefail
REPS=${1:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CORTEXSIM_BIN:-$here/build/cortexsim}
[ -x "$BIN" ] || { echo "no $BIN: run bash tools/setup.sh first" >&2; exit 1; }
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export CORTEXSIM_KERNEL_CACHE=${CORTEXSIM_KERNEL_CACHE:-$tmp/kernels}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rate() { "$BIN" run "$1" -o "$tmp/o.h5" --overwrite --quiet "${@:2}" | grep '^model' | sed 's/.*: \([0-9.e+]*\) steps\/s/\1/'; }
printf '| model | recording | hand-written steps/s | equations steps/s | ratio |\n|---|---|---|---|---|\n'
for model in mejiaswang2022 froudistwalsh2021; do
  [ -f "$here/configs/${model}_equations.yaml" ] || continue
  rate "$here/configs/${model}_equations.yaml" --set run.t_end_ms=100 >/dev/null  # compiles the kernel once
  for rec in config 5; do
    extra=(); [ "$rec" = 5 ] && extra=(--set run.record_interval_ms=5)
    hand=(); eq=()
    for ((r = 0; r < REPS; r++)); do
      hand+=("$(rate "$here/configs/$model.yaml" "${extra[@]}")")
      eq+=("$(rate "$here/configs/${model}_equations.yaml" "${extra[@]}")")
    done
    h=$(printf '%s\n' "${hand[@]}" | median); e=$(printf '%s\n' "${eq[@]}" | median)
    label=$([ "$rec" = config ] && echo "as configured" || echo "every 5 ms")
    printf '| %s | %s | %.3g | %.3g | %.2f |\n' "$model" "$label" "$h" "$e" "$(awk -v e="$e" -v h="$h" 'BEGIN {print e / h}')"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
