"""Plotly figures of one plant's plan: Gantt of its lines, tank level, load vs supply."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import datetime

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ingenio.domain import (
    MINUTES_PER_DAY,
    Plan,
    Plant,
    Portfolio,
    PriorityClass,
    Window,
    merge_windows,
)
from ingenio.i18n import translator
from ingenio.planning.summary import battery_levels, power_series, tank_levels
from ingenio.reports.html import chart_text, qty, when, word

PRIORITY_COLOURS = {
    PriorityClass.ESSENTIAL: "#d62728",
    PriorityClass.EXPORT: "#1f77b4",
    PriorityClass.DOMESTIC: "#2ca02c",
}
GRID_OFF_FILL = "rgba(90, 90, 90, 0.16)"
SHIFT_GAP_FILL = "rgba(160, 160, 160, 0.10)"
ROW_PX = 28


def local(portfolio: Portfolio, minute: int) -> datetime:
    """Local wall-clock time of a minute, without time zone (for charts and Excel).

    Parameters
    ----------
    portfolio : Portfolio
        Gives the horizon (origin and zone).
    minute : int
        Minutes from the origin.

    Returns
    -------
    datetime
        A naive local datetime.
    """
    return portfolio.horizon.to_datetime(minute).replace(tzinfo=None)


def _iso(portfolio: Portfolio, minute: int) -> str:
    return f"{local(portfolio, minute):%Y-%m-%d %H:%M}"


def _changes(
    starts: Sequence[int], values: Sequence[float], end: int
) -> tuple[list[int], list[float]]:
    """Keep only the points where a step series changes, plus its end (for ``hv`` lines)."""
    xs: list[int] = []
    ys: list[float] = []
    for t, v in zip(starts, values, strict=True):
        if not ys or abs(v - ys[-1]) > 1e-9:
            xs.append(t)
            ys.append(v)
    if ys:
        xs.append(end)
        ys.append(ys[-1])
    return xs, ys


def _level_at(points: Sequence[tuple[int, float]], minute: int) -> float:
    """Level after everything at ``minute`` (linear between breakpoints)."""
    i = bisect.bisect_right([t for t, _ in points], minute)
    if i == 0:
        return points[0][1]
    t0, v0 = points[i - 1]
    if i == len(points) or points[i][0] == t0:
        return v0
    t1, v1 = points[i]
    return v0 + (v1 - v0) * (minute - t0) / (t1 - t0)


def _shift_gaps(shifts: Sequence[Window], end: int) -> list[Window]:
    gaps: list[Window] = []
    at = 0
    for w in merge_windows(shifts):
        if w.start > at:
            gaps.append(Window(at, min(w.start, end)))
        at = max(at, w.end)
    if at < end:
        gaps.append(Window(at, end))
    return [g for g in gaps if g.start < end]


def _gantt(fig: go.Figure, portfolio: Portfolio, plan: Plan, plant: Plant, lang: str) -> None:
    """Row 1: a "grid" strip and one row per line, bars per operation by priority class."""
    _ = translator(lang).gettext
    rows = {ln.id: i + 1 for i, ln in enumerate(plant.lines)}
    by_class: dict[PriorityClass, list[tuple[object, ...]]] = {c: [] for c in PriorityClass}
    for op in sorted(plan.operations, key=lambda o: (o.line_id, o.start)):
        if op.line_id not in rows or not portfolio.has("order", op.order_id):
            continue
        order = portfolio.order(op.order_id)
        product = portfolio.product(order.product_id)
        step = product.routing[op.step].name if op.step < len(product.routing) else "?"
        start, end = local(portfolio, op.start), local(portfolio, op.end)
        by_class[order.priority].append(
            (
                rows[op.line_id],
                f"{start:%Y-%m-%d %H:%M}",
                (end - start).total_seconds() * 1000,
                (chart_text(order.id), chart_text(product.name),
                 chart_text(f"{op.step + 1} {step}"), qty(op.quantity, lang),
                 word(str(op.source), lang), when(start, lang), when(end, lang)),
            )
        )  # fmt: skip
    for cls, bars in by_class.items():
        if not bars:
            continue
        fig.add_trace(
            go.Bar(
                name=word(cls.value, lang),
                orientation="h",
                y=[b[0] for b in bars],
                base=[b[1] for b in bars],
                x=[b[2] for b in bars],
                customdata=[b[3] for b in bars],
                marker={"color": PRIORITY_COLOURS[cls], "line": {"color": "white", "width": 0.5}},
                width=0.8,
                legendgroup="priority",
                hovertemplate=(
                    _("order %(order)s · %(product)s", order="%{customdata[0]}",
                      product="%{customdata[1]}")
                    + "<br>" + _("step %(step)s", step="%{customdata[2]}")
                    + "<br>" + _("qty %(qty)s", qty="%{customdata[3]}")
                    + " · %{customdata[4]}<br>%{customdata[5]} → %{customdata[6]}<extra>"
                    + word(cls.value, lang) + "</extra>"
                ),
            ),
            row=1,
            col=1,
        )
    _grid_strip(fig, portfolio, plant, lang)
    fig.update_yaxes(
        tickvals=[0, *rows.values()],
        ticktext=[_("grid"), *(chart_text(ln.name) for ln in plant.lines)],
        autorange="reversed",
        showgrid=False,
        zeroline=False,
        row=1,
        col=1,
    )


def _grid_strip(fig: go.Figure, portfolio: Portfolio, plant: Plant, lang: str) -> None:
    """Grid-off windows as dark bars on row 0 (likely outages lighter) and bands under all rows."""
    _ = translator(lang).gettext
    block = portfolio.block(plant.block_id)
    for likely in (True, False):
        wins = [o for o in block.all_outages() if (o.probability >= 0.5) is likely]
        if not wins:
            continue
        starts = [local(portfolio, o.window.start) for o in wins]
        ends = [local(portfolio, o.window.end) for o in wins]
        fig.add_trace(
            go.Bar(
                name=_("grid off") if likely else _("outage risk < 50%"),
                orientation="h",
                y=[0] * len(wins),
                base=[f"{s:%Y-%m-%d %H:%M}" for s in starts],
                x=[(e - s).total_seconds() * 1000 for s, e in zip(starts, ends, strict=True)],
                customdata=[
                    (when(s, lang), when(e, lang), f"{o.probability:.0%}")
                    for s, e, o in zip(starts, ends, wins, strict=True)
                ],
                marker={"color": "#555555" if likely else "#bbbbbb"},
                width=0.8,
                hovertemplate=_("outage %(start)s → %(end)s (p %(p)s)",
                                start="%{customdata[0]}", end="%{customdata[1]}",
                                p="%{customdata[2]}") + "<extra></extra>",
            ),
            row=1,
            col=1,
        )


def _shapes(portfolio: Portfolio, plant: Plant) -> list[dict[str, object]]:
    """Grid-off bands across all rows and shift gaps of the lines (merged over rows).

    Built as plain dicts and set once: plotly's ``add_shape`` is quadratic in shapes.
    """
    iso = {m: _iso(portfolio, m) for w in portfolio.grid_off(plant.id) for m in (w.start, w.end)}
    shapes: list[dict[str, object]] = [
        {"type": "rect", "layer": "below", "line": {"width": 0}, "fillcolor": GRID_OFF_FILL,
         "xref": "x", "yref": "paper", "x0": iso[w.start], "x1": iso[w.end], "y0": 0, "y1": 1}
        for w in portfolio.grid_off(plant.id)
    ]  # fmt: skip
    rows_of_gap: dict[Window, list[int]] = {}
    for row, ln in enumerate(plant.lines, start=1):
        for gap in _shift_gaps(ln.shifts, portfolio.horizon.minutes):
            rows_of_gap.setdefault(gap, []).append(row)
    for gap, rows in rows_of_gap.items():
        runs: list[list[int]] = []
        for r in rows:
            if runs and runs[-1][-1] == r - 1:
                runs[-1].append(r)
            else:
                runs.append([r])
        shapes += [
            {"type": "rect", "layer": "below", "line": {"width": 0}, "fillcolor": SHIFT_GAP_FILL,
             "xref": "x", "yref": "y", "x0": _iso(portfolio, gap.start),
             "x1": _iso(portfolio, gap.end), "y0": run[0] - 0.45, "y1": run[-1] + 0.45}
            for run in runs
        ]  # fmt: skip
    return shapes


def _fuel(
    fig: go.Figure, portfolio: Portfolio, plan: Plan, plant: Plant, row: int, lang: str
) -> None:
    """Tank litres over time, the reserve dashed, transfers and deliveries as markers."""
    _ = translator(lang).gettext
    points = tank_levels(portfolio, plan, plant.id)
    if not points:
        fig.add_annotation(
            text=_("no tank"), showarrow=False, xref="x domain", yref="y domain", x=0.5, y=0.5,
            row=row, col=1,
        )  # fmt: skip
        return
    fig.add_trace(
        go.Scatter(
            name=_("tank litres"), x=[_iso(portfolio, t) for t, _v in points],
            y=[round(v, 2) for _t, v in points], mode="lines", line={"color": "#8c564b"},
            hovertemplate="%{x}<br>%{y:,.0f} L<extra>" + _("tank") + "</extra>",
        ),
        row=row, col=1,
    )  # fmt: skip
    ends = [_iso(portfolio, 0), _iso(portfolio, portfolio.horizon.minutes)]
    if plant.tank is not None:
        fig.add_trace(
            go.Scatter(
                name=_("reserve"), x=ends, y=[plant.tank.reserve_l] * 2, mode="lines",
                line={"color": "#d62728", "dash": "dash"},
                hovertemplate=_("reserve %(litres)s L", litres="%{y:,.0f}")
                + "<extra></extra>",
            ),
            row=row, col=1,
        )  # fmt: skip
    arrivals = [
        (t.at, t.litres, _("transfer from %(depot)s", depot=chart_text(t.depot_id)))
        for t in plan.fuel_transfers
        if t.plant_id == plant.id
    ]
    arrivals += [
        (d.expected, d.litres, _("delivery %(id)s", id=chart_text(d.id)))
        for d in portfolio.deliveries_to(plant.id)
    ]
    if arrivals:
        fig.add_trace(
            go.Scatter(
                name=_("fuel in"), mode="markers",
                x=[_iso(portfolio, a[0]) for a in arrivals],
                y=[round(_level_at(points, a[0]), 2) for a in arrivals],
                customdata=[(qty(round(a[1]), lang), a[2]) for a in arrivals],
                marker={"symbol": "triangle-up", "size": 10, "color": "#ff7f0e"},
                hovertemplate="%{x}<br>+%{customdata[0]} L, %{customdata[1]}<extra></extra>",
            ),
            row=row, col=1,
        )  # fmt: skip
    fig.update_yaxes(title_text=_("litres"), rangemode="tozero", row=row, col=1)


def _battery(
    fig: go.Figure, portfolio: Portfolio, plan: Plan, plant: Plant, row: int, lang: str
) -> None:
    """State of charge (% of capacity) of each battery, its floor dashed."""
    _ = translator(lang).gettext
    ends = [_iso(portfolio, 0), _iso(portfolio, portfolio.horizon.minutes)]
    for bat in plant.batteries:
        points = battery_levels(portfolio, plan, bat.id)
        fig.add_trace(
            go.Scatter(
                name=chart_text(_("%(battery)s state of charge", battery=bat.id)),
                x=[_iso(portfolio, t) for t, _ in points],
                y=[round(100 * v / bat.capacity_kwh, 2) for _t, v in points], mode="lines",
                line={"color": "#17becf"},
                customdata=[round(v, 1) for _t, v in points],
                hovertemplate="%{x}<br>%{y:.0f} % (%{customdata:,.1f} kWh)<extra>"
                + chart_text(bat.id) + "</extra>",
            ),
            row=row, col=1,
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(
                name=chart_text(_("%(battery)s floor", battery=bat.id)), x=ends,
                y=[100 * bat.min_soc] * 2, mode="lines",
                line={"color": "#d62728", "dash": "dot"},
                hovertemplate=_("floor %(share)s %%", share="%{y:.0f}") + "<extra></extra>",
            ),
            row=row, col=1,
        )  # fmt: skip
    fig.update_yaxes(title_text=_("% charged"), range=[0, 100], row=row, col=1)


def _power(
    fig: go.Figure, portfolio: Portfolio, plan: Plan, plant: Plant, row: int, lang: str
) -> None:
    """Available supply (grid + solar + generators) filled, generator output, peak load."""
    _ = translator(lang).gettext
    series = power_series(portfolio, plan, plant.id)
    end = portfolio.horizon.minutes
    for name, values, style in (
        (_("available kW"), series.available_kw, {"fill": "tozeroy", "color": "#7fc97f"}),
        (_("generator kW"), series.generator_kw, {"color": "#ff7f0e"}),
        (_("load kW"), series.load_kw, {"color": "#222222"}),
    ):
        xs, ys = _changes(series.starts, values, end)
        fill = style.pop("fill", None)
        fig.add_trace(
            go.Scatter(
                name=name, x=[_iso(portfolio, t) for t in xs], y=[round(v, 2) for v in ys],
                mode="lines", line={"shape": "hv", "width": 1.5, **style}, fill=fill,
                hovertemplate="%{x}<br>%{y:,.1f} kW<extra>" + name + "</extra>",
            ),
            row=row, col=1,
        )  # fmt: skip
    fig.update_yaxes(title_text="kW", rangemode="tozero", row=row, col=1)


def plant_figure(
    portfolio: Portfolio, plan: Plan, plant_id: str, lang: str = "en"
) -> go.Figure:
    """Gantt of a plant's lines over grid-off bands, its tank level, and load vs supply.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plan is for.
    plan : Plan
        The plan.
    plant_id : str
        The plant to draw.
    lang : str
        The language of the titles, legends and hover texts (es, ru, en).

    Returns
    -------
    plotly.graph_objects.Figure
        Three rows sharing a local-time x axis.
    """
    plant = portfolio.plant(plant_id)
    gantt_px = ROW_PX * (len(plant.lines) + 1) + 40
    heights = [gantt_px, 170, 170]
    _ = translator(lang).gettext
    titles = [_("lines"), _("fuel tank"), _("load vs available power")]
    if plant.batteries:  # a state-of-charge row under the tank level
        heights.insert(2, 150)
        titles.insert(2, _("battery state of charge"))
    fig = make_subplots(
        rows=len(heights), cols=1, shared_xaxes=True, vertical_spacing=0.05,
        row_heights=[h / sum(heights) for h in heights], subplot_titles=tuple(titles),
    )  # fmt: skip
    _gantt(fig, portfolio, plan, plant, lang)
    _fuel(fig, portfolio, plan, plant, 2, lang)
    if plant.batteries:
        _battery(fig, portfolio, plan, plant, 3, lang)
    _power(fig, portfolio, plan, plant, len(heights), lang)
    days = max(1, portfolio.horizon.minutes // MINUTES_PER_DAY)
    fig.update_xaxes(
        type="date",
        range=[_iso(portfolio, 0), _iso(portfolio, portfolio.horizon.minutes)],
        dtick=MINUTES_PER_DAY * 60_000 if days <= 31 else None,
        # plotly.js names days and months in English only: numeric dates elsewhere
        tickformat="%a %d %b" if translator(lang).lang == "en" else "%d.%m",
        showgrid=True,
    )
    fig.update_layout(
        shapes=_shapes(portfolio, plant),
        template="plotly_white",
        height=sum(heights) + 120,
        barmode="overlay",
        margin={"l": 10, "r": 10, "t": 40, "b": 30},
        legend={"orientation": "h", "y": -0.04},
        hovermode="closest",
    )
    return fig
