#!/usr/bin/python3
"""Bounded fuzz test of bad input (CTest `fuzz_inputs`, label fuzz; docs/config.md, "Limits").

With a fixed seed, mutates copies of the shipped configs and data files: keys deleted, duplicated and retyped,
extreme numbers, garbage bytes, truncated and corrupted CSV and HDF5 files, huge sizes. Runs `cortexsim check`
(and `run` with a short t_end, and `train` on a few cases) on 1 and 2 ranks with a timeout per case, and
asserts for every case: no death by a signal, no "terminate called", no sanitizer or HDF5/PETSc dump, no hang,
exit status 0, 1 or 2 (train: 0 or 2 for bad input), and for a refused input exactly one error line
("cortexsim: error: ..." or "cortexsim train: error: ...") of printable ASCII; a refused `run` leaves neither
its output nor a .partial behind.

The list of cases is fixed by the seed; they run in order, two at a time, until all have run or the time budget
is spent (the count is printed; fewer than --min-cases is a failure). A failing case is kept in WORK/failed/ with a line to reproduce it.

Usage: fuzz_inputs.py --bin BUILD/cortexsim --src SOURCE_DIR --work DIR [--seed N] [--budget-s S] [--cases N]
                      [--mpiexec mpiexec] [--jobs 2] [--min-cases 10] [--verbose]
"""
import argparse
import concurrent.futures
import os
import random
import re
import shutil
import subprocess
import sys
import time

import yaml

CONFIGS = ["chaudhuri2015.yaml", "chaudhuri2015_delays.yaml", "chaudhuri2015_generic.yaml",
           "froudistwalsh2021.yaml", "froudistwalsh2021_distractor.yaml", "joglekar2018_strong_gba.yaml",
           "laminar_generic.yaml", "mejiaswang2022.yaml", "rnn_random_10k.yaml", "compare_nback_cortex.yaml"]
RUNNABLE = {"tiny/tiny.yaml": "100", "chaudhuri2015.yaml": "20", "froudistwalsh2021.yaml": "10",
            "chaudhuri2015_delays.yaml": "20", "laminar_generic.yaml": "10", "mejiaswang2022.yaml": "10"}
EXTREME = ["1e300", "-1e300", "1e-300", "0", "-1", "1e12", "1e30", "9007199254740993", "18446744073709551616",
           "2147483648", ".nan", ".inf", "-.inf", "'abc'", "[1, 2]", "{a: 1}", "~", "true", "0.3333333333333333",
           "4e15", "1e15", "-0.0", "1e-7", "65536"]
HUGE_SETS = [["model.rnn.init.units=2147483647"], ["model.rnn.init.outputs=1e15"], ["model.rnn.init.inputs=1e15"],
             ["model.rnn.trials.count=9007199254740992", "run.t_end_ms=9e16"], ["output.buffer_mb=1e300"],
             ["analysis.max_lag_ms=1e300"], ["model.connectivity.delays.velocity_m_per_s=1e-300"],
             ["checkpoint.every_sim_s=1e300"], ["run.t_end_ms=1e12"], ["model.rnn.task.items=1073741824"],
             ["model.rnn.task.stim_steps=9007199254740992"], ["analysis.timescale_ms=[0, 1e300]"]]
TRAIN_SETS = [["network.units=2147483648"], ["network.units=1e15"], ["task.items=1073741824"],
              ["task.stim_steps=9007199254740992", "task.items=1073741824"], ["training.batch=1e15"],
              ["network.tau_ms=[1e300, 1e-300]"], ["task.alphabet=1073741824"], ["network.dt_ms=1e-300"]]
BAD_OUTPUT = re.compile(r"terminate called|Segmentation fault|Aborted|core dumped|exited on signal|"
                        r"AddressSanitizer|runtime error:|HDF5-DIAG|PETSC ERROR|std::bad_alloc|"
                        r"Caught signal|killed by signal|MPI_ABORT")
ERROR_LINE = re.compile(rb"^cortexsim( train)?: error: ", re.M)


def paths_in(node, prefix=""):
    """Every dotted key path of a YAML document (maps and lists)."""
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            if "." in str(k):  # (a key with a dot, e.g. of sweep.parameters, cannot be named by a dotted path)
                continue
            p = f"{prefix}.{k}" if prefix else str(k)
            out.append(p)
            out += paths_in(v, p)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            p = f"{prefix}.{i}" if prefix else str(i)
            out.append(p)
            out += paths_in(v, p)
    return out


