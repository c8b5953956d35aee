"""What generators as they really run cost: warm-up minutes, minimum runs, start litres.

1. The demo portfolio as it is and with every generator timed
   (``with_generator_timing``: 2-10 minutes to start, 30-120 minutes minimum run,
   0.5-1.5 L per 100 kW a start): value, diesel burned (runs, starts and warm-ups),
   late or unscheduled orders, for dispatch and the optimiser (``--time-limit`` per
   plant), and the LP bound (the same: timing only removes choices).
2. The generated M portfolio without and with timed generators: seconds and peak
   traced memory of dispatch (which recomputes the exact burn of the shaped runs on
   every commit at a plant with timed generators) and, with ``--optimise-m``, of the
   optimiser.

Every plan is checked by the validator. Figures are printed with the load average of
the machine (shared: other jobs run).

    .venv/bin/python bench/generators.py --time-limit 3
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from plan_figures import load, measured, planner_table

from ingenio.data.demo import build_demo_portfolio
from ingenio.data.generate import generate_portfolio
from ingenio.data.generate_battery import with_generator_timing
from ingenio.domain import Plan, Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.genruns import run_litres
from ingenio.planning.optimise import optimise
from ingenio.planning.schedule import SolveParams
from ingenio.validate import validate


def fuel(p: Portfolio, plan: Plan) -> float:
    """Litres burned: runs, starts and warm-ups."""
    return run_litres({g.id: g for pl in p.plants for g in pl.generators}, plan.generator_runs)


def demo(params: SolveParams) -> None:
    """Part 1: the demo with instant and with timed generators."""
    plain = build_demo_portfolio()
    variants = (("instant", plain), ("timed", with_generator_timing(plain, 0)))
    print(f"demo, generators instant and timed (load {load()})")
    planner_table(variants, params, fuel, 8)


def scale(params: SolveParams, with_optimise: bool) -> None:
    """Part 2: time and memory of timed generators on M."""
    print(f"\nM with instant and timed generators (load {load()})")
    print(f"{'portfolio':10} {'step':9} {'seconds':>8} {'peak MB':>8} value / diesel L")
    for name, p in (
        ("M", generate_portfolio("M")),
        ("M timed", generate_portfolio("M", generator_timing=True)),
    ):
        steps: list[tuple[str, Callable[[], object]]] = [("dispatch", lambda p=p: dispatch(p))]
        if with_optimise:
            steps.append(("optimise", lambda p=p: optimise(p, params, processes=1)))
        for step, fn in steps:
            out, seconds, peak = measured(fn)
            assert isinstance(out, Plan)
            valid = not validate(p, out)
            print(
                f"{name:10} {step:9} {seconds:8.1f} {peak:8.0f} "
                f"{out.value:,.0f} / {fuel(p, out):,.0f} valid={valid}"
            )
    print(f"load at the end: {load()}")


def main() -> None:
    """Run both parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=3.0, help="seconds per plant")
    parser.add_argument("--skip-m", action="store_true", help="only the demo")
    parser.add_argument("--optimise-m", action="store_true", help="also optimise M")
    args = parser.parse_args()
    params = SolveParams(time_limit_s=args.time_limit, workers=1)
    demo(params)
    if not args.skip_m:
        scale(params, args.optimise_m)


if __name__ == "__main__":
    main()
