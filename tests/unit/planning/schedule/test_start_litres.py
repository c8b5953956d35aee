"""The warm start is a solution of the plant model, and the model's plans are valid.

On random one-plant portfolios whose generators have start litres, warm-ups and minimum
runs (with batteries): the start the plant solver uses, read in model terms and
completed, is FEASIBLE with every variable fixed to its hint; the plan built from that
point, and from the solver's own solution, passes the validator (fuel with start litres,
``generator-start``, ``generator-run``): the model charges at least what the plan burns
(``docs/planning.md``, "Fuel is never under-counted").
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model
from strategies import portfolios

from ingenio.data.generate import generate_portfolio
from ingenio.domain import (
    ALWAYS,
    Block,
    Enterprise,
    FuelTank,
    Generator,
    Horizon,
    Line,
    Order,
    Plan,
    Plant,
    Portfolio,
    Product,
    Step,
    expand_shifts,
)
from ingenio.planning.dispatch import dispatch
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams, schedule_plant
from ingenio.planning.schedule.constraints import Constraints
from ingenio.planning.schedule.cpsat import _best_start, build_model, complete_hint
from ingenio.planning.schedule.data import build_input
from ingenio.planning.schedule.model import Variables
from ingenio.planning.schedule.plan import build_plan
from ingenio.planning.schedule.solve import read
from ingenio.planning.schedule.starts import greedy_starts
from ingenio.planning.status import PlanStatus
from ingenio.validate import validate

VALUE = SolveParams(time_limit_s=1.0, workers=1)


def _one_plant(portfolio: Portfolio, plant_id: str) -> Portfolio:
    """The plant's own portfolio, without predecessors that cross plants."""
    plant_of = {o.id: portfolio.product_plant(o.product_id).id for o in portfolio.orders}
    orders = tuple(
        replace(o, predecessors=tuple(p for p in o.predecessors if plant_of[p] == plant_of[o.id]))
        for o in portfolio.orders
    )
    return plant_portfolio(replace(portfolio, orders=orders), plant_id)


def _costly_starts(portfolio: Portfolio, litres: float) -> Portfolio:
    """Every generator's start costs ``litres`` more (fuel then binds on starts)."""
    plants = tuple(
        replace(p, generators=tuple(replace(g, start_litres=g.start_litres + litres) for g in gens))
        for p in portfolio.plants
        for gens in [p.generators]
    )
    return replace(portfolio, plants=plants)


def _plan_of(sub: Portfolio, solver: cp_model.CpSolver, built: object) -> Plan:
    data, v = built.data, built.variables  # type: ignore[attr-defined]
    return build_plan(
        data,
        read(solver, data, v),
        status=PlanStatus.FEASIBLE,
        seconds=0.0,
        bound=None,
        optimal=False,
    )


def _check(sub: Portfolio) -> None:
    start = _best_start(sub, None, greedy_starts(sub, None))
    assert start is not None
    built = build_model(sub, VALUE, start)
    model = built.model
    assert complete_hint(model, 30.0), "the completed warm start is not a model solution"
    fixed = cp_model.CpSolver()
    fixed.parameters.fix_variables_to_their_hinted_value = True
    fixed.parameters.num_workers = 1
    fixed.parameters.max_time_in_seconds = 30.0
    assert fixed.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    at_start = _plan_of(sub, fixed, built)
    assert [str(v) for v in validate(sub, at_start)] == []
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 1.0
    solver.parameters.random_seed = 0
    if solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        assert [str(v) for v in validate(sub, _plan_of(sub, solver, built))] == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(with_batteries=True, with_timing=True), st.data())
def test_the_completed_start_is_feasible_and_model_plans_are_valid(
    portfolio: Portfolio, data: st.DataObject
) -> None:
    plant_id = data.draw(st.sampled_from([p.id for p in portfolio.plants]))
    litres = data.draw(st.sampled_from((0.0, 2.0, 8.0)))
    _check(_one_plant(_costly_starts(portfolio, litres), plant_id))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(with_timing=True), st.data())
def test_the_plant_solver_never_falls_back_once_started(
    portfolio: Portfolio, data: st.DataObject
) -> None:
    plant_id = data.draw(st.sampled_from([p.id for p in portfolio.plants]))
    litres = data.draw(st.sampled_from((0.0, 2.0, 8.0)))
    sub = _one_plant(_costly_starts(portfolio, litres), plant_id)
    result = schedule_plant(sub, VALUE)
    assert [str(v) for v in validate(sub, result.plan)] == []
    assert not any("dropped" in n for n in result.plan.notes)
    assert not any("could not be completed" in n for n in result.plan.notes)
    # the completed start is the solver's incumbent: kept, never a fallback
    assert result.status is not PlanStatus.FALLBACK


