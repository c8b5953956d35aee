"""A repair start: a plant's plan with its left-out orders slipped into its gaps.

Private helper of :mod:`ingenio.planning.schedule`. When a plant is re-planned with
more fuel, its previous plan does not use the new fuel, and the greedy starts, which
sequence the orders afresh, rarely beat it. This start keeps the previous plan as it
stands and adds, most valuable first, each order it leaves out where the order fits in
the plan's idle line time with the generators' room beside the other load
(:func:`ingenio.planning.explain.order_fit`, the same placement as the measure *idle
litres while starving*). Each addition is read in model terms, the generators' outputs
are recomputed for the whole load and checked against the fuel the plant has
(:func:`~ingenio.planning.schedule.hint.levels_for`); an addition that breaks a rule
(fuel short, a setup the model makes the order pay) is left out, and the result is
checked by :func:`ingenio.validate.validate`.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace

from ingenio.domain import Plan, Portfolio
from ingenio.planning.explain import order_fit
from ingenio.planning.schedule.data import PlantInput, build_input
from ingenio.planning.schedule.hint import assignment_of, fixed_setups, levels_for
from ingenio.planning.schedule.plan import build_plan
from ingenio.planning.schedule.solve import TaskAssignment
from ingenio.planning.schedule.starts import rank
from ingenio.planning.status import PlanStatus
from ingenio.validate import validate


def filled(portfolio: Portfolio, plan: Plan, seconds: float = 2.0) -> Plan:
    """``plan`` with as many of its left-out orders added as fit (most valuable first),
    within about ``seconds``; ``plan`` itself when none fits."""
    clock = time.perf_counter()
    ran = {op.order_id for op in plan.operations}
    left_out = sorted(
        (o for o in portfolio.orders if o.id not in ran), key=lambda o: (-o.value, o.id)
    )
    best = plan
    for order in left_out:
        if time.perf_counter() - clock > seconds:
            break
        found = order_fit(portfolio, best, order.id)
        if found is None:
            continue
        trial = _with(portfolio, best, order.id, found.steps)
        if trial is not None and rank(portfolio, trial) > rank(portfolio, best):
            best = trial
    if best is plan:
        return plan
    note = f"previous plan with {len({op.order_id for op in best.operations} - ran)} orders added"
    return replace(best, notes=(*best.notes, note))


def _with(
    portfolio: Portfolio,
    plan: Plan,
    order_id: str,
    steps: tuple[tuple[str, tuple[tuple[int, int, int], ...]], ...],
) -> Plan | None:
    """``plan`` with the order's steps placed as given, or None when that breaks a rule."""
    pieces = Counter((op.order_id, op.step) for op in plan.operations)
    for k, (_, ps) in enumerate(steps):
        pieces[order_id, k] = len(ps)
    data = build_input(portfolio, pieces)
    index = {od.order.id: i for i, od in enumerate(data.orders)}
    i = index.get(order_id)
    if i is None or not data.orders[i].tasks:
        return None
    base = assignment_of(data, plan)
    tasks = dict(base.tasks)
    line_pos = {ld.line.id: n for n, ld in enumerate(data.lines)}
    for t, (line_id, ps) in zip(data.orders[i].tasks, steps, strict=True):
        ln = line_pos.get(line_id, -1)
        if ln not in data.tasks[t].lines or len(ps) > data.tasks[t].pieces:
            return None
        tasks[t] = TaskAssignment(ln, ps, True)
    fixed = fixed_setups(data, tasks)
    if fixed is None:
        return None
    # Each piece lasts what the model times it (a waived setup takes no time), so the
    # plan's operations carry exactly the load the generators were sized for.
    tasks = {t: _timed(data, t, ta) for t, ta in fixed.items()}
    assignment = levels_for(data, tasks)
    if assignment is None:
        return None
    out = build_plan(
        data,
        assignment,
        status=PlanStatus.FEASIBLE,
        seconds=0.0,
        bound=None,
        optimal=False,
    )
    return out if not validate(portfolio, out) else None


def _timed(data: PlantInput, t: int, ta: TaskAssignment) -> TaskAssignment:
    """The task with each piece ending where the model ends it: setup (when paid) or
    restart, then its processing minutes."""
    step = data.tasks[t].step
    pieces = tuple(
        (a, a + (step.setup_minutes * ta.paid if i == 0 else step.restart_minutes) + w, w)
        for i, (a, _, w) in enumerate(ta.pieces)
    )
    return TaskAssignment(ta.line, pieces, ta.paid)
