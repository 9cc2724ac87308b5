#!/usr/bin/env bash
# The float-cast-overflow step of CI (.ci/run, after the sanitizer step). A double converted to an integer type
# that cannot hold it (a time in ms turned into a step count, a size from the config) is undefined behaviour
# that GCC's UBSan does not detect; clang's -fsanitize=float-cast-overflow does. This builds only the config
# tests (target config_tests: the config, CSV and limit tests, with the libraries up to the config layer) with
# clang in build-fco/ and runs them; any report stops the run (exit 86). Installs clang (Debian 12: clang 14) if
# it is missing. Usage: bash tools/run_float_cast_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang++ >/dev/null; then
  apt-get update -qq -o DPkg::Lock::Timeout=300
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 clang >/dev/null
fi
flags="-fsanitize=float-cast-overflow -fno-sanitize-recover=all"
cmake -S . -B build-fco -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
      "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" "-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_EXE_LINKER_FLAGS=$flags" \
      -DCORTEXSIM_WERROR=OFF -DCORTEXSIM_BUILD_TESTS=ON >/dev/null
start=$(date +%s)
if ! cmake --build build-fco -j "$(nproc)" --target config_tests > build-fco/build.log 2>&1; then
  tail -30 build-fco/build.log; echo "[float-cast-overflow] build failed (log: build-fco/build.log)"; exit 1
fi
echo "[float-cast-overflow] built config_tests in $(( $(date +%s) - start )) s"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86
status=0
GTEST_COLOR=no build-fco/tests/config_tests --gtest_brief=1 > build-fco/config_tests.log 2>&1 || status=$?
tail -5 build-fco/config_tests.log
if grep -q "runtime error:" build-fco/config_tests.log; then
  grep -B2 -A8 "runtime error:" build-fco/config_tests.log | head -40
  echo "FAIL: float-cast-overflow reported (build-fco/config_tests.log)"; exit 1
fi
[ $status -eq 0 ] || { echo "FAIL: config_tests exited with $status (build-fco/config_tests.log)"; exit 1; }
echo "[float-cast-overflow] config tests clean"
