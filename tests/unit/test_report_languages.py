"""Issue 11, item 9: the HTML and Excel reports in Spanish, Russian and English.

Headings, labels and sheet names come from the ``reports`` catalogue; numbers and times
are written in the locale (HTML) or stay numeric cells (Excel); text from the portfolio
stays text in every language, and in the inline SVG charts of the web-served page.
"""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from hostile import ALLOWED_TAGS, DERIVED_ID, PAYLOADS, formula_cells, page_text, payload_doc
from openpyxl import load_workbook

from ingenio.domain import Plan, Portfolio
from ingenio.formats.portfolio import parse_portfolio
from ingenio.i18n import translator
from ingenio.operations.actuals import DowntimeCause, DowntimeEvent
from ingenio.operations.kpi import KpiReport, compute_kpis
from ingenio.planning.dispatch import dispatch
from ingenio.planning.summary import summarise
from ingenio.reports.enterprise import render_enterprise_report
from ingenio.reports.excel import render_enterprise_xlsx, render_plan_xlsx
from ingenio.reports.html import num, pct, word
from ingenio.reports.plan import render_plan_report
from ingenio.reports.scenarios import render_scenarios_report
from ingenio.scenarios.montecarlo import run_samples

HAVANA = ZoneInfo("America/Havana")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
PLAN_HEADINGS = ["Plants", "What binds", "Late and unscheduled orders", "Depots"]
KPI_HEADINGS = ["Output and value against plan", "OEE and its losses", "Downtime by cause",
                "Energy and fuel per unit", "Worst stops"]  # fmt: skip
SVG_TAGS = frozenset("svg g path defs clippath use rect text tspan title desc metadata".split())


@pytest.fixture(scope="module")
def hostile() -> tuple[Portfolio, Plan]:
    portfolio = parse_portfolio(payload_doc(), "hostile.yaml")
    return portfolio, dispatch(portfolio)


@pytest.fixture(scope="module")
def kpis(hostile: tuple[Portfolio, Plan]) -> KpiReport:
    portfolio, plan = hostile
    line = portfolio.plants[0].lines[0]
    start, end = datetime(2026, 4, 6, 7, tzinfo=HAVANA), datetime(2026, 4, 6, 9, tzinfo=HAVANA)
    stop = DowntimeEvent(line.id, DowntimeCause.GRID_OUTAGE, start, end, PAYLOADS[0])
    return compute_kpis(portfolio, datetime(2026, 4, 6, tzinfo=HAVANA),
                        datetime(2026, 4, 13, tzinfo=HAVANA), "day", downtime=[stop], plan=plan,
                        enterprise_id=portfolio.enterprises[0].id)  # fmt: skip


def headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[123][^>]*>(.*?)</h[123]>", html)]


@pytest.mark.parametrize("lang", ["es", "ru"])
def test_the_plan_report_speaks_the_language(hostile: tuple[Portfolio, Plan], lang: str) -> None:
    portfolio, plan = hostile
    summary = summarise(portfolio, plan)
    html = render_plan_report(portfolio, plan, summary, lang=lang)
    assert f'<html lang="{lang}">' in html
    shown = headings(html)
    for english in PLAN_HEADINGS:
        assert not any(h.startswith(english) for h in shown), (lang, english)
    t = translator(lang)
    assert t.gettext("Plants") in shown and t.gettext("What binds") in shown
    if lang == "ru":
        assert CYRILLIC.search(" ".join(shown))
    else:
        assert "Plantas" in shown
    # the totals in the locale: es 1.234,5, ru 1 234,5 (no-break space)
    line_hours = num(summary.total_line_hours, 1, lang)
    assert line_hours == t.number(summary.total_line_hours, 1) and "," in line_hours
    assert f"<td>{line_hours}</td>" in html
    for plant in portfolio.plants:  # text from the file, shown as written
        assert plant.name in page_text(html)
    assert PAYLOADS[0] not in html  # never as markup


def test_english_stays_the_default(hostile: tuple[Portfolio, Plan]) -> None:
    portfolio, plan = hostile
    html = render_plan_report(portfolio, plan, summarise(portfolio, plan))
    assert '<html lang="en">' in html
    assert {"Plants", "What binds"} <= set(headings(html))
    assert num(1234.5, 1) == "1,234.5" and pct(0.786) == "78.6%"
    assert num(1234.5, 1, "es") == "1.234,5" and num(1234.5, 1, "ru") == "1\xa0234,5"
    assert pct(0.786, "es") == "78,6\xa0%" and word("grid_outage", "ru") == "отключение сети"
    assert word("<b>x</b>", "ru") == "<b>x</b>"  # an unknown code is data, shown as it is


class Markup(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]


