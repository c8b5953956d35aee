"""Neighbourhood search on the plant model: never worse than where it starts, every
solution it keeps is a valid plan.

On generated one-plant portfolios the search runs from the completed start (a full
model solution); the solver it returns holds a solution whose objective is at least
the start's, and the plan read from it passes the validator.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model
from strategies import portfolios

from ingenio.domain import Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams, filled, lns, outcomes, rank
from ingenio.planning.schedule.cpsat import build_model, complete_hint
from ingenio.planning.schedule.plan import build_plan
from ingenio.planning.schedule.solve import read
from ingenio.planning.schedule.starts import greedy_starts
from ingenio.planning.status import PlanStatus
from ingenio.validate import validate


def _one_plant(portfolio: Portfolio, plant_id: str) -> Portfolio:
    plant_of = {o.id: portfolio.product_plant(o.product_id).id for o in portfolio.orders}
    orders = tuple(
        replace(o, predecessors=tuple(p for p in o.predecessors if plant_of[p] == plant_of[o.id]))
        for o in portfolio.orders
    )
    return plant_portfolio(replace(portfolio, orders=orders), plant_id)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(), st.data())
def test_search_keeps_a_valid_plan_no_worse_than_its_start(
    portfolio: Portfolio, data: st.DataObject
) -> None:
    plant_id = data.draw(st.sampled_from([p.id for p in portfolio.plants]))
    sub = _one_plant(portfolio, plant_id)
    starts = greedy_starts(sub, None)
    start = max(starts, key=lambda p: rank(sub, p))
    built = build_model(sub, SolveParams(), start)
    assert complete_hint(built.model, 60.0)
    values = list(built.model.proto.solution_hint.values)
    before = lns.objective_of(built.model, values)
    found, stats = lns.improve(
        built.model, built.data, built.variables, values, 1.5, seed=data.draw(st.integers(0, 9))
    )
    assert stats.moves >= 1 or not lns.order_variables(built.data, built.variables)
    if found is None:
        return
    assert found.objective_value >= before - 1e-6
    assert stats.improved >= 1
    assignment = read(found, built.data, built.variables)
    plan = build_plan(
        built.data, assignment, status=PlanStatus.FEASIBLE, seconds=0.0, bound=None, optimal=False
    )
    assert validate(sub, plan) == []


def test_objective_of_a_solution_is_what_the_solver_reports() -> None:
    model = cp_model.CpModel()
    x = model.new_int_var(0, 10, "x")
    y = model.new_bool_var("y")
    model.add(x + 4 * y <= 12)
    model.maximize(0.5 * x + 2.25 * y - 1)
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    values = list(solver.response_proto.solution)
    assert lns.objective_of(model, values) == solver.objective_value


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(), st.data())
def test_a_filled_plan_is_valid_and_no_worse(portfolio: Portfolio, data: st.DataObject) -> None:

    plant_id = data.draw(st.sampled_from([p.id for p in portfolio.plants]))
    sub = _one_plant(portfolio, plant_id)
    start = dispatch(sub)
    # Drop the most valuable order the start runs, so there is a gap to fill.
    ran = sorted({op.order_id for op in start.operations})
    if ran:
        gone = max(ran, key=lambda i: (sub.order(i).value, i))
        keep = tuple(op for op in start.operations if op.order_id != gone)
        start = replace(start, operations=keep)
        start = replace(start, outcomes=outcomes(sub, keep, {}))
    if validate(sub, start):
        return  # the start without that order breaks a rule (its fuel, its successors)
    out = filled(sub, start, 5.0)
    assert validate(sub, out) == []
    assert rank(sub, out) >= rank(sub, start)
