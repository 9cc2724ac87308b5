#!/usr/bin/env bash
# run_tutorial.sh TUTORIAL.md SOURCE_DIR BUILD_DIR SCRATCH [--expect-file PATH]... [--expect-output REGEX]...
# Runs a tutorial of docs/tutorials/ end to end, as written: every ```bash block in order as one bash script
# (`set -euo pipefail`, so a failing command fails the test; variables and `cd` carry over between blocks), and
# every ```python block, at its place, as a script of its own run by /usr/bin/python3 with PYTHONPATH=python.
# Other fences (```console, ```yaml, ```text ...) are not run: they show output or commands that need root or
# the network (installing, building).
# The commands run in SCRATCH, made to look like the repository root: a copy of configs/ (outputs and relative
# paths next to the configs must not reach the checkout), and symlinks tools -> SOURCE_DIR/tools, python ->
# SOURCE_DIR/python, build -> BUILD_DIR; BUILD_DIR (the build's cortexsim) is first on PATH.
# After the run: each --expect-file PATH (relative to SCRATCH) must be a non-empty file, each --expect-output
# REGEX (extended) must match a line of the output. The output is also in SCRATCH/tutorial.log.
set -uo pipefail
md=$1 src=$2 build=$3 scratch=$4
shift 4
files=() regexes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --expect-file) files+=("$2"); shift 2 ;;
    --expect-output) regexes+=("$2"); shift 2 ;;
    *) echo "run_tutorial.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
fail() { echo "FAIL: $*"; exit 1; }
[ -f "$md" ] || fail "no tutorial $md"
[ -x "$build/cortexsim" ] || fail "no executable $build/cortexsim"
md=$(cd "$(dirname "$md")" && pwd)/$(basename "$md")

rm -rf "$scratch"
mkdir -p "$scratch/.tutorial"
cp -r "$src/configs" "$scratch/configs"
ln -s "$src/tools" "$scratch/tools"
ln -s "$src/python" "$scratch/python"
ln -s "$build" "$scratch/build"

# Extract the blocks: ```bash lines go into script.sh; a ```python block goes into pyN.py and script.sh gets the
# line that runs it. A fence that is not closed is an error (the docs would render wrongly too).
/usr/bin/python3 - "$md" "$scratch/.tutorial" <<'PY' || fail "cannot extract the blocks of $md"
import re, sys
md, out = sys.argv[1], sys.argv[2]
script = ["set -euo pipefail"]
lang, start, body, npy, nbash = None, 0, [], 0, 0
for i, line in enumerate(open(md, encoding="utf-8"), 1):
    fence = re.match(r"^```\s*([A-Za-z0-9_+-]*)\s*$", line.rstrip("\n"))
    if re.match(r"^\s+```", line):
        sys.exit(f"{md}:{i}: an indented fence (start runnable blocks in column 1, or they are not run)")
    if lang is None:
        if fence:
            lang, start, body = fence.group(1) or "text", i, []
        continue
    if fence and not fence.group(1):
        if lang == "bash":
            nbash += 1
            script += [f"# ---- {md}:{start} (bash block {nbash})", f"echo '$ [line {start}]'"] + body
        elif lang == "python":
            npy += 1
            name = f"{out}/py{npy}.py"
            open(name, "w", encoding="utf-8").write("\n".join(body) + "\n")
            script += [f"# ---- {md}:{start} (python block {npy})", f"echo '>>> [python block at line {start}]'",
                       f"PYTHONPATH=python /usr/bin/python3 {name}"]
        lang = None
        continue
    body.append(line.rstrip("\n"))
if lang is not None:
    sys.exit(f"{md}:{start}: the ```{lang} fence is never closed")
if nbash == 0:
    sys.exit(f"{md}: no ```bash block")
open(f"{out}/script.sh", "w", encoding="utf-8").write("\n".join(script) + "\n")
print(f"{md}: {nbash} bash and {npy} python blocks")
PY

cd "$scratch"
export PATH="$build:$PATH" PYTHONDONTWRITEBYTECODE=1 MPLBACKEND=Agg
start=$(date +%s)
bash .tutorial/script.sh > tutorial.log 2>&1
rc=$?
cat tutorial.log
echo "== the tutorial's commands took $(( $(date +%s) - start )) s (exit status $rc)"
[ $rc -eq 0 ] || fail "a command of $md failed (exit status $rc; the last lines above)"
for f in "${files[@]}"; do
  [ -s "$scratch/$f" ] || fail "the tutorial did not write $f"
done
for r in "${regexes[@]}"; do
  grep -Eq -- "$r" tutorial.log || fail "no line of the output matches '$r'"
done
echo PASS
