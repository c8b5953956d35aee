"""Scenarios at scale: local process pool vs a Dask LocalCluster, and robust vs plain.

1. ``--samples`` Monte Carlo samples of the demo (outages and tanker arrivals
   drawn from ``learn_outage_model``; every sample planned by ``--planner`` and
   validated) on the local process pool of ``--workers`` processes, then through a
   Dask ``LocalCluster`` with as many single-threaded worker processes. Wall time
   of each, the ratio, and a check that both give the same figures (they must:
   sample ``i`` draws from ``Random(seed * 1_000_003 + i)`` wherever it runs).
2. ``robust_plan`` on ``--train`` samples, then plain, robust and free re-plan on
   ``--holdout`` fresh samples: mean value, mean on-time value, P10, std, and the
   paired difference from plain with its standard error.

One table per part on the terminal; CSV rows to ``bench/results/scenarios-DATE.csv``.

    .venv/bin/python bench/scenarios.py --samples 10 --train 4 --holdout 6   # a quick try
    .venv/bin/python bench/scenarios.py                                     # 200 / 20 / 50
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ingenio.data.demo import build_demo_portfolio
from ingenio.scenarios.executor import DaskExecutor, Executor, ProcessExecutor
from ingenio.scenarios.montecarlo import MonteCarloResult, run_samples
from ingenio.scenarios.robust import evaluate_held_out, robust_plan
from ingenio.services.plans import PLANNERS

RESULTS = Path(__file__).resolve().parent / "results"
FIELDS = (
    "date",
    "part",
    "name",
    "samples",
    "seconds",
    "per_sample_s",
    "mean",
    "on_time_mean",
    "p10",
    "p50",
    "p90",
    "std",
    "delta_vs_plain",
    "delta_se",
    "failures",
    "note",
)


def _run(portfolio, n, seed, planner, executor: Executor) -> tuple[MonteCarloResult, float]:
    began = time.perf_counter()
    result = run_samples(portfolio, n, seed, planner, executor)
    return result, time.perf_counter() - began


def executors(args, portfolio, planner, console: Console) -> list[dict[str, object]]:
    """Part 1: the same samples on the process pool and on a Dask LocalCluster."""
    rows: list[dict[str, object]] = []
    local, local_s = _run(
        portfolio, args.samples, args.seed, planner, ProcessExecutor(args.workers)
    )
    runs = [("process pool", local, local_s, "")]
    if not args.skip_dask:
        from distributed import Client, LocalCluster

        began = time.perf_counter()
        with (
            LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster, set_as_default=False) as client,
        ):
            start_s = time.perf_counter() - began
            dask, dask_s = _run(
                portfolio, args.samples, args.seed, planner, DaskExecutor(client=client)
            )
        same = dask.samples == local.samples and dask.failures == local.failures
        runs.append(
            (
                "dask LocalCluster",
                dask,
                dask_s,
                f"cluster start {start_s:.1f} s; same figures: {same}",
            )
        )
    table = Table(title=f"{args.samples} samples of the demo, {args.workers} workers")
    for head in ("executor", "wall s", "s / sample", "vs pool", "mean", "P10", "P90", "failed"):
        table.add_column(head, justify="left" if head == "executor" else "right")
    for name, r, secs, note in runs:
        table.add_row(
            name,
            f"{secs:.1f}",
            f"{secs / args.samples:.2f}",
            f"{secs / local_s:.2f}x",
            f"{r.mean:,.0f}",
            f"{r.p10:,.0f}",
            f"{r.p90:,.0f}",
            str(len(r.failures)),
        )
        rows.append(
            {
                "part": "executor",
                "name": name,
                "samples": args.samples,
                "seconds": round(secs, 2),
                "per_sample_s": round(secs / args.samples, 3),
                "mean": round(r.mean, 2),
                "p10": round(r.p10, 2),
                "p50": round(r.p50, 2),
                "p90": round(r.p90, 2),
                "std": round(r.std, 2),
                "failures": len(r.failures),
                "note": note,
            }
        )
    console.print(table)
    for _, _, _, note in runs:
        if note:
            console.print(note)
    return rows


def robust(args, portfolio, planner, console: Console) -> list[dict[str, object]]:
    """Part 2: robust vs plain (and the free re-plan) on held-out samples."""
    executor = ProcessExecutor(args.workers)
    began = time.perf_counter()
    chosen = robust_plan(portfolio, args.train, args.seed, planner, executor)
    train_s = time.perf_counter() - began
    began = time.perf_counter()
    held = evaluate_held_out(
        portfolio, chosen.policies(), args.holdout, args.seed, planner, executor
    )
    held_s = time.perf_counter() - began
    table = Table(
        title=f"Robust ({chosen.policy.name}) vs plain: {args.train} training, "
        f"{args.holdout} held-out samples"
    )
    for head in ("policy", "mean", "on-time mean", "P10", "std", "Δ vs plain", "± s.e."):
        table.add_column(head, justify="left" if head == "policy" else "right")
    rows: list[dict[str, object]] = []
    for r in held.rows:
        table.add_row(
            r.name,
            f"{r.mean:,.0f}",
            f"{r.on_time_mean:,.0f}",
            f"{r.p10:,.0f}",
            f"{r.std:,.0f}",
            f"{r.delta:+,.0f}",
            f"{r.delta_se:,.0f}",
        )
        rows.append(
            {
                "part": "held-out",
                "name": r.name,
                "samples": r.samples,
                "seconds": round(held_s, 2),
                "mean": round(r.mean, 2),
                "on_time_mean": round(r.on_time_mean, 2),
                "p10": round(r.p10, 2),
                "p50": round(r.p50, 2),
                "std": round(r.std, 2),
                "delta_vs_plain": round(r.delta, 2),
                "delta_se": round(r.delta_se, 2),
                "failures": r.failures,
                "note": chosen.policy.name if r.name == "robust" else "",
            }
        )
    console.print(table)
    console.print(
        f"choosing took {train_s:.1f} s ({len(chosen.candidates)} candidates x "
        f"{args.train} samples), held-out {held_s:.1f} s"
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--train", type=int, default=20)
    parser.add_argument("--holdout", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--planner", default="dispatch", choices=sorted(PLANNERS))
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-robust", action="store_true")
    args = parser.parse_args()
    console = Console(width=120)
    portfolio = build_demo_portfolio()
    planner = PLANNERS[args.planner]
    rows = executors(args, portfolio, planner, console)
    if not args.skip_robust:
        rows += robust(args, portfolio, planner, console)
    RESULTS.mkdir(parents=True, exist_ok=True)
    today = dt.date.today().isoformat()
    path = RESULTS / f"scenarios-{today}.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({"date": today, **row})
    console.print(f"wrote {path}")


if __name__ == "__main__":
    main()
