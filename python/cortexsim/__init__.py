"""cortexsim: read, run and plot simulations of large-scale cortex models (docs/python.md).

    import cortexsim
    ds = cortexsim.open("out/chaudhuri2015.h5")          # xarray.Dataset: rates (time, area, population), ...
    df = cortexsim.open_sweep("out/fw_*.h5")              # pandas.DataFrame: parameters and scalar analyses
    ds = cortexsim.run("configs/chaudhuri2015.yaml", ranks=2, set={"run.t_end_ms": 500}, output="x.h5")
    cortexsim.plot.save(cortexsim.plot.rates(ds), "rates", formats=("png", "pdf", "svg"))
"""

from . import plot
from .launch import command, find_binary, run
from .read import CortexsimError, config, open, open_sweep  # noqa: A004 - cortexsim.open is the API

__version__ = "0.1.0"
__all__ = ["open", "open_sweep", "config", "run", "command", "find_binary", "plot", "CortexsimError"]
