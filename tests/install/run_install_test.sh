#!/usr/bin/env bash
# run_install_test.sh BUILD_DIR SCRATCH VERSION CONFIG   (the CTest install_package; env CMAKE, MPIEXEC)
# Installs the build into SCRATCH/prefix with `cmake --install`, checks that the installed executable answers
# --version with VERSION and runs a graph partition on 2 ranks (through the installed PETSc module), then
# configures, builds and runs the downstream project of tests/install against the installed package only
# (find_package(cortexsim CONFIG REQUIRED), cortexsim::cortexsim). Fails on any error.
set -euo pipefail
build=$1 scratch=$2 version=$3 config=$4
cmake=${CMAKE:-cmake}
here=$(cd "$(dirname "$0")" && pwd)
prefix=$scratch/prefix
rm -rf "$scratch"
mkdir -p "$scratch"
fail() { echo "FAIL: $*"; exit 1; }

echo "== cmake --install $build --prefix $prefix"
"$cmake" --install "$build" --prefix "$prefix" > "$scratch/install.log" || { cat "$scratch/install.log"; fail "cmake --install"; }
for f in bin/cortexsim include/cortexsim/build_info.hpp include/cortexsim/partition/partition.hpp \
         lib/cmake/cortexsim/cortexsimConfig.cmake lib/cmake/cortexsim/cortexsimConfigVersion.cmake \
         lib/libcortexsim_petsc.so; do
  [ -e "$prefix/$f" ] || fail "$prefix/$f was not installed"
done

echo "== $prefix/bin/cortexsim --version"
out=$("$prefix/bin/cortexsim" --version 2>&1) || fail "cortexsim --version exited with status $?: $out"
echo "$out"
re="^cortexsim ${version//./\\.} \\(git "
[[ $out =~ $re ]] || fail "cortexsim --version does not print 'cortexsim $version (git ...'"

echo "== $prefix/bin/cortexsim: a graph partition on 2 ranks loads the installed PETSc module (../lib)"
env -u CORTEXSIM_PETSC_MODULE "${MPIEXEC:-mpiexec}" --bind-to none --oversubscribe -n 2 "$prefix/bin/cortexsim" run \
  "$config" -o "$scratch/graph.h5" --overwrite --quiet --set run.partition=graph > "$scratch/graph.log" 2>&1 \
  || { cat "$scratch/graph.log"; fail "the installed cortexsim did not run a graph partition"; }

echo "== downstream project (tests/install) against $prefix"
# only the scratch prefix: no package registries, no system-wide cortexsim
"$cmake" -S "$here" -B "$scratch/downstream" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
         -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF \
         > "$scratch/configure.log" 2>&1 || { cat "$scratch/configure.log"; fail "configuring the downstream project"; }
grep "cortexsim .* from" "$scratch/configure.log"
grep -q "^cortexsim_DIR:PATH=$prefix/" "$scratch/downstream/CMakeCache.txt" \
  || fail "find_package(cortexsim) did not use the package in $prefix"
"$cmake" --build "$scratch/downstream" -j 2 > "$scratch/build.log" 2>&1 \
  || { cat "$scratch/build.log"; fail "building the downstream project"; }
"${MPIEXEC:-mpiexec}" --bind-to none --oversubscribe -n 2 "$scratch/downstream/downstream" "$config" || fail "the downstream program failed"
echo "PASS"
