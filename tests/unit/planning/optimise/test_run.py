"""The plant runner of the optimiser (``optimise/run.py``): the LP-guided starts."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_optimise import PARAMS, _fast
from test_schedule import G1, build

from ingenio.domain import FuelTank, Order, Plan, Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise import dispatch_planner
from ingenio.planning.optimise.run import PlantProgress, _Job, _plan_plant, _start, plan_sequence
from ingenio.planning.schedule import SolveParams
from ingenio.planning.status import Stop
from ingenio.validate import validate


def test_lp_ranking_places_first_the_orders_the_lp_makes() -> None:
    # One line, room for one of two 25-hour orders: dispatch (earliest due first) runs
    # the cheap one; placed as the LP ranks them, the dear one runs.
    cheap, dear = Order("A", "X", 1500.0, 0, 1600, 1.0), Order("B", "X", 1500.0, 0, 2880, 10.0)
    p = build(orders=(cheap, dear))
    assert dispatch(p).value == pytest.approx(cheap.value)
    job = _Job("P1", p, PARAMS, None, dispatch_planner, (("B", "A"),))
    start = _start(job)
    assert validate(p, start) == [] and start.value == pytest.approx(dear.value)
    assert _plan_plant(job, lambda kind, value: None).value == pytest.approx(dear.value)
    # no ranking, or one that changes nothing: dispatch's own plan
    assert _start(replace(job, rankings=())).value == pytest.approx(cheap.value)
    assert _start(replace(job, rankings=(("A", "B"),))).value == pytest.approx(cheap.value)
    # the best of several rankings
    assert _start(replace(job, rankings=(("A", "B"), ("B", "A")))).value == pytest.approx(
        dear.value
    )
    # the whole loop: the LP makes B, so the optimiser runs B
    assert _fast(p).value == pytest.approx(dear.value)


def test_plan_sequence_follows_the_plan_then_due_dates() -> None:
    # The plan runs B before A; C and D are not run and follow by due date.
    a, b = Order("A", "X", 60.0, 0, 600, 1.0), Order("B", "X", 60.0, 0, 900, 1.0)
    c, d = Order("C", "X", 60.0, 0, 2000, 1.0), Order("D", "X", 60.0, 0, 1000, 1.0)
    p = build(orders=(a, b, c, d))
    job = _Job("P1", p, PARAMS, None, dispatch_planner, (("B", "A"),))
    plan = _start(job)
    ran = {op.order_id for op in plan.operations}
    first = {o: min(op.start for op in plan.operations if op.order_id == o) for o in ran}
    seq = plan_sequence(p, plan)
    assert sorted(seq) == ["A", "B", "C", "D"]
    starts = [first[o] for o in seq if o in ran]
    assert starts == sorted(starts)
    undone = [o for o in seq if o not in ran]
    assert seq[len(ran) :] == tuple(undone)
    assert [p.order(o).due for o in undone] == sorted(p.order(o).due for o in undone)
    # an empty plan: every order by due date
    empty = replace(plan, operations=())
    assert plan_sequence(p, empty) == ("A", "B", "D", "C")


def _keep_hint(
    portfolio: Portfolio,
    params: SolveParams,
    hint: Plan | None,
    progress: PlantProgress | None,
    stop: Stop | None = None,
) -> Plan:
    """A plant planner that finds nothing better than its start."""
    assert hint is not None
    return hint


def test_replanning_with_more_fuel_starts_from_a_plan_that_uses_it() -> None:
    # Grid off all horizon, one genset: 41.5 L above the reserve run one of two 1-hour
    # orders; re-planned with 200 L, the start runs both even without LP rankings and
    # with a plant planner that never improves on its start.
    orders = (Order("O1", "X", 60.0, 0, 2880, 10.0), Order("O2", "X", 60.0, 0, 2880, 5.0))
    lean = build(
        orders=orders, off=((0, 2880),), generators=(G1,), tank=FuelTank(1000.0, 141.5, 100.0)
    )
    rich = build(
        orders=orders, off=((0, 2880),), generators=(G1,), tank=FuelTank(1000.0, 300.0, 100.0)
    )
    hint = dispatch(lean)
    assert hint.value == pytest.approx(600.0)
    plan = _plan_plant(_Job("P1", rich, PARAMS, hint, _keep_hint, ()), lambda kind, value: None)
    assert validate(rich, plan) == [] and plan.value == pytest.approx(900.0)
