"""The actuals template and reading filled sheets back (Excel and CSV); the records' checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from ingenio.domain import DomainError
from ingenio.formats.actuals.columns import SPECS
from ingenio.formats.actuals.sheet import INSTRUCTIONS, read_actuals, write_template
from ingenio.operations.actuals import (
    DowntimeCause,
    DowntimeEvent,
    FuelDraw,
    FuelReceipt,
    MeterReading,
    ProductionRecord,
    energy_kwh,
)

HAVANA = ZoneInfo("America/Havana")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 4, day, hour, minute, tzinfo=HAVANA)


def messages(exc: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return str(exc.value).splitlines()


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "actuals.xlsx"
    assert write_template(path) == [path]
    return path


# -- the template -------------------------------------------------------------------------


def test_template_has_a_sheet_per_kind_headers_and_a_cause_list(template: Path) -> None:
    wb = load_workbook(template)
    assert wb.sheetnames == [INSTRUCTIONS, *(s.title for s in SPECS)]
    for spec in SPECS:
        ws = wb[spec.title]
        assert [c.value for c in ws[1]] == [c.name for c in spec.columns]
        assert str(ws.cell(2, 1).value).startswith("#")  # the example row is a comment
    rules = wb["Downtime"].data_validations.dataValidation
    assert len(rules) == 1 and rules[0].type == "list"
    assert all(c.value in rules[0].formula1 for c in DowntimeCause)
    assert "B3:B10000" in str(rules[0].sqref)
    zone_row = [r for r in wb[INSTRUCTIONS].iter_rows(values_only=True) if r[0] == "time zone"]
    assert zone_row[0][1] == "America/Havana"
    assert read_actuals(template).empty  # the example rows are not data


def test_template_round_trip(template: Path) -> None:
    wb = load_workbook(template)
    wb["Production"].append(
        ["R1", "rebar", "O-1", 400, None, datetime(2026, 4, 6, 8), datetime(2026, 4, 6, 14, 30)]
    )
    wb["Production"].append([None] * 7)  # blank rows are skipped
    times = ["2026-04-06T09:00-04:00", "2026-04-06 10:00"]
    wb["Production"].append(["R2", 7, None, "50.5", 2, *times])
    wb["Downtime"].append(["R1", "Grid outage", datetime(2026, 4, 6, 10), datetime(2026, 4, 6, 14)])
    wb["Fuel receipts"].append(["P1", 12000, datetime(2026, 4, 7, 6), "tanker T-7"])
    wb["Fuel draws"].append(["G1", 180.5, "2026-04-07T12:00Z"])
    wb["Meter readings"].append(["R1", datetime(2026, 4, 6, 8), 310, 1250400])
    wb["Meter readings"].append(["R1", datetime(2026, 4, 6, 8, 15), 305.5, 1250478.5])
    wb.save(template)

    batch = read_actuals(template)

    assert batch.production == (
        ProductionRecord("R1", "rebar", "O-1", 400.0, 0.0, local(6, 8), local(6, 14, 30)),
        ProductionRecord("R2", "7", None, 50.5, 2.0, local(6, 9), local(6, 10)),
    )
    assert batch.downtime == (
        DowntimeEvent("R1", DowntimeCause.GRID_OUTAGE, local(6, 10), local(6, 14)),
    )
    assert batch.fuel_receipts == (FuelReceipt("P1", 12000.0, local(7, 6), "tanker T-7"),)
    assert batch.fuel_draws == (FuelDraw("G1", 180.5, datetime(2026, 4, 7, 12, tzinfo=UTC)),)
    assert batch.meter_readings == (
        MeterReading("R1", local(6, 8), 310.0, 1250400.0),
        MeterReading("R1", local(6, 8, 15), 305.5, 1250478.5),
    )
    assert batch.production[0].start == datetime(2026, 4, 6, 12, tzinfo=UTC)
    assert batch.sources["downtime"] == "actuals.xlsx:Downtime"
    assert batch.counts()["meter_readings"] == 2


def test_timezone_option_wins_over_the_instructions_sheet(template: Path) -> None:
    wb = load_workbook(template)
    wb["Fuel draws"].append(["G1", 10, datetime(2026, 4, 6, 8)])
    wb.save(template)
    (draw,) = read_actuals(template, timezone="Africa/Johannesburg").fuel_draws
    assert draw.at == datetime(2026, 4, 6, 6, tzinfo=UTC)


# -- refused whole ------------------------------------------------------------------------


def test_a_bad_row_refuses_the_whole_file_and_names_row_and_column(template: Path) -> None:
    wb = load_workbook(template)
    ws = wb["Downtime"]
    ws.append(["R1", "grid_outage", datetime(2026, 4, 6, 8), datetime(2026, 4, 6, 9)])  # row 3
    ws.append(["R1", "lightning", datetime(2026, 4, 6, 8), datetime(2026, 4, 6, 7)])  # row 4
    ws.append(["R2", "no_fuel", "yesterday", datetime(2026, 4, 6, 7)])  # row 5
    wb["Production"].append(["R1", "rebar", None, -3, None, "2026-04-06 08:00", "2026-04-06 07:00"])
    wb["Meter readings"].append(["R1", datetime(2026, 4, 6, 8), "many", None])
    wb.save(template)

    with pytest.raises(DomainError) as caught:
        read_actuals(template)

    assert messages(caught) == [
        "actuals.xlsx: Production row 3, column good_qty: must be a non-negative number (got -3)",
        "actuals.xlsx: Production row 3, column end: must be after the start "
        "(got '2026-04-06 07:00')",
        "actuals.xlsx: Downtime row 4, column cause: unknown cause (got 'lightning')",
        "actuals.xlsx: Downtime row 4, column end: must be after the start "
        "(got '2026-04-06 07:00')",
        "actuals.xlsx: Downtime row 5, column start: must be a date and time like "
        "2026-04-06 08:00 (got 'yesterday')",
        "actuals.xlsx: Meter readings row 3, column kw: must be a number (got 'many')",
        "actuals.xlsx: Meter readings row 3, column kwh: required",
    ]
    assert caught.value.source == "actuals.xlsx"


def test_headers_and_sheets_are_checked(template: Path) -> None:
    wb = load_workbook(template)
    ws = wb["Fuel draws"]
    ws.cell(1, 2).value = "liters"
    wb.create_sheet("Notes").append(["anything"])
    wb.save(template)
    with pytest.raises(DomainError) as caught:
        read_actuals(template)
    assert messages(caught) == [
        "actuals.xlsx: Fuel draws row 1, column liters: unknown column",
        "actuals.xlsx: Fuel draws row 1, column litres: missing column",
        "actuals.xlsx: Notes sheet: unknown sheet (expected Production, Downtime, "
        "Fuel receipts, Fuel draws, Meter readings)",
    ]


def test_not_a_sheet(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match=r"must be an Excel workbook"):
        read_actuals(tmp_path / "actuals.ods")
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a zip")
    with pytest.raises(DomainError, match=r"^broken.xlsx: \(file\): cannot be read"):
        read_actuals(broken)


# -- CSV ----------------------------------------------------------------------------------


def test_csv_template_and_kind_found_by_header(tmp_path: Path) -> None:
    written = write_template(tmp_path / "csv", "csv")
    assert [p.name for p in written] == [s.csv_name for s in SPECS]
    downtime = tmp_path / "csv" / "downtime.csv"
    with downtime.open("a", encoding="utf-8") as f:
        f.write("R2,no_fuel,2026-04-06 10:00,2026-04-06 11:00,\n")
    (event,) = read_actuals(downtime, timezone="America/Havana").downtime
    assert event == DowntimeEvent("R2", DowntimeCause.NO_FUEL, local(6, 10), local(6, 11))

    with pytest.raises(DomainError) as caught:
        read_actuals(downtime)  # no zone: local times are refused, cell by cell
    assert len(messages(caught)) == 2
    assert messages(caught)[0].startswith(
        "downtime.csv: Downtime row 3, column start: has no UTC offset"
    )


def test_csv_with_semicolons_and_field_names(tmp_path: Path) -> None:
    path = tmp_path / "lecturas.csv"
    path.write_text(
        "\ufeffline_id;at;kw;kwh\nR1;2026-04-06T08:00-04:00;310;1000\nR1;2026-04-06T08:15-04:00;300;1078\n",
        encoding="utf-8",
    )
    batch = read_actuals(path)
    assert [r.kwh for r in batch.meter_readings] == [1000.0, 1078.0]
    assert batch.sources == {"meter_readings": "lecturas.csv"}

    unknown = tmp_path / "other.csv"
    unknown.write_text("when,what\n1,2\n", encoding="utf-8")
    with pytest.raises(DomainError, match=r"the header matches no kind of actuals"):
        read_actuals(unknown)


# -- the records check themselves ---------------------------------------------------------


def test_records_refuse_impossible_values() -> None:
    with pytest.raises(DomainError) as caught:
        ProductionRecord("", "P", None, -1, float("nan"), local(6, 9), local(6, 8))
    assert [i.path for i in caught.value.issues] == ["line_id", "good_qty", "scrap_qty", "end"]
    with pytest.raises(DomainError, match="time zone or an offset"):
        FuelDraw("G1", 10, datetime(2026, 4, 6, 8))
    with pytest.raises(DomainError, match="unknown cause"):
        DowntimeEvent("R1", "lightning", local(6, 8), local(6, 9))  # type: ignore[arg-type]
    event = DowntimeEvent("R1", "no_labour", local(6, 8), local(6, 9))  # type: ignore[arg-type]
    assert event.cause is DowntimeCause.NO_LABOUR
    assert event.start.tzinfo is UTC and event.minutes == 60


def test_energy_from_the_meter_register() -> None:
    t = datetime(2026, 4, 6, tzinfo=timezone(timedelta(hours=-4)))
    values = [100.0, 130.0, 5.0, 25.0]  # the meter was replaced after the second reading
    readings = [
        MeterReading("R1", t + timedelta(minutes=15 * i), 1, v) for i, v in enumerate(values)
    ]
    assert energy_kwh(reversed(readings)) == 30 + 5 + 20
    assert energy_kwh(readings[:1]) == 0.0
