#!/usr/bin/env bash
# Smoke test of tools/plot_run.py.
# Usage: tests/test_plot_run.sh OUTPUT.h5 SCRATCH_PREFIX
#   OUTPUT.h5       an existing HDF5 output file of `cortexsim run`
#   SCRATCH_PREFIX  prefix for the figures written (PREFIX_rates.png, PREFIX_timescales.png)
# Exit 0 on success, 1 with a message on stderr otherwise.
set -u

fail() { echo "test_plot_run: FAIL: $*" >&2; exit 1; }

[ $# -eq 2 ] || fail "usage: $0 OUTPUT.h5 SCRATCH_PREFIX"
h5=$1
prefix=$2
repo=$(cd "$(dirname "$0")/.." && pwd) || fail "cannot locate repository root"
script="$repo/tools/plot_run.py"
python=/usr/bin/python3

[ -f "$script" ] || fail "$script not found"
[ -f "$h5" ] || fail "$h5 not found"
mkdir -p "$(dirname "$prefix")" || fail "cannot create directory for $prefix"

rates="${prefix}_rates.png"
tau="${prefix}_timescales.png"
rm -f "$rates" "$tau"

if ! out=$(MPLBACKEND=Agg "$python" "$script" "$h5" -o "$prefix" 2>&1); then
    fail "plot_run.py failed on $h5: $out"
fi

png_sig=89504e470d0a1a0a
for f in "$rates" "$tau"; do
    [ -s "$f" ] || fail "$f missing or empty"
    sig=$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')
    [ "$sig" = "$png_sig" ] || fail "$f is not a PNG (signature $sig)"
    grep -qxF "$f" <<<"$out" || fail "plot_run.py did not print $f"
done

# A non-existent input file must fail with exit code != 0 and exactly one line on stderr.
missing="${prefix}_does_not_exist.h5"
rm -f "$missing"
errfile=$(mktemp) || fail "mktemp failed"
trap 'rm -f "$errfile"' EXIT
MPLBACKEND=Agg "$python" "$script" "$missing" -o "${prefix}_missing" >/dev/null 2>"$errfile"
rc=$?
[ $rc -ne 0 ] || fail "plot_run.py exited 0 on a missing file"
nlines=$(wc -l <"$errfile")
[ "$nlines" -eq 1 ] || fail "expected one line on stderr for a missing file, got $nlines: $(cat "$errfile")"
[ ! -e "${prefix}_missing_rates.png" ] || fail "figure written for a missing input file"

echo "test_plot_run: OK ($rates, $tau)"
exit 0
