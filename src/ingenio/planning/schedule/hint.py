"""A plan as a warm start for the plant-level model, repaired to fit it.

Private helper of :mod:`ingenio.planning.schedule`. A valid plan (the dispatch
plan, a previous plan) may still not fit the model: the model burns fuel by a
safe over-estimate, keeps steps apart on lines whose setups follow a circuit,
and splits a step into a bounded number of pieces. :func:`assignment_of` reads
the plan in model terms and drops orders (least valuable first, essential ones
last, with the orders that wait for them) until what is left is a solution of
the model, so the solver starts from a feasible point.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from ingenio.domain import Plan, PriorityClass
from ingenio.planning.schedule.data import PlantInput
from ingenio.planning.schedule.energy import GenData, PowerData
from ingenio.planning.schedule.genstarts import conform, row_burns
from ingenio.planning.schedule.solve import Assignment, TaskAssignment, warm_after
from ingenio.planning.schedule.storage import Flows, hint_flows

Levels = dict[tuple[int, int], int]
"""Output (power units) per ``(generator, slot)``."""


def assignment_of(data: PlantInput, plan: Plan) -> Assignment:
    """The plan in model terms, with orders dropped until it is a model solution.

    Parameters
    ----------
    data
        The model input.
    plan
        A valid plan of the same portfolio.

    Returns
    -------
    Assignment
        Tasks of the orders kept (each on one line, in no more pieces than the
        model allows), who pays setups as the model decides, and generator
        outputs that cover the kept load.
    """
    tasks = _tasks(data, plan)
    keep = {i for i, od in enumerate(data.orders) if od.tasks and all(t in tasks for t in od.tasks)}
    while True:
        keep = _closed(data, keep)
        kept = {t: tasks[t] for i in keep for t in data.orders[i].tasks}
        bad = _interleaved(data, kept)
        levels: Levels = {}
        flows: Flows = {}
        if not bad:
            levels, bad, flows = _levels(data, kept)
        if not bad:
            fixed = _fix_setups(data, kept)
            bad = _short_of_setup(data, fixed)
            if not bad:
                return Assignment(fixed, levels, flows)
        keep.discard(min(bad, key=lambda i: _rank(data, i)))


def _rank(data: PlantInput, i: int) -> tuple[bool, float, int]:
    """Drop order: non-essential first, then the least valuable, then the last one."""
    order = data.orders[i].order
    return (order.priority is PriorityClass.ESSENTIAL, order.value, -i)


def _closed(data: PlantInput, keep: set[int]) -> set[int]:
    """``keep`` without the orders whose predecessors are not kept."""
    out = set(keep)
    changed = True
    while changed:
        changed = False
        for i in sorted(out):
            if any(p not in out for p in data.orders[i].preds):
                out.discard(i)
                changed = True
    return out


def _tasks(data: PlantInput, plan: Plan) -> dict[int, TaskAssignment]:
    """Tasks the plan runs the way the model can: one allowed line, few enough pieces."""
    by_task: dict[tuple[str, int], list[tuple[int, int, str, float]]] = defaultdict(list)
    for op in plan.operations:
        by_task[op.order_id, op.step].append((op.start, op.end, op.line_id, op.quantity))
    line_pos = {ld.line.id: i for i, ld in enumerate(data.lines)}
    out: dict[int, TaskAssignment] = {}
    for t, task in enumerate(data.tasks):
        ops = sorted(by_task.get((data.orders[task.order].order.id, task.k), []))
        lines = {ln for _, _, ln, _ in ops}
        if len(lines) != 1 or len(ops) > task.pieces:
            continue
        line = line_pos.get(lines.pop(), -1)
        if line not in task.lines:
            continue
        step = task.step
        spans = [
            (b - a) - (0 if i == 0 else step.restart_minutes) for i, (a, b, _, _) in enumerate(ops)
        ]
        quantities = [q for *_, q in ops]
        # The plan pays the setup in its first piece, or waives it (the operation before
        # on the line is of the same family): which one the model decides later
        # (:func:`_fix_setups`, checked by :func:`_short_of_setup`).
        paid = _shares(task.work, quantities, [spans[0] - step.setup_minutes, *spans[1:]])
        shares = paid if paid is not None else _shares(task.work, quantities, spans)
        if shares is None:
            continue
        out[t] = TaskAssignment(
            line,
            tuple((a, b, w) for (a, b, _, _), w in zip(ops, shares, strict=True)),
            paid is not None,
        )
    return out


def _shares(work: int, quantities: list[float], room: list[int]) -> list[int] | None:
    """Split ``work`` minutes in proportion to ``quantities``, each piece at least 1 and
    at most its ``room``; None when they do not fit."""
    if sum(max(0, r) for r in room) < work or any(r < 1 for r in room):
        return None
    total = sum(quantities) or 1.0
    out = [
        min(r, max(1, math.floor(work * q / total))) for q, r in zip(quantities, room, strict=True)
    ]
    while sum(out) > work:
        i = max(range(len(out)), key=lambda j: out[j])
        out[i] -= 1
    i = 0
    while sum(out) < work:
        if out[i % len(out)] < room[i % len(out)]:
            out[i % len(out)] += 1
        i += 1
    return out


def _interleaved(data: PlantInput, tasks: dict[int, TaskAssignment]) -> set[int]:
    """Orders of two tasks that interleave on a circuit line (the model keeps them apart)."""
    bad: set[int] = set()
    for ln, line in enumerate(data.lines):
        if line.setups != "circuit":
            continue
        spans = sorted(
            (ta.pieces[0][0], ta.pieces[-1][1], t) for t, ta in tasks.items() if ta.line == ln
        )
        for (_, end, t), (start, _, u) in itertools.pairwise(spans):
            if start < end:
                bad |= {data.tasks[t].order, data.tasks[u].order}
        if bad:
            return bad
    return bad


def _pieces(
    data: PlantInput, tasks: dict[int, TaskAssignment]
) -> Iterable[tuple[int, int, int, int]]:
    """``(start, end, power units, order)`` of every piece with a load, as the model
    times it (overhead plus processing from the start)."""
    for t, ta in tasks.items():
        task = data.tasks[t]
        if task.power <= 0:
            continue
        for i, (a, _, w) in enumerate(ta.pieces):
            over = task.step.setup_minutes * ta.paid if i == 0 else task.step.restart_minutes
            yield a, a + over + w, task.power, task.order


def _levels(data: PlantInput, tasks: dict[int, TaskAssignment]) -> tuple[Levels, set[int], Flows]:
    """Generator outputs covering the load in model units, the orders to drop when
    power or fuel does not suffice (empty when everything fits), and the batteries'
    flows.

    The batteries come first (:func:`.storage.hint_flows`: what the load lacks, within
    the bridge profile; charging where power is spare). The load above the base and
    the batteries is given to the generators in order, each at least at its minimum
    load; a generator keeps, over a slot, the highest output it needs in it.
    """
    power = data.power
    if power is None:
        return {}, set(), {}
    load: dict[int, int] = defaultdict(int)
    who: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b, units, order in _pieces(data, tasks):
        load[a] += units
        load[b] -= units
        who[a].append((order, 1))
        who[b].append((order, -1))
    slot_cuts = {x for c in power.slots for x in c}
    storage = power.storage
    if storage is not None:
        slot_cuts |= {x for c in storage.slots for x in c}
    cuts = sorted({0, data.horizon, *load, *slot_cuts, *(s.start for s in power.segments)})
    flows: Flows = {}
    net: dict[int, int] = {}
    if storage is not None:  # the batteries first: their flows are fixed by the load
        flows, net = hint_flows(storage, list(_lacks(power, cuts, load)))
    levels: Levels = defaultdict(int)
    users: dict[int, set[int]] = defaultdict(set)  # slot -> orders drawing on generators
    running: dict[int, int] = defaultdict(int)
    kw, seg, slot = 0, 0, 0
    for lo, _ in itertools.pairwise(cuts):
        kw += load.get(lo, 0)
        for order, sign in who.get(lo, ()):
            running[order] += sign
        while power.segments[seg].end <= lo:
            seg += 1
        period = storage.at(lo) if storage is not None else None
        need = kw - power.base_units[seg] - (net.get(period, 0) if period is not None else 0)
        if need <= 0:
            continue
        while slot < len(power.slots) and power.slots[slot][1] <= lo:
            slot += 1
        active = {o for o, n in running.items() if n > 0}
        if not (slot < len(power.slots) and power.slots[slot][0] <= lo):
            return {}, active, {}
        split = _split(power.generators, need, [r.allowed[slot] for r in power.starts])
        if split is None:
            return {}, active, {}
        for g, out in enumerate(split):
            levels[g, slot] = max(levels[g, slot], out)
        users[slot] |= active
    # Starts as the model counts them (:mod:`.genstarts`): minimum runs, restart times,
    # and their litres in the same fuel rows.
    lows = [g.low for g in power.generators]
    shaped, broken = conform(power.starts, lows, levels)
    if broken:
        return {}, _users(users, broken) or _everyone(data, tasks, users), {}
    per_slot: list[dict[int, int]] = [{} for _ in power.generators]
    for (g, c), lv in shaped.items():
        a, b = power.generators[g].coefficients(power.slots[c][1] - power.slots[c][0])
        per_slot[g][c] = a + b * lv
    burns = row_burns(power.slots, power.starts, power.checkpoints, power.checkpoint_at, per_slot)
    for (n, rhs), burn in zip(power.checkpoints, burns, strict=True):
        if burn > rhs:
            first = n + 1  # a start in slot n may be charged at this checkpoint too
            return {}, _users(users, set(range(first))) or _everyone(data, tasks, users), {}
    return shaped, set(), flows


def _users(users: Mapping[int, set[int]], slots: Iterable[int]) -> set[int]:
    """The orders drawing on generators in ``slots``."""
    return set().union(*(users.get(c, set()) for c in slots))


def _everyone(
    data: PlantInput, tasks: Mapping[int, TaskAssignment], users: Mapping[int, set[int]]
) -> set[int]:
    """Orders to drop from when no order draws on the slots at fault: those drawing on
    generators anywhere, else all (never none: the caller drops one of them)."""
    return set().union(*users.values()) or {data.tasks[t].order for t in tasks}


def _lacks(
    power: PowerData, cuts: Sequence[int], load: Mapping[int, int]
) -> Iterable[tuple[int, int, int]]:
    """``(start, end, load - base)`` in power units between consecutive cuts."""
    kw, seg = 0, 0
    for lo, hi in itertools.pairwise(cuts):
        kw += load.get(lo, 0)
        while power.segments[seg].end <= lo:
            seg += 1
        yield lo, hi, kw - power.base_units[seg]


def _split(gens: Sequence[GenData], need: int, allowed: Sequence[bool]) -> list[int] | None:
    """Outputs covering ``need`` power units with the fewest ``allowed`` generators (in
    order: a generator is not allowed in a slot before its first warm-up can end), each
    running one at least at its minimum; None when they cannot."""
    ids = [i for i in range(len(gens)) if allowed[i]]
    for n in range(1, len(ids) + 1):
        used = ids[:n]
        if sum(gens[i].high for i in used) < need:
            continue
        outs = [0] * len(gens)
        for i in used:
            outs[i] = gens[i].low
        rest = need - sum(outs)
        for i in used:
            add = max(0, min(rest, gens[i].high - outs[i]))
            outs[i] += add
            rest -= add
        return outs
    return None


def _short_of_setup(data: PlantInput, tasks: dict[int, TaskAssignment]) -> set[int]:
    """Orders with a task the model makes pay its setup though the plan's first piece
    has no room for it (the plan waived it after an operation the model does not
    count, such as another order's step it cannot see)."""
    bad: set[int] = set()
    for t, ta in tasks.items():
        a, b, work = ta.pieces[0]
        if ta.paid and b - a < work + data.tasks[t].step.setup_minutes:
            bad.add(data.tasks[t].order)
    return bad


def _fix_setups(data: PlantInput, tasks: dict[int, TaskAssignment]) -> dict[int, TaskAssignment]:
    """Decide who pays setup as the model would: on single-family lines only the first
    task; on circuit lines the first task and those after another family; on
    ``"adjacent"`` lines all but those right after a candidate of their family
    (:func:`.solve.warm_after`); on the other lines every task (a plan that waived one
    there is not a model solution)."""
    out = dict(tasks)
    for ln, line in enumerate(data.lines):
        if line.setups == "none":
            for t, ta in tasks.items():
                if ta.line == ln and not ta.paid:
                    out[t] = TaskAssignment(ta.line, ta.pieces, True)
            continue
        if line.setups == "adjacent":
            warm = warm_after(data, ln, tasks)
            for t, ta in tasks.items():
                if ta.line == ln:
                    out[t] = TaskAssignment(ta.line, ta.pieces, t not in warm)
            continue
        on = sorted((ta.pieces[0][0], t) for t, ta in tasks.items() if ta.line == ln)
        prev_family = -1
        for n, (_, t) in enumerate(on):
            family = data.tasks[t].family
            paid = n == 0 if line.setups == "single" else family != prev_family
            ta = tasks[t]
            out[t] = TaskAssignment(ta.line, ta.pieces, paid)
            prev_family = family
    return out


def fixed_setups(
    data: PlantInput, tasks: dict[int, TaskAssignment]
) -> dict[int, TaskAssignment] | None:
    """Tasks with setups decided as the model would (:func:`_fix_setups`), or None when a
    task must pay a setup its first piece has no room for."""
    fixed = _fix_setups(data, tasks)
    return None if _short_of_setup(data, fixed) else fixed


def levels_for(data: PlantInput, tasks: dict[int, TaskAssignment]) -> Assignment | None:
    """The tasks with generator outputs and battery flows covering their load in model
    units, or None when power or fuel does not suffice (:func:`_levels`)."""
    if _interleaved(data, tasks):
        return None
    levels, bad, flows = _levels(data, tasks)
    return None if bad else Assignment(tasks, levels, flows)
