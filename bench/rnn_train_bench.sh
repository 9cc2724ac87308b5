#!/usr/bin/env bash
# Trains the leaky RNN of configs/rnn_train_nback.yaml on 1-, 2- and 3-back and prints, for each, the masked
# accuracy on the held-out evaluation trials and the wall time (docs/rnn.md, "Measured").
#
#   bash bench/rnn_train_bench.sh [BUILD_DIR] [RANKS] [N_VALUES] [-- extra train options, e.g. --set ...]
#
# BUILD_DIR defaults to build/, RANKS to 2, N_VALUES to "1 2 3". It runs
#   mpirun -n RANKS BUILD_DIR/cortexsim train configs/rnn_train_nback.yaml --set task.n=N -o OUT --overwrite
# and, while `cortexsim train` is not wired into the CLI, the same through a 10-line driver of
# cortexsim::rnn::train_command compiled here against BUILD_DIR's libraries. Weights files, checkpoints and logs
# go to BUILD_DIR/rnn_bench/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build}"
RANKS="${2:-2}"
NS="${3:-1 2 3}"
shift $(( $# < 3 ? $# : 3 )) || true
[[ "${1:-}" == "--" ]] && shift
EXTRA=("$@")
BUILD="$(cd "$BUILD" && pwd)"
OUT="$BUILD/rnn_bench"
mkdir -p "$OUT"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_mpi_yield_when_idle=1   # no busy polling: the cores may be shared
MPIRUN=(mpirun --oversubscribe --bind-to none -np "$RANKS")

TRAIN=()
if [[ -x "$BUILD/cortexsim" ]] && "$BUILD/cortexsim" train --help >/dev/null 2>&1; then
  TRAIN=("$BUILD/cortexsim" train)
else
  [[ -f "$BUILD/src/libcortexsim_rnn.a" ]] || cmake --build "$BUILD" -j2 --target cortexsim_rnn >/dev/null
  DRIVER="$OUT/rnn_train_driver"
  if [[ ! -x "$DRIVER" || "$DRIVER" -ot "$BUILD/src/libcortexsim_rnn.a" ]]; then
    cat > "$OUT/rnn_train_driver.cpp" <<'EOF'
// cortexsim train without the CLI: argv[1..] are the arguments of train_command.
#include <mpi.h>
#include <string>
#include <vector>
#include "cortexsim/rnn/train.hpp"
int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    const int rc = cortexsim::rnn::train_command(std::vector<std::string>(argv + 1, argv + argc), MPI_COMM_WORLD);
    MPI_Finalize();
    return rc;
}
EOF
    H5=/usr/lib/x86_64-linux-gnu/hdf5/openmpi
    mpicxx -std=c++20 -O2 -DOMPI_SKIP_MPICXX=1 -I"$ROOT/include" -I/usr/include/hdf5/openmpi \
      "$OUT/rnn_train_driver.cpp" -o "$DRIVER" \
      "$BUILD/src/libcortexsim_rnn.a" "$BUILD/src/libcortexsim_checkpoint.a" "$BUILD/src/libcortexsim_common.a" \
      -L"$H5" -Wl,-rpath,"$H5" -lhdf5 -lyaml-cpp -lboost_serialization
  fi
  TRAIN=("$DRIVER")
fi

CONFIG="$ROOT/configs/rnn_train_nback.yaml"
printf '%-7s %-9s %-12s %-12s %-10s %s\n' task ranks iterations "eval acc %" "wall (s)" "weights"
for n in $NS; do
  log="$OUT/nback$n.log"
  w="$OUT/nback$n.h5"
  start=$(date +%s.%N)
  "${MPIRUN[@]}" "${TRAIN[@]}" "$CONFIG" --set task.n="$n" -o "$w" --overwrite \
      --set checkpoint.path="$OUT/nback$n.ckpt" "${EXTRA[@]}" > "$log" 2>&1 || { cat "$log"; exit 1; }
  end=$(date +%s.%N)
  summary=$(grep "^cortexsim train: .*iterations" "$log" | tail -1)
  iters=$(sed -E 's/^cortexsim train: ([0-9]+) iterations.*/\1/' <<< "$summary")
  acc=$(sed -E 's/.*accuracy ([0-9.]+) %.*/\1/' <<< "$summary")
  train_wall=$(sed -E 's/.*wall ([0-9.]+) s.*/\1/' <<< "$summary")
  printf '%-7s %-9s %-12s %-12s %-10s %s\n' "$n-back" "$RANKS" "$iters" "$acc" "$train_wall" "$w"
  echo "        (total with start-up and evaluation: $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}') s; log $log)"
done
