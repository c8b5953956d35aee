"""``ingenio plan P --stage N``: plan against a chosen load-shedding stage.

The stage portfolio (``tests/stage_portfolios.py``): one day; stage 1 off 10:00-12:30,
stage 2 also 18:00-20:30, stages 3-8 also 02:00-04:30; the forecast says stage 2 (0.6) or
4 (0.4), so the expected stage cuts 10:00-12:30 and 18:00-20:30 (the 02:00 range has
probability 0.4, under the 0.5 threshold): 5 hours.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from stage_portfolios import document

from ingenio.domain import Portfolio
from ingenio.errors import IngenioError
from ingenio.formats.portfolio import parse_portfolio
from ingenio.planning.portfolio import upper_bound
from ingenio.services.context import Context
from ingenio.services.plans import PlanRequest, plan_and_save, with_chosen_stage

HOURS_OFF = {0: 0.0, 1: 2.5, 2: 5.0, **{s: 7.5 for s in range(3, 9)}}


def portfolio() -> Portfolio:
    return parse_portfolio(document(), "stages.yaml")


def off_hours(p: Portfolio) -> float:
    return sum(w.end - w.start for w in p.grid_off("P")) / 60


def test_a_higher_stage_never_raises_the_bound() -> None:
    p = portfolio()
    assert off_hours(p) == 5.0  # the expected stage
    bounds = []
    for stage, hours in HOURS_OFF.items():
        chosen = with_chosen_stage(p, stage)
        assert off_hours(chosen) == hours
        bounds.append(upper_bound(chosen))
    assert all(a >= b - 1e-9 for a, b in itertools.pairwise(bounds))


@pytest.mark.parametrize(("stage", "hours"), [(1, 2.5), (6, 7.5), (None, 5.0)])
def test_plan_against_a_chosen_stage(
    ctx: Context, tmp_path: Path, stage: int | None, hours: float
) -> None:
    request = PlanRequest("dispatch", save=False, stage=stage)
    saved = plan_and_save(ctx, portfolio, request, tmp_path / "out")
    assert saved.outcome.violations == ()
    assert saved.outcome.summary.total_grid_off_hours == pytest.approx(hours)


def test_stage_days_and_errors() -> None:
    p = portfolio()
    assert off_hours(with_chosen_stage(p, 6, 1)) == 7.5
    with pytest.raises(IngenioError, match="--stage 9"):
        with_chosen_stage(p, 9)
    plain = document()
    del plain["blocks"][0]["load_shedding"]
    with pytest.raises(IngenioError, match="no block of the portfolio has a load-shedding"):
        with_chosen_stage(parse_portfolio(plain, "plain.yaml"), 4)
