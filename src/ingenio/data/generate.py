"""Generated blackout portfolios of any size, for benchmarks and tests.

``generate_portfolio("S" | "M" | "L" | Counts(...), seed)`` is pure and deterministic:
everything random comes from ``random.Random(seed)``. A portfolio looks like the demo
(``data/demo.py``) at scale: 14 days of 15-minute slots in Havana time, the demo's
outage blocks with light (4-5 h) and heavy (9-10 h) days, gensets on HOMER fuel curves
(``fuel_a`` 0.033, ``fuel_b`` about 0.24, minimum load 0.3), diesel covering only part
of what the gensets would burn, one depot, a tanker to it and tankers straight to some
plants, crews, uninterruptible steps and routings of 1-3 steps. Orders are sized so
that the plants' demand is ``DEMAND_FACTOR`` x what their grid-on shift hours (or grid
energy) allow, as in the demo, so not every order can be on time.

=====  ======  =====  ======
size   plants  lines  orders
=====  ======  =====  ======
S      1       5      50
M      6       30     500
L      50      300    5,000
=====  ======  =====  ======
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ingenio.data import demo
from ingenio.data.demo_common import hm, local_minute
from ingenio.data.demo_figures import (
    PlantSupply,
    line_power_kw,
    minutes_outside,
    plant_supply,
    step_minutes,
)
from ingenio.data.demo_grid import HEAVY, INDUSTRIAL_BLOCK, LIGHT, ROTATING_BLOCKS, build_blocks
from ingenio.data.generate_battery import with_batteries, with_generator_timing
from ingenio.data.generate_sites import (
    UNBROKEN_MAX_MINUTES,
    GeneratedSite,
    ProductSpec,
    make_site,
)
from ingenio.domain import (
    MINUTES_PER_DAY,
    MINUTES_PER_HOUR,
    Depot,
    Enterprise,
    FuelDelivery,
    FuelTank,
    Horizon,
    Order,
    Portfolio,
    Window,
)

__all__ = ["SIZES", "Counts", "Size", "generate_portfolio"]

Size = Literal["S", "M", "L"]


@dataclass(frozen=True)
class Counts:
    """How big a generated portfolio is."""

    plants: int
    lines: int
    orders: int
    days: int = 14

    def __post_init__(self) -> None:
        if self.plants < 1 or self.days < 2:
            raise ValueError("a generated portfolio needs at least 1 plant and 2 days")
        if self.lines < self.plants:
            raise ValueError("every plant needs at least one line")
        if self.orders < 0:
            raise ValueError("orders must not be negative")


SIZES: dict[str, Counts] = {
    "S": Counts(plants=1, lines=5, orders=50),
    "M": Counts(plants=6, lines=30, orders=500),
    "L": Counts(plants=50, lines=300, orders=5_000),
}
DEMAND_FACTOR = demo.DEMAND_FACTOR
"""Demand / what the grid-on windows allow (line-hours or energy, whichever is more)."""
HEAVY_DAY_SHARE = 0.5
"""Chance that a day is heavy (two cuts, 9-10 h) rather than light (one cut, 4-5 h)."""
PLANTS_PER_ENTERPRISE = 3
PLANTS_PER_DIRECT_TANKER = 6
"""One tanker straight to a plant for every this many plants (the thirstiest get them)."""
DEPOT_ID = "DEP-1"
RELEASE_HOURS = (5, 15)
WINDOW_SHARE = 0.5
"""An order's steps, run one after another, take at most this share of release to due."""


