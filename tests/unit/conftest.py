"""Hand-made portfolio and plan for the unit tests of the plan validator.

Horizon: 2026-04-06 00:00 America/Havana (a Monday, UTC-4), 2 days, 15-minute slots.

Plant P1 (grid 500 kW, block B1: grid off [600, 840) = 10:00-14:00 on day 1, and a
30 % outage risk [1800, 1860) that is not grid-off):
  lines L1, L2 work all the time, L3 works 06:00-18:00;
  resource R1 (a crew): 1 unit, 2 from minute 1440;
  generator G1: 200 kW, min load 30 % (60 kW), fuel 0.08 * rated + 0.25 * output L/h;
  tank 1000 L, stock 300 L, reserve 100 L;
  solar 50 kW from 08:00 to 18:00 local, except 20 kW in the 11:00 hour; the array can
  island (``islanding=True``: it keeps producing in a blackout).
Plant P2 (grid 100 kW, block B2 without outages): line L9, generator G2 (50 kW, min 25 kW),
no tank. Depot D1 holds 200 L and gets 400 L at minute 1440; P1 gets 600 L directly then.

Product X (plant P1): step 0 "mix" on L1/L2, 60 units/h, 100 kW, setup 15, restart 10,
holds 1 R1; step 1 "pack" on L2/L3, 120 units/h, 50 kW, no setup, uninterruptible.
Product Y (plant P2): one step "cut" on L9, 60 units/h, 20 kW.

Orders: O1 60 X due 600 at 10/unit; O2 120 X released 120, due 300 at 5/unit;
O3 30 X due 2880 at 2/unit; O4 10 Y due 1440 at 1/unit.

The good plan (no violation):
  O1: mix L1 [0, 75), pack L2 [90, 120)              -> on time, 600.0
  O2: mix L1 [120, 255), pack L2 [255, 315)          -> 15 min late, 599.375
  O3: mix L1 [600, 645), pack L2 [645, 660) in the outage, on G1 at 60 kW [600, 645)
      plus 50 kW solar                               -> on time, 60.0
  O4: unscheduled
  fuel: G1 burns 31 L/h * 0.75 h = 23.25 L; 100 L trucked from D1 to P1 at minute 700.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ingenio.domain import (
    Block,
    Depot,
    Enterprise,
    FuelDelivery,
    FuelTank,
    FuelTransfer,
    Generator,
    GeneratorRun,
    Horizon,
    Line,
    Operation,
    Order,
    OrderOutcome,
    OrderStatus,
    OutageWindow,
    Plan,
    Plant,
    Portfolio,
    Product,
    Resource,
    Solar,
    Step,
    Window,
)

ORIGIN = datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana"))

SOLAR = tuple(0.0 if not 8 <= hour < 18 else 20.0 if hour == 11 else 50.0 for hour in range(24))


def build_portfolio(
    *,
    resource_changes: tuple[tuple[int, int], ...] = ((1440, 2),),
    islanding: bool = True,
    depot_stock: float = 200.0,
    direct_litres: float = 600.0,
) -> Portfolio:
    """The test portfolio described in the module docstring, with a few knobs."""
    horizon = Horizon(ORIGIN, days=2, slot_minutes=15)
    full = (Window(0, horizon.minutes),)
    p1 = Plant(
        id="P1",
        name="Conservas",
        enterprise_id="E1",
        block_id="B1",
        grid_kw=500.0,
        lines=(
            Line("L1", "Mixer 1", "P1", full),
            Line("L2", "Mixer 2 / packer", "P1", full),
            Line("L3", "Day packer", "P1", (Window(360, 1080), Window(1800, 2520))),
        ),
        resources=(Resource("R1", "Crew", "P1", 1, resource_changes),),
        generators=(Generator("G1", "Genset 1", "P1", 200.0, 0.3, 0.08, 0.25),),
        tank=FuelTank(capacity_l=1000.0, stock_l=300.0, reserve_l=100.0),
        solar=Solar(SOLAR, islanding),
    )
    p2 = Plant(
        id="P2",
        name="Aserrio",
        enterprise_id="E1",
        block_id="B2",
        grid_kw=100.0,
        lines=(Line("L9", "Saw", "P2", full),),
        generators=(Generator("G2", "Genset 2", "P2", 50.0, 0.5, 0.08, 0.25),),
    )
    x = Product(
        "X",
        "Tomato paste",
        "food",
        (
            Step("mix", ("L1", "L2"), 60.0, 100.0, 15, True, 10, {"R1": 1}),
            Step("pack", ("L2", "L3"), 120.0, 50.0, 0, False),
        ),
    )
    y = Product("Y", "Planks", "wood", (Step("cut", ("L9",), 60.0, 20.0),))
    return Portfolio(
        name="test",
        horizon=horizon,
        enterprises=(Enterprise("E1", "Empresa"),),
        plants=(p1, p2),
        blocks=(
            Block(
                "B1",
                "Bloque 1",
                (OutageWindow(Window(600, 840)), OutageWindow(Window(1800, 1860), 0.3)),
            ),
            Block("B2", "Bloque 2"),
        ),
        products=(x, y),
        orders=(
            Order("O1", "X", 60.0, 0, 600, 10.0),
            Order("O2", "X", 120.0, 120, 300, 5.0),
            Order("O3", "X", 30.0, 0, 2880, 2.0),
            Order("O4", "Y", 10.0, 0, 1440, 1.0),
        ),
        depots=(Depot("D1", "Depot", depot_stock),),
        deliveries=(
            FuelDelivery("DL1", 400.0, 1440, 1200, 1600, "D1"),
            FuelDelivery("DL2", direct_litres, 1440, 1440, 1440, "P1"),
        ),
    )


def build_plan() -> Plan:
    """The good plan described in the module docstring."""
    return Plan(
        planner="hand",
        operations=(
            Operation("O1", 0, "L1", 0, 75, 60.0),
            Operation("O1", 1, "L2", 90, 120, 60.0),
            Operation("O2", 0, "L1", 120, 255, 120.0),
            Operation("O2", 1, "L2", 255, 315, 120.0),
            Operation("O3", 0, "L1", 600, 645, 30.0),
            Operation("O3", 1, "L2", 645, 660, 30.0),
        ),
        generator_runs=(GeneratorRun("G1", 600, 645, 60.0),),
        fuel_transfers=(FuelTransfer("D1", "P1", 700, 100.0),),
        outcomes=(
            OrderOutcome("O1", OrderStatus.ON_TIME, 120, 0, 600.0),
            OrderOutcome("O2", OrderStatus.LATE, 315, 15, 600.0 * (1 - 0.1 * 15 / 1440)),
            OrderOutcome("O3", OrderStatus.ON_TIME, 660, 0, 60.0),
            OrderOutcome("O4", OrderStatus.UNSCHEDULED, None, 0, 0.0),
        ),
    )


@pytest.fixture
def portfolio() -> Portfolio:
    """The test portfolio."""
    return build_portfolio()


@pytest.fixture
def make_portfolio() -> Callable[..., Portfolio]:
    """Builder of variants of the test portfolio (keyword knobs of ``build_portfolio``)."""
    return build_portfolio


@pytest.fixture
def good_plan() -> Plan:
    """A plan of the test portfolio that breaks no rule."""
    return build_plan()
