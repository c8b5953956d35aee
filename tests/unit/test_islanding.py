"""Solar that trips with the grid (``solar.islanding: false``) and solar that islands.

Plant P (grid 100 kW, block B: grid off [120, 240), no generator) has an array giving
80 kW in every hour. One order: a single uninterruptible 60 kW step of 180 minutes
(180 units at 60 units/h), released at 0, due 200, value 1/unit, decay 10/day (a plan
late by 2.4 hours or more earns nothing).

* islanding array: the array carries the 60 kW through the blackout: [0, 180), on time.
* grid-tied array: it stops with the grid, so nothing can run in [120, 240) and the
  180-minute step waits for the grid: [240, 420), 220 min late, value 0.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ingenio.domain import (
    ALWAYS,
    Block,
    Enterprise,
    Horizon,
    Line,
    Operation,
    Order,
    OrderStatus,
    OutageWindow,
    Plan,
    Plant,
    Portfolio,
    PowerSource,
    Product,
    Solar,
    Step,
    Window,
    expand_shifts,
)
from ingenio.energy import build_timeline
from ingenio.formats.portfolio import parse_portfolio, portfolio_to_document
from ingenio.planning.dispatch import dispatch
from ingenio.planning.portfolio import upper_bound
from ingenio.planning.schedule import SolveParams, schedule_plant
from ingenio.planning.summary.power import minute_profile
from ingenio.validate import validate

HORIZON = Horizon(datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana")), 1, 15)


def build(islanding: bool) -> Portfolio:
    """The portfolio of the module docstring."""
    plant = Plant(
        "P",
        "Plant",
        "E",
        "B",
        100.0,
        (Line("L", "Line", "P", expand_shifts((ALWAYS,), HORIZON), (ALWAYS,)),),
        solar=Solar((80.0,) * 24, islanding),
    )
    return Portfolio(
        name="islanding",
        horizon=HORIZON,
        enterprises=(Enterprise("E", "E"),),
        plants=(plant,),
        blocks=(Block("B", "B", (OutageWindow(Window(120, 240)),)),),
        products=(Product("X", "X", "f", (Step("run", ("L",), 60.0, 60.0, 0, False),)),),
        orders=(Order("O", "X", 180.0, 0, 200, 1.0),),
        late_decay_per_day=10.0,
    )


def span(plan: Plan) -> tuple[int, int]:
    """Start and end of the order's one operation."""
    (op,) = plan.operations
    return op.start, op.end


@pytest.mark.parametrize(("islanding", "expected"), [(True, (0, 180)), (False, (240, 420))])
def test_dispatch_follows_the_array(islanding: bool, expected: tuple[int, int]) -> None:
    p = build(islanding)
    plan = dispatch(p)
    assert validate(p, plan) == []
    assert span(plan) == expected


@pytest.mark.parametrize(("islanding", "expected"), [(True, (0, 180)), (False, (240, 420))])
def test_plant_model_follows_the_array(islanding: bool, expected: tuple[int, int]) -> None:
    p = build(islanding)
    result = schedule_plant(p, SolveParams(time_limit_s=5.0, workers=1))
    assert validate(p, result.plan) == []
    assert span(result.plan) == expected


def test_bound_sees_grid_tied_solar_stop() -> None:
    # Islanding: the order can be on time, the bound is its full value (+ 1e-6 margin).
    assert upper_bound(build(True)) == pytest.approx(180.0, rel=1e-5)
    # Grid-tied: only the 120 grid-on minutes before the due date can run a 60 kW step,
    # so at most 2/3 of the step is done on time in the relaxation.
    tied = upper_bound(build(False))
    assert tied < 180.0 * 2 / 3 + 1e-3
    assert tied >= dispatch(build(False)).value


def test_report_profile_has_no_solar_in_the_blackout() -> None:
    tied = minute_profile(build(False), dispatch(build(False)), "P")
    assert tied.solar_kw[119] == 80.0
    assert tied.solar_kw[120] == 0.0
    assert tied.solar_kw[239] == 0.0
    assert tied.solar_kw[240] == 80.0
    islands = minute_profile(build(True), dispatch(build(True)), "P")
    assert islands.solar_kw[150] == 80.0


def test_validator_catches_grid_tied_solar_in_a_blackout() -> None:
    # A hand-made plan that runs the step [0, 180) "on solar", through the blackout.
    ops = (Operation("O", 0, "L", 0, 180, 180.0, PowerSource.SOLAR),)
    plan = replace(dispatch(build(True)), operations=ops)
    assert validate(build(True), plan) == []
    found = validate(build(False), plan)
    assert [(v.rule, v.subject) for v in found] == [("power", "P"), ("islanding", "O")]
    assert "grid-tied: off with the grid" in found[0].message
    assert "needs 60.0 kW" in found[0].message
    assert "minute 120" in found[1].message


def test_outcome_of_the_late_plan() -> None:
    (outcome,) = dispatch(build(False)).outcomes
    assert outcome.status is OrderStatus.LATE
    assert outcome.lateness_minutes == 220
    assert outcome.value == 0.0


def test_islanding_is_read_and_written() -> None:
    doc: dict[str, Any] = portfolio_to_document(build(True))
    assert doc["plants"][0]["solar"]["islanding"] is True
    del doc["plants"][0]["solar"]["islanding"]
    back = parse_portfolio(doc, "p.yaml")
    assert back.plants[0].solar is not None
    assert back.plants[0].solar.islanding is False
    doc["plants"][0]["solar"]["islanding"] = "yes"
    with pytest.raises(Exception, match="islanding"):
        parse_portfolio(doc, "p.yaml")


def test_timeline_of_grid_tied_solar() -> None:
    tied = build_timeline(build(False), "P")
    assert tied.solar_kw[7] == 80.0 and tied.solar_kw[8] == 0.0  # slot 8 = minute 120
    assert tied.solar_kw[15] == 0.0 and tied.solar_kw[16] == 80.0
    assert build_timeline(build(True), "P").solar_kw[10] == 80.0
