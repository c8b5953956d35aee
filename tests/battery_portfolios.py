"""The hand-made battery portfolio of ``tests/unit/test_battery.py`` (see its docstring)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from ingenio.domain import (
    ALWAYS,
    Battery,
    Block,
    Enterprise,
    Horizon,
    Line,
    Order,
    OutageWindow,
    Plant,
    Portfolio,
    Product,
    Step,
    Window,
    expand_shifts,
)

HORIZON = Horizon(datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana")), 1, 15)
BAT = Battery("BAT", "P", 250.0, 120.0, 50.0, 0.9, 0.2, 1.0)


def build(outage_minutes: int, battery: Battery | None = BAT, **plant: object) -> Portfolio:
    """The portfolio of the module docstring."""
    p = Plant(
        "P",
        "Plant",
        "E",
        "B",
        100.0,
        (Line("L", "Line", "P", expand_shifts((ALWAYS,), HORIZON), (ALWAYS,)),),
        batteries=() if battery is None else (battery,),
    )
    p = replace(p, **plant)  # type: ignore[arg-type]
    return Portfolio(
        name="battery",
        horizon=HORIZON,
        enterprises=(Enterprise("E", "E"),),
        plants=(p,),
        blocks=(Block("B", "B", (OutageWindow(Window(240, 240 + outage_minutes)),)),),
        products=(Product("X", "X", "f", (Step("run", ("L",), 60.0, 100.0, 0, False),)),),
        orders=(Order("O", "X", 360.0, 0, 360, 1.0),),
    )
