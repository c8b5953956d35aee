"""``whatif --add-battery`` and ``--add-solar`` on the hand-made battery portfolio.

Base: plant P (grid 100 kW) with no battery and a 2-hour blackout [240, 360); one 100 kW,
360-minute uninterruptible order due at 360 (see ``tests/unit/test_battery.py``). Without
a battery it waits for the grid: late by 6 h, 351 of 360. A 250 kWh / 120 kW battery
(floor 10 %: 225 kWh usable, 112.5 kW over the 2 hours) carries it: on time, 360.
"""

from __future__ import annotations

import pytest
from battery_portfolios import build
from stage_portfolios import document
from typer.testing import CliRunner

from ingenio.domain import OrderStatus, Window
from ingenio.formats.portfolio import parse_portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.scenarios.equipment import (
    AddBattery,
    AddSolar,
    parse_add_battery,
    parse_add_solar,
    solar_shape,
)
from ingenio.scenarios.perturb import PerturbationError
from ingenio.services import scenarios
from ingenio.services.context import Context
from ingenio.validate import validate


def test_parse_the_spellings() -> None:
    assert parse_add_battery("P=500kWh/250kW") == AddBattery("P", 500.0, 250.0, 250.0)
    assert parse_add_battery(" P = 500 kWh / 250 kW / 100kW") == AddBattery("P", 500, 250, 100)
    assert parse_add_solar("P=200kW") == AddSolar("P", 200.0, False)
    assert parse_add_solar("P=200kWp/island") == AddSolar("P", 200.0, True)


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_add_battery, "P=500/250", "--add-battery 'P=500/250': expected PLANT="),
        (parse_add_battery, "500kWh/250kW", "--add-battery '500kWh/250kW': expected PLANT="),
        (parse_add_battery, "P=0kWh/250kW", "capacity (kWh) must be above 0"),
        (parse_add_solar, "P=200", "--add-solar 'P=200': expected PLANT=KWkW"),
        (parse_add_solar, "P=1e9kW", "--add-solar 'P=1e9kW': expected"),
    ],
)
def test_parse_errors_name_the_option_and_value(parse, text, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PerturbationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


def test_unknown_plant_is_named() -> None:
    with pytest.raises(PerturbationError, match=r"--add-battery 'X=.*': no plant 'X' \(known: P\)"):
        AddBattery("X", 10.0, 10.0, 10.0).apply(build(120, battery=None))


def test_the_added_battery_carries_the_line() -> None:
    base = build(120, battery=None)
    variant = AddBattery("P", 250.0, 120.0, 120.0).apply(base)
    (bat,) = variant.plants[0].batteries
    assert (bat.id, bat.min_soc, bat.efficiency, bat.initial_soc) == ("P-whatif-1", 0.1, 0.9, 1.0)
    plan = dispatch(variant)
    assert validate(variant, plan) == []
    assert plan.outcomes[0].status is OrderStatus.ON_TIME
    assert dispatch(base).value == pytest.approx(351.0)


def test_solar_shape_and_added_array() -> None:
    shape = solar_shape(200.0)
    assert shape[12] == 200.0  # 12:30, the middle of 06:00-19:00, is the peak
    assert shape[6] == pytest.approx(200.0 * 0.1205, abs=0.01)  # cos(6/13 pi) at 06:30
    assert shape[5] == 0.0 and shape[19] == 0.0
    variant = AddSolar("P", 200.0).apply(build(120, battery=None))
    assert variant.plants[0].solar is not None
    assert variant.plants[0].solar.islanding is False


def test_what_if_service_reports_value_and_late_orders(ctx: Context) -> None:
    request = scenarios.WhatIfRequest(planner="dispatch", add_battery=["P=250kWh/120kW"])
    got = scenarios.what_if(ctx, build(120, battery=None), request)
    assert got.diff.value_delta == pytest.approx(9.0)
    assert got.late_orders == (1, 0)
    assert got.title == "What-if: +250 kWh / 120 kW battery at P"
    (plant,) = got.diff.plants
    assert plant.fuel_before_l == 0.0 and plant.fuel_after_l == 0.0


def test_whatif_command_takes_the_options(monkeypatch: pytest.MonkeyPatch) -> None:
    from ingenio.cli.main import app

    monkeypatch.setattr(scenarios, "load_portfolio_arg", lambda arg: build(120, battery=None))
    run = CliRunner().invoke(
        app, ["whatif", "x", "--add-battery", "P=250kWh/120kW", "--planner", "dispatch"]
    )
    assert run.exit_code == 0, run.output
    assert "late or unscheduled orders: 1 -> 0" in run.output
    bad = CliRunner().invoke(app, ["whatif", "x", "--add-solar", "P=lots"])
    assert bad.exit_code == 1
    assert "--add-solar 'P=lots': expected PLANT=KWkW[/island]" in bad.output


def test_what_if_stage_six(ctx: Context) -> None:
    calm = parse_portfolio(document(forecast=[]), "stages.yaml")
    request = scenarios.WhatIfRequest(planner="dispatch", stage="6")
    got = scenarios.what_if(ctx, calm, request)
    assert got.title == "What-if: stage 6 for 3 days"
    assert got.variant.grid_off("P") == (Window(120, 270), Window(600, 750), Window(1080, 1230))
    assert got.late_orders == (0, 0)  # the order moves to 12:30-17:30, still on time
    with pytest.raises(PerturbationError, match="no block of the portfolio has a load-shedding"):
        scenarios.what_if(ctx, build(120), request)
