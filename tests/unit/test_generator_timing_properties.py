"""Property tests on random portfolios whose generators take time to start, have minimum
runs and start litres, and share a plant's load (1-3 a plant): dispatch and optimised
plans pass the validator (rules ``generator-start``, ``generator-run``,
``generator-load``, ``fuel-reserve``), and the LP bound stays above every plan."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from strategies import portfolios

from ingenio.data.generate import generate_portfolio
from ingenio.domain import Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise import optimise
from ingenio.planning.portfolio import upper_bound
from ingenio.planning.schedule import SolveParams
from ingenio.validate import validate

FAST = SolveParams(time_limit_s=2.0, workers=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(with_timing=True))
def test_dispatch_plans_with_timed_generators_are_valid_and_bounded(
    portfolio: Portfolio,
) -> None:
    plan = dispatch(portfolio)
    assert [str(v) for v in validate(portfolio, plan)] == []
    assert upper_bound(portfolio) >= plan.value - 1e-9


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(with_batteries=True, with_timing=True))
def test_optimised_plans_with_timed_generators_are_valid_and_bounded(
    portfolio: Portfolio,
) -> None:
    plan = optimise(portfolio, FAST, processes=1)
    assert [str(v) for v in validate(portfolio, plan)] == []
    assert plan.bound is not None and plan.value <= plan.bound + 1e-9


def test_generated_portfolios_can_have_timed_generators() -> None:
    plain = generate_portfolio("S", seed=3)
    timed = generate_portfolio("S", seed=3, generator_timing=True)
    assert timed.orders == plain.orders
    gens = [g for p in timed.plants for g in p.generators]
    assert gens and all(g.start_minutes > 0 and g.min_run_minutes > 0 for g in gens)
    assert not any(g.timed for p in plain.plants for g in p.generators)
    plan = dispatch(timed)
    assert validate(timed, plan) == []
    assert plan.generator_runs
    assert upper_bound(timed) >= plan.value - 1e-9
