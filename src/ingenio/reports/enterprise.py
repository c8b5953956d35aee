"""The owner's report of an enterprise over a period, as an HTML page (offline).

Output and value against plan, OEE and its losses by cause, energy and fuel per
unit, downtime by cause with the worst stops, and the orders that came late and
why. The figures are those of :func:`ingenio.operations.kpi.compute_kpis` (its
module notes give every formula). The HTML page inlines plotly.js once, like
the plan report, and works offline. The same figures as a workbook:
:func:`ingenio.reports.excel.render_enterprise_xlsx`.
"""

from __future__ import annotations

from html import escape

from ingenio.operations.kpi import LOSS_CAUSES, KpiReport, KpiRow, OrderRow, Tally
from ingenio.reports.enterprise_charts import (
    downtime_figure,
    losses_figure,
    trend_figure,
    waterfall_figure,
)
from ingenio.reports.html import figure_div, num, page, pct, table

__all__ = ["kpi_section", "late_reason", "render_enterprise_report", "scope_rows"]


def scope_rows(report: KpiReport) -> list[KpiRow]:
    """Period rows: the plants, then the enterprise(s)."""
    return report.level("plant", period=True) + report.level("enterprise", period=True)


def _boxes(t: Tally, report: KpiReport, currency: str) -> str:
    share = t.value / t.planned_value if t.planned_value > 0 else None
    items = [
        (f"{t.value:,.0f} {escape(currency)}", f"value delivered ({pct(share)} of plan)"),
        (pct(t.oee), f"OEE = A {pct(t.availability)} × P {pct(t.performance)} "
                      f"× Q {pct(t.quality)}"),
        (pct(report.on_time_share), "orders due on time"),
        (f"{t.downtime_h:,.1f} h", "unplanned downtime"),
        (f"{t.kwh:,.0f} kWh", f"metered ({t.planned_kwh:,.0f} planned)"),
        (f"{t.litres:,.0f} L", "generator diesel"),
    ]  # fmt: skip
    return '<div class="kpi">' + "".join(f"<div><b>{v}</b>{k}</div>" for v, k in items) + "</div>"


def _output_rows(rows: list[KpiRow]) -> list[list[str]]:
    return [
        [escape(r.name), num(r.tally.good), num(r.tally.planned_qty), pct(r.tally.adherence),
         num(r.tally.value), num(r.tally.planned_value),
         pct(r.tally.value / r.tally.planned_value if r.tally.planned_value > 0 else None),
         num(r.tally.orders_due), pct(r.tally.on_time_share)]
        for r in rows
    ]  # fmt: skip


def _oee_rows(rows: list[KpiRow]) -> list[list[str]]:
    return [
        [escape(r.name), pct(r.tally.oee), pct(r.tally.availability), pct(r.tally.performance),
         pct(r.tally.quality), num(r.tally.planned_h, 1), num(r.tally.run_h, 1),
         *(f"{h:,.1f} ({pct(r.tally.loss_shares[c])})" for c, h in r.tally.losses_h.items())]
        for r in rows
    ]  # fmt: skip


OEE_HEADS = ["", "OEE", "A", "P", "Q", "planned h", "run h", *(f"{c} h" for c in LOSS_CAUSES)]


def _energy(report: KpiReport) -> str:
    prod = [
        [escape(p.name), escape(p.plant_id), num(p.good), num(p.kwh), num(p.kwh_per_unit, 3),
         num(p.litres, 1), num(p.litres_per_unit, 4)]
        for p in report.products
    ]  # fmt: skip
    plants = [
        [escape(r.name), num(r.tally.kwh), num(r.tally.planned_kwh), num(r.tally.litres, 1),
         num(r.tally.good), num(r.tally.kwh_per_unit, 3), num(r.tally.litres_per_unit, 4)]
        for r in scope_rows(report)
    ]  # fmt: skip
    return (
        "<h2>Energy and fuel per unit</h2>"
        + table(["product", "plant", "finished units", "kWh", "kWh/unit", "litres", "L/unit"],
                prod, 2)
        + table(["", "kWh metered", "kWh planned", "litres", "good units", "kWh/unit",
                 "L/unit"], plants)
    )  # fmt: skip


def _worst(report: KpiReport, zone: str) -> str:
    from zoneinfo import ZoneInfo

    z = ZoneInfo(zone)
    rows = [
        [escape(d.line_id), escape(d.plant_id), escape(d.cause.value),
         f"{d.start.astimezone(z):%Y-%m-%d %H:%M}", f"{d.end.astimezone(z):%Y-%m-%d %H:%M}",
         num(d.hours, 2), escape(d.note)]
        for d in report.downtime
    ]  # fmt: skip
    if not rows:
        return "<h3>Worst stops</h3><p>No unplanned stop recorded.</p>"
    heads = ["line", "plant", "cause", "start", "end", "hours", "note"]
    return f"<h3>Worst stops (top {len(rows)} by hours)</h3>" + table(heads, rows, 3)


def late_reason(o: OrderRow, report: KpiReport) -> str:
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
         num(o.quantity), num(o.made_to_date), escape(late_reason(o, report))]
        for o in late
    ]  # fmt: skip
    heads = ["order", "product", "plant", "status", "due", "completed", "quantity", "made",
             "why"]  # fmt: skip
    return f"<h2>Orders late and why ({len(late)})</h2>" + table(heads, rows, 4)


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
    scope = scope_rows(report)
    total = sum((r.tally for r in report.level("enterprise", period=True)), Tally())
    lines = report.level("line", period=True)
    parts = [
        _boxes(total, report, currency),
        "<h2>Output and value against plan</h2>",
        table(["", "good units", "planned units", "adherence", f"value {currency}",
               f"planned {currency}", "value vs plan", "orders due", "on time"],
              _output_rows(scope)),
        "<h2>OEE and its losses</h2>",
        figure_div(waterfall_figure(total, "Where the planned production time went"),
                   f"{prefix}-wf"),
        figure_div(losses_figure(scope, "Shares of planned production time"), f"{prefix}-loss"),
        table(OEE_HEADS, _oee_rows(scope)),
        "<h3>Lines</h3>", table(OEE_HEADS, _oee_rows(lines)),
        figure_div(trend_figure(report, "plant", f"OEE by {report.by}"), f"{prefix}-trend"),
        _energy(report),
        "<h2>Downtime by cause</h2>",
        figure_div(downtime_figure(scope, "Unplanned downtime by cause"), f"{prefix}-down"),
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
    return page(
        title,
        f'<h1>{escape(title)}</h1><div class="meta">{escape(meta)}</div>'
        f"{kpi_section(report, currency, zone)}",
    )
