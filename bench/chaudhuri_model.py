"""The Chaudhuri 2015 model of configs/chaudhuri2015.yaml for the reference implementations in bench/:
parameters (configs/data/chaudhuri2015/parameters.csv), the data, and the derived coefficients (as cortexsim's derive_linear_ei)."""
import csv
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "configs", "data", "chaudhuri2015")

TAU_E, TAU_I = 20.0, 10.0            # ms
BETA_E, BETA_I = 0.066, 0.351        # Hz/pA
W_EE, W_IE, W_EI, W_II = 24.3, 12.2, 19.7, 12.5   # pA/Hz
MU_EE, MU_IE = 33.7, 25.3            # pA/Hz
ETA = 0.68
R_E0, R_I0 = 10.0, 35.0              # Hz, background fixed point
PULSE_AREA, PULSE_HZ = "V1", 41.8646
PULSE_ON_MS, PULSE_DUR_MS = 100.0, 250.0
DT = 0.1                             # ms
RECORD_MS = 1.0


def read_model():
    """Area names, normalised hierarchy h and FLN matrix W (rows = targets)."""
    with open(os.path.join(DATA, "areas_hierarchy.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    names = [r["area"] for r in rows]
    h = np.array([float(r["hier_raw"]) for r in rows])
    with open(os.path.join(DATA, "fln_29x29.csv"), newline="") as f:
        m = list(csv.reader(f))
    if m[0][1:] != names or [r[0] for r in m[1:]] != names:
        sys.exit("chaudhuri_model: FLN area order differs from areas_hierarchy.csv")
    return names, h / h.max(), np.array([float(x) for r in m[1:] for x in r[1:]]).reshape(len(names), len(names))


def coefficients(h, W):
    """Per-area coefficients in the beta-multiplied form: a_EE, a_IE, a_EI, a_II, c_E, c_I, bkg_E, bkg_I."""
    s = 1.0 + ETA * h
    a_EE = BETA_E * W_EE * s
    a_IE = BETA_I * W_IE * s
    a_EI = -BETA_E * W_EI
    a_II = -BETA_I * W_II
    c_E = BETA_E * MU_EE * s
    c_I = BETA_I * MU_IE * s
    lr0 = W @ np.full(len(h), R_E0)
    bkg_E = R_E0 - (a_EE * R_E0 + a_EI * R_I0 + c_E * lr0)
    bkg_I = R_I0 - (a_IE * R_E0 + a_II * R_I0 + c_I * lr0)
    return a_EE, a_IE, a_EI, a_II, c_E, c_I, bkg_E, bkg_I
