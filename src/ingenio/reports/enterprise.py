"""The owner's report of an enterprise over a period: HTML (offline) and Excel.

Output and value against plan, OEE and its losses by cause, energy and fuel per
unit, downtime by cause with the worst stops, and the orders that came late and
why. The figures are those of :func:`ingenio.operations.kpi.compute_kpis` (its
module notes give every formula). The HTML page inlines plotly.js once, like
the plan report, and works offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import Path

import plotly.offline
from openpyxl import Workbook

from ingenio.formats.atomic import atomic_write, atomic_write_text
from ingenio.operations.kpi import LOSS_CAUSES, KpiReport, KpiRow, OrderRow, Tally
from ingenio.reports.enterprise_charts import (
    div,
    downtime_figure,
    losses_figure,
    trend_figure,
    waterfall_figure,
)
from ingenio.reports.excel import _table as excel_table  # the plan workbook's table style
from ingenio.reports.plan import _CSS

__all__ = ["kpi_section", "render_enterprise_report", "write_enterprise_report"]

Cell = str | int | float | datetime | None


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def _num(x: float | None, digits: int = 0) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def _table(heads: Sequence[str], rows: Sequence[Sequence[str]], text_cols: int = 1) -> str:
    head = "".join(
        f'<th class="t">{escape(h)}</th>' if i < text_cols else f"<th>{escape(h)}</th>"
        for i, h in enumerate(heads)
    )
    body = "".join(
        "<tr>" + "".join(f'<td class="t">{c}</td>' if i < text_cols else f"<td>{c}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )  # fmt: skip
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _scope(report: KpiReport) -> list[KpiRow]:
    """Period rows: the plants, then the enterprise(s)."""
    return report.level("plant", period=True) + report.level("enterprise", period=True)


def _boxes(t: Tally, report: KpiReport, currency: str) -> str:
    share = t.value / t.planned_value if t.planned_value > 0 else None
    items = [
        (f"{t.value:,.0f} {escape(currency)}", f"value delivered ({_pct(share)} of plan)"),
        (_pct(t.oee), f"OEE = A {_pct(t.availability)} × P {_pct(t.performance)} "
                      f"× Q {_pct(t.quality)}"),
        (_pct(report.on_time_share), "orders due on time"),
        (f"{t.downtime_h:,.1f} h", "unplanned downtime"),
        (f"{t.kwh:,.0f} kWh", f"metered ({t.planned_kwh:,.0f} planned)"),
        (f"{t.litres:,.0f} L", "generator diesel"),
    ]  # fmt: skip
    return '<div class="kpi">' + "".join(f"<div><b>{v}</b>{k}</div>" for v, k in items) + "</div>"


def _output_rows(rows: list[KpiRow]) -> list[list[str]]:
    return [
        [escape(r.name), _num(r.tally.good), _num(r.tally.planned_qty), _pct(r.tally.adherence),
         _num(r.tally.value), _num(r.tally.planned_value),
         _pct(r.tally.value / r.tally.planned_value if r.tally.planned_value > 0 else None),
         _num(r.tally.orders_due), _pct(r.tally.on_time_share)]
        for r in rows
    ]  # fmt: skip


def _oee_rows(rows: list[KpiRow]) -> list[list[str]]:
    return [
        [escape(r.name), _pct(r.tally.oee), _pct(r.tally.availability), _pct(r.tally.performance),
         _pct(r.tally.quality), _num(r.tally.planned_h, 1), _num(r.tally.run_h, 1),
         *(f"{h:,.1f} ({_pct(r.tally.loss_shares[c])})" for c, h in r.tally.losses_h.items())]
        for r in rows
    ]  # fmt: skip


OEE_HEADS = ["", "OEE", "A", "P", "Q", "planned h", "run h", *(f"{c} h" for c in LOSS_CAUSES)]


def _energy(report: KpiReport) -> str:
    prod = [
        [escape(p.name), escape(p.plant_id), _num(p.good), _num(p.kwh), _num(p.kwh_per_unit, 3),
         _num(p.litres, 1), _num(p.litres_per_unit, 4)]
        for p in report.products
    ]  # fmt: skip
    plants = [
        [escape(r.name), _num(r.tally.kwh), _num(r.tally.planned_kwh), _num(r.tally.litres, 1),
         _num(r.tally.good), _num(r.tally.kwh_per_unit, 3), _num(r.tally.litres_per_unit, 4)]
        for r in _scope(report)
    ]  # fmt: skip
    return (
        "<h2>Energy and fuel per unit</h2>"
        + _table(["product", "plant", "finished units", "kWh", "kWh/unit", "litres", "L/unit"],
                 prod, 2)
        + _table(["", "kWh metered", "kWh planned", "litres", "good units", "kWh/unit",
                  "L/unit"], plants)
    )  # fmt: skip


def _worst(report: KpiReport, zone: str) -> str:
    from zoneinfo import ZoneInfo

    z = ZoneInfo(zone)
    rows = [
        [escape(d.line_id), escape(d.plant_id), escape(d.cause.value),
         f"{d.start.astimezone(z):%Y-%m-%d %H:%M}", f"{d.end.astimezone(z):%Y-%m-%d %H:%M}",
         _num(d.hours, 2), escape(d.note)]
        for d in report.downtime
    ]  # fmt: skip
    if not rows:
        return "<h3>Worst stops</h3><p>No unplanned stop recorded.</p>"
    heads = ["line", "plant", "cause", "start", "end", "hours", "note"]
    return f"<h3>Worst stops (top {len(rows)} by hours)</h3>" + _table(heads, rows, 3)


def _why(o: OrderRow, report: KpiReport) -> str:
    """The plan's reason, else the downtime the plant lost before the due date."""
    if o.reason:
        return f"plan: {o.reason}"
    lost: dict[str, float] = dict.fromkeys(LOSS_CAUSES, 0.0)
    for r in report.level("plant"):
        if r.key == o.plant_id and r.bucket is not None and r.bucket.start < o.due:
            for c, h in r.tally.losses_h.items():
                lost[c] += h
    top = [f"{c} {h:,.1f} h" for c, h in sorted(lost.items(), key=lambda x: -x[1]) if h > 0][:2]
    head = "planned on time" if o.planned_status == "on_time" else "not planned"
    return head + ("; downtime before due: " + ", ".join(top) if top else "")


