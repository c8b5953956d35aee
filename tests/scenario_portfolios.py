"""Tiny hand-made portfolios for the scenario tests, with numbers worked out by hand.

``starving_portfolio``: horizon 2026-04-06 00:00 America/Havana, 4 days, 15-minute slots.

Plant P1 has no grid (``grid_kw = 0``): it runs only on generator G1 (100 kW, no
minimum load, 0.1 L per kWh, so 10 L/h at full load). Its tank holds 100 L above
a zero reserve: 10 hours of running. Line L1 works round the clock; product X
takes 1 hour per unit at 100 kW. Tanker T1 brings 1000 L straight to P1 at
minute 1440 (day 2, 00:00), possibly up to two days later.

Orders (100 per unit, one unit each):
  O01..O10: released at 0, due at 600 -> run [0, 600) on the first 100 L, on time;
  A01..A10: released at 1440, ``A<k>`` due at 1440 + 60 k -> run back to back from
  the tanker's arrival, each finishing exactly on its due date.

Delaying T1 by ``d`` minutes (a multiple of 15) makes A01..A10 each exactly ``d``
minutes late (value 100 * (1 - 0.1 d / 1440)); P1 stops after minute 600 and
resumes at 1440 + d, losing min(d, 600) minutes of the base plan's production.

Plant P2 (optional, ``with_p2``) has a 100 kW grid in block B2, whose outages
are uncertain (probability 0.5 each), no generator; orders B1..B3 of product Y
(2 h at 50 kW) are due soon after the windows, so they are late when the
window happens. It makes Monte Carlo figures vary from sample to sample.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ingenio.domain import (
    Block,
    Depot,
    Enterprise,
    FuelDelivery,
    FuelTank,
    Generator,
    Horizon,
    Line,
    Order,
    OutageWindow,
    Plan,
    Plant,
    Portfolio,
    Product,
    Step,
    Window,
)
from ingenio.planning.dispatch import dispatch

ORIGIN = datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana"))
DAY = 1440
ARRIVAL = 1440


def starving_portfolio(*, with_p2: bool = False, depot: bool = False) -> Portfolio:
    """The portfolio of the module docstring.

    ``depot=True`` sends T1 to depot D1 (empty at the start) instead of to P1.
    """
    horizon = Horizon(ORIGIN, days=4, slot_minutes=15)
    full = (Window(0, horizon.minutes),)
    plants = [
        Plant(
            id="P1",
            name="Ensambladora",
            enterprise_id="E1",
            block_id="B1",
            grid_kw=0.0,
            lines=(Line("L1", "Line 1", "P1", full),),
            generators=(Generator("G1", "Genset", "P1", 100.0, 0.0, 0.0, 0.1),),
            tank=FuelTank(capacity_l=2000.0, stock_l=100.0, reserve_l=0.0),
        )
    ]
    products = [Product("X", "Vehicle", "auto", (Step("make", ("L1",), 1.0, 100.0),))]
    orders = [Order(f"O{k:02d}", "X", 1.0, 0, 600, 100.0) for k in range(1, 11)]
    orders += [Order(f"A{k:02d}", "X", 1.0, ARRIVAL, ARRIVAL + 60 * k, 100.0) for k in range(1, 11)]
    blocks = [Block("B1", "Bloque 1")]
    if with_p2:
        plants.append(
            Plant(
                id="P2",
                name="Panadería",
                enterprise_id="E1",
                block_id="B2",
                grid_kw=100.0,
                lines=(Line("L2", "Oven", "P2", full),),
            )
        )
        products.append(Product("Y", "Bread", "food", (Step("bake", ("L2",), 0.5, 50.0),)))
        starts = (360, 1800, 3240)
        blocks.append(
            Block("B2", "Bloque 2", tuple(OutageWindow(Window(s, s + 240), 0.5) for s in starts))
        )
        orders += [Order(f"B{i + 1}", "Y", 1.0, s, s + 300, 50.0) for i, s in enumerate(starts)]
    destination = "D1" if depot else "P1"
    return Portfolio(
        name="starving",
        horizon=horizon,
        enterprises=(Enterprise("E1", "Empresa"),),
        plants=tuple(plants),
        blocks=tuple(blocks),
        products=tuple(products),
        orders=tuple(orders),
        depots=(Depot("D1", "Depot", 0.0),),
        deliveries=(FuelDelivery("T1", 1000.0, ARRIVAL, ARRIVAL, ARRIVAL + 2 * DAY, destination),),
    )


# --- samplers and planners for the Monte Carlo tests (importable by worker processes) ---


@dataclass(frozen=True)
class FlakySampler:
    """Raises for the samples whose first draw is below ``p``; else draws nothing."""

    p: float

    def __call__(self, portfolio: Portfolio, rng: random.Random) -> Portfolio:
        u = rng.random()
        if u < self.p:
            raise RuntimeError(f"sampler broke on draw {u:.6f}")
        return portfolio


def double_booking_planner(portfolio: Portfolio) -> Plan:
    """The dispatch plan plus an operation on top of another: breaks the line rule."""
    plan = dispatch(portfolio)
    first = plan.operations[0]
    return dataclasses.replace(plan, operations=(*plan.operations, first))


def wide_window_portfolio(tanker_l: float = 600.0) -> Portfolio:
    """Two genset-only plants and one tanker whose window is wider than the fuel in hand.

    Horizon 6 days. P1 and P2 have no grid, one 100 kW genset each (10 L/h at full
    load) and empty tanks; every order is 4 units of 1 hour at 100 kW (40 L). P1's line
    works only until day 3.5: 21 orders worth 400 (10 per litre), due then; P2's works
    all along: 36 orders worth 240 (6 per litre), due at day 6. The depot is empty;
    tanker T1 brings ``tanker_l`` litres to it, expected at day 1.5, possibly from day
    0.5 to day 5 (triangular).

    With the tanker on time P1 can burn (3.5 - 1.5) x 240 = 480 L worth 10 per litre,
    so the expected-value grants give P1 480 of the 600 L; when it docks late, P1 has
    little time left and its share is stranded in its tank, while P2 could have used
    it. Grants that hedge give P2 more.
    """
    horizon = Horizon(ORIGIN, days=6, slot_minutes=15)
    shifts = {"P1": (Window(0, 7 * DAY // 2),), "P2": (Window(0, horizon.minutes),)}
    plants = tuple(
        Plant(
            id=pid,
            name=f"Planta {pid}",
            enterprise_id="E1",
            block_id="B1",
            grid_kw=0.0,
            lines=(Line(f"L{pid}", f"Line {pid}", pid, shifts[pid]),),
            generators=(Generator(f"G{pid}", "Genset", pid, 100.0, 0.0, 0.0, 0.1),),
            tank=FuelTank(capacity_l=5000.0, stock_l=0.0, reserve_l=0.0),
        )
        for pid in ("P1", "P2")
    )
    products = (
        Product("X", "Part", "auto", (Step("make", ("LP1",), 1.0, 100.0),)),
        Product("Y", "Tile", "build", (Step("make", ("LP2",), 1.0, 100.0),)),
    )
    orders = tuple(Order(f"A{k:02d}", "X", 4.0, 0, 7 * DAY // 2, 100.0) for k in range(21)) + tuple(
        Order(f"B{k:02d}", "Y", 4.0, 0, 6 * DAY, 60.0) for k in range(36)
    )
    return Portfolio(
        name="wide tanker window",
        horizon=horizon,
        enterprises=(Enterprise("E1", "Empresa"),),
        plants=plants,
        blocks=(Block("B1", "Bloque 1"),),
        products=products,
        orders=orders,
        depots=(Depot("D1", "Depot", 0.0),),
        deliveries=(FuelDelivery("T1", tanker_l, 3 * DAY // 2, DAY // 2, 5 * DAY, "D1"),),
        late_decay_per_day=1.0,
    )
