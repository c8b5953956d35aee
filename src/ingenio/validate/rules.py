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
    N_,
    Plan,
    Portfolio,
    Violation,
    merge_windows,
    said,
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
from ingenio.validate.spans import span_fault
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
        what = said(
            N_("operation %(order)s/%(step)s on line %(line)s [%(start)s, %(end)s)"),
            order=op.order_id,
            step=op.step,
            line=op.line_id,
            start=op.start,
            end=op.end,
        )
        if not portfolio.has("order", op.order_id):
            sentence = said(N_("%(what)s names unknown order"), what=what)
            out.append(Violation.of("reference", sentence, op.order_id))
            continue
        order = portfolio.order(op.order_id)
        routing = portfolio.product(order.product_id).routing
        if not 0 <= op.step < len(routing):
            out.append(
                Violation.of(
                    "reference",
                    said(
                        N_(
                            "%(what)s: step index %(step)s is not in the %(n)s-step routing of "
                            "product %(product)s (steps are 0..%(last)s)"
                        ),
                        what=what,
                        step=op.step,
                        n=len(routing),
                        product=order.product_id,
                        last=len(routing) - 1,
                    ),
                    op.order_id,
                )
            )
            continue
        step = routing[op.step]
        if not portfolio.has("line", op.line_id):
            sentence = said(N_("%(what)s names unknown line"), what=what)
            out.append(Violation.of("reference", sentence, op.order_id))
            jobs.append(Job(op, order, step, None))
            continue
        if op.line_id not in step.lines:
            out.append(
                Violation.of(
                    "reference",
                    said(
                        N_(
                            "%(what)s: line %(line)s is not eligible for step %(step)s "
                            "(%(name)s); eligible: %(eligible)s"
                        ),
                        what=what,
                        line=op.line_id,
                        step=op.step,
                        name=step.name,
                        eligible=", ".join(step.lines),
                    ),
                    op.order_id,
                )
            )
        jobs.append(Job(op, order, step, portfolio.line(op.line_id)))
    for run in plan.generator_runs:
        if not portfolio.has("generator", run.generator_id):
            out.append(
                Violation.of(
                    "reference",
                    said(
                        N_(
                            "generator run [%(start)s, %(end)s) names unknown generator "
                            "%(generator)s"
                        ),
                        start=run.start,
                        end=run.end,
                        generator=run.generator_id,
                    ),
                    run.generator_id,
                )
            )
    for t in plan.fuel_transfers:
        what = said(
            N_("fuel transfer of %(litres).1f L at minute %(at)s from %(depot)s to %(plant)s"),
            litres=t.litres,
            at=t.at,
            depot=t.depot_id,
            plant=t.plant_id,
        )
        if not portfolio.has("depot", t.depot_id):
            sentence = said(N_("%(what)s names unknown depot"), what=what)
            out.append(Violation.of("reference", sentence, t.depot_id))
        if not portfolio.has("plant", t.plant_id):
            sentence = said(N_("%(what)s names unknown plant"), what=what)
            out.append(Violation.of("reference", sentence, t.plant_id))
        if not t.litres > 0:
            sentence = said(N_("%(what)s: litres must be positive"), what=what)
            out.append(Violation.of("reference", sentence, t.plant_id))
    return jobs


def _check_horizon(portfolio: Portfolio, plan: Plan, out: list[Violation]) -> None:
    """Rule ``horizon``: everything inside ``[0, horizon.minutes]``, runs non-empty."""
    end = portfolio.horizon.minutes
    for op in plan.operations:
        if op.start < 0 or op.end > end:
            out.append(
                Violation.of(
                    "horizon",
                    said(
                        N_(
                            "operation %(order)s/%(step)s on line %(line)s [%(start)s, %(end)s) "
                            "is outside the horizon [0, %(horizon)s]"
                        ),
                        order=op.order_id,
                        step=op.step,
                        line=op.line_id,
                        start=op.start,
                        end=op.end,
                        horizon=end,
                    ),
                    op.order_id,
                )
            )
    for run in plan.generator_runs:
        subject = run.generator_id
        if portfolio.has("generator", run.generator_id):
            subject = portfolio.generator(run.generator_id).plant_id
        what = said(
            N_("generator %(generator)s run [%(start)s, %(end)s)"),
            generator=run.generator_id,
            start=run.start,
            end=run.end,
        )
        fault = span_fault(what, run.start, run.end, end, N_("%(what)s is empty (end <= start)"))
        if fault is not None:
            out.append(Violation.of("horizon", fault, subject))
    for t in plan.fuel_transfers:
        if not 0 <= t.at <= end:
            out.append(
                Violation.of(
                    "horizon",
                    said(
                        N_(
                            "fuel transfer from %(depot)s to %(plant)s at minute %(at)s is "
                            "outside the horizon [0, %(horizon)s]"
                        ),
                        depot=t.depot_id,
                        plant=t.plant_id,
                        at=t.at,
                        horizon=end,
                    ),
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
                    Violation.of(
                        "line-overlap",
                        said(
                            N_(
                                "operations %(first)s and %(second)s overlap on line %(line)s "
                                "by %(minutes)s min from %(when)s"
                            ),
                            first=last.name,
                            second=job.name,
                            line=line_id,
                            minutes=min(last.op.end, op.end) - op.start,
                            when=when(h, op.start),
                        ),
                        line_id,
                    )
                )
            if last is None or op.end > last.op.end:
                last = job
            i = bisect_right(starts, op.start) - 1
            if i < 0 or shifts[i].end < op.end:
                if i >= 0 and op.start < shifts[i].end:
                    w = shifts[i]
                    why = said(
                        N_("runs %(minutes)s min past the end of shift [%(start)s, %(end)s)"),
                        minutes=op.end - w.end,
                        start=w.start,
                        end=w.end,
                    )
                elif i + 1 < len(shifts):
                    w = shifts[i + 1]
                    why = said(
                        N_("starts outside the shifts; the next one is [%(start)s, %(end)s)"),
                        start=w.start,
                        end=w.end,
                    )
                else:
                    why = said(N_("starts after the last shift of the line"))
                sentence = said(
                    N_("operation %(op)s on line %(line)s from %(when)s %(why)s"),
                    op=job.name,
                    line=line_id,
                    when=when(h, op.start),
                    why=why,
                )
                out.append(Violation.of("shift", sentence, op.order_id))
