"""HTML report and Excel workbook of a small hand-made plan, written to tmp_path."""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

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
    PriorityClass,
    Product,
    Solar,
    Step,
    Window,
)
from ingenio.formats.atomic import atomic_write, atomic_write_bytes, atomic_write_text
from ingenio.planning.summary import summarise, tank_levels
from ingenio.reports.excel import render_plan_xlsx, sheet_names
from ingenio.reports.plan import render_plan_report
from ingenio.reports.style import CSS

ORIGIN = datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana"))
LONG = "Fábrica de Envases: Latas/Tapas [Oeste] número"
SHIFTS = (Window(360, 1320), Window(1800, 2760))


def portfolio() -> Portfolio:
    p1 = Plant(
        "P1", "Planta Uno", "E1", "B1", 100.0,
        (Line("L1", "Mixer", "P1", SHIFTS), Line("L2", "Packer", "P1", SHIFTS)),
        generators=(Generator("G1", "Genset 1", "P1", 50.0, 0.3, 0.08, 0.25),),
        tank=FuelTank(capacity_l=500.0, stock_l=100.0, reserve_l=20.0),
    )  # fmt: skip
    p2 = Plant(
        "P2", f"{LONG} 2", "E2", "B2", 60.0, (Line("L3", "Press", "P2", SHIFTS),),
        solar=Solar(tuple(30.0 if 9 <= h < 16 else 0.0 for h in range(24))),
    )  # fmt: skip
    p3 = Plant("P3", f"{LONG} 3", "E2", "B2", 60.0, (Line("L4", "Oven", "P3", SHIFTS),))
    products = (
        Product("X", "Pasta", "food", (Step("mix", ("L1",), 10, 40), Step("pk", ("L2",), 20, 10))),
        Product("Y", "Latas", "cans", (Step("press", ("L3",), 10, 25),)),
        Product("Z", "Pan", "food", (Step("bake", ("L4",), 10, 30),)),
    )  # fmt: skip
    orders = (
        Order("O1", "X", 40, 0, 1440, 5.0, PriorityClass.ESSENTIAL),
        Order("O2", "Y", 20, 0, 700, 5.0, PriorityClass.EXPORT),
        Order("O3", "Z", 30, 0, 1000, 10.0),
        Order("O4", "X", 10, 0, 2000, 1.0),
    )
    return Portfolio(
        name="Tiny <Demo>",
        horizon=Horizon(ORIGIN, 2, 15),
        enterprises=(Enterprise("E1", "Alimentos SA"), Enterprise("E2", "Envases SA")),
        plants=(p1, p2, p3),
        blocks=(
            Block("B1", "Bloque 1", (OutageWindow(Window(600, 840)),)),
            Block("B2", "Bloque 2", (OutageWindow(Window(1000, 1200), 0.7),)),
        ),
        products=products,
        orders=orders,
        depots=(Depot("D1", "Depot Norte", 300.0),),
        deliveries=(
            FuelDelivery("F1", 10.0, 2000, 1900, 2100, "P1"),
            FuelDelivery("F2", 100.0, 300, 300, 400, "D1"),
        ),
    )


