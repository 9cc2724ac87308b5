#!/usr/bin/env bash
# expect_error.sh --text TEXT [--exit N] [--absent PATH] [--unchanged PATH] [--precreate PATH] -- COMMAND...
# (--precreate writes a small file at PATH first and then checks it is unchanged)
# Runs COMMAND (usually mpiexec -n 2 cortexsim ...) and checks that it fails cleanly:
#  - exit status non-zero (or exactly N),
#  - exactly one line "cortexsim: error: ..." (or "cortexsim train: error: ...") on stderr, containing TEXT, of
#    printable ASCII only (echoed input is escaped),
#  - PATH (the requested output) does not exist afterwards (--absent) or is byte-for-byte unchanged (--unchanged).
set -u
text="" ; want_exit="" ; absent=() ; unchanged=()
while [ $# -gt 0 ]; do
  case "$1" in
    --text) text="$2"; shift 2 ;;
    --exit) want_exit="$2"; shift 2 ;;
    --absent) absent+=("$2"); shift 2 ;;
    --unchanged) unchanged+=("$2"); shift 2 ;;
    --precreate) printf 'precious output\n' > "$2"; unchanged+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "expect_error.sh: unknown option $1"; exit 2 ;;
  esac
done
declare -A before
for f in "${unchanged[@]}"; do before[$f]=$(sha256sum "$f" | cut -d' ' -f1); done
err=$(mktemp); out=$(mktemp)
"$@" >"$out" 2>"$err"
status=$?
fail=0
echo "command: $*"; echo "exit status: $status"; echo "--- stderr:"; cat "$err"; echo "---"
if [ "$status" -eq 0 ]; then echo "FAIL: command succeeded"; fail=1; fi
if [ -n "$want_exit" ] && [ "$status" -ne "$want_exit" ]; then echo "FAIL: exit status $status, expected $want_exit"; fail=1; fi
prefix='^cortexsim( train)?: error: '
n=$(grep -aEc "$prefix" "$err")
if [ "$n" -ne 1 ]; then echo "FAIL: $n error lines, expected exactly 1"; fail=1; fi
if ! grep -aE "$prefix" "$err" | grep -qaF -- "$text"; then echo "FAIL: error line does not contain: $text"; fail=1; fi
if grep -aE "$prefix" "$err" | LC_ALL=C grep -q '[^ -~]'; then echo "FAIL: error line is not printable ASCII"; fail=1; fi
if grep -aq "terminate called\|std::bad_alloc" "$err"; then echo "FAIL: an exception escaped (terminate / bad_alloc)"; fail=1; fi
for f in "${absent[@]}"; do
  if [ -e "$f" ] || [ -e "$f.partial" ]; then echo "FAIL: $f (or $f.partial) exists"; fail=1; fi
done
for f in "${unchanged[@]}"; do
  if [ "$(sha256sum "$f" | cut -d' ' -f1)" != "${before[$f]}" ]; then echo "FAIL: $f was changed"; fail=1; fi
done
rm -f "$err" "$out"
[ $fail -eq 0 ] && echo "PASS"
exit $fail
