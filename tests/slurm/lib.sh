# Helpers of the SLURM tests (sourced). Every test script is called as
#     test_X.sh CLUSTER_DIR WORK_DIR CORTEXSIM COMPARE_RATES SOURCE_DIR
# with a cluster started by cluster.sh in CLUSTER_DIR (the CTest fixture 'slurm'). Each test gets its own
# WORK_DIR (emptied first). Jobs submitted by a test are cancelled when it exits.
set -u
[ $# -eq 5 ] || { echo "usage: $0 CLUSTER_DIR WORK_DIR CORTEXSIM COMPARE_RATES SOURCE_DIR" >&2; exit 2; }
abspath() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
CLUSTER_DIR=$(abspath "$1") W=$(abspath "$2") BIN=$(abspath "$3") COMPARE=$(abspath "$4") SRC=$(abspath "$5")
[ -x "$BIN" ] || { echo "FAIL: $BIN is not executable"; exit 1; }
[ -x "$COMPARE" ] || { echo "FAIL: $COMPARE is not executable"; exit 1; }
SLURM_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${MPIEXEC:=mpiexec}"
T0=$SECONDS
SUBMITTED=()

# no SLURM here at all (cluster.sh start skipped too): exit code 77, CTest's "skipped"
if ! command -v sbatch >/dev/null || [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs slurm-wlm and root"; exit 77; fi
eval "$(bash "$SLURM_TESTS_DIR/cluster.sh" env "$CLUSTER_DIR")"
[ -f "$SLURM_CONF" ] || { echo "FAIL: no cluster in $CLUSTER_DIR (run the slurm_cluster_start test first)"; exit 1; }
# Direct (non-SLURM) runs need these as root; the job scripts must manage without them (see submit).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

rm -rf "$W"
mkdir -p "$W"
cd "$W" || exit 1

say() { echo "[$(basename "$0" .sh) +$((SECONDS - T0))s] $*"; }

diagnostics() {
  echo "======== diagnostics"
  squeue -o "%.10i %.12j %.10T %.10M %.6D %R" 2>&1
  local id
  for id in "${SUBMITTED[@]}"; do scontrol show job "$id" 2>&1 | head -n 30; done
  local f
  for f in "$W"/*.out; do [ -f "$f" ] && { echo "----- $f"; tail -n 40 "$f"; }; done
  bash "$SLURM_TESTS_DIR/cluster.sh" status "$CLUSTER_DIR" 2>&1
  for f in "$CLUSTER_DIR"/log/slurmctld.log "$CLUSTER_DIR"/log/slurmd.log; do
    [ -f "$f" ] && { echo "----- $f (last 25 lines)"; tail -n 25 "$f"; }
  done
  echo "========"
}

fail() { echo "FAIL: $*"; diagnostics; exit 1; }

cleanup() {
  local id
  for id in "${SUBMITTED[@]}"; do
    if [ -n "$(squeue -h -j "$id" -o %i 2>/dev/null)" ]; then scancel "$id" 2>/dev/null; fi
  done
}
trap cleanup EXIT

# submit VAR SBATCH_ARGS...: submits, sets VAR to the job id. Submitted without the Open MPI run-as-root
# variables: the job scripts must set them themselves (they do, only when running as root).
submit() {
  local var=$1 out
  shift
  out=$(env -u OMPI_ALLOW_RUN_AS_ROOT -u OMPI_ALLOW_RUN_AS_ROOT_CONFIRM sbatch --parsable "$@" 2>&1) \
    || fail "sbatch $* failed: $out"
  out=${out%%;*}
  [[ $out =~ ^[0-9]+$ ]] || fail "sbatch $* printed '$out', not a job id"
  SUBMITTED+=("$out")
  printf -v "$var" %s "$out"
}

# job_field JOBID FIELD -> the field's values of every record of the job (array tasks: one line each)
job_field() {
  scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p"
}

source "$SLURM_TESTS_DIR/jobs.sh"

# direct N ARGS...: cortexsim on N ranks outside SLURM (the reference)
direct() {
  local n=$1; shift
  "$MPIEXEC" --bind-to none --oversubscribe -n "$n" "$BIN" "$@" > "$W/direct.log" 2>&1 \
    || { cat "$W/direct.log"; fail "direct run failed: cortexsim $*"; }
}

same_rates() { "$COMPARE" "$@" || fail "rates differ: $*"; }
different_rates() { "$COMPARE" "$1" "$2" >/dev/null 2>&1 && fail "rates are identical, expected different: $*"; return 0; }
