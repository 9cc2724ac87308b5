#!/usr/bin/env bash
# cortexsim benchmark: the Chaudhuri 2015 model (29 areas x 2 populations, forward Euler, dt 0.1 ms, 10 s of
# model time = 100,000 steps, rates recorded every 1 ms to one parallel HDF5 file), on 1 and 2 MPI ranks,
# against a NumPy and (optionally) a Brian2 implementation of the same model, in the same session.
#
#   bash bench/run_bench.sh [REPS] [--with-brian2] [--no-brian2]      (from anywhere; REPS defaults to 5)
#
# Builds nothing: needs build/cortexsim (`bash tools/setup.sh` makes it; CORTEXSIM_BIN=/path/to/cortexsim
# benchmarks another build), mpirun, /usr/bin/python3 with numpy and h5py. --with-brian2 installs Debian's
# python3-brian (apt-get, as root or through sudo) if missing; without it the Brian2 rows run only if Brian2
# is already importable (--no-brian2 skips them).
#
# What is run (each REPS times, after one untimed warm-up run of cortexsim on 1 rank):
#   cortexsim, N = 1, 2 ranks:
#       mpirun -n N build/cortexsim run configs/chaudhuri2015.yaml -o TMP/run.h5 --overwrite --quiet \
#              --set run.t_end_ms=10000
#   cortexsim, Heun, 1 rank: the same with --set run.integrator=heun
#   bench/numpy_reference.py --variant expr | inplace           (NumPy, same model and recording)
#   bench/brian2_reference.py --mode cython|standalone [--record], --mode numpy --record   (Brian 2)
# What is timed:
#   steps/s and loop s: the time loop only. For cortexsim the figures the run stores in the output file
#       (/provenance attributes loop_seconds and steps_per_second: wall time of the loop, max over ranks,
#       including buffering and the collective HDF5 writes of the records; MPI/PETSc start-up, config and
#       file creation excluded). For NumPy/Brian2 see the header of each script (loop only, no compilation).
#   wall s: the whole command for context: `mpirun ...` (start-up, file creation and closing included), the
#       `python3 numpy_reference.py` process (interpreter and NumPy import included), Brian2 runtime: the
#       net.run call, Brian2 standalone: the run of the compiled binary (code generation/compilation excluded).
# Correctness checks (the run fails if one fails): every implementation's V1 peak E rate ~110 Hz and its
# recorded rates equal cortexsim's within 1e-9 Hz (round-off only: ~1e-13 Hz expected).
# Output: machine description, progress, a plain table, then the same table as Markdown (for
# docs/benchmarks.md). Output files go to a temporary directory, deleted at exit.
# MPI: sets OMPI_ALLOW_RUN_AS_ROOT* when run as root; unsets OMPI_MCA_mpi_yield_when_idle (right only for
# oversubscription; it halves 2-rank speed on 2 cores). Run it on an otherwise idle machine: the script prints
# the load average before and after, measures the idle CPU share for 2 s before starting and warns below 90 %.
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

REPS=5
BRIAN=auto
for arg in "$@"; do
    case "$arg" in
        --with-brian2) BRIAN=install ;;
        --no-brian2) BRIAN=no ;;
        -h|--help) usage; exit 0 ;;
        ''|*[!0-9]*) echo "run_bench.sh: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
        *) REPS=$arg ;;
    esac
done
if [ "$REPS" -lt 1 ]; then echo "run_bench.sh: REPS must be >= 1" >&2; exit 2; fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${CORTEXSIM_BIN:-$ROOT/build/cortexsim}
PY=/usr/bin/python3
CONFIG=configs/chaudhuri2015.yaml
T_END_MS=10000
cd "$ROOT"

if [ ! -x "$BIN" ]; then
    echo "run_bench.sh: error: $BIN is missing; build it first with: bash tools/setup.sh" >&2
    exit 1
