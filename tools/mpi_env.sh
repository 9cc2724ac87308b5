# Sourced by the run and test scripts: Open MPI may run as root (containers). Oversubscription settings
# (more ranks than cores) are set per test in tests/CMakeLists.txt; they slow down runs that fit the cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One node: Open MPI's default UCX PML probes its transports in MPI_Init (~0.2 s per command here); ob1 with
# shared memory is the right PML on one node (docs/hpc.md, "Start-up on one node"). A value already set wins.
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
