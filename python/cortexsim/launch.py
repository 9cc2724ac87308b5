"""Launching cortexsim from Python (notebooks, scripts): mpirun or srun, then the output read back."""

import os
import shutil
import subprocess
from pathlib import Path

from .read import CortexsimError, open as _open, open_sweep

__all__ = ["run", "find_binary", "command"]


def find_binary(binary=None):
    """The cortexsim executable: ``binary``, else $CORTEXSIM, else ``cortexsim`` on PATH, else the checkout's
    ``build/cortexsim`` (next to this package's ``python/`` folder)."""
    candidates = [binary, os.environ.get("CORTEXSIM"), shutil.which("cortexsim"),
                  str(Path(__file__).resolve().parents[2] / "build" / "cortexsim")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    raise CortexsimError("cortexsim executable not found: pass binary=..., set $CORTEXSIM, put it on PATH, or build "
                         "it in build/ (bash tools/setup.sh)")


def _value(v):
    """A --set value as cortexsim's YAML reader takes it."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return str(v)


def command(config, ranks=1, set=None, output=None, *, sweep=False, point=None, overwrite=True, quiet=True,
            launcher="mpirun", binary=None, args=()):  # noqa: A002 - `set` mirrors the CLI's --set
    """The command line :func:`run` would start, as a list."""
    ranks = int(ranks)
    if ranks < 1:
        raise ValueError("ranks must be >= 1")
    exe = find_binary(binary)
    if launcher == "mpirun":
        launch = [shutil.which("mpirun") or "mpirun", "-n", str(ranks), "--bind-to", "none"]
        if ranks > (os.cpu_count() or 1):
            launch.append("--oversubscribe")
    elif launcher == "srun":
        launch = ["srun", "--mpi=pmix", "-n", str(ranks)]
    elif launcher in (None, "none"):
        if ranks != 1:
            raise ValueError("launcher=None runs one process: ranks must be 1")
        launch = []
    else:
        raise ValueError(f"launcher must be 'mpirun', 'srun' or None, not {launcher!r}")
    cmd = launch + [exe, "sweep" if sweep else "run", os.fspath(config)]
    if output is not None:
        cmd += ["-o", os.fspath(output)]
    for k, v in (set or {}).items():
        cmd += ["--set", f"{k}={_value(v)}"]
    if point is not None:
        if sweep:
            raise ValueError("point= runs one point of a sweep: use it without sweep=True")
        cmd += ["--point", str(int(point))]
    if overwrite:
        cmd.append("--overwrite")
    if quiet:
        cmd.append("--quiet")
    return cmd + [str(a) for a in args]


def run(config, ranks=1, set=None, output=None, *, sweep=False, point=None, overwrite=True, quiet=True,
        launcher="mpirun", binary=None, args=(), load=True, env=None, timeout=None, echo=False):  # noqa: A002
    """Run ``cortexsim run CONFIG`` (or ``sweep`` with ``sweep=True``) on ``ranks`` MPI ranks and read the result.

    ``set``: dict of config overrides (``{"run.t_end_ms": 500, "model.parameters.dopamine": 2.0}``), each passed
    as ``--set key=value`` (lists as ``[a, b]``). ``output``: the HDF5 file (default: the config's
    ``output.path``, relative to the working directory). ``point``: run one point of the config's sweep.
    ``launcher``: ``"mpirun"`` (default; ``--oversubscribe`` when ranks exceed the cores), ``"srun"`` (inside a
    SLURM allocation) or None (one process, no launcher). As root, Open MPI's run-as-root variables are set.

    Returns the :func:`cortexsim.open` Dataset (a sweep: the :func:`cortexsim.open_sweep` DataFrame), or with
    ``load=False`` the output path (a sweep: the list of paths). Raises CortexsimError with cortexsim's error line
    and exit code if the run fails.
    """
    cmd = command(config, ranks, set, output, sweep=sweep, point=point, overwrite=overwrite, quiet=quiet,
                  launcher=launcher, binary=binary, args=args)
    e = dict(os.environ)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        e.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        e.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    if launcher == "mpirun" and ranks > (os.cpu_count() or 1):
        e.setdefault("OMPI_MCA_mpi_yield_when_idle", "1")
    e.update(env or {})
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=e, timeout=timeout)
    except FileNotFoundError as err:
        raise CortexsimError(f"cannot start {cmd[0]}: {err}") from err
    if echo:
        print(p.stdout, end="")
    if p.returncode != 0:
        lines = [ln for ln in p.stderr.splitlines() if "error" in ln] or p.stderr.strip().splitlines()[-3:]
        lines = lines or p.stdout.strip().splitlines()[-1:] or ["no message"]
        msg = "; ".join(dict.fromkeys(lines))
        raise CortexsimError(f"cortexsim exited with code {p.returncode}: {msg}\ncommand: {' '.join(cmd)}")
    outputs = [ln.split("output:", 1)[1].strip() for ln in p.stdout.splitlines() if ln.startswith("output:")]
    if not outputs:
        raise CortexsimError(f"cortexsim printed no 'output:' line\ncommand: {' '.join(cmd)}\n{p.stdout}")
    if sweep:
        return open_sweep(outputs) if load else outputs
    return _open(outputs[-1]) if load else outputs[-1]
