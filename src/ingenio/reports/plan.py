"""One self-contained HTML report of a plan: totals, per-plant table, binding notes, charts.

The page works offline: plotly.js is inlined once in the page head and every
figure refers to it (:func:`ingenio.reports.html.page`).
"""

from __future__ import annotations

from html import escape

from ingenio.domain import MINUTES_PER_HOUR, OrderStatus, Plan, Portfolio
from ingenio.operations.kpi import KpiReport
from ingenio.planning.summary import PlanSummary, PlantSummary
from ingenio.reports.enterprise import kpi_section
from ingenio.reports.html import cells, dom_id, figure_div, num, page
from ingenio.reports.plan_charts import local, plant_figure

__all__ = ["render_plan_report"]


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
        f'<a href="#{dom_id("plant", p.plant_id)}">{escape(p.plant_name)}</a>'
        for p in summary.plants
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
        f'<a href="#{dom_id("plant", s.plant_id)}">{escape(s.plant_name)}</a>',
        escape(s.enterprise),
        num(s.value),
        str(s.on_time),
        str(s.late),
        str(s.unscheduled),
        num(s.line_hours, 1),
        num(s.grid_hours, 1),
        num(s.generator_hours, 1),
        num(s.fuel_used_l),
        num(s.fuel_received_l),
        low,
        num(s.reserve_l),
        num(s.grid_off_hours, 1),
    ]


def _summary_table(portfolio: Portfolio, summary: PlanSummary) -> str:
    heads = ["plant", "enterprise", f"value {summary.currency}", "on time", "late", "unsched.",
             "line h", "grid h", "gen h", "fuel used L", "fuel in L", "lowest tank L",
             "reserve L", "grid-off h"]  # fmt: skip
    head = "".join(f'<th class="t">{escape(h)}</th>' if i < 2 else f"<th>{escape(h)}</th>"
                   for i, h in enumerate(heads))  # fmt: skip
    rows = "".join(f"<tr>{cells(_plant_row(s, portfolio), 2)}</tr>" for s in summary.plants)
    total = [
        "total", "", num(summary.total_value), str(summary.total_on_time),
        str(summary.total_late), str(summary.total_unscheduled),
        num(summary.total_line_hours, 1), num(summary.total_grid_hours, 1),
        num(summary.total_generator_hours, 1), num(summary.total_fuel_used_l),
        num(summary.total_fuel_received_l), "", "", num(summary.total_grid_off_hours, 1),
    ]  # fmt: skip
    rows += f'<tr class="total">{cells(total, 2)}</tr>'
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
        rows += "<tr>" + cells([escape(d.name), num(d.stock_l), num(d.received_l),
                                 num(d.shipped_l), num(d.lowest_l), empty]) + "</tr>"  # fmt: skip
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
        texts = [escape(order.id), escape(portfolio.product(order.product_id).name),
                 escape(plant.name), escape(order.priority.value)]  # fmt: skip
        rows += (
            f'<tr class="{escape(out.status.value)}">{cells(texts, 4)}'
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
    div = figure_div(plant_figure(portfolio, plan, s.plant_id), dom_id("fig", s.plant_id))
    return (
        f'<h2 id="{dom_id("plant", s.plant_id)}">{escape(s.plant_name)} '
        f'<small style="color:#666">({escape(s.enterprise)})</small></h2>'
        f'<ul class="binding">{notes}</ul>{div}'
    )


def render_plan_report(
    portfolio: Portfolio,
    plan: Plan,
    summary: PlanSummary,
    title: str | None = None,
    kpis: KpiReport | None = None,
) -> str:
    """A self-contained, offline HTML report of a plan.

    The page has a header with the portfolio, planner, value and order counts; a
    table per plant; the binding notes; the late and unscheduled orders with their
    reasons; and per plant a Gantt chart of its lines over grid-off bands and shift
    gaps, its tank level with the reserve and fuel arrivals, and its load against
    the available power. The caller writes it (``formats.atomic.atomic_write_text``).

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
    if kpis is not None:  # the KPI section is the enterprise report's
        body.append('<h1 id="actuals">What really happened</h1>')
        body.append(kpi_section(kpis, portfolio.currency, portfolio.horizon.timezone))
    return page(title, "".join(body))
