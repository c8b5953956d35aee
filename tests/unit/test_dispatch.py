"""Tiny hand-checked cases for the greedy dispatcher (15-minute slots, 2 days).

Generator G1: 200 kW, min load 30 % (60 kW), 0.08 * 200 + 0.25 * output L/h,
so 41 L/h (10.25 L a slot) at 100 kW and 31 L/h at its 60 kW minimum.
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
    FuelTransfer,
    Generator,
    GeneratorRun,
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
    ShiftPattern,
    Step,
    Window,
    expand_shifts,
)
from ingenio.planning.dispatch import dispatch
from ingenio.validate import validate

HORIZON = Horizon(datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana")), 2, 15)
G1 = Generator("G1", "big", "P1", 200.0, 0.3, 0.08, 0.25)
G2 = Generator("G2", "small", "P1", 50.0, 0.0, 0.08, 0.25)
MIX = Step("mix", ("L1",), 60.0, 100.0)


def build(
    steps: tuple[Step, ...] = (MIX,),
    orders: tuple[Order, ...] = (),
    *,
    grid: float = 500.0,
    off: tuple[tuple[int, int], ...] = (),
    generators: tuple[Generator, ...] = (),
    tank: FuelTank | None = None,
    depots: tuple[Depot, ...] = (),
    deliveries: tuple[FuelDelivery, ...] = (),
    l2_shift: ShiftPattern = ALWAYS,
    also: tuple[Product, ...] = (),
) -> Portfolio:
    """Plant P1 with lines L1 (always) and L2, product X with ``steps``."""
    lines = (
        Line("L1", "one", "P1", expand_shifts((ALWAYS,), HORIZON)),
        Line("L2", "two", "P1", expand_shifts((l2_shift,), HORIZON)),
    )
    plant = Plant("P1", "plant", "E1", "B1", grid, lines, (), generators, tank)
    outages = tuple(OutageWindow(Window(a, b)) for a, b in off)
    return Portfolio(
        "tiny",
        HORIZON,
        (Enterprise("E1", "e"),),
        (plant,),
        (Block("B1", "block", outages),),
        (Product("X", "x", "f", steps), *also),
        orders or (Order("O1", "X", 60.0, 0, 600, 10.0),),
        depots,
        deliveries,
    )


def plan_of(p: Portfolio) -> Plan:
    plan = dispatch(p)
    assert validate(p, plan) == []
    return plan


def spans(plan: Plan, order_id: str = "O1") -> list[tuple[int, str, int, int]]:
    return [(o.step, o.line_id, o.start, o.end) for o in plan.operations if o.order_id == order_id]


def test_runs_at_release_on_grid() -> None:
    step = replace(MIX, setup_minutes=15)
    plan = plan_of(build((step,), (Order("O1", "X", 60.0, 60, 600, 10.0),)))
    (op,) = plan.operations
    assert (op.line_id, op.start, op.end, op.quantity, op.source) == (
        "L1",
        60,
        135,
        60.0,
        PowerSource.GRID,
    )
    (out,) = plan.outcomes
    assert (out.status, out.completion, out.value) == (OrderStatus.ON_TIME, 135, 600.0)
    assert plan.generator_runs == () and plan.fuel_transfers == () and plan.planner == "dispatch"


def test_waits_for_grid_without_generator() -> None:
    plan = plan_of(build(off=((0, 120),)))
    assert spans(plan) == [(0, "L1", 120, 180)]


def test_interruptible_step_is_split_around_an_outage_and_pays_restart() -> None:
    step = replace(MIX, setup_minutes=5, restart_minutes=10)
    plan = plan_of(build((step,), (Order("O1", "X", 120.0, 0, 600, 1.0),), off=((60, 120),)))
    assert spans(plan) == [(0, "L1", 0, 60), (0, "L1", 120, 195)]
    assert [op.quantity for op in plan.operations] == pytest.approx([55.0, 65.0])


def test_uses_generator_in_outage_when_fuel_allows() -> None:
    tank = FuelTank(1000.0, 300.0, 100.0)
    plan = plan_of(build(off=((0, 120),), generators=(G1,), tank=tank))
    (op,) = plan.operations
    assert (op.start, op.end, op.source) == (0, 60, PowerSource.GENERATOR)
    assert plan.generator_runs == (GeneratorRun("G1", 0, 60, 100.0),)


def test_generator_runs_at_least_its_minimum_load() -> None:
    step = replace(MIX, power_kw=40.0)
    plan = plan_of(build((step,), off=((0, 120),), generators=(G1,), tank=FuelTank(500, 300)))
    assert plan.generator_runs == (GeneratorRun("G1", 0, 60, 60.0),)


def test_least_fuel_generator_set() -> None:
    tank = FuelTank(500.0, 300.0)
    small = plan_of(
        build((replace(MIX, power_kw=40.0),), off=((0, 120),), generators=(G1, G2), tank=tank)
    )
    assert small.generator_runs == (GeneratorRun("G2", 0, 60, 40.0),)  # 14 L/h against 31
    big = plan_of(build(off=((0, 120),), generators=(G1, G2), tank=tank))
    assert big.generator_runs == (GeneratorRun("G1", 0, 60, 100.0),)  # 41 L/h against 45


def test_stops_at_reserve_and_resumes_on_grid() -> None:
    # 20.5 L above the reserve: two slots at 10.25 L, then wait for the grid at 240.
    tank = FuelTank(1000.0, 120.5, 100.0)
    plan = plan_of(
        build(
            orders=(Order("O1", "X", 120.0, 0, 2000, 1.0),),
            off=((0, 240),),
            generators=(G1,),
            tank=tank,
        )
    )
    assert spans(plan) == [(0, "L1", 0, 30), (0, "L1", 240, 330)]
    assert plan.generator_runs == (GeneratorRun("G1", 0, 30, 100.0),)
    assert [op.source for op in plan.operations] == [PowerSource.GENERATOR, PowerSource.GRID]


def test_fuel_of_a_later_run_is_kept_for_it() -> None:
    # O1 (due first) burns 20.5 L in [1440, 1470); O2 cannot then take that fuel at 0.
    tank = FuelTank(1000.0, 120.5, 100.0)
    orders = (
        Order("O1", "X", 30.0, 1440, 1500, 1.0),
        Order("O2", "X", 30.0, 0, 1600, 1.0),
    )
    plan = plan_of(build(orders=orders, off=((0, 120), (1440, 1500)), generators=(G1,), tank=tank))
    assert spans(plan, "O1") == [(0, "L1", 1440, 1470)]
    assert spans(plan, "O2") == [(0, "L1", 120, 150)]


def test_depot_trucks_fuel_without_overfilling_the_tank() -> None:
    # The tank has 20 L of room; each truck fills it up to what the next slots need.
    tank = FuelTank(120.0, 100.0, 100.0)
    depot = Depot("D1", "depot", 500.0)
    plan = plan_of(build(off=((0, 120),), generators=(G1,), tank=tank, depots=(depot,)))
    assert spans(plan) == [(0, "L1", 0, 60)]
    assert plan.fuel_transfers == (
        FuelTransfer("D1", "P1", 0, 20.0),
        FuelTransfer("D1", "P1", 15, 10.25),
        FuelTransfer("D1", "P1", 30, 10.25),
        FuelTransfer("D1", "P1", 45, 0.5),
    )


def test_depot_trucks_only_once_it_has_fuel() -> None:
    # The depot is empty until its 500 L tanker comes at minute 60.
    tank = FuelTank(1000.0, 100.0, 100.0)
    depot = Depot("D1", "depot", 0.0)
    tanker = FuelDelivery("F1", 500.0, 60, 30, 90, "D1")
    p = build(off=((0, 240),), generators=(G1,), tank=tank, depots=(depot,), deliveries=(tanker,))
    plan = plan_of(p)
    assert spans(plan) == [(0, "L1", 60, 120)]
    assert plan.fuel_transfers == (FuelTransfer("D1", "P1", 60, 41.0),)
    assert plan.generator_runs == (GeneratorRun("G1", 60, 120, 100.0),)


def test_generator_without_tank_is_not_used() -> None:
    plan = plan_of(build(off=((0, 120),), generators=(G1,)))
    assert spans(plan) == [(0, "L1", 120, 180)]
    assert plan.generator_runs == ()


def test_uninterruptible_step_waits_for_a_long_enough_window() -> None:
    step = replace(MIX, interruptible=False)
    order = Order("O1", "X", 150.0, 0, 2000, 1.0)
    plan = plan_of(build((step,), (order,), off=((120, 180), (300, 360))))
    assert spans(plan) == [(0, "L1", 360, 510)]
    assert plan.outcomes[0].status is OrderStatus.ON_TIME


def test_earliest_due_date_first_then_priority_then_id() -> None:
    orders = (
        Order("O4", "X", 15.0, 0, 900, 1.0),
        Order("O3", "X", 15.0, 0, 600, 1.0, PriorityClass.DOMESTIC),
        Order("O2", "X", 15.0, 0, 600, 1.0, PriorityClass.ESSENTIAL),
        Order("O1", "X", 15.0, 0, 600, 1.0, PriorityClass.DOMESTIC),
    )
    plan = plan_of(build(orders=orders))
    assert [op.order_id for op in plan.operations] == ["O2", "O1", "O3", "O4"]
    assert [op.start for op in plan.operations] == [0, 15, 30, 45]


def test_routing_order_and_earliest_finishing_line() -> None:
    # L2 works 06:00-22:00 only; pack can run on L1 or L2 and L1 is free first.
    pack = Step("pack", ("L2", "L1"), 120.0, 50.0)
    mix = replace(MIX, lines=("L1",))
    plan = plan_of(build((mix, pack), (Order("O1", "X", 70.0, 0, 600, 1.0),), l2_shift=_DAY))
    assert spans(plan) == [(0, "L1", 0, 70), (1, "L1", 75, 110)]
    late = plan_of(build((mix, pack), (Order("O1", "X", 70.0, 420, 1200, 1.0),), l2_shift=_DAY))
    assert spans(late) == [(0, "L1", 420, 490), (1, "L2", 495, 530)]


def test_unscheduled_when_impossible() -> None:
    plan = plan_of(build(orders=(Order("O1", "X", 3000.0, 0, 600, 10.0),)))
    assert plan.operations == ()
    (out,) = plan.outcomes
    assert (out.status, out.completion, out.value) == (OrderStatus.UNSCHEDULED, None, 0.0)
    assert out.reason == "not enough time left in the horizon"


def test_unscheduled_order_rolls_back_its_earlier_steps() -> None:
    # O1's second step needs 600 kW on a 500 kW grid: nothing of O1 stays, O2 gets L1 at 0.
    heavy = Step("heat", ("L2",), 60.0, 600.0)
    other = Product("Y", "y", "f", (MIX,))
    orders = (Order("O1", "X", 60.0, 0, 300, 1.0), Order("O2", "Y", 60.0, 0, 400, 1.0))
    plan = plan_of(build((MIX, heavy), orders, also=(other,)))
    first, _ = plan.outcomes
    assert (first.status, first.completion) == (OrderStatus.UNSCHEDULED, None)
    assert first.reason == "cannot finish within the horizon: not enough power"
    assert spans(plan, "O1") == []
    assert spans(plan, "O2") == [(0, "L1", 0, 60)]


def test_late_order_is_valued_with_decay_and_explained() -> None:
    orders = (Order("O1", "X", 60.0, 0, 600, 10.0), Order("O2", "X", 60.0, 0, 630, 10.0))
    p = replace(build(orders=orders, off=((60, 600),)), late_decay_per_day=0.48)
    plan = plan_of(p)
    second = plan.outcomes[1]
    assert spans(plan, "O2") == [(0, "L1", 600, 660)]
    assert (second.status, second.completion, second.lateness_minutes) == (
        OrderStatus.LATE,
        660,
        30,
    )
    assert second.value == pytest.approx(594.0)
    assert second.reason == "not enough power before due"


def test_predecessors_go_first_even_when_due_later() -> None:
    # O1 is due first but needs O2 (due later) complete; O2 needs O3.
    orders = (
        Order("O1", "X", 30.0, 0, 300, 1.0, predecessors=("O2",)),
        Order("O2", "X", 30.0, 60, 900, 1.0, predecessors=("O3",)),
        Order("O3", "X", 10.0, 0, 1000, 1.0),
    )
    plan = plan_of(build(orders=orders))
    assert [spans(plan, o) for o in ("O3", "O2", "O1")] == [
        [(0, "L1", 0, 10)],
        [(0, "L1", 60, 90)],
        [(0, "L1", 90, 120)],
    ]


def test_successor_of_an_unscheduled_order_is_unscheduled() -> None:
    orders = (
        Order("O1", "X", 3000.0, 0, 2000, 1.0),
        Order("O2", "X", 30.0, 0, 300, 1.0, predecessors=("O1",)),
    )
    plan = plan_of(build(orders=orders))
    assert plan.operations == ()
    assert plan.outcomes[1].reason == "predecessor O1 is unscheduled"


def test_deterministic() -> None:
    p = build(
        orders=tuple(Order(f"O{i}", "X", 45.0, 30 * i, 900, 1.0) for i in range(6)),
        off=((200, 400),),
    )
    a, b = dispatch(p), dispatch(p)
    assert (a.operations, a.generator_runs, a.fuel_transfers, a.outcomes) == (
        b.operations,
        b.generator_runs,
        b.fuel_transfers,
        b.outcomes,
    )


_DAY = ShiftPattern(frozenset(range(7)), 6 * 60, 22 * 60)


def test_one_family_line_pays_its_setup_once() -> None:
    # Two orders of family f on L1: the second follows one of its family, so no setup.
    step = replace(MIX, setup_minutes=15)
    orders = (Order("O1", "X", 60.0, 0, 600, 1.0), Order("O2", "X", 60.0, 0, 700, 1.0))
    plan = plan_of(build((step,), orders))
    assert [(o.order_id, o.start, o.end) for o in plan.operations] == [
        ("O1", 0, 75),
        ("O2", 75, 135),
    ]


def test_two_family_line_waives_only_right_after_its_family() -> None:
    # O2 starts right after O1 of its family: no setup. O4 follows O3 (family g) after
    # an idle gap that O3's family could later fill: it pays.
    step = replace(MIX, setup_minutes=15)
    other = Product("Y", "y", "g", (step,))
    orders = (
        Order("O1", "X", 60.0, 0, 600, 1.0),
        Order("O2", "X", 60.0, 0, 700, 1.0),
        Order("O3", "Y", 30.0, 0, 800, 1.0),
        Order("O4", "Y", 30.0, 300, 900, 1.0),
    )
    plan = plan_of(build((step,), orders, also=(other,)))
    assert [(o.order_id, o.start, o.end) for o in plan.operations] == [
        ("O1", 0, 75),
        ("O2", 75, 135),
        ("O3", 135, 180),
        ("O4", 300, 345),
    ]
