"""Property tests on random portfolios with batteries and islanding or grid-tied solar:
every planner's plan passes the validator, and the LP bound is above every plan."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from strategies import portfolios

from ingenio.domain import Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise import dispatch_planner, optimise
from ingenio.planning.portfolio import upper_bound
from ingenio.planning.schedule import SolveParams
from ingenio.validate import validate

FAST = SolveParams(time_limit_s=2.0, workers=1)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(with_batteries=True))
def test_dispatch_plans_with_batteries_are_valid_and_bounded(portfolio: Portfolio) -> None:
    plan = dispatch(portfolio)
    assert [str(v) for v in validate(portfolio, plan)] == []
    assert upper_bound(portfolio) >= plan.value - 1e-9


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(with_batteries=True))
def test_optimised_plans_with_batteries_are_valid_and_bounded(portfolio: Portfolio) -> None:
    plan = optimise(portfolio, FAST, processes=1)
    assert [str(v) for v in validate(portfolio, plan)] == []
    assert plan.bound is not None and plan.value <= plan.bound + 1e-9
    merged = optimise(portfolio, FAST, plant_planner=dispatch_planner, processes=1)
    assert [str(v) for v in validate(portfolio, merged)] == []
