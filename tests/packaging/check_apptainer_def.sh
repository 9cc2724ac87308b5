#!/usr/bin/env bash
# check_apptainer_def.sh SOURCE_DIR SCRATCH   (the CTest packaging_apptainer; env MPIEXEC for nothing else)
# packaging/cortexsim.def checked without Apptainer (not installed here, and no network for debian:12):
#  1. the header is `Bootstrap: docker` / `From: debian:12`; %files, %post, %environment, %runscript, %test exist;
#  2. every %files source exists in the checkout, and %files holds every folder the top-level CMakeLists.txt
#     adds or includes (add_subdirectory, include(cmake/...)) and the folders %post copies into share/;
#  3. the Debian packages %post installs are exactly tools/setup.sh's PACKAGES (without the test-only ones);
#  4. %post is run as a /bin/sh -e script (as Apptainer does) against this checkout, with the build folder and
#     the install prefix in SCRATCH: its apt-get part must skip itself (all packages present; if some are missing
#     the test is skipped, exit 77, since it would need root and the network), its cmake configure, build and
#     install must succeed;
#  5. %runscript answers --version, and %test (cortexsim check, a 0.5 s model on 2 ranks read back with the
#     Python package) passes, both against the scratch prefix.
set -uo pipefail
src=$(cd "$1" && pwd) scratch=$2
def=$src/packaging/cortexsim.def
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$scratch"; mkdir -p "$scratch"

# section NAME: the lines of %NAME up to the next section (one level of indentation removed)
section() { awk -v s="%$1" '/^%[a-z]+/ { on = ($1 == s); next } on { sub(/^    /, ""); print }' "$def"; }

# 1. header and sections
header=$(grep -v '^#' "$def" | grep -v '^[[:space:]]*$' | head -2)
[ "$header" = $'Bootstrap: docker\nFrom: debian:12' ] || fail "header is not 'Bootstrap: docker' / 'From: debian:12': $header"
for s in files post environment runscript test; do
  grep -q "^%$s\b" "$def" || fail "no %$s section"
done

# 2. %files
section files | while read -r from to; do
  [ -z "$from" ] && continue
  [ -e "$src/$from" ] || { echo "FAIL: %files: '$from' does not exist in the checkout"; exit 1; }
  [[ $to == /opt/cortexsim/src/$from ]] || { echo "FAIL: %files: '$from' goes to '$to', not /opt/cortexsim/src/$from"; exit 1; }
done || exit 1
files=$(section files | awk '{print $1}')
needed=$( (grep -oE '^add_subdirectory\(\w+' "$src/CMakeLists.txt" | sed 's/.*(//'
           grep -oE '^include\(cmake/' "$src/CMakeLists.txt" | sed 's/include(//; s,/$,,'
           section post | grep -oE 'for d in [a-z_ ]+;' | sed 's/for d in //; s/;//' | tr ' ' '\n'
           echo CMakeLists.txt) | sort -u)
for d in $needed; do
  grep -qx "$d" <<< "$files" || fail "%files lacks '$d' (needed by the build or copied by %post)"
done

# 3. the package list against tools/setup.sh
setup_pkgs=$(sed -n '/^PACKAGES=(/,/)/p' "$src/tools/setup.sh" | sed 's/PACKAGES=(//; s/)//' | tr -s ' \n' '\n' | grep -v '^$' | sort)
def_pkgs=$(section post | sed -n '/^packages="/,/"$/p' | sed 's/packages="//; s/"//' | tr -s ' \n' '\n' | grep -v '^$' | sort)
[ -n "$setup_pkgs" ] || fail "cannot read PACKAGES of tools/setup.sh"
[ "$setup_pkgs" = "$def_pkgs" ] || fail "the packages of %post differ from tools/setup.sh: $(diff <(echo "$setup_pkgs") <(echo "$def_pkgs") | grep '^[<>]' | tr '\n' ' ')"
echo "== %post installs the $(wc -l <<< "$def_pkgs") Debian packages of tools/setup.sh"
missing=""
for p in $def_pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "SKIP: not installed here:$missing (the %post apt-get would need root and the network)"
  exit 77
fi

# 4. %post in the scratch prefix
section post > "$scratch/post.sh"
section test > "$scratch/test.sh"
section runscript > "$scratch/runscript.sh"
prefix=$scratch/prefix
echo "== %post (sh -e) with CORTEXSIM_DEF_SRC=$src, CORTEXSIM_DEF_BUILD=$scratch/build, CORTEXSIM_DEF_PREFIX=$prefix"
start=$(date +%s)
CORTEXSIM_DEF_SRC=$src CORTEXSIM_DEF_BUILD=$scratch/build CORTEXSIM_DEF_PREFIX=$prefix \
  /bin/sh -e "$scratch/post.sh" > "$scratch/post.log" 2>&1 || { tail -30 "$scratch/post.log"; fail "%post failed"; }
echo "   took $(( $(date +%s) - start )) s (log: $scratch/post.log)"
grep "apt-get skipped" "$scratch/post.log" || fail "%post did not report that it skipped apt-get"
grep -E "^-- Install|Installing: .*/bin/cortexsim" "$scratch/post.log" | tail -1
for f in bin/cortexsim lib/cmake/cortexsim/cortexsimConfig.cmake share/cortexsim/configs/chaudhuri2015.yaml \
         share/cortexsim/python/cortexsim/__init__.py share/cortexsim/tools/plot_run.py; do
  [ -e "$prefix/$f" ] || fail "%post did not install $f"
done
[ ! -e "$scratch/build" ] || fail "%post left its build folder behind"

# 5. %runscript and %test against the prefix
echo "== %runscript --version"
out=$(PATH=$prefix/bin:$PATH /bin/sh -e "$scratch/runscript.sh" --version 2>&1) || fail "%runscript --version: $out"
echo "$out"
[[ $out == "cortexsim "* ]] || fail "%runscript --version printed '$out'"
echo "== %test"
CORTEXSIM_DEF_PREFIX=$prefix /bin/sh -e "$scratch/test.sh" > "$scratch/test.log" 2>&1 || { cat "$scratch/test.log"; fail "%test failed"; }
cat "$scratch/test.log"
grep -q "test passed" "$scratch/test.log" || fail "%test did not finish"
echo PASS
