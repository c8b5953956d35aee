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
from typing import Literal

from ingenio.i18n import translator
from ingenio.operations.kpi import LOSS_CAUSES, KpiReport, KpiRow, OrderRow, Tally
from ingenio.reports.enterprise_charts import (
    downtime_figure,
    losses_figure,
    trend_figure,
    waterfall_figure,
)
from ingenio.reports.html import el, figure_div, num, page, pct, table, when, word

__all__ = [
    "Charts",
    "kpi_section",
    "late_reason",
    "oee_heads",
    "render_enterprise_report",
    "report_meta",
    "scope_rows",
]

Charts = Literal["plotly", "svg"]
"""How a page draws its charts: ``plotly`` (interactive, plotly.js inlined: an offline
file) or ``svg`` (drawn on the server, no script: the page the web app serves)."""


def scope_rows(report: KpiReport) -> list[KpiRow]:
    """Period rows: the plants, then the enterprise(s)."""
    return report.level("plant", period=True) + report.level("enterprise", period=True)


def _boxes(t: Tally, report: KpiReport, currency: str, lang: str) -> str:
    _ = translator(lang).gettext
    share = t.value / t.planned_value if t.planned_value > 0 else None
    items = [
        (f"{num(t.value, 0, lang)} {escape(currency)}",
         _("value delivered (%(share)s of plan)", share=pct(share, lang))),
        (pct(t.oee, lang), _("OEE = A %(a)s × P %(p)s × Q %(q)s", a=pct(t.availability, lang),
                             p=pct(t.performance, lang), q=pct(t.quality, lang))),
        (pct(report.on_time_share, lang), _("orders due on time")),
        (_("%(n)s h", n=num(t.downtime_h, 1, lang)), _("unplanned downtime")),
        (_("%(n)s kWh", n=num(t.kwh, 0, lang)),
         _("metered (%(planned)s planned)", planned=num(t.planned_kwh, 0, lang))),
        (_("%(n)s L", n=num(t.litres, 0, lang)), _("generator diesel")),
    ]  # fmt: skip
    boxes = "".join(f"<div><b>{v}</b>{escape(k)}</div>" for v, k in items)
    return f'<div class="kpi">{boxes}</div>'


def _output_rows(rows: list[KpiRow], lang: str) -> list[list[str]]:
    n = lang
    return [
        [escape(r.name), num(r.tally.good, 0, n), num(r.tally.planned_qty, 0, n),
         pct(r.tally.adherence, n), num(r.tally.value, 0, n), num(r.tally.planned_value, 0, n),
         pct(r.tally.value / r.tally.planned_value if r.tally.planned_value > 0 else None, n),
         num(r.tally.orders_due, 0, n), pct(r.tally.on_time_share, n)]
        for r in rows
    ]  # fmt: skip


def _oee_rows(rows: list[KpiRow], lang: str) -> list[list[str]]:
    n = lang
    return [
        [escape(r.name), pct(r.tally.oee, n), pct(r.tally.availability, n),
         pct(r.tally.performance, n), pct(r.tally.quality, n), num(r.tally.planned_h, 1, n),
         num(r.tally.run_h, 1, n),
         *(f"{num(h, 1, n)} ({pct(r.tally.loss_shares[c], n)})"
           for c, h in r.tally.losses_h.items())]
        for r in rows
    ]  # fmt: skip


def oee_heads(lang: str = "en") -> list[str]:
    """The headings of the OEE tables, in the language."""
    _ = translator(lang).gettext
    return ["", _("OEE"), _("A"), _("P"), _("Q"), _("planned h"), _("run h"),
            *(_("%(cause)s h", cause=word(c, lang)) for c in LOSS_CAUSES)]  # fmt: skip


def _energy(report: KpiReport, lang: str) -> str:
    _ = translator(lang).gettext
    n = lang
    prod = [
        [escape(p.name), escape(p.plant_id), num(p.good, 0, n), num(p.kwh, 0, n),
         num(p.kwh_per_unit, 3, n), num(p.litres, 1, n), num(p.litres_per_unit, 4, n)]
        for p in report.products
    ]  # fmt: skip
    plants = [
        [escape(r.name), num(r.tally.kwh, 0, n), num(r.tally.planned_kwh, 0, n),
         num(r.tally.litres, 1, n), num(r.tally.good, 0, n), num(r.tally.kwh_per_unit, 3, n),
         num(r.tally.litres_per_unit, 4, n)]
        for r in scope_rows(report)
    ]  # fmt: skip
    return (
        el("h2", _('Energy and fuel per unit'))
        + table([_("product"), _("plant"), _("finished units"), _("kWh"), _("kWh/unit"),
                 _("litres"), _("L/unit")], prod, 2)
        + table(["", _("kWh metered"), _("kWh planned"), _("litres"), _("good units"),
                 _("kWh/unit"), _("L/unit")], plants)
    )  # fmt: skip


