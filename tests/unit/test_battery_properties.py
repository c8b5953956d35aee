"""Property tests on random portfolios with batteries, islanding or grid-tied solar and
load-shedding stages: every planner's plan passes the validator, and the LP bound is
above every plan."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from strategies import portfolios

from ingenio.data.demo import build_demo_portfolio
from ingenio.data.generate import generate_portfolio
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


def test_generated_portfolios_can_have_batteries() -> None:
    plain = generate_portfolio("S", seed=3)
    banked = generate_portfolio("S", seed=3, batteries=1.0)
    assert banked.orders == plain.orders
    assert all(p.batteries for p in banked.plants)
    assert not any(p.batteries for p in plain.plants)
    assert all(p.solar is None or p.solar.islanding for p in banked.plants)
    plan = dispatch(banked)
    assert validate(banked, plan) == []
    assert plan.battery_flows
    assert upper_bound(banked) >= upper_bound(plain) - 1e-6


def test_demo_battery_and_islanding() -> None:
    demo = build_demo_portfolio()
    lab, uaz = demo.plant("LAB"), demo.plant("UAZ")
    assert [b.id for b in lab.batteries] == ["LAB-BESS"]
    assert lab.solar is not None and lab.solar.islanding
    assert uaz.solar is not None and not uaz.solar.islanding
    plan = dispatch(demo)
    assert validate(demo, plan) == []
    assert any(f.battery_id == "LAB-BESS" and f.kw > 0 for f in plan.battery_flows)
