"""One self-contained HTML page of a Monte Carlo run: figures, tables, failures.

The page works offline: plotly.js is inlined once in the head and every figure
refers to it (:func:`ingenio.reports.html.page`). Pure: returns the page as text;
the caller writes it.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

import plotly.graph_objects as go

from ingenio.domain import Portfolio
from ingenio.i18n import translator
from ingenio.reports.html import chart_text, el, figure_div, num, page, pct, when, word
from ingenio.scenarios.montecarlo import MonteCarloResult

__all__ = ["TOP_ORDERS", "render_scenarios_report"]

TOP_ORDERS = 30
"""Orders shown in the late-probability chart (the most at risk)."""

_LINES = (("P10", 10, "#b00020"), ("P50", 50, "#222222"), ("P90", 90, "#1f77b4"))


def _local(portfolio: Portfolio, minute: float) -> datetime:
    return portfolio.horizon.to_datetime(round(minute)).replace(tzinfo=None)


def _value_figure(result: MonteCarloResult, currency: str, lang: str) -> go.Figure:
    """Histogram of sample values with the P10/P50/P90 lines and the published plan's value."""
    _ = translator(lang).gettext
    fig = go.Figure(go.Histogram(x=list(result.values), nbinsx=30, marker_color="#8fb3d9",
                                 name=_("samples")))  # fmt: skip
    marks = [(name, result.percentile(q), colour, "solid") for name, q, colour in _LINES]
    marks.append((_("published plan"), result.base_value, "#2ca02c", "dash"))
    for k, (name, x, colour, dash) in enumerate(marks):
        fig.add_vline(x=x, line={"color": colour, "dash": dash, "width": 2},
                      annotation={"text": f"{name} {num(x, 0, lang)}", "yshift": -16 * k,
                                  "font": {"color": colour}},
                      annotation_position="top right")  # fmt: skip
    fig.update_layout(
        title=_("Value of the plan over %(n)s samples (%(currency)s)", n=len(result.samples),
                currency=currency),
        xaxis_title=_("value delivered (%(currency)s)", currency=currency),
        yaxis_title=_("samples"),
        bargap=0.05,
        height=420,
        showlegend=False,
    )
    return fig


def _order_figure(portfolio: Portfolio, result: MonteCarloResult, lang: str) -> go.Figure:
    """Stacked bars: probability each of the most at-risk orders is late / unscheduled."""
    _ = translator(lang).gettext
    risks = [r for r in result.order_risks if r.p_missed > 0 and not r.certain][:TOP_ORDERS]
    labels = [
        chart_text(f"{r.order_id} ({r.plant_id}, {word(r.planned.value, lang)})")
        for r in risks
    ]
    fig = go.Figure()
    for name, values, colour in (
        (word("late", lang), [r.p_late for r in risks], "#e69f00"),
        (word("unscheduled", lang), [r.p_unscheduled for r in risks], "#b00020"),
    ):
        fig.add_trace(go.Bar(x=labels, y=values, name=name, marker_color=colour))
    fig.update_layout(
        barmode="stack",
        title=_("Orders most at risk (top %(n)s): share of samples late or unscheduled",
                n=len(risks)),
        yaxis={"title": _("probability"), "range": [0, 1], "tickformat": ".0%"},
        height=440,
    )
    return fig


def _resumption_figure(portfolio: Portfolio, result: MonteCarloResult, lang: str) -> go.Figure:
    """Per plant that stops in some sample: its resumption dates, one dot per sample."""
    _ = translator(lang).gettext
    fig = go.Figure()
    for r in result.plant_resumptions:
        if not r.resumed:
            continue
        name = portfolio.plant(r.plant_id).name if portfolio.has("plant", r.plant_id) else ""
        fig.add_trace(
            go.Box(
                x=[_local(portfolio, m) for m in r.resumed],
                name=chart_text(r.plant_id),
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                orientation="h",
                hovertext=chart_text(name),
            )
        )
    minutes = [m for r in result.plant_resumptions for m in r.resumed]
    pad = 6 * 60  # six hours either side, so one date alone is not zoomed to milliseconds
    fig.update_layout(
        title=_("When stopped plants resume (samples in which they stop and resume)"),
        xaxis={"title": _("resumption (local time)"), "type": "date"},
        showlegend=False,
        height=max(260, 90 + 60 * len(fig.data)),
    )
    if minutes:
        span = [_local(portfolio, min(minutes) - pad), _local(portfolio, max(minutes) + pad)]
        fig.update_xaxes(range=span)
    return fig