def _worst(report: KpiReport, zone: str, lang: str) -> str:
    from zoneinfo import ZoneInfo

    _ = translator(lang).gettext
    z = ZoneInfo(zone)
    rows = [
        [escape(d.line_id), escape(d.plant_id), escape(word(d.cause.value, lang)),
         when(d.start.astimezone(z).replace(tzinfo=None), lang),
         when(d.end.astimezone(z).replace(tzinfo=None), lang),
         num(d.hours, 2, lang), escape(d.note)]
        for d in report.downtime
    ]  # fmt: skip
    if not rows:
        return (el("h3", _('Worst stops'))
                + el("p", _('No unplanned stop recorded.')))  # fmt: skip
    heads = [_("line"), _("plant"), _("cause"), _("start"), _("end"), _("hours"), _("note")]
    heading = _("Worst stops (top %(n)s by hours)", n=len(rows))
    return f"<h3>{escape(heading)}</h3>" + table(heads, rows, 3)


def late_reason(o: OrderRow, report: KpiReport, lang: str = "en") -> str:
    """The plan's reason, else the downtime the plant lost before the due date."""
    _ = translator(lang).gettext
    if o.reason:
        return _("plan: %(reason)s", reason=o.reason)
    lost: dict[str, float] = dict.fromkeys(LOSS_CAUSES, 0.0)
    for r in report.level("plant"):
        if r.key == o.plant_id and r.bucket is not None and r.bucket.start < o.due:
            for c, h in r.tally.losses_h.items():
                lost[c] += h
    top = [f"{word(c, lang)} {num(h, 1, lang)} h"
           for c, h in sorted(lost.items(), key=lambda x: -x[1]) if h > 0][:2]  # fmt: skip
    head = _("planned on time") if o.planned_status == "on_time" else _("not planned")
    if not top:
        return head
    return _("%(head)s; downtime before due: %(causes)s", head=head, causes=", ".join(top))


def _late(report: KpiReport, zone: str, lang: str) -> str:
    from zoneinfo import ZoneInfo

    _ = translator(lang).gettext
    z = ZoneInfo(zone)
    late = [o for o in report.orders if o.status in ("late", "overdue")]
    if not late:
        return (el("h2", _('Orders late'))
                + el("p", _('No order came late in the period.')))  # fmt: skip
    rows = [
        [escape(o.order_id), escape(o.product_id), escape(o.plant_id),
         escape(word(o.status, lang)), when(o.due.astimezone(z).replace(tzinfo=None), lang),
         "–" if o.completed is None
         else when(o.completed.astimezone(z).replace(tzinfo=None), lang),
         num(o.quantity, 0, lang), num(o.made_to_date, 0, lang),
         escape(late_reason(o, report, lang))]
        for o in late
    ]  # fmt: skip
    heads = [_("order"), _("product"), _("plant"), _("status"), _("due"), _("completed"),
             _("quantity"), _("made"), _("why")]  # fmt: skip
    heading = _("Orders late and why (%(n)s)", n=len(late))
    return f"<h2>{escape(heading)}</h2>" + table(heads, rows, 4)