def _late(report: KpiReport, zone: str) -> str:
    from zoneinfo import ZoneInfo

    z = ZoneInfo(zone)
    late = [o for o in report.orders if o.status in ("late", "overdue")]
    if not late:
        return "<h2>Orders late</h2><p>No order came late in the period.</p>"
    rows = [
        [escape(o.order_id), escape(o.product_id), escape(o.plant_id), escape(o.status),
         f"{o.due.astimezone(z):%Y-%m-%d %H:%M}",
         "–" if o.completed is None else f"{o.completed.astimezone(z):%Y-%m-%d %H:%M}",
         _num(o.quantity), _num(o.made_to_date), escape(_why(o, report))]
        for o in late
    ]  # fmt: skip
    heads = ["order", "product", "plant", "status", "due", "completed", "quantity", "made",
             "why"]  # fmt: skip
    return f"<h2>Orders late and why ({len(late)})</h2>" + _table(heads, rows, 4)


def kpi_section(report: KpiReport, currency: str, zone: str, prefix: str = "kpi") -> str:
    """The KPI part of a page (no head): boxes, output, OEE and losses, energy, stops, orders.

    Parameters
    ----------
    report
        The KPIs.
    currency, zone
        Reporting currency and the time zone to show times in.
    prefix
        Prefix of the chart ``div`` ids (unique within the page).
    """
    scope = _scope(report)
    total = sum((r.tally for r in report.level("enterprise", period=True)), Tally())
    lines = report.level("line", period=True)
    parts = [
        _boxes(total, report, currency),
        "<h2>Output and value against plan</h2>",
        _table(["", "good units", "planned units", "adherence", f"value {currency}",
                f"planned {currency}", "value vs plan", "orders due", "on time"],
               _output_rows(scope)),
        "<h2>OEE and its losses</h2>",
        div(waterfall_figure(total, "Where the planned production time went"), f"{prefix}-wf"),
        div(losses_figure(scope, "Shares of planned production time"), f"{prefix}-loss"),
        _table(OEE_HEADS, _oee_rows(scope)),
        "<h3>Lines</h3>", _table(OEE_HEADS, _oee_rows(lines)),
        div(trend_figure(report, "plant", f"OEE by {report.by}"), f"{prefix}-trend"),
        _energy(report),
        "<h2>Downtime by cause</h2>",
        div(downtime_figure(scope, "Unplanned downtime by cause"), f"{prefix}-down"),
        _worst(report, zone),
        _late(report, zone),
    ]  # fmt: skip
    if report.notes:
        notes = "".join(f"<li>{escape(n)}</li>" for n in report.notes)
        parts.append(f"<h3>Data notes</h3><ul>{notes}</ul>")
    return "".join(parts)


