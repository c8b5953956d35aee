"""One self-contained HTML report of a plan: totals, per-plant table, binding notes, charts.

The file works offline: plotly.js is inlined once in the page head and every
figure refers to it.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import plotly.offline

from ingenio.domain import MINUTES_PER_HOUR, OrderStatus, Plan, Portfolio
from ingenio.formats.atomic import atomic_write_text
from ingenio.planning.summary import PlanSummary, PlantSummary
from ingenio.reports.plan_charts import local, plant_figure

if TYPE_CHECKING:
    from ingenio.operations.kpi import KpiReport

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem;
       color: #222; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
.meta { color: #555; margin-bottom: 1rem; }
.kpi { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.kpi div { background: #f4f6f8; border-radius: 6px; padding: .6rem 1rem; }
.kpi b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; font-size: .88rem; margin: .5rem 0 1rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #e3e3e3; text-align: right; }
th { background: #f4f6f8; position: sticky; top: 0; }
td.t, th.t { text-align: left; }
tr.total td { font-weight: bold; border-top: 2px solid #999; }
ul.binding li { margin: .2rem 0; }
.late { color: #b35c00; } .unscheduled { color: #b00020; }
.scroll { max-height: 36rem; overflow: auto; }
td { white-space: nowrap; } td.t { white-space: normal; }
nav a { margin-right: .8rem; }
"""


