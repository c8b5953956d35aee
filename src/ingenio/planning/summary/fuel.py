"""Fuel levels of a plan over time: plant tanks and depots, for summaries and charts.

Accounted as ``docs/plan-rules.md`` says: a tank level is continuous (generators
burn while they run), deliveries and transfers arrive at a minute.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

from ingenio.domain import Plan, Portfolio
from ingenio.planning.genruns import start_burns

_EPS = 1e-6


def _level_points(
    start_level: float,
    inflows: Iterable[tuple[int, float]],
    burns: Iterable[tuple[int, int, float]],
    end: int,
) -> list[tuple[int, float]]:
    """Breakpoints of a level: stock + inflows at their minute - burn at a rate (per minute).

    At a minute with an inflow two points are given: the level just before and after it.
    """
    arrive: dict[int, float] = {}
    for at, litres in inflows:
        arrive[at] = arrive.get(at, 0.0) + litres
    rate_change: dict[int, float] = {}
    for s, e, per_minute in burns:
        if e > s and per_minute:
            rate_change[s] = rate_change.get(s, 0.0) + per_minute
            rate_change[e] = rate_change.get(e, 0.0) - per_minute
    marks = sorted({0, end, *arrive, *rate_change})
    level, rate, prev = start_level, 0.0, marks[0]
    points: list[tuple[int, float]] = []
    for t in marks:
        level -= rate * (t - prev)
        prev = t
        if t in arrive:
            points.append((t, level))
            level += arrive[t]
        points.append((t, level))
        rate += rate_change.get(t, 0.0)
    return points


def tank_levels(portfolio: Portfolio, plan: Plan, plant_id: str) -> list[tuple[int, float]]:
    """Tank level of a plant over the horizon, as breakpoints of a piecewise-linear curve.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plan is for.
    plan : Plan
        The plan.
    plant_id : str
        The plant.

    Returns
    -------
    list of (int, float)
        ``(minute, litres)`` sorted by minute; the level is linear between points. At a
        minute when fuel arrives there are two points, before and after the arrival.
        Empty when the plant has no tank and no fuel moves.
    """
    plant = portfolio.plant(plant_id)
    inflows = [(d.expected, d.litres) for d in portfolio.deliveries_to(plant_id)]
    inflows += [(t.at, t.litres) for t in plan.fuel_transfers if t.plant_id == plant_id]
    gens = {g.id: g for g in plant.generators}
    burns = [
        (r.start, r.end, gens[r.generator_id].litres_per_hour(r.output_kw) / 60.0)
        for r in plan.generator_runs
        if r.generator_id in gens
    ]
    for crank, start, rate, litres in start_burns(gens, plan.generator_runs):
        burns.append((crank, start, rate))  # the warm-up, then the start's litres at once
        if litres > 0:
            inflows.append((crank, -litres))
    if plant.tank is None and not inflows and not burns:
        return []
    stock = plant.tank.stock_l if plant.tank is not None else 0.0
    end = max([portfolio.horizon.minutes, *(e for _, e, _ in burns), *(a for a, _ in inflows)])
    return _level_points(stock, inflows, burns, end)


def depot_levels(portfolio: Portfolio, plan: Plan, depot_id: str) -> list[tuple[int, float]]:
    """Stock of a depot over the horizon: deliveries in, transfers out (step changes).

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plan is for.
    plan : Plan
        The plan.
    depot_id : str
        The depot.

    Returns
    -------
    list of (int, float)
        ``(minute, litres)`` breakpoints; at a minute with movements, before and after.
    """
    depot = next(d for d in portfolio.depots if d.id == depot_id)
    moves = [(d.expected, d.litres) for d in portfolio.deliveries_to(depot_id)]
    moves += [(t.at, -t.litres) for t in plan.fuel_transfers if t.depot_id == depot_id]
    end = max([portfolio.horizon.minutes, *(a for a, _ in moves)])
    return _level_points(depot.stock_l, moves, (), end)


def lowest(points: list[tuple[int, float]]) -> tuple[int, float] | None:
    """The first point with the lowest level, or None for an empty series."""
    if not points:
        return None
    low = min(v for _, v in points)
    return next((t, v) for t, v in points if v <= low + _EPS)


def spans_at_or_below(
    points: Sequence[tuple[int, float]], threshold: float
) -> list[tuple[float, float]]:
    """Time spans (minutes, merged) when a piecewise-linear level is at or below ``threshold``.

    Parameters
    ----------
    points : sequence of (int, float)
        Breakpoints as given by :func:`tank_levels`.
    threshold : float
        The level at or below which the series counts as "at" it.

    Returns
    -------
    list of (float, float)
        ``(start, end)`` spans in order; crossings are interpolated.
    """
    spans: list[tuple[float, float]] = []
    for (t0, v0), (t1, v1) in itertools.pairwise(points):
        lo0, lo1 = v0 <= threshold, v1 <= threshold
        if t1 == t0 or not (lo0 or lo1):
            continue
        a, b = float(t0), float(t1)
        if not (lo0 and lo1):
            cross = t0 + (threshold - v0) / (v1 - v0) * (t1 - t0)
            a, b = (a, cross) if lo0 else (cross, b)
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(b, spans[-1][1]))
        else:
            spans.append((a, b))
    if len(points) == 1 and points[0][1] <= threshold:
        spans.append((points[0][0], points[0][0]))
    return spans


def first_at_or_below(
    points: Sequence[tuple[int, float]], threshold: float
) -> tuple[int | None, float]:
    """First minute a level reaches ``threshold``, and the minutes it spends there.

    Parameters
    ----------
    points : sequence of (int, float)
        Breakpoints as given by :func:`tank_levels`.
    threshold : float
        The level at or below which the series counts as "at" it.

    Returns
    -------
    (int or None, float)
        The first minute (None when never reached) and the total minutes at or below.
    """
    spans = spans_at_or_below(points, threshold)
    if not spans:
        return None, 0.0
    return math.ceil(spans[0][0] - _EPS), sum(b - a for a, b in spans)
