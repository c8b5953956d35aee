"""The CP-SAT plant model plans the batteries' state of charge, by hand.

The portfolio of ``tests/battery_portfolios.py``: plant P, grid 100 kW, battery BAT
(250 kWh, floor 20 % = 50 kWh, starts full: 200 kWh usable; 120 kW out, 50 kW in,
round trip 0.9), 15-minute slots, no generator, no solar.

* **A line carried through the whole outage.** One order of a 1,200-minute 100 kW step
  (1,200 units at 60/h), released at 0, due at the end of the 1-day horizon: wherever
  it starts it spans the outage ``[240, 240 + outage)``. A 2-hour outage takes 100 kW *
  2 h = 200 kWh: the model runs the order, the battery ends at its floor. A 3-hour one
  would take 300 kWh: the order is left out.
* **Emptying fast beats the bridge profile.** The order of ``test_battery.py`` (360
  minutes, released 0, due 360) with a 3-hour outage ``[240, 420)``: the profile offers
  200 / 3 = 66.7 kW, so dispatch waits for the grid; the model runs ``[0, 360)`` on
  the battery's 100 kW for the first 2 hours of the outage (200 kWh).
* **Charging between two outages.** Outages ``[240, 360)`` and ``[420, 540)``; order O1
  (100 kW, 120 minutes, released 240, due 360) empties the battery in the first; O2 (80
  kW, 30 minutes, released 420, due 540) fits only in the second. The profile spreads
  what the hour between refills (50 kW * 60 min * 0.9 = 45 kWh) over the second outage:
  22.5 kW, so dispatch runs O2 late. The model charges in the hour and gives 80 kW *
  0.5 h = 40 kWh of the 45: both on time, value 120 + 30 = 150.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from battery_portfolios import BAT, build
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model
from strategies import portfolios

from ingenio.domain import (
    Block,
    Order,
    OrderStatus,
    OutageWindow,
    Plan,
    Portfolio,
    Product,
    Step,
    Window,
)
from ingenio.operations.replan import merge, prepare, with_outage
from ingenio.planning.dispatch import dispatch
from ingenio.planning.explain import with_explanations
from ingenio.planning.portfolio import upper_bound
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams, schedule_plant
from ingenio.planning.schedule.cpsat import build_model, complete_hint
from ingenio.planning.schedule.plan import build_plan
from ingenio.planning.schedule.solve import read
from ingenio.planning.status import PlanStatus
from ingenio.validate import validate

FAST = SolveParams(time_limit_s=5.0, workers=1)


def _stored(plan: Plan, minute: int) -> float:
    """BAT's stored kWh at ``minute`` under the plan's flows (validator arithmetic)."""
    energy = BAT.initial_kwh
    for f in plan.battery_flows:
        a, b = f.start, min(f.end, minute)
        if b > a:
            rate = f.kw if f.kw > 0 else f.kw * BAT.efficiency
            energy -= rate * (b - a) / 60
    return energy


def _one_plant(portfolio: Portfolio, plant_id: str) -> Portfolio:
    """The plant alone, predecessors at other plants dropped."""
    plant_of = {o.id: portfolio.product_plant(o.product_id).id for o in portfolio.orders}
    orders = tuple(
        replace(o, predecessors=tuple(p for p in o.predecessors if plant_of[p] == plant_of[o.id]))
        for o in portfolio.orders
    )
    return plant_portfolio(replace(portfolio, orders=orders), plant_id)


def _long_step(outage: int) -> Portfolio:
    p = build(outage)
    return replace(p, orders=(Order("O", "X", 1200.0, 0, 1440, 1.0),))


def test_a_line_through_a_two_hour_outage() -> None:
    p = _long_step(120)
    result = schedule_plant(p, FAST)
    plan = result.plan
    assert result.status in ("optimal", "feasible")
    assert validate(p, plan) == []
    (op,) = plan.operations
    assert op.start <= 240 and op.end >= 360
    assert plan.value == 1200.0
    # the flows are the solution's: 100 kW in each slot of the outage, nothing else
    assert [(f.start, f.end, f.kw) for f in plan.battery_flows if f.kw > 0] == [
        (240 + 15 * i, 255 + 15 * i, 100.0) for i in range(8)
    ]
    assert _stored(plan, 360) == pytest.approx(BAT.floor_kwh)


def test_not_through_a_three_hour_one() -> None:
    p = _long_step(180)
    result = schedule_plant(p, FAST)
    assert validate(p, result.plan) == []
    assert result.plan.operations == ()
    assert result.plan.value == 0.0


def test_the_model_empties_the_battery_fast_where_the_profile_spreads_it() -> None:
    p = build(180)
    assert dispatch(p).operations[0].start == 420  # the profile's 66.7 kW is too little
    plan = schedule_plant(p, FAST).plan
    assert validate(p, plan) == []
    (op,) = plan.operations
    assert (op.start, op.end) == (0, 360)
    assert plan.value == 360.0
    assert _stored(plan, 360) == pytest.approx(BAT.floor_kwh)


def _two_outages() -> Portfolio:
    p = build(120)
    blocks = (Block("B", "B", (OutageWindow(Window(240, 360)), OutageWindow(Window(420, 540)))),)
    y = Product("Y", "Y", "g", (Step("run", ("L",), 60.0, 80.0, 0, False),))
    return replace(
        p,
        blocks=blocks,
        products=(*p.products, y),
        orders=(Order("O1", "X", 120.0, 240, 360, 1.0), Order("O2", "Y", 30.0, 420, 540, 1.0)),
    )


def test_charging_between_two_outages_beats_the_profile() -> None:
    p = _two_outages()
    start = dispatch(p)
    assert validate(p, start) == []
    late = {o.order_id: o.status for o in start.outcomes}
    assert late == {"O1": OrderStatus.ON_TIME, "O2": OrderStatus.LATE}
    plan = schedule_plant(p, FAST).plan
    assert validate(p, plan) == []
    assert {o.order_id: o.status for o in plan.outcomes} == {
        "O1": OrderStatus.ON_TIME,
        "O2": OrderStatus.ON_TIME,
    }
    assert plan.value == 150.0 > start.value
    assert upper_bound(p) >= plan.value - 1e-6
    # empty after O1, charged in the hour between, at least O2's 40 kWh above the floor
    assert _stored(plan, 360) == pytest.approx(BAT.floor_kwh)
    assert _stored(plan, 420) >= BAT.floor_kwh + 40.0 - 1e-6
    assert all(f.kw > 0 or (360 <= f.start and f.end <= 420) for f in plan.battery_flows)


def test_replan_keeps_the_models_discharge_before_the_moment() -> None:
    # The plan in force leans on the model's schedule (100 kW through [240, 360) of a
    # 3-hour outage, which the profile's 66.7 kW would not carry). A replan at minute 600
    # for a new 1-hour blackout keeps those flows before the moment, so the merged plan
    # stays valid.
    p = build(180)
    plan = schedule_plant(p, FAST).plan
    world = with_outage(p, "P", Window(600, 660), 600)
    problem = prepare(world, plan, 600, "P")
    new = merge(problem, dispatch(problem.portfolio), "replan:dispatch")
    assert validate(world, new) == []
    assert [f for f in new.battery_flows if f.kw > 0 and f.end <= 600] == [
        f for f in plan.battery_flows if f.kw > 0
    ]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(with_batteries=True), st.data())
def test_every_solution_with_batteries_is_a_valid_plan(
    portfolio: Portfolio, data: st.DataObject
) -> None:
    """Plans read straight from CP-SAT solutions (not only the best one the planner keeps)
    pass the validator, battery flows included, and stay under the LP bound."""
    plant_id = data.draw(st.sampled_from([p.id for p in portfolio.plants]))
    sub = _one_plant(portfolio, plant_id)
    built = build_model(sub, SolveParams(), dispatch(sub))
    complete_hint(built.model, 30.0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = 0.5
    solver.parameters.max_time_in_seconds = 30.0
    code = solver.solve(built.model)
    assert code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    plan = build_plan(
        built.data,
        read(solver, built.data, built.variables),
        status=PlanStatus.FEASIBLE,
        seconds=0.0,
        bound=None,
        optimal=False,
    )
    assert [str(v) for v in validate(sub, plan)] == []
    assert upper_bound(sub) >= plan.value - 1e-6


def test_explanation_of_a_model_plan_names_the_empty_battery() -> None:
    # test_battery.py's case, planned by CP-SAT: O (100 kW through the 2-hour outage)
    # takes the battery's 200 kWh; O2 (50 kW, 120 minutes, released 240, due 360) would
    # need 100 kWh more, so it waits for the grid and the reason names the battery,
    # empty at 06:00 by the flows the model planned.
    p = build(120)
    plant = p.plants[0]
    l2 = replace(plant.lines[0], id="L2", name="Line 2")
    p = replace(
        p,
        plants=(replace(plant, lines=(*plant.lines, l2)),),
        products=(*p.products, Product("Y", "Y", "g", (Step("run", ("L2",), 60.0, 50.0),))),
        orders=(*p.orders, Order("O2", "Y", 120.0, 240, 360, 1.0)),
    )
    plan = with_explanations(p, schedule_plant(p, FAST).plan)
    assert validate(p, plan) == []
    by_id = {o.order_id: o for o in plan.outcomes}
    assert by_id["O"].status is OrderStatus.ON_TIME
    assert by_id["O2"].status is OrderStatus.LATE
    assert by_id["O2"].reason.startswith("battery BAT empty at 2026-04-06 06:00")
