"""Plan summary on a portfolio small enough to work out by hand.

One plant P1 (grid 100 kW, one line L1 on shift 06:00-22:00), one generator G1
(50 kW rated, fuel 0.08 * rated + 0.25 * output litres/hour), a tank with a 20 L
reserve; grid off 10:00-14:00 on day 1 (a 30 % risk window on day 2 is ignored).

Plan: O1 runs 08:00-12:00 (2 h on grid, 2 h on G1 at 40 kW = 14 L/h = 28 L), O2
runs 15:00-17:00 on grid, O3 is unscheduled.
"""

from __future__ import annotations

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
    PowerSource,
    PriorityClass,
    Product,
    Solar,
    Step,
    Window,
)
from ingenio.planning.summary import power_series, summarise, tank_levels

ORIGIN = datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana"))


def portfolio(stock: float = 100.0, solar: bool = False) -> Portfolio:
    gen = Generator("G1", "Genset 1", "P1", 50.0, 0.3, 0.08, 0.25)
    line = Line("L1", "Mixer", "P1", (Window(360, 1320), Window(1800, 2760)))
    profile = tuple(30.0 if 10 <= h < 14 else 0.0 for h in range(24))
    plant = Plant(
        "P1", "Planta Uno", "E1", "B1", 100.0, (line,), generators=(gen,),
        tank=FuelTank(capacity_l=500.0, stock_l=stock, reserve_l=20.0),
        solar=Solar(profile, islanding=True) if solar else None,  # runs in the outage
    )  # fmt: skip
    block = Block(
        "B1", "Bloque 1", (OutageWindow(Window(600, 840)), OutageWindow(Window(2040, 2160), 0.3))
    )
    product = Product("X", "Pasta", "food", (Step("mix", ("L1",), 10.0, 40.0),))
    orders = (
        Order("O1", "X", 40, 0, 1440, 5.0, PriorityClass.ESSENTIAL),
        Order("O2", "X", 20, 0, 1440, 5.0),
        Order("O3", "X", 30, 0, 1000, 10.0, PriorityClass.EXPORT),
    )
    return Portfolio(
        name="Tiny",
        horizon=Horizon(ORIGIN, 2, 15),
        enterprises=(Enterprise("E1", "Alimentos SA"),),
        plants=(plant,),
        blocks=(block,),
        products=(product,),
        orders=orders,
        depots=(Depot("D1", "Depot Norte", 30.0),),
        deliveries=(FuelDelivery("F1", 10.0, 2000, 1900, 2100, "P1"),),
    )


def plan(transfer: bool = False) -> Plan:
    return Plan(
        planner="hand",
        operations=(
            Operation("O1", 0, "L1", 480, 720, 40, PowerSource.MIXED),
            Operation("O2", 0, "L1", 900, 1020, 20),
        ),
        generator_runs=(GeneratorRun("G1", 600, 720, 40.0),),
        fuel_transfers=(FuelTransfer("D1", "P1", 1200, 30.0),) if transfer else (),
        outcomes=(
            OrderOutcome("O1", OrderStatus.ON_TIME, 720, 0, 200.0),
            OrderOutcome("O2", OrderStatus.ON_TIME, 1020, 0, 100.0),
            OrderOutcome("O3", OrderStatus.UNSCHEDULED, None, 0, 0.0, "no power"),
        ),
    )


def test_hours_fuel_and_orders_by_hand() -> None:
    s = summarise(portfolio(), plan()).plant("P1")
    assert s.enterprise == "Alimentos SA"
    assert (s.on_time, s.late, s.unscheduled, s.orders) == (2, 0, 1, 3)
    assert s.value == pytest.approx(300.0)
    assert s.potential_value == pytest.approx(600.0)
    assert s.line_hours == pytest.approx(6.0)
    assert s.grid_hours == pytest.approx(4.0)  # 08:00-10:00 and 15:00-17:00
    assert s.off_grid_line_hours == pytest.approx(2.0)
    assert s.generator_hours == pytest.approx(2.0)
    assert s.fuel_used_l == pytest.approx(28.0)  # (0.08 * 50 + 0.25 * 40) * 2 h
    assert s.grid_off_hours == pytest.approx(4.0)  # the 30 % window does not count
    assert s.fuel_received_l == pytest.approx(10.0)  # the direct delivery
    assert s.lowest_tank_l == pytest.approx(72.0)
    assert s.lowest_tank_at == 720


