"""Property tests of a chosen load-shedding stage on random portfolios with nested stage
schedules (``tests/strategies.py``): a higher stage cuts the grid at least as long, never
raises the LP bound, and dispatch plans at any stage pass the validator under the bound."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import portfolios

from ingenio.domain import Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.portfolio import upper_bound
from ingenio.scenarios.stages import ForceStage
from ingenio.validate import validate


def off_minutes(p: Portfolio) -> int:
    return sum(w.end - w.start for plant in p.plants for w in p.grid_off(plant.id))


# Derandomized: some random seeds draw portfolios whose LP takes minutes to build
# (``define_step_work``), which is not what this test is about.
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(portfolios(with_batteries=True), st.integers(0, 8), st.integers(0, 8))
def test_a_higher_stage_never_raises_the_bound(p: Portfolio, a: int, b: int) -> None:
    assume(any(blk.load_shedding is not None for blk in p.blocks))
    low, high = sorted((a, b))
    at_low, at_high = ForceStage(low, 366).apply(p), ForceStage(high, 366).apply(p)
    assert off_minutes(at_high) >= off_minutes(at_low)
    bound_low, bound_high = upper_bound(at_low), upper_bound(at_high)
    assert bound_high <= bound_low + 1e-6 * max(1.0, bound_low)
    plan = dispatch(at_high)
    assert [str(v) for v in validate(at_high, plan)] == []
    assert plan.value <= bound_high + 1e-9
