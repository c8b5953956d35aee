"""The actuals commands end to end: record, template, import-actuals, plans, audit."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ingenio.cli.main import app
from ingenio.data.demo import build_demo_portfolio
from ingenio.operations.plandiff import Change, diff_plans
from ingenio.services.plans import PlanOutcome, make_plan, save_versions
from ingenio.store import Store

runner = CliRunner()


def ingenio(db: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db, *args], env=env)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def outcomes() -> tuple[PlanOutcome, PlanOutcome]:
    """The demo planned, then planned again without its fuel deliveries."""
    portfolio = build_demo_portfolio()
    return make_plan(portfolio, "dispatch"), make_plan(
        dataclasses.replace(portfolio, deliveries=()), "dispatch"
    )


def test_record_each_kind_once(store_url: str) -> None:
    production = [
        "record", "production", "--line", "ACE-LAM", "--product", "rebar", "--order", "ACE-001",
        "--good", "420", "--scrap", "12", "--start", "2026-04-06T08:00", "--end",
        "2026-04-06T14:30", "--timezone", "America/Havana",
    ]  # fmt: skip
    code, out = ingenio(store_url, *production)
    assert code == 0, out
    assert "recorded 1 production record" in out
    code, out = ingenio(store_url, *production)
    assert code == 0 and "already recorded: nothing new" in out

    downtime = ["record", "downtime", "--line", "ACE-LAM", "--cause", "grid_outage"]
    downtime += ["--start", "2026-04-06T10:00", "--end", "2026-04-06T14:00", "--note", "bloque 1"]
    code, out = ingenio(store_url, *downtime, env={"INGENIO_TIMEZONE": "America/Havana"})
    assert code == 0 and "recorded 1 downtime event" in out, out

    fuel = ["record", "fuel", "--litres", "12000", "--at", "2026-04-07T06:00-04:00"]
    code, out = ingenio(store_url, *fuel, "--receipt", "--site", "P-ACE", "--note", "tanker T-7")
    assert code == 0 and "recorded 1 fuel receipt" in out, out
    code, out = ingenio(store_url, *fuel, "--draw", "--generator", "G-ACE-1")
    assert code == 0 and "recorded 1 fuel draw" in out, out

    with Store.open(store_url) as store:
        (record,) = store.list_production()
        (event,) = store.list_downtime()
        assert record.start.isoformat() == "2026-04-06T12:00:00+00:00"
        assert (record.order_id, record.good_qty, record.scrap_qty) == ("ACE-001", 420.0, 12.0)
        assert (event.cause.value, event.note) == ("grid_outage", "bloque 1")
        assert store.list_fuel_receipts("P-ACE")[0].litres == 12000.0
        assert store.list_fuel_draws("G-ACE-1")[0].litres == 12000.0


def test_record_refuses_bad_input_with_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite")
    base = ["record", "downtime", "--line", "R1", "--start", "2026-04-06T10:00"]
    code, out = ingenio(db, *base, "--end", "2026-04-06T11:00", "--cause", "grid_outage")
    assert code == 1 and "has no UTC offset" in out and "--timezone" in out
    code, out = ingenio(db, *base, "--end", "2026-04-06T09:00", "--cause", "breakdown",
                        "--timezone", "America/Havana")  # fmt: skip
    assert code == 1 and "end: must be after the start" in out and "nothing was written" in out
    code, out = ingenio(db, *base, "--end", "2026-04-06T11:00", "--cause", "lightning")
    assert code == 2 and "lightning" in out  # not one of the causes
    code, out = ingenio(db, "record", "fuel", "--litres", "5", "--at", "2026-04-06T10:00Z")
    assert code == 1 and "give exactly one of --receipt and --draw" in out
    code, out = ingenio(db, "record", "fuel", "--draw", "--litres", "5", "--at", "2026-04-06")
    assert code == 1 and "--draw needs --generator" in out


def test_template_then_import_twice(store_url: str, tmp_path: Path) -> None:
    sheet = tmp_path / "actuals.xlsx"
    code, out = ingenio(store_url, "template", "actuals", "--out", str(sheet))
    assert code == 0 and sheet.exists(), out
    wb = load_workbook(sheet)
    wb["Downtime"].append(["R1", "no_fuel", datetime(2026, 4, 6, 8), datetime(2026, 4, 6, 9)])
    wb["Downtime"].append(["R2", "breakdown", datetime(2026, 4, 6, 8), datetime(2026, 4, 6, 12)])
    for minute in range(0, 60, 15):
        wb["Meter readings"].append(["R1", datetime(2026, 4, 6, 8, minute), 300, 1000 + minute])
    wb.save(sheet)

    code, out = ingenio(store_url, "import-actuals", str(sheet))
    assert code == 0, out
    assert "6 new row(s) stored from actuals.xlsx" in out
    assert "downtime" in out and "meter readings" in out
    code, out = ingenio(store_url, "import-actuals", str(sheet))
    assert code == 0 and "nothing new" in out, out

    with Store.open(store_url) as store:
        assert store.actuals_counts()["meter_readings"] == 4
        assert store.list_downtime()[0].start.isoformat() == "2026-04-06T12:00:00+00:00"

    code, out = ingenio(store_url, "audit", "--entity", "downtime_events")
    assert code == 0 and "actuals.xlsx:Downtime" in out, out
    code, out = ingenio(store_url, "audit", "--since", "2999-01-01")
    assert code == 0 and "no audit entries" in out


def test_a_bad_sheet_is_refused_whole(tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite")
    sheet = tmp_path / "actuals.xlsx"
    assert ingenio(db, "template", "actuals", "--out", str(sheet))[0] == 0
    wb = load_workbook(sheet)
    wb["Downtime"].append(["R1", "no_fuel", datetime(2026, 4, 6, 8), datetime(2026, 4, 6, 9)])
    wb["Downtime"].append(["R1", "lightning", datetime(2026, 4, 6, 8), datetime(2026, 4, 6, 9)])
    wb.save(sheet)
    code, out = ingenio(db, "import-actuals", str(sheet))
    assert code == 1
    assert "actuals.xlsx: Downtime row 4, column cause: unknown cause (got 'lightning')" in out
    assert "nothing was written" in out
    with Store.open(f"sqlite:///{db}") as store:
        assert set(store.actuals_counts().values()) == {0}
    code, out = ingenio(db, "import-actuals", str(tmp_path / "missing.xlsx"))
    assert code == 1 and "no such file" in out


def test_csv_template_and_import(tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite")
    folder = tmp_path / "csv"
    code, out = ingenio(db, "template", "actuals", "--format", "csv", "--out", str(folder))
    assert code == 0 and "fuel_draws.csv" in out, out
    draws = folder / "fuel_draws.csv"
    draws.write_text(draws.read_text() + "G1,180,2026-04-06 14:30\n")
    code, out = ingenio(db, "import-actuals", str(draws), "--timezone", "America/Havana")
    assert code == 0 and "1 new row(s)" in out, out


def test_plans_list_and_diff(
    store_url: str, outcomes: tuple[PlanOutcome, PlanOutcome], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INGENIO_ACTOR", "planner-1")
    with Store.open(store_url) as store:
        (_, first), (_, second) = (save_versions(store, o) for o in outcomes)

    code, out = ingenio(store_url, "plans", "list")
    assert code == 0, out
    assert "plans of Meridian Caribe" in out and "dispatch" in out and "feasible" in out
    assert f"{outcomes[0].plan.value:,.0f}" in out and f"{outcomes[1].plan.value:,.0f}" in out
    code, out = ingenio(store_url, "plans", "list", "--portfolio", "nobody")
    assert code == 0 and "no plans saved for 'nobody'" in out

    code, out = ingenio(store_url, "plans", "diff", str(first.id), str(second.id))
    assert code == 0, out
    diff = diff_plans(outcomes[0].plan, outcomes[1].plan)
    assert diff.of(Change.DROPPED) and diff.of(Change.BECAME_LATE)
    assert f"{len(diff.changes)} order(s) changed, {diff.unchanged} unchanged" in out
    assert f"dropped: unscheduled now ({len(diff.of(Change.DROPPED))})" in out
    assert f"became late ({len(diff.of(Change.BECAME_LATE))})" in out
    for change in diff.of(Change.DROPPED):
        assert change.order_id in out
    code, out = ingenio(store_url, "plans", "diff", str(first.id), "999")
    assert code == 1 and "no plan with id 999" in out

    code, out = ingenio(store_url, "audit", "--entity", "plan")
    assert code == 0 and "planner-1" in out and "save" in out
