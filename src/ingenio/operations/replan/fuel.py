"""Fuel left at the replanning moment: the plant's tank and what the depots can still give.

Private helper of :mod:`ingenio.operations.replan`. Both are chosen so that any
plan of the rest that keeps the fuel rules on the rest problem keeps them on the
whole portfolio once merged with the part of the old plan that stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from ingenio.domain import Depot, FuelDelivery, FuelTank, FuelTransfer, GeneratorRun, Portfolio
from ingenio.operations.actuals import FuelDraw


def burned(portfolio: Portfolio, runs: Sequence[GeneratorRun], until: int) -> float:
    """Litres the runs burn before minute ``until``."""
    return sum(
        portfolio.generator(r.generator_id).litres(r.output_kw, min(r.end, until) - r.start)
        for r in runs
        if r.start < until
    )


def tank_at(
    portfolio: Portfolio,
    plant_id: str,
    runs: Sequence[GeneratorRun],
    transfers: Sequence[FuelTransfer],
    at: int,
    draws: Sequence[FuelDraw] = (),
) -> FuelTank | None:
    """The plant's tank as the rest problem sees it from ``at``.

    Stock: the start stock, plus direct deliveries expected by ``at`` and the kept
    transfers into the plant, minus the fuel burned before ``at`` — by the kept
    generator runs, or by the actual fuel draws of the plant's generators when
    they add up to more (the lower level is the safe one). The capacity shrinks
    by the same margin, so a transfer that fits the rest fits the whole plan.
    """
    plant = portfolio.plant(plant_id)
    tank = plant.tank
    if tank is None:
        return None
    inflow = sum(d.litres for d in portfolio.deliveries_to(plant_id) if d.expected <= at)
    inflow += sum(t.litres for t in transfers if t.plant_id == plant_id and t.at <= at)
    gens = {g.id for g in plant.generators}
    planned = (
        tank.stock_l + inflow - burned(portfolio, [r for r in runs if r.generator_id in gens], at)
    )
    moment = portfolio.horizon.origin + timedelta(minutes=at)
    origin = portfolio.horizon.origin
    drawn = sum(d.litres for d in draws if d.generator_id in gens and origin <= d.at < moment)
    actual = tank.stock_l + inflow - drawn if drawn > 0 else planned
    stock = max(0.0, min(planned, actual))
    capacity = max(stock, tank.reserve_l, tank.capacity_l - (planned - stock), 1e-6)
    return FuelTank(capacity_l=capacity, stock_l=stock, reserve_l=tank.reserve_l)


def depot_slack(
    portfolio: Portfolio, transfers: Sequence[FuelTransfer], at: int
) -> tuple[tuple[Depot, ...], tuple[FuelDelivery, ...]]:
    """Depots of the rest problem: the fuel the kept transfers leave free from ``at``.

    A depot's level under the kept transfers is a step function of time; what can
    still be taken by time ``t >= at`` without it ever going negative later is its
    least level from ``t`` on. The rest depot starts with that amount at ``at``
    and each later rise of it becomes a delivery.
    """
    depots: list[Depot] = []
    deliveries: list[FuelDelivery] = []
    for depot in portfolio.depots:
        changes: dict[int, float] = {}
        for d in portfolio.deliveries_to(depot.id):
            changes[d.expected] = changes.get(d.expected, 0.0) + d.litres
        for tr in transfers:
            if tr.depot_id == depot.id:
                changes[tr.at] = changes.get(tr.at, 0.0) - tr.litres
        level = depot.stock_l + sum(v for t, v in changes.items() if t <= at)
        times, levels = [at], [level]
        for moment in sorted(m for m in changes if m > at):
            level += changes[moment]
            times.append(moment)
            levels.append(level)
        free = levels[:]
        for i in range(len(free) - 2, -1, -1):
            free[i] = min(free[i], free[i + 1])
        depots.append(Depot(depot.id, depot.name, max(0.0, free[0])))
        for i in range(1, len(free)):
            rise = max(0.0, free[i]) - max(0.0, free[i - 1])
            if rise > 1e-9:
                m = times[i]
                deliveries.append(FuelDelivery(f"~{depot.id}~{i}", rise, m, m, m, depot.id))
    return tuple(depots), tuple(deliveries)
