"""The demo portfolio: size, determinism, outage pattern, scarcity, feasibility."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ingenio.data import demo
from ingenio.data.demo import build_demo_portfolio
from ingenio.data.demo_figures import demo_figures, render_figures
from ingenio.domain import (
    MINUTES_PER_DAY,
    Generator,
    Plant,
    Portfolio,
    PriorityClass,
    Step,
    Window,
)

HAVANA = ZoneInfo("America/Havana")


@pytest.fixture(scope="module")
def portfolio() -> Portfolio:
    return build_demo_portfolio()


def full_load_kw(p: Portfolio, plant: Plant) -> float:
    """Every line of the plant running its most power-hungry step."""
    return sum(
        max(
            (s.power_kw for pr in p.products for s in pr.routing if line.id in s.lines),
            default=0.0,
        )
        for line in plant.lines
    )


def litres_per_hour(generators: tuple[Generator, ...], load_kw: float) -> float:
    """Gensets carrying ``load_kw`` (capped at their rating), biggest first, at least min load."""
    remaining = min(load_kw, sum(g.rated_kw for g in generators))
    litres = 0.0
    for g in sorted(generators, key=lambda g: -g.rated_kw):
        if remaining <= 0:
            break
        out = max(g.min_kw, min(g.rated_kw, remaining))
        litres += g.litres_per_hour(out)
        remaining -= out
    return litres


def test_counts_and_horizon(portfolio: Portfolio) -> None:
    assert len(portfolio.enterprises) >= 4
    assert len(portfolio.plants) >= 6
    assert sum(len(pl.lines) for pl in portfolio.plants) >= 20
    assert len(portfolio.orders) >= 200
    h = portfolio.horizon
    assert h.days == 14
    assert h.slot_minutes == 15
    assert h.timezone == "America/Havana"
    assert h.to_datetime(0) == datetime(2026, 4, 6, 0, 0, tzinfo=HAVANA)
    assert h.to_datetime(0).weekday() == 0
    assert {pl.enterprise_id for pl in portfolio.plants} == {e.id for e in portfolio.enterprises}


def test_deterministic() -> None:
    a = build_demo_portfolio(2026)
    assert a == build_demo_portfolio(2026)
    assert a == build_demo_portfolio()
    assert a != build_demo_portfolio(7)


def test_knobs_are_read_at_build_time(monkeypatch: pytest.MonkeyPatch) -> None:
    base = len(build_demo_portfolio().orders)
    monkeypatch.setattr(demo, "DEMAND_FACTOR", 0.6)
    assert len(build_demo_portfolio().orders) < base


def test_every_priority_class_present(portfolio: Portfolio) -> None:
    assert {o.priority for o in portfolio.orders} == set(PriorityClass)


def test_values_follow_priorities(portfolio: Portfolio) -> None:
    bread = [o for o in portfolio.orders if o.product_id == "PAN-NOR"]
    cigars = [o for o in portfolio.orders_of("CIG") if o.priority is PriorityClass.EXPORT]
    assert bread and cigars
    assert all(o.priority is PriorityClass.ESSENTIAL for o in bread)
    assert min(o.value_per_unit for o in cigars) > 5 * max(o.value_per_unit for o in bread)
    assert all(o.value_per_unit > 0 for o in portfolio.orders)


def test_orders_timing(portfolio: Portfolio) -> None:
    h = portfolio.horizon
    release_days = set()
    for o in portfolio.orders:
        assert 0 <= o.release < o.due <= h.minutes
        assert o.release % h.slot_minutes == 0 and o.due % h.slot_minutes == 0
        assert MINUTES_PER_DAY <= o.due - o.release <= 7 * MINUTES_PER_DAY
        release_days.add(o.release // MINUTES_PER_DAY)
    assert len(release_days) >= 10


def test_some_uninterruptible_step_lasts_36_hours(portfolio: Portfolio) -> None:
    assert any(
        not s.interruptible and s.run_minutes(o.quantity) >= 36 * 60
        for o in portfolio.orders
        for s in portfolio.product(o.product_id).routing
    )


def _off_minutes_per_day(windows: tuple[Window, ...], days: int) -> list[int]:
    out = [0] * days
    for w in windows:
        for d in range(days):
            day_start, day_end = d * MINUTES_PER_DAY, (d + 1) * MINUTES_PER_DAY
            out[d] += max(0, min(w.end, day_end) - max(w.start, day_start))
    return out


def test_havana_outage_days_light_and_heavy(portfolio: Portfolio) -> None:
    days = portfolio.horizon.days
    per_day = [m for b in portfolio.blocks for m in _off_minutes_per_day(b.off_windows(), days)]
    assert any(0 < m <= 5 * 60 for m in per_day)
    assert any(m >= 9 * 60 for m in per_day)
    # reserve windows: some planned as off (p = 0.5), some as on (p < 0.5)
    probs = {o.probability for b in portfolio.blocks for o in b.outages}
    assert 0.5 in probs and any(p < 0.5 for p in probs)
    for b in portfolio.blocks:
        for o in b.outages:
            assert (o.window in b.off_windows()) == (o.probability >= 0.5)
    # every plant loses the grid at some point, the steel shop least of all
    off_hours = {
        pl.id: sum(w.minutes for w in portfolio.grid_off(pl.id)) for pl in portfolio.plants
    }
    assert all(v > 0 for v in off_hours.values())
    assert off_hours["ACE"] == min(off_hours.values())


def test_fuel_is_scarce(portfolio: Portfolio) -> None:
    usable = (
        sum(pl.tank.usable_l for pl in portfolio.plants if pl.tank)
        + sum(d.stock_l for d in portfolio.depots)
        + sum(d.litres for d in portfolio.deliveries)
    )
    wanted = 0.0
    for pl in portfolio.plants:
        if not pl.generators:
            continue
        off_hours = sum(w.minutes for w in portfolio.grid_off(pl.id)) / 60
        wanted += off_hours * litres_per_hour(pl.generators, full_load_kw(portfolio, pl))
    assert 0 < usable < wanted


def test_fuel_setup(portfolio: Portfolio) -> None:
    for pl in portfolio.plants:
        assert pl.tank is not None and pl.tank.reserve_l > 0
        for g in pl.generators:
            assert g.min_load_fraction == pytest.approx(0.3)
            assert 0.03 <= g.fuel_a <= 0.04 and 0.23 <= g.fuel_b <= 0.28
    destinations = {d.destination for d in portfolio.deliveries}
    assert any(portfolio.has("depot", x) for x in destinations)
    assert any(portfolio.has("plant", x) for x in destinations)
    assert all(d.latest - d.earliest >= MINUTES_PER_DAY for d in portfolio.deliveries)
    assert any(d.name == "Depósito Regla" for d in portfolio.depots)


def test_generators_cover_some_but_not_all(portfolio: Portfolio) -> None:
    for pl in portfolio.plants:
        assert 0 < pl.generator_kw < full_load_kw(portfolio, pl), pl.id
        if pl.id != "ACE":  # each step alone can ride through a cut on the gensets
            steps = [s for pr in portfolio.products for s in pr.routing if pl.has_line(s.lines[0])]
            assert max(s.power_kw for s in steps) <= pl.generator_kw, pl.id
    # the steel shop's genset carries the caster, but the arc furnace cannot run on it
    steel = portfolio.plant("ACE")
    melting, casting = portfolio.product("ACE-PAL").routing
    assert melting.power_kw > steel.generator_kw >= casting.power_kw


def test_solar_profiles(portfolio: Portfolio) -> None:
    arrays = [pl.solar for pl in portfolio.plants if pl.solar is not None]
    assert 1 <= len(arrays) <= 2
    for s in arrays:
        kw = s.profile_kw
        assert all(kw[h] == 0 for h in (*range(5), *range(20, 24)))
        assert max(kw) == kw[12] > 0


def test_demand_and_fuel_bind(portfolio: Portfolio) -> None:
    figures = demo_figures(portfolio)
    assert 1.1 <= figures.demand_ratio <= 1.35
    assert figures.energy_demand_kwh > figures.energy_on_kwh
    assert 0.55 <= figures.fuel_coverage <= 0.75
    assert "total" in render_figures(figures)


def test_every_order_can_be_routed_in_one_plant(portfolio: Portfolio) -> None:
    for o in portfolio.orders:
        product = portfolio.product(o.product_id)
        plant = portfolio.product_plant(o.product_id)
        for s in product.routing:
            assert s.lines and all(plant.has_line(ln) for ln in s.lines), (o.id, s.name)
            assert any(plant.line(ln).shifts for ln in s.lines)
            if not s.interruptible:
                need = s.setup_minutes + s.run_minutes(o.quantity)
                longest = max(w.minutes for ln in s.lines for w in plant.line(ln).shifts)
                assert need <= longest, (o.id, s.name)
            for res in s.resources:
                assert portfolio.resource(res).plant_id == plant.id


def _uninterruptible_fits(p: Portfolio, plant: Plant, step: Step, qty: float, release: int) -> bool:
    """Some start at or after ``release`` keeps the step powered (grid or gensets, with
    the plant's usable fuel plus the depot) inside one shift window of an eligible line."""
    slot = p.horizon.slot_minutes
    off = p.grid_off(plant.id)
    fuel = (plant.tank.usable_l if plant.tank else 0.0) + sum(d.stock_l for d in p.depots)
    need = step.setup_minutes + step.run_minutes(qty)
    lph = litres_per_hour(plant.generators, step.power_kw) if plant.generators else 0.0
    for line_id in step.lines:
        for w in plant.line(line_id).shifts:
            for start in range(max(w.start, release), w.end - need + 1, slot):
                end = start + need
                off_min = sum(max(0, min(end, o.end) - max(start, o.start)) for o in off)
                if off_min == 0:
                    return True
                if plant.generator_kw >= step.power_kw and lph * off_min / 60 <= fuel:
                    return True
    return False


def test_uninterruptible_steps_are_feasible_somewhere(portfolio: Portfolio) -> None:
    checked = 0
    for o in portfolio.orders:
        plant = portfolio.product_plant(o.product_id)
        for s in portfolio.product(o.product_id).routing:
            if not s.interruptible:
                checked += 1
                assert _uninterruptible_fits(portfolio, plant, s, o.quantity, o.release), o.id
    assert checked > 0


def test_resources_change_over_time(portfolio: Portfolio) -> None:
    crews = [r for pl in portfolio.plants for r in pl.resources]
    assert len(crews) >= 2
    rollers = portfolio.resource("CIG-TORC")
    caps = {rollers.capacity_at(d * MINUTES_PER_DAY + 600) for d in range(14)}
    assert len(caps) > 1
    used = {r for pr in portfolio.products for s in pr.routing for r in s.resources}
    assert {r.id for r in crews} <= used


def test_shift_calendars_vary(portfolio: Portfolio) -> None:
    worked = {
        ln.id: sum(w.minutes for w in ln.shifts) for pl in portfolio.plants for ln in pl.lines
    }
    assert max(worked.values()) == portfolio.horizon.minutes  # some 24/7 lines
    assert len(set(worked.values())) >= 4
    uaz = portfolio.plant("UAZ")
    for ln in uaz.lines:  # one shift Monday-Friday: 10 days x 8 h
        assert sum(w.minutes for w in ln.shifts) == 10 * 8 * 60
    assert all(len(pr.routing) in (1, 2, 3) for pr in portfolio.products)
