#!/usr/bin/env bash
# expect_output.sh --regex REGEX [--regex REGEX ...] -- COMMAND...
# Runs COMMAND and passes only if it exits with status 0 AND its output (stdout and stderr together) matches every
# REGEX. CTest's PASS_REGULAR_EXPRESSION alone ignores the exit status; this keeps both checks.
# REGEX is a POSIX extended regular expression matched anywhere in the output; as in CTest, '.' also matches a
# newline. The output is always printed (the test log is searched for HDF5-DIAG by tools/run_tests.sh).
set -u
regexes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --regex) regexes+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "expect_output.sh: unknown option $1"; exit 2 ;;
  esac
done
if [ $# -eq 0 ] || [ ${#regexes[@]} -eq 0 ]; then
  echo "usage: expect_output.sh --regex REGEX [--regex REGEX ...] -- COMMAND..."; exit 2
fi
out=$("$@" 2>&1)
status=$?
printf '%s\n' "$out"
fail=0
if [ "$status" -ne 0 ]; then echo "FAIL: exit status $status: $*"; fail=1; fi
for re in "${regexes[@]}"; do
  if ! [[ $out =~ $re ]]; then echo "FAIL: the output does not match: $re"; fail=1; fi
done
exit $fail
