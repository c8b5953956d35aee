"""The warm start is a solution of the plant-level CP-SAT model, always.

On generated one-plant portfolios, every start the plant solver may begin from
(the dispatch plan and each greedy start) is read into model terms and hinted; fixing
every hinted variable to its hint leaves a feasible model, the completed hint covers
every variable, and the solver, started from it, returns a plan that ranks at least as
high as its start and is not a fallback.
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
from ingenio.planning.schedule import SolveParams, rank, schedule_plant
from ingenio.planning.schedule.cpsat import build_model, complete_hint
from ingenio.planning.schedule.starts import greedy_starts
from ingenio.validate import validate


def _one_plant(portfolio: Portfolio, plant_id: str) -> Portfolio:
    plant_of = {o.id: portfolio.product_plant(o.product_id).id for o in portfolio.orders}
    orders = tuple(
        replace(o, predecessors=tuple(p for p in o.predecessors if plant_of[p] == plant_of[o.id]))
        for o in portfolio.orders
    )
    return plant_portfolio(replace(portfolio, orders=orders), plant_id)


def _fixed_to_hint(model: cp_model.CpModel) -> str:
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 60.0
    return str(solver.status_name(solver.solve(model)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(), st.data())
def test_every_start_is_a_model_solution(portfolio: Portfolio, data: st.DataObject) -> None:
    _starts_are_model_solutions(portfolio, data)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(with_batteries=True), st.data())
def test_every_start_with_batteries_is_a_model_solution(
    portfolio: Portfolio, data: st.DataObject
) -> None:
    """With batteries the model plans their state of charge; the start's battery
    variables come from the bridge profile the dispatch plan follows, and the whole
    start still solves the model."""
    _starts_are_model_solutions(portfolio, data)


def _starts_are_model_solutions(portfolio: Portfolio, data: st.DataObject) -> None:
    plant_id = data.draw(st.sampled_from([p.id for p in portfolio.plants]))
    sub = _one_plant(portfolio, plant_id)
    for start in [dispatch(sub), *greedy_starts(sub, None)]:
        assert validate(sub, start) == []
        built = build_model(sub, SolveParams(), start)
        assert _fixed_to_hint(built.model) in ("OPTIMAL", "FEASIBLE")
        assert complete_hint(built.model, 60.0)
        hint = built.model.proto.solution_hint
        assert sorted(hint.vars) == list(range(len(built.model.proto.variables)))
        assert _fixed_to_hint(built.model) in ("OPTIMAL", "FEASIBLE")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(), st.data())
def test_the_solver_starts_from_its_start(portfolio: Portfolio, data: st.DataObject) -> None:
    plant_id = data.draw(st.sampled_from([p.id for p in portfolio.plants]))
    sub = _one_plant(portfolio, plant_id)
    hint = dispatch(sub)
    # Deterministic time: the outcome does not depend on how loaded the machine is.
    params = SolveParams(time_limit_s=0.5, workers=1, deterministic=True)
    result = schedule_plant(sub, params, hint=hint)
    assert result.status in ("feasible", "optimal"), result.plan.notes
    assert validate(sub, result.plan) == []
    assert rank(sub, result.plan) >= rank(sub, hint)


def test_solver_plan_that_waives_setups_is_read_whole() -> None:
    """Regression: a CP-SAT plan on a single-family line waives the setup of every step
    but the first; read back as a hint (the feedback round re-plans from it) it used to
    keep one order of the demo cement plant's 21, since every piece was assumed to pay
    its setup."""
    from ingenio.data.demo import build_demo_portfolio
    from ingenio.planning.schedule.hint import assignment_of
    from ingenio.planning.schedule.plan import build_plan
    from ingenio.planning.schedule.solve import read as read_solution
    from ingenio.planning.status import PlanStatus

    sub = plant_portfolio(build_demo_portfolio(), "CEM", ((0, 14000.0),))
    # A plan of the solver itself (schedule_plant may keep a greedy start instead, which
    # the model cannot always hold whole: generators beside the grid, for example).
    params = SolveParams(time_limit_s=8.0, workers=1)
    start = build_model(sub, params, dispatch(sub))
    assert complete_hint(start.model, 8.0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 8.0
    assert solver.solve(start.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    plan = build_plan(
        start.data,
        read_solution(solver, start.data, start.variables),
        status=PlanStatus.FEASIBLE,
        seconds=0.0,
        bound=None,
        optimal=False,
    )
    built = build_model(sub, SolveParams(), plan)
    read = assignment_of(built.data, plan)
    ran = {op.order_id for op in plan.operations}
    kept = {built.data.orders[built.data.tasks[t].order].order.id for t in read.tasks}
    assert len(ran) > 10
    assert kept == ran


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(), st.data())
def test_no_operation_of_the_model_ends_past_the_horizon(
    portfolio: Portfolio, data: st.DataObject
) -> None:
    """A step that pays its setup ends inside the horizon too: the model once bounded its
    start by the work alone, and CP-SAT put a setup past the end (the validator then
    dropped the solver's plan and the plant fell back to its start)."""
    plant_id = data.draw(st.sampled_from([p.id for p in portfolio.plants]))
    sub = _one_plant(portfolio, plant_id)
    built = build_model(sub, SolveParams(), None)
    horizon = built.data.horizon
    with_setup = [
        piece
        for data_task, task in zip(built.data.tasks, built.variables.tasks, strict=True)
        if data_task.step.setup_minutes > 0
        for piece in task.pieces
    ]
    for piece in with_setup[:12]:
        trial = built.model.clone()
        trial.clear_hints()
        trial.add(piece.end >= horizon + 1)
        if piece.present is not None:
            trial.add(piece.present == 1)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 30.0
        assert solver.solve(trial) == cp_model.INFEASIBLE
