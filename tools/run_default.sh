#!/usr/bin/env bash
# Sets up (packages + build) and runs the default model (Chaudhuri et al. 2015, 29 areas) on 2 MPI ranks.
# Prints the result table and the path of the HDF5 output (out/chaudhuri2015.h5, replaced if present).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
source tools/mpi_env.sh
mkdir -p out
mpirun -n 2 --bind-to none build/cortexsim run configs/chaudhuri2015.yaml -o out/chaudhuri2015.h5 --overwrite
