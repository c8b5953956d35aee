"""Idle litres while starving (docs/planning.md): depot diesel a plan leaves unused
while a plant whose generators could run its late or undone orders sits at its reserve."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ingenio.data.demo import build_demo_portfolio
from ingenio.domain import Plan, Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.summary import idle_fuel, summarise
from ingenio.planning.summary.idle import (
    depot_left,
    headroom,
    last_at_reserve,
    starving,
    within_reach,
)


@pytest.fixture(scope="module")
def demo() -> tuple[Portfolio, Plan]:
    portfolio = build_demo_portfolio()
    return portfolio, dispatch(portfolio)


def test_idle_litres_are_the_depot_left_capped_by_the_starving_headroom(
    demo: tuple[Portfolio, Plan],
) -> None:
    portfolio, plan = demo
    idle = idle_fuel(portfolio, plan)
    assert idle.starving == starving(portfolio, plan)
    assert idle.depot_left_l == pytest.approx(depot_left(portfolio, plan))
    room = sum(headroom(portfolio, plan, p) for p in idle.starving)
    reach = max(
        (
            within_reach(portfolio, plan, last_at_reserve(portfolio, plan, p) or 0)
            for p in idle.starving
        ),
        default=0.0,
    )
    assert reach <= idle.depot_left_l + 1e-6
    assert idle.litres == pytest.approx(min(reach, room))
    summary = summarise(portfolio, plan)
    assert summary.idle_litres_while_starving == pytest.approx(idle.litres)
    assert summary.starving == idle.starving


def test_fuel_left_in_the_depot_while_plants_starve_is_idle(
    demo: tuple[Portfolio, Plan],
) -> None:
    portfolio, plan = demo
    hungry = starving(portfolio, plan)
    assert hungry  # the demo's dispatch plan leaves plants at their reserve
    # Without the transfers every litre stays in the depots: the plants starve sooner.
    dry = replace(plan, fuel_transfers=())
    idle = idle_fuel(portfolio, dry)
    shipped = sum(t.litres for t in plan.fuel_transfers)
    assert idle.depot_left_l == pytest.approx(depot_left(portfolio, plan) + shipped)
    assert idle.litres > 0
    assert "idle litres while starving" in idle.note()


def test_a_plant_whose_orders_its_generators_cannot_power_does_not_starve(
    demo: tuple[Portfolio, Plan],
) -> None:
    portfolio, plan = demo
    # Generators too small for every step: no late order could run on them.
    plants = tuple(
        replace(p, generators=tuple(replace(g, rated_kw=1e-3) for g in p.generators))
        for p in portfolio.plants
    )
    tiny = replace(portfolio, plants=plants)
    assert starving(tiny, plan) == ()
    assert idle_fuel(tiny, plan).litres == 0.0


def test_no_depot_no_idle_litres(demo: tuple[Portfolio, Plan]) -> None:
    portfolio, plan = demo
    alone = replace(
        portfolio,
        depots=(),
        deliveries=tuple(
            d for d in portfolio.deliveries if d.destination not in {x.id for x in portfolio.depots}
        ),
    )
    assert idle_fuel(alone, replace(plan, fuel_transfers=())).litres == 0.0


def test_only_diesel_an_order_could_burn_in_the_plan_counts(
    demo: tuple[Portfolio, Plan],
) -> None:
    from ingenio.planning.explain import fuel_needs

    portfolio, plan = demo
    needs = dict(fuel_needs(portfolio, plan))  # summed needs only (least: the test below)
    precise = idle_fuel(portfolio, plan, needs)
    loose = idle_fuel(portfolio, plan)
    assert set(precise.starving) == {p for p in loose.starving if needs.get(p, 0.0) > 0}
    assert precise.litres <= loose.litres + 1e-9
    for p in precise.starving:
        assert precise.headroom_l[p] == pytest.approx(min(loose.headroom_l[p], needs[p]))
    # The steel plant's furnace orders draw more than its generator: never fuel-starved.
    assert "ACE" not in needs
    # With no fuel-starved order, no diesel is idle.
    assert summarise(portfolio, plan, {}).idle_litres_while_starving == 0.0


def test_a_step_fits_in_free_runs_with_its_setup_and_restarts() -> None:
    import numpy as np

    from ingenio.planning.explain.insert import _place

    mask = np.array([1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1], dtype=np.bool_)
    # Uninterruptible: 4 minutes plus a setup of 1 need a run of 5 (the one at 8).
    assert _place(mask, 4, 1, 0, True) == 13
    # Interruptible: setup 1 in the first run (1 minute of work), restart 1 in the next
    # (3 minutes): 4 minutes done at minute 7.
    assert _place(mask, 4, 1, 1, False) == 7
    assert _place(mask, 20, 0, 0, False) is None
    assert _place(mask, 7, 0, 0, True) is None


def test_diesel_too_little_for_any_one_order_is_not_idle(
    demo: tuple[Portfolio, Plan],
) -> None:
    from ingenio.planning.explain import fuel_needs
    from ingenio.planning.summary import FuelNeeds

    portfolio, plan = demo
    needs = fuel_needs(portfolio, plan)
    assert isinstance(needs, FuelNeeds)
    for p, litres in needs.items():
        assert 0 < needs.least[p] <= litres + 1e-9
    plain = idle_fuel(portfolio, plan, dict(needs))
    precise = idle_fuel(portfolio, plan, needs)
    assert precise.litres <= plain.litres + 1e-9
    # Every starving plant's cheapest order needs more than all the depots hold: the
    # diesel left could not have run any order whole, so none of it is idle.
    out_of_reach = FuelNeeds(needs, {p: plain.depot_left_l + 1.0 for p in needs})
    assert idle_fuel(portfolio, plan, out_of_reach).litres == 0.0
    # A cheapest order within reach keeps the plant starving.
    cheap = FuelNeeds(needs, dict.fromkeys(needs, 0.0))
    assert idle_fuel(portfolio, plan, cheap).litres == pytest.approx(plain.litres)
