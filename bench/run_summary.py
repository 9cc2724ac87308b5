#!/usr/bin/python3
"""One table of cortexsim's headline figures (docs/benchmarks.md, "Summary table"): speed against Brian2 on
the default model, the working-memory circuits with noise, delayed against undelayed coupling, the coupling
kernel against the memory-bandwidth bound, memory at 100,000 areas, the synthetic and fine-grained cortices,
sweeps on 1 and 2 ranks, and start-up. Each row names its goal (issue 14, or issue 11 for equations) and
whether this run met it.

    /usr/bin/python3 bench/run_summary.py [--reps R] [--no-brian2] [--pml-default] [--quick] [--idle-wait S] [--log FILE]

Needs build/cortexsim, build/bench/scale_bench and build/bench/delay_bench (`bash tools/setup.sh` or
`cmake --build build`); CORTEXSIM_BUILD=/path/to/build uses another build. Brian2 rows need Debian's
python3-brian (`apt-get install --no-install-recommends python3-brian`); without it they are left out.

How it measures:
  * Start it on an otherwise idle machine. Before each round the script waits (up to 60 s) for 3 s in a row of
    >= 90 % idle CPU and prints the load; the load average before and after goes under the table.
  * Every small measurement runs R times (default 5) in rounds: each round runs every row once, so that a
    change of machine load hits all rows alike. The table gives the median and the range. The large ones
    (100,000 areas, the 10,000-area runs) run R // 2 + 1 times.
  * steps/s are the time loop as the run prints it (`model ...: ... in T s: X steps/s`: records and HDF5
    writes included, start-up excluded); start-up and sweeps are the wall time of the whole `mpirun` command
    (each sweep into an empty directory).
  * Open MPI: OMPI_MCA_pml=ob1 is set for every command (single node: Open MPI's default UCX PML spends
    ~0.2 s probing transports in MPI_Init; docs/hpc.md); --pml-default leaves Open MPI's default. One row
    times a 1-step run with the default PML as well. OMPI_MCA_mpi_yield_when_idle is unset (right only for
    oversubscription).
  * --quick: one round, no 100,000-area row, no Brian2: a smoke run of the script (about a minute).
Output: progress on stderr; the table in Markdown on stdout (pasted into docs/benchmarks.md).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("CORTEXSIM_BUILD", os.path.join(ROOT, "build"))
BIN = os.path.join(BUILD, "cortexsim")
SCALE = os.path.join(BUILD, "bench", "scale_bench")
DELAY = os.path.join(BUILD, "bench", "delay_bench")
PY = "/usr/bin/python3"
RUN_LINE = re.compile(r"^model .* in ([0-9.e+-]+) s: ([0-9.e+-]+) steps/s", re.M)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def cpu_times():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]


def wait_idle(limit_s=60.0):
    """Waits until the CPUs were >= 90 % idle for 3 s in a row (at most limit_s); returns the last idle %."""
    t0, pct = time.monotonic(), 0.0
    while True:
        a = cpu_times()
        time.sleep(3.0)
        b = cpu_times()
        pct = 100.0 * (b[1] - a[1]) / max(1, b[0] - a[0])
        if pct >= 90.0 or time.monotonic() - t0 > limit_s:
            return pct


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Runner:
    def __init__(self, env, tmp):
        self.env, self.tmp = env, tmp

    def run(self, argv, env=None):
        """Runs argv; returns (wall s, stdout + stderr). Fails the script on a non-zero exit."""
        t0 = time.perf_counter()
        p = subprocess.run(argv, cwd=ROOT, env=env or self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            log(p.stdout[-3000:])
            raise SystemExit(f"run_summary.py: error: exit {p.returncode}: {' '.join(argv)}")
        return wall, p.stdout

    def mpirun(self, n, args, env=None):
        return self.run(["mpirun", "--bind-to", "none", "-n", str(n)] + args, env)

    def steps_per_s(self, n, config, sets):
        argv = [BIN, "run", config, "-o", os.path.join(self.tmp, "o.h5"), "--overwrite", "--quiet"]
        for s in sets:
            argv += ["--set", s]
        wall, out = self.mpirun(n, argv)
        m = RUN_LINE.search(out)
        if not m:
            raise SystemExit(f"run_summary.py: error: no 'model ... steps/s' line from {' '.join(argv)}")
        return float(m.group(2))


def summary_fields(out, tag):
    """The key=value fields of the last line starting with tag."""
    lines = [l for l in out.splitlines() if l.startswith(tag + " ")]
    if not lines:
        raise SystemExit(f"run_summary.py: error: no {tag} line")
    return {k: v for k, v in (f.split("=", 1) for f in lines[-1].split()[1:] if "=" in f)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--no-brian2", action="store_true")
    ap.add_argument("--pml-default", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--log", help="also write every measurement to FILE")
    ap.add_argument("--idle-wait", type=float, default=60.0, help="longest wait for an idle machine (s)")
    a = ap.parse_args()
    for b in (BIN, SCALE, DELAY):
        if not os.access(b, os.X_OK):
            raise SystemExit(f"run_summary.py: error: {b} is missing; build first: bash tools/setup.sh")
    reps = 1 if a.quick else max(1, a.reps)
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    env.pop("OMPI_MCA_mpi_yield_when_idle", None)
    if not a.pml_default:
        env["OMPI_MCA_pml"] = "ob1"
    env_default_pml = dict(env)
    env_default_pml.pop("OMPI_MCA_pml", None)
    brian = not (a.no_brian2 or a.quick)
    if brian and subprocess.run([PY, "-c", "import brian2"], capture_output=True).returncode != 0:
        log("note: Brian2 is not importable (apt-get install python3-brian): its rows are left out")
        brian = False

    tmp = tempfile.mkdtemp(prefix="cortexsim_summary_")
    r = Runner(env, tmp)
    res = {}  # key -> list of values

    def add(key, v):
        res.setdefault(key, []).append(v)
        if a.log:
            with open(a.log, "a") as f:
                f.write(f"{key} {v!r}\n")

    load_before = loadavg()
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    fw, mw = "configs/froudistwalsh2021.yaml", "configs/mejiaswang2022.yaml"
    fw_noise, mw_noise = "model.parameters.noise_sigma_nA=0.005", "model.parameters.noise_sigma_nA=0.01"
    try:
        # one untimed warm-up (page cache, equations kernel cache)
        r.steps_per_s(1, "configs/froudistwalsh2021_equations.yaml", ["run.t_end_ms=10"])
        r.steps_per_s(1, "configs/chaudhuri2015.yaml", ["run.t_end_ms=100"])
        for rnd in range(reps):
            log(f"round {rnd + 1}/{reps}: cpu idle {wait_idle(a.idle_wait):.0f} %, load {loadavg()}")
            add("chaudhuri_1", r.steps_per_s(1, "configs/chaudhuri2015.yaml", ["run.t_end_ms=10000"]))
            add("chaudhuri_2", r.steps_per_s(2, "configs/chaudhuri2015.yaml", ["run.t_end_ms=10000"]))
            for rec, extra in (("", []), ("_rec5", ["run.record_interval_ms=5"])):
                add("fw_noise" + rec, r.steps_per_s(1, fw, [fw_noise] + extra))
                add("mw_noise" + rec, r.steps_per_s(1, mw, [mw_noise] + extra))
            add("fw_hand_rec5", r.steps_per_s(1, fw, ["run.record_interval_ms=5"]))
            add("fw_eq_rec5", r.steps_per_s(1, "configs/froudistwalsh2021_equations.yaml",
                                            ["run.record_interval_ms=5"]))
            add("chaudhuri_nodelay", r.steps_per_s(1, "configs/chaudhuri2015.yaml", ["run.t_end_ms=50000"]))
            add("chaudhuri_delay", r.steps_per_s(1, "configs/chaudhuri2015_delays.yaml", ["run.t_end_ms=50000"]))
            # each sweep into an empty directory: replacing an existing 31 MB output by rename costs ~20 ms on
            # ext4 (it flushes the new file first), a property of the file system, not of the sweep
            sweep_dir = os.path.join(tmp, "sweep")
            sweep = [BIN, "sweep", fw, "-o", os.path.join(sweep_dir, "fw.h5"), "--quiet"]
            long_sweep = sweep + ["--set", "run.t_end_ms=50000", "--set", "run.record_interval_ms=5"]
            for key, n, argv in (("sweep_1", 1, sweep), ("sweep_2", 2, sweep), ("sweep_long_1", 1, long_sweep),
                                 ("sweep_long_2", 2, long_sweep)):
                shutil.rmtree(sweep_dir, ignore_errors=True)
                os.makedirs(sweep_dir)
                add(key, r.mpirun(n, argv)[0])
            add("check", r.run([BIN, "check", "configs/chaudhuri2015.yaml"])[0])
            one = [BIN, "run", fw, "-o", os.path.join(tmp, "s.h5"), "--overwrite", "--quiet", "--set",
                   "run.t_end_ms=0.5"]
            add("start_1", r.mpirun(1, one)[0])
            add("start_2", r.mpirun(2, one)[0])
            add("start_1_default_pml", r.mpirun(1, one, env_default_pml)[0])
            add("mpirun_true", r.mpirun(1, ["true"])[0])
            if rnd % 2 == 0 or a.quick:  # the large rows: R // 2 + 1 times
                wait_idle(a.idle_wait)
                d = summary_fields(r.run([DELAY, "--areas", "10000", "--density", "0.01", "--velocity", "3.5",
                                          "--rounds", "3"])[1], "DELAY")
                add("delay_ratio", float(d["ratio"]))
                s = summary_fields(r.mpirun(1, [SCALE, "--areas", "10000", "--density", "0.01", "--no-io"])[1],
                                   "SUMMARY")
                add("apply_ratio", float(s["ratio"]))
                for n in (1, 2):
                    add(f"syn10k_{n}", r.steps_per_s(n, "configs/synthetic_10k.yaml", []))
                    add(f"syn10k_delays_{n}", r.steps_per_s(n, "configs/synthetic_10k_delays.yaml", []))
                    add(f"laminar_{n}", r.steps_per_s(n, "configs/fine_grained_laminar.yaml", []))
                if not a.quick:
                    for n in (1, 2):
                        s = summary_fields(r.mpirun(n, [SCALE, "--areas", "100000", "--density", "0.01", "--steps",
                                                        "30", "--no-io"])[1], "SUMMARY")
                        add(f"mem100k_{n}", (float(s["peak_ratio"]), float(s["steady_ratio"])))
        if brian:
            log("Brian2 standalone (code generation and compilation first, untimed)")
            wait_idle(a.idle_wait)
            _, out = r.run([PY, "bench/brian2_reference.py", "--mode", "standalone", "--record", "--reps", str(reps)])
            for m in re.finditer(r"^RESULT \S+ steps=(\d+) loop_s=([0-9.e+-]+) wall_s=([0-9.e+-]+)", out, re.M):
                add("brian2_standalone", int(m.group(1)) / float(m.group(2)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = loadavg()

    def med(key):
        return statistics.median(res[key])

    def rng(key, fmt):
        v = res[key]
        return f"{fmt(statistics.median(v))} ({fmt(min(v))}–{fmt(max(v))})" if len(v) > 1 else fmt(v[0])

    def k(x):
        return f"{x / 1e3:,.0f} k" if x >= 1e4 else f"{x:,.0f}"

    def sec(x):
        return f"{x:.2f} s"

    def ratio(x):
        return f"{x:.2f}x"

    def met(ok):
        return "met" if ok else "**not met**"

    rows = []  # (item, measurement, figure, goal, status)
    rows.append(("default model", "Chaudhuri 2015, 29 areas, 100,000 steps, 1 rank (steps/s)",
                 rng("chaudhuri_1", k), "", ""))
    rows.append(("", "the same, 2 ranks", rng("chaudhuri_2", k), "", ""))
    if "brian2_standalone" in res:
        c, b = med("chaudhuri_1"), med("brian2_standalone")
        rows.append(("", "Brian2 2.5.1 C++ standalone, same model and recording, 1 core (steps/s)",
                     rng("brian2_standalone", k), "", f"cortexsim {c / b:.1f}x faster"))
    for key, what, goal in (("fw_noise", "Froudist-Walsh 2021 with noise, 1 rank, every step recorded", 2e5),
                            ("fw_noise_rec5", "the same, recorded every 5 ms", 2e5),
                            ("mw_noise", "Mejias & Wang 2022 with noise, 1 rank, every 1 ms recorded", 4e5),
                            ("mw_noise_rec5", "the same, recorded every 5 ms", 4e5)):
        rows.append(("14.2 one pass" if key == "fw_noise" else "", what + " (steps/s)", rng(key, k), f"≥ {k(goal)}",
                     met(med(key) >= goal)))
    if "delay_ratio" in res:
        rows.append(("14.1 delays", "delayed / undelayed sums, 10,000 areas, 1 %, 3.5 m/s (CPU time)",
                     rng("delay_ratio", ratio), "≤ 2x", met(med("delay_ratio") <= 2.0)))
    dl = [n / d for n, d in zip(res["chaudhuri_nodelay"], res["chaudhuri_delay"])]
    res["delay_small"] = dl
    rows.append(("", "delayed / undelayed loop, Chaudhuri 29 areas with and without delays (500,000 steps)",
                 rng("delay_small", ratio), "≤ 1.3x", met(med("delay_small") <= 1.3)))
    if "apply_ratio" in res:
        rows.append(("14.4 bandwidth", "coupling apply / bandwidth bound, 10,000 areas, 1 %",
                     rng("apply_ratio", ratio), "≤ 1.5x", met(med("apply_ratio") <= 1.5)))
    for n in (1, 2):
        key = f"mem100k_{n}"
        if key in res:
            peak = [p for p, _ in res[key]]
            steady = [s for _, s in res[key]]
            res[key + "_p"], res[key + "_s"] = peak, steady
            rows.append(("14.3 memory" if n == 1 else "",
                         f"100,000 areas, 1 %, {n} rank{'s' if n > 1 else ''}: peak / steady over matrix + state",
                         f"{rng(key + '_p', ratio)} / {rng(key + '_s', ratio)}", "≤ 1.5x / ≤ 1.2x",
                         met(max(peak) <= 1.5 and max(steady) <= 1.2)))
    for key, what in (("syn10k", "configs/synthetic_10k.yaml"), ("syn10k_delays", "configs/synthetic_10k_delays.yaml"),
                      ("laminar", "configs/fine_grained_laminar.yaml (10,000 x 8 populations, delays)")):
        if f"{key}_1" in res:
            rows.append(("14.5 from config" if key == "syn10k" else "", f"{what}, 1 / 2 ranks (steps/s)",
                         f"{rng(key + '_1', k)} / {rng(key + '_2', k)}", "", ""))
    sp = [x / y for x, y in zip(res["sweep_1"], res["sweep_2"])]
    res["sweep_speedup"] = sp
    rows.append(("14.6 sweeps", "8-point dopamine sweep (Froudist-Walsh), whole command, into an empty directory, 1 rank / 2 ranks",
                 f"{rng('sweep_1', sec)} / {rng('sweep_2', sec)}", "", ""))
    rows.append(("", "speed-up on 2 ranks (per round)", rng("sweep_speedup", ratio), "≥ 1.6x",
                 met(med("sweep_speedup") >= 1.6)))
    res["sweep_long_speedup"] = [x / y for x, y in zip(res["sweep_long_1"], res["sweep_long_2"])]
    rows.append(("", "the same sweep with 50 s trials recorded every 5 ms (10x the steps), 1 rank / 2 ranks",
                 f"{rng('sweep_long_1', sec)} / {rng('sweep_long_2', sec)}", "", ""))
    rows.append(("", "its speed-up on 2 ranks (per round)", rng("sweep_long_speedup", ratio), "", ""))
    rows.append(("14.7 start-up", "`cortexsim check configs/chaudhuri2015.yaml` (no MPI)", rng("check", sec),
                 "≤ 0.15 s", met(med("check") <= 0.15)))
    rows.append(("", "1-step `run` of Froudist-Walsh, whole `mpirun -n 1` / `-n 2`",
                 f"{rng('start_1', sec)} / {rng('start_2', sec)}", "", ""))
    rows.append(("", "the same on 1 rank with Open MPI's default PML (UCX)", rng("start_1_default_pml", sec), "",
                 ""))
    rows.append(("", "`mpirun -n 1 true` (the launcher alone)", rng("mpirun_true", sec), "", ""))
    fr = [e / h for e, h in zip(res["fw_eq_rec5"], res["fw_hand_rec5"])]
    res["fw_eq_ratio"] = fr
    rows.append(("11 equations", "Froudist-Walsh as equations / hand-written, every 5 ms (steps/s ratio)",
                 rng("fw_eq_ratio", ratio), "≥ 0.8x", met(med("fw_eq_ratio") >= 0.8)))

    pml = "Open MPI's default PML" if a.pml_default else "OMPI_MCA_pml=ob1"
    print(f"Commit {commit}; {cpu}, {os.cpu_count()} CPUs; {reps} round(s); {pml}; load average "
          f"{load_before} before, {load_after} after. Median (range) of the rounds.\n")
    print("| item | measurement | figure | goal | |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
