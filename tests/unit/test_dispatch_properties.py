"""Property: whatever the portfolio, the dispatcher's plan breaks no rule of plan-rules.md."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from strategies import portfolios

from ingenio.domain import OrderStatus, Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.validate import validate


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios())
def test_dispatch_plans_are_valid(portfolio: Portfolio) -> None:
    plan = dispatch(portfolio)
    assert [str(v) for v in validate(portfolio, plan)] == []
    assert [o.order_id for o in plan.outcomes] == [o.id for o in portfolio.orders]
    for outcome in plan.outcomes:
        if outcome.status is not OrderStatus.ON_TIME:
            assert outcome.reason
