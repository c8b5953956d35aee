"""What a battery is worth, and what batteries cost the planners.

1. The demo portfolio with and without the Labiofam battery bank (400 kWh / 200 kW; its
   solar islands with it, and is grid-tied without it): value, diesel burned, late or
   unscheduled orders, for dispatch and the optimiser (``--time-limit`` per plant).
2. The generated M portfolio without and with batteries at 40 % of its plants
   (``generate_portfolio("M", batteries=0.4)``): seconds and peak traced memory of
   dispatch, the LP bound and the optimiser.

3. The CP-SAT plant model with the batteries' state of charge planned (per slot
   charge, discharge and stored energy) against the same model counting the fixed
   bridge profile as supply (``energy.PLAN_STATE_OF_CHARGE = False``, as before), plant
   by plant (tank fuel only, cross-plant predecessors dropped): the demo's LAB with
   and without its bank, and every M plant with a bank. Model size, seconds to build
   and to solve, peak resident memory of the process that did it (one fresh process
   per run, so CP-SAT's own memory counts), value and status (``--soc``; ``--soc-only``
   skips parts 1 and 2).

Every plan is checked by the validator. Figures are printed with the load average of
the machine (shared: other jobs run).

    .venv/bin/python bench/battery.py --time-limit 5
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

from plan_figures import load, measured, planner_table

from ingenio.data.demo import build_demo_portfolio
from ingenio.data.generate import generate_portfolio
from ingenio.domain import (
    ALWAYS,
    Battery,
    Block,
    Enterprise,
    Horizon,
    Line,
    Order,
    OutageWindow,
    Plan,
    Plant,
    Portfolio,
    Product,
    Step,
    Window,
    expand_shifts,
)
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise import optimise
from ingenio.planning.portfolio import upper_bound
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams
from ingenio.validate import validate


def fuel(p: Portfolio, plan: Plan) -> float:
    """Litres burned by the plan's generator runs."""
    return sum(
        p.generator(r.generator_id).litres(r.output_kw, r.end - r.start)
        for r in plan.generator_runs
    )


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


def demo(params: SolveParams) -> None:
    """Part 1: the demo with and without its battery."""
    with_bank = build_demo_portfolio()
    variants = (("with battery", with_bank), ("without", without_battery(with_bank)))
    print(f"demo, with and without LAB-BESS (load {load()})")
    planner_table(variants, params, fuel, 14)


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


def _strip(p: Portfolio) -> Portfolio:
    """``p`` without predecessors across plants (a plant is planned alone)."""
    plant_of = {o.id: p.product_plant(o.product_id).id for o in p.orders}
    orders = tuple(
        dataclasses.replace(
            o, predecessors=tuple(x for x in o.predecessors if plant_of[x] == plant_of[o.id])
        )
        for o in p.orders
    )
    return dataclasses.replace(p, orders=orders)


def _plant_run(sub: Portfolio, params: SolveParams, planned: bool) -> dict[str, object]:
    """In a fresh process: build and solve the plant model; its size, times, memory."""
    from ingenio.planning.schedule import energy, schedule_plant
    from ingenio.planning.schedule.cpsat import build_model

    energy.PLAN_STATE_OF_CHARGE = planned
    clock = time.perf_counter()
    built = build_model(sub, params, None)
    build_s = time.perf_counter() - clock
    proto = built.model.proto
    result = schedule_plant(sub, params)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "vars": len(proto.variables),
        "cons": len(proto.constraints),
        "build": build_s,
        "solve": result.seconds,
        "rss": rss,
        "value": result.plan.value,
        "status": str(result.status),
        "valid": not validate(sub, result.plan),
        "notes": [n[:90] for n in result.plan.notes],
        "charged": sum(
            -f.kw * (f.end - f.start) / 60 for f in result.plan.battery_flows if f.kw < 0
        ),
    }


