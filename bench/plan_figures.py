"""Figures the planner benchmarks print (``battery.py``, ``generators.py``): the machine's
load, late orders, a step's seconds and peak traced memory, and the table of dispatch,
the optimiser and the LP bound on variants of a portfolio. Imported by the scripts
(``bench/`` is on their path when run as ``python bench/NAME.py``)."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

from ingenio.domain import OrderStatus, Plan, Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise import optimise
from ingenio.planning.portfolio import upper_bound
from ingenio.planning.schedule import SolveParams
from ingenio.validate import validate


def load() -> str:
    """The 1, 5 and 15-minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def late(plan: Plan) -> int:
    """Late or unscheduled orders."""
    return sum(1 for o in plan.outcomes if o.status is not OrderStatus.ON_TIME)


def measured(fn: Callable[[], object]) -> tuple[object, float, float]:
    """``fn()``, its seconds and its peak traced memory in MB."""
    tracemalloc.start()
    clock = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - clock
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, seconds, peak


def planner_table(
    variants: Sequence[tuple[str, Portfolio]],
    params: SolveParams,
    fuel: Callable[[Portfolio, Plan], float],
    width: int,
) -> None:
    """Print, for each named variant, dispatch and the optimiser (one process): value,
    diesel (``fuel``), late orders and whether the validator accepts the plan; then the
    LP bound. ``width``: of the name column."""
    print(f"{'variant':{width}} {'planner':9} {'value':>12} {'diesel L':>10} {'late':>5} valid")
    for name, p in variants:
        for planner in ("dispatch", "optimise"):
            plan = dispatch(p) if planner == "dispatch" else optimise(p, params, processes=1)
            ok = not validate(p, plan)
            print(
                f"{name:{width}} {planner:9} {plan.value:12,.0f} {fuel(p, plan):10,.0f} "
                f"{late(plan):5d} {ok}"
            )
        print(f"{name:{width}} {'bound':9} {upper_bound(p):12,.0f}")
