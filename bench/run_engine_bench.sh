#!/usr/bin/env bash
# Paired benchmark of two builds of cortexsim on the time loop (steps/s as the run stores it in /provenance):
# Chaudhuri 2015 (29 areas, Euler, dt 0.1 ms, 10 s = 100,000 steps) and Froudist-Walsh 2021 with OU noise
# (40 areas, 5 s = 10,000 steps), on 1 rank, recording as configured. The two builds run alternately, REPS times
# each (after one untimed warm-up run of each), so that a change of machine load hits both alike; the table
# gives the median and the ratio B/A.
#
#   bash bench/run_engine_bench.sh BIN_A BIN_B [REPS]      (REPS defaults to 15)
#
# Example (the redesign's before/after, docs/benchmarks.md): BIN_A = a build of the commit before, BIN_B =
# build/cortexsim. Run it on an otherwise idle machine: it prints the load average before and after.
set -euo pipefail
A=${1:?usage: run_engine_bench.sh BIN_A BIN_B [REPS]}
B=${2:?usage: run_engine_bench.sh BIN_A BIN_B [REPS]}
REPS=${3:-15}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
unset OMPI_MCA_mpi_yield_when_idle
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
rate() {  # rate BIN CONFIG ARGS... -> steps/s of one run (/provenance steps_per_second, 6 digits)
  local bin=$1 cfg=$2; shift 2
  mpirun -n 1 --bind-to none "$bin" run "$ROOT/configs/$cfg" -o "$tmp/o.h5" --overwrite --quiet "$@" >/dev/null
  /usr/bin/python3 -c 'import h5py, sys; print(h5py.File(sys.argv[1], "r")["/provenance"].attrs["steps_per_second"].decode())' "$tmp/o.h5"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '| model | A median steps/s | B median steps/s | B / A |\n|---|---|---|---|\n'
for model in chaudhuri2015 froudistwalsh2021_noise; do
  args=(); cfg=$model.yaml
  [ "$model" = chaudhuri2015 ] && args=(--set run.t_end_ms=10000)
  [ "$model" = froudistwalsh2021_noise ] && cfg=froudistwalsh2021.yaml && args=(--set model.parameters.noise_sigma_nA=0.005)
  rate "$A" "$cfg" "${args[@]}" >/dev/null; rate "$B" "$cfg" "${args[@]}" >/dev/null  # warm-up
  ra=(); rb=()
  for ((r = 0; r < REPS; r++)); do
    ra+=("$(rate "$A" "$cfg" "${args[@]}")")
    rb+=("$(rate "$B" "$cfg" "${args[@]}")")
  done
  ma=$(printf '%s\n' "${ra[@]}" | median); mb=$(printf '%s\n' "${rb[@]}" | median)
  printf '| %s | %.4g | %.4g | %.3f |\n' "$model" "$ma" "$mb" "$(awk -v a="$ma" -v b="$mb" 'BEGIN {print b / a}')"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
