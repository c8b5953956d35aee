"""What changed between two plans: orders moved, late, dropped, recovered.

Pure: takes two :class:`~ingenio.domain.Plan` objects and returns a
:class:`PlanDiff`. Plans made from different portfolio versions may count
minutes from different origins; ``old_offset`` puts the old plan's minutes on
the new plan's clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ingenio.domain.plan import Operation, OrderStatus, Plan

_RANK = {OrderStatus.ON_TIME: 0, OrderStatus.LATE: 1, OrderStatus.UNSCHEDULED: 2}
"""Statuses from best to worst."""


class Change(StrEnum):
    """How an order fares in the new plan compared with the old."""

    MOVED = "moved"
    """Scheduled in both; its first start shifted or it runs on other lines."""
    BECAME_LATE = "became_late"
    """On time before, late now."""
    DROPPED = "dropped"
    """Scheduled before (on time or late), unscheduled now."""
    RECOVERED = "recovered"
    """Better status now: late or unscheduled before, on time (or late after unscheduled)."""
    ADDED = "added"
    """Only in the new plan."""
    REMOVED = "removed"
    """Only in the old plan."""


@dataclass(frozen=True)
class Placement:
    """Where and when one plan puts one order.

    ``start`` is the first minute of its first operation (None when it has
    none), ``lines`` the lines its operations run on, sorted.
    """

    status: OrderStatus
    start: int | None
    lines: tuple[str, ...]
    completion: int | None
    lateness_minutes: int
    value: float
    reason: str


@dataclass(frozen=True)
class OrderChange:
    """One order whose placement changed, with every way it changed."""

    order_id: str
    changes: tuple[Change, ...]
    old: Placement | None
    new: Placement | None

    @property
    def start_shift(self) -> int | None:
        """Minutes the first start moved (positive: later), when scheduled in both."""
        if self.old is None or self.new is None:
            return None
        if self.old.start is None or self.new.start is None:
            return None
        return self.new.start - self.old.start

    @property
    def lines_changed(self) -> bool:
        """True when scheduled in both plans on different lines."""
        if self.old is None or self.new is None or not self.old.lines or not self.new.lines:
            return False
        return self.old.lines != self.new.lines

    @property
    def reason(self) -> str:
        """Why, from the plans' outcomes: the new plan's reason, else the old one's."""
        if self.new is not None and self.new.reason:
            return self.new.reason
        return self.old.reason if self.old is not None else ""


@dataclass(frozen=True)
class PlanDiff:
    """Every order that changed between two plans, sorted by order id."""

    changes: tuple[OrderChange, ...]
    unchanged: int
    old_value: float
    new_value: float

    @property
    def value_change(self) -> float:
        """New value minus old value."""
        return self.new_value - self.old_value

    def of(self, change: Change) -> tuple[OrderChange, ...]:
        """The orders with this change."""
        return tuple(c for c in self.changes if change in c.changes)

    def counts(self) -> dict[Change, int]:
        """Number of orders per change (every change listed, zeros included)."""
        return {kind: len(self.of(kind)) for kind in Change}


def placements(plan: Plan, offset: int = 0) -> dict[str, Placement]:
    """Each order's placement in ``plan``, minutes shifted by ``offset``.

    Orders are those with an outcome (every planner gives one per order);
    operations of an order without an outcome are ignored.

    Parameters
    ----------
    plan : Plan
        The plan.
    offset : int, optional
        Minutes added to every start and completion.

    Returns
    -------
    dict of str to Placement
        By order id.
    """
    ops: dict[str, list[Operation]] = defaultdict(list)
    for op in plan.operations:
        ops[op.order_id].append(op)
    out: dict[str, Placement] = {}
    for o in plan.outcomes:
        mine = ops.get(o.order_id, [])
        out[o.order_id] = Placement(
            status=OrderStatus(o.status),
            start=min(op.start for op in mine) + offset if mine else None,
            lines=tuple(sorted({op.line_id for op in mine})),
            completion=None if o.completion is None else o.completion + offset,
            lateness_minutes=o.lateness_minutes,
            value=o.value,
            reason=o.reason,
        )
    return out


def _changes(old: Placement | None, new: Placement | None) -> Iterable[Change]:
    if old is None:
        yield Change.ADDED
        return
    if new is None:
        yield Change.REMOVED
        return
    scheduled = old.status is not OrderStatus.UNSCHEDULED and new.status is not (
        OrderStatus.UNSCHEDULED
    )
    if scheduled and (old.start != new.start or old.lines != new.lines):
        yield Change.MOVED
    if old.status is OrderStatus.ON_TIME and new.status is OrderStatus.LATE:
        yield Change.BECAME_LATE
    if old.status is not OrderStatus.UNSCHEDULED and new.status is OrderStatus.UNSCHEDULED:
        yield Change.DROPPED
    if _RANK[new.status] < _RANK[old.status]:
        yield Change.RECOVERED


def diff_plans(old: Plan, new: Plan, old_offset: int = 0) -> PlanDiff:
    """Compare two plans order by order.

    Parameters
    ----------
    old, new : Plan
        The earlier and the later plan.
    old_offset : int, optional
        Minutes from the new plan's origin to the old plan's origin (positive
        when the old plan's horizon starts later); 0 when both share an origin.

    Returns
    -------
    PlanDiff
        The orders that moved, became late, were dropped, recovered, were added
        or removed, each with both placements and the reason from the outcomes.
    """
    before = placements(old, old_offset)
    after = placements(new)
    changed: list[OrderChange] = []
    unchanged = 0
    for order_id in sorted(before.keys() | after.keys()):
        kinds = tuple(_changes(before.get(order_id), after.get(order_id)))
        if kinds:
            changed.append(OrderChange(order_id, kinds, before.get(order_id), after.get(order_id)))
        else:
            unchanged += 1
    return PlanDiff(tuple(changed), unchanged, old.value, new.value)