@pytest.mark.parametrize("lang", ["ru", "es", "en"])
def test_the_served_contract_report_has_svg_charts_and_no_script(
    hostile: tuple[Portfolio, Plan], kpis: KpiReport, lang: str
) -> None:
    portfolio, _plan = hostile
    name = portfolio.enterprises[0].name
    html = render_enterprise_report(kpis, name, "meta", "USD", "America/Havana", lang=lang,
                                    charts="svg")  # fmt: skip
    page = Markup(html)
    assert "script" not in page.tags and "plotly" not in html.lower()
    assert len(html.encode()) < 1_000_000
    assert page.tags.count("svg") == 4
    assert set(page.tags) <= ALLOWED_TAGS | SVG_TAGS, set(page.tags) - ALLOWED_TAGS - SVG_TAGS
    ids = [v for _t, k, v in page.attrs if k == "id"]
    assert len(ids) == len(set(ids)), "two charts share an id"
    for tag, key, value in page.attrs:
        assert not key.startswith("on"), (tag, key)
        if key == "id":
            assert DERIVED_ID.fullmatch(value or ""), value
        if key.endswith("href"):
            assert (value or "").startswith("#kpi-"), value
    text = page_text(html)
    assert PAYLOADS[0] in text and name in text  # the note and the name, as text
    for plant in portfolio.plants:  # in the charts too (escaped, as <text>)
        assert plant.name in text
    shown = headings(html)
    t = translator(lang)
    assert t.gettext("Output and value against plan") in shown
    if lang == "ru":
        assert CYRILLIC.search(" ".join(shown)) and "отключение сети" in text
        assert not set(KPI_HEADINGS) & set(shown)
        assert "Доли планового производственного времени" in text  # a chart title


def test_the_offline_enterprise_report_keeps_plotly_in_the_language(kpis: KpiReport) -> None:
    html = render_enterprise_report(kpis, "E", "meta", "USD", "America/Havana", lang="es")
    assert html.count("<script") >= 2 and '<html lang="es">' in html
    assert "Paros imprevistos por causa" in html and '"separators":",."' in html


@pytest.mark.parametrize("lang", ["es", "ru"])
def test_the_plan_workbook_is_translated_and_numbers_stay_numbers(
    hostile: tuple[Portfolio, Plan], lang: str
) -> None:
    portfolio, plan = hostile
    data = render_plan_xlsx(portfolio, plan, summarise(portfolio, plan), lang=lang)
    assert formula_cells(data) == []
    wb = load_workbook(BytesIO(data))
    t = translator(lang)
    summary_name, orders_name, fuel_name = (t.gettext(n) for n in ("Summary", "Orders", "Fuel"))
    assert wb.sheetnames[0] == summary_name and wb.sheetnames[-2:] == [orders_name, fuel_name]
    assert summary_name != "Summary"
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in wb.sheetnames)
    head = [c.value for c in wb[orders_name][1]]
    assert head[:3] == [t.gettext("order"), t.gettext("product"), t.gettext("plant")]
    assert head[0] != "order"
    quantity = head.index(t.gettext("quantity"))
    due = head.index(t.gettext("due"))
    for row in wb[orders_name].iter_rows(min_row=2, values_only=True):
        assert isinstance(row[quantity], int | float) and isinstance(row[due], datetime)
    statuses = {r[head.index(t.gettext("status"))]
                for r in wb[orders_name].iter_rows(min_row=2, values_only=True)}  # fmt: skip
    assert statuses <= {word(s, lang) for s in ("on_time", "late", "unscheduled")}
    summary = [c.value for c in wb[summary_name][1]]
    assert summary[0] == t.gettext("plant")
    assert isinstance(wb[summary_name].cell(row=2, column=3).value, int | float)
    if lang == "ru":
        assert CYRILLIC.search(" ".join(map(str, head)))


def test_the_enterprise_workbook_is_translated(kpis: KpiReport) -> None:
    data = render_enterprise_xlsx(kpis, "America/Havana", lang="ru")
    assert formula_cells(data) == []
    wb = load_workbook(BytesIO(data))
    t = translator("ru")
    names = ["Summary", "Buckets", "Lines", "Products", "Downtime", "Orders"]
    assert wb.sheetnames == [t.gettext(n) for n in names]
    assert all(CYRILLIC.match(n) for n in wb.sheetnames) and wb.sheetnames[0] == "Сводка"
    heads = [c.value for c in wb["Сводка"][1]]
    assert heads[:4] == ["уровень", "id", "название", "OEE"] and "сеть ч" in heads
    row = next(r for r in wb["Сводка"].iter_rows(min_row=2, values_only=True) if r[0] == "завод")
    assert isinstance(row[heads.index("OEE")], int | float)
    assert row[heads.index("сеть ч")] == pytest.approx(2.0)  # the grid outage, a number
    down = [c.value for c in wb[wb.sheetnames[4]][2]]
    assert down[2] == "отключение сети" and down[-1] == PAYLOADS[0]


def test_the_scenarios_report_in_russian(hostile: tuple[Portfolio, Plan]) -> None:
    portfolio, plan = hostile
    result = run_samples(portfolio, 2, seed=1, base_plan=plan)
    html = render_scenarios_report(portfolio, result, lang="ru")
    shown = headings(html)
    assert "Стоимость" in shown and "Заказы под угрозой" in shown
    assert not {"Value", "Orders at risk", "Resumption of stopped plants"} & set(shown)
    assert portfolio.name in page_text(html) and PAYLOADS[0] not in html
