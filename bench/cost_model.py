#!/usr/bin/env python3
"""Cost model of a cortexsim step, fitted to scale_bench measurements (docs/benchmarks.md, "Cost model").

    bench/cost_model.py LOG [LOG ...] [--predict AREAS,DENSITY,NODES,RANKS_PER_NODE] [--node-GBs B]
                        [--net-latency-us L] [--net-GBs G] [--delay-epoch D] [--pops P] [--cache-MiB C]

LOG: logs of bench/run_scale_bench.sh (their SUMMARY lines; the best of repeated runs is used).

Model of one step on R ranks (R = nodes x ranks per node), A areas, p populations, nnz nonzeros, density d:
  apply    = bytes_per_nnz * nnz / R / bw_rank          memory-bound sparse sums; bw_rank fitted (GB/s per rank),
                                                        once for a rank's matrix within C MiB (cache), once beyond
  dynamics = c_area * A * p / R                         the local circuits (c_area fitted, us per area-population)
  exchange = lat * m + ghost_bytes / net_bw             per step (every D-th step with delays of D steps):
             m = messages per rank (neighbours: min(R - 1, rows' distinct owner ranks)), ghost values = the
             sources a rank reads that others own; with uniform random rows of d*A nonzeros, a rank of A/R rows
             reads each of the other A - A/R sources with probability 1 - (1 - d)^(A/R). This is the worst case:
             a cortex whose sources are mostly near (the synthetic sheet's distance rule) and a partition into
             compact blocks read far fewer ghosts.
  delays   = x_delay * apply                            the delayed gather's factor (fitted when delayed runs exist)
On one node the exchange is shared-memory and small; its constants for a cluster are assumptions (given
on the command line, printed with the prediction), not measurements.
Fits are least squares on the measured step parts (apply_us, dyn_us, step_us), printed with their residuals.
"""
import argparse
import math
import sys


def read_logs(paths):
    runs = {}
    for p in paths:
        with open(p) as f:
            for line in f:
                if not line.startswith("SUMMARY "):
                    continue
                kv = dict(x.split("=", 1) for x in line.split()[1:] if "=" in x)
                v = {k: float(x) for k, x in kv.items()}
                key = (int(v["areas"]), v["density"], int(v["ranks"]), int(v.get("pops", 2)),
                       v.get("max_delay", 0) > 0)
                best = runs.get(key)
                if best is None or v["step_us"] < best["step_us"]:
                    runs[key] = v
    return runs