def generate_portfolio(
    size: Size | Counts = "S",
    seed: int = 0,
    batteries: float = 0.0,
    generator_timing: bool = False,
) -> Portfolio:
    """A random blackout portfolio of the given size; same size and seed, equal portfolio.

    Parameters
    ----------
    size : {"S", "M", "L"} or Counts
        A named size (see the module docstring) or custom counts.
    seed : int
        Seed of the only random generator used.
    batteries : float
        Share of the plants that get a battery bank (``with_batteries``); 0 keeps the
        portfolio exactly as without the option.
    generator_timing : bool
        Generators take minutes to start, run a minimum time and burn litres to start
        (``with_generator_timing``); False keeps the portfolio as without the option.

    Returns
    -------
    Portfolio
        Plants, lines, products and orders as counted, blocks B1-B6, tanks, a depot
        and tanker deliveries.
    """
    counts = SIZES[size] if isinstance(size, str) else size
    rng = random.Random(seed)
    horizon = Horizon(demo.START, counts.days, demo.SLOT_MINUTES, demo.TIMEZONE)
    regime = "".join(HEAVY if rng.random() < HEAVY_DAY_SHARE else LIGHT for _ in range(counts.days))
    blocks = build_blocks(horizon, regime)
    off = {b.id: b.off_windows() for b in blocks}
    width = max(2, len(str(counts.plants)))
    sites: list[GeneratedSite] = []
    for i, n_lines in enumerate(_spread(counts.lines, counts.plants)):
        pid = f"P{i + 1:0{width}d}"
        eid = f"E{i // PLANTS_PER_ENTERPRISE + 1:0{width}d}"
        block = rng.choice(ROTATING_BLOCKS) if rng.random() < 0.85 else INDUSTRIAL_BLOCK
        sites.append(make_site(rng, pid, eid, block, n_lines, horizon))
    products = tuple(spec.product for s in sites for spec in s.specs)
    line_kw = line_power_kw(products)
    supply = {
        s.plant.id: plant_supply(s.plant, off[s.plant.block_id], line_kw, horizon) for s in sites
    }
    orders = tuple(
        order
        for site, n in zip(sites, _spread(counts.orders, counts.plants), strict=True)
        for order in _draw_orders(rng, horizon, site, n, off[site.plant.block_id], supply)
    )
    tanks, depot, deliveries = _size_fuel(rng, supply)
    enterprises = tuple(
        Enterprise(eid, f"Enterprise {eid}")
        for eid in dict.fromkeys(s.plant.enterprise_id for s in sites)
    )
    out = Portfolio(
        name=f"Generated blackout portfolio (plants {counts.plants}, lines {counts.lines}, "
        f"orders {counts.orders}, seed {seed})",
        horizon=horizon,
        enterprises=enterprises,
        plants=tuple(replace(s.plant, tank=tanks[s.plant.id]) for s in sites),
        blocks=blocks,
        products=products,
        orders=orders,
        depots=(depot,),
        deliveries=deliveries,
        late_decay_per_day=demo.LATE_DECAY_PER_DAY,
    )
    out = with_batteries(out, batteries, seed) if batteries > 0 else out
    return with_generator_timing(out, seed) if generator_timing else out