def render_enterprise_report(
    report: KpiReport, title: str, meta: str, currency: str, zone: str
) -> str:
    """The whole report page (plotly.js inlined once).

    Parameters
    ----------
    report
        The KPIs of the enterprise over the period.
    title, meta
        Heading and the line under it (portfolio and plan versions).
    currency, zone
        Reporting currency and time zone.
    """
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style>"
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>'
        f'</head><body><h1>{escape(title)}</h1><div class="meta">{escape(meta)}</div>'
        f"{kpi_section(report, currency, zone)}</body></html>\n"
    )


def _tally_cells(t: Tally) -> list[Cell]:
    return [t.oee, t.availability, t.performance, t.quality, t.shift_h, t.stop_h, t.planned_h,
            t.run_h, *t.losses_h.values(), t.ideal_h, t.good, t.scrap, t.planned_qty,
            t.adherence, t.value, t.planned_value, t.kwh, t.planned_kwh, t.litres,
            t.kwh_per_unit, t.litres_per_unit, t.orders_due, t.on_time_share]  # fmt: skip


TALLY_HEADS = ["OEE", "availability", "performance", "quality", "shift h", "planned stop h",
               "planned h", "run h", *(f"{c} h" for c in LOSS_CAUSES), "ideal h", "good",
               "scrap", "planned qty", "adherence", "value", "planned value", "kWh",
               "planned kWh", "litres", "kWh/unit", "L/unit", "orders due",
               "on-time share"]  # fmt: skip


def build_enterprise_workbook(report: KpiReport, zone: str) -> Workbook:
    """Sheets: Summary (plants and enterprise), Buckets, Lines, Products, Downtime, Orders."""
    from zoneinfo import ZoneInfo

    z = ZoneInfo(zone)

    def local(d: datetime) -> datetime:
        return d.astimezone(z).replace(tzinfo=None)

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Summary"
    excel_table(
        ws,
        ["level", "id", "name", *TALLY_HEADS],
        [[r.level, r.key, r.name, *_tally_cells(r.tally)] for r in _scope(report)],
    )
    rows = [r for r in report.rows if r.level != "line" and r.bucket is not None]
    excel_table(
        wb.create_sheet("Buckets"),
        ["level", "id", "name", report.by, *TALLY_HEADS],
        [
            [r.level, r.key, r.name, r.bucket.label if r.bucket else "", *_tally_cells(r.tally)]
            for r in rows
        ],
    )
    excel_table(
        wb.create_sheet("Lines"),
        ["id", "name", *TALLY_HEADS],
        [[r.key, r.name, *_tally_cells(r.tally)] for r in report.level("line", True)],
    )
    excel_table(
        wb.create_sheet("Products"),
        ["plant", "product", "name", "finished units", "kWh", "kWh/unit", "litres", "L/unit"],
        [
            [
                p.plant_id,
                p.product_id,
                p.name,
                p.good,
                p.kwh,
                p.kwh_per_unit,
                p.litres,
                p.litres_per_unit,
            ]
            for p in report.products
        ],
    )
    excel_table(
        wb.create_sheet("Downtime"),
        ["line", "plant", "cause", "start", "end", "hours in period", "note"],
        [
            [d.line_id, d.plant_id, d.cause.value, local(d.start), local(d.end), d.hours, d.note]
            for d in report.downtime
        ],
    )
    excel_table(wb.create_sheet("Orders"),
                ["order", "product", "plant", "quantity", "due", "planned in period",
                 "made in period", "made to date", "completed", "status", "value",
                 "plan status", "why"],
                [[o.order_id, o.product_id, o.plant_id, o.quantity, local(o.due), o.planned_qty,
                  o.made_qty, o.made_to_date, None if o.completed is None else local(o.completed),
                  o.status, o.value, o.planned_status,
                  _why(o, report) if o.status in ("late", "overdue") else ""]
                 for o in report.orders])  # fmt: skip
    return wb


def write_enterprise_report(
    report: KpiReport, out_dir: Path, stem: str, title: str, meta: str, currency: str, zone: str
) -> tuple[Path, Path]:
    """Write ``<stem>.html`` and ``<stem>.xlsx`` into ``out_dir`` (atomically).

    Returns
    -------
    tuple of Path
        The HTML and the Excel file.
    """
    html = atomic_write_text(
        out_dir / f"{stem}.html", render_enterprise_report(report, title, meta, currency, zone)
    )
    wb = build_enterprise_workbook(report, zone)
    xlsx = atomic_write(out_dir / f"{stem}.xlsx", lambda tmp: wb.save(tmp))
    return html, xlsx  # fmt: skip