def kpi_section(
    report: KpiReport,
    currency: str,
    zone: str,
    prefix: str = "kpi",
    lang: str = "en",
    charts: Charts = "plotly",
) -> str:
    """The KPI part of a page (no head): boxes, output, OEE and losses, energy, stops, orders.

    Parameters
    ----------
    report
        The KPIs.
    currency, zone
        Reporting currency and the time zone to show times in.
    prefix
        Prefix of the chart ``div`` ids (unique within the page).
    lang
        The language (es, ru, en) of the headings, labels and numbers.
    charts
        ``plotly`` (the page inlines plotly.js) or ``svg`` (charts drawn here, no script).
    """
    _ = translator(lang).gettext
    scope = scope_rows(report)
    total = sum((r.tally for r in report.level("enterprise", period=True)), Tally())
    lines = report.level("line", period=True)
    titles = {
        "wf": _("Where the planned production time went"),
        "loss": _("Shares of planned production time"),
        "trend": _("OEE by %(bucket)s", bucket=word(report.by, lang)),
        "down": _("Unplanned downtime by cause"),
    }
    if charts == "svg":
        from ingenio.reports import svg_charts

        figures = {
            "wf": svg_charts.waterfall_svg(total, titles["wf"], lang, f"{prefix}-wf"),
            "loss": svg_charts.losses_svg(scope, titles["loss"], lang, f"{prefix}-loss"),
            "trend": svg_charts.trend_svg(
                report, "plant", titles["trend"], lang, f"{prefix}-trend"
            ),
            "down": svg_charts.downtime_svg(scope, titles["down"], lang, f"{prefix}-down"),
        }
    else:
        figures = {
            "wf": figure_div(waterfall_figure(total, titles["wf"], lang), f"{prefix}-wf", lang),
            "loss": figure_div(losses_figure(scope, titles["loss"], lang), f"{prefix}-loss",
                               lang),
            "trend": figure_div(trend_figure(report, "plant", titles["trend"], lang),
                                f"{prefix}-trend", lang),
            "down": figure_div(downtime_figure(scope, titles["down"], lang), f"{prefix}-down",
                               lang),
        }  # fmt: skip
    heads = oee_heads(lang)
    parts = [
        _boxes(total, report, currency, lang),
        el("h2", _('Output and value against plan')),
        table(["", _("good units"), _("planned units"), _("adherence"),
               _("value %(currency)s", currency=currency),
               _("planned %(currency)s", currency=currency), _("value vs plan"),
               _("orders due"), _("on time")],
              _output_rows(scope, lang)),
        el("h2", _('OEE and its losses')),
        figures["wf"],
        figures["loss"],
        table(heads, _oee_rows(scope, lang)),
        el("h3", _('Lines')), table(heads, _oee_rows(lines, lang)),
        figures["trend"],
        _energy(report, lang),
        el("h2", _('Downtime by cause')),
        figures["down"],
        _worst(report, zone, lang),
        _late(report, zone, lang),
    ]  # fmt: skip
    if report.notes:
        notes = "".join(f"<li>{escape(n)}</li>" for n in report.notes)
        parts.append(el("h3", _("Data notes")) + f"<ul>{notes}</ul>")
    return "".join(parts)


def report_meta(
    period: str,
    zone: str,
    portfolio: str,
    version: int,
    compared: int | str | None,
    lang: str = "en",
) -> str:
    """The line under the report's title: period, zone, portfolio version, what the actuals
    are compared with (a plan version, ``"baseline"``, ``"published"`` or None: no plan)."""
    _ = translator(lang).gettext
    if compared is None:
        against = _("no plan")
    elif compared == "baseline":
        against = _("the baseline")
    elif compared == "published":
        against = _("the published plan")
    else:
        against = _("plan v%(version)s", version=compared)
    return _(
        "%(period)s (%(zone)s) · portfolio %(portfolio)s v%(version)s · compared with "
        "%(against)s",
        period=period, zone=zone, portfolio=portfolio, version=version, against=against,
    )  # fmt: skip


def render_enterprise_report(
    report: KpiReport,
    title: str,
    meta: str,
    currency: str,
    zone: str,
    lang: str = "en",
    charts: Charts = "plotly",
) -> str:
    """The whole report page: plotly.js inlined once, or (``charts="svg"``) no script.

    Parameters
    ----------
    report
        The KPIs of the enterprise over the period.
    title, meta
        Heading and the line under it (portfolio and plan versions), in the language.
    currency, zone
        Reporting currency and time zone.
    lang
        The language (es, ru, en) of the page.
    charts
        ``plotly`` for an offline file (4.9 MB of plotly.js), ``svg`` for the page the
        web app serves (charts drawn on the server as inline SVG, no JavaScript).
    """
    return page(
        title,
        f'<h1>{escape(title)}</h1><div class="meta">{escape(meta)}</div>'
        f"{kpi_section(report, currency, zone, lang=lang, charts=charts)}",
        lang,
        plotly_js=charts == "plotly",
    )
