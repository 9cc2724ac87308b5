#!/usr/bin/python3
"""Writes MATLAB .mat files of the connectome in CONN.h5 (an imported TVB zip) for tests/cli/import_mat_v5.sh, at
test time (no binaries in the repository): v5 with scipy.io.savemat, uncompressed and zlib-compressed (v7), v7.3
with h5py (HDF5 with a 512-byte user block; MATLAB's column-major arrays stored as their transpose), v4, and bad
variants. Each file holds the MATLAB matrix W (rows x columns as MATLAB shows it) = CONN.h5's /weights.
Usage: make_mat_files.py CONN.h5 OUTDIR"""
import os, sys
import h5py
import numpy as np
import scipy.io
import scipy.sparse


def mat73(path, variables):
    """variables: name -> numpy 2-D array (numeric) or list of str (a 1 x n cell array of char row vectors)"""
    with h5py.File(path, "w", userblock_size=512) as f:
        refs = None
        for name, v in variables.items():
            if isinstance(v, list):
                refs = refs or f.create_group("#refs#")
                rs = []
                for s in v:
                    c = refs.create_dataset("%s%d" % (name, len(rs)), data=np.array([[ord(ch)] for ch in s], dtype=np.uint16))
                    c.attrs["MATLAB_class"] = np.bytes_("char")
                    rs.append(c.ref)
                d = f.create_dataset(name, data=np.array([rs], dtype=h5py.ref_dtype))
                d.attrs["MATLAB_class"] = np.bytes_("cell")
            else:
                d = f.create_dataset(name, data=v.T)
                d.attrs["MATLAB_class"] = np.bytes_("double")
    with open(path, "r+b") as f:
        f.write(b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .")


def main():
    conn, out = sys.argv[1], sys.argv[2]
    with h5py.File(conn, "r") as f:
        W, L = f["weights"][()], f["tract_lengths"][()]
        labels = [a.decode() for a in f["areas"][()]]
    n = len(labels)
    cell = np.empty((1, n), dtype=object)  # a 1 x n cell array of strings
    cell[0, :] = labels
    p = lambda name: os.path.join(out, name)
    # the same matrices in v5, v7 (compressed) and v7.3; labels as a cell array and as a char matrix
    scipy.io.savemat(p("v5.mat"), {"weights": W, "tract_lengths": L, "labels": cell}, do_compression=False)
    scipy.io.savemat(p("v7.mat"), {"SC": W, "tract_lengths": L, "region_labels": np.array(labels)},
                     do_compression=True)
    mat73(p("v73.mat"), {"weights": W, "tract_lengths": L, "labels": labels})
    # other MATLAB classes of the weights: single, int32, logical, sparse; lengths as uint16
    classes = {"w_single": W.astype(np.float32), "w_int32": np.round(W / W.max() * 2e9).astype(np.int32),
               "w_logical": W > np.median(W), "w_sparse": np.where(W > np.median(W), W, 0.0),
               "w_uint8": np.round(W / W.max() * 255).astype(np.uint8), "l_uint16": np.round(L).astype(np.uint16)}
    assert classes["l_uint16"].max() == np.round(L).max()  # no wrap-around
    # what the import must give: the values written, as doubles
    np.save(p("classes_expected.npy"), np.stack([classes[k].astype(np.float64) for k in
                                                 ["w_single", "w_int32", "w_logical", "w_sparse", "w_uint8", "l_uint16"]]))
    classes["w_sparse"] = scipy.sparse.csc_matrix(classes["w_sparse"])
    classes["w_int64_big"] = np.full((n, n), 2**60, dtype=np.int64)
    classes["labels"] = cell
    scipy.io.savemat(p("classes.mat"), classes, do_compression=True)
    # bad input
    cell70 = np.empty((1, 70), dtype=object)
    cell70[0, :] = labels[:70]
    cellw = np.empty((1, 2), dtype=object)
    cellw[0, :] = [W, L]
    mixed = np.empty((1, n), dtype=object)
    mixed[0, :] = labels
    mixed[0, 3] = np.array([[1.0]])
    scipy.io.savemat(p("bad.mat"), {"weights": W, "nonsquare": W[:75, :], "chars": "not numbers", "cellw": cellw,
                                   "complexw": W * (1 + 1j), "negative": -W, "labels70": cell70, "mixed": mixed,
                                   "cube": np.zeros((3, 3, 3))}, do_compression=False)
    scipy.io.savemat(p("noweights.mat"), {"foo": W, "bar": L})
    scipy.io.savemat(p("v4.mat"), {"weights": W}, format="4")
    for src, dst, keep in [("v7.mat", "truncated.mat", 2), ("v5.mat", "truncated5.mat", 3)]:
        with open(p(src), "rb") as f:
            data = f.read()
        with open(p(dst), "wb") as f:  # cut inside the compressed weights / inside the uncompressed lengths
            f.write(data[:len(data) // keep] if keep == 2 else data[:len(data) * 2 // keep])
    with open(p("junk.mat"), "w") as f:
        f.write("this is not a MAT-file\n" * 20)


if __name__ == "__main__":
    main()