def _hand(outages: tuple[tuple[int, int], ...], orders: tuple[Order, ...]) -> Portfolio:
    """The hand portfolio of ``tests/battery_portfolios.py`` (grid 100 kW, a 250 kWh /
    120 kW out / 50 kW in battery, floor 20 %, round trip 0.9, one line) with the given
    outages, products X (100 kW) and Y (80 kW), both 60 units/h, and ``orders``."""
    horizon = Horizon(datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana")), 1, 15)
    bat = Battery("BAT", "P", 250.0, 120.0, 50.0, 0.9, 0.2, 1.0)
    line = Line("L", "Line", "P", expand_shifts((ALWAYS,), horizon), (ALWAYS,))
    plant = Plant("P", "Plant", "E", "B", 100.0, (line,), batteries=(bat,))
    return Portfolio(
        name="battery",
        horizon=horizon,
        enterprises=(Enterprise("E", "E"),),
        plants=(plant,),
        blocks=(Block("B", "B", tuple(OutageWindow(Window(a, b)) for a, b in outages)),),
        products=(
            Product("X", "X", "f", (Step("run", ("L",), 60.0, 100.0, 0, False),)),
            Product("Y", "Y", "g", (Step("run", ("L",), 60.0, 80.0, 0, False),)),
        ),
        orders=orders,
    )


def soc(params: SolveParams, share: float, m_plants: int, only: str = "") -> None:
    """Part 3: the plant model with the state of charge planned vs the fixed profile."""
    demo_p = _strip(build_demo_portfolio())
    cases = [
        ("hand 3 h outage", _hand(((240, 420),), (Order("O", "X", 360.0, 0, 360, 1.0),))),
        (
            "hand two outages",
            _hand(
                ((240, 360), (420, 540)),
                (Order("O1", "X", 120.0, 240, 360, 1.0), Order("O2", "Y", 30.0, 420, 540, 1.0)),
            ),
        ),
        ("demo LAB", plant_portfolio(demo_p, "LAB")),
        ("demo LAB no bank", plant_portfolio(without_battery(demo_p), "LAB")),
    ]
    m = _strip(generate_portfolio("M", batteries=share))
    banked = [pl.id for pl in m.plants if pl.batteries][:m_plants]
    cases += [(f"M {pid}", plant_portfolio(m, pid)) for pid in banked]
    print(f"\nplant model: state of charge planned vs fixed profile (load {load()})")
    head = f"{'plant':18} {'model':8} {'vars':>6} {'cons':>6} {'build s':>7} {'solve s':>7}"
    print(f"{head} {'RSS MB':>6} {'value':>11} {'kWh in':>7} status")
    ctx = multiprocessing.get_context("fork")
    for name, sub in cases:
        if only not in name:
            continue
        values = {}
        for planned in (True, False):
            if planned and not sub.plants[0].batteries:
                continue
            with ProcessPoolExecutor(1, mp_context=ctx) as pool:
                r = pool.submit(_plant_run, sub, params, planned).result()
            values[planned] = float(r["value"])  # type: ignore[arg-type]
            mode = "soc" if planned else "profile"
            print(
                f"{name:18} {mode:8} {r['vars']:6} {r['cons']:6} {r['build']:7.2f} "
                f"{r['solve']:7.1f} {r['rss']:6.0f} {r['value']:11,.2f} "
                f"{r['charged']:7.0f} {r['status']}{'' if r['valid'] else ' INVALID'}"
            )
            for note in r["notes"]:  # type: ignore[attr-defined]
                print(f"{'':18} note: {note}")
        if len(values) == 2:
            print(f"{name:18} value change soc - profile: {values[True] - values[False]:+,.2f}")
    print(f"load at the end: {load()}")


def main() -> None:
    """Run both parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds per plant")
    parser.add_argument("--share", type=float, default=0.4, help="share of M plants with a bank")
    parser.add_argument("--skip-m", action="store_true", help="only the demo")
    parser.add_argument("--soc", action="store_true", help="part 3 too")
    parser.add_argument("--soc-only", action="store_true", help="only part 3")
    parser.add_argument("--m-plants", type=int, default=5, help="M plants with a bank in part 3")
    parser.add_argument("--only", default="", help="part 3: only cases whose name has this")
    args = parser.parse_args()
    params = SolveParams(time_limit_s=args.time_limit, workers=1)
    if not args.soc_only:
        demo(params)
        if not args.skip_m:
            scale(params, args.share)
    if args.soc or args.soc_only:
        soc(params, args.share, args.m_plants, args.only)


if __name__ == "__main__":
    main()