def _num(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _cells(values: list[str], text_cols: int = 1) -> str:
    return "".join(
        f'<td class="t">{v}</td>' if i < text_cols else f"<td>{v}</td>"
        for i, v in enumerate(values)
    )


def _header(portfolio: Portfolio, plan: Plan, summary: PlanSummary, title: str) -> str:
    h = portfolio.horizon
    start = f"{local(portfolio, 0):%Y-%m-%d %H:%M}"
    end = f"{local(portfolio, h.minutes):%Y-%m-%d %H:%M}"
    cur = escape(summary.currency)
    possible = summary.total_potential_value
    share = summary.total_value / possible if possible else 0.0
    kpis = [
        (f"{summary.total_value:,.0f} {cur}", f"value delivered ({share:.0%} of {possible:,.0f})"),
        (str(summary.total_on_time), "orders on time"),
        (str(summary.total_late), "late"),
        (str(summary.total_unscheduled), "unscheduled"),
        (f"{summary.total_generator_hours:,.0f} h", "generator hours"),
        (f"{summary.total_fuel_used_l:,.0f} L", "diesel burned"),
    ]  # fmt: skip
    boxes = "".join(f"<div><b>{v}</b>{escape(k)}</div>" for v, k in kpis)
    links = " ".join(
        f'<a href="#plant-{escape(p.plant_id)}">{escape(p.plant_name)}</a>' for p in summary.plants
    )
    return (
        f"<h1>{escape(title)}</h1>"
        f'<div class="meta">portfolio <b>{escape(portfolio.name)}</b> · planner '
        f"<b>{escape(plan.planner)}</b> ({escape(plan.status)}, {plan.seconds:.1f} s) · "
        f"{start} → {end} {escape(h.timezone)} · {len(portfolio.plants)} plants, "
        f"{summary.total_orders} orders</div>"
        f'<div class="kpi">{boxes}</div>'
        f'<nav>{links} <a href="#missed">late and unscheduled orders</a></nav>'
    )


def _plant_row(s: PlantSummary, portfolio: Portfolio) -> list[str]:
    low = "–"
    if s.lowest_tank_l is not None and s.lowest_tank_at is not None:
        low = f"{s.lowest_tank_l:,.0f} ({local(portfolio, s.lowest_tank_at):%d %b %H:%M})"
    return [
        f'<a href="#plant-{escape(s.plant_id)}">{escape(s.plant_name)}</a>',
        escape(s.enterprise),
        _num(s.value),
        str(s.on_time),
        str(s.late),
        str(s.unscheduled),
        _num(s.line_hours, 1),
        _num(s.grid_hours, 1),
        _num(s.generator_hours, 1),
        _num(s.fuel_used_l),
        _num(s.fuel_received_l),
        low,
        _num(s.reserve_l),
        _num(s.grid_off_hours, 1),
    ]


def _summary_table(portfolio: Portfolio, summary: PlanSummary) -> str:
    heads = ["plant", "enterprise", f"value {summary.currency}", "on time", "late", "unsched.",
             "line h", "grid h", "gen h", "fuel used L", "fuel in L", "lowest tank L",
             "reserve L", "grid-off h"]  # fmt: skip
    head = "".join(f'<th class="t">{escape(h)}</th>' if i < 2 else f"<th>{escape(h)}</th>"
                   for i, h in enumerate(heads))  # fmt: skip
    rows = "".join(f"<tr>{_cells(_plant_row(s, portfolio), 2)}</tr>" for s in summary.plants)
    total = [
        "total", "", _num(summary.total_value), str(summary.total_on_time),
        str(summary.total_late), str(summary.total_unscheduled),
        _num(summary.total_line_hours, 1), _num(summary.total_grid_hours, 1),
        _num(summary.total_generator_hours, 1), _num(summary.total_fuel_used_l),
        _num(summary.total_fuel_received_l), "", "", _num(summary.total_grid_off_hours, 1),
    ]  # fmt: skip
    rows += f'<tr class="total">{_cells(total, 2)}</tr>'
    return f"<h2>Plants</h2><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _depot_table(portfolio: Portfolio, summary: PlanSummary) -> str:
    if not summary.depots:
        return ""
    heads = ["depot", "stock L", "received L", "shipped L", "lowest L", "empty from"]
    head = "".join(f'<th class="t">{h}</th>' if i == 0 else f"<th>{h}</th>"
                   for i, h in enumerate(heads))  # fmt: skip
    rows = ""
    for d in summary.depots:
        empty = "–" if d.empty_from is None else f"{local(portfolio, d.empty_from):%d %b %H:%M}"
        rows += "<tr>" + _cells([escape(d.name), _num(d.stock_l), _num(d.received_l),
                                 _num(d.shipped_l), _num(d.lowest_l), empty]) + "</tr>"  # fmt: skip
    return f"<h3>Depots</h3><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _binding(summary: PlanSummary) -> str:
    if not summary.binding:
        return "<h2>What binds</h2><p>Neither power nor fuel binds in this plan.</p>"
    items = "".join(f"<li>{escape(b)}</li>" for b in summary.binding)
    return f'<h2>What binds</h2><ul class="binding">{items}</ul>'


def _missed_orders(portfolio: Portfolio, plan: Plan) -> str:
    """Late and unscheduled orders, most urgent class first, then by due date."""
    missed = [o for o in plan.outcomes if o.status is not OrderStatus.ON_TIME]
    missed = [o for o in missed if portfolio.has("order", o.order_id)]
    if not missed:
        return '<h2 id="missed">Late and unscheduled orders</h2><p>Every order is on time.</p>'
    missed.sort(key=lambda o: (portfolio.order(o.order_id).priority.rank,
                               portfolio.order(o.order_id).due, o.order_id))  # fmt: skip
    heads = ["order", "product", "plant", "priority", "quantity", "due", "status",
             "completion", "late h", "value", "reason"]  # fmt: skip
    head = "".join(f'<th class="t">{h}</th>' if i < 4 or i in (6, 10) else f"<th>{h}</th>"
                   for i, h in enumerate(heads))  # fmt: skip
    rows = ""
    for out in missed:
        order = portfolio.order(out.order_id)
        plant = portfolio.product_plant(order.product_id)
        done = "–" if out.completion is None else f"{local(portfolio, out.completion):%d %b %H:%M}"
        cells = [escape(order.id), escape(portfolio.product(order.product_id).name),
                 escape(plant.name), escape(order.priority.value)]  # fmt: skip
        rows += (
            f'<tr class="{escape(out.status.value)}">{_cells(cells, 4)}'
            f"<td>{order.quantity:,.4g}</td><td>{local(portfolio, order.due):%d %b %H:%M}</td>"
            f'<td class="t">{escape(out.status.value)}</td><td>{done}</td>'
            f"<td>{out.lateness_minutes / MINUTES_PER_HOUR:,.1f}</td><td>{out.value:,.0f}</td>"
            f'<td class="t">{escape(out.reason)}</td></tr>'
        )
    return (
        f'<h2 id="missed">Late and unscheduled orders ({len(missed)})</h2>'
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>'
        "</table></div>"
    )


def _plant_section(portfolio: Portfolio, plan: Plan, s: PlantSummary) -> str:
    notes = "".join(f"<li>{escape(b)}</li>" for b in s.binding)
    fig = plant_figure(portfolio, plan, s.plant_id)
    div = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"fig-{s.plant_id}",
        config={"displaylogo": False, "responsive": True},
    )
    return (
        f'<h2 id="plant-{escape(s.plant_id)}">{escape(s.plant_name)} '
        f'<small style="color:#666">({escape(s.enterprise)})</small></h2>'
        f'<ul class="binding">{notes}</ul>{div}'
    )


