"""Fuel needs read plant by plant (``optimise/needs.py``) equal the whole plan's."""

from __future__ import annotations

import pytest
from test_optimise import _fast, _feedback_portfolio

from ingenio.data.generate import Counts, generate_portfolio
from ingenio.domain import Plan, Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.explain import fuel_needs
from ingenio.planning.optimise.needs import plant_fuel_needs


def _same(portfolio: Portfolio, plan: Plan) -> None:
    whole, by_plant = fuel_needs(portfolio, plan), plant_fuel_needs(portfolio, plan)
    assert dict(by_plant) == pytest.approx(dict(whole))
    assert by_plant.least == pytest.approx(whole.least)


def test_a_plant_fed_from_a_depot_needs_what_the_whole_plan_says() -> None:
    p = _feedback_portfolio()
    _same(p, dispatch(p))
    _same(p, _fast(p, rounds=1))


@pytest.mark.parametrize("seed", [1, 4])
def test_generated_portfolios_give_the_same_needs(seed: int) -> None:
    p = generate_portfolio(Counts(plants=3, lines=12, orders=120, days=4), seed=seed)
    plan = dispatch(p)
    assert plan.fuel_transfers and fuel_needs(p, plan), "needs and depot fuel to compare"
    _same(p, plan)


def test_out_of_time_reads_no_plant() -> None:
    p = _feedback_portfolio()
    assert plant_fuel_needs(p, dispatch(p), lambda: 0.0) == {}
