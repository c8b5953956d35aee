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
from ingenio.reports.html import chart_text, figure_div, page
from ingenio.scenarios.montecarlo import MonteCarloResult

__all__ = ["TOP_ORDERS", "render_scenarios_report"]

TOP_ORDERS = 30
"""Orders shown in the late-probability chart (the most at risk)."""

_LINES = (("P10", 10, "#b00020"), ("P50", 50, "#222222"), ("P90", 90, "#1f77b4"))


def _local(portfolio: Portfolio, minute: float) -> datetime:
    return portfolio.horizon.to_datetime(round(minute)).replace(tzinfo=None)


def _value_figure(result: MonteCarloResult, currency: str) -> go.Figure:
    """Histogram of sample values with the P10/P50/P90 lines and the published plan's value."""
    fig = go.Figure(go.Histogram(x=list(result.values), nbinsx=30, marker_color="#8fb3d9",
                                 name="samples"))  # fmt: skip
    marks = [(name, result.percentile(q), colour, "solid") for name, q, colour in _LINES]
    marks.append(("published plan", result.base_value, "#2ca02c", "dash"))
    for k, (name, x, colour, dash) in enumerate(marks):
        fig.add_vline(x=x, line={"color": colour, "dash": dash, "width": 2},
                      annotation={"text": f"{name} {x:,.0f}", "yshift": -16 * k,
                                  "font": {"color": colour}},
                      annotation_position="top right")  # fmt: skip
    fig.update_layout(
        title=f"Value of the plan over {len(result.samples)} samples ({currency})",
        xaxis_title=f"value delivered ({currency})",
        yaxis_title="samples",
        bargap=0.05,
        height=420,
        showlegend=False,
    )
    return fig


def _order_figure(portfolio: Portfolio, result: MonteCarloResult) -> go.Figure:
    """Stacked bars: probability each of the most at-risk orders is late / unscheduled."""
    risks = [r for r in result.order_risks if r.p_missed > 0 and not r.certain][:TOP_ORDERS]
    labels = [
        chart_text(f"{r.order_id} ({r.plant_id}, {r.planned.value.replace('_', ' ')})")
        for r in risks
    ]
    fig = go.Figure()
    for name, values, colour in (
        ("late", [r.p_late for r in risks], "#e69f00"),
        ("unscheduled", [r.p_unscheduled for r in risks], "#b00020"),
    ):
        fig.add_trace(go.Bar(x=labels, y=values, name=name, marker_color=colour))
    fig.update_layout(
        barmode="stack",
        title=f"Orders most at risk (top {len(risks)}): share of samples late or unscheduled",
        yaxis={"title": "probability", "range": [0, 1], "tickformat": ".0%"},
        height=440,
    )
    return fig


def _resumption_figure(portfolio: Portfolio, result: MonteCarloResult) -> go.Figure:
    """Per plant that stops in some sample: its resumption dates, one dot per sample."""
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
        title="When stopped plants resume (samples in which they stop and resume)",
        xaxis={"title": "resumption (local time)", "type": "date"},
        showlegend=False,
        height=max(260, 90 + 60 * len(fig.data)),
    )
    if minutes:
        span = [_local(portfolio, min(minutes) - pad), _local(portfolio, max(minutes) + pad)]
        fig.update_xaxes(range=span)
    return fig


def _header(portfolio: Portfolio, result: MonteCarloResult, title: str) -> str:
    cur = escape(portfolio.currency)
    kpis = [
        (f"{result.mean:,.0f} {cur}", "expected value"),
        (f"{result.p10:,.0f}", "P10"),
        (f"{result.p50:,.0f}", "P50"),
        (f"{result.p90:,.0f}", "P90"),
        (f"{result.base_value:,.0f}", "published plan"),
        (f"{len(result.samples)} / {result.n}", "samples planned"),
        (str(len(result.failures)), "samples failed"),
    ]
    boxes = "".join(f"<div><b>{v}</b>{escape(k)}</div>" for v, k in kpis)
    return (
        f"<h1>{escape(title)}</h1>"
        f'<div class="meta">portfolio <b>{escape(portfolio.name)}</b> · planner '
        f"<b>{escape(result.planner)}</b> · seed {result.seed} · {escape(result.executor)} · "
        f'{result.seconds:,.1f} s</div><div class="kpi">{boxes}</div>'
    )


def _resumption_table(portfolio: Portfolio, result: MonteCarloResult) -> str:
    rows = ""
    for r in result.plant_resumptions:
        if not r.stopped:
            continue
        qs = [r.quantile(q) for q in (10, 50, 90)]
        cells = "".join(
            f"<td>{'–' if q is None else f'{_local(portfolio, q):%Y-%m-%d %H:%M}'}</td>" for q in qs
        )
        name = escape(portfolio.plant(r.plant_id).name)
        rows += (
            f'<tr><td class="t">{name}</td><td>{r.p_stopped:.0%}</td>{cells}<td>{r.never}</td></tr>'
        )
    if not rows:
        return "<p>No plant stops in any sample.</p>"
    head = "".join(
        f"<th>{h}</th>" for h in ("P(stops)", "resumes P10", "P50", "P90", "never resumes")
    )
    return f'<table><tr><th class="t">plant</th>{head}</tr>{rows}</table>'


def _failures(result: MonteCarloResult) -> str:
    if not result.failures:
        return "<h2>Failed samples</h2><p>None: every sample was planned and validated.</p>"
    rows = "".join(
        f'<tr><td>{f.index}</td><td class="t bad">{escape(f.error)}</td></tr>'
        for f in result.failures
    )
    return (
        f"<h2>Failed samples ({len(result.failures)})</h2>"
        f'<table><tr><th>sample</th><th class="t">error</th></tr>{rows}</table>'
    )


def render_scenarios_report(
    portfolio: Portfolio, result: MonteCarloResult, title: str | None = None
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

    Returns
    -------
    str
        A complete HTML document with plotly.js inlined once.
    """
    title = title or f"{portfolio.name} — {result.n} scenarios"
    body = [
        _header(portfolio, result, title),
        "<h2>Value</h2>",
        '<p class="note">Each sample draws the grid cuts (planned, uncertain and unplanned) '
        "and the tanker arrivals, and is planned on its own. P10 is the value 9 samples in 10 "
        "reach or beat; the dashed line is the plan of the published schedule.</p>",
        figure_div(_value_figure(result, portfolio.currency), "fig-value"),
        "<h2>Orders at risk</h2>",
        f'<p class="note">The orders most often late or unscheduled over the samples, with their '
        "status in the published plan. Not shown: "
        f"{sum(r.certain for r in result.order_risks)} orders missed in the published plan and "
        "in every sample.</p>",
        figure_div(_order_figure(portfolio, result), "fig-orders"),
        "<h2>Resumption of stopped plants</h2>",
        '<p class="note">A plant stops in a sample when it runs nothing for a stretch in which '
        "the published plan ran it; it resumes when it runs production again.</p>",
        _resumption_table(portfolio, result),
        figure_div(_resumption_figure(portfolio, result), "fig-resumption"),
        _failures(result),
    ]
    return page(title, "".join(body))