def render_report(
    portfolio: Portfolio,
    plan: Plan,
    summary: PlanSummary,
    title: str | None = None,
    kpis: KpiReport | None = None,
) -> str:
    """The report as one HTML document (see :func:`write_report`).

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plan is for.
    plan : Plan
        The plan.
    summary : PlanSummary
        ``summarise(portfolio, plan)``.
    title : str, optional
        Page title; defaults to ``"<portfolio> — plan by <planner>"``.
    kpis : KpiReport, optional
        What really happened (:func:`ingenio.operations.kpi.compute_kpis`): adds a
        "What really happened" section with the KPIs and their charts.

    Returns
    -------
    str
        A complete HTML page with plotly.js inlined once.
    """
    title = title or f"{portfolio.name} — plan by {plan.planner}"
    body = [
        _header(portfolio, plan, summary, title),
        _summary_table(portfolio, summary),
        _depot_table(portfolio, summary),
        _binding(summary),
        *(_plant_section(portfolio, plan, s) for s in summary.plants),
        _missed_orders(portfolio, plan),
    ]
    if kpis is not None:  # hook: the KPI section lives with the enterprise report
        from ingenio.reports.enterprise import kpi_section

        body.append('<h1 id="actuals">What really happened</h1>')
        body.append(kpi_section(kpis, portfolio.currency, portfolio.horizon.timezone))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style>"
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>'
        f"</head><body>{''.join(body)}</body></html>\n"
    )


def write_report(
    portfolio: Portfolio,
    plan: Plan,
    summary: PlanSummary,
    path: Path,
    title: str | None = None,
    kpis: KpiReport | None = None,
) -> Path:
    """Write a self-contained, offline HTML report of a plan.

    The page has a header with the portfolio, planner, value and order counts; a
    table per plant; the binding notes; the late and unscheduled orders with their
    reasons; and per plant a Gantt chart of its lines over grid-off bands and shift
    gaps, its tank level with the reserve and fuel arrivals, and its load against
    the available power.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plan is for.
    plan : Plan
        The plan.
    summary : PlanSummary
        ``summarise(portfolio, plan)``.
    path : Path
        Where to write; replaced atomically (temporary file + rename).
    title : str, optional
        Page title; defaults to ``"<portfolio> — plan by <planner>"``.
    kpis : KpiReport, optional
        KPIs of the actuals, charted in a section of their own (see :func:`render_report`).

    Returns
    -------
    Path
        ``path``.
    """
    return atomic_write_text(path, render_report(portfolio, plan, summary, title, kpis))
