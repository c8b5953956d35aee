"""The independent plan validator: checks a plan against every rule of ``docs/plan-rules.md``.

Written from the domain model only; it imports no planner, so a planner bug cannot
hide itself here. Subjects of the violations: the order id for rules about an
operation or an order (``reference``, ``horizon``, ``shift``, ``release``,
``routing-order``, ``partial-order``, ``quantity``, ``duration``, ``uninterruptible``,
``islanding``, ``outcome``), the line id for ``line-overlap``, the plant id for energy rules
(``power``, ``resource``, ``battery-flow``, ``battery-soc``, ``generator-load``,
``generator-overlap``, ``generator-start``, ``generator-run``, ``fuel-reserve``,
``tank-capacity``, and runs or transfers under ``horizon``), the depot id for
``depot-stock``. A reference that cannot be resolved is reported under ``reference``
with the unknown id as subject, and the record is left out of the checks that need it
(an unknown battery: under ``battery-flow``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence

from ingenio.domain import (
    Plan,
    Portfolio,
    Violation,
    merge_windows,
)
from ingenio.validate.battery import check_battery_flows, check_battery_soc
from ingenio.validate.energy import (
    Job,
    check_fuel,
    check_generators,
    check_power,
    check_resources,
    when,
)
from ingenio.validate.orders import check_orders, check_outcomes, check_precedence
from ingenio.validate.solar import check_islanding
from ingenio.validate.starts import check_generator_timing

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
    "islanding",
    "battery-flow",
    "battery-soc",
    "generator-load",
    "generator-overlap",
    "generator-start",
    "generator-run",
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
    check_orders(portfolio, jobs, out)
    check_precedence(portfolio, jobs, out)
    check_resources(portfolio, jobs, out)
    check_power(portfolio, plan, jobs, out)
    check_islanding(portfolio, jobs, out)
    check_battery_flows(portfolio, plan, jobs, out)
    check_battery_soc(portfolio, plan, out)
    check_generators(portfolio, plan, out)
    check_generator_timing(portfolio, plan, out)
    check_fuel(portfolio, plan, out)
    check_outcomes(portfolio, plan, jobs, out)
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
