"""Order adherence and the worst stops, for the KPIs.

Private helper of :mod:`ingenio.operations.kpi`.

* A production record counts towards its order's **finished** quantity when its
  line is eligible for the *last* step of the product's routing (earlier steps
  make work in progress, not deliverable goods).
* An order is **complete** at the end of the record that brings its finished
  good quantity to the order quantity (relative tolerance 1e-6), counting every
  record given, whatever the period.
* An order is **on time** when complete at or before its due date. The on-time
  share of a period is ``on time / orders due in the period``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ingenio.domain import Plan, Portfolio
from ingenio.operations.actuals import DowntimeCause, DowntimeEvent, ProductionRecord
from ingenio.operations.kpi.buckets import HOUR_S, seconds

TOL = 1e-6


@dataclass(frozen=True)
class OrderRow:
    """Plan adherence of one order over a period.

    Attributes
    ----------
    planned_qty
        Finished quantity the plan makes inside the period (last-step operations,
        prorated by the share of each operation inside the period).
    made_qty
        Finished good quantity recorded inside the period (prorated the same way).
    made_to_date
        Finished good quantity recorded up to the end of the period.
    completed
        When the order reached its quantity (None when it has not).
    status
        ``on_time``, ``late`` (complete after due), ``overdue`` (incomplete, due
        passed by the period end) or ``open`` (incomplete, not yet due).
    planned_status, reason
        The plan's outcome for the order and its reason, when a plan is given.
    """

    order_id: str
    product_id: str
    plant_id: str
    quantity: float
    due: datetime
    planned_qty: float
    made_qty: float
    made_to_date: float
    completed: datetime | None
    status: str
    value: float
    planned_status: str = ""
    reason: str = ""

    @property
    def adherence(self) -> float | None:
        """``made_qty / planned_qty`` (None when nothing was planned in the period)."""
        return self.made_qty / self.planned_qty if self.planned_qty > TOL else None


@dataclass(frozen=True)
class DowntimeRow:
    """One stop, with the hours of it that fall inside the period."""

    line_id: str
    plant_id: str
    cause: DowntimeCause
    start: datetime
    end: datetime
    hours: float
    note: str


def is_finished(portfolio: Portfolio, product_id: str, line_id: str) -> bool:
    """True when ``line_id`` runs the last step of the product (finished goods)."""
    if not portfolio.has("product", product_id):
        return False
    return line_id in portfolio.product(product_id).routing[-1].lines


def _overlap(a: datetime, b: datetime, start: datetime, end: datetime) -> float:
    """Share of ``[a, b)`` inside ``[start, end)``."""
    part = (min(b, end) - max(a, start)).total_seconds()
    return max(0.0, part) / max((b - a).total_seconds(), 1e-9)


def order_rows(
    portfolio: Portfolio,
    plant_ids: Collection[str],
    records: Sequence[ProductionRecord],
    plan: Plan | None,
    start: datetime,
    end: datetime,
) -> list[OrderRow]:
    """Adherence of every order of the plants that is due, planned or made in the period.

    Parameters
    ----------
    portfolio
        Orders, products and the horizon (to place the plan's minutes in time).
    plant_ids
        The plants in scope.
    records
        Production records (any period; the complete ones decide completion).
    plan
        The plan to compare with, if any.
    start, end
        The period.

    Returns
    -------
    list of OrderRow
        By due date, then order id.
    """
    origin = portfolio.horizon.origin
    finished: dict[str, list[ProductionRecord]] = defaultdict(list)
    for r in records:
        if r.order_id and is_finished(portfolio, r.product_id, r.line_id):
            finished[r.order_id].append(r)
    planned: dict[str, float] = defaultdict(float)
    if plan is not None:
        for op in plan.operations:
            if not portfolio.has("order", op.order_id):
                continue
            routing = portfolio.product(portfolio.order(op.order_id).product_id).routing
            if op.step == len(routing) - 1:
                a = origin + timedelta(minutes=op.start)
                b = origin + timedelta(minutes=op.end)
                planned[op.order_id] += op.quantity * _overlap(a, b, start, end)
    outcomes = {o.order_id: o for o in plan.outcomes} if plan is not None else {}
    rows: list[OrderRow] = []
    for order in portfolio.orders:
        plant = portfolio.product_plant(order.product_id).id
        if plant not in plant_ids:
            continue
        due = origin + timedelta(minutes=order.due)
        mine = sorted(finished.get(order.id, ()), key=lambda r: (r.end, r.start))
        made = sum(r.good_qty * _overlap(r.start, r.end, start, end) for r in mine)
        to_date = sum(r.good_qty * _overlap(r.start, r.end, r.start, end) for r in mine)
        completed: datetime | None = None
        total = 0.0
        for r in mine:
            total += r.good_qty
            if total >= order.quantity * (1 - TOL):
                completed = r.end
                break
        if not (start <= due < end or planned.get(order.id, 0.0) > TOL or made > TOL):
            continue
        if completed is not None and completed <= end:
            status = "on_time" if completed <= due else "late"
        else:
            completed = None
            status = "overdue" if due < end else "open"
        out = outcomes.get(order.id)
        rows.append(
            OrderRow(
                order.id,
                order.product_id,
                plant,
                order.quantity,
                due,
                planned.get(order.id, 0.0),
                made,
                to_date,
                completed,
                status,
                made * order.value_per_unit,
                "" if out is None else out.status.value,
                "" if out is None else out.reason,
            )
        )
    rows.sort(key=lambda r: (r.due, r.order_id))
    return rows


def worst_downtime(
    portfolio: Portfolio,
    line_ids: Collection[str],
    events: Sequence[DowntimeEvent],
    start: datetime,
    end: datetime,
    top: int = 10,
) -> list[DowntimeRow]:
    """The ``top`` unplanned stops with the most hours inside ``[start, end)``.

    Planned stops are not losses and are left out. Ties: earlier first.
    """
    rows = [
        DowntimeRow(
            e.line_id,
            portfolio.line(e.line_id).plant_id,
            e.cause,
            e.start,
            e.end,
            max(0.0, seconds(min(e.end, end)) - seconds(max(e.start, start))) / HOUR_S,
            e.note,
        )
        for e in events
        if e.line_id in line_ids
        and e.cause is not DowntimeCause.PLANNED_STOP
        and e.start < end
        and e.end > start
    ]
    rows.sort(key=lambda r: (-r.hours, r.start, r.line_id))
    return rows[:top]
