#!/usr/bin/env bash
# Hand-written froudist_walsh circuit against the same model written as equations
# (configs/froudistwalsh2021.yaml vs configs/froudistwalsh2021_equations.yaml): one 5 s trial (10,000 steps,
# noise off as configured), recording every 5 ms, on N ranks (default 1), in pairs (hand, equations, hand, ...)
# so that both see the same load. The equations kernel is compiled once before the timed runs.
#
#   bash bench/run_equations_fw_bench.sh [REPS] [RANKS]      (REPS defaults to 5; needs build/cortexsim)
# Timed: the time loop (steps/s as printed by `cortexsim run`); reported: per pair, the medians and the
# median of the per-pair ratios equations/hand.
set -euo pipefail
REPS=${1:-5} N=${2:-1}
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CORTEXSIM_BIN:-$here/build/cortexsim}
[ -x "$BIN" ] || { echo "no $BIN: run bash tools/setup.sh first" >&2; exit 1; }
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
unset OMPI_MCA_mpi_yield_when_idle
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() {  # run CONFIG -> steps/s of the time loop
  mpirun --bind-to none --oversubscribe -n "$N" "$BIN" run "$here/configs/$1.yaml" -o "$tmp/o.h5" --overwrite \
    --quiet --set run.record_interval_ms=5 | grep '^model' | sed 's/.*: \([0-9.e+]*\) steps\/s/\1/'
}
run froudistwalsh2021_equations > /dev/null   # compile (or load) the kernel once
hand=() eq=() ratio=()
printf '| pair | hand steps/s | equations steps/s | equations/hand |\n|---|---|---|---|\n'
for ((r = 0; r < REPS; r++)); do
  h=$(run froudistwalsh2021); e=$(run froudistwalsh2021_equations)
  hand+=("$h"); eq+=("$e"); ratio+=("$(awk -v a="$e" -v b="$h" 'BEGIN {printf "%.3f", a / b}')")
  printf '| %d | %s | %s | %s |\n' "$r" "$h" "$e" "${ratio[-1]}"
done
printf '| median | %s | %s | %s |\n' "$(printf '%s\n' "${hand[@]}" | median)" "$(printf '%s\n' "${eq[@]}" | median)" \
  "$(printf '%s\n' "${ratio[@]}" | median)"
echo "ranks: $N; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
