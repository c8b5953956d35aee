"""Hand-checked power timelines: grid-off slots, solar by local hour, fuel, DST."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from ingenio.domain import (
    ALWAYS,
    Block,
    Enterprise,
    FuelDelivery,
    FuelTank,
    Generator,
    Horizon,
    Line,
    OutageWindow,
    Plant,
    Portfolio,
    Product,
    Solar,
    Step,
    Window,
    expand_shifts,
)
from ingenio.energy import PowerTimeline, build_timeline

HAVANA = ZoneInfo("America/Havana")
MONDAY = datetime(2026, 4, 6, tzinfo=HAVANA)  # UTC-4, no DST change in the horizon
SPRING = datetime(2026, 3, 7, tzinfo=HAVANA)  # 2026-03-08 00:00 jumps to 01:00
AUTUMN = datetime(2026, 10, 31, tzinfo=HAVANA)  # 2026-11-01 01:00 falls back to 00:00
BY_HOUR = Solar(tuple(float(h) for h in range(24)))  # solar kW = the local hour


def make(
    origin: datetime = MONDAY,
    outages: tuple[OutageWindow, ...] = (),
    slot: int = 15,
    solar: Solar | None = None,
    tank: FuelTank | None = None,
    generators: int = 0,
    deliveries: tuple[FuelDelivery, ...] = (),
) -> Portfolio:
    h = Horizon(origin, 2, slot)
    gens = tuple(
        Generator(f"G{i}", "g", "P1", 100.0 + i, 0.3, 0.08, 0.25) for i in range(generators)
    )
    plant = Plant(
        "P1",
        "plant",
        "E1",
        "B1",
        500.0,
        (Line("L1", "line", "P1", expand_shifts((ALWAYS,), h)),),
        generators=gens,
        tank=tank,
        solar=solar,
    )
    return Portfolio(
        "t",
        h,
        (Enterprise("E1", "e"),),
        (plant,),
        (Block("B1", "block", outages),),
        (Product("X", "x", "f", (Step("s", ("L1",), 60.0, 10.0),)),),
        (),
        deliveries=deliveries,
    )


def test_shape_and_slot_helpers() -> None:
    tl = build_timeline(make(), "P1")
    assert isinstance(tl, PowerTimeline)
    assert tl.plant_id == "P1" and tl.slot_minutes == 15
    assert tl.slots == 192 and tl.slots_per_day == 96
    assert tl.slot_of(0) == 0 and tl.slot_of(14) == 0 and tl.slot_of(15) == 1
    assert tl.slot_start(40) == 600
    assert np.all(tl.grid_kw == 500.0) and tl.grid_on(0)
    assert not tl.grid_kw.flags.writeable


def test_block_off_10_to_14_gives_16_off_slots_that_day() -> None:
    tl = build_timeline(make(outages=(OutageWindow(Window(600, 840)),)), "P1")
    assert tl.off_slots(0) == 16 and tl.off_slots(1) == 0
    assert tl.grid_off_hours_by_day() == (4.0, 0.0)
    assert tl.grid_on(39) and not tl.grid_on(40) and not tl.grid_on(55) and tl.grid_on(56)
    assert tl.grid_kw[40] == 0.0 and tl.base_kw(39) == 500.0


def test_slot_partly_off_counts_as_off() -> None:
    tl = build_timeline(make(outages=(OutageWindow(Window(605, 850)),)), "P1")
    off = np.flatnonzero(tl.grid_kw == 0.0)
    assert off[0] == 40 and off[-1] == 56 and len(off) == 17  # 10:00 to 14:15


def test_improbable_outage_keeps_the_grid() -> None:
    outages = (OutageWindow(Window(600, 840), 0.3), OutageWindow(Window(1440, 1500), 0.5))
    tl = build_timeline(make(outages=outages), "P1")
    assert tl.off_slots(0) == 0 and tl.off_slots(1) == 4


def test_solar_by_local_hour() -> None:
    tl = build_timeline(make(solar=BY_HOUR), "P1")
    assert tl.solar_kw[0] == 0.0 and tl.solar_kw[3] == 0.0
    assert tl.solar_kw[40] == 10.0 and tl.solar_kw[43] == 10.0 and tl.solar_kw[44] == 11.0
    assert tl.solar_kw[96 + 40] == 10.0
    assert tl.base_kw(40) == 510.0
    assert np.all(build_timeline(make(), "P1").solar_kw == 0.0)


def test_solar_slot_straddling_an_hour_takes_the_lower_hour() -> None:
    profile = [0.0] * 24
    profile[0], profile[1] = 50.0, 20.0
    tl = build_timeline(make(solar=Solar(tuple(profile)), slot=45), "P1")
    assert tl.solar_kw[0] == 50.0  # [00:00, 00:45)
    assert tl.solar_kw[1] == 20.0  # [00:45, 01:30) touches hours 0 and 1


def test_spring_forward_day() -> None:
    # Minute 1440 is 2026-03-08 01:00 local: midnight does not exist that day.
    outages = (OutageWindow(Window(1440 + 540, 1440 + 780)),)  # 10:00-14:00 local
    island = Solar(BY_HOUR.profile_kw, islanding=True)  # keeps producing in the outage
    tl = build_timeline(make(origin=SPRING, outages=outages, solar=island), "P1")
    assert tl.solar_kw[95] == 23.0  # 2026-03-07 23:45
    assert tl.solar_kw[96] == 1.0
    assert tl.solar_kw[96 + 36] == 10.0  # 9 hours later it is 10:00 local
    assert tl.off_slots(1) == 16
    assert tl.solar_kw[96 + 92] == 0.0  # minute 2820 is 2026-03-09 00:00


def test_fall_back_day() -> None:
    # At 2026-11-01 01:00 daylight time the clocks go back to 00:00 standard time.
    tl = build_timeline(make(origin=AUTUMN, solar=BY_HOUR), "P1")
    assert list(tl.solar_kw[96:105]) == [0.0] * 8 + [1.0]  # the 00:00 hour lasts two hours


def test_fuel_above_reserve_with_direct_deliveries() -> None:
    deliveries = (
        FuelDelivery("F1", 600.0, 1440, 1400, 1500, "P1"),
        FuelDelivery("F2", 50.0, 1450, 1450, 1450, "P1"),
    )
    tank = FuelTank(1000.0, 300.0, 100.0)
    tl = build_timeline(make(tank=tank, generators=2, deliveries=deliveries), "P1")
    assert tl.fuel_l[0] == 200.0 and tl.fuel_l[95] == 200.0
    assert tl.fuel_l[96] == 800.0  # arrives at the slot start
    assert tl.fuel_l[97] == 850.0  # arrives inside slot 96: counted from the next slot
    assert np.all(tl.generator_kw == 201.0)


def test_no_tank_no_fuel_no_generator() -> None:
    tl = build_timeline(make(generators=1), "P1")
    assert np.all(tl.fuel_l == 0.0) and np.all(tl.generator_kw == 0.0)


def test_stock_under_reserve_is_negative() -> None:
    tl = build_timeline(make(tank=FuelTank(1000.0, 50.0, 100.0), generators=1), "P1")
    assert tl.fuel_l[0] == pytest.approx(-50.0)
