#!/usr/bin/env bash
# The sanitizer step of CI (.ci/run, after the main test suite): builds build-asan/ with AddressSanitizer and
# UndefinedBehaviorSanitizer (-DCORTEXSIM_SANITIZE=ON) and runs the unit and error tests there
# (ctest -L "unit|errors"). Fails on a failed test or on any sanitizer report in the test log. Needs the packages
# of tools/setup.sh. Usage: bash tools/run_sanitized_tests.sh   (CORTEXSIM_WERROR=1, as in CI: -Werror here too)
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/mpi_env.sh
werror=OFF
case "${CORTEXSIM_WERROR:-}" in 1|ON|On|on|TRUE|true|YES|yes) werror=ON ;; esac
# Debug (assertions on) at -O1 with line tables (-g1): the usual sanitizer setting. It builds in about half the
# time of -O2 -g and runs the tests well inside their timeouts (at -O0, circuit_kernels and gtest_np1 (now unit) ran close to or
# past their 300 s and 120 s timeouts on a loaded 2-core machine).
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" -DCORTEXSIM_SANITIZE=ON \
      -DCORTEXSIM_WERROR=$werror -DCORTEXSIM_BUILD_TESTS=ON >/dev/null
build_ok=1
cmake --build build-asan -j "$(nproc)" > build-asan/build.log 2>&1 || build_ok=0
grep -E "error|warning" build-asan/build.log || true
[ $build_ok -eq 1 ] || { echo "[asan] build failed (log: build-asan/build.log)"; exit 1; }

# Leak detection is off: Open MPI (and PETSc and HDF5 through it) keep allocations alive at exit by design, and
# LeakSanitizer would report them in every MPI process. Every other AddressSanitizer check is on; UBSan stops at
# the first error (-fno-sanitize-recover=undefined at compile time, halt_on_error at run time). A sanitizer exits
# with status 86 so that a report cannot pass for an expected failure (the error tests expect status 1 or 2).
export ASAN_OPTIONS=detect_leaks=0:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86
status=0
ctest --test-dir build-asan -L "unit|errors" -j 2 --output-on-failure --timeout 600 || status=1
log=build-asan/Testing/Temporary/LastTest.log
if grep -qE "ERROR: AddressSanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior)Sanitizer" "$log"; then
  echo "FAIL: a sanitizer reported an error ($log)"; status=1
fi
if grep -q "HDF5-DIAG" "$log"; then echo "FAIL: HDF5 printed diagnostics (HDF5-DIAG) during the tests"; status=1; fi
exit $status
