"""Family setups on lines with no circuit (``"adjacent"``): too many steps of several
families, or a start that interleaves steps. A step waives its setup only right after a
chosen step of its family with nothing between, which the validator accepts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ortools.sat.python import cp_model

from ingenio.domain import (
    ALWAYS,
    Block,
    Enterprise,
    Horizon,
    Line,
    Order,
    Plant,
    Portfolio,
    Product,
    Step,
    expand_shifts,
)
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams
from ingenio.planning.schedule.cpsat import _best_start, build_model, complete_hint
from ingenio.planning.schedule.data import CIRCUIT_MAX, build_input
from ingenio.planning.schedule.hint import assignment_of
from ingenio.planning.schedule.plan import build_plan
from ingenio.planning.schedule.solve import read
from ingenio.planning.schedule.starts import greedy_starts
from ingenio.planning.status import PlanStatus
from ingenio.validate import validate

N = 44
"""Orders: 22 of each family, more steps than a circuit takes."""


def _crowded() -> Portfolio:
    """One line, one day: 44 orders of 10 min with a 30 min family setup fit only if
    most setups are waived (36 at most when each pays)."""
    horizon = Horizon(datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana")), 1, 15)
    line = Line("L", "Line", "P", expand_shifts((ALWAYS,), horizon), (ALWAYS,))
    plant = Plant("P", "Plant", "E", "B", 100.0, (line,))
    step = Step("s", ("L",), 60.0, 0.0, setup_minutes=30)
    products = (Product("X", "X", "f", (step,)), Product("Y", "Y", "g", (step,)))
    orders = tuple(
        Order(f"O{i:02d}", "XY"[i % 2], 10.0, 0, 1440, 2.0 - i % 2 - i / 1000) for i in range(N)
    )
    return Portfolio(
        name="crowded",
        horizon=horizon,
        enterprises=(Enterprise("E", "E"),),
        plants=(plant,),
        blocks=(Block("B", "B", ()),),
        products=products,
        orders=orders,
    )


def test_a_crowded_line_waives_setups_after_its_family() -> None:
    portfolio = _crowded()
    data = build_input(portfolio, None)
    assert len(data.tasks) > CIRCUIT_MAX and data.lines[0].setups == "adjacent"
    built = build_model(portfolio, SolveParams(time_limit_s=20.0, workers=1), None)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20.0
    assert solver.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    plan = build_plan(
        built.data,
        read(solver, built.data, built.variables),
        status=PlanStatus.FEASIBLE,
        seconds=0.0,
        bound=None,
        optimal=False,
    )
    assert validate(portfolio, plan) == []
    assert len({op.order_id for op in plan.operations}) > 1440 // 40


def test_the_start_keeps_the_orders_whose_setups_it_waived() -> None:
    """Every order the start runs on the crowded line is read into the model (each
    waived setup follows its family), and the completed hint solves the model."""
    portfolio = _crowded()
    start = _best_start(portfolio, None, greedy_starts(portfolio, None))
    assert start is not None and validate(portfolio, start) == []
    built = build_model(portfolio, SolveParams(), start)
    kept = assignment_of(built.data, start)
    ran = {op.order_id for op in start.operations}
    assert len(ran) > 1440 // 40  # it waives setups
    assert {built.data.orders[built.data.tasks[t].order].order.id for t in kept.tasks} == ran
    assert complete_hint(built.model, 30.0)


def test_the_steel_plants_start_is_kept_whole() -> None:
    """Regression: on the demo steel plant the start interleaves furnace heats, so the
    furnace had no circuit and every heat paid its setup: the hint dropped 9 of the
    start's 24 orders and CP-SAT could not beat the start."""
    from ingenio.data.demo import build_demo_portfolio

    sub = plant_portfolio(build_demo_portfolio(), "ACE")
    start = _best_start(sub, None, greedy_starts(sub, None))
    assert start is not None
    built = build_model(sub, SolveParams(), start)
    kept = assignment_of(built.data, start)
    ran = {op.order_id for op in start.operations}
    assert {built.data.orders[built.data.tasks[t].order].order.id for t in kept.tasks} == ran
