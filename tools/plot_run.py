#!/usr/bin/python3
"""Draw the figures of a cortexsim output: a thin wrapper of the Python package (python/cortexsim/plot_run.py).

Usage:
    /usr/bin/python3 tools/plot_run.py OUT.h5 [-o PREFIX] [--areas V1,V4,...] [--population POP]
                                      [--format png,pdf,svg] [--dpi N] [--only rates,timescales,...]

Works on the output of every shipped config: rates by hierarchy always; timescales, persistence, fc, readout and
monitors when the file has them. Figures PREFIX_NAME.FMT are printed one per line. See docs/python.md.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

from cortexsim.plot_run import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