def _spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` as evenly as possible, the first parts bigger."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


@dataclass
class _Draft:
    """An order being drawn: its product spec, relative size, release and due."""

    spec: ProductSpec
    size: float
    release: int
    due: int
    quantity: float = 0.0


def _draw_orders(
    rng: random.Random,
    horizon: Horizon,
    site: GeneratedSite,
    n: int,
    off: Sequence[Window],
    supply: Mapping[str, PlantSupply],
) -> tuple[Order, ...]:
    """``n`` orders for one plant, sized so demand is ``DEMAND_FACTOR`` x the supply.

    Each order goes to the line group (a stage) least loaded so far relative to its
    grid-on hours, for a product of that group chosen by weight; then one scale factor
    sets every quantity so that the plant's line-hours reach ``DEMAND_FACTOR`` x its
    grid-on shift hours, or its energy that factor x the grid-on energy, whichever comes
    first. Uninterruptible steps are capped at ``UNBROKEN_MAX_MINUTES``.
    """
    if n == 0:
        return ()
    plant = site.plant
    available = {
        g: sum(minutes_outside(plant.line(x).shifts, off) for x in g) / MINUTES_PER_HOUR
        for g in site.stages
    }
    users = {
        g: [s for s in site.specs if any(st.lines == g for st in s.product.routing)]
        for g in site.stages
    }
    load = dict.fromkeys(site.stages, 0.0)
    drafts: list[_Draft] = []
    for _ in range(n):
        group = min(site.stages, key=lambda g: load[g] / available[g] if available[g] else math.inf)
        spec = rng.choices(users[group], weights=[s.weight for s in users[group]])[0]
        size = rng.uniform(0.4, 1.6)
        for step in spec.product.routing:
            load[step.lines] += size
        lo, hi = spec.due_days
        day = rng.randint(0, max(0, horizon.days - 1 - lo))
        release = local_minute(
            horizon,
            day,
            rng.randrange(hm(RELEASE_HOURS[0]), hm(RELEASE_HOURS[1]) + 1, horizon.slot_minutes),
        )
        due = min(release + rng.randint(lo, hi) * MINUTES_PER_DAY, horizon.minutes)
        drafts.append(_Draft(spec, size, release, due))
    _scale(drafts, supply[plant.id])
    drafts.sort(key=lambda d: (d.release, d.due, d.spec.product.id, d.quantity))
    return tuple(
        Order(
            f"{plant.id}-{k:03d}",
            d.spec.product.id,
            d.quantity,
            d.release,
            d.due,
            d.spec.value_per_unit,
            d.spec.priority,
        )
        for k, d in enumerate(drafts, 1)
    )


def _hours_and_kwh(spec: ProductSpec, quantity: float) -> tuple[float, float]:
    """Line-hours (setups included) and energy of one order."""
    hours = kwh = 0.0
    for step in spec.product.routing:
        h = step_minutes(step, quantity) / MINUTES_PER_HOUR
        hours += h
        kwh += h * step.power_kw
    return hours, kwh


def _cap(d: _Draft) -> float:
    """Largest quantity for the order: its uninterruptible steps fit in
    ``UNBROKEN_MAX_MINUTES`` and all its steps one after another in ``WINDOW_SHARE`` of
    the time from release to due."""
    spec = d.spec
    routing = spec.product.routing
    per_unit = sum(MINUTES_PER_HOUR / st.rate_per_hour for st in routing)
    room = WINDOW_SHARE * (d.due - d.release) - sum(st.setup_minutes for st in routing)
    cap = room / per_unit
    for step in routing:
        if not step.interruptible:
            minutes = UNBROKEN_MAX_MINUTES - step.setup_minutes
            cap = min(cap, step.rate_per_hour * minutes / MINUTES_PER_HOUR)
    return max(spec.lot, math.floor(cap / spec.lot + 1e-9) * spec.lot)


def _scale(drafts: list[_Draft], supply: PlantSupply) -> None:
    """Set the quantities: lots, capped, scaled to ``DEMAND_FACTOR`` x the supply."""
    hours_target = DEMAND_FACTOR * supply.line_hours_on
    energy_target = DEMAND_FACTOR * supply.energy_on_kwh
    scale = 1.0
    for _ in range(30):  # fixed point: caps and lot rounding bend the linear scaling
        for d in drafts:
            slowest = min(st.rate_per_hour for st in d.spec.product.routing)
            raw = d.size * scale * slowest
            d.quantity = min(_cap(d), max(d.spec.lot, round(raw / d.spec.lot) * d.spec.lot))
        hours = sum(_hours_and_kwh(d.spec, d.quantity)[0] for d in drafts)
        kwh = sum(_hours_and_kwh(d.spec, d.quantity)[1] for d in drafts)
        ratio = max(
            hours / hours_target if hours_target > 0 else 0.0,
            kwh / energy_target if energy_target > 0 else 0.0,
        )
        if ratio <= 0 or abs(ratio - 1.0) < 0.01:
            break
        scale /= ratio


def _round_up(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


def _litres(value: float) -> float:
    """Round to 100 L."""
    return float(round(value / 100.0) * 100)


def _minute(days: float) -> int:
    """Minutes from the start, on a 15-minute boundary."""
    return round(days * MINUTES_PER_DAY / demo.SLOT_MINUTES) * demo.SLOT_MINUTES


def _size_fuel(
    rng: random.Random, supply: Mapping[str, PlantSupply]
) -> tuple[dict[str, FuelTank], Depot, tuple[FuelDelivery, ...]]:
    """Tanks, the depot and tankers holding ``demo.FUEL_COVERAGE`` of the diesel wanted.

    Shares as in the demo: tanks (above their reserve) ``TANK_SHARE``, the depot
    ``DEPOT_SHARE``, a tanker to the depot ``DEPOT_DELIVERY_SHARE`` and tankers
    straight to the thirstiest plants ``DIRECT_DELIVERY_SHARE``.
    """
    wanted = sum(s.litres_wanted for s in supply.values())
    total = demo.FUEL_COVERAGE * wanted
    tanks: dict[str, FuelTank] = {}
    for pid, s in supply.items():
        reserve = _round_up(demo.RESERVE_HOURS * s.litres_per_hour_full, 50.0)
        need = s.litres_wanted / wanted if wanted > 0 else 0.0
        stock = reserve + _litres(demo.TANK_SHARE * total * need)
        capacity = max(500.0, _round_up(stock + demo.TANK_HEADROOM * s.litres_wanted, 500.0))
        tanks[pid] = FuelTank(capacity_l=capacity, stock_l=stock, reserve_l=reserve)
    depot = Depot(DEPOT_ID, "Fuel depot", _litres(demo.DEPOT_SHARE * total))
    deliveries: list[FuelDelivery] = []
    e, x, late = demo.DEPOT_DELIVERY_DAYS
    to_depot = _litres(demo.DEPOT_DELIVERY_SHARE * total)
    if to_depot > 0:
        deliveries.append(
            FuelDelivery("TANKER-DEPOT", to_depot, _minute(x), _minute(e), _minute(late), DEPOT_ID)
        )
    thirsty = sorted(supply, key=lambda pid: -supply[pid].litres_wanted)
    direct = thirsty[: max(1, math.ceil(len(supply) / PLANTS_PER_DIRECT_TANKER))]
    direct_total = sum(supply[p].litres_wanted for p in direct)
    for k, pid in enumerate(direct, 1):
        share = supply[pid].litres_wanted / direct_total if direct_total > 0 else 0.0
        litres = _litres(demo.DIRECT_DELIVERY_SHARE * total * share)
        if litres <= 0:
            continue
        expected = rng.uniform(4.0, 10.0)
        deliveries.append(
            FuelDelivery(
                f"TANKER-{k}",
                litres,
                _minute(expected),
                _minute(expected - rng.uniform(1.0, 2.5)),
                _minute(expected + rng.uniform(2.0, 4.0)),
                pid,
            )
        )
    return tanks, depot, tuple(deliveries)
