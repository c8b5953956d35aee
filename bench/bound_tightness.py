"""The portfolio LP with and without its peak-power rows: bound, size, build and solve time.

``python bench/bound_tightness.py [--sizes demo S M L] [--seed 0]``: for each portfolio
(``demo``: ``build_demo_portfolio()``; S, M, L: ``generate_portfolio(size, seed)``, as
``bench/blackout.py`` builds them) it builds :func:`create_model` with ``peaks=False``
(the LP before the peak rows: the old bound), solves it for most value, then times
:func:`upper_bound` (today's bound: the same LP with the peak rows its solutions violate,
added round by round; ``docs/planning.md``, "Peak power"). Both are valid upper bounds;
the lower one is the tighter. ``seconds`` is building and every solve.
"""

from __future__ import annotations

import argparse
import os
import time

from ingenio.data.demo import build_demo_portfolio
from ingenio.data.generate import generate_portfolio
from ingenio.domain import Portfolio
from ingenio.planning.portfolio import allocation, create_model, upper_bound


def build(name: str, seed: int) -> Portfolio:
    """The portfolio called ``name``, as bench/blackout.py builds it."""
    return build_demo_portfolio() if name == "demo" else generate_portfolio(name, seed)


def time_allocate(args: argparse.Namespace) -> None:
    """``allocate`` with ``PEAK_ROUNDS`` 0 (the old LP) and at its default."""
    print(f"load average at start: {os.getloadavg()}", flush=True)
    print("portfolio,peak_rounds,seconds,status,bound", flush=True)
    for name in args.sizes:
        portfolio = build(name, args.seed)
        for rounds in (0, allocation.PEAK_ROUNDS):
            saved, allocation.PEAK_ROUNDS = allocation.PEAK_ROUNDS, rounds
            try:
                a = allocation.allocate(portfolio, time_limit_s=args.time_limit)
            finally:
                allocation.PEAK_ROUNDS = saved
            print(f"{name},{rounds},{a.seconds:.1f},{a.status},{a.bound:.0f}", flush=True)
    print(f"load average at end: {os.getloadavg()}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["demo", "S", "M", "L"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument(
        "--allocate",
        action="store_true",
        help="time allocate() (bound and the lexicographic stages) instead, with and "
        "without the peak rounds",
    )
    args = ap.parse_args()
    if args.allocate:
        time_allocate(args)
        return
    print(f"load average at start: {os.getloadavg()}", flush=True)
    print("portfolio,bound_kind,coarse,columns,rows,seconds,status,bound", flush=True)
    for name in args.sizes:
        portfolio = build(name, args.seed)
        t0 = time.perf_counter()
        m = create_model(portfolio)
        status, best, _ = m.lp.solve(m.value, maximise=True, time_limit_s=args.time_limit)
        t1 = time.perf_counter()
        cells = f"{m.coarse},{m.lp.n_cols},{m.lp.n_rows},{t1 - t0:.1f},{status},{best:.0f}"
        print(f"{name},old (no peak rows),{cells}", flush=True)
        bound = upper_bound(portfolio, time_limit_s=args.time_limit)
        t2 = time.perf_counter()
        print(f"{name},new (upper_bound),{m.coarse},,,{t2 - t1:.1f},,{bound:.0f}", flush=True)
    print(f"load average at end: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
