"""A day of operations played through the store (SQLite and PostgreSQL).

Plan a one-line bakery, record the morning, take an unannounced 3-hour grid
outage at 10:00, replan, record the afternoon; then the KPIs and the owner's
report must show exactly what the recorded data imply, recomputed here by hand.

The day, Monday 2026-04-06 (Havana), line L1 (shift 06:00-22:00, bread at 60/h, 10 kW):

* plan v1 (dispatch): O1 540 units 06:00-15:00, O2 300 units 15:00-20:00;
* recorded: O1 230 good + 10 scrap 06:00-10:00; grid outage 10:00-13:00;
  O1 305 + 5 13:00-18:10; O2 220 + 5 18:15-22:00; the genset test-ran on 12 L;
  meter: 1000 kWh at 06:00, 1040 at 10:00, 1040.5 at 13:00, replaced at 15:00
  (reads 2), 72 at 22:00;
* replan at 10:00 with the 3-hour outage: O1 keeps 230 units before 10:00, makes
  its other 310 from 13:00 (the line has no usable diesel).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ingenio.cli.main import app
from ingenio.domain import (
    Block,
    Enterprise,
    FuelTank,
    Generator,
    Horizon,
    Line,
    Operation,
    Order,
    Plant,
    Portfolio,
    PriorityClass,
    Product,
    ShiftPattern,
    Step,
    Window,
    expand_shifts,
)
from ingenio.formats.atomic import atomic_write_bytes, atomic_write_text
from ingenio.formats.plan_file import plan_from_document
from ingenio.formats.portfolio import parse_portfolio
from ingenio.operations.actuals import (
    DowntimeCause,
    DowntimeEvent,
    FuelDraw,
    MeterReading,
    ProductionRecord,
)
from ingenio.reports.enterprise import render_enterprise_report
from ingenio.reports.excel import render_enterprise_xlsx
from ingenio.services.kpi import load_kpis
from ingenio.services.plans import make_plan, save_versions
from ingenio.services.replan import replan
from ingenio.store import Store, settings
from ingenio.validate import validate

HAVANA = ZoneInfo("America/Havana")


def at(hour: int, minute: int = 0, day: int = 6) -> datetime:
    return datetime(2026, 4, day, hour, minute, tzinfo=HAVANA)


def bakery() -> Portfolio:
    h = Horizon(at(0), days=3, slot_minutes=15)
    pattern = (ShiftPattern(frozenset(range(7)), 6 * 60, 22 * 60),)
    plant = Plant(
        "P1",
        "Panadería",
        "E1",
        "B1",
        100.0,
        (Line("L1", "Horno", "P1", expand_shifts(pattern, h), pattern),),
        generators=(Generator("G1", "Grupo", "P1", 20.0, 0.5, 0.08, 0.25),),
        tank=FuelTank(100.0, 10.0, 10.0),  # at the reserve: no usable diesel
    )
    bread = Product("BR", "Pan", "bakery", (Step("bake", ("L1",), 60.0, 10.0),))
    return Portfolio(
        "bakery",
        h,
        (Enterprise("E1", "Panificadora"),),
        (plant,),
        (Block("B1", "Bloque"),),
        (bread,),
        (
            Order("O1", "BR", 540.0, 0, 20 * 60, 2.0, PriorityClass.ESSENTIAL),
            Order("O2", "BR", 300.0, 0, 1440 + 12 * 60, 1.0),
        ),
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return settings.path_to_url(tmp_path / "ops.sqlite")
    url: str = request.getfixturevalue("pg_schema_url")
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store.open(db_url) as opened:
        yield opened


def test_a_day_of_operations(store: Store, db_url: str, tmp_path: Path) -> None:
    outcome = make_plan(bakery(), "dispatch")
    assert outcome.violations == ()
    assert outcome.plan.operations == (
        Operation("O1", 0, "L1", 360, 900, 540.0),
        Operation("O2", 0, "L1", 900, 1200, 300.0),
    )
    save_versions(store, outcome, note="baseline")

    # the morning, then the grid drops at 10:00 for 3 hours
    store.add_production(ProductionRecord("L1", "BR", "O1", 230.0, 10.0, at(6), at(10)))
    store.add_downtime(DowntimeEvent("L1", DowntimeCause.GRID_OUTAGE, at(10), at(13), "feeder"))
    store.add_fuel_draw(FuelDraw("G1", 12.0, at(11)))
    result = replan(
        store, "bakery", "P1", at(10), "feeder fault", "dispatch", outage=Window(600, 780)
    )
    assert result.first.version is not None and result.first.version.version == 2
    assert result.final.version == result.first.version
    assert result.first.seconds < 5.0
    new = result.final.plan
    assert validate(result.portfolio, new) == []
    assert new.operations[0] == Operation("O1", 0, "L1", 360, 600, 230.0)  # as recorded
    assert not [op for op in new.operations if op.start < 780 and op.end > 600]
    o1 = [op for op in new.operations if op.order_id == "O1"]
    assert (o1[1].start, o1[1].end, o1[1].quantity) == (780, 1090, 310.0)
    stored_version, document = store.load_plan(result.final.version.id)
    _, pdoc = store.load_portfolio("bakery", stored_version.portfolio_version)
    stored_world = parse_portfolio(pdoc, "stored")
    assert stored_world.grid_off("P1") == (Window(600, 780),)
    assert validate(stored_world, plan_from_document(document, stored_world, "stored")) == []

    # the afternoon
    store.add_production(
        [
            ProductionRecord("L1", "BR", "O1", 305.0, 5.0, at(13), at(18, 10)),
            ProductionRecord("L1", "BR", "O2", 220.0, 5.0, at(18, 15), at(22)),
        ]
    )
    store.add_meter_readings(
        [
            MeterReading("L1", at(6), 10.0, 1000.0),
            MeterReading("L1", at(10), 10.0, 1040.0),
            MeterReading("L1", at(13), 0.0, 1040.5),
            MeterReading("L1", at(15), 10.0, 2.0),
            MeterReading("L1", at(22), 10.0, 72.0),
        ]
    )

    got = load_kpis(store, at(0), at(0, day=7), "day", enterprise_id="E1")
    assert got.plan_version is not None and got.plan_version.version == 1  # the baseline
    t = got.report.total("line", "L1")
    assert t.shift_h == pytest.approx(16.0)
    assert t.losses_h["grid"] == pytest.approx(3.0)
    assert t.availability == pytest.approx(13 / 16)
    assert t.performance == pytest.approx((775 / 60) / 13)  # 240 + 310 + 225 units in 13 h
    assert t.quality == pytest.approx(755 / 775)
    assert t.oee == pytest.approx((755 / 60) / 16)  # 0.7865
    assert t.kwh == pytest.approx(40 + 0.5 + 2 + 70)
    assert t.kwh_per_unit == pytest.approx(112.5 / 755)
    assert t.litres == pytest.approx(12.0)
    assert t.planned_qty == pytest.approx(840.0)
    assert t.planned_kwh == pytest.approx(10 * 14)
    assert t.value == pytest.approx(535 * 2.0 + 220 * 1.0)
    assert t.planned_value == pytest.approx(540 * 2.0 + 300 * 1.0)
    assert got.report.total("enterprise", "E1") == got.report.total("plant", "P1")
    (product,) = got.report.products
    # energy while baking: 06-10 40 kWh; 13:00-18:10 2 (to the swap) + 19/6 h * 10; 18:15-22 37.5
    assert product.kwh == pytest.approx(40 + (2 + 10 * (3 + 10 / 60)) + 37.5)
    assert product.litres_per_unit == pytest.approx(12 / 755)
    orders = {o.order_id: o for o in got.report.orders}
    assert (orders["O1"].status, orders["O1"].made_to_date) == ("overdue", 535.0)  # 5 short
    assert orders["O2"].status == "open"

    page = render_enterprise_report(got.report, "Panificadora", "day", "USD", "America/Havana")
    html = atomic_write_text(tmp_path / "e1.html", page)
    xlsx = atomic_write_bytes(
        tmp_path / "e1.xlsx", render_enterprise_xlsx(got.report, "America/Havana")
    )
    page = html.read_text(encoding="utf-8")
    assert page.count("<script") >= 1 and "78.6%" in page and "1,290" in page
    assert "downtime before due: grid 3.0 h" in page
    sheet = load_workbook(xlsx)["Summary"]
    heads = [c.value for c in sheet[1]]
    plant = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "plant")
    assert plant[heads.index("OEE")] == pytest.approx((755 / 60) / 16)
    assert plant[heads.index("grid h")] == pytest.approx(3.0)

    runner = CliRunner()
    shown = runner.invoke(
        app,
        ["--db", db_url, "kpi", "--enterprise", "E1", "--from", "2026-04-06", "--to", "2026-04-06"],
        env={"COLUMNS": "200"},
    )
    assert shown.exit_code == 0, shown.output
    assert "78.6%" in shown.output and "81.2%" in shown.output and "1,290" in shown.output
    made = runner.invoke(
        app,
        [
            "--db",
            db_url,
            "report",
            "enterprise",
            "E1",
            "--period",
            "2026-04",
            "--out",
            str(tmp_path / "rep"),
        ],
    )
    assert made.exit_code == 0, made.output
    assert (tmp_path / "rep" / "enterprise-E1-2026-04.xlsx").exists()
