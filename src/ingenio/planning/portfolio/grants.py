"""Depot fuel grants read off the portfolio LP, and depot fuel left to share.

Private helper of :mod:`ingenio.planning.portfolio`. A grant ``(depot, minute,
litres)`` lets a plant draw that much depot fuel from that minute on. Grants are
rounded down to the millilitre, so their running sum per depot never exceeds the
depot's stock plus its deliveries so far.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from ingenio.domain import Portfolio

FloatArray = npt.NDArray[np.float64]
Grant = tuple[str, int, float]
"""``(depot id, minute, litres)``."""

LITRE_STEP = 1e-3


def round_down(litres: float) -> float:
    """``litres`` rounded down to the millilitre (never negative)."""
    return max(0.0, math.floor(litres / LITRE_STEP + 1e-9) * LITRE_STEP)


def spare_curve(
    portfolio: Portfolio, depot_id: str, points: Sequence[int], taken: Sequence[Grant]
) -> FloatArray:
    """Extra litres the depot can still give at each point, given grants ``taken``.

    ``spare[i] = max(0, min over j >= i of level(points[j]))``: what can leave at
    ``points[i]`` without the depot's level ever going negative later.
    """
    depot = next(d for d in portfolio.depots if d.id == depot_id)
    arrivals = portfolio.deliveries_to(depot_id)
    level = np.array(
        [
            depot.stock_l
            + sum(a.litres for a in arrivals if a.expected <= t)
            - sum(x for d, at, x in taken if d == depot_id and at <= t)
            for t in points
        ]
    )
    spare = np.minimum.accumulate(level[::-1])[::-1] if len(level) else level
    out: FloatArray = np.maximum(spare, 0.0)
    return out


def share_spare(
    portfolio: Portfolio,
    points: Sequence[int],
    taken: Sequence[Grant],
    weights: Mapping[str, float],
) -> list[tuple[str, Grant]]:
    """Split every depot's spare fuel among plants in proportion to ``weights``.

    Returns ``(plant id, grant)`` pairs; the spare that becomes available at each
    point (stock at the origin, each delivery later) is split at that point.
    """
    total = sum(weights.values())
    if total <= 0:
        return []
    out: list[tuple[str, Grant]] = []
    for depot in portfolio.depots:
        spare = spare_curve(portfolio, depot.id, points, taken)
        previous = 0.0
        for t, level in zip(points, spare.tolist(), strict=True):
            extra, previous = level - previous, level
            if extra <= LITRE_STEP:
                continue
            for pid, w in weights.items():
                litres = round_down(extra * w / total)
                if litres > 0:
                    out.append((pid, (depot.id, t, litres)))
    return out


def merge_grants(items: Sequence[tuple[str, Grant]]) -> dict[str, tuple[Grant, ...]]:
    """Grants per plant, one per depot and minute, sorted by minute then depot."""
    acc: dict[str, dict[tuple[int, str], float]] = defaultdict(lambda: defaultdict(float))
    for pid, (d, at, litres) in items:
        acc[pid][(at, d)] += litres
    return {
        pid: tuple((d, at, x) for (at, d), x in sorted(by.items()) if x > 0)
        for pid, by in acc.items()
    }


def grants_from_solution(
    portfolio: Portfolio,
    points: Sequence[int],
    cols: Mapping[tuple[str, str, int], int],
    x: FloatArray,
    fuel: Mapping[str, float],
    spare: bool = True,
) -> dict[str, tuple[Grant, ...]]:
    """Grants of the LP solution ``x``, plus the spare shared by LP burn when ``spare``.

    Plants that can take depot fuel (those with grant columns) share the spare in
    proportion to the litres they burn in the LP, or equally when none burns.
    """
    items: list[tuple[str, Grant]] = []
    for (d, pid, i), c in sorted(cols.items()):
        litres = round_down(float(x[c]))
        if litres > 0:
            items.append((pid, (d, points[i], litres)))
    if spare:
        takers = [p.id for p in portfolio.plants if any(k[1] == p.id for k in cols)]
        weights = {pid: max(0.0, fuel.get(pid, 0.0)) for pid in takers}
        if sum(weights.values()) <= 0:
            weights = dict.fromkeys(takers, 1.0)
        items += share_spare(portfolio, points, [g for _, g in items], weights)
    merged = merge_grants(items)
    return {p.id: merged.get(p.id, ()) for p in portfolio.plants}
