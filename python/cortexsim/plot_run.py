"""plot_run: the figures of one cortexsim output (the code of tools/plot_run.py and of ``cortexsim-plot``).

Usage:
    plot_run.py OUT.h5 [-o PREFIX] [--areas V1,V4,...] [--population POP] [--format png,pdf,svg] [--dpi N]
                [--only rates,timescales,...]

Writes PREFIX_NAME.FMT for every figure the run supports and prints each path:
  rates        rates of the analysed population, one panel per area stacked by increasing hierarchy
               (the change after the pulse onset for the linear pulse analysis; a heat map for > 40 areas)
  timescales   timescale against hierarchy (/analysis/timescale_s or intrinsic_timescale_s)
  persistence  delay minus baseline mean per area, persistent areas filled (/analysis/persistent)
  fc           an area x area matrix (e.g. /analysis/fc), if the file has one
  readout      the readout of a recurrent network (/readout)
  monitor_NAME each monitor /monitors/NAME
PREFIX defaults to the input path without .h5. Errors: one line on stderr, exit code 1.
"""

import argparse
import os
import sys

PROG = "plot_run.py"


class _Error(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _Error(message)


def parse_args(argv):
    p = _Parser(prog=PROG, description="Draw the figures of a cortexsim output file.",
                epilog="Figures: rates, timescales, persistence, fc, readout, monitor_NAME (those the file supports).")
    p.add_argument("file", help="HDF5 output file of cortexsim run")
    p.add_argument("-o", "--output", dest="prefix", default=None,
                   help="output prefix (default: input file name without .h5)")
    p.add_argument("--areas", default=None, help="comma-separated areas for rates and timescales (default: all)")
    p.add_argument("--population", default=None, help="population to draw (default: the analysed one, else E)")
    p.add_argument("--format", default="png", help="comma-separated formats among png, pdf, svg (default png)")
    p.add_argument("--dpi", type=int, default=200, help="resolution of PNG figures (default 200)")
    p.add_argument("--only", default=None, help="comma-separated figure names to draw (default: all supported)")
    return p.parse_args(argv)


def main(argv=None):
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except _Error as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - one line, whatever went wrong
        from .read import CortexsimError

        msg = str(e).splitlines()[0] if str(e) else ""
        kind = "" if isinstance(e, CortexsimError) else f"{type(e).__name__}: "
        print(f"{PROG}: error: {kind}{msg}", file=sys.stderr)
        return 1


def _main(argv):
    args = parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    from . import plot
    from .read import open as open_run

    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in plot.FORMATS]
    if bad or not formats:
        raise _Error(f"--format: unknown format(s) {', '.join(bad) or '(none)'}; use {', '.join(plot.FORMATS)}")
    if args.dpi <= 0:
        raise _Error("--dpi must be positive")
    prefix = args.prefix
    if prefix is None:
        prefix = args.file[:-3] if args.file.endswith(".h5") else args.file
    out_dir = os.path.dirname(prefix)
    if out_dir and not os.path.isdir(out_dir):
        raise _Error(f"{out_dir}: output directory does not exist")
    ds = open_run(args.file)
    available = plot.figures(ds)
    names = list(available)
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        missing = [n for n in names if n not in available]
        if missing:
            raise _Error(f"--only: {', '.join(missing)} not available for this file "
                         f"(available: {', '.join(available)})")
    written = []
    for name in names:
        if name == "rates":
            fig = plot.rates(ds, population=args.population, areas=args.areas)
        elif name == "timescales":
            fig = plot.timescales(ds, areas=args.areas)
        elif name == "persistence":
            fig = plot.persistence(ds, population=args.population)
        else:
            fig = available[name](ds)
        written += plot.save(fig, f"{prefix}_{name}", formats=formats, dpi=args.dpi)
    for w in written:
        print(w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