fi
command -v mpirun >/dev/null || { echo "run_bench.sh: error: mpirun not found (Debian: openmpi-bin)" >&2; exit 1; }
"$PY" -c 'import numpy, h5py' 2>/dev/null ||
    { echo "run_bench.sh: error: $PY cannot import numpy and h5py (Debian: python3-numpy python3-h5py)" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
unset OMPI_MCA_mpi_yield_when_idle
export PYTHONWARNINGS=ignore   # Debian's pythran emits a FutureWarning on every Brian2 import

if [ "$BRIAN" = install ] && ! "$PY" -c 'import brian2' 2>/dev/null; then
    echo "installing python3-brian (Debian) ..."
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 python3-brian >/dev/null ||
        $SUDO sh -c 'apt-get update -qq && apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 python3-brian' >/dev/null
fi
HAVE_BRIAN=no
if [ "$BRIAN" != no ] && "$PY" -c 'import brian2' 2>/dev/null; then HAVE_BRIAN=yes; fi

TMP=$(mktemp -d /tmp/cortexsim_bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
RES=$TMP/results.tsv    # label, steps, loop_s, wall_s (one line per timed run)
: >"$RES"

# ---- the machine
cpu_model=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
commit=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git --no-optional-locks -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="$commit (+ uncommitted changes)"
fi
brian_v=$([ "$HAVE_BRIAN" = yes ] && "$PY" -c 'import brian2; print(brian2.__version__)' 2>/dev/null || echo "not used")
{
    echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "cpu:       $cpu_model"
    echo "cores:     $(nproc) (lscpu: $(lscpu | sed -n 's/^CPU(s):[[:space:]]*//p') CPUs, $(lscpu | sed -n 's/^Thread(s) per core:[[:space:]]*//p') thread(s) per core)"
    echo "memory:    $mem"
    echo "kernel:    $(uname -sr)"
    echo "compiler:  $(c++ --version | head -1)"
    echo "mpi:       $(mpirun --version 2>/dev/null | head -1)"
    echo "repo:      $ROOT, commit $commit"
    echo "python:    $("$PY" -c 'import sys, numpy; print(sys.version.split()[0], "numpy", numpy.__version__)'), brian2 $brian_v"
    echo "reps:      $REPS"
    echo "load avg:  $(cut -d' ' -f1-3 /proc/loadavg) (before)"
} | tee "$TMP/machine.txt"
# Busy check: the share of CPU time that was idle over 2 s before starting (the load average also counts
# whatever ran a minute ago, e.g. a previous benchmark).
cpu_idle_pct() {
    local u n s i w x y z b1 i1 b2 i2
    read -r _ u n s i w x y z _ </proc/stat; b1=$((u + n + s + x + y + z)); i1=$((i + w))
    sleep 2
    read -r _ u n s i w x y z _ </proc/stat; b2=$((u + n + s + x + y + z)); i2=$((i + w))
    echo $((100 * (i2 - i1) / ((b2 - b1) + (i2 - i1) + 1)))
}
idle=$(cpu_idle_pct)
echo "cpu idle:  ${idle}% over 2 s before starting" | tee -a "$TMP/machine.txt"
if [ "$idle" -lt 90 ]; then
    echo "warning: the machine is busy (only ${idle}% idle); timings will be low and noisy" >&2
fi

# ---- cortexsim
now() { echo "$EPOCHREALTIME"; }
prov() {   # prints "steps loop_seconds" of an output file
    "$PY" -c 'import sys, h5py
a = h5py.File(sys.argv[1], "r")["/provenance"].attrs
print(int(a["steps_this_segment"]), float(a["loop_seconds"]))' "$1"
}
run_cortexsim() {   # label ranks out.h5 [--set ...]
    local label=$1 n=$2 out=$3; shift 3
    local t0 t1
    t0=$(now)
    if ! mpirun -n "$n" "$BIN" run "$CONFIG" -o "$out" --overwrite --quiet --set run.t_end_ms=$T_END_MS "$@" \
        >"$TMP/log.txt" 2>&1; then
        cat "$TMP/log.txt" >&2
        echo "run_bench.sh: error: cortexsim run failed ($label)" >&2
        exit 1
    fi
    t1=$(now)
    read -r steps loop < <(prov "$out")
    printf '%s\t%s\t%s\t%s\n' "$label" "$steps" "$loop" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" >>"$RES"
    printf '  %-28s %s\n' "$label" "$(grep -m1 '^model ' "$TMP/log.txt")"
}

echo
echo "cortexsim: warm-up run (untimed)"
mpirun -n 1 "$BIN" run "$CONFIG" -o "$TMP/warmup.h5" --overwrite --quiet --set run.t_end_ms=$T_END_MS >/dev/null
"$PY" -c 'import sys, h5py
a = h5py.File(sys.argv[1], "r")["/provenance"].attrs
g = lambda k: a[k].decode().strip() if k in a else "?"
dirty = " (dirty tree)" if g("git_dirty") == "true" else ""
print("binary:    %s: commit %s%s, %s, flags %s, %s, HDF5 %s" % (sys.argv[2], g("git_commit")[:12], dirty,
      g("build_type"), g("compiler_flags"), g("petsc_version"), g("hdf5_version")))' \
    "$TMP/warmup.h5" "$BIN" | tee -a "$TMP/machine.txt"
for n in 1 2; do
    for ((r = 1; r <= REPS; r++)); do run_cortexsim "cortexsim ${n} rank$([ $n = 1 ] || echo s)" "$n" "$TMP/ranks$n.h5"; done
done
for ((r = 1; r <= REPS; r++)); do
    run_cortexsim "cortexsim 1 rank heun" 1 "$TMP/heun.h5" --set run.integrator=heun
done

# ---- NumPy
echo
echo "NumPy reference (bench/numpy_reference.py)"
for variant in expr inplace; do
    for ((r = 1; r <= REPS; r++)); do
        t0=$(now)
        if ! "$PY" bench/numpy_reference.py --variant "$variant" --t-end-ms $T_END_MS --compare "$TMP/ranks1.h5" \
            >"$TMP/log.txt" 2>&1; then
            cat "$TMP/log.txt" >&2; echo "run_bench.sh: error: numpy_reference.py failed" >&2; exit 1
        fi
        t1=$(now)
        loop=$(sed -n 's/^RESULT .* loop_s=\([^ ]*\).*/\1/p' "$TMP/log.txt")
        steps=$(sed -n 's/^RESULT .* steps=\([^ ]*\).*/\1/p' "$TMP/log.txt")
        printf '%s\t%s\t%s\t%s\n' "NumPy ($variant)" "$steps" "$loop" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" >>"$RES"
        [ "$r" = 1 ] && sed -n '/^V1 peak\|^compare/s/^/  /p' "$TMP/log.txt"
        printf '  %s\n' "$(grep -m1 '^numpy' "$TMP/log.txt")"
    done
done
# The 2-rank output must be the same (cortexsim is bit-identical across rank counts).
"$PY" bench/numpy_reference.py --t-end-ms $T_END_MS --compare "$TMP/ranks2.h5" >"$TMP/log.txt" 2>&1 ||
    { cat "$TMP/log.txt" >&2; echo "run_bench.sh: error: the 2-rank output differs from NumPy" >&2; exit 1; }
printf '  2-rank output: %s\n' "$(grep -m1 '^compare' "$TMP/log.txt")"

# ---- Brian2
if [ "$HAVE_BRIAN" = yes ]; then
    echo
    echo "Brian2 $brian_v (bench/brian2_reference.py; code generation and compilation untimed)"
    brian() {   # label args...
        local label=$1; shift
        if ! "$PY" bench/brian2_reference.py --reps "$REPS" --t-end-ms $T_END_MS --compare "$TMP/ranks1.h5" "$@" \
            >"$TMP/log.txt" 2>&1; then
            cat "$TMP/log.txt" >&2; echo "run_bench.sh: error: brian2_reference.py $* failed" >&2; exit 1
        fi
        sed -n 's/^RESULT [^ ]* steps=\([^ ]*\) loop_s=\([^ ]*\) wall_s=\([^ ]*\)$/\1\t\2\t\3/p' "$TMP/log.txt" |
            while IFS= read -r line; do printf '%s\t%s\n' "$label" "$line"; done >>"$RES"
        grep -v '^RESULT' "$TMP/log.txt" | sed 's/^/  /'
    }
    brian "Brian2 standalone, no rec." --mode standalone
    brian "Brian2 standalone, rec. 1 ms" --mode standalone --record
    brian "Brian2 cython, no rec." --mode cython
    brian "Brian2 cython, rec. 1 ms" --mode cython --record
    brian "Brian2 numpy, rec. 1 ms" --mode numpy --record
else
    echo
    echo "Brian2: skipped ($([ "$BRIAN" = no ] && echo "--no-brian2" || echo "not installed; pass --with-brian2"))"
fi

echo
echo "load avg:  $(cut -d' ' -f1-3 /proc/loadavg) (after)" | tee -a "$TMP/machine.txt"

# ---- the table
"$PY" - "$RES" "$TMP/machine.txt" "$REPS" <<'EOF'
import statistics as st
import sys
rows = {}
for line in open(sys.argv[1]):
    label, steps, loop, wall = line.rstrip("\n").split("\t")
    rows.setdefault(label, []).append((int(steps), float(loop), float(wall) if wall else float("nan")))
machine = open(sys.argv[2]).read().rstrip("\n").split("\n")
reps = sys.argv[3]

def ranks(label):
    return "2" if "2 ranks" in label else "1"

table = []
for label, rs in rows.items():
    sps = [s / l for s, l, _ in rs]
    table.append((label, ranks(label), st.median(sps), min(sps), max(sps), st.median(l for _, l, _ in rs),
                  st.median(w for _, _, w in rs), len(rs)))

head = ["implementation", "ranks", "median steps/s", "min steps/s", "max steps/s", "median loop s",
        "median wall s", "runs"]
fmt = lambda t: [t[0], t[1], f"{t[2]:.3e}", f"{t[3]:.3e}", f"{t[4]:.3e}", f"{t[5]:.4f}", f"{t[6]:.3f}", str(t[7])]
cells = [head] + [fmt(t) for t in table]
w = [max(len(c[i]) for c in cells) for i in range(len(head))]
print()
print("Chaudhuri 2015, 29 areas, 100,000 Euler steps of 0.1 ms (10 s), rates recorded every 1 ms")
for i, c in enumerate(cells):
    print("  ".join(x.ljust(w[k]) if k == 0 else x.rjust(w[k]) for k, x in enumerate(c)))
    if i == 0:
        print("  ".join("-" * w[k] for k in range(len(head))))
print()
print("Markdown:")
print()
for m in machine:
    print("    " + m)
print()
print("| " + " | ".join(head) + " |")
print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
for c in cells[1:]:
    print("| " + " | ".join(c) + " |")
EOF
