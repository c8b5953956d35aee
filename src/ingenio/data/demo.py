"""The demo portfolio: a foreign management firm running six Cuban state plants in and
around Havana through two weeks of rolling blackouts and scarce diesel.

``build_demo_portfolio`` is pure (no IO) and deterministic: everything random comes from
``random.Random(seed)``. The plants live in ``demo_sites_city`` (cigars, UAZ assembly,
bakery, Labiofam) and ``demo_sites_heavy`` (cement, EAF steel), the outage blocks in
``demo_grid``, the order draw in ``demo_orders`` and the accounting in ``demo_figures``.
The knobs below are read at call time, so a caller may patch them before building.

Sources: ``/work/shared/data/domain-facts.md``, cited as ``domain-facts §N``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from ingenio.data.demo_common import Site
from ingenio.data.demo_figures import PlantSupply, line_power_kw, minutes_outside, plant_supply
from ingenio.data.demo_grid import build_blocks
from ingenio.data.demo_orders import draw_orders
from ingenio.data.demo_sites_city import bakery_site, cigar_site, pharma_site, uaz_site
from ingenio.data.demo_sites_heavy import cement_site, steel_site
from ingenio.domain import (
    MINUTES_PER_DAY,
    Depot,
    FuelDelivery,
    FuelTank,
    Horizon,
    Portfolio,
)

# --- main knobs ----------------------------------------------------------------------
NAME = "Meridian Caribe Industrial Management — Havana portfolio (demo)"
"""A fictional foreign management firm; domain-facts §2 found no real 2025-26 contract."""
TIMEZONE = "America/Havana"
START = datetime(2026, 4, 6, 0, 0, tzinfo=ZoneInfo(TIMEZONE))
"""Monday 6 April 2026, 00:00 local (UTC-4, no daylight-saving change in the horizon)."""
HORIZON_DAYS = 14
SLOT_MINUTES = 15
DAY_REGIME = "LLHHLLHHHHLHLL"
"""One letter per day from Monday 6 April: ``L`` 4-5 h cuts per block, ``H`` 9-10 h."""
DEMAND_FACTOR = 1.2
"""Orders are drawn until each plant needs this x its grid-on shift line-hours, or this x
the grid energy its lines could take in them, whichever comes first."""
LATE_DECAY_PER_DAY = 0.1

FUEL_COVERAGE = 0.65
"""Usable diesel (tanks above reserve, depot, deliveries) / what the gensets would burn
carrying the lines in shift through every grid-off hour."""
TANK_SHARE = 0.40
"""Share of the usable diesel in the plant tanks at the start (split by need)."""
DEPOT_SHARE = 0.20
DEPOT_DELIVERY_SHARE = 0.25
DIRECT_DELIVERY_SHARE = 0.15
RESERVE_HOURS = 4.0
"""Tank reserve: hours of the plant's gensets carrying full load."""
TANK_HEADROOM = 0.5
"""Tank capacity = start stock + this share of the plant's wanted litres."""
DEPOT_ID = "DEP-REGLA"
DEPOT_NAME = "Depósito Regla"
DEPOT_DELIVERY_DAYS = (3.0, 5.5, 9.0)
"""Earliest, expected, latest arrival (days from the start) of the tanker at the depot.
domain-facts §1: cargoes of 85-410 k bbl; Venezuelan shipments stopped in January 2026,
so the date is uncertain. The demo gets its allocation from one cargo."""
DIRECT_DELIVERY_PLANT = "CEM"
DIRECT_DELIVERY_DAYS = (6.0, 8.5, 12.5)
"""A tanker straight to the cement plant at the port of Mariel."""


def build_sites(horizon: Horizon) -> tuple[Site, ...]:
    """The six plants, their enterprises, products and order profiles (no tanks)."""
    return (
        cigar_site(horizon),
        uaz_site(horizon),
        cement_site(horizon),
        bakery_site(horizon),
        pharma_site(horizon),
        steel_site(horizon),
    )


