"""One self-contained HTML report of a plan: totals, per-plant table, binding notes, charts.

The page works offline: plotly.js is inlined once in the page head and every
figure refers to it (:func:`ingenio.reports.html.page`).
"""

from __future__ import annotations

from html import escape

from ingenio.domain import MINUTES_PER_HOUR, OrderStatus, Plan, Portfolio
from ingenio.i18n import translator
from ingenio.operations.kpi import KpiReport
from ingenio.planning.summary import PlanSummary, PlantSummary
from ingenio.reports.enterprise import kpi_section
from ingenio.reports.html import cells, dom_id, el, figure_div, num, page, qty, when, word
from ingenio.reports.plan_charts import local, plant_figure

__all__ = ["render_plan_report"]


def _header(
    portfolio: Portfolio, plan: Plan, summary: PlanSummary, title: str, lang: str
) -> str:
    _ = translator(lang).gettext
    h = portfolio.horizon
    start, end = when(local(portfolio, 0), lang), when(local(portfolio, h.minutes), lang)
    cur = escape(summary.currency)
    possible = summary.total_potential_value
    share = round(100 * summary.total_value / possible) if possible else 0
    kpis = [
        (f"{num(summary.total_value, 0, lang)} {cur}",
         _("value delivered (%(share)s%% of %(possible)s)", share=share,
           possible=num(possible, 0, lang))),
        (str(summary.total_on_time), _("orders on time")),
        (str(summary.total_late), _("late")),
        (str(summary.total_unscheduled), _("unscheduled")),
        (_("%(n)s h", n=num(summary.total_generator_hours, 0, lang)), _("generator hours")),
        (_("%(n)s L", n=num(summary.total_fuel_used_l, 0, lang)), _("diesel burned")),
    ]  # fmt: skip
    boxes = "".join(f"<div><b>{v}</b>{escape(k)}</div>" for v, k in kpis)
    links = " ".join(
        f'<a href="#{dom_id("plant", p.plant_id)}">{escape(p.plant_name)}</a>'
        for p in summary.plants
    )
    bold_portfolio, bold_planner = (f"<b>{escape(x)}</b>" for x in (portfolio.name, plan.planner))
    meta = _(
        "portfolio %(portfolio)s · planner %(planner)s (%(status)s, %(seconds)s s) · "
        "%(start)s → %(end)s %(zone)s · %(plants)s plants, %(orders)s orders",
        portfolio=bold_portfolio, planner=bold_planner,
        status=escape(plan.status), seconds=num(plan.seconds, 1, lang), start=start, end=end,
        zone=escape(h.timezone), plants=len(portfolio.plants), orders=summary.total_orders,
    )  # fmt: skip
    return (
        f"<h1>{escape(title)}</h1>"
        f'<div class="meta">{meta}</div>'
        f'<div class="kpi">{boxes}</div>'
        f"<nav>{links} "
        + el("a", _("late and unscheduled orders"), ' href="#missed"')
        + "</nav>"
    )


def _plant_row(s: PlantSummary, portfolio: Portfolio, lang: str) -> list[str]:
    low = "–"
    if s.lowest_tank_l is not None and s.lowest_tank_at is not None:
        low = (f"{num(s.lowest_tank_l, 0, lang)} "
               f"({when(local(portfolio, s.lowest_tank_at), lang)})")  # fmt: skip
    return [
        f'<a href="#{dom_id("plant", s.plant_id)}">{escape(s.plant_name)}</a>',
        escape(s.enterprise),
        num(s.value, 0, lang),
        str(s.on_time),
        str(s.late),
        str(s.unscheduled),
        num(s.line_hours, 1, lang),
        num(s.grid_hours, 1, lang),
        num(s.generator_hours, 1, lang),
        num(s.fuel_used_l, 0, lang),
        num(s.fuel_received_l, 0, lang),
        low,
        num(s.reserve_l, 0, lang),
        num(s.grid_off_hours, 1, lang),
    ]


