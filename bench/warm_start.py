"""Does the plant solver start from its start, and keep its own plan, with timed generators?

Per plant of the demo portfolio with every generator timed (``with_generator_timing``:
2-10 minutes to start, 30-120 minutes minimum run, 0.5-1.5 L per 100 kW a start) and of
the generated S portfolio (timed, batteries at half the plants), and of the timed demo
with 25 L more a start (so that starts weigh on the fuel), each on its own tank
and deliveries (``plant_portfolio``, no depot grant):

* orders the start runs, and orders its model reading keeps (the repair drops the rest);
* whether the completed hint is a model solution (``complete_hint``);
* the plant solver at ``--time-limit`` s, 1 worker: its status, its value against the
  start's, and whether its plan was dropped by the validator or the start kept.

Every plan is checked by the validator. Run it on two trees to compare (the old one
with ``PYTHONPATH=/path/to/old/src``); figures are printed with the load average.

    .venv/bin/python bench/warm_start.py --time-limit 5
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from ingenio.data.demo import build_demo_portfolio
from ingenio.data.generate import generate_portfolio
from ingenio.data.generate_battery import with_generator_timing
from ingenio.domain import Portfolio
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams, schedule_plant
from ingenio.planning.schedule.cpsat import _best_start, build_model, complete_hint
from ingenio.planning.schedule.hint import assignment_of
from ingenio.planning.schedule.starts import greedy_starts
from ingenio.validate import validate


def load() -> str:
    """The 1, 5 and 15-minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def plants(name: str, p: Portfolio, limit: float) -> None:
    """One line per plant with generators."""
    print(
        f"{name}: plant, orders started/kept by the hint, completed, status, value "
        "solver/start, note"
    )
    for plant in p.plants:
        if not plant.generators:
            continue
        sub = plant_portfolio(p, plant.id)
        start = _best_start(sub, None, greedy_starts(sub, None))
        assert start is not None
        built = build_model(sub, SolveParams(time_limit_s=limit, workers=1), start)
        kept = {built.data.tasks[t].order for t in assignment_of(built.data, start).tasks}
        ran = {op.order_id for op in start.operations}
        clock = time.perf_counter()
        done = complete_hint(built.model, 30.0)
        completion = time.perf_counter() - clock
        # the same start (else the greedy starts tried depend on the machine's load)
        result = schedule_plant(sub, SolveParams(time_limit_s=limit, workers=1), hint=start)
        broken = validate(sub, result.plan)
        notes = [n for n in result.plan.notes if "dropped" in n or "kept the start" in n]
        print(
            f"  {plant.id:>8} {len(ran):>3}/{len(kept):<3} {done!s:>5} ({completion:.2f} s) "
            f"{result.status!s:>9} {result.plan.value:>12,.0f}/{start.value:<12,.0f} "
            f"valid={not broken} {notes[0][:70] if notes else ''}"
        )


def costly(p: Portfolio, litres: float) -> Portfolio:
    """Every generator's start costs ``litres`` more (starts then weigh on the fuel)."""
    return replace(
        p,
        plants=tuple(
            replace(
                pl,
                generators=tuple(
                    replace(g, start_litres=g.start_litres + litres) for g in pl.generators
                ),
            )
            for pl in p.plants
        ),
    )


def main() -> None:
    """Parse arguments, run both portfolios."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--time-limit", type=float, default=5.0)
    args = ap.parse_args()
    print(f"load average at start: {load()}")
    demo = with_generator_timing(build_demo_portfolio(), 0)
    plants("demo, timed", demo, args.time_limit)
    s = generate_portfolio("S", seed=5, batteries=0.5, generator_timing=True)
    plants("S seed 5, timed, batteries", s, args.time_limit)
    plants("demo, timed, 25 L more a start", costly(demo, 25.0), args.time_limit)
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
