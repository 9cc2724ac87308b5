#!/usr/bin/python3
"""Writes a TVB-format connectivity zip of 76 regions (the layout of TVB's connectivity_76.zip: weights.txt,
tract_lengths.txt, centres.txt, cortical.txt, hemispheres.txt, areas.txt, plain text) with deterministic
synthetic values: the real connectivity_76 data are not in the repository (no network on the test machines).
The 38 labels per hemisphere are those of TVB's 76-region parcellation, prefixed r/l.
Usage: make_tvb_zip.py OUT.zip [--drop MEMBER] [--rows N]   (--drop, --rows: bad variants for the error tests)"""
import math, sys, zipfile

REGIONS = ["A1", "A2", "AMYG", "CCA", "CCP", "CCR", "CCS", "FEF", "G", "HC", "IA", "IP", "M1", "PCI", "PCIP",
           "PCM", "PCS", "PFCCL", "PFCDL", "PFCDM", "PFCM", "PFCORB", "PFCPOL", "PFCVL", "PHC", "PMCDL", "PMCM",
           "PMCVL", "S1", "S2", "TCC", "TCI", "TCPOL", "TCS", "TCV", "V1", "V2", "TM"]
SUBCORTICAL = {"AMYG", "HC", "TM"}


class LCG:  # deterministic and the same on any Python: 64-bit LCG (Knuth MMIX constants)
    def __init__(self, seed):
        self.s = seed

    def uniform(self):
        self.s = (6364136223846793005 * self.s + 1442695040888963407) % 2**64
        return (self.s >> 11) / 2**53


def main():
    out = sys.argv[1]
    drop = sys.argv[sys.argv.index("--drop") + 1] if "--drop" in sys.argv else None
    rows = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else None
    rng = LCG(76)
    labels = ["r" + r for r in REGIONS] + ["l" + r for r in REGIONS]
    n = len(labels)
    centres = []
    for i, lab in enumerate(labels):
        k = i % 38
        side = 1.0 if lab[0] == "r" else -1.0
        centres.append((side * (20.0 + 30.0 * rng.uniform()), 70.0 * math.cos(k / 38 * math.pi) + 5 * rng.uniform(),
                        40.0 * math.sin(k / 38 * math.pi) - 10 + 5 * rng.uniform()))
    dist = [[math.dist(centres[i], centres[j]) for j in range(n)] for i in range(n)]
    w = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i != j and rng.uniform() < math.exp(-dist[i][j] / 60.0):
                w[i][j] = round(3.0 * rng.uniform(), 6)
    lengths = [[0.0 if i == j else round(1.2 * dist[i][j] + 5.0 * rng.uniform(), 6) for j in range(n)] for i in range(n)]
    lengths = [[max(lengths[i][j], lengths[j][i]) for j in range(n)] for i in range(n)]  # tracts are undirected
    m = n if rows is None else rows

    def matrix(a):
        return "".join(" ".join("%.6f" % x for x in a[i]) + "\n" for i in range(m))

    files = {
        "weights.txt": matrix(w),
        "tract_lengths.txt": matrix(lengths),
        "centres.txt": "".join("%s %.6f %.6f %.6f\n" % ((labels[i],) + centres[i]) for i in range(n)),
        "cortical.txt": "".join("%d\n" % (0 if lab[1:] in SUBCORTICAL else 1) for lab in labels),
        "hemispheres.txt": "".join("%d\n" % (1 if lab[0] == "r" else 0) for lab in labels),
        "areas.txt": "".join("%.6f\n" % (500 + 3000 * rng.uniform()) for _ in labels),
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            if name != drop:  # a fixed date: the same bytes on every run
                z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    main()
