# shellcheck shell=bash disable=SC2034  # sourced; SRC, BIN etc. are used by the test scripts
# Helpers of the multi-node tests (sourced). Every test script is called as
#     test_X.sh BED_DIR WORK_DIR CORTEXSIM COMPARE_RATES SOURCE_DIR
# with a two-node bed started by bed.sh in BED_DIR (the CTest fixture 'multinode'). Each test gets its own
# WORK_DIR (emptied first; it plays the cluster's shared file system). SLURM commands run in the head namespace
# (the bed's addresses exist only inside its namespaces); jobs submitted by a test are cancelled when it exits,
# and a node the test took down is brought back.
set -u
[ $# -eq 5 ] || { echo "usage: $0 BED_DIR WORK_DIR CORTEXSIM COMPARE_RATES SOURCE_DIR" >&2; exit 2; }
abspath() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
BED_DIR=$(abspath "$1") W=$(abspath "$2") BIN=$(abspath "$3") COMPARE=$(abspath "$4") SRC=$(abspath "$5")
MN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BED="bash $MN_DIR/bed.sh"
: "${MPIEXEC:=mpiexec}"
T0=$SECONDS
SUBMITTED=()
NODES_TAKEN_DOWN=()

# The bed could not be built here (bed_start was skipped): skip with its reason.
if [ -f "$BED_DIR/SKIPPED" ]; then cat "$BED_DIR/SKIPPED"; exit 77; fi
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: the multinode tests need root (network namespaces)"; exit 77; fi
[ -x "$BIN" ] || { echo "FAIL: $BIN is not executable"; exit 1; }
[ -x "$COMPARE" ] || { echo "FAIL: $COMPARE is not executable"; exit 1; }
eval "$($BED env "$BED_DIR")"
[ -f "$SLURM_CONF" ] || { echo "FAIL: no bed in $BED_DIR (run the multinode_bed_start test first)"; exit 1; }
# Direct (reference) runs need these as root; the job scripts set them themselves.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

rm -rf "$W"
mkdir -p "$W"
cd "$W" || exit 1

say() { echo "[$(basename "$0" .sh) +$((SECONDS - T0))s] $*"; }

# sl CMD...: a SLURM client command in the head namespace
sl() { nsenter --net="/run/netns/$MN_NS_HEAD" -- "$@"; }

diagnostics() {
  echo "======== diagnostics"
  sl squeue -o "%.10i %.14j %.10T %.10M %.6D %R" 2>&1
  local id f
  for id in "${SUBMITTED[@]}"; do sl scontrol show job "$id" 2>&1 | head -n 30; done
  for f in "$W"/*.out; do [ -f "$f" ] && { echo "----- $f"; tail -n 40 "$f"; }; done
  $BED status "$BED_DIR" 2>&1
  for f in "$BED_DIR"/log/slurmctld.log "$BED_DIR"/log/slurmd-node1.log "$BED_DIR"/log/slurmd-node2.log; do
    [ -f "$f" ] && { echo "----- $f (last 25 lines)"; tail -n 25 "$f"; }
  done
  echo "========"
}

fail() { echo "FAIL: $*"; diagnostics; exit 1; }

cleanup() {
  local id node
  for id in "${SUBMITTED[@]}"; do
    if [ -n "$(sl squeue -h -j "$id" -o %i 2>/dev/null)" ]; then sl scancel "$id" 2>/dev/null; fi
  done
  for node in "${NODES_TAKEN_DOWN[@]}"; do
    $BED loss "$BED_DIR" "$node" off >/dev/null 2>&1
    $BED start-node "$BED_DIR" "$node" || echo "WARNING: could not bring $node back"
  done
}
trap cleanup EXIT

# submit VAR SBATCH_ARGS...: submits (without the Open MPI run-as-root variables: the job scripts must set them),
# sets VAR to the job id. The environment carries the bed's Open MPI settings (TCP only, the bed's subnet), as a
# site's openmpi-mca-params.conf would.
submit() {
  local var=$1 out
  shift
  out=$(env -u OMPI_ALLOW_RUN_AS_ROOT -u OMPI_ALLOW_RUN_AS_ROOT_CONFIRM \
        nsenter --net="/run/netns/$MN_NS_HEAD" -- sbatch --parsable "$@" 2>&1) || fail "sbatch $* failed: $out"
  out=${out%%;*}
  [[ $out =~ ^[0-9]+$ ]] || fail "sbatch $* printed '$out', not a job id"
  SUBMITTED+=("$out")
  printf -v "$var" %s "$out"
}

# job_field JOBID FIELD -> the field's values of every record of the job (array tasks: one line each)
job_field() {
  sl scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# The node count a job asks for: scontrol prints NumNodes as N or as N-N (min-max), depending on the job state.
job_nodes() {
  local v; v=$(job_field "$1" NumNodes)
  if [ "${v%-*}" = "${v#*-}" ]; then echo "${v%-*}"; else echo "$v"; fi
}

source "$(dirname "${BASH_SOURCE[0]}")/../slurm/jobs.sh"

# wait_file_newer FILE MARK TIMEOUT_S JOBID: until FILE exists and is newer than MARK (a file), while JOBID runs
wait_file_newer() {
  local f=$1 mark=$2 timeout=$3 id=$4 start=$SECONDS
  until [ -f "$f" ] && [ "$f" -nt "$mark" ]; do
    [ $((SECONDS - start)) -lt "$timeout" ] || fail "no new $f after $timeout s"
    [ "$(job_field "$id" JobState)" = RUNNING ] || fail "job $id ended before $f was written"
    sleep 0.2
  done
}

# plain CMD...: CMD in the root namespace, without the bed's interface settings (no such subnet there)
plain() { env -u OMPI_MCA_btl_tcp_if_include -u OMPI_MCA_oob_tcp_if_include "$@"; }

# direct ARGS...: cortexsim on 1 rank outside SLURM and outside the bed (the reference)
direct() {
  plain "$MPIEXEC" --bind-to none -n 1 "$BIN" "$@" > "$W/direct.log" 2>&1 \
    || { cat "$W/direct.log"; fail "direct run failed: cortexsim $*"; }
}

same_rates() { "$COMPARE" "$@" || fail "rates differ: $*"; }

# provenance FILE KEY: a string attribute of /provenance
provenance() {
  /usr/bin/python3 -c 'import h5py,sys
f = h5py.File(sys.argv[1], "r")
v = f["/provenance"].attrs[sys.argv[2]] if sys.argv[2] in f["/provenance"].attrs else f["/provenance/" + sys.argv[2]][()]
print(v.decode() if isinstance(v, bytes) else v)' "$1" "$2" 2>&1
}

# take_down NODE: every process of NODE's namespace killed (its slurmd, slurmstepd, orted, ranks): a node dead
take_down() {
  NODES_TAKEN_DOWN+=("$1")
  $BED kill-node "$BED_DIR" "$1" || fail "could not kill $1"
}

# bring_back NODE: NODE's slurmd started again, idle in SLURM
bring_back() {
  $BED start-node "$BED_DIR" "$1" || fail "could not bring $1 back"
  local n keep=()
  for n in "${NODES_TAKEN_DOWN[@]}"; do [ "$n" = "$1" ] || keep+=("$n"); done
  NODES_TAKEN_DOWN=("${keep[@]}")
}

# slurm_chain.sbatch: mpirun's grace time for the ranks after its own SIGTERM (default 10 s) is also spent, twice,
# when a node is lost (measured: mpirun ends ~20 s after the node died with 10 s). No test here stops a chain
# with a SIGTERM to mpirun (tests/slurm/ does): 2 s keeps the node-failure tests short.
export STOP_GRACE_S=${STOP_GRACE_S:-2}
