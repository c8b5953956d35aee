"""Plotly figures of the KPIs: where planned production time went, OEE over time, downtime.

Used by :mod:`ingenio.reports.enterprise` (and the KPI section of the plan report).
Time is cut into shares of the *planned production time*: the good output at the
ideal rate (OEE), the quality loss (ideal time of the scrap), the performance
loss (run time not turned into ideal output) and the availability losses by cause.
The shares add up to 100 %.
"""

from __future__ import annotations

import plotly.graph_objects as go

from ingenio.i18n import translator
from ingenio.operations.kpi import LOSS_CAUSES, KpiReport, KpiRow, Tally
from ingenio.reports.html import chart_text, word

CAUSE_COLOURS = {
    "grid": "#555555",
    "generator": "#8c564b",
    "fuel": "#ff7f0e",
    "breakdown": "#d62728",
    "material": "#9467bd",
    "labour": "#e377c2",
}
OEE_COLOUR = "#2ca02c"
PERFORMANCE_COLOUR = "#bcbd22"
QUALITY_COLOUR = "#17becf"


def time_split(t: Tally) -> dict[str, float]:
    """Hours of planned production time: ``oee``, ``quality``, ``performance``, then causes.

    ``performance`` is never negative here (a line faster than its rate shows 0).
    """
    out = {
        "oee": t.good_ideal_h,
        "quality": t.ideal_h - t.good_ideal_h,
        "performance": max(0.0, t.run_h - t.ideal_h),
    }
    out.update(t.losses_h)
    return out


def downtime_name(cause: str, lang: str = "en") -> str:
    """``"grid downtime"`` in the language."""
    return translator(lang).gettext("%(cause)s downtime", cause=word(cause, lang))


def split_names(lang: str = "en") -> dict[str, tuple[str, str]]:
    """The name and colour of each share of :func:`time_split`, in the language."""
    _ = translator(lang).gettext
    names = {
        "oee": (_("good output (OEE)"), OEE_COLOUR),
        "quality": (_("quality loss"), QUALITY_COLOUR),
        "performance": (_("speed loss"), PERFORMANCE_COLOUR),
    }
    names.update({c: (downtime_name(c, lang), CAUSE_COLOURS[c]) for c in LOSS_CAUSES})
    return names


def losses_figure(rows: list[KpiRow], title: str, lang: str = "en") -> go.Figure:
    """A stacked horizontal bar per row: shares of planned production time."""
    fig = go.Figure()
    labels = [chart_text(r.name) for r in rows]
    splits = [time_split(r.tally) for r in rows]
    planned = [max(r.tally.planned_h, 1e-9) for r in rows]
    for key, (name, colour) in split_names(lang).items():
        hours = [s[key] for s in splits]
        if not any(h > 1e-9 for h in hours):
            continue
        fig.add_trace(
            go.Bar(
                name=name, orientation="h", y=labels,
                x=[h / p for h, p in zip(hours, planned, strict=True)],
                customdata=hours, marker={"color": colour},
                hovertemplate="%{y}: %{x:.1%} (%{customdata:,.1f} h)<extra>" + name + "</extra>",
            )
        )  # fmt: skip
    fig.update_layout(
        barmode="stack", title=title, xaxis={"tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed"}, height=140 + 40 * len(rows), margin={"l": 160},
        legend={"orientation": "h", "y": -0.2},
    )  # fmt: skip
    return fig


def waterfall_steps(t: Tally, lang: str = "en") -> list[tuple[str, float]]:
    """The waterfall's losses (name, hours, negative), from the planned time to the OEE."""
    _ = translator(lang).gettext
    split = time_split(t)
    steps = [(downtime_name(c, lang), -split[c]) for c in LOSS_CAUSES if split[c] > 1e-9]
    return [*steps, (_("speed loss"), -split["performance"]),
            (_("quality loss"), -split["quality"])]  # fmt: skip


def waterfall_figure(t: Tally, title: str, lang: str = "en") -> go.Figure:
    """From 100 % of planned production time down, loss by loss, to the OEE."""
    _ = translator(lang).gettext
    planned = max(t.planned_h, 1e-9)
    steps = waterfall_steps(t, lang)
    fig = go.Figure(
        go.Waterfall(
            measure=["absolute", *["relative"] * len(steps), "total"],
            x=[_("planned time"), *(s[0] for s in steps), _("OEE")],
            y=[1.0, *(h / planned for _s, h in steps), 0.0],
            decreasing={"marker": {"color": "#d62728"}},
            totals={"marker": {"color": OEE_COLOUR}},
            increasing={"marker": {"color": "#1f77b4"}},
            texttemplate="%{y:.1%}", textposition="outside",
        )
    )  # fmt: skip
    fig.update_layout(title=title, yaxis={"tickformat": ".0%"}, height=380, showlegend=False)
    return fig


def trend_figure(report: KpiReport, level: str, title: str, lang: str = "en") -> go.Figure:
    """OEE per bucket, one line per plant (or line), with the good output as bars."""
    fig = go.Figure()
    keys = dict.fromkeys(r.key for r in report.level(level))
    for key in keys:
        rows = [r for r in report.level(level) if r.key == key and r.bucket is not None]
        fig.add_trace(
            go.Scatter(
                name=chart_text(rows[0].name if rows else key),
                x=[chart_text(r.bucket.label) for r in rows if r.bucket is not None],
                y=[r.tally.oee for r in rows], mode="lines+markers",
                hovertemplate="%{x}: " + translator(lang).gettext("OEE")
                + " %{y:.1%}<extra>%{fullData.name}</extra>",
            )
        )  # fmt: skip
    fig.update_layout(title=title, yaxis={"tickformat": ".0%", "rangemode": "tozero"}, height=360)
    return fig


def downtime_figure(rows: list[KpiRow], title: str, lang: str = "en") -> go.Figure:
    """Hours of downtime by cause, a stacked bar per plant."""
    fig = go.Figure()
    for cause in LOSS_CAUSES:
        hours = [r.tally.losses_h[cause] for r in rows]
        if any(h > 1e-9 for h in hours):
            fig.add_trace(
                go.Bar(name=word(cause, lang), x=[chart_text(r.name) for r in rows], y=hours,
                       marker={"color": CAUSE_COLOURS[cause]},
                       hovertemplate="%{x}: %{y:,.1f} h<extra>" + word(cause, lang)
                       + "</extra>")
            )  # fmt: skip
    fig.update_layout(barmode="stack", title=title,
                      yaxis={"title": translator(lang).gettext("hours")}, height=360)  # fmt: skip
    return fig
