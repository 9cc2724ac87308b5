# Shared helpers of the command-line tests. Sourced with: BIN (cortexsim), TOOLS (build/tests), OUT (scratch dir).
set -u
: "${MPIEXEC:=mpiexec}"
mpi() { local n=$1; shift; "$MPIEXEC" --bind-to none --oversubscribe -n "$n" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }
expect_rc() {  # expect_rc WANT LOGFILE -- command...
  local want=$1 log=$2; shift 3
  "$@" >"$log" 2>&1; local rc=$?
  if [ "$rc" -ne "$want" ]; then echo "--- $log"; cat "$log"; fail "exit status $rc, expected $want: $*"; fi
}
same_rates() { "$TOOLS/compare_rates" "$@" || fail "rates differ: $*"; }