def test_generated_plants_with_timed_generators_start_feasible() -> None:
    portfolio = generate_portfolio("S", seed=5, generator_timing=True, batteries=0.5)
    for plant in portfolio.plants[:3]:
        if plant.generators:
            _check(_one_plant(portfolio, plant.id))


def _cycling(start_litres: float) -> Portfolio:
    """No grid all day; six one-hour 50 kW orders three hours apart, each due an hour
    after its release; a 50 kW generator at 12.5 L an hour, ``start_litres`` a start;
    90 L: enough to run all six hours (75 L), not to start six times at 5 L (105 L)."""
    horizon = Horizon(datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana")), 1, 60)
    gen = Generator("G", "Genset", "P", 50.0, 0.0, 0.0, 0.25, start_litres)
    plant = Plant(
        "P",
        "Plant",
        "E",
        "B",
        0.0,
        (Line("L", "Line", "P", expand_shifts((ALWAYS,), horizon), (ALWAYS,)),),
        generators=(gen,),
        tank=FuelTank(90.0, 90.0, 0.0),
    )
    orders = tuple(Order(f"O{i}", "X", 60.0, 180 * i, 180 * i + 60, 10.0) for i in range(6))
    return Portfolio(
        name="cycling",
        horizon=horizon,
        enterprises=(Enterprise("E", "E"),),
        plants=(plant,),
        blocks=(Block("B", "B", ()),),
        products=(Product("X", "X", "f", (Step("run", ("L",), 60.0, 50.0),)),),
        orders=orders,
    )


def test_start_litres_are_charged_so_the_solver_plan_is_kept() -> None:
    # Before starts were charged, the solver ran the six orders with six starts
    # (105 L), the validator refused the plan and the dispatch plan (five orders) was
    # kept. Now a start costs what it burns: the generator idles through the gaps (no
    # fuel at no load), one start, all six orders on time.
    portfolio = _cycling(5.0)
    result = schedule_plant(portfolio, SolveParams(time_limit_s=5.0, workers=1))
    plan = result.plan
    assert [str(v) for v in validate(portfolio, plan)] == []
    assert result.status is not PlanStatus.FALLBACK
    assert not any("dropped" in n or "kept the start" in n for n in plan.notes)
    assert sum(1 for o in plan.outcomes if o.completion is not None) == 6
    assert plan.value > dispatch(portfolio).value
    _check(portfolio)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(with_timing=True), st.data())
def test_every_timed_start_is_a_model_solution(portfolio: Portfolio, data: st.DataObject) -> None:
    """Each start the plant solver may pick (dispatch and every greedy start), with
    generators that take time to start, run a minimum time and burn litres to start."""
    plant_id = data.draw(st.sampled_from([p.id for p in portfolio.plants]))
    litres = data.draw(st.sampled_from((0.0, 2.0, 8.0)))
    sub = _one_plant(_costly_starts(portfolio, litres), plant_id)
    for start in greedy_starts(sub, None):
        assert complete_hint(build_model(sub, VALUE, start).model, 30.0)


def test_an_order_left_out_cannot_make_the_model_infeasible() -> None:
    """Routing holds only for orders that run: on a line where the start interleaves
    steps ("adjacent" setups: a step never waives after a step of its own order), a
    1-minute step with a 10-minute setup between
    two others in the last 8 minutes cannot run; the model once stayed
    infeasible with the order left out, so no start could be completed."""
    horizon = Horizon(datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana")), 1, 15)
    plant = Plant(
        "P",
        "Plant",
        "E",
        "B",
        100.0,
        (Line("L", "Line", "P", expand_shifts((ALWAYS,), horizon), (ALWAYS,)),),
    )
    steps = (
        Step("a", ("L",), 60.0, 0.0),
        Step("b", ("L",), 60.0, 0.0, setup_minutes=10),
        Step("c", ("L",), 60.0, 0.0),
    )
    portfolio = Portfolio(
        name="routing",
        horizon=horizon,
        enterprises=(Enterprise("E", "E"),),
        plants=(plant,),
        blocks=(Block("B", "B", ()),),
        products=(Product("X", "X", "f", steps), Product("Y", "Y", "g", steps[1:2])),
        orders=(Order("O", "X", 1.0, 1432, 1440, 1.0), Order("Q", "Y", 1.0, 0, 1440, 1.0)),
    )
    data = build_input(portfolio, None, frozenset({"L"}))
    assert data.lines[0].setups == "adjacent" and data.orders[0].runnable
    model = cp_model.CpModel()
    v = Variables(model, data, must_run=False)
    Constraints(model, data, v).add_all()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