def lstsq1(xs, ys):
    """y = c x through the origin: c and the relative residuals."""
    c = sum(x * y for x, y in zip(xs, ys)) / sum(x * x for x in xs)
    return c, [(c * x - y) / y if y else 0.0 for x, y in zip(xs, ys)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--predict", action="append", default=[],
                    help="AREAS,DENSITY,NODES,RANKS_PER_NODE (e.g. 1000000,0.001,64,32)")
    ap.add_argument("--node-GBs", type=float, default=200.0, help="memory bandwidth of one node (GB/s)")
    ap.add_argument("--net-latency-us", type=float, default=2.0, help="network latency per message (us)")
    ap.add_argument("--net-GBs", type=float, default=12.5, help="network bandwidth per node (GB/s)")
    ap.add_argument("--delay-epoch", type=int, default=1, help="steps per exchange (minimum delay; 1 = none)")
    ap.add_argument("--pops", type=int, default=2)
    ap.add_argument("--cache-MiB", type=float, default=16.0,
                    help="a rank's matrix up to this size counts as in cache (the in-cache bandwidth fit)")
    a = ap.parse_args()
    runs = read_logs(a.logs)
    plain = {k: v for k, v in runs.items() if not k[4]}
    if not plain:
        sys.exit("cost_model.py: no SUMMARY lines without delays in " + " ".join(a.logs))
    print("| areas | density | ranks | nnz | step us | apply us | dyn us | rest us | model step us | error |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    # apply: bytes / (R * bw_rank), fitted separately where a rank's matrix fits the cache and where it streams
    # from DRAM (--cache-MiB)
    def fit_bw(sel):
        xs = [v["bytes_per_apply"] / v["ranks"] for v in sel]
        ys = [v["apply_us"] for v in sel]
        return lstsq1(xs, ys)[0] if sel else None
    in_cache = lambda v: v["bytes_per_apply"] / v["ranks"] <= a.cache_MiB * 2**20
    c_cache = fit_bw([v for v in plain.values() if in_cache(v)])
    c_dram = fit_bw([v for v in plain.values() if not in_cache(v)])
    c_cache = c_cache or c_dram
    c_dram = c_dram or c_cache
    c_of = lambda bytes_per_rank: c_cache if bytes_per_rank <= a.cache_MiB * 2**20 else c_dram
    c_byte = c_dram
    bw_rank = 1e-3 / c_dram     # GB/s, from DRAM
    xs = [v["areas"] * v["pops"] / v["ranks"] for v in plain.values()]
    ys = [v["dyn_us"] for v in plain.values()]
    c_area, _ = lstsq1(xs, ys)
    # the rest of the step (exchange, bookkeeping): a constant per step plus a term per ghost byte, 2+ ranks
    rest = {k: v["step_us"] - v["apply_us"] - v["dyn_us"] for k, v in plain.items()}
    # on 2+ ranks: rest = lat_node + c_exch * bytes received (least squares; lat_node alone with one point)
    multi = [(v["bytes_exch"], max(rest[k], 0.0)) for k, v in plain.items() if v["ranks"] > 1]
    lat_node, c_exch = 0.0, 0.0
    if len(multi) >= 2 and len({b for b, _ in multi}) >= 2:
        n = len(multi)
        mb = sum(b for b, _ in multi) / n
        mr = sum(r for _, r in multi) / n
        c_exch = max(sum((b - mb) * (r - mr) for b, r in multi) / sum((b - mb) ** 2 for b, _ in multi), 0.0)
        lat_node = max(mr - c_exch * mb, 0.0)
    elif multi:
        lat_node = multi[0][1]
    errs = []
    for k in sorted(plain):
        v = plain[k]
        model = c_of(v["bytes_per_apply"] / v["ranks"]) * v["bytes_per_apply"] / v["ranks"] + c_area * v["areas"] * v["pops"] / v["ranks"] + (
            lat_node + c_exch * v["bytes_exch"] if v["ranks"] > 1 else 0.0)
        err = (model - v["step_us"]) / v["step_us"]
        errs.append(abs(err))
        print(f"| {k[0]} | {k[1]:g} | {k[2]} | {v['nnz']:.3g} | {v['step_us']:.1f} | {v['apply_us']:.1f} | "
              f"{v['dyn_us']:.1f} | {rest[k]:.1f} | {model:.1f} | {err * 100:+.0f} % |")
    print()
    print(f"fitted: apply {bw_rank:.2f} GB/s per rank from DRAM, {1e-3 / c_cache:.2f} GB/s within "
          f"{a.cache_MiB:g} MiB per rank, dynamics "
          f"{c_area * 1e3:.2f} ns per area-population, exchange on this node {lat_node:.1f} us per step + {c_exch * 1e3:.3f} us per kB received; "
          f"median |error| {sorted(errs)[len(errs) // 2] * 100:.0f} %, worst {max(errs) * 100:.0f} %")
    delayed = {k: v for k, v in runs.items() if k[4] and v.get("delayed_step_us", 0) > 0}
    x_delay = None
    if delayed:
        ratios = [v["delayed_step_us"] / v["step_us"] for v in delayed.values()]
        x_delay = sorted(ratios)[len(ratios) // 2]
        print(f"delayed step / undelayed step (median of {len(ratios)}): {x_delay:.2f}")
    bytes_per_nnz = sorted(v["bytes_per_apply"] / v["nnz"] for v in plain.values())[len(plain) // 2]
    for spec in a.predict:
        A, d, nodes, rpn = spec.split(",")
        A, d, nodes, rpn = int(A), float(d), int(nodes), int(rpn)
        R = nodes * rpn
        nnz = A * A * d
        rows = A / R
        # apply: every rank of a node shares the node's bandwidth, a single rank cannot exceed what it did here
        per_rank = bytes_per_nnz * nnz / R
        bw = min(1e-3 / c_of(per_rank), a.node_GBs / rpn)
        t_apply = per_rank / (bw * 1e3)
        t_dyn = c_area * A * a.pops / R
        p_read = 1.0 - (1.0 - d) ** rows
        ghosts = (A - rows) * p_read
        owners = min(R - 1, math.ceil(ghosts / rows)) if rows >= 1 else R - 1
        ghost_bytes_node = ghosts * 8 * rpn
        t_net = (a.net_latency_us * owners + ghost_bytes_node / (a.net_GBs * 1e3)) / a.delay_epoch
        t = t_apply + t_dyn + t_net
        if x_delay and a.delay_epoch > 1:
            t += (x_delay - 1.0) * t_apply
        print(f"\nprediction: {A} areas, density {d:g} ({nnz:.3g} nonzeros, {bytes_per_nnz * nnz / 1e9:.1f} GB of "
              f"matrix), {nodes} nodes x {rpn} ranks = {R} ranks ({rows:.0f} areas per rank)")
        print(f"  apply    {t_apply:10.1f} us  ({bytes_per_nnz:.1f} B per nonzero at {bw:.2f} GB/s per rank)")
        print(f"  dynamics {t_dyn:10.1f} us  ({a.pops} populations)")
        print(f"  exchange {t_net:10.1f} us  ({ghosts:.0f} ghost values per rank from {owners} ranks; assumed "
              f"{a.net_latency_us} us per message, {a.net_GBs} GB/s per node, every {a.delay_epoch} step(s))")
        print(f"  step     {t:10.1f} us  = {1e6 / t:.0f} steps/s")


if __name__ == "__main__":
    main()
