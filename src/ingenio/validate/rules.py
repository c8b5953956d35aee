"""The independent plan validator: checks a plan against every rule of ``docs/plan-rules.md``.

Written from the domain model only; it imports no planner, so a planner bug cannot
hide itself here. Subjects of the violations: the order id for rules about an
operation or an order (``reference``, ``horizon``, ``shift``, ``release``,
``routing-order``, ``partial-order``, ``quantity``, ``duration``, ``uninterruptible``,
``outcome``), the line id for ``line-overlap``, the plant id for energy rules
(``power``, ``resource``, ``generator-load``, ``generator-overlap``, ``fuel-reserve``,
``tank-capacity``, and runs or transfers under ``horizon``), the depot id for
``depot-stock``. A reference that cannot be resolved is reported under ``reference``
with the unknown id as subject, and the record is left out of the checks that need it.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence

from ingenio.domain import (
    MINUTES_PER_DAY,
    MINUTES_PER_HOUR,
    Operation,
    OrderStatus,
    Plan,
    Portfolio,
    Violation,
    merge_windows,
)
from ingenio.validate.energy import (
    TOL,
    Job,
    check_fuel,
    check_generators,
    check_power,
    check_resources,
    when,
)

__all__ = ["RULES", "validate"]

RULES = (
    "reference",
    "horizon",
    "line-overlap",
    "shift",
    "release",
    "routing-order",
    "partial-order",
    "precedence",
    "quantity",
    "duration",
    "uninterruptible",
    "resource",
    "power",
    "generator-load",
    "generator-overlap",
    "fuel-reserve",
    "tank-capacity",
    "depot-stock",
    "outcome",
)
"""Rule ids of ``docs/plan-rules.md``, in the order the validator reports them."""


def validate(portfolio: Portfolio, plan: Plan) -> list[Violation]:
    """Check a plan against every rule of ``docs/plan-rules.md``.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plan was made for.
    plan : Plan
        The plan to check.

    Returns
    -------
    list of Violation
        Every violation found (empty for a valid plan), grouped by rule in the order of
        ``RULES``. Each names its rule id, says what is wrong with the numbers, and
        carries the order, line, plant or depot id it is about as ``subject``.

    Notes
    -----
    Power, resource and fuel are checked by sweeping their piecewise functions over the
    breakpoints (operation, run and window edges, local hour boundaries, fuel arrivals),
    so the cost grows with the size of the plan, not with the length of the horizon.
    A broken stretch (say, a power shortfall over several minutes) is one violation.
    """
    out: list[Violation] = []
    jobs = _check_references(portfolio, plan, out)
    _check_horizon(portfolio, plan, out)
    _check_lines(portfolio, jobs, out)
    _check_orders(portfolio, jobs, out)
    _check_precedence(portfolio, jobs, out)
    check_resources(portfolio, jobs, out)
    check_power(portfolio, plan, jobs, out)
    check_generators(portfolio, plan, out)
    check_fuel(portfolio, plan, out)
    _check_outcomes(portfolio, plan, jobs, out)
    rank = {rule: i for i, rule in enumerate(RULES)}
    return sorted(out, key=lambda v: rank[v.rule])


def _check_references(portfolio: Portfolio, plan: Plan, out: list[Violation]) -> list[Job]:
    """Rule ``reference``; returns the operations whose order and step are known."""
    jobs: list[Job] = []
    for op in plan.operations:
        what = f"operation {op.order_id}/{op.step} on line {op.line_id} [{op.start}, {op.end})"
        if not portfolio.has("order", op.order_id):
            out.append(Violation("reference", f"{what} names unknown order", op.order_id))
            continue
        order = portfolio.order(op.order_id)
        routing = portfolio.product(order.product_id).routing
        if not 0 <= op.step < len(routing):
            out.append(
                Violation(
                    "reference",
                    f"{what}: step index {op.step} is not in the {len(routing)}-step routing "
                    f"of product {order.product_id} (steps are 0..{len(routing) - 1})",
                    op.order_id,
                )
            )
            continue
        step = routing[op.step]
        if not portfolio.has("line", op.line_id):
            out.append(Violation("reference", f"{what} names unknown line", op.order_id))
            jobs.append(Job(op, order, step, None))
            continue
        if op.line_id not in step.lines:
            out.append(
                Violation(
                    "reference",
                    f"{what}: line {op.line_id} is not eligible for step {op.step} "
                    f"({step.name}); eligible: {', '.join(step.lines)}",
                    op.order_id,
                )
            )
        jobs.append(Job(op, order, step, portfolio.line(op.line_id)))
    for run in plan.generator_runs:
        if not portfolio.has("generator", run.generator_id):
            out.append(
                Violation(
                    "reference",
                    f"generator run [{run.start}, {run.end}) names unknown generator "
                    f"{run.generator_id}",
                    run.generator_id,
                )
            )
    for t in plan.fuel_transfers:
        what = (
            f"fuel transfer of {t.litres:.1f} L at minute {t.at} from {t.depot_id} to {t.plant_id}"
        )
        if not portfolio.has("depot", t.depot_id):
            out.append(Violation("reference", f"{what} names unknown depot", t.depot_id))
        if not portfolio.has("plant", t.plant_id):
            out.append(Violation("reference", f"{what} names unknown plant", t.plant_id))
        if not t.litres > 0:
            out.append(Violation("reference", f"{what}: litres must be positive", t.plant_id))
    return jobs


def _check_horizon(portfolio: Portfolio, plan: Plan, out: list[Violation]) -> None:
    """Rule ``horizon``: everything inside ``[0, horizon.minutes]``, runs non-empty."""
    end = portfolio.horizon.minutes
    for op in plan.operations:
        if op.start < 0 or op.end > end:
            out.append(
                Violation(
                    "horizon",
                    f"operation {op.order_id}/{op.step} on line {op.line_id} "
                    f"[{op.start}, {op.end}) is outside the horizon [0, {end}]",
                    op.order_id,
                )
            )
    for run in plan.generator_runs:
        subject = run.generator_id
        if portfolio.has("generator", run.generator_id):
            subject = portfolio.generator(run.generator_id).plant_id
        what = f"generator {run.generator_id} run [{run.start}, {run.end})"
        if run.end <= run.start:
            out.append(Violation("horizon", f"{what} is empty (end <= start)", subject))
        elif run.start < 0 or run.end > end:
            out.append(Violation("horizon", f"{what} is outside the horizon [0, {end}]", subject))
    for t in plan.fuel_transfers:
        if not 0 <= t.at <= end:
            out.append(
                Violation(
                    "horizon",
                    f"fuel transfer from {t.depot_id} to {t.plant_id} at minute {t.at} "
                    f"is outside the horizon [0, {end}]",
                    t.plant_id,
                )
            )


def _check_lines(portfolio: Portfolio, jobs: Sequence[Job], out: list[Violation]) -> None:
    """Rules ``line-overlap`` and ``shift``."""
    h = portfolio.horizon
    by_line: dict[str, list[Job]] = defaultdict(list)
    for job in jobs:
        if job.line is not None:
            by_line[job.line.id].append(job)
    for line_id in sorted(by_line):
        line = portfolio.line(line_id)
        shifts = merge_windows(line.shifts)
        starts = [w.start for w in shifts]
        on_line = sorted(by_line[line_id], key=lambda j: (j.op.start, j.op.end))
        last: Job | None = None
        for job in on_line:
            op = job.op
            if last is not None and op.start < last.op.end:
                out.append(
                    Violation(
                        "line-overlap",
                        f"operations {last.name} and {job.name} overlap on line {line_id} "
                        f"by {min(last.op.end, op.end) - op.start} min from {when(h, op.start)}",
                        line_id,
                    )
                )
            if last is None or op.end > last.op.end:
                last = job
            i = bisect_right(starts, op.start) - 1
            if i < 0 or shifts[i].end < op.end:
                if i >= 0 and op.start < shifts[i].end:
                    w = shifts[i]
                    why = f"runs {op.end - w.end} min past the end of shift [{w.start}, {w.end})"
                elif i + 1 < len(shifts):
                    w = shifts[i + 1]
                    why = f"starts outside the shifts; the next one is [{w.start}, {w.end})"
                else:
                    why = "starts after the last shift of the line"
                out.append(
                    Violation(
                        "shift",
                        f"operation {job.name} on line {line_id} from {when(h, op.start)} {why}",
                        op.order_id,
                    )
                )


def _check_orders(portfolio: Portfolio, jobs: Sequence[Job], out: list[Violation]) -> None:
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
                        Violation(
                            "release",
                            f"operation {job.name} starts {order.release - job.op.start} min "
                            f"before the release of order {order_id} (minute {order.release})",
                            order_id,
                        )
                    )
        missing = sorted(set(range(n)) - set(steps))
        if missing:
            out.append(
                Violation(
                    "partial-order",
                    f"order {order_id} has operations for steps {sorted(steps)} but none for "
                    f"steps {missing} of its {n}-step routing",
                    order_id,
                )
            )
        for k in sorted(steps):
            if k + 1 in steps:
                done = max(steps[k], key=lambda j: j.op.end)
                early = min(steps[k + 1], key=lambda j: j.op.start)
                if early.op.start < done.op.end:
                    out.append(
                        Violation(
                            "routing-order",
                            f"order {order_id}: step {k + 1} piece {early.name} starts "
                            f"{done.op.end - early.op.start} min before step {k} ends "
                            f"(piece {done.name})",
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


def _check_precedence(portfolio: Portfolio, jobs: Sequence[Job], out: list[Violation]) -> None:
    """Rule ``precedence``: an order starts only after each predecessor order is complete."""
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
                    Violation(
                        "precedence",
                        f"order {oid} runs but its predecessor order {pred} is not scheduled",
                        oid,
                    )
                )
            elif first[oid] < last[pred]:
                out.append(
                    Violation(
                        "precedence",
                        f"order {oid} starts at minute {first[oid]}, "
                        f"{last[pred] - first[oid]} min before predecessor {pred} is complete",
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
            Violation(
                "quantity",
                f"order {order_id} step {k}: pieces make {made:g} units, the order asks for "
                f"{quantity:g} ({made - quantity:+g})",
                order_id,
            )
        )
    if not step.interruptible and len(pieces) > 1:
        out.append(
            Violation(
                "uninterruptible",
                f"order {order_id} step {k} ({step.name}) cannot be interrupted but runs in "
                f"{len(pieces)} pieces: {', '.join(j.name for j in pieces)}",
                order_id,
            )
        )
    for i, job in enumerate(pieces):
        setup = 0 if job.op in warm else step.setup_minutes
        extra = setup if i == 0 else step.restart_minutes
        need = job.op.quantity / step.rate_per_hour * MINUTES_PER_HOUR + extra
        got = job.op.end - job.op.start
        if got < need - TOL * max(1.0, need):
            kind = "setup" if i == 0 else "restart"
            out.append(
                Violation(
                    "duration",
                    f"operation {job.name} lasts {got} min but {job.op.quantity:g} units at "
                    f"{step.rate_per_hour:g}/h plus {extra} min {kind} need {need:.2f} min",
                    order_id,
                )
            )


def _check_outcomes(
    portfolio: Portfolio, plan: Plan, jobs: Sequence[Job], out: list[Violation]
) -> None:
    """Rule ``outcome``: one outcome per order, consistent with its operations."""
    seen: set[str] = set()
    for oc in plan.outcomes:
        if not portfolio.has("order", oc.order_id):
            out.append(
                Violation("outcome", f"outcome for unknown order {oc.order_id}", oc.order_id)
            )
        elif oc.order_id in seen:
            out.append(
                Violation("outcome", f"order {oc.order_id} has several outcomes", oc.order_id)
            )
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
            out.append(Violation("outcome", f"order {order.id} has no outcome", order.id))
            continue
        want: dict[str, object]
        if order.id not in scheduled:
            want = {"status": OrderStatus.UNSCHEDULED, "completion": None, "lateness": 0}
            value = 0.0
        elif order.id not in last_end:  # its last step is missing: see partial-order
            if o.status == OrderStatus.UNSCHEDULED:
                out.append(
                    Violation(
                        "outcome",
                        f"outcome of order {order.id} says unscheduled but the order has "
                        "operations",
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
                Violation(
                    "outcome",
                    f"outcome of order {order.id} disagrees with its operations: "
                    + "; ".join(f"{k} is {g} but should be {w}" for k, (g, w) in wrong.items()),
                    order.id,
                )
            )
