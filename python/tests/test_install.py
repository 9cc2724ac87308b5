"""pip installs the package from the checkout without a registry (Debian's setuptools, no build isolation)."""

import os
import shutil
import subprocess
import sys

from conftest import REPO


def test_pip_install_from_checkout(scratch):
    src = scratch / "pip_src"
    target = scratch / "pip_target"
    for p in (src, target):
        shutil.rmtree(p, ignore_errors=True)
    # a copy, so that the in-tree build leaves nothing in the checkout
    shutil.copytree(REPO / "python", src, ignore=shutil.ignore_patterns("__pycache__", "tests", "build", "*.egg-info"))
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--no-index",
                        "--disable-pip-version-check", "--target", str(target), str(src)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert (target / "cortexsim" / "plot.py").is_file() and (target / "bin" / "cortexsim-plot").is_file()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(target)
    p = subprocess.run([sys.executable, "-c", "import cortexsim, sys; print(cortexsim.__file__, cortexsim.__version__)"],
                       capture_output=True, text=True, env=env, cwd=str(scratch))
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(str(target / "cortexsim" / "__init__.py")) and p.stdout.split()[1] == "0.1.0"
    p = subprocess.run([sys.executable, str(target / "bin" / "cortexsim-plot"), "--help"], capture_output=True,
                       text=True, env=env, cwd=str(scratch))
    assert p.returncode == 0 and "usage: plot_run.py" in p.stdout
