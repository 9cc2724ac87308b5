# Spack recipe for cortexsim (docs/install.md, "Spack"). Use it from a local repository:
#   spack repo add packaging/spack        # this folder holds repo.yaml and packages/cortexsim/package.py
#   spack install cortexsim@main          # or, in a checkout: spack dev-build cortexsim@main
# The dependencies are those of the top-level CMakeLists.txt (find_package / pkg_check_modules); the CTest
# `packaging_spack` (tests/packaging/check_spack_package.py) checks that the two lists agree.
import os

from spack.package import *

# The repository has no public URL yet: Spack clones the checkout this recipe lives in (four folders up), or the
# URL in $CORTEXSIM_GIT (any URL git accepts, e.g. your server's).
_CHECKOUT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


class Cortexsim(CMakePackage):
    """Distributed simulator of large-scale dynamical models of the cortex: rate models of many areas
    (Chaudhuri 2015, Joglekar 2018, Mejias & Wang 2022, Froudist-Walsh 2021, circuits written in YAML,
    recurrent networks) on MPI, with PETSc graph partitioning and parallel HDF5 output."""

    homepage = "file://" + _CHECKOUT
    git = os.environ.get("CORTEXSIM_GIT", "file://" + _CHECKOUT)

    version("main", branch="main")

    variant("native", default=False, description="Compile with -march=native (CORTEXSIM_NATIVE)")
    variant("graph_partition", default=True,
            description="PETSc with PT-Scotch, for run.partition: graph (block partitions work without it)")
    variant("python", default=False,
            description="The run-time dependencies of python/cortexsim and tools/*.py (numpy, h5py, ...)")

    depends_on("cmake@3.25:", type="build")
    depends_on("pkgconfig", type="build")  # PETSc is found with pkg-config (PETSc.pc)

    depends_on("mpi")
    depends_on("petsc+mpi~complex")  # real scalars, as Debian's libpetsc-real-dev
    depends_on("petsc+ptscotch", when="+graph_partition")
    depends_on("hdf5@1.10:+mpi+hl")  # parallel HDF5 (MPI-IO) with the high-level library
    depends_on("boost@1.74:+serialization")
    depends_on("yaml-cpp")
    depends_on("zlib-api")  # the zip reader of cortexsim import (TVB connectivity zips)
    depends_on("matio@1.5:+zlib")  # MATLAB v5/v7 .mat files (compressed v7: zlib) for cortexsim import
    depends_on("googletest", type="test")

    with when("+python"):
        depends_on("python@3.9:", type="run")
        depends_on("py-numpy", type="run")
        depends_on("py-h5py", type="run")
        depends_on("py-xarray", type="run")
        depends_on("py-pandas", type="run")
        depends_on("py-matplotlib", type="run")
        depends_on("py-pyyaml", type="run")

    def cmake_args(self):
        return [
            # the test suite needs GoogleTest and takes ~12 min on 2 cores: only with `spack install --test=root`
            self.define("CORTEXSIM_BUILD_TESTS", self.run_tests),
            self.define_from_variant("CORTEXSIM_NATIVE", "native"),
            self.define("CORTEXSIM_WERROR", False),
            self.define("HDF5_PREFER_PARALLEL", True),
        ]

    def setup_run_environment(self, env):
        if self.spec.satisfies("+python"):
            env.prepend_path("PYTHONPATH", join_path(self.prefix.share, "cortexsim", "python"))

    @run_after("install")
    def install_data(self):
        # configs, their data, the Python package and tools: what the tutorials and the container use
        share = join_path(self.prefix.share, "cortexsim")
        for d in ("configs", "python", "tools", "job_scripts"):
            install_tree(join_path(self.stage.source_path, d), join_path(share, d))

    @run_after("install")
    @on_package_attributes(run_tests=True)
    def check_installed(self):
        # the installed executable answers --version and validates a shipped config (no MPI, no PETSc)
        cortexsim = Executable(join_path(self.prefix.bin, "cortexsim"))
        cortexsim("--version")
        cortexsim("check", join_path(self.prefix.share, "cortexsim", "configs", "chaudhuri2015.yaml"))
