"""Properties of the plant-level scheduler on random one-plant portfolios.

Whatever the plant: the optimised plan breaks no rule of ``docs/plan-rules.md``,
gives one outcome per order in the portfolio's order, explains every order that
is not on time, and is never worse than the dispatch plan by the objective's own
ranking (essential orders run first, then value): it starts from that plan and
keeps it when the solver finds nothing better.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import portfolios

from ingenio.domain import OrderStatus, Plan, Portfolio, PriorityClass
from ingenio.planning.dispatch import dispatch
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams, schedule_plant
from ingenio.validate import validate

PARAMS = SolveParams(time_limit_s=1.0, workers=1)


def _same_plant_predecessors(portfolio: Portfolio) -> Portfolio:
    """The portfolio without the predecessor links that cross plants (not supported at
    plant level: ``plant_portfolio`` refuses them)."""
    plant_of = {o.id: portfolio.product_plant(o.product_id).id for o in portfolio.orders}
    orders = tuple(
        replace(o, predecessors=tuple(p for p in o.predecessors if plant_of[p] == plant_of[o.id]))
        for o in portfolio.orders
    )
    return replace(portfolio, orders=orders)


def _rank(portfolio: Portfolio, plan: Plan) -> tuple[int, float]:
    essential = {o.id for o in portfolio.orders if o.priority is PriorityClass.ESSENTIAL}
    run = sum(1 for o in plan.outcomes if o.order_id in essential and o.completion is not None)
    return run, plan.value


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(), st.data())
def test_optimised_plans_are_valid_and_never_below_dispatch(
    portfolio: Portfolio, data: st.DataObject
) -> None:
    plant_id = data.draw(st.sampled_from([p.id for p in portfolio.plants]))
    sub = plant_portfolio(_same_plant_predecessors(portfolio), plant_id)
    result = schedule_plant(sub, PARAMS)
    plan = result.plan
    assert [str(v) for v in validate(sub, plan)] == []
    assert [o.order_id for o in plan.outcomes] == [o.id for o in sub.orders]
    for outcome in plan.outcomes:
        if outcome.status is not OrderStatus.ON_TIME:
            assert outcome.reason
    assert result.objective == plan.value
    base = _rank(sub, dispatch(sub))
    mine = _rank(sub, plan)
    assert mine[0] >= base[0]
    if mine[0] == base[0]:
        assert mine[1] >= base[1] - 1e-6
