# Sourced by the run and test scripts: Open MPI may run as root (containers). Oversubscription settings
# (more ranks than cores) are set per test in tests/CMakeLists.txt; they slow down runs that fit the cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
