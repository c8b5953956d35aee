"""Tiny hand-checked cases for the plant-level CP-SAT scheduler, one per constraint family.

Horizon: 2026-04-06 00:00 America/Havana (a Monday), 2 days, 15-minute slots.
Plant P1: grid 500 kW, line L1 always at work, line L2 (shifts per test).
Product X: one step "mix" on L1, 60 units/h, 100 kW, so 60 units take 60 minutes.
Generator G1: 200 kW, min load 30 % (60 kW), 0.08 * 200 + 0.25 * output L/h:
41 L/h at 100 kW. Each case is built so that its optimum is unique.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ingenio.domain import (
    ALWAYS,
    Block,
    Depot,
    Enterprise,
    FuelDelivery,
    FuelTank,
    Generator,
    Horizon,
    Line,
    Order,
    OrderStatus,
    OutageWindow,
    Plan,
    Plant,
    Portfolio,
    PowerSource,
    PriorityClass,
    Product,
    Resource,
    ShiftPattern,
    Step,
    Window,
    expand_shifts,
)
from ingenio.planning.dispatch import dispatch
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import PlantResult, SolveParams, schedule_plant
from ingenio.validate import validate

HORIZON = Horizon(datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana")), 2, 15)
G1 = Generator("G1", "genset", "P1", 200.0, 0.3, 0.08, 0.25)
MIX = Step("mix", ("L1",), 60.0, 100.0)
PARAMS = SolveParams(time_limit_s=1.0, workers=1, deterministic=True)


def build(
    products: tuple[Product, ...] = (Product("X", "x", "f", (MIX,)),),
    orders: tuple[Order, ...] = (),
    *,
    off: tuple[tuple[int, int], ...] = (),
    generators: tuple[Generator, ...] = (),
    tank: FuelTank | None = None,
    l2: tuple[Window, ...] | None = None,
    resources: tuple[Resource, ...] = (),
) -> Portfolio:
    """Plant P1 with lines L1 (always) and L2 (``l2`` shifts, default always)."""
    full = expand_shifts((ALWAYS,), HORIZON)
    lines = (Line("L1", "one", "P1", full), Line("L2", "two", "P1", l2 or full))
    plant = Plant("P1", "plant", "E1", "B1", 500.0, lines, resources, generators, tank)
    outages = tuple(OutageWindow(Window(a, b)) for a, b in off)
    return Portfolio(
        "tiny",
        HORIZON,
        (Enterprise("E1", "e"),),
        (plant,),
        (Block("B1", "block", outages),),
        products,
        orders or (Order("O1", "X", 60.0, 0, 600, 10.0),),
    )


def solve(p: Portfolio, params: SolveParams = PARAMS) -> PlantResult:
    result = schedule_plant(p, params)
    assert [str(v) for v in validate(p, result.plan)] == []
    assert result.status in ("optimal", "feasible")
    return result


def spans(plan: Plan, order_id: str = "O1") -> list[tuple[int, str, int, int]]:
    return sorted(
        (o.step, o.line_id, o.start, o.end) for o in plan.operations if o.order_id == order_id
    )


def test_runs_at_release_on_the_grid() -> None:
    result = solve(build(orders=(Order("O1", "X", 60.0, 0, 60, 10.0),)))
    (op,) = result.plan.operations
    assert (op.line_id, op.start, op.end, op.quantity, op.source) == (
        "L1",
        0,
        60,
        60.0,
        PowerSource.GRID,
    )
    assert result.status == "optimal" and result.objective == 600.0
    assert result.plan.planner == "schedule" and result.plan.generator_runs == ()


def test_power_window_waits_for_the_grid() -> None:
    # Grid off [0, 120), no generator: the 100 kW step starts when the grid returns.
    result = solve(build(orders=(Order("O1", "X", 60.0, 0, 180, 10.0),), off=((0, 120),)))
    assert spans(result.plan) == [(0, "L1", 120, 180)]
    assert result.plan.outcomes[0].status is OrderStatus.ON_TIME


def test_generator_covers_the_outage_for_an_urgent_order() -> None:
    tank = FuelTank(1000.0, 300.0, 100.0)
    orders = (Order("O1", "X", 60.0, 0, 60, 10.0),)
    result = solve(build(orders=orders, off=((0, 120),), generators=(G1,), tank=tank))
    (op,) = result.plan.operations
    assert (op.start, op.end, op.source) == (0, 60, PowerSource.GENERATOR)
    assert [(r.generator_id, r.start, r.end, r.output_kw) for r in result.plan.generator_runs] == [
        ("G1", 0, 60, 100.0)
    ]


def test_fuel_for_one_hour_runs_one_of_two_outage_orders() -> None:
    # The grid is off all horizon; 41.5 L above the reserve: one hour at 100 kW (41 L).
    tank = FuelTank(1000.0, 141.5, 100.0)
    two = replace(MIX, lines=("L1", "L2"))
    orders = (Order("O1", "X", 60.0, 0, 2880, 10.0), Order("O2", "X", 60.0, 0, 2880, 5.0))
    p = build(
        (Product("X", "x", "f", (two,)),),
        orders,
        off=((0, 2880),),
        generators=(G1,),
        tank=tank,
    )
    result = solve(p)
    status = {o.order_id: o.status for o in result.plan.outcomes}
    assert status == {"O1": OrderStatus.ON_TIME, "O2": OrderStatus.UNSCHEDULED}
    burned = sum(G1.litres(r.output_kw, r.end - r.start) for r in result.plan.generator_runs)
    assert burned == pytest.approx(41.0)


def test_interruptible_step_is_split_around_an_outage_and_pays_restart() -> None:
    step = replace(MIX, setup_minutes=5, restart_minutes=10)
    p = build(
        (Product("X", "x", "f", (step,)),),
        (Order("O1", "X", 120.0, 0, 195, 1.0),),
        off=((60, 120),),
    )
    result = solve(p)
    assert spans(result.plan) == [(0, "L1", 0, 60), (0, "L1", 120, 195)]
    assert sum(op.quantity for op in result.plan.operations) == pytest.approx(120.0)


def test_uninterruptible_step_waits_for_a_long_enough_window() -> None:
    step = replace(MIX, interruptible=False)
    p = build(
        (Product("X", "x", "f", (step,)),),
        (Order("O1", "X", 150.0, 0, 510, 1.0),),
        off=((120, 180), (300, 360)),
    )
    assert spans(solve(p).plan) == [(0, "L1", 360, 510)]


def test_shift_starts_the_operation_at_shift_start() -> None:
    # L2 works 06:00-14:00 on Monday only: [360, 840).
    shift = expand_shifts((ShiftPattern(frozenset({0}), 360, 840),), HORIZON)
    step = replace(MIX, lines=("L2",))
    p = build((Product("X", "x", "f", (step,)),), (Order("O1", "X", 60.0, 0, 420, 1.0),), l2=shift)
    assert spans(solve(p).plan) == [(0, "L2", 360, 420)]


def test_release_date() -> None:
    result = solve(build(orders=(Order("O1", "X", 60.0, 200, 260, 1.0),)))
    assert spans(result.plan) == [(0, "L1", 200, 260)]


def test_routing_across_lines() -> None:
    pack = Step("pack", ("L2",), 120.0, 50.0)
    p = build((Product("X", "x", "f", (MIX, pack)),), (Order("O1", "X", 60.0, 0, 90, 1.0),))
    assert spans(solve(p).plan) == [(0, "L1", 0, 60), (1, "L2", 60, 90)]


def test_order_predecessor_completes_first() -> None:
    other = Product("Y", "y", "g", (replace(MIX, lines=("L2",)),))
    orders = (
        Order("O1", "X", 60.0, 0, 60, 1.0),
        Order("O2", "Y", 60.0, 0, 120, 1.0, predecessors=("O1",)),
    )
    plan = solve(build((Product("X", "x", "f", (MIX,)), other), orders)).plan
    assert spans(plan, "O1") == [(0, "L1", 0, 60)]
    assert spans(plan, "O2") == [(0, "L2", 60, 120)]


def test_setup_is_waived_after_the_same_family() -> None:
    # Setup 30 min; after O1 (same family) O2 needs none, so both are on time.
    step = replace(MIX, setup_minutes=30)
    orders = (Order("O1", "X", 60.0, 0, 90, 2.0), Order("O2", "X", 60.0, 0, 150, 1.0))
    plan = solve(build((Product("X", "x", "f", (step,)),), orders)).plan
    assert spans(plan, "O1") == [(0, "L1", 0, 90)]
    assert spans(plan, "O2") == [(0, "L1", 90, 150)]
    assert plan.count(OrderStatus.ON_TIME) == 2


def test_family_sequence_on_a_line_of_several_families() -> None:
    # Families A, B, A with 30-minute setups: A, A, B pays two setups and is on time.
    step = replace(MIX, setup_minutes=30)
    products = (Product("XA", "a", "A", (step,)), Product("XB", "b", "B", (step,)))
    orders = (
        Order("O1", "XA", 60.0, 0, 90, 1.0),
        Order("O2", "XB", 60.0, 0, 240, 1.0),
        Order("O3", "XA", 60.0, 0, 150, 1.0),
    )
    plan = solve(build(products, orders)).plan
    assert [spans(plan, o) for o in ("O1", "O3", "O2")] == [
        [(0, "L1", 0, 90)],
        [(0, "L1", 90, 150)],
        [(0, "L1", 150, 240)],
    ]


def test_shared_resource_capacity_drop() -> None:
    # One crew until minute 120, then none: only one order can hold it; the more valuable.
    crew = Resource("R1", "crew", "P1", 1, ((120, 0),))
    step = replace(MIX, lines=("L1", "L2"), resources={"R1": 1})
    orders = (Order("O1", "X", 60.0, 0, 2880, 1.0), Order("O2", "X", 120.0, 0, 2880, 1.0))
    plan = solve(build((Product("X", "x", "f", (step,)),), orders, resources=(crew,))).plan
    assert spans(plan, "O2") == [(0, "L1", 0, 120)] or spans(plan, "O2") == [(0, "L2", 0, 120)]
    assert plan.outcomes[0].status is OrderStatus.UNSCHEDULED


def test_essential_order_first_even_when_worth_less() -> None:
    orders = (
        Order("O1", "X", 60.0, 0, 60, 1.0, PriorityClass.ESSENTIAL),
        Order("O2", "X", 60.0, 0, 60, 10.0),
    )
    plan = solve(build(orders=orders, off=((60, 2880),))).plan
    status = {o.order_id: o.status for o in plan.outcomes}
    assert status == {"O1": OrderStatus.ON_TIME, "O2": OrderStatus.UNSCHEDULED}


def test_late_order_keeps_its_decayed_value() -> None:
    # Due 30, takes 60: 30 minutes late at 10 % a day.
    result = solve(build(orders=(Order("O1", "X", 60.0, 0, 30, 10.0),)))
    (out,) = result.plan.outcomes
    assert (out.status, out.completion, out.lateness_minutes) == (OrderStatus.LATE, 60, 30)
    assert out.value == pytest.approx(600.0 * (1 - 0.1 * 30 / 1440))
    assert out.reason


def _job_shop(jobs: list[list[tuple[int, int]]], machines: int) -> Portfolio:
    """Each job an order of its own product: (machine, minutes) steps, uninterruptible."""
    lines = tuple(
        Line(f"M{k}", f"machine {k}", "P1", (Window(0, HORIZON.minutes),)) for k in range(machines)
    )
    products = tuple(
        Product(
            f"J{j}",
            f"job {j}",
            f"J{j}",
            tuple(
                Step(f"op{i}", (f"M{m}",), 60.0 / d, 0.0, interruptible=False)
                for i, (m, d) in enumerate(ops)
            ),
        )
        for j, ops in enumerate(jobs)
    )
    orders = tuple(Order(f"O{j}", f"J{j}", 1.0, 0, HORIZON.minutes, 1.0) for j in range(len(jobs)))
    plant = Plant("P1", "shop", "E1", "B1", 0.0, lines)
    return Portfolio(
        "jobshop",
        HORIZON,
        (Enterprise("E1", "e"),),
        (plant,),
        (Block("B1", "block"),),
        products,
        orders,
    )


def test_makespan_job_shop_3x3_optimum() -> None:
    # The OR-Tools job shop example: optimum 11.
    jobs = [[(0, 3), (1, 2), (2, 2)], [(0, 2), (2, 1), (1, 4)], [(1, 4), (2, 3)]]
    p = _job_shop(jobs, 3)
    result = solve(p, replace(PARAMS, objective="makespan"))
    assert result.status == "optimal"
    assert result.objective == 11.0 and result.bound == pytest.approx(11.0)
    assert result.plan.bound == pytest.approx(11.0)


def _tiny_rcpsp() -> Portfolio:
    """A 3 min, B 2, C 2, D 1 on private lines; crew of 2; A, B, D hold 1, C holds 2;
    D after A and B."""
    crew = Resource("R1", "crew", "P1", 2)
    lines = tuple(Line(f"L{a}", a, "P1", (Window(0, HORIZON.minutes),)) for a in "ABCD")
    dur = {"A": 3, "B": 2, "C": 2, "D": 1}
    units = {"A": 1, "B": 1, "C": 2, "D": 1}
    products = tuple(
        Product(
            a,
            a,
            a,
            (
                Step(
                    a,
                    (f"L{a}",),
                    60.0 / dur[a],
                    0.0,
                    interruptible=False,
                    resources={"R1": units[a]},
                ),
            ),
        )
        for a in "ABCD"
    )
    orders = tuple(
        Order(
            f"O{a}", a, 1.0, 0, HORIZON.minutes, 1.0, predecessors=("OA", "OB") if a == "D" else ()
        )
        for a in "ABCD"
    )
    plant = Plant("P1", "rcpsp", "E1", "B1", 0.0, lines, (crew,))
    return Portfolio(
        "rcpsp", HORIZON, (Enterprise("E1", "e"),), (plant,), (Block("B1", "b"),), products, orders
    )


def test_makespan_tiny_rcpsp_optimum() -> None:
    # C needs the whole crew, so the optimum is 6 (lower bound 5 by work).
    result = solve(_tiny_rcpsp(), replace(PARAMS, objective="makespan"))
    assert (result.status, result.objective) == ("optimal", 6.0)


def test_makespan_refuses_an_order_that_cannot_run() -> None:
    p = build(orders=(Order("O1", "X", 6000.0, 0, 600, 1.0),))  # 100 hours > 2 days
    result = schedule_plant(p, replace(PARAMS, objective="makespan"))
    assert result.status == "fallback" and validate(p, result.plan) == []
    assert any("not enough time" in n for n in result.plan.notes)


def test_same_input_same_plan_and_progress_is_reported() -> None:
    step = replace(MIX, lines=("L1", "L2"), setup_minutes=15)
    orders = tuple(Order(f"O{i}", "X", 30.0 * (i + 1), 0, 200 + 60 * i, 1.0 + i) for i in range(5))
    p = build((Product("X", "x", "f", (step,)),), orders, off=((100, 300),))
    params = replace(PARAMS, time_limit_s=0.3)
    seen: list[tuple[float, float]] = []
    first = schedule_plant(p, params, progress=lambda o, b: seen.append((o, b)))
    second = schedule_plant(p, params)
    assert first.plan.operations == second.plan.operations
    assert first.plan.outcomes == second.plan.outcomes
    assert seen and all(b >= o - 1e-6 for o, b in seen)


def test_never_worse_than_the_hint() -> None:
    p = build(orders=tuple(Order(f"O{i}", "X", 60.0, 0, 90 * (i + 1), 1.0) for i in range(4)))
    hint = dispatch(p)
    result = solve(p)
    assert result.objective >= hint.value - 1e-6


def test_invalid_hint_is_ignored_with_a_note() -> None:
    p = build()
    bad = replace(dispatch(p), outcomes=())
    result = schedule_plant(p, PARAMS, hint=bad)
    assert validate(p, result.plan) == []
    assert any("hint ignored" in n for n in result.plan.notes)


def test_needs_one_plant_without_depots() -> None:
    p = build()
    with pytest.raises(ValueError, match="one plant"):
        schedule_plant(replace(p, depots=(Depot("D1", "depot", 10.0),)), PARAMS)


def test_plant_portfolio_keeps_the_plant_and_turns_grants_into_deliveries() -> None:
    p = build()
    p = replace(
        p,
        depots=(Depot("D1", "depot", 500.0),),
        deliveries=(
            FuelDelivery("T1", 50.0, 30, 0, 60, "P1"),
            FuelDelivery("T2", 80.0, 30, 0, 60, "D1"),
        ),
    )
    sub = plant_portfolio(p, "P1", [(120, 25.0), (240, 0.0)])
    assert [pl.id for pl in sub.plants] == ["P1"] and sub.depots == ()
    assert [(d.id, d.expected, d.litres) for d in sub.deliveries] == [
        ("T1", 30, 50.0),
        ("P1-grant-0", 120, 25.0),
    ]
    assert [o.id for o in sub.orders] == ["O1"]


def test_plant_portfolio_refuses_cross_plant_predecessors() -> None:
    p = build()
    lines = (Line("L9", "nine", "P2", (Window(0, HORIZON.minutes),)),)
    p2 = Plant("P2", "other", "E1", "B1", 100.0, lines)
    y = Product("Y", "y", "f", (replace(MIX, lines=("L9",)),))
    p = replace(
        p,
        plants=(*p.plants, p2),
        products=(*p.products, y),
        orders=(*p.orders, Order("O9", "Y", 1.0, 0, 600, 1.0, predecessors=("O1",))),
    )
    with pytest.raises(ValueError, match="cross-plant"):
        plant_portfolio(p, "P2")