def _round_up(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


def _litres(value: float) -> float:
    """Round to 100 L."""
    return float(round(value / 100.0) * 100)


def _minute(days: float) -> int:
    """Minutes from the start, on a slot boundary."""
    return round(days * MINUTES_PER_DAY / SLOT_MINUTES) * SLOT_MINUTES


def size_fuel(
    supply: Mapping[str, PlantSupply],
) -> tuple[dict[str, FuelTank], Depot, tuple[FuelDelivery, ...]]:
    """Tanks, the depot and two tanker deliveries holding ``FUEL_COVERAGE`` of the need."""
    shares = TANK_SHARE + DEPOT_SHARE + DEPOT_DELIVERY_SHARE + DIRECT_DELIVERY_SHARE
    if abs(shares - 1.0) > 1e-9:
        raise ValueError(f"fuel shares must add up to 1, got {shares}")
    wanted = sum(s.litres_wanted for s in supply.values())
    total = FUEL_COVERAGE * wanted
    tanks = {}
    for pid, s in supply.items():
        reserve = _round_up(RESERVE_HOURS * s.litres_per_hour_full, 50.0)
        need = s.litres_wanted / wanted if wanted > 0 else 0.0
        stock = reserve + _litres(TANK_SHARE * total * need)
        capacity = _round_up(stock + TANK_HEADROOM * s.litres_wanted, 500.0)
        tanks[pid] = FuelTank(capacity_l=capacity, stock_l=stock, reserve_l=reserve)
    depot = Depot(DEPOT_ID, DEPOT_NAME, _litres(DEPOT_SHARE * total))
    e, x, late = DEPOT_DELIVERY_DAYS
    de, dx, dlate = DIRECT_DELIVERY_DAYS
    deliveries = (
        FuelDelivery(
            "TANKER-REGLA",
            _litres(DEPOT_DELIVERY_SHARE * total),
            _minute(x),
            _minute(e),
            _minute(late),
            DEPOT_ID,
        ),
        FuelDelivery(
            "TANKER-MARIEL",
            _litres(DIRECT_DELIVERY_SHARE * total),
            _minute(dx),
            _minute(de),
            _minute(dlate),
            DIRECT_DELIVERY_PLANT,
        ),
    )
    return tanks, depot, deliveries


def build_demo_portfolio(seed: int = 2026) -> Portfolio:
    """The demo portfolio: 6 enterprises, 6 plants, 24 lines, 200+ orders over 14 days.

    Power and fuel bind: orders need about ``DEMAND_FACTOR`` x the grid-on line-hours and
    diesel covers about ``FUEL_COVERAGE`` of what the gensets would burn, so not every
    order can be on time. Same seed, equal portfolio.
    """
    rng = random.Random(seed)
    horizon = Horizon(START, HORIZON_DAYS, SLOT_MINUTES, TIMEZONE)
    blocks = build_blocks(horizon, DAY_REGIME)
    off = {b.id: b.off_windows() for b in blocks}
    sites = build_sites(horizon)
    products = tuple(p for s in sites for p in s.products)
    line_kw = line_power_kw(products)
    supply = {
        s.plant.id: plant_supply(s.plant, off[s.plant.block_id], line_kw, horizon) for s in sites
    }
    orders = tuple(
        order
        for s in sites
        for order in draw_orders(
            rng,
            horizon,
            s,
            {ln.id: minutes_outside(ln.shifts, off[s.plant.block_id]) for ln in s.plant.lines},
            supply[s.plant.id].energy_on_kwh,
            DEMAND_FACTOR,
        )
    )
    tanks, depot, deliveries = size_fuel(supply)
    return Portfolio(
        name=NAME,
        horizon=horizon,
        enterprises=tuple(s.enterprise for s in sites),
        plants=tuple(replace(s.plant, tank=tanks[s.plant.id]) for s in sites),
        blocks=blocks,
        products=products,
        orders=orders,
        depots=(depot,),
        deliveries=deliveries,
        late_decay_per_day=LATE_DECAY_PER_DAY,
    )
