"""Batteries in a plan: stored energy over time and when a battery runs empty."""

from __future__ import annotations

import itertools

from ingenio.domain import MINUTES_PER_HOUR, Plan, Portfolio

_EPS = 1e-6


def battery_levels(portfolio: Portfolio, plan: Plan, battery_id: str) -> list[tuple[int, float]]:
    """Stored kWh of a battery as breakpoints of a piecewise-linear curve.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plan is for.
    plan : Plan
        The plan.
    battery_id : str
        The battery.

    Returns
    -------
    list of (int, float)
        ``(minute, kWh)`` sorted by minute, from 0 to the horizon end; linear between
        points (``docs/plan-rules.md``, ``battery-soc``: efficiency counted on the way in).
    """
    bat = portfolio.battery(battery_id)
    rate: dict[int, float] = {}  # kW into the store
    for f in plan.battery_flows:
        if f.battery_id == battery_id and f.end > f.start:
            kw = -f.kw if f.kw > 0 else -f.kw * bat.efficiency
            rate[f.start] = rate.get(f.start, 0.0) + kw
            rate[f.end] = rate.get(f.end, 0.0) - kw
    end = portfolio.horizon.minutes
    times = sorted({0, end, *rate})
    points = [(0, bat.initial_kwh)]
    level, kw = bat.initial_kwh, 0.0
    for a, b in itertools.pairwise(times):
        kw += rate.get(a, 0.0)
        level += kw * (b - a) / MINUTES_PER_HOUR
        points.append((b, level))
    return points


def battery_empty(portfolio: Portfolio, plan: Plan, battery_id: str) -> list[int]:
    """Minutes at which the battery reaches its floor (``min_soc``) while discharging."""
    bat = portfolio.battery(battery_id)
    out: list[int] = []
    points = battery_levels(portfolio, plan, battery_id)
    for (_, before), (t, after) in itertools.pairwise(points):
        if after <= bat.floor_kwh + _EPS < before:
            out.append(t)
    return out