def test_portfolio_totals() -> None:
    s = summarise(portfolio(), plan(transfer=True))
    assert (s.portfolio, s.planner, s.currency) == ("Tiny", "hand", "USD")
    assert s.total_value == pytest.approx(300.0)
    assert (s.total_on_time, s.total_late, s.total_unscheduled) == (2, 0, 1)
    assert s.total_fuel_used_l == pytest.approx(28.0)
    assert s.total_fuel_received_l == pytest.approx(40.0)
    assert s.total_generator_hours == pytest.approx(2.0)
    (depot,) = s.depots
    assert (depot.shipped_l, depot.lowest_l, depot.empty_from) == (30.0, 0.0, 1200)


def test_tank_levels_are_piecewise_linear_breakpoints() -> None:
    levels = tank_levels(portfolio(), plan(transfer=True), "P1")
    assert levels == [
        (0, 100.0),
        (600, 100.0),
        (720, pytest.approx(72.0)),
        (1200, pytest.approx(72.0)),
        (1200, pytest.approx(102.0)),
        (2000, pytest.approx(102.0)),
        (2000, pytest.approx(112.0)),
        (2880, pytest.approx(112.0)),
    ]


def test_no_fuel_note_when_the_tank_stays_above_reserve() -> None:
    s = summarise(portfolio(stock=100.0), plan())
    assert not [n for n in s.plant("P1").binding if n.startswith("fuel")]
    assert not [n for n in s.binding if "fuel" in n]


def test_fuel_binds_when_the_tank_reaches_reserve() -> None:
    s = summarise(portfolio(stock=48.0), plan(transfer=True))  # 48 - 28 = 20 L = the reserve
    p1 = s.plant("P1")
    assert p1.lowest_tank_l == pytest.approx(20.0)
    (tank_note,) = [n for n in p1.binding if n.startswith("fuel: tank")]
    assert "tank at reserve (20 L) from 2026-04-06 12:00 (day 1)" in tank_note
    assert "1 order late or unscheduled waits for grid" in tank_note
    assert "fuel: depot Depot Norte empty from 2026-04-06 20:00 (day 1)" in p1.binding
    # from 12:00 G1 has no fuel: L1 idle 12:00-14:00 with the grid off, O3 unscheduled
    idle = "power: 1 order late or unscheduled while lines stood idle 2 line-hours in shift"
    assert any(n.startswith(idle) for n in p1.binding)
    assert any(n.startswith("Planta Uno: fuel: tank at reserve") for n in s.binding)
    assert "fuel: depot Depot Norte empty from 2026-04-06 20:00 (day 1)" in s.binding


def test_power_binds_at_the_generator_limit() -> None:
    p1 = summarise(portfolio(), plan()).plant("P1")
    # 16 grid-off slots (10:00-14:00); load 40 kW = generator output in 8 of them
    assert p1.limit_share_grid_off == pytest.approx(0.5)
    assert "power: load at the limit in 50% of grid-off hours" in p1.binding
    # O3 is unscheduled, but G1 could have run L1 12:00-14:00: not for lack of power
    assert not any("stood idle" in n for n in p1.binding)
    assert "power: 33% of the line-hours run fall in grid-off windows" in p1.binding


def test_power_series_counts_solar_and_marks_the_limit() -> None:
    series = power_series(portfolio(solar=True), plan(), "P1")
    assert len(series.starts) == 2 * 24 * 4
    at_0800, at_1000, at_1300 = 32, 40, 52  # slot indexes (15 minutes each)
    assert series.load_kw[at_0800] == 40.0 and series.available_kw[at_0800] == 100.0
    assert not series.at_limit[at_0800] and not series.grid_off[at_0800]
    assert series.available_kw[at_1000] == pytest.approx(70.0)  # 30 solar + 40 generator
    assert (series.solar_kw[at_1000], series.generator_kw[at_1000]) == (30.0, 40.0)
    assert series.grid_off[at_1000] and not series.at_limit[at_1000]
    assert series.available_kw[at_1300] == 30.0 and series.load_kw[at_1300] == 0.0
    no_solar = power_series(portfolio(), plan(), "P1")
    assert no_solar.at_limit[at_1000] and no_solar.available_kw[at_1000] == 40.0


def test_no_power_note_without_limit_or_waiting_orders() -> None:
    done = plan()
    outcomes = (*done.outcomes[:2], OrderOutcome("O3", OrderStatus.ON_TIME, 1400, 0, 300.0))
    relaxed = Plan(
        "hand",
        (*done.operations, Operation("O3", 0, "L1", 1080, 1260, 30)),
        (GeneratorRun("G1", 600, 720, 45.0),),  # more output than the load
        (),
        outcomes,
    )
    s = summarise(portfolio(), relaxed)
    assert s.binding == ()
    assert s.plant("P1").limit_share_grid_off == 0.0
