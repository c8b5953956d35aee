"""How far the plant search gets with more time, against the LP bound (the gap's search side).

``python bench/bound_search.py [--size S|demo] [--seed 0] [--limits 10 120] [--workers 2]
[--plants ACE] [--keep-outages]``: the portfolio's plants each alone (``plant_portfolio``),
with no fuel limit (tank stock 10^7 L, no reserve, no depot) and no outages at all
(``--keep-outages``: with them), planned by
``schedule_plant`` (CP-SAT from its warm start) at each time limit; prints the plan's
value (validated), CP-SAT's own bound, and the LP bound of the same relaxed portfolio
before and with the peak rows. What the search reaches with more time is a lower bound
on what is reachable; the LP bound is an upper one.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

from ingenio.data.demo import build_demo_portfolio
from ingenio.data.generate import generate_portfolio
from ingenio.domain import FuelTank, Portfolio
from ingenio.planning.portfolio import create_model, upper_bound
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams, schedule_plant
from ingenio.validate import validate


def relaxed(portfolio: Portfolio, keep_outages: bool = False) -> Portfolio:
    """No fuel limit (every plant's tank full of 10^7 L, no depots) and no outages."""
    plants = tuple(
        dataclasses.replace(p, tank=FuelTank(1e7, 1e7, 0.0)) if p.generators else p
        for p in portfolio.plants
    )
    blocks = portfolio.blocks
    if not keep_outages:
        blocks = tuple(dataclasses.replace(b, outages=(), load_shedding=None) for b in blocks)
    return dataclasses.replace(portfolio, plants=plants, blocks=blocks, depots=(), deliveries=())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="S")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limits", nargs="+", type=float, default=[10.0, 120.0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--plants", nargs="*", default=None, help="only these plant ids")
    ap.add_argument("--keep-outages", action="store_true")
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()}", flush=True)
    built = (
        build_demo_portfolio() if args.size == "demo" else generate_portfolio(args.size, args.seed)
    )
    portfolio = relaxed(built, args.keep_outages)
    for plant in portfolio.plants:
        if args.plants and plant.id not in args.plants:
            continue
        one = plant_portfolio(portfolio, plant.id)
        m = create_model(one)
        _, old, _ = m.lp.solve(m.value, maximise=True)
        new = upper_bound(one)
        print(f"{args.size} {plant.id}: LP bound {old:,.0f} (no peak rows), {new:,.0f} (with)")
        for limit in args.limits:
            params = SolveParams(time_limit_s=limit, workers=args.workers, seed=args.seed)
            t0 = time.perf_counter()
            result = schedule_plant(one, params)
            seconds = time.perf_counter() - t0
            broken = len(validate(one, result.plan))
            print(
                f"  CP-SAT {limit:.0f} s x {args.workers} workers: value "
                f"{result.plan.value:,.0f} = {result.plan.value / new:.3f} of the LP bound, "
                f"status {result.status}, CP-SAT bound {result.bound:,.0f}, "
                f"{seconds:.0f} s wall, {broken} violations",
                flush=True,
            )
    print(f"load average at end: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
