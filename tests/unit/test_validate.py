"""The independent plan validator: one hand-made broken plan per rule of docs/plan-rules.md.

Each broken plan is the good plan of ``conftest.py`` with one change, and must give
violations of exactly one rule, about the right order, line, plant or depot.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from ingenio.domain import (
    FuelTransfer,
    GeneratorRun,
    Operation,
    OrderOutcome,
    OrderStatus,
    Plan,
    Portfolio,
    Violation,
)
from ingenio.validate import RULES, validate

RULES_DOC = Path(__file__).resolve().parents[2] / "docs" / "plan-rules.md"


def swap(plan: Plan, order_id: str, step: int, *new: Operation) -> Plan:
    """The plan with the operation of ``(order_id, step)`` replaced by ``new`` (maybe none)."""
    ops = [op for op in plan.operations if (op.order_id, op.step) != (order_id, step)]
    assert len(ops) == len(plan.operations) - 1
    return replace(plan, operations=(*ops, *new))


def add_ops(plan: Plan, *new: Operation) -> Plan:
    """The plan with more operations."""
    return replace(plan, operations=(*plan.operations, *new))


def set_outcome(plan: Plan, outcome: OrderOutcome) -> Plan:
    """The plan with the outcome of ``outcome.order_id`` replaced."""
    rest = tuple(o for o in plan.outcomes if o.order_id != outcome.order_id)
    return replace(plan, outcomes=(*rest, outcome))


def found(portfolio: Portfolio, plan: Plan) -> list[tuple[str, str]]:
    """``(rule, subject)`` of every violation."""
    return [(v.rule, v.subject) for v in validate(portfolio, plan)]


def only(portfolio: Portfolio, plan: Plan, rule: str, subject: str) -> Violation:
    """Assert exactly one violation, of ``rule`` about ``subject``; return it."""
    violations = validate(portfolio, plan)
    assert [(v.rule, v.subject) for v in violations] == [(rule, subject)], violations
    return violations[0]


# --- the good plan ----------------------------------------------------------------------


def test_rules_match_the_contract() -> None:
    documented = re.findall(r"^\| `([a-z-]+)` \|", RULES_DOC.read_text(), re.MULTILINE)
    assert documented == list(RULES)


def test_good_plan_has_no_violation(portfolio: Portfolio, good_plan: Plan) -> None:
    assert validate(portfolio, good_plan) == []


def test_low_probability_outage_keeps_the_grid(portfolio: Portfolio, good_plan: Plan) -> None:
    # O3 moved into [1800, 1860): a 30 % outage risk is not grid-off, so no generator needed.
    plan = swap(good_plan, "O3", 0, Operation("O3", 0, "L1", 1800, 1845, 30.0))
    plan = swap(plan, "O3", 1, Operation("O3", 1, "L2", 1845, 1860, 30.0))
    plan = replace(plan, generator_runs=())
    plan = set_outcome(plan, OrderOutcome("O3", OrderStatus.ON_TIME, 1860, 0, 60.0))
    assert validate(portfolio, plan) == []


def test_direct_deliveries_are_not_capped(
    make_portfolio: Callable[..., Portfolio], good_plan: Plan
) -> None:
    # 800 L straight to P1 at minute 1440 overfill its 1000 L tank (376.75 + 800 L): the
    # delivery is not the plan's doing, and no transfer comes after it.
    assert validate(make_portfolio(direct_litres=800.0), good_plan) == []


# --- one rule at a time -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "subject"),
    [
        (lambda p: add_ops(p, Operation("NOPE", 0, "L1", 2000, 2010, 1.0)), "NOPE"),
        (lambda p: add_ops(p, Operation("O1", 2, "L1", 2000, 2010, 1.0)), "O1"),
        (lambda p: add_ops(p, Operation("O1", -1, "L1", 2000, 2010, 1.0)), "O1"),
        (lambda p: swap(p, "O1", 1, Operation("O1", 1, "L1", 90, 120, 60.0)), "O1"),
        (lambda p: swap(p, "O1", 1, Operation("O1", 1, "LX", 90, 120, 60.0)), "O1"),
        (
            lambda p: replace(
                p, generator_runs=(*p.generator_runs, GeneratorRun("GX", 0, 60, 10.0))
            ),
            "GX",
        ),
        (lambda p: replace(p, fuel_transfers=(FuelTransfer("DX", "P1", 700, 100.0),)), "DX"),
        (lambda p: replace(p, fuel_transfers=(FuelTransfer("D1", "PX", 700, 100.0),)), "PX"),
        (lambda p: replace(p, fuel_transfers=(FuelTransfer("D1", "P1", 700, 0.0),)), "P1"),
    ],
    ids=[
        "unknown-order",
        "step-past-routing",
        "negative-step",
        "ineligible-line",
        "unknown-line",
        "unknown-generator",
        "unknown-depot",
        "unknown-plant",
        "zero-litres",
    ],
)
def test_reference(
    portfolio: Portfolio, good_plan: Plan, change: Callable[[Plan], Plan], subject: str
) -> None:
    only(portfolio, change(good_plan), "reference", subject)


@pytest.mark.parametrize(
    "change",
    [
        lambda p: replace(p, fuel_transfers=(FuelTransfer("D1", "P1", 3000, 100.0),)),
        lambda p: replace(p, generator_runs=(*p.generator_runs, GeneratorRun("G1", 700, 700, 60))),
        lambda p: replace(
            p, generator_runs=(*p.generator_runs, GeneratorRun("G1", 2850, 2900, 60.0))
        ),
    ],
    ids=["transfer-after-end", "empty-run", "run-past-end"],
)
def test_horizon(portfolio: Portfolio, good_plan: Plan, change: Callable[[Plan], Plan]) -> None:
    only(portfolio, change(good_plan), "horizon", "P1")


def test_horizon_operation(portfolio: Portfolio, good_plan: Plan) -> None:
    # O4 on P2's L9 running past the end. Shifts stop at the horizon end too, so an operation
    # outside the horizon is always outside the shifts of its line as well.
    plan = add_ops(good_plan, Operation("O4", 0, "L9", 2870, 2890, 10.0))
    value = 10.0 * (1 - 0.1 * 1450 / 1440)
    plan = set_outcome(plan, OrderOutcome("O4", OrderStatus.LATE, 2890, 1450, value))
    violations = validate(portfolio, plan)
    assert [(v.rule, v.subject) for v in violations] == [("horizon", "O4"), ("shift", "O4")]
    assert "[2870, 2890)" in violations[0].message


def test_line_overlap(portfolio: Portfolio, good_plan: Plan) -> None:
    plan = swap(good_plan, "O1", 1, Operation("O1", 1, "L2", 250, 280, 60.0))
    plan = set_outcome(plan, OrderOutcome("O1", OrderStatus.ON_TIME, 280, 0, 600.0))
    v = only(portfolio, plan, "line-overlap", "L2")
    assert "O1/1" in v.message and "O2/1" in v.message and "by 25 min" in v.message


def test_shift(portfolio: Portfolio, good_plan: Plan) -> None:
    # L3 works from 06:00 (minute 360); the packing of O2 runs at 04:15.
    plan = swap(good_plan, "O2", 1, Operation("O2", 1, "L3", 255, 315, 120.0))
    v = only(portfolio, plan, "shift", "O2")
    assert "L3" in v.message and "2026-04-06 04:15" in v.message


def test_release(portfolio: Portfolio, good_plan: Plan) -> None:
    plan = swap(good_plan, "O2", 0, Operation("O2", 0, "L1", 105, 240, 120.0))
    v = only(portfolio, plan, "release", "O2")
    assert "15 min before" in v.message


def test_routing_order(portfolio: Portfolio, good_plan: Plan) -> None:
    plan = swap(good_plan, "O1", 0, Operation("O1", 0, "L1", 10, 95, 60.0))
    v = only(portfolio, plan, "routing-order", "O1")
    assert "5 min before step 0 ends" in v.message


def test_partial_order(portfolio: Portfolio, good_plan: Plan) -> None:
    v = only(portfolio, swap(good_plan, "O1", 1), "partial-order", "O1")
    assert "[1]" in v.message


def test_quantity(portfolio: Portfolio, good_plan: Plan) -> None:
    plan = swap(good_plan, "O1", 1, Operation("O1", 1, "L2", 90, 120, 50.0))
    v = only(portfolio, plan, "quantity", "O1")
    assert "50" in v.message and "60" in v.message


def test_quantity_within_tolerance(portfolio: Portfolio, good_plan: Plan) -> None:
    plan = swap(good_plan, "O1", 1, Operation("O1", 1, "L2", 90, 120, 60.0 * (1 + 1e-9)))
    assert validate(portfolio, plan) == []


def test_duration_setup(portfolio: Portfolio, good_plan: Plan) -> None:
    plan = swap(good_plan, "O1", 0, Operation("O1", 0, "L1", 0, 70, 60.0))
    v = only(portfolio, plan, "duration", "O1")
    assert "lasts 70 min" in v.message and "75.00" in v.message


def test_duration_restart(portfolio: Portfolio, good_plan: Plan) -> None:
    # Mixing O3 in two pieces: the second needs 15 min of work plus 10 min restart.
    plan = swap(
        good_plan,
        "O3",
        0,
        Operation("O3", 0, "L1", 600, 630, 15.0),
        Operation("O3", 0, "L1", 630, 645, 15.0),
    )
    v = only(portfolio, plan, "duration", "O3")
    assert "restart" in v.message and "25.00" in v.message


def test_uninterruptible(portfolio: Portfolio, good_plan: Plan) -> None:
    plan = swap(
        good_plan,
        "O1",
        1,
        Operation("O1", 1, "L2", 90, 105, 30.0),
        Operation("O1", 1, "L2", 105, 120, 30.0),
    )
    v = only(portfolio, plan, "uninterruptible", "O1")
    assert "2 pieces" in v.message


def test_resource(portfolio: Portfolio, good_plan: Plan) -> None:
    # Mixing O3 on L2 at the same time as O1 on L1: the crew R1 has one unit.
    plan = swap(good_plan, "O3", 0, Operation("O3", 0, "L2", 0, 45, 30.0))
    v = only(portfolio, plan, "resource", "P1")
    assert "R1" in v.message and "O1/0" in v.message and "O3/0" in v.message
    assert "[0, 45)" in v.message


def test_resource_capacity_changes(
    make_portfolio: Callable[..., Portfolio], good_plan: Plan
) -> None:
    # No crew in the first hour: O1 mixing [0, 75) is short of it during [0, 60).
    v = only(make_portfolio(resource_changes=((0, 0), (60, 1))), good_plan, "resource", "P1")
    assert "capacity 0" in v.message and "[0, 60)" in v.message
    # Two units from minute 1440: two mixers at once on day 2 are fine.
    plan = swap(good_plan, "O3", 0, Operation("O3", 0, "L1", 1500, 1545, 30.0))
    plan = swap(plan, "O3", 1, Operation("O3", 1, "L2", 1545, 1560, 30.0))
    plan = add_ops(plan, Operation("O4", 0, "L9", 1500, 1510, 10.0))
    plan = set_outcome(plan, OrderOutcome("O3", OrderStatus.ON_TIME, 1560, 0, 60.0))
    plan = set_outcome(
        plan, OrderOutcome("O4", OrderStatus.LATE, 1510, 70, 10 * (1 - 0.1 * 70 / 1440))
    )
    plan = replace(plan, generator_runs=())
    assert validate(make_portfolio(), plan) == []


def test_power(portfolio: Portfolio, good_plan: Plan) -> None:
    v = only(portfolio, replace(good_plan, generator_runs=()), "power", "P1")
    assert v.message.startswith(
        "plant P1 needs 100.0 kW at 2026-04-06 10:00 (minute 600) but has 50.0 kW "
        "(grid off, solar 50.0, generators 0.0)"
    )
    assert "[600, 645)" in v.message


def test_power_solar_changes_on_the_hour(portfolio: Portfolio, good_plan: Plan) -> None:
    # Packing O3 [645, 675): solar covers 50 kW until 11:00, then only 20 kW.
    plan = swap(good_plan, "O3", 1, Operation("O3", 1, "L2", 645, 675, 30.0))
    plan = set_outcome(plan, OrderOutcome("O3", OrderStatus.ON_TIME, 675, 0, 60.0))
    v = only(portfolio, plan, "power", "P1")
    assert "at 2026-04-06 11:00 (minute 660) but has 20.0 kW" in v.message
    assert "[660, 675)" in v.message


@pytest.mark.parametrize("output", [250.0, 50.0])
def test_generator_load(portfolio: Portfolio, good_plan: Plan, output: float) -> None:
    plan = replace(good_plan, generator_runs=(GeneratorRun("G1", 600, 645, output),))
    v = only(portfolio, plan, "generator-load", "P1")
    assert "60.0-200.0 kW" in v.message


def test_generator_overlap(portfolio: Portfolio, good_plan: Plan) -> None:
    runs = (*good_plan.generator_runs, GeneratorRun("G1", 630, 660, 60.0))
    v = only(portfolio, replace(good_plan, generator_runs=runs), "generator-overlap", "P1")
    assert "by 15 min" in v.message


def test_fuel_reserve(portfolio: Portfolio, good_plan: Plan) -> None:
    # G1 at full load [900, 1400) burns 66 L/h * 500 min = 550 L of the 376.75 L in the
    # tank: the reserve of 100 L is reached at 900 + 276.75 / 1.1 = minute 1151.6, and the
    # 600 L delivery at 1440 lifts the level above it again.
    runs = (*good_plan.generator_runs, GeneratorRun("G1", 900, 1400, 200.0))
    v = only(portfolio, replace(good_plan, generator_runs=runs), "fuel-reserve", "P1")
    assert "-173.2 L" in v.message and "[1151, 1440)" in v.message


def test_fuel_reserve_without_tank(portfolio: Portfolio, good_plan: Plan) -> None:
    runs = (*good_plan.generator_runs, GeneratorRun("G2", 0, 60, 40.0))
    v = only(portfolio, replace(good_plan, generator_runs=runs), "fuel-reserve", "P2")
    assert "no fuel tank" in v.message


def test_tank_capacity(portfolio: Portfolio, good_plan: Plan) -> None:
    # After the 600 L direct delivery at 1440 the tank holds 876.75 L; 150 L more overflows.
    plan = replace(good_plan, fuel_transfers=(FuelTransfer("D1", "P1", 1500, 150.0),))
    v = only(portfolio, plan, "tank-capacity", "P1")
    assert "1026.8 L" in v.message and "by 26.8 L" in v.message


def test_tank_capacity_without_tank(portfolio: Portfolio, good_plan: Plan) -> None:
    transfers = (*good_plan.fuel_transfers, FuelTransfer("D1", "P2", 800, 50.0))
    only(portfolio, replace(good_plan, fuel_transfers=transfers), "tank-capacity", "P2")


def test_depot_stock(portfolio: Portfolio, good_plan: Plan) -> None:
    # D1 holds 200 L until its 400 L delivery at 1440.
    plan = replace(good_plan, fuel_transfers=(FuelTransfer("D1", "P1", 700, 250.0),))
    v = only(portfolio, plan, "depot-stock", "D1")
    assert "-50.0 L" in v.message and "[700, 1440)" in v.message


@pytest.mark.parametrize(
    ("change", "subject", "words"),
    [
        (
            lambda p: set_outcome(p, OrderOutcome("O1", OrderStatus.ON_TIME, 120, 0, 500.0)),
            "O1",
            "value is 500.0 but should be 600.0",
        ),
        (
            lambda p: set_outcome(p, OrderOutcome("O2", OrderStatus.ON_TIME, 315, 0, 599.375)),
            "O2",
            "status is on_time but should be late",
        ),
        (
            lambda p: set_outcome(p, OrderOutcome("O3", OrderStatus.ON_TIME, 650, 0, 60.0)),
            "O3",
            "completion is 650 but should be 660",
        ),
        (
            lambda p: set_outcome(p, OrderOutcome("O4", OrderStatus.ON_TIME, 10, 0, 0.0)),
            "O4",
            "should be unscheduled",
        ),
        (
            lambda p: set_outcome(p, OrderOutcome("O1", OrderStatus.UNSCHEDULED, None, 0, 0.0)),
            "O1",
            "should be on_time",
        ),
        (
            lambda p: replace(p, outcomes=p.outcomes[:3]),
            "O4",
            "no outcome",
        ),
        (
            lambda p: replace(p, outcomes=(*p.outcomes, p.outcomes[0])),
            "O1",
            "several outcomes",
        ),
        (
            lambda p: replace(
                p,
                outcomes=(
                    *p.outcomes,
                    OrderOutcome("O9", OrderStatus.UNSCHEDULED, None, 0, 0.0),
                ),
            ),
            "O9",
            "unknown order",
        ),
    ],
    ids=[
        "value",
        "status",
        "completion",
        "unscheduled-has-no-ops",
        "scheduled-says-unscheduled",
        "missing",
        "duplicate",
        "unknown-order",
    ],
)
def test_outcome(
    portfolio: Portfolio,
    good_plan: Plan,
    change: Callable[[Plan], Plan],
    subject: str,
    words: str,
) -> None:
    v = only(portfolio, change(good_plan), "outcome", subject)
    assert words in v.message


# --- all at once ------------------------------------------------------------------------


def test_several_violations_are_all_reported(portfolio: Portfolio, good_plan: Plan) -> None:
    plan = swap(good_plan, "O2", 1, Operation("O2", 1, "L3", 255, 315, 120.0))  # shift
    plan = swap(plan, "O1", 0, Operation("O1", 0, "L1", 0, 70, 60.0))  # duration
    plan = replace(
        plan,
        generator_runs=(),  # power
        fuel_transfers=(FuelTransfer("D1", "P1", 700, 250.0),),  # depot-stock
    )
    plan = set_outcome(plan, OrderOutcome("O3", OrderStatus.LATE, 660, 0, 60.0))  # outcome
    assert found(portfolio, plan) == [
        ("shift", "O2"),
        ("duration", "O1"),
        ("power", "P1"),
        ("depot-stock", "D1"),
        ("outcome", "O3"),
    ]


def test_every_stretch_is_reported(portfolio: Portfolio, good_plan: Plan) -> None:
    # Two separate shortfalls of P1 are two violations, one per stretch.
    plan = replace(good_plan, generator_runs=(GeneratorRun("G1", 610, 630, 60.0),))
    violations = validate(portfolio, plan)
    assert [(v.rule, v.subject) for v in violations] == [("power", "P1")] * 2
    assert "[600, 610)" in violations[0].message and "[630, 645)" in violations[1].message


# --- local hours ------------------------------------------------------------------------


def _with_predecessor(portfolio: Portfolio, order_id: str, predecessor: str) -> Portfolio:
    from dataclasses import replace

    orders = tuple(
        replace(o, predecessors=(predecessor,)) if o.id == order_id else o for o in portfolio.orders
    )
    return replace(portfolio, orders=orders)


def test_precedence_met_when_the_order_starts_as_its_predecessor_ends(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    # O1 packs until minute 120 and O2 mixes from 120.
    assert validate(_with_predecessor(portfolio, "O2", "O1"), good_plan) == []


def test_precedence(portfolio: Portfolio, good_plan: Plan) -> None:
    # O1 starts at 0 but O2, now its predecessor, ends at 315.
    v = only(_with_predecessor(portfolio, "O1", "O2"), good_plan, "precedence", "O1")
    assert "315 min before predecessor O2" in v.message


def test_precedence_on_an_unscheduled_predecessor(portfolio: Portfolio, good_plan: Plan) -> None:
    v = only(_with_predecessor(portfolio, "O1", "O4"), good_plan, "precedence", "O1")
    assert "O4 is not scheduled" in v.message


def test_same_family_follower_owes_no_setup(portfolio: Portfolio, good_plan: Plan) -> None:
    # O2's mix on L1 follows O1's mix on L1 (both product X): its 15 min setup is waived.
    plan = swap(good_plan, "O2", 0, Operation("O2", 0, "L1", 120, 240, 120.0))
    assert [v.rule for v in validate(portfolio, plan)] == []
