"""The extensive-form LP of the two-stage robust method at scale: time and memory.

For the generated portfolio ``--size`` (M: 6 plants, 30 lines, 500 orders, 14 days;
``ingenio.data.generate``) draw ``--samples`` scenarios (outages and tanker arrivals,
``learn_outage_model``), build the extensive form of :mod:`ingenio.scenarios.extensive`
(first stage: stock grants per plant and day and tanker shares; one portfolio LP per
sample, coarse buckets unless ``--fine``) and solve it on HiGHS (one thread). Each
sample count runs in its own child process, so its peak memory (``ru_maxrss``) is its
own. Prints, per count: columns, rows, nonzeros, seconds to draw, build and solve, peak
RSS, the SAA optimum, and the load average before and after (the machine is shared:
wall seconds stretch with the load, CPU seconds of the process much less).
A row per count goes to ``bench/results/robust-DATE.csv``.

    .venv/bin/python bench/robust.py --samples 25 50 100 200        # M, coarse buckets
    .venv/bin/python bench/robust.py --size S --samples 10 --fine   # a quick try
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
FIELDS = ("date", "size", "seed", "samples", "buckets", "method", "columns", "rows", "nonzeros",
          "draw_s", "build_s", "solve_s", "build_cpu_s", "solve_cpu_s", "peak_rss_mb",
          "saa_optimum", "upper_bound", "iterations", "load_before", "load_after",
          "status")  # fmt: skip


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def child(
    size: str, seed: int, samples: int, fine: bool, time_limit: float, method: str
) -> dict[str, object]:
    """One run (in this process): draw, build, solve; figures as a dict."""
    from ingenio.data.generate import generate_portfolio
    from ingenio.energy.outage_model import learn_outage_model
    from ingenio.errors import IngenioError
    from ingenio.scenarios.montecarlo import OutageSampler
    from ingenio.scenarios.twostage import build_saa, draw, plain_policy

    p = generate_portfolio(size, seed)  # type: ignore[arg-type]
    began = time.perf_counter()
    scenarios = draw(p, OutageSampler(learn_outage_model(p)), seed, range(samples))
    drawn = time.perf_counter() - began
    start = None
    if method == "benders":  # warm start: the expected-value grants (one single-sample LP)
        plain = plain_policy(p, coarse=not fine)
        start = plain.solved.x
        print(f"expected-value grants in {plain.solved.seconds:.1f} s", file=sys.stderr)
    cpu = time.process_time()
    ef = build_saa(p, scenarios, coarse=not fine, method=method, start=start)  # type: ignore[arg-type]
    if method == "benders":
        ef.progress = lambda i, up, low: print(  # type: ignore[attr-defined]
            f"  iteration {i}: upper {up:,.1f}, lower {low:,.1f}, gap {up - low:,.1f}; "
            f"CPU {time.process_time() - cpu:,.0f} s, load {_load()}", file=sys.stderr,
            flush=True)  # fmt: skip
    build_cpu = time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"built {ef.n_cols:,} columns, {ef.n_rows:,} rows, {ef.nonzeros:,} nonzeros in "
          f"{ef.build_seconds:.1f} s (CPU {build_cpu:.1f} s), peak RSS {rss:,.0f} MB so far; "
          f"load average {_load()}", file=sys.stderr, flush=True)  # fmt: skip
    del scenarios
    status, optimum, upper, solve_s = "optimal", float("nan"), float("nan"), 0.0
    cpu = time.process_time()
    try:
        solved = ef.solve(time_limit_s=time_limit)
        optimum, upper, solve_s = solved.mean, solved.upper, solved.seconds
    except IngenioError as exc:
        status, solve_s = f"not solved: {exc}"[:120], time.perf_counter() - began - drawn
    solve_cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"columns": ef.n_cols, "rows": ef.n_rows, "nonzeros": ef.nonzeros,
            "draw_s": round(drawn, 1), "build_s": round(ef.build_seconds, 1),
            "solve_s": round(solve_s, 1), "build_cpu_s": round(build_cpu, 1),
            "solve_cpu_s": round(solve_cpu, 1), "peak_rss_mb": round(peak), "saa_optimum": optimum,
            "upper_bound": upper, "iterations": getattr(ef, "iterations", ""),
            "method": method, "status": status}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="M", choices=("S", "M", "L"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--samples", type=int, nargs="+", default=[200])
    ap.add_argument("--fine", action="store_true", help="Fine buckets (much bigger).")
    ap.add_argument("--time-limit", type=float, default=3600.0)
    ap.add_argument(
        "--method",
        default="benders",
        choices=("extensive", "benders"),
        help="One extensive-form LP, or its Benders decomposition.",
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        out = child(args.size, args.seed, args.samples[0], args.fine, args.time_limit, args.method)
        print(json.dumps(out))
        return
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"robust-{dt.date.today().isoformat()}.csv"
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, FIELDS)
        if new:
            w.writeheader()
        for n in args.samples:
            before = _load()
            cmd = [
                sys.executable,
                __file__,
                "--child",
                "--size",
                args.size,
                "--seed",
                str(args.seed),
                "--samples",
                str(n),
                "--time-limit",
                str(args.time_limit),
                "--method",
                args.method,
            ]
            if args.fine:
                cmd.append("--fine")  # fmt: skip
            run = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
            if run.returncode:
                print(f"{n} samples: child failed (exit {run.returncode})", flush=True)
                continue
            got = json.loads(run.stdout.strip().splitlines()[-1])
            row = {"date": dt.datetime.now().isoformat(timespec="seconds"), "size": args.size,
                   "seed": args.seed, "samples": n, "buckets": "fine" if args.fine else "coarse",
                   **got, "load_before": before, "load_after": _load()}  # fmt: skip
            w.writerow(row)
            fh.flush()
            print(f"{args.size} x {n} samples ({row['buckets']} buckets, {args.method}): "
                  f"{got['columns']:,} "
                  f"columns, {got['rows']:,} rows, {got['nonzeros']:,} nonzeros; draw "
                  f"{got['draw_s']} s, build {got['build_s']} s (CPU {got['build_cpu_s']} s), "
                  f"solve {got['solve_s']} s (CPU {got['solve_cpu_s']} s); "
                  f"peak RSS {got['peak_rss_mb']:,} MB; SAA optimum {got['saa_optimum']:,.0f}; "
                  f"{got['status']}; load average {before} -> {row['load_after']}",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