def _header(portfolio: Portfolio, result: MonteCarloResult, title: str, lang: str) -> str:
    _ = translator(lang).gettext
    cur = escape(portfolio.currency)
    kpis = [
        (f"{num(result.mean, 0, lang)} {cur}", _("expected value")),
        (num(result.p10, 0, lang), "P10"),
        (num(result.p50, 0, lang), "P50"),
        (num(result.p90, 0, lang), "P90"),
        (num(result.base_value, 0, lang), _("published plan")),
        (f"{len(result.samples)} / {result.n}", _("samples planned")),
        (str(len(result.failures)), _("samples failed")),
    ]
    boxes = "".join(f"<div><b>{v}</b>{escape(k)}</div>" for v, k in kpis)
    bold_portfolio, bold_planner = (f"<b>{escape(x)}</b>" for x in (portfolio.name, result.planner))
    meta = _(
        "portfolio %(portfolio)s · planner %(planner)s · seed %(seed)s · %(executor)s · "
        "%(seconds)s s",
        portfolio=bold_portfolio, planner=bold_planner,
        seed=result.seed, executor=escape(result.executor), seconds=num(result.seconds, 1, lang),
    )  # fmt: skip
    return f'<h1>{escape(title)}</h1><div class="meta">{meta}</div><div class="kpi">{boxes}</div>'



def _resumption_table(portfolio: Portfolio, result: MonteCarloResult, lang: str) -> str:
    _ = translator(lang).gettext
    rows = ""
    for r in result.plant_resumptions:
        if not r.stopped:
            continue
        qs = [r.quantile(q) for q in (10, 50, 90)]
        cells = "".join(
            f"<td>{'–' if q is None else when(_local(portfolio, q), lang)}</td>" for q in qs
        )
        name = escape(portfolio.plant(r.plant_id).name)
        rows += (
            f'<tr><td class="t">{name}</td><td>{pct(r.p_stopped, lang)}</td>{cells}'
            f"<td>{r.never}</td></tr>"
        )
    if not rows:
        return el("p", _('No plant stops in any sample.'))
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in (_("P(stops)"), _("resumes P10"), "P50", "P90", _("never resumes"))
    )
    first = el("th", _("plant"), ' class="t"')
    return f"<table><tr>{first}{head}</tr>{rows}</table>"


def _failures(result: MonteCarloResult, lang: str) -> str:
    _ = translator(lang).gettext
    if not result.failures:
        return (el("h2", _('Failed samples'))
                + el("p", _('None: every sample was planned and validated.')))  # fmt: skip
    rows = "".join(
        f'<tr><td>{f.index}</td><td class="t bad">{escape(f.error)}</td></tr>'
        for f in result.failures
    )
    return (
        el("h2", _('Failed samples (%(n)s)', n=len(result.failures)))
        + "<table><tr>" + el("th", _("sample")) + el("th", _("error"), ' class="t"')
        + f"</tr>{rows}</table>"
    )


def render_scenarios_report(
    portfolio: Portfolio, result: MonteCarloResult, title: str | None = None, lang: str = "en"
) -> str:
    """The Monte Carlo report as one offline HTML page.

    Parameters
    ----------
    portfolio
        The portfolio sampled (names, time zone, currency).
    result
        From :func:`~ingenio.scenarios.montecarlo.run_samples`.
    title
        Page title; default ``"<portfolio> — N scenarios"``.
    lang
        The page's language (es, ru, en).

    Returns
    -------
    str
        A complete HTML document with plotly.js inlined once.
    """
    _ = translator(lang).gettext
    title = title or _("%(portfolio)s — %(n)s scenarios", portfolio=portfolio.name, n=result.n)
    certain = sum(r.certain for r in result.order_risks)
    body = [
        _header(portfolio, result, title, lang),
        el("h2", _('Value')),
        '<p class="note">'
        + escape(_("Each sample draws the grid cuts (planned, uncertain and unplanned) and the "
                   "tanker arrivals, and is planned on its own. P10 is the value 9 samples in 10 "
                   "reach or beat; the dashed line is the plan of the published schedule."))
        + "</p>",
        figure_div(_value_figure(result, portfolio.currency, lang), "fig-value", lang),
        el("h2", _('Orders at risk')),
        '<p class="note">'
        + escape(_("The orders most often late or unscheduled over the samples, with their "
                   "status in the published plan. Not shown: %(n)s orders missed in the "
                   "published plan and in every sample.", n=certain))
        + "</p>",
        figure_div(_order_figure(portfolio, result, lang), "fig-orders", lang),
        el("h2", _('Resumption of stopped plants')),
        '<p class="note">'
        + escape(_("A plant stops in a sample when it runs nothing for a stretch in which the "
                   "published plan ran it; it resumes when it runs production again."))
        + "</p>",
        _resumption_table(portfolio, result, lang),
        figure_div(_resumption_figure(portfolio, result, lang), "fig-resumption", lang),
        _failures(result, lang),
    ]  # fmt: skip
    return page(title, "".join(body), lang)
