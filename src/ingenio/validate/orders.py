"""The order rules of the validator: release, routing order, quantity, duration,
uninterruptible steps, predecessors, and the outcomes a plan claims.

Private to :mod:`ingenio.validate`; it imports only :mod:`ingenio.domain`.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

from ingenio.domain import (
    MINUTES_PER_DAY,
    MINUTES_PER_HOUR,
    N_,
    Operation,
    OrderStatus,
    Plan,
    Portfolio,
    Said,
    Violation,
    said,
)
from ingenio.validate.energy import (
    TOL,
    Job,
)


def check_orders(portfolio: Portfolio, jobs: Sequence[Job], out: list[Violation]) -> None:
    """Rules ``release``, ``partial-order``, ``routing-order``, ``quantity``, ``duration``
    and ``uninterruptible``."""
    by_order: dict[str, dict[int, list[Job]]] = defaultdict(lambda: defaultdict(list))
    for job in jobs:
        by_order[job.order.id][job.op.step].append(job)
    warm = _warm_operations(portfolio, jobs)
    for order_id in sorted(by_order):
        order = portfolio.order(order_id)
        steps = by_order[order_id]
        n = len(portfolio.product(order.product_id).routing)
        for pieces in steps.values():
            for job in pieces:
                if job.op.start < order.release:
                    out.append(
                        Violation.of(
                            "release",
                            said(
                                N_(
                                    "operation %(op)s starts %(minutes)s min before the release "
                                    "of order %(order)s (minute %(release)s)"
                                ),
                                op=job.name,
                                minutes=order.release - job.op.start,
                                order=order_id,
                                release=order.release,
                            ),
                            order_id,
                        )
                    )
        missing = sorted(set(range(n)) - set(steps))
        if missing:
            out.append(
                Violation.of(
                    "partial-order",
                    said(
                        N_(
                            "order %(order)s has operations for steps %(steps)s but none for "
                            "steps %(missing)s of its %(n)s-step routing"
                        ),
                        order=order_id,
                        steps=str(sorted(steps)),
                        missing=str(missing),
                        n=n,
                    ),
                    order_id,
                )
            )
        for k in sorted(steps):
            if k + 1 in steps:
                done = max(steps[k], key=lambda j: j.op.end)
                early = min(steps[k + 1], key=lambda j: j.op.start)
                if early.op.start < done.op.end:
                    out.append(
                        Violation.of(
                            "routing-order",
                            said(
                                N_(
                                    "order %(order)s: step %(next)s piece %(early)s starts "
                                    "%(minutes)s min before step %(step)s ends (piece %(done)s)"
                                ),
                                order=order_id,
                                next=k + 1,
                                early=early.name,
                                minutes=done.op.end - early.op.start,
                                step=k,
                                done=done.name,
                            ),
                            order_id,
                        )
                    )
            _check_step(order_id, order.quantity, k, steps[k], out, warm)


def _warm_operations(portfolio: Portfolio, jobs: Sequence[Job]) -> frozenset[Operation]:
    """Operations that follow, on the same line, an operation of the same product family.

    Setups are sequence-dependent by family: such an operation owes no setup time.
    """
    by_line: dict[str, list[Job]] = defaultdict(list)
    for job in jobs:
        by_line[job.op.line_id].append(job)
    warm: set[Operation] = set()
    for line_jobs in by_line.values():
        line_jobs.sort(key=lambda j: (j.op.start, j.op.end))
        for prev, job in itertools.pairwise(line_jobs):
            if prev.op.end <= job.op.start and _family(portfolio, prev) == _family(portfolio, job):
                warm.add(job.op)
    return frozenset(warm)


def _family(portfolio: Portfolio, job: Job) -> str:
    return portfolio.product(job.order.product_id).family


def check_precedence(portfolio: Portfolio, jobs: Sequence[Job], out: list[Violation]) -> None:
    """Rule ``precedence``: an order starts only after each predecessor order is complete,
    and, for a predecessor made at another plant, after the order's ``transfer_minutes``."""
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for job in jobs:
        oid = job.order.id
        first[oid] = min(first.get(oid, job.op.start), job.op.start)
        last[oid] = max(last.get(oid, job.op.end), job.op.end)
    for oid in sorted(first):
        for pred in portfolio.order(oid).predecessors:
            if pred not in last:
                out.append(
                    Violation.of(
                        "precedence",
                        said(
                            N_(
                                "order %(order)s runs but its predecessor order %(pred)s is "
                                "not scheduled"
                            ),
                            order=oid,
                            pred=pred,
                        ),
                        oid,
                    )
                )
            elif first[oid] < last[pred] + portfolio.link_gap(portfolio.order(oid), pred):
                gap = portfolio.link_gap(portfolio.order(oid), pred)
                out.append(
                    Violation.of(
                        "precedence",
                        said(
                            N_(
                                "order %(order)s starts at minute %(start)s, %(minutes)s min "
                                "before predecessor %(pred)s is complete"
                            )
                            if not gap
                            else N_(
                                "order %(order)s starts at minute %(start)s, %(minutes)s min "
                                "before predecessor %(pred)s is complete and its %(gap)s min "
                                "transfer is over"
                            ),
                            order=oid,
                            start=first[oid],
                            minutes=last[pred] + gap - first[oid],
                            pred=pred,
                            **({"gap": gap} if gap else {}),
                        ),
                        oid,
                    )
                )


