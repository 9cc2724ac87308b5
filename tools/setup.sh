#!/usr/bin/env bash
# Installs the Debian 12 packages cortexsim needs (if missing) and builds it in ./build (Release).
# Usage: bash tools/setup.sh [--tests]   (from anywhere)
#   --tests   also the packages only the test suite needs: pytest, scipy (MATLAB v5 files), slurm-wlm + munge for the SLURM tests, nftables for the two-node bed, procps (pkill, pgrep)
#             (tools/run_tests.sh passes it; without them the SLURM tests are skipped)
# apt-get runs only if a package is missing (then as root or through sudo); with everything present it needs
# neither root nor the network.
set -euo pipefail
cd "$(dirname "$0")/.."
with_tests=0
for a in "$@"; do
  case "$a" in
    --tests) with_tests=1 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown option '$a' (see --help)" >&2; exit 2 ;;
  esac
done
PACKAGES=(build-essential cmake pkg-config git libgtest-dev openmpi-bin libopenmpi-dev libpetsc-real-dev
          libhdf5-openmpi-dev hdf5-tools libboost-serialization-dev libyaml-cpp-dev zlib1g-dev libmatio-dev
          python3-numpy python3-matplotlib python3-h5py python3-yaml python3-xarray python3-pandas)
[ $with_tests -eq 1 ] && PACKAGES+=(python3-pytest python3-scipy slurm-wlm munge nftables procps)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "[setup] installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq -o DPkg::Lock::Timeout=300
  $SUDO apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
else
  echo "[setup] all ${#PACKAGES[@]} packages present: apt-get skipped"
fi
# CORTEXSIM_WERROR=1 (set by .ci/run): compiler warnings are errors (-DCORTEXSIM_WERROR=ON); =0: they are not;
# unset: the build directory keeps its setting (OFF by default).
options=(-DCMAKE_BUILD_TYPE=Release)
case "${CORTEXSIM_WERROR:-}" in
  "") ;;
  1|ON|On|on|TRUE|true|YES|yes) options+=(-DCORTEXSIM_WERROR=ON) ;;
  *) options+=(-DCORTEXSIM_WERROR=OFF) ;;
esac
cmake -S . -B build "${options[@]}" >/dev/null
build_ok=1
cmake --build build -j "$(nproc)" > build/build.log 2>&1 || build_ok=0
grep -E "error|warning|Built target cortexsim$" build/build.log || true
[ $build_ok -eq 1 ] && test -x build/cortexsim || { echo "[setup] build failed (log: build/build.log)"; exit 1; }
echo "[setup] built $(pwd)/build/cortexsim"
