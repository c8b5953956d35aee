"""What a battery is worth, and what batteries cost the planners.

1. The demo portfolio with and without the Labiofam battery bank (400 kWh / 200 kW; its
   solar islands with it, and is grid-tied without it): value, diesel burned, late or
   unscheduled orders, for dispatch and the optimiser (``--time-limit`` per plant).
2. The generated M portfolio without and with batteries at 40 % of its plants
   (``generate_portfolio("M", batteries=0.4)``): seconds and peak traced memory of
   dispatch, the LP bound and the optimiser.

Every plan is checked by the validator. Figures are printed with the load average of
the machine (shared: other jobs run).

    .venv/bin/python bench/battery.py --time-limit 5
"""

from __future__ import annotations

import argparse
import dataclasses
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from ingenio.data.demo import build_demo_portfolio
from ingenio.data.generate import generate_portfolio
from ingenio.domain import OrderStatus, Plan, Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise import optimise
from ingenio.planning.portfolio import upper_bound
from ingenio.planning.schedule import SolveParams
from ingenio.validate import validate


def load() -> str:
    """The 1, 5 and 15-minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def fuel(p: Portfolio, plan: Plan) -> float:
    """Litres burned by the plan's generator runs."""
    return sum(
        p.generator(r.generator_id).litres(r.output_kw, r.end - r.start)
        for r in plan.generator_runs
    )


def late(plan: Plan) -> int:
    """Late or unscheduled orders."""
    return sum(1 for o in plan.outcomes if o.status is not OrderStatus.ON_TIME)


def without_battery(p: Portfolio) -> Portfolio:
    """The demo with no battery, and its arrays grid-tied (no hybrid inverter either)."""
    plants = tuple(
        dataclasses.replace(
            pl,
            batteries=(),
            solar=None if pl.solar is None else dataclasses.replace(pl.solar, islanding=False),
        )
        for pl in p.plants
    )
    return dataclasses.replace(p, plants=plants)


def measured(fn: Callable[[], object]) -> tuple[object, float, float]:
    """``fn()``, its seconds and its peak traced memory in MB."""
    tracemalloc.start()
    clock = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - clock
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, seconds, peak


def demo(params: SolveParams) -> None:
    """Part 1: the demo with and without its battery."""
    with_bank = build_demo_portfolio()
    variants = (("with battery", with_bank), ("without", without_battery(with_bank)))
    print(f"demo, with and without LAB-BESS (load {load()})")
    print(f"{'variant':14} {'planner':9} {'value':>12} {'diesel L':>10} {'late':>5} valid")
    for name, p in variants:
        for planner in ("dispatch", "optimise"):
            if planner == "dispatch":
                plan = dispatch(p)
            else:
                plan = optimise(p, params, processes=1)
            ok = not validate(p, plan)
            print(
                f"{name:14} {planner:9} {plan.value:12,.0f} {fuel(p, plan):10,.0f} "
                f"{late(plan):5d} {ok}"
            )
        print(f"{name:14} {'bound':9} {upper_bound(p):12,.0f}")


def scale(params: SolveParams, share: float) -> None:
    """Part 2: time and memory of batteries on M."""
    print(f"\nM without and with batteries at {share:.0%} of plants (load {load()})")
    print(f"{'portfolio':16} {'step':9} {'seconds':>8} {'peak MB':>8} value")
    for name, p in (
        ("M", generate_portfolio("M")),
        ("M + batteries", generate_portfolio("M", batteries=share)),
    ):
        banks = sum(len(pl.batteries) for pl in p.plants)
        for step, fn in (
            ("dispatch", lambda p=p: dispatch(p)),
            ("bound", lambda p=p: upper_bound(p)),
            ("optimise", lambda p=p: optimise(p, params, processes=1)),
        ):
            out, seconds, peak = measured(fn)
            value = out.value if isinstance(out, Plan) else float(out)  # type: ignore[arg-type]
            valid = "" if not isinstance(out, Plan) else f" valid={not validate(p, out)}"
            print(f"{name:16} {step:9} {seconds:8.1f} {peak:8.0f} {value:,.0f}{valid}")
        print(f"{name:16} ({banks} batteries)")
    print(f"load at the end: {load()}")


def main() -> None:
    """Run both parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds per plant")
    parser.add_argument("--share", type=float, default=0.4, help="share of M plants with a bank")
    parser.add_argument("--skip-m", action="store_true", help="only the demo")
    args = parser.parse_args()
    params = SolveParams(time_limit_s=args.time_limit, workers=1)
    demo(params)
    if not args.skip_m:
        scale(params, args.share)


if __name__ == "__main__":
    main()