def _check_step(
    order_id: str,
    quantity: float,
    k: int,
    pieces: list[Job],
    out: list[Violation],
    warm: frozenset[Operation] = frozenset(),
) -> None:
    """Rules ``quantity``, ``duration`` and ``uninterruptible`` for one step of an order."""
    pieces = sorted(pieces, key=lambda j: (j.op.start, j.op.end))
    step = pieces[0].step
    made = sum(j.op.quantity for j in pieces)
    if not math.isclose(made, quantity, rel_tol=TOL, abs_tol=TOL):
        out.append(
            Violation.of(
                "quantity",
                said(
                    N_(
                        "order %(order)s step %(step)s: pieces make %(made)g units, the order "
                        "asks for %(quantity)g (%(difference)+g)"
                    ),
                    order=order_id,
                    step=k,
                    made=made,
                    quantity=quantity,
                    difference=made - quantity,
                ),
                order_id,
            )
        )
    if not step.interruptible and len(pieces) > 1:
        out.append(
            Violation.of(
                "uninterruptible",
                said(
                    N_(
                        "order %(order)s step %(step)s (%(name)s) cannot be interrupted but runs "
                        "in %(n)s pieces: %(pieces)s"
                    ),
                    order=order_id,
                    step=k,
                    name=step.name,
                    n=len(pieces),
                    pieces=", ".join(j.name for j in pieces),
                ),
                order_id,
            )
        )
    for i, job in enumerate(pieces):
        setup = 0 if job.op in warm else step.setup_minutes
        extra = setup if i == 0 else step.restart_minutes
        need = job.op.quantity / step.rate_per_hour * MINUTES_PER_HOUR + extra
        got = job.op.end - job.op.start
        if got < need - TOL * max(1.0, need):
            if i == 0:
                template = N_(
                    "operation %(op)s lasts %(got)s min but %(quantity)g units at %(rate)g/h "
                    "plus %(extra)s min setup need %(need).2f min"
                )
            else:
                template = N_(
                    "operation %(op)s lasts %(got)s min but %(quantity)g units at %(rate)g/h "
                    "plus %(extra)s min restart need %(need).2f min"
                )
            sentence = said(
                template,
                op=job.name,
                got=got,
                quantity=job.op.quantity,
                rate=step.rate_per_hour,
                extra=extra,
                need=need,
            )
            out.append(Violation.of("duration", sentence, order_id))


def check_outcomes(
    portfolio: Portfolio, plan: Plan, jobs: Sequence[Job], out: list[Violation]
) -> None:
    """Rule ``outcome``: one outcome per order, consistent with its operations."""
    seen: set[str] = set()
    for oc in plan.outcomes:
        if not portfolio.has("order", oc.order_id):
            sentence = said(N_("outcome for unknown order %(order)s"), order=oc.order_id)
            out.append(Violation.of("outcome", sentence, oc.order_id))
        elif oc.order_id in seen:
            sentence = said(N_("order %(order)s has several outcomes"), order=oc.order_id)
            out.append(Violation.of("outcome", sentence, oc.order_id))
        seen.add(oc.order_id)
    outcomes = {o.order_id: o for o in reversed(plan.outcomes)}  # the first one of each order
    scheduled = {op.order_id for op in plan.operations}
    last_end: dict[str, int] = {}
    for job in jobs:
        if job.op.step == len(portfolio.product(job.order.product_id).routing) - 1:
            last_end[job.order.id] = max(job.op.end, last_end.get(job.order.id, job.op.end))
    for order in portfolio.orders:
        o = outcomes.get(order.id)
        if o is None:
            sentence = said(N_("order %(order)s has no outcome"), order=order.id)
            out.append(Violation.of("outcome", sentence, order.id))
            continue
        want: dict[str, object]
        if order.id not in scheduled:
            want = {"status": OrderStatus.UNSCHEDULED, "completion": None, "lateness": 0}
            value = 0.0
        elif order.id not in last_end:  # its last step is missing: see partial-order
            if o.status == OrderStatus.UNSCHEDULED:
                out.append(
                    Violation.of(
                        "outcome",
                        said(
                            N_(
                                "outcome of order %(order)s says unscheduled but the order has "
                                "operations"
                            ),
                            order=order.id,
                        ),
                        order.id,
                    )
                )
            continue
        else:
            done = last_end[order.id]
            late = max(0, done - order.due)
            status = OrderStatus.ON_TIME if late == 0 else OrderStatus.LATE
            want = {"status": status, "completion": done, "lateness": late}
            factor = max(0.0, 1 - portfolio.late_decay_per_day * late / MINUTES_PER_DAY)
            value = order.value * factor
        got = {"status": o.status, "completion": o.completion, "lateness": o.lateness_minutes}
        wrong: dict[str, tuple[object, object]] = {
            k: (got[k], v) for k, v in want.items() if got[k] != v
        }
        if not math.isclose(o.value, value, rel_tol=TOL, abs_tol=TOL):
            wrong["value"] = (round(o.value, 6), round(value, 6))
        if wrong:
            out.append(
                Violation.of(
                    "outcome",
                    said(
                        N_("outcome of order %(order)s disagrees with its operations: %(wrong)s"),
                        order=order.id,
                        wrong=_joined(
                            said(
                                N_("%(field)s is %(got)s but should be %(want)s"),
                                field=k,
                                got=str(g),
                                want=str(w),
                            )
                            for k, (g, w) in wrong.items()
                        ),
                    ),
                    order.id,
                )
            )


def _joined(parts: Iterable[Said]) -> Said:
    """Sentences one after the other, separated by semicolons."""
    items = list(parts)
    joined = items[0]
    for part in items[1:]:
        joined = said(N_("%(first)s; %(next)s"), first=joined, next=part)
    return joined