def plan() -> Plan:
    return Plan(
        planner="hand",
        operations=(
            Operation("O1", 0, "L1", 480, 720, 40),
            Operation("O1", 1, "L2", 840, 900, 20),
            Operation("O1", 1, "L2", 930, 990, 20),
            Operation("O2", 0, "L3", 600, 720, 20),
        ),
        generator_runs=(GeneratorRun("G1", 600, 720, 40.0),),
        fuel_transfers=(FuelTransfer("D1", "P1", 1200, 30.0),),
        outcomes=(
            OrderOutcome("O1", OrderStatus.ON_TIME, 990, 0, 200.0),
            OrderOutcome("O2", OrderStatus.LATE, 720, 20, 99.86, "waited for the press"),
            OrderOutcome("O3", OrderStatus.UNSCHEDULED, None, 0, 0.0, "oven needs grid"),
            OrderOutcome("O4", OrderStatus.UNSCHEDULED, None, 0, 0.0, "no line time"),
        ),
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("report")
    pf, pl = portfolio(), plan()
    summary = summarise(pf, pl)
    html = atomic_write_text(out / "report.html", render_plan_report(pf, pl, summary))
    xlsx = atomic_write_bytes(out / "sub" / "plan.xlsx", render_plan_xlsx(pf, pl, summary))
    return html, xlsx


def test_report_is_one_self_contained_page(written: tuple[Path, Path]) -> None:
    html_path, _ = written
    html = html_path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Tiny &lt;Demo&gt;" in html and "Tiny <Demo>" not in html
    for name in ("Planta Uno", f"{LONG} 2", f"{LONG} 3"):
        assert name in html
    assert html.count("* plotly.js v") == 1
    assert html.count('class="plotly-graph-div"') == 3
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", html)
    assert "waited for the press" in html and "oven needs grid" in html
    assert "load at the limit in 50% of grid-off hours" in html
    assert html_path.stat().st_size < 6_000_000
    assert [p.name for p in html_path.parent.iterdir() if p.is_file()] == ["report.html"]


def test_workbook_sheets_and_rows(written: tuple[Path, Path]) -> None:
    _, xlsx = written
    wb = load_workbook(xlsx)
    assert wb.sheetnames[0] == "Summary" and wb.sheetnames[-2:] == ["Orders", "Fuel"]
    plants = wb.sheetnames[1:-2]
    assert plants[0] == "Planta Uno" and len(plants) == 3
    assert all(len(n) <= 31 for n in wb.sheetnames)
    assert len({n.casefold() for n in wb.sheetnames}) == 6
    assert [wb[n].max_row for n in plants] == [1 + 3, 1 + 1, 1]
    assert wb["Orders"].max_row == 1 + 4
    pf, pl = portfolio(), plan()
    levels = sum(len(tank_levels(pf, pl, p.id)) for p in pf.plants)
    assert wb["Fuel"].max_row == 1 + 1 + 2 + 1 + levels  # transfer, deliveries, run, levels
    assert wb["Summary"].max_row >= 1 + 3 + 1
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.b
        assert ws.column_dimensions["A"].width > 4


def test_workbook_times_are_local_naive_datetimes(written: tuple[Path, Path]) -> None:
    _, xlsx = written
    wb = load_workbook(xlsx)
    ws = wb["Planta Uno"]
    header = [c.value for c in ws[1]]
    first = dict(zip(header, (c.value for c in ws[2]), strict=True))
    assert first["start"] == datetime(2026, 4, 6, 8, 0)
    assert first["end"] == datetime(2026, 4, 6, 12, 0)
    assert (first["line"], first["order"], first["quantity"]) == ("Mixer", "O1", 40)
    orders = {r[0]: r for r in wb["Orders"].iter_rows(min_row=2, values_only=True)}
    assert orders["O2"][7] == "late" and orders["O2"][9] == pytest.approx(20 / 60)
    assert orders["O3"][-1] == "oven needs grid"


def test_sheet_names_are_valid_and_unique() -> None:
    names = sheet_names(["a/b:c", "x" * 40, "x" * 40, "summary"], taken=["Summary"])
    assert names[0] == "a_b_c"
    assert names[1] == "x" * 31 and names[2] == "x" * 27 + " (2)"
    assert names[3] == "summary (2)"


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old")

    def broken(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_reports_render_to_text_and_bytes_without_a_file(tmp_path: Path) -> None:
    """The render seam: a page as str with the one stylesheet, a workbook as bytes."""
    pf, pl = portfolio(), plan()
    summary = summarise(pf, pl)
    page = render_plan_report(pf, pl, summary)
    assert page.startswith("<!DOCTYPE html>") and f"<style>{CSS}</style>" in page
    data = render_plan_xlsx(pf, pl, summary)
    assert data[:2] == b"PK"  # a zip: the .xlsx container
    sheets = load_workbook(BytesIO(data)).sheetnames
    assert sheets[0] == "Summary" and sheets[-2:] == ["Orders", "Fuel"]
    written = atomic_write_bytes(tmp_path / "plan.xlsx", data)
    assert written.read_bytes() == data and written.stat().st_mode & 0o777 == 0o644
