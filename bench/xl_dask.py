"""XL portfolio on a local Dask cluster: wall time and peak memory against the targets.

Generates a portfolio (XL by default: 200 plants, 1,200 lines, 20,000 orders, 14 days;
``ingenio.data.generate``, the generator of S/M/L), starts a ``distributed.LocalCluster``
of 2 single-threaded worker processes, and plans it with the optimiser, the plants on the
cluster (``optimise(..., executor=...)``, the path of ``ingenio plan --dask-scheduler``).
Memory is the sum of the resident sets of this process (client and scheduler) and every
child process (nannies and workers), sampled every 0.5 s; the peak is printed with the
targets (under 10 minutes, under 8 GB for XL). Run it alone on the machine when you can;
the load (``os.getloadavg``) is printed at the start and the end. With a budget, the
plan's last note (printed) gives the seconds each stage of the optimiser took.

    .venv/bin/python bench/xl_dask.py --plants 20 --orders 2000 --budget 60
    timeout 1500 .venv/bin/python bench/xl_dask.py          # XL
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from typing import Any

import distributed
import psutil

from ingenio.data.generate import Counts, generate_portfolio
from ingenio.planning.optimise import OptimiseProgress, optimise
from ingenio.planning.schedule import SolveParams
from ingenio.validate import validate

TARGET_S = 600.0
TARGET_GB = 8.0


class Peak:
    """Samples the summed RSS of this process and its children in a thread."""

    def __init__(self, every_s: float = 0.5) -> None:
        self.every_s = every_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        me = psutil.Process()
        total = 0
        for proc in (me, *me.children(recursive=True)):
            try:
                total += proc.memory_info().rss
            except psutil.Error:  # a child that just ended
                continue
        self.peak = max(self.peak, total)
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.sample()

    def __enter__(self) -> Peak:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plants", type=int, default=200)
    ap.add_argument("--orders", type=int, default=20_000)
    ap.add_argument("--lines", type=int, default=None, help="default: 6 per plant")
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2, help="Dask worker processes")
    ap.add_argument("--time-limit", type=float, default=5.0, help="seconds per plant")
    ap.add_argument("--budget", type=float, default=480.0, help="seconds for the optimiser")
    ap.add_argument("--generate-only", action="store_true")
    args = ap.parse_args()
    lines = args.lines or 6 * args.plants
    counts = Counts(plants=args.plants, lines=lines, orders=args.orders, days=args.days)
    print(f"load at start {os.getloadavg()}; {os.cpu_count()} CPUs", flush=True)
    began = time.perf_counter()
    with Peak() as peak:
        portfolio = generate_portfolio(counts, seed=args.seed)
        generated = time.perf_counter() - began
        print(
            f"generated {counts} in {generated:.1f} s, peak RSS {peak.peak / 2**30:.2f} GB",
            flush=True,
        )
        if args.generate_only:
            return
        params = SolveParams(time_limit_s=args.time_limit, workers=1, seed=args.seed)
        with (
            distributed.LocalCluster(
                n_workers=args.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
            ) as cluster,
            distributed.Client(cluster, set_as_default=False) as client,
        ):
            started = time.perf_counter()
            executor = client.get_executor(pure=False)
            seen: dict[str, float] = {}

            def stage(e: OptimiseProgress) -> None:
                # One line per stage entered, and every 20 plants: where the time goes.
                key = f"{e.stage} {e.plants_done // 20}"
                if key not in seen:
                    seen[key] = time.perf_counter() - started
                    print(
                        f"  {seen[key]:7.1f} s  {e.stage}: plants {e.plants_done}/{e.plants}, "
                        f"RSS {peak.sample() / 2**30:.2f} GB",
                        flush=True,
                    )

            plan = optimise(
                portfolio,
                params,
                processes=args.workers,
                time_budget_s=args.budget,
                executor=executor,
                progress=stage,
            )
            planned = time.perf_counter() - started
            executor.shutdown(wait=False)
        checked = time.perf_counter()
        broken = validate(portfolio, plan)
        checking = time.perf_counter() - checked
    total = time.perf_counter() - began
    gb = peak.peak / 2**30
    ratio = plan.value / plan.bound if plan.bound else float("nan")
    print(
        f"plan: value {plan.value:,.0f} / bound {plan.bound:,.0f} = {ratio:.3f}; "
        f"{len(plan.operations):,} operations; validator: {len(broken)} violations"
    )
    for note in plan.notes[:4]:
        print(f"  note: {note}")
    for note in plan.notes[4:]:
        if note.startswith(("time budget", "stage seconds", "feedback:", "top-up:")):
            print(f"  note: {note}")
    print(f"generate {generated:.1f} s, plan on Dask {planned:.1f} s, validate {checking:.1f} s")
    print(
        f"wall {total:.1f} s (target < {TARGET_S:.0f} s: {'met' if total < TARGET_S else 'MISSED'})"
    )
    print(
        f"peak memory {gb:.2f} GB, all processes "
        f"(target < {TARGET_GB:.0f} GB: {'met' if gb < TARGET_GB else 'MISSED'})"
    )
    print(f"load at end {os.getloadavg()}")


if __name__ == "__main__":
    main()