def _summary_table(portfolio: Portfolio, summary: PlanSummary, lang: str) -> str:
    _ = translator(lang).gettext
    heads = [_("plant"), _("enterprise"), _("value %(currency)s", currency=summary.currency),
             _("on time"), _("late"), _("unsched."), _("line h"), _("grid h"), _("gen h"),
             _("fuel used L"), _("fuel in L"), _("lowest tank L"), _("reserve L"),
             _("grid-off h")]  # fmt: skip
    head = "".join(f'<th class="t">{escape(h)}</th>' if i < 2 else f"<th>{escape(h)}</th>"
                   for i, h in enumerate(heads))  # fmt: skip
    rows = "".join(
        f"<tr>{cells(_plant_row(s, portfolio, lang), 2)}</tr>" for s in summary.plants
    )
    n = lang
    total = [
        escape(_("total")), "", num(summary.total_value, 0, n), str(summary.total_on_time),
        str(summary.total_late), str(summary.total_unscheduled),
        num(summary.total_line_hours, 1, n), num(summary.total_grid_hours, 1, n),
        num(summary.total_generator_hours, 1, n), num(summary.total_fuel_used_l, 0, n),
        num(summary.total_fuel_received_l, 0, n), "", "",
        num(summary.total_grid_off_hours, 1, n),
    ]  # fmt: skip
    rows += f'<tr class="total">{cells(total, 2)}</tr>'
    return (
        el("h2", _('Plants'))
        + f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _depot_table(portfolio: Portfolio, summary: PlanSummary, lang: str) -> str:
    if not summary.depots:
        return ""
    _ = translator(lang).gettext
    heads = [_("depot"), _("stock L"), _("received L"), _("shipped L"), _("lowest L"),
             _("empty from")]  # fmt: skip
    head = "".join(f'<th class="t">{escape(h)}</th>' if i == 0 else f"<th>{escape(h)}</th>"
                   for i, h in enumerate(heads))  # fmt: skip
    rows = ""
    for d in summary.depots:
        empty = "–" if d.empty_from is None else when(local(portfolio, d.empty_from), lang)
        rows += "<tr>" + cells([escape(d.name), num(d.stock_l, 0, lang),
                                 num(d.received_l, 0, lang), num(d.shipped_l, 0, lang),
                                 num(d.lowest_l, 0, lang), empty]) + "</tr>"  # fmt: skip
    return (
        el("h3", _('Depots'))
        + f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _binding(summary: PlanSummary, lang: str) -> str:
    _ = translator(lang).gettext
    heading = el("h2", _('What binds'))
    if not summary.binding:
        return heading + el("p", _("Neither power nor fuel binds in this plan."))
    items = "".join(f"<li>{escape(b)}</li>" for b in summary.binding)
    return f'{heading}<ul class="binding">{items}</ul>'


def _missed_orders(portfolio: Portfolio, plan: Plan, lang: str) -> str:
    """Late and unscheduled orders, most urgent class first, then by due date."""
    _ = translator(lang).gettext
    missed = [o for o in plan.outcomes if o.status is not OrderStatus.ON_TIME]
    missed = [o for o in missed if portfolio.has("order", o.order_id)]
    if not missed:
        return (el("h2", _("Late and unscheduled orders"), ' id="missed"')
                + el("p", _('Every order is on time.')))  # fmt: skip
    missed.sort(key=lambda o: (portfolio.order(o.order_id).priority.rank,
                               portfolio.order(o.order_id).due, o.order_id))  # fmt: skip
    heads = [_("order"), _("product"), _("plant"), _("priority"), _("quantity"), _("due"),
             _("status"), _("completion"), _("late h"), _("value"), _("reason")]  # fmt: skip
    head = "".join(
        f'<th class="t">{escape(h)}</th>' if i < 4 or i in (6, 10) else f"<th>{escape(h)}</th>"
        for i, h in enumerate(heads)
    )
    rows = ""
    for out in missed:
        order = portfolio.order(out.order_id)
        plant = portfolio.product_plant(order.product_id)
        done = "–" if out.completion is None else when(local(portfolio, out.completion), lang)
        texts = [escape(order.id), escape(portfolio.product(order.product_id).name),
                 escape(plant.name), escape(word(order.priority.value, lang))]  # fmt: skip
        rows += (
            f'<tr class="{escape(out.status.value)}">{cells(texts, 4)}'
            f"<td>{qty(order.quantity, lang)}</td>"
            f"<td>{when(local(portfolio, order.due), lang)}</td>"
            f'<td class="t">{escape(word(out.status.value, lang))}</td><td>{done}</td>'
            f"<td>{num(out.lateness_minutes / MINUTES_PER_HOUR, 1, lang)}</td>"
            f"<td>{num(out.value, 0, lang)}</td>"
            f'<td class="t">{escape(out.reason)}</td></tr>'
        )
    heading = _("Late and unscheduled orders (%(n)s)", n=len(missed))
    return (
        f'<h2 id="missed">{escape(heading)}</h2>'
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>'
        "</table></div>"
    )


def _plant_section(portfolio: Portfolio, plan: Plan, s: PlantSummary, lang: str) -> str:
    notes = "".join(f"<li>{escape(b)}</li>" for b in s.binding)
    div = figure_div(
        plant_figure(portfolio, plan, s.plant_id, lang), dom_id("fig", s.plant_id), lang
    )
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
    lang: str = "en",
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
    lang : str
        The page's language (es, ru, en): headings, labels and sentences, numbers and
        times in its locale.

    Returns
    -------
    str
        A complete HTML page with plotly.js inlined once.
    """
    _ = translator(lang).gettext
    title = title or _(
        "%(portfolio)s — plan by %(planner)s", portfolio=portfolio.name, planner=plan.planner
    )
    body = [
        _header(portfolio, plan, summary, title, lang),
        _summary_table(portfolio, summary, lang),
        _depot_table(portfolio, summary, lang),
        _binding(summary, lang),
        *(_plant_section(portfolio, plan, s, lang) for s in summary.plants),
        _missed_orders(portfolio, plan, lang),
    ]
    if kpis is not None:  # the KPI section is the enterprise report's
        body.append(el("h1", _("What really happened"), ' id="actuals"'))
        body.append(
            kpi_section(kpis, portfolio.currency, portfolio.horizon.timezone, lang=lang)
        )
    return page(title, "".join(body), lang)
