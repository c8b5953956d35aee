"""Replanning from a moment: freeze what has happened, build the problem of the rest.

Pure: domain objects in, domain objects out. The service
(:mod:`ingenio.services.replan`) plans the rest and merges it back with
:func:`merge`.

Freezing (:func:`freeze`)
-------------------------
A plan is cut at minute ``at``:

* an operation that ended by ``at`` is kept as it was;
* an operation not started by ``at`` is dropped (its work is left to plan);
* an operation running at ``at`` is kept to its end when its step is
  *uninterruptible* (a kiln firing finishes), and cut at ``at`` when it is
  interruptible: the piece keeps the units its processing time before ``at``
  makes at the step's rate (after its setup or restart; a piece cut before its
  setup is over is dropped), and the rest of the quantity is left to plan;
* actual production records override planned quantities: the good units
  recorded before ``at`` for the latest started step of an order replace the
  planned units of its kept pieces (each piece capped at what its duration
  makes at the nominal rate, so the plan stays true to the routing). Steps
  already followed by a started step, and uninterruptible steps, keep their
  planned units (the plan rules cannot add a piece to them); a note says so.

The rest problem (:func:`prepare`, :func:`replan_portfolio`)
------------------------------------------------------------
Same origin and horizon (minutes need no shifting), the past blocked: every
line of the plant works only from ``at`` (or from the end of the uninterruptible
operation still running on it); the orders left with their remaining quantities
(see :mod:`ingenio.operations.replan.rest`); the tank stock at ``at`` (see
:mod:`ingenio.operations.replan.fuel`: planned burn, or the actual fuel draws
when they show more); the depot fuel the rest of the old plan leaves free. The
unannounced outage goes on the plant's block with probability 1
(:func:`with_outage`), in the portfolio the merged plan is validated against.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from ingenio.domain import OutageWindow, Plan, Portfolio, Window
from ingenio.operations.actuals import FuelDraw, ProductionRecord
from ingenio.operations.replan.freeze import cut
from ingenio.operations.replan.fuel import depot_slack, tank_at
from ingenio.operations.replan.merge import Move, merge, moves, outcomes, rest_hint
from ingenio.operations.replan.rest import build_rest
from ingenio.operations.replan.types import (
    Frozen,
    Ghost,
    GhostError,
    Remaining,
    ReplanError,
    RestProblem,
)

__all__ = [
    "Frozen",
    "Ghost",
    "GhostError",
    "Move",
    "Remaining",
    "ReplanError",
    "RestProblem",
    "freeze",
    "merge",
    "moves",
    "outcomes",
    "prepare",
    "replan_portfolio",
    "rest_hint",
    "with_outage",
]


def with_outage(portfolio: Portfolio, plant_id: str, outage: Window | None, at: int) -> Portfolio:
    """The portfolio with an unannounced grid outage on the plant's block.

    The window is clipped to ``[at, horizon end]`` (the past already happened);
    windows of the block that overlap it are trimmed around it, so the new one
    holds with probability 1 and what is left of each old one keeps its own.
    Every plant of the block loses the grid.
    """
    if outage is None:
        return portfolio
    start, end = max(outage.start, at), min(outage.end, portfolio.horizon.minutes)
    if end <= start:
        return portfolio
    block = portfolio.block(portfolio.plant(plant_id).block_id)
    kept: list[OutageWindow] = [OutageWindow(Window(start, end), 1.0)]
    for o in block.outages:
        w = o.window
        for a, b in ((w.start, min(w.end, start)), (max(w.start, end), w.end)):
            if b > a:
                kept.append(OutageWindow(Window(a, b), o.probability))
    outages = tuple(sorted(kept, key=lambda o: o.window))
    blocks = tuple(replace(b, outages=outages) if b.id == block.id else b for b in portfolio.blocks)
    return replace(portfolio, blocks=blocks)


def freeze(
    portfolio: Portfolio,
    plan: Plan,
    at: int,
    production: Sequence[ProductionRecord] = (),
    plants: Collection[str] | None = None,
    lost: Collection[tuple[str, int]] = (),
) -> Frozen:
    """Cut ``plan`` at minute ``at`` (rules in the module notes).

    Parameters
    ----------
    portfolio
        The portfolio of the plan.
    plan
        The plan to cut.
    at
        Minutes from the origin.
    production
        Actual production records; those starting before ``at`` override planned units.
    plants
        Only these plants' operations and orders (all when None).
    lost
        ``(order, step)`` of running uninterruptible operations to give up: dropped,
        and the whole step left to plan again.

    Returns
    -------
    Frozen
        ``(frozen_ops, remaining, notes)``: the operations kept, the work left per
        order (orders complete by the kept operations are not listed), and notes
        on actuals the plan could not take.
    """

    def in_scope(line_id: str) -> bool:
        return plants is None or portfolio.line(line_id).plant_id in plants

    return cut(portfolio, plan, at, production, in_scope, lost)


def prepare(
    world: Portfolio,
    plan: Plan,
    at: int,
    plant_id: str,
    production: Sequence[ProductionRecord] = (),
    fuel_draws: Sequence[FuelDraw] = (),
    lost: Collection[tuple[str, int]] = (),
) -> RestProblem:
    """The rest problem of one plant (see the module notes).

    Parameters
    ----------
    world
        The portfolio, with the unannounced outage already added (:func:`with_outage`).
    plan
        The plan in force (made for ``world`` without the outage, or an earlier merge).
    at
        The moment, minutes from the origin (``0 < at < horizon``).
    plant_id
        The plant to replan.
    production, fuel_draws
        Actuals: production records override planned units; fuel draws lower the tank.
    lost
        See :func:`freeze`.

    Raises
    ------
    ReplanError
        When ``at`` is outside the horizon, or work in progress cannot be planned.
    """
    if not 0 < at < world.horizon.minutes:
        raise ReplanError(f"minute {at} is not inside the horizon (0, {world.horizon.minutes})")
    plant = world.plant(plant_id)
    frozen = freeze(world, plan, at, production, {plant_id}, lost)
    gens = {g.id for g in plant.generators}
    runs = tuple(r for r in plan.generator_runs if r.generator_id not in gens) + tuple(
        replace(r, end=min(r.end, at))
        for r in plan.generator_runs
        if r.generator_id in gens and r.start < at
    )
    transfers = tuple(t for t in plan.fuel_transfers if t.plant_id != plant_id or t.at < at)
    others = tuple(op for op in plan.operations if not plant.has_line(op.line_id))
    kept = replace(
        plan,
        operations=tuple(sorted(others + frozen.operations, key=lambda o: (o.start, o.line_id))),
        generator_runs=tuple(sorted(runs, key=lambda r: (r.generator_id, r.start))),
        fuel_transfers=transfers,
    )
    tank = tank_at(world, plant_id, runs, transfers, at, fuel_draws)
    rest, origin_of, ghosts = build_rest(
        world, plant_id, at, frozen, kept, tank, depot_slack(world, transfers, at)
    )
    return RestProblem(world, rest, plant_id, at, frozen, kept, origin_of, ghosts, tuple(lost))


def replan_portfolio(
    portfolio: Portfolio,
    plan: Plan,
    at: int,
    outage: Window | None,
    plant_id: str,
    production: Sequence[ProductionRecord] = (),
    fuel_draws: Sequence[FuelDraw] = (),
) -> Portfolio:
    """The portfolio of the rest of one plant: :func:`prepare` after :func:`with_outage`.

    Parameters
    ----------
    portfolio, plan
        The portfolio and the plan in force.
    at
        The moment, minutes from the origin.
    outage
        The unannounced grid outage (clipped to start at ``at``), or None.
    plant_id
        The plant to replan.
    production, fuel_draws
        Actuals (see :func:`prepare`).

    Returns
    -------
    Portfolio
        One plant, lines free from ``at``, the orders left, the fuel left.
    """
    world = with_outage(portfolio, plant_id, outage, at)
    return prepare(world, plan, at, plant_id, production, fuel_draws).portfolio
