"""Could more diesel have run a late or undone order in the plan as it stands?

Private helper of :mod:`ingenio.planning.explain`. An order *fits with diesel* when its
steps, in routing order from its release (and its predecessors' completions in the plan,
plus the transfer from another plant), each find line time on an eligible line that the
plan leaves idle, with the shared resources free and power for the step beside the
plan's other load from grid, solar and the plant's generators at their rated output; an
uninterruptible step needs one unbroken stretch, an interruptible one pays its setup
once and its restart at every further piece. It must end by its due date when the plan
runs it late (so it would gain), or while it still earns something (``due + 1 /
late_decay_per_day`` days, at most the horizon end) when the plan leaves it out. The
diesel it needs is what the generators would burn over the minutes of that placement
where grid and solar lack the room (:func:`litres_for`). This is the figure *idle litres
while starving* counts (``docs/planning.md``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ingenio.domain import (
    MINUTES_PER_DAY,
    MINUTES_PER_HOUR,
    Order,
    OrderStatus,
    Plan,
    Plant,
    Portfolio,
)
from ingenio.planning.capacity import BoolArray
from ingenio.planning.explain.context import Context, context, masks


def litres_for(plant: Plant, kw: float, minutes: float) -> float:
    """Diesel to carry ``kw`` for ``minutes`` on the plant's generators, the largest
    first, each at least at its minimum load."""
    left, burn = kw, 0.0
    for g in sorted(plant.generators, key=lambda g: -g.rated_kw):
        if left <= 0:
            break
        out = min(g.rated_kw, max(left, g.min_load_fraction * g.rated_kw))
        burn += g.litres_per_hour(out) * minutes / MINUTES_PER_HOUR
        left -= out
    return burn


def _latest(ctx: Context, order: Order, status: OrderStatus) -> int:
    """The latest completion at which the order would gain over the plan."""
    n = ctx.portfolio.horizon.minutes
    if status is OrderStatus.LATE:
        return min(n, order.due)
    decay = ctx.portfolio.late_decay_per_day
    worth = n if decay <= 0 else order.due + math.ceil(MINUTES_PER_DAY / decay) - 1
    return min(n, worth)


Piece = tuple[int, int, int]
"""``(start, end, processing minutes)`` of one piece of a step; the piece also holds the
setup (first piece) or the restart (the others) before its processing minutes."""


def _place(mask: BoolArray, work: int, setup: int, restart: int, unbroken: bool) -> int | None:
    """Minutes (from the mask's start) at which the step's work is done in the True runs
    of ``mask``, earliest first; None when it does not fit."""
    pieces = _pieces(mask, work, setup, restart, unbroken)
    return pieces[-1][1] if pieces else None


def _pieces(
    mask: BoolArray, work: int, setup: int, restart: int, unbroken: bool
) -> list[Piece] | None:
    """The pieces (minutes from the mask's start) of the step's work in the True runs of
    ``mask``, earliest first; None when it does not fit."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    left = work
    out: list[Piece] = []
    for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        over = setup if not out else restart
        if unbroken:
            if b - a >= work + setup:
                return [(int(a), int(a + work + setup), work)]
            continue
        if b - a <= over:
            continue
        take = min(left, b - a - over)
        out.append((int(a), int(a + over + take), take))
        left -= take
        if left <= 0:
            return out
    return None


@dataclass(frozen=True)
class Fit:
    """Where an order fits in a plan as it stands: per step, its line and pieces (in
    minutes of the horizon), and the diesel the placement burns."""

    steps: tuple[tuple[str, tuple[Piece, ...]], ...]
    litres: float


def warm_gaps(ctx: Context, order: Order, line_id: str, a: int, b: int) -> BoolArray:
    """Over ``[a, b)`` on one line: the idle time just before an operation that owes no
    setup because the operation before it is of its family, when ``order`` is of another
    family and the operation is too short to pay its setup: placed there, the order
    would make it pay one (the validator's setup rule)."""
    out = np.zeros(b - a, dtype=np.bool_)
    portfolio = ctx.portfolio
    family = portfolio.product(order.product_id).family
    ops = sorted(
        (op for op in ctx.by_line.get(line_id, ()) if op.order_id != order.id),
        key=lambda op: (op.start, op.end),
    )
    first: dict[tuple[str, int], int] = {}
    for op in ops:
        key = (op.order_id, op.step)
        first[key] = min(op.start, first.get(key, op.start))
    for prev, op in itertools.pairwise(ops):
        if op.start >= b or op.start <= a or first[op.order_id, op.step] != op.start:
            continue
        other = portfolio.product(portfolio.order(op.order_id).product_id)
        if (
            other.family == family
            or portfolio.product(portfolio.order(prev.order_id).product_id).family != other.family
        ):
            continue
        step = other.routing[op.step]
        work = op.quantity / step.rate_per_hour * MINUTES_PER_HOUR
        if op.end - op.start >= work + step.setup_minutes - 1e-6:
            continue
        out[max(a, prev.end) - a : op.start - a] = True
    return out


def fit(ctx: Context, order: Order, status: OrderStatus) -> Fit | None:
    """Where the order fits in the plan as it stands with more diesel (see the module
    docstring); None when it does not fit even with unlimited diesel."""
    window = ctx.windows.get(order.id)
    if window is None or window.completion is None:
        return None
    plant = ctx.portfolio.plant(window.plant_id)
    if plant.tank is None or not plant.generators:
        return None
    pm = ctx.minutes[plant.id]
    rated = sum(g.rated_kw for g in plant.generators)
    latest = _latest(ctx, order, status)
    ready = max(0, order.release)
    for pred in order.predecessors:
        done = ctx.done.get(pred)
        if done is None:
            return None
        # a part made at another plant arrives after its transfer (rule ``precedence``)
        ready = max(ready, done + ctx.portfolio.link_gap(order, pred))
    litres = 0.0
    steps: list[tuple[str, tuple[Piece, ...]]] = []
    for sw in window.steps:
        step = sw.step
        a, b = ready, latest
        if b - a <= 0:
            return None
        other = ctx.load[plant.id][a:b] - ctx.own_load(order, plant.id, a, b)
        grid_room = pm.base_kw[a:b] - other >= step.power_kw - 1e-6
        gen_room = pm.base_kw[a:b] + rated - other >= step.power_kw - 1e-6
        room = np.ones(b - a, dtype=np.bool_)
        for rid, units in step.resources.items():
            room &= ctx.resource_room(order, rid, a, b) >= units
        best: tuple[int, str, list[Piece]] | None = None
        for ln in dict.fromkeys(step.lines):
            busy, _ = masks(ctx, order, ln, a, b)
            usable = pm.shift[ln][a:b] & ~busy & room & gen_room & ~warm_gaps(ctx, order, ln, a, b)
            work = math.ceil(sw.work - 1e-6)
            pieces = _pieces(
                usable, work, step.setup_minutes, step.restart_minutes, not step.interruptible
            )
            if pieces is not None and (best is None or pieces[-1][1] < best[0]):
                best = (pieces[-1][1], ln, pieces)
        if best is None:
            return None
        end, ln, pieces = best
        dark = sum(int(np.count_nonzero(~grid_room[lo:hi])) for lo, hi, _ in pieces)
        litres += litres_for(plant, step.power_kw, dark)
        steps.append((ln, tuple((a + lo, a + hi, w) for lo, hi, w in pieces)))
        ready = a + end
    return Fit(tuple(steps), litres) if ready <= latest else None


def diesel_to_fit(ctx: Context, order: Order, status: OrderStatus) -> float | None:
    """Litres of diesel with which the order fits in the plan as it stands (see the
    module docstring); None when it does not fit even with unlimited diesel."""
    found = fit(ctx, order, status)
    return None if found is None else found.litres


def order_fit(portfolio: Portfolio, plan: Plan, order_id: str) -> Fit | None:
    """Where order ``order_id`` (late or unscheduled in ``plan``) fits in ``plan`` as it
    stands with more diesel, or None (:func:`fit`)."""
    status = OrderStatus.UNSCHEDULED
    for o in plan.outcomes:
        if o.order_id == order_id:
            status = o.status
    return fit(context(portfolio, plan), portfolio.order(order_id), status)
