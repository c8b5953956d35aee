"""Greedy starting plans for the plant-level model: the dispatch rule, several orders.

Private helper of :mod:`ingenio.planning.schedule`. The dispatch rule places
orders one by one, earliest due date first; placing them in another order
(most value per minute of work first, essential orders first, ...) often
delivers much more. Each start is one dispatch run on a copy of the portfolio
whose due dates only encode the order to place in (dispatch places an order
the same way whatever its due date); its outcomes are then recomputed against
the real due dates. The best start by the objective's ranking warm-starts the
solver and is the plan kept when the solver finds nothing better.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from ingenio.domain import (
    MINUTES_PER_DAY,
    Operation,
    Order,
    OrderOutcome,
    OrderStatus,
    Plan,
    Portfolio,
    PriorityClass,
)
from ingenio.planning.dispatch import dispatch

__all__ = [
    "RULES",
    "greedy_starts",
    "makespan",
    "makespan_start",
    "outcomes",
    "placed_in",
    "rank",
]

_Key = Callable[[Order, float], tuple[float | int | str, ...]]


def _essential(o: Order) -> int:
    return 0 if o.priority is PriorityClass.ESSENTIAL else 1


RULES: tuple[tuple[str, _Key], ...] = (
    ("value per minute", lambda o, w: (-o.value / w, o.due, o.id)),
    ("essential, then value per minute", lambda o, w: (_essential(o), -o.value / w, o.due, o.id)),
    ("value", lambda o, w: (-o.value, o.due, o.id)),
    ("essential, then due date", lambda o, w: (_essential(o), o.due, o.id)),
)
"""Orders to place orders in, besides dispatch's own (due date, class, id).
``w`` is the order's minutes of work (setups included)."""


def makespan(plan: Plan) -> int:
    """Latest end of an operation of the plan (0 when it has none)."""
    return max((op.end for op in plan.operations), default=0)


def rank(portfolio: Portfolio, plan: Plan) -> tuple[int, float]:
    """The objective's ranking of a plan: essential orders run, then value (larger is better)."""
    essential = {o.id for o in portfolio.orders if o.priority is PriorityClass.ESSENTIAL}
    run = sum(1 for oc in plan.outcomes if oc.order_id in essential and oc.completion is not None)
    return run, round(plan.value, 6)


def placed_in(portfolio: Portfolio, ranked: list[Order]) -> Portfolio:
    """A copy whose due dates only encode the order ``ranked`` gives (dispatch places
    an order the same way whatever its due date, so it then places them in that order)."""
    place = {o.id: i for i, o in enumerate(ranked)}
    top = 10 * portfolio.horizon.minutes
    return replace(
        portfolio,
        orders=tuple(
            replace(o, due=max(o.release + 1, top + place[o.id])) for o in portfolio.orders
        ),
    )


def greedy_starts(portfolio: Portfolio, budget_s: float | None) -> list[Plan]:
    """The dispatch plan, then one plan per rule of :data:`RULES`.

    Parameters
    ----------
    portfolio
        What to plan.
    budget_s
        Stop trying rules once this many seconds have gone (None: try them all,
        so the result does not depend on the machine's speed).
    """
    clock = time.perf_counter()
    base = dispatch(portfolio)
    out = [base]
    reasons = {oc.order_id: oc.reason for oc in base.outcomes}
    work = {
        o.id: float(
            sum(
                s.run_minutes(o.quantity) + s.setup_minutes
                for s in portfolio.product(o.product_id).routing
            )
        )
        for o in portfolio.orders
    }
    for name, key in RULES:
        if budget_s is not None and time.perf_counter() - clock > budget_s:
            break
        ranked = sorted(portfolio.orders, key=lambda o: key(o, work[o.id]))
        plan = dispatch(placed_in(portfolio, ranked))
        for oc in plan.outcomes:
            if oc.status is OrderStatus.UNSCHEDULED and oc.order_id not in reasons:
                reasons[oc.order_id] = oc.reason
        fixed = replace(
            plan,
            outcomes=outcomes(portfolio, plan.operations, reasons),
            notes=(*plan.notes, f"dispatch rule with orders placed by {name}"),
        )
        out.append(fixed)
    return out


def outcomes(
    portfolio: Portfolio, operations: tuple[Operation, ...], reasons: dict[str, str]
) -> tuple[OrderOutcome, ...]:
    """One outcome per order as ``docs/plan-rules.md`` defines it; ``reasons`` gives the
    reason of an unscheduled order (a late one gets a short generic one)."""
    done: dict[str, int] = {}
    for op in operations:
        order = portfolio.order(op.order_id)
        if op.step == len(portfolio.product(order.product_id).routing) - 1:
            done[op.order_id] = max(done.get(op.order_id, op.end), op.end)
    out: list[OrderOutcome] = []
    for order in portfolio.orders:
        end = done.get(order.id)
        if end is None:
            why = reasons.get(order.id) or "not placed by the dispatch rule"
            out.append(OrderOutcome(order.id, OrderStatus.UNSCHEDULED, None, 0, 0.0, why))
            continue
        late = max(0, end - order.due)
        if late == 0:
            out.append(OrderOutcome(order.id, OrderStatus.ON_TIME, end, 0, order.value))
            continue
        factor = max(0.0, 1 - portfolio.late_decay_per_day * late / MINUTES_PER_DAY)
        why = "orders placed before it took the capacity it needed before its due date"
        out.append(OrderOutcome(order.id, OrderStatus.LATE, end, late, order.value * factor, why))
    return tuple(out)


def _tails(portfolio: Portfolio) -> dict[str, float]:
    """Per order: its minutes of work plus the longest chain of work after it."""
    after: dict[str, list[str]] = {o.id: [] for o in portfolio.orders}
    for o in portfolio.orders:
        for p in o.predecessors:
            after[p].append(o.id)
    own = {
        o.id: float(sum(s.run_minutes(o.quantity) for s in portfolio.product(o.product_id).routing))
        for o in portfolio.orders
    }
    tail: dict[str, float] = {}
    for root in portfolio.orders:  # iterative post-order: chains may be long
        stack = [root.id]
        while stack:
            oid = stack[-1]
            if oid in tail:
                stack.pop()
                continue
            todo = [s for s in after[oid] if s not in tail]
            if todo:
                stack.extend(todo)
                continue
            tail[oid] = own[oid] + max((tail[s] for s in after[oid]), default=0.0)
            stack.pop()
    return tail


def makespan_start(portfolio: Portfolio) -> Plan:
    """A short greedy plan to warm-start makespan minimisation.

    The better (shorter, then the first) of the dispatch plan and the dispatch rule
    with orders placed by longest tail first: an order's own work plus the longest
    chain of work that waits on it (the latest-finish-time rule of serial schedule
    generation for project scheduling).
    """
    tail = _tails(portfolio)
    ranked = sorted(portfolio.orders, key=lambda o: (-tail[o.id], o.id))
    base = dispatch(portfolio)
    by_tail = dispatch(placed_in(portfolio, ranked))
    by_tail = replace(
        by_tail,
        outcomes=outcomes(portfolio, by_tail.operations, {}),
        notes=(*by_tail.notes, "dispatch rule with orders placed by longest tail"),
    )
    return by_tail if makespan(by_tail) < makespan(base) else base
