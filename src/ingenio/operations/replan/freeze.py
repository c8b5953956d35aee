"""Cutting a plan at a moment: kept pieces, actual quantities, work left.

Private helper of :mod:`ingenio.operations.replan` (the rules are in its notes).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import timedelta

from ingenio.domain import Operation, Plan, Portfolio, Step
from ingenio.operations.actuals import ProductionRecord
from ingenio.operations.replan.types import Frozen, Remaining

TOL = 1e-6


def step_of(portfolio: Portfolio, op: Operation) -> Step:
    """The routing step an operation runs."""
    return portfolio.product(portfolio.order(op.order_id).product_id).routing[op.step]


def warm_operations(portfolio: Portfolio, ops: Sequence[Operation]) -> set[Operation]:
    """Operations right after one of the same product family on their line (no setup owed)."""
    by_line: dict[str, list[Operation]] = defaultdict(list)
    for op in ops:
        by_line[op.line_id].append(op)
    out: set[Operation] = set()
    for line_ops in by_line.values():
        line_ops.sort(key=lambda o: (o.start, o.end))
        for prev, op in itertools.pairwise(line_ops):
            a, b = (portfolio.product(portfolio.order(o.order_id).product_id) for o in (prev, op))
            if prev.end <= op.start and a.family == b.family:
                out.add(op)
    return out


def fill(total: float, weights: Sequence[float], caps: Sequence[float]) -> list[float]:
    """Share ``total`` in proportion to ``weights``, no share above its cap.

    When the caps add up to less than ``total`` every share is its cap.
    """
    if sum(caps) <= total:
        return list(caps)
    w = list(weights) if sum(weights) > 0 else [1.0] * len(weights)
    lo, hi = 0.0, max(c / x for c, x in zip(caps, w, strict=True) if x > 0) if any(w) else 0.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if sum(min(c, mid * x) for c, x in zip(caps, w, strict=True)) < total:
            lo = mid
        else:
            hi = mid
    return [min(c, hi * x) for c, x in zip(caps, w, strict=True)]


def _minutes(portfolio: Portfolio, record: ProductionRecord) -> tuple[float, float]:
    origin = portfolio.horizon.origin
    return (
        (record.start - origin).total_seconds() / 60,
        (record.end - origin).total_seconds() / 60,
    )


def override(
    portfolio: Portfolio,
    kept: list[Operation],
    caps: dict[Operation, float],
    records: Sequence[ProductionRecord],
    at: int,
) -> tuple[list[Operation], list[str]]:
    """Replace planned units of kept pieces by the good units recorded before ``at``.

    Each record goes to the kept piece of its order on its line that it overlaps
    most (nearest in time when none). Only the latest started step of an order is
    changed, and only when interruptible; the units are shared over its pieces in
    proportion to the planned units, each capped at what its time can make.
    """
    notes: list[str] = []
    actual: dict[tuple[str, int], float] = defaultdict(float)
    for r in records:
        if r.order_id is None or not portfolio.has("order", r.order_id):
            continue
        a, b = _minutes(portfolio, r)
        if a >= at:
            continue
        mine = [op for op in kept if op.order_id == r.order_id and op.line_id == r.line_id]
        if not mine:
            notes.append(f"production of order {r.order_id} on line {r.line_id} is not in "
                         "the plan; the plan keeps its own figures")  # fmt: skip
            continue
        best = max(mine, key=lambda op: (min(op.end, b) - max(op.start, a), -abs(op.start - a)))
        actual[(r.order_id, best.step)] += r.good_qty * min(1.0, (at - a) / max(b - a, 1e-9))
    latest: dict[str, int] = {}
    for op in kept:
        latest[op.order_id] = max(latest.get(op.order_id, -1), op.step)
    for (order_id, k), made in sorted(actual.items()):
        pieces = [op for op in kept if op.order_id == order_id and op.step == k]
        step = step_of(portfolio, pieces[0])
        if k != latest[order_id] or not step.interruptible:
            why = "a later step has started" if step.interruptible else "it is uninterruptible"
            notes.append(f"order {order_id} step {k}: recorded {made:g} units kept as planned "
                         f"because {why}")  # fmt: skip
            continue
        target = min(made, portfolio.order(order_id).quantity)
        shares = fill(target, [op.quantity for op in pieces], [caps[op] for op in pieces])
        if sum(shares) < target - TOL:
            notes.append(
                f"order {order_id} step {k}: recorded {made:g} units, more than the kept "
                f"time makes at the nominal rate; the plan counts {sum(shares):g}"
            )
        new = dict(
            zip(
                pieces,
                (replace(op, quantity=q) for op, q in zip(pieces, shares, strict=True)),
                strict=True,
            )
        )
        kept = [new.get(op, op) for op in kept]
    return kept, notes


def cut(
    portfolio: Portfolio,
    plan: Plan,
    at: int,
    production: Sequence[ProductionRecord],
    in_scope: Callable[[str], bool],
    lost: Collection[tuple[str, int]] = (),
) -> Frozen:
    """The body of :func:`ingenio.operations.replan.freeze` (see there)."""
    ops = [op for op in plan.operations if in_scope(op.line_id)]
    warm = warm_operations(portfolio, plan.operations)
    firsts: dict[tuple[str, int], Operation] = {}
    for op in sorted(ops, key=lambda o: (o.start, o.end)):
        firsts.setdefault((op.order_id, op.step), op)
    kept: list[Operation] = []
    caps: dict[Operation, float] = {}
    for op in ops:
        step = step_of(portfolio, op)
        if op.start >= at or (op.order_id, op.step) in lost:
            continue
        first = firsts[(op.order_id, op.step)] is op
        over = (0 if op in warm else step.setup_minutes) if first else step.restart_minutes
        if op.end > at and step.interruptible:
            work = at - op.start - over
            if work <= 0:
                continue
            op = replace(op, end=at, quantity=min(op.quantity, work * step.rate_per_hour / 60))
        kept.append(op)
        caps[op] = max(op.quantity, (op.end - op.start - over) * step.rate_per_hour / 60)
    moment = portfolio.horizon.origin + timedelta(minutes=at)
    kept, notes = override(portfolio, kept, caps, [r for r in production if r.start < moment], at)
    kept.sort(key=lambda o: (o.start, o.line_id, o.order_id, o.step))
    return Frozen(tuple(kept), remaining(portfolio, kept, at, in_scope), tuple(notes))


def remaining(
    portfolio: Portfolio, kept: Sequence[Operation], at: int, in_scope: Callable[[str], bool]
) -> tuple[Remaining, ...]:
    """Work left per order of the plants in scope, after the ``kept`` pieces."""
    by_order: dict[str, list[Operation]] = defaultdict(list)
    for op in kept:
        by_order[op.order_id].append(op)
    out: list[Remaining] = []
    for order in portfolio.orders:
        routing = portfolio.product(order.product_id).routing
        if not in_scope(routing[0].lines[0]):
            continue
        pieces = by_order.get(order.id, [])
        if not pieces:
            out.append(Remaining(order.id, 0, order.quantity, max(order.release, at), False, False))
            continue
        k = max(op.step for op in pieces)
        made = sum(op.quantity for op in pieces if op.step == k)
        ready = max(at, max(op.end for op in pieces))
        if made < order.quantity - TOL * max(1.0, order.quantity):
            out.append(Remaining(order.id, k, order.quantity - made, ready, True, True))
        elif k + 1 < len(routing):
            out.append(Remaining(order.id, k + 1, order.quantity, ready, True, False))
    return tuple(out)
