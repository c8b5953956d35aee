"""Rules ``battery-flow`` and ``battery-soc`` on hand-made plans; the file formats.

The portfolio is that of ``test_battery.py`` with its 3-hour outage [240, 420): the
battery holds 200 kWh above its 50 kWh floor.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from battery_portfolios import BAT, build

from ingenio.domain import (
    BatteryFlow,
    DomainError,
    FuelTank,
    Generator,
    GeneratorRun,
    Operation,
    OrderOutcome,
    OrderStatus,
    Plan,
)
from ingenio.formats.plan_file import plan_from_document, plan_to_document
from ingenio.formats.portfolio import parse_portfolio, portfolio_to_document
from ingenio.planning.dispatch import dispatch
from ingenio.validate import validate


def hand_plan(
    start: int, end: int, *flows: BatteryFlow, runs: tuple[GeneratorRun, ...] = ()
) -> Plan:
    """The order's one step on [start, end) with the given battery flows."""
    late = max(0, end - 360)
    value = 360.0 * (1 - 0.1 * late / 1440)
    status = OrderStatus.LATE if late else OrderStatus.ON_TIME
    return Plan(
        "hand",
        (Operation("O", 0, "L", start, end, 360.0),),
        runs,
        (),
        (OrderOutcome("O", status, end, late, value),),
        battery_flows=flows,
    )


def rules(plan: Plan, **plant: object) -> list[tuple[str, str]]:
    """``(rule, subject)`` of the violations of ``plan`` on the 3-hour portfolio."""
    return [(v.rule, v.subject) for v in validate(build(180, **plant), plan)]


def test_a_plan_within_the_battery_is_valid() -> None:
    # [120, 480): 100 kW through 180 minutes of outage would need 300 kWh; instead the
    # step runs [0, 360) and the battery gives its 200 kWh over [240, 360).
    plan = hand_plan(0, 360, BatteryFlow("BAT", 240, 360, 100.0))
    assert validate(build(180), plan) == []


def test_validator_catches_an_overdrawn_battery() -> None:
    # [60, 420): 180 minutes of outage at 100 kW = 300 kWh, 100 kWh more than it holds.
    plan = hand_plan(60, 420, BatteryFlow("BAT", 240, 420, 100.0))
    found = validate(build(180), plan)
    assert [(v.rule, v.subject) for v in found] == [("battery-soc", "P")]
    text = found[0].message
    # 200 kWh last 120 minutes at 100 kW: empty from minute 360 (06:00 local)
    assert "empty from 2026-04-06 06:00 (minute 360)" in text
    assert "falls to -50.0 kWh" in text


def test_validator_catches_a_missing_flow() -> None:
    # The same step with no battery flow: the plant is short of power in the outage.
    assert rules(hand_plan(0, 360)) == [("power", "P")]


def test_validator_catches_overcharge_and_power_limits() -> None:
    # The step after the outage; the battery, full at the start, charges 50 kW for an
    # hour from the idle grid: 45 kWh over its capacity.
    over = hand_plan(420, 780, BatteryFlow("BAT", 0, 60, -50.0))
    assert rules(over) == [("battery-soc", "P")]
    fast = hand_plan(0, 360, BatteryFlow("BAT", 240, 360, 130.0))
    assert ("battery-flow", "P") in rules(fast)  # 130 kW out, limit 120 kW
    unknown = hand_plan(0, 360, BatteryFlow("NOPE", 240, 360, 100.0))
    assert ("battery-flow", "NOPE") in rules(unknown)
    overlap = hand_plan(
        0, 360, BatteryFlow("BAT", 240, 360, 100.0), BatteryFlow("BAT", 300, 330, 10.0)
    )
    assert ("battery-flow", "P") in rules(overlap)


def test_charging_from_a_generator_needs_the_permission() -> None:
    gen = Generator("G", "G", "P", 100.0, 0.0, 0.0, 0.25)
    tank = FuelTank(1000.0, 1000.0, 0.0)
    low = replace(BAT, initial_soc=0.5)
    # In the outage, the generator runs at 50 kW to charge the battery (no load).
    plan = hand_plan(
        0, 240, BatteryFlow("BAT", 240, 300, -50.0), runs=(GeneratorRun("G", 240, 300, 50.0),)
    )
    plan = replace(plan, outcomes=(OrderOutcome("O", OrderStatus.ON_TIME, 240, 0, 360.0),))
    plan = replace(plan, operations=(Operation("O", 0, "L", 0, 240, 360.0),))
    kw: dict[str, Any] = {"generators": (gen,), "tank": tank}
    # (the step is 360 min long, so [0, 240) breaks ``duration``: not what is tested)
    found = rules(plan, batteries=(low,), **kw)
    assert ("battery-flow", "P") in found
    allowed = replace(low, generator_charging=True)
    assert ("battery-flow", "P") not in rules(plan, batteries=(allowed,), **kw)


def test_portfolio_file_round_trip_and_errors() -> None:
    p = build(120)
    doc: dict[str, Any] = portfolio_to_document(p)
    assert doc["plants"][0]["batteries"] == [
        {
            "id": "BAT",
            "capacity_kwh": 250,
            "power_kw": 120,
            "charge_kw": 50,
            "efficiency": 0.9,
            "min_soc": 0.2,
            "initial_soc": 1,
            "generator_charging": False,
        }
    ]
    assert parse_portfolio(doc, "p.yaml") == p
    bad = doc["plants"][0]["batteries"][0]
    bad.update(initial_soc=0.1, efficiency=1.5)
    with pytest.raises(DomainError) as err:
        parse_portfolio(doc, "p.yaml")
    text = str(err.value)
    assert "plants[0].batteries[0].efficiency" in text
    assert "1.5" in text
    bad.update(efficiency=0.9)
    with pytest.raises(
        DomainError, match=r"batteries\[0\].initial_soc: must be at least the min_soc 0.2"
    ):
        parse_portfolio(doc, "p.yaml")


def test_plan_json_keeps_the_flows() -> None:
    p = build(120)
    plan = dispatch(p)
    doc = plan_to_document(plan, p)
    assert doc["battery_flows"][0] == {
        "battery": "BAT",
        "start": "2026-04-06T04:00:00-04:00",
        "end": "2026-04-06T04:15:00-04:00",
        "kw": 100.0,
    }
    assert plan_from_document(doc, p, "plan.json") == plan