def get(node, path):
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def data_files_of(doc):
    """(dotted key, relative path) of every CSV/HDF5 file a config names."""
    out = []
    for p in paths_in(doc):
        v = get(doc, p)
        if isinstance(v, str) and (v.endswith(".csv") or v.endswith(".h5")):
            out.append((p, v))
    return out


def mutate_bytes(data, rng):
    """Garbage bytes, truncation, a deleted or duplicated line, swapped bytes."""
    kind = rng.choice(["truncate", "garbage", "flip", "delete_line", "duplicate_line", "empty", "nul", "crlf"])
    if kind == "truncate" and data:
        return kind, data[: rng.randrange(len(data))]
    if kind == "garbage":
        pos = rng.randrange(len(data) + 1)
        return kind, data[:pos] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 40))) + data[pos:]
    if kind == "flip" and data:
        b = bytearray(data)
        for _ in range(rng.randint(1, 16)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return kind, bytes(b)
    if kind in ("delete_line", "duplicate_line"):
        lines = data.split(b"\n")
        i = rng.randrange(len(lines))
        if kind == "delete_line":
            del lines[i]
        else:
            lines.insert(i, lines[i])
        return kind, b"\n".join(lines)
    if kind == "nul" and data:
        pos = rng.randrange(len(data))
        return kind, data[:pos] + b"\0" + data[pos:]
    if kind == "crlf":
        return kind, data.replace(b"\n", b"\r\n")
    return "empty", b""


def mutate_csv(text, rng):
    """A cell replaced by an extreme or bad value, a row or column deleted, a header cell changed."""
    rows = [r.split(",") for r in text.split("\n")]
    rows = [r for r in rows if r != [""]]
    kind = rng.choice(["cell", "cell", "row", "column", "header", "duplicate_row"])
    if kind == "cell" and len(rows) > 1:
        r = rng.randrange(1, len(rows))
        c = rng.randrange(len(rows[r]))
        rows[r][c] = rng.choice(["nan", "inf", "-1", "1e999", "1e308", "", "x", "\"", "0x10", "1e-320", "-0",
                                 "\xe9\xff", "1,2", "9" * 400])
    elif kind == "row" and len(rows) > 1:
        del rows[rng.randrange(1, len(rows))]
    elif kind == "column":
        c = rng.randrange(len(rows[0]))
        rows = [r[:c] + r[c + 1:] for r in rows]
    elif kind == "header":
        c = rng.randrange(len(rows[0]))
        rows[0][c] = rng.choice(["", "area", "A", "\"", "x y", "area,area"])
    elif kind == "duplicate_row" and len(rows) > 1:
        rows.insert(rng.randrange(1, len(rows)), rows[rng.randrange(1, len(rows))])
    return kind, "\n".join(",".join(r) for r in rows) + "\n"


class Case:
    def __init__(self, name, argv, ranks, files=(), train=False, output=None):
        self.name, self.argv, self.ranks, self.files, self.train, self.output = name, argv, ranks, files, train, output


def make_cases(rng, work, n_cases):
    base = os.path.join(work, "base")
    cases = []
    tiny = os.path.join(base, "tiny", "tiny.yaml")
    for i in range(n_cases):
        ranks = 1 + (i % 2)
        kind = rng.choice(["yaml_key", "yaml_key", "yaml_text", "csv", "data_bytes", "huge", "h5", "train",
                           "run"])
        cfg_name = rng.choice(CONFIGS + ["tiny/tiny.yaml"])
        cfg = os.path.join(base, cfg_name)
        doc = yaml.safe_load(open(cfg))
        case_dir = os.path.join(work, "cases", f"{i:03d}")
        os.makedirs(case_dir, exist_ok=True)
        sets, files, command = [], [], "check"
        if kind == "yaml_key":
            p = rng.choice(paths_in(doc))
            op = rng.choice(["delete", "retype", "retype", "duplicate"])
            if op == "delete":
                parent, _, last = p.rpartition(".")
                node = get(doc, parent) if parent else doc
                if isinstance(node, list):
                    node.pop(int(last))
                else:
                    node.pop(last)
                cfg = os.path.join(os.path.dirname(cfg), f"fuzz_{i:03d}.yaml")
                open(cfg, "w").write(yaml.safe_dump(doc, sort_keys=False))
            elif op == "retype":
                sets.append(f"{p}={rng.choice(EXTREME)}")
            else:  # the same key twice in one map (a line of the file repeated, or a flow map)
                sets.append(f"{p.rpartition('.')[0] or 'run'}={{a: 1, a: 2}}")
        elif kind == "yaml_text":
            what, data = mutate_bytes(open(cfg, "rb").read(), rng)
            cfg = os.path.join(os.path.dirname(cfg), f"fuzz_{i:03d}.yaml")
            open(cfg, "wb").write(data)
        elif kind in ("csv", "data_bytes"):
            named = [(k, v) for k, v in data_files_of(doc) if v.endswith(".csv")]
            if named:
                key, rel = rng.choice(named)
                src = os.path.join(os.path.dirname(cfg), rel)
                dst = os.path.join(case_dir, os.path.basename(rel))
                if kind == "csv":
                    _, text = mutate_csv(open(src, encoding="latin-1").read(), rng)
                    open(dst, "w", encoding="latin-1").write(text)
                else:
                    _, data = mutate_bytes(open(src, "rb").read(), rng)
                    open(dst, "wb").write(data)
                sets.append(f"{key}={dst}")
                files.append(dst)
        elif kind == "huge":
            sets += rng.choice(HUGE_SETS)
        elif kind == "h5":
            cfg = tiny
            src = os.path.join(base, "tiny", "fln.h5")
            dst = os.path.join(case_dir, "fln.h5")
            op = rng.choice(["bytes", "bytes", "group", "dataset"])
            if op == "bytes":
                _, data = mutate_bytes(open(src, "rb").read(), rng)
                open(dst, "wb").write(data)
                sets.append(f"model.connectivity.fln={dst}")
            elif op == "group":
                sets.append(f"model.connectivity.fln={os.path.join(base, 'tiny', 'fln_group.h5')}")
            else:
                sets.append("model.connectivity.fln={file: " + src + ", dataset: " +
                            rng.choice(["/", "/nope", "/fln/x", "fln", "//fln", "/areas"]) + "}")
        elif kind == "train":
            cfg = os.path.join(base, "rnn_train_nback.yaml")
            command = "train"
            sets += rng.choice(TRAIN_SETS)
        if kind == "run" or (kind in ("yaml_key", "csv", "h5") and rng.random() < 0.3):
            runnable = cfg_name if cfg_name in RUNNABLE else "tiny/tiny.yaml"
            if kind == "run":
                cfg = os.path.join(base, runnable)
                doc = yaml.safe_load(open(cfg))
                p = rng.choice(paths_in(doc))
                sets.append(f"{p}={rng.choice(EXTREME)}")
            command = "run"
            if not any(s.startswith("run.t_end_ms=") for s in sets):
                sets.append(f"run.t_end_ms={RUNNABLE.get(runnable, '100')}")
        argv = [command, cfg]
        output = None
        if command == "run":
            output = os.path.join(case_dir, "out.h5")
            argv += ["-o", output, "--quiet"]
        elif command == "train":
            output = os.path.join(case_dir, "w.h5")
            argv += ["-o", output, "--quiet", "--set", "training.iterations=2", "--set", "training.eval_trials=4"]
        for s in sets:
            argv += ["--set", s]
        cases.append(Case(f"{i:03d}-{kind}-{command}", argv, ranks, files, command == "train", output))
    return cases


def check_case(case, proc_rc, out, err, timed_out):
    """The problems of one finished case (empty: fine)."""
    problems = []
    text = out + err
    if timed_out:
        problems.append("hang: no exit within the timeout")
    if proc_rc is not None and proc_rc < 0:
        problems.append(f"killed by signal {-proc_rc}")
    m = BAD_OUTPUT.search(text.decode("latin-1"))
    if m:
        problems.append(f"output contains '{m.group(0)}'")
    allowed = {0, 1, 2}
    if not timed_out and proc_rc not in allowed:
        problems.append(f"exit status {proc_rc} (allowed: {sorted(allowed)})")
    lines = ERROR_LINE.findall(err)
    error_lines = [l for l in err.split(b"\n") if ERROR_LINE.match(l)]
    if proc_rc not in (0, None) and len(lines) != 1:
        problems.append(f"{len(lines)} error lines, expected exactly 1")
    if proc_rc == 0 and lines:
        problems.append("error line but exit status 0")
    for l in error_lines:
        if any(c < 0x20 or c > 0x7e for c in l):
            problems.append("error line is not printable ASCII")
    if case.output and proc_rc not in (0, None):
        for p in (case.output, case.output + ".partial"):
            if os.path.exists(p):
                problems.append(f"a refused run left {p}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--budget-s", type=float, default=55.0)
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--timeout-s", type=float, default=40.0)
    ap.add_argument("--mpiexec", default="mpiexec")
    ap.add_argument("--verbose", action="store_true", help="a line per case")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at once")
    ap.add_argument("--min-cases", type=int, default=10, help="fail if fewer cases ran within the budget")
    a = ap.parse_args()
    a.bin, a.src, a.work = os.path.abspath(a.bin), os.path.abspath(a.src), os.path.abspath(a.work)
    t0 = time.monotonic()
    shutil.rmtree(a.work, ignore_errors=True)
    base = os.path.join(a.work, "base")
    shutil.copytree(os.path.join(a.src, "configs"), base)
    shutil.copytree(os.path.join(a.src, "tests", "data", "tiny"), os.path.join(base, "tiny"))
    # an HDF5 copy of the tiny FLN (the reader of HDF5 connectivity), made with h5py
    import csv
    import h5py
    import numpy as np
    rows = list(csv.reader(open(os.path.join(base, "tiny", "fln.csv"))))
    with h5py.File(os.path.join(base, "tiny", "fln.h5"), "w") as f:
        d = f.create_dataset("fln", data=np.array([[float(x) for x in r[1:]] for r in rows[1:]]))
        d.attrs["areas"] = rows[0][1:]
    rng = random.Random(a.seed)
    cases = make_cases(rng, a.work, a.cases)
    env = dict(os.environ, OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_mpi_yield_when_idle="1")

    def execute(argv, ranks):
        """(exit status or None on a timeout, stdout, stderr); on a timeout the whole process group is killed."""
        cmd = [a.mpiexec, "--bind-to", "none", "-n", str(ranks), a.bin] + argv
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=a.work,
                             start_new_session=True)
        try:
            out, err = p.communicate(timeout=a.timeout_s)
            return p.returncode, out, err, cmd
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            out, err = p.communicate()
            return None, out, err, cmd

    def run_case(case):
        """Runs one case unless the budget is spent: (case, argv, exit status or None, stdout, stderr, command)."""
        if time.monotonic() - t0 > a.budget_s:
            return None
        argv = case.argv
        if argv[0] == "run":
            # a run only if check accepts it and it is short (a tiny dt_ms may ask for 1e8 steps)
            sets = [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "--set"]
            probe = ["check", argv[1]] + [x for s in sets for x in ("--set", s)]
            rc, out, err, cmd = execute(probe, 1)
            m = re.search(rb"(\d+) areas x (\d+) populations, (\d+) steps", out)
            if rc != 0 or not m or int(m.group(1)) * int(m.group(3)) > 2_000_000:
                argv = probe
                case.output = None
        t_case = time.monotonic()
        rc, out, err, cmd = execute(argv, case.ranks)
        if a.verbose:
            print(f"{case.name}: exit {rc} in {time.monotonic() - t_case:.1f} s: {' '.join(argv)}", flush=True)
        return case, rc, out, err, cmd

    # two cases at a time: a case is mostly the start-up of mpiexec and of the ranks, waiting rather than computing
    ran, failed, by_rc = 0, 0, {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for result in pool.map(run_case, cases):
            if result is None:
                continue
            case, rc, out, err, cmd = result
            ran += 1
            by_rc[rc] = by_rc.get(rc, 0) + 1
            problems = check_case(case, rc, out, err, rc is None)
            if problems:
                failed += 1
                keep = os.path.join(a.work, "failed", case.name)
                os.makedirs(keep, exist_ok=True)
                for f in case.files:
                    shutil.copy(f, keep)
                print(f"FAIL {case.name}: {'; '.join(problems)}\n  reproduce: {' '.join(cmd)}\n  stderr: "
                      f"{err.decode('latin-1')[-2000:]}", flush=True)
    elapsed = time.monotonic() - t0
    print(f"fuzz: seed {a.seed}, {ran} of {len(cases)} cases in {elapsed:.1f} s (exit statuses: "
          f"{', '.join(f'{k}: {v}' for k, v in sorted(by_rc.items(), key=lambda kv: str(kv[0])))}), "
          f"{failed} failed")
    if ran < a.min_cases:
        print(f"FAIL: fewer than {a.min_cases} cases ran within the budget")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
