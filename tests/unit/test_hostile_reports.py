"""Issue 15, items 1-3: text from a portfolio never runs as script, never fires as a
formula, never writes outside ``--out``.

A copy of ``fixtures/small.yaml`` carries script, markup, formula and path payloads in
every id and name; the pages are parsed (``html.parser``) and every cell of the
workbooks read back (openpyxl).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hostile import (
    PAYLOADS,
    cell_texts,
    files_under,
    formula_cells,
    live_script_problems,
    page_text,
    payload_doc,
)

from ingenio.domain import Plan, Portfolio
from ingenio.formats.atomic import MAX_NAME, atomic_write_text, out_path, safe_name
from ingenio.formats.portfolio import parse_portfolio
from ingenio.operations.actuals import DowntimeCause, DowntimeEvent
from ingenio.operations.kpi import KpiReport, compute_kpis
from ingenio.planning.dispatch import dispatch
from ingenio.planning.summary import summarise
from ingenio.reports.enterprise import render_enterprise_report
from ingenio.reports.excel import render_enterprise_xlsx, render_plan_xlsx
from ingenio.reports.html import dom_id, figure_div
from ingenio.reports.plan import render_plan_report
from ingenio.reports.scenarios import render_scenarios_report
from ingenio.scenarios.montecarlo import run_samples

HAVANA = ZoneInfo("America/Havana")


@pytest.fixture(scope="module")
def hostile() -> tuple[Portfolio, Plan]:
    portfolio = parse_portfolio(payload_doc(), "hostile.yaml")
    return portfolio, dispatch(portfolio)


def _kpis(portfolio: Portfolio, plan: Plan) -> KpiReport:
    line = portfolio.plants[0].lines[0]
    start, end = datetime(2026, 4, 6, 7, tzinfo=HAVANA), datetime(2026, 4, 6, 9, tzinfo=HAVANA)
    stop = DowntimeEvent(line.id, DowntimeCause.BREAKDOWN, start, end, PAYLOADS[0] + PAYLOADS[3])
    return compute_kpis(portfolio, datetime(2026, 4, 6, tzinfo=HAVANA),
                        datetime(2026, 4, 13, tzinfo=HAVANA), "day", downtime=[stop], plan=plan,
                        enterprise_id=portfolio.enterprises[0].id)  # fmt: skip


def test_the_plan_report_runs_no_script_from_the_file(hostile: tuple[Portfolio, Plan]) -> None:
    portfolio, plan = hostile
    html = render_plan_report(portfolio, plan, summarise(portfolio, plan))
    assert live_script_problems(html) == []
    text = page_text(html)
    for plant in portfolio.plants:  # shown as written, as text
        assert plant.name in text
    assert portfolio.name in text


def test_the_enterprise_report_runs_no_script_from_the_file(
    hostile: tuple[Portfolio, Plan],
) -> None:
    portfolio, plan = hostile
    report = _kpis(portfolio, plan)
    name = portfolio.enterprises[0].name
    html = render_enterprise_report(report, name, f"portfolio {portfolio.name}", "USD",
                                    "America/Havana")  # fmt: skip
    assert live_script_problems(html) == []
    assert PAYLOADS[0] + PAYLOADS[3] in page_text(html)  # the downtime note, as text
    assert name in page_text(html)
    plan_page = render_plan_report(portfolio, plan, summarise(portfolio, plan), kpis=report)
    assert live_script_problems(plan_page) == []


def test_the_scenarios_report_runs_no_script_from_the_file(
    hostile: tuple[Portfolio, Plan],
) -> None:
    portfolio, plan = hostile
    result = run_samples(portfolio, 2, seed=1, base_plan=plan)
    html = render_scenarios_report(portfolio, result)
    assert live_script_problems(html) == []
    assert portfolio.name in page_text(html)


def test_a_figure_div_refuses_an_id_that_is_not_derived() -> None:
    import plotly.graph_objects as go

    with pytest.raises(ValueError, match="div id"):
        figure_div(go.Figure(), 'x"></div><script>alert(1)</script>')
    assert dom_id("plant", PAYLOADS[0]) != dom_id("plant", PAYLOADS[1])
    assert dom_id("plant", PAYLOADS[0]) == dom_id("plant", PAYLOADS[0])


def test_no_formula_fires_in_the_plan_workbook(hostile: tuple[Portfolio, Plan]) -> None:
    portfolio, plan = hostile
    data = render_plan_xlsx(portfolio, plan, summarise(portfolio, plan))
    assert formula_cells(data) == []
    texts = cell_texts(data)
    for order in portfolio.orders:  # kept exactly, as text
        assert order.id in texts
    for product in portfolio.products:
        assert product.name in texts


def test_no_formula_fires_in_the_enterprise_workbook(hostile: tuple[Portfolio, Plan]) -> None:
    portfolio, plan = hostile
    data = render_enterprise_xlsx(_kpis(portfolio, plan), "America/Havana")
    assert formula_cells(data) == []
    assert PAYLOADS[0] + PAYLOADS[3] in cell_texts(data)
    assert any(p.name in cell_texts(data) for p in portfolio.plants)


TRAVERSALS = [
    "../../x",
    "..\\..\\x",
    "/abs/olute",
    "a//b",
    "a/../../b",
    "con",
    "NUL.txt",
    "quo\"te's<and>|pipes?*",
    ".hidden",
    "..",
    ".",
    "",
    "/",
    "\x00\x01\n",
    "é" * 300,
    "x" * 5000,
    "enterprise-../../../etc/passwd-2026-04",
]


@pytest.mark.parametrize("name", TRAVERSALS)
def test_every_file_named_from_an_id_lands_inside_out(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for suffix in (".html", ".xlsx"):
        atomic_write_text(out_path(out, name, suffix), "x")
    written = files_under(tmp_path)
    assert len(written) == 2
    for path in written:
        assert path.parent == out
        assert len(path.name) <= MAX_NAME + len(".html")
        assert not path.name.startswith(".")


def test_safe_names_keep_plain_ids_and_never_collide() -> None:
    assert safe_name("enterprise-ALI-2026-04") == "enterprise-ALI-2026-04"
    names = [safe_name(n) for n in TRAVERSALS] + [safe_name("a/b"), safe_name("a\\b")]
    assert len(set(names)) == len(names)
    assert safe_name("x" * 5000) != safe_name("x" * 4999)


def test_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").symlink_to(tmp_path / "elsewhere.html")
    with pytest.raises(ValueError, match="outside"):
        out_path(out, "report", ".html")
