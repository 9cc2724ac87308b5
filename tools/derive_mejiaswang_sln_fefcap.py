#!/usr/bin/python3
"""Derive the FEF-capped SLN matrix of Mejias & Wang (2022) for the engine's feedback projections.

Usage:
    /usr/bin/python3 tools/derive_mejiaswang_sln_fefcap.py [DATA_DIR]

DATA_DIR defaults to configs/data/mejiaswang2022 next to this script's repository. Reads
DATA_DIR/fln_30x30.csv and DATA_DIR/sln_30x30.csv and writes DATA_DIR/sln_fefcap_30x30.csv.

Science (docs/models.md, wong_wang "Long-range projections the config declares"): the long-range E->I weights of the model are proportional to
lambda_I = 1 - SLN (the "counterstream inhibitory bias": feedback projections, low SLN, target inhibition).
For the two FEF areas 8m and 8l as TARGETS and the twelve frontal-lobe areas
{8m, 8l, F1, 46d, 10, 9/46v, 9/46d, F5, F2, ProM, F7, 8B} as SOURCES, the authors cap lambda_I at 0.4.
The engine builds feedback projections as W * (1 - SLN'), so we store SLN' with 1 - SLN' = min(1 - SLN, 0.4),
i.e. SLN' = max(SLN, 0.6) on those entries.

The cap is applied only where a connection exists (FLN > 0): the data convention is SLN = 0 where there is
no connection, and on those entries the weight is 0 anyway, so this changes no weight. Every other cell is
copied as the exact text of sln_30x30.csv; the output has the same layout (header row of source names,
first column of target names, corner cell "target\\source").
"""

import csv
import os
import sys

import numpy as np

FEF_TARGETS = ["8m", "8l"]
FRONTAL_SOURCES = ["8m", "8l", "F1", "46d", "10", "9/46v", "9/46d", "F5", "F2", "ProM", "F7", "8B"]
LAMBDA_I_CAP = 0.4  # largest allowed 1 - SLN from a frontal source into FEF


def read_matrix(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    names = header[1:]
    if [r[0] for r in body] != names:
        sys.exit(f"{path}: row names differ from column names")
    text = [r[1:] for r in body]
    values = np.array([[float(x) for x in r] for r in text])
    if values.shape != (len(names), len(names)):
        sys.exit(f"{path}: matrix is not square")
    return header[0], names, text, values


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "configs", "data", "mejiaswang2022")
    _, fln_names, _, fln = read_matrix(os.path.join(data, "fln_30x30.csv"))
    corner, names, text, sln = read_matrix(os.path.join(data, "sln_30x30.csv"))
    if fln_names != names:
        sys.exit("fln_30x30.csv and sln_30x30.csv list different areas")

    changed = []
    for t in FEF_TARGETS:
        i = names.index(t)
        for s in FRONTAL_SOURCES:
            j = names.index(s)
            if fln[i, j] > 0 and 1.0 - sln[i, j] > LAMBDA_I_CAP:
                new = 1.0 - LAMBDA_I_CAP
                changed.append((t, s, sln[i, j], new))
                text[i][j] = repr(new)

    out = os.path.join(data, "sln_fefcap_30x30.csv")
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([corner] + names)
        for name, row in zip(names, text):
            w.writerow([name] + row)
    print(f"wrote {out}: {len(changed)} entries raised to SLN' = {1.0 - LAMBDA_I_CAP}")
    for t, s, old, new in changed:
        print(f"  {s:>6} -> {t:<3}  SLN {old:.6f} -> {new}  (1 - SLN {1 - old:.6f} -> {1 - new:.6f})")


if __name__ == "__main__":
    main()
