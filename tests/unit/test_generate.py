"""Generated blackout portfolios: counts, determinism, shape, makeability, a valid plan."""

from __future__ import annotations

from collections import defaultdict

import pytest

from ingenio.data.demo_figures import demo_figures
from ingenio.data.generate import SIZES, Counts, generate_portfolio
from ingenio.data.generate_sites import UNBROKEN_MAX_MINUTES
from ingenio.domain import (
    MINUTES_PER_DAY,
    OrderStatus,
    Portfolio,
    PriorityClass,
    Window,
    merge_windows,
)
from ingenio.planning.dispatch import dispatch
from ingenio.validate import validate


@pytest.fixture(scope="module")
def small() -> Portfolio:
    return generate_portfolio("S", seed=3)


@pytest.fixture(scope="module")
def medium() -> Portfolio:
    return generate_portfolio("M", seed=3)


def line_count(p: Portfolio) -> int:
    return sum(len(pl.lines) for pl in p.plants)


@pytest.mark.parametrize("size", ["S", "M"])
def test_counts(size: str) -> None:
    p = generate_portfolio(size, seed=1)  # type: ignore[arg-type]
    c = SIZES[size]
    assert (len(p.plants), line_count(p), len(p.orders)) == (c.plants, c.lines, c.orders)
    assert p.horizon.days == 14 and p.horizon.slot_minutes == 15
    assert len({o.id for o in p.orders}) == len(p.orders)


def test_large_counts() -> None:
    p = generate_portfolio("L", seed=0)
    assert (len(p.plants), line_count(p), len(p.orders)) == (50, 300, 5_000)


def test_custom_counts() -> None:
    p = generate_portfolio(Counts(plants=2, lines=7, orders=31, days=7), seed=5)
    assert (len(p.plants), line_count(p), len(p.orders), p.horizon.days) == (2, 7, 31, 7)
    with pytest.raises(ValueError):
        Counts(plants=3, lines=2, orders=10)


def test_deterministic() -> None:
    assert generate_portfolio("S", seed=7) == generate_portfolio("S", seed=7)
    assert generate_portfolio("M", seed=7) == generate_portfolio("M", seed=7)
    assert generate_portfolio("S", seed=7) != generate_portfolio("S", seed=8)


def test_energy_and_fuel(medium: Portfolio) -> None:
    for plant in medium.plants:
        assert plant.generators and plant.tank is not None
        for g in plant.generators:
            assert g.fuel_a == pytest.approx(0.033)
            assert 0.2 <= g.fuel_b <= 0.3
            assert g.min_load_fraction == pytest.approx(0.3)
    assert len(medium.depots) == 1
    destinations = {d.destination for d in medium.deliveries}
    assert medium.depots[0].id in destinations
    assert destinations & {pl.id for pl in medium.plants}
    figures = demo_figures(medium)
    assert 0.4 < figures.fuel_coverage < 0.9  # diesel covers only part of the wish
    assert 1.0 < max(figures.demand_ratio, figures.energy_demand_kwh / figures.energy_on_kwh)


def test_outage_days_light_and_heavy(medium: Portfolio) -> None:
    per_day: dict[tuple[str, int], int] = defaultdict(int)
    for block in medium.blocks[:5]:  # the rotating blocks
        for w in block.off_windows():
            per_day[(block.id, w.start // MINUTES_PER_DAY)] += w.minutes
    hours = {m / 60 for m in per_day.values()}
    assert any(4 <= h <= 5 for h in hours)
    assert any(h >= 9 for h in hours)


def test_shape(medium: Portfolio) -> None:
    steps = [s for p in medium.products for s in p.routing]
    assert {len(p.routing) for p in medium.products} <= {1, 2, 3}
    assert any(len(p.routing) == 3 for p in medium.products)
    assert any(not s.interruptible for s in steps)
    assert any(s.resources for s in steps)
    assert {o.priority for o in medium.orders} == set(PriorityClass)
    assert all(0 <= o.release < o.due <= medium.horizon.minutes for o in medium.orders)


def longest_on_stretch(shifts: tuple[Window, ...], off: tuple[Window, ...]) -> int:
    """Longest stretch of the shifts with the grid on, in minutes."""
    best = 0
    for w in merge_windows(shifts):
        cuts = [o for o in merge_windows(off) if o.overlaps(w)]
        start = w.start
        for o in cuts:
            best = max(best, o.start - start)
            start = max(start, o.end)
        best = max(best, w.end - start)
    return best


def test_every_order_is_makeable(medium: Portfolio) -> None:
    for order in medium.orders:
        product = medium.product(order.product_id)
        plant = medium.product_plant(product.id)
        off = medium.grid_off(plant.id)
        total = 0
        for step in product.routing:
            assert step.power_kw <= plant.grid_kw  # runs on the grid alone
            for res, units in step.resources.items():
                assert units <= medium.resource(res).capacity
            minutes = step.setup_minutes + step.run_minutes(order.quantity)
            total += minutes
            if not step.interruptible:
                assert minutes <= UNBROKEN_MAX_MINUTES
                assert any(
                    longest_on_stretch(medium.line(ln).shifts, off) >= minutes for ln in step.lines
                )
        assert total <= medium.horizon.minutes - order.release


def test_dispatch_plan_of_small_validates(small: Portfolio) -> None:
    plan = dispatch(small)
    assert validate(small, plan) == []
    assert plan.count(OrderStatus.ON_TIME) > 0
    assert plan.count(OrderStatus.ON_TIME) < len(small.orders)  # scarce: not all on time
