"""Objective, warm start and solution reading of the plant-level CP-SAT model.

Private helper of :mod:`ingenio.planning.schedule`. An :class:`Assignment` is a
schedule in the model's own terms (which orders run, each task's line and
pieces, each generator's output per slot): a hint is turned into
one (``hint``) to warm-start the solver, and the solver's answer
is read back as one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from ingenio.domain import MINUTES_PER_DAY, PriorityClass
from ingenio.planning.schedule.data import PlantInput
from ingenio.planning.schedule.energy import FUEL_SCALE
from ingenio.planning.schedule.model import Variables, enforce, one
from ingenio.planning.schedule.storage import Flows, read_flows
from ingenio.planning.schedule.storage import add_hint as add_battery_hint


@dataclass(frozen=True)
class TaskAssignment:
    """A task's line, its pieces ``(start, end, processing minutes)`` and whether its
    first piece pays the setup."""

    line: int
    pieces: tuple[tuple[int, int, int], ...]
    paid: bool


@dataclass(frozen=True)
class Assignment:
    """A schedule in model terms: tasks by index; the output (power units) of each
    generator in each slot by ``(generator, slot)`` (missing: 0, off); the flows of
    each battery by ``(battery, slot)`` when the model plans them (missing: none)."""

    tasks: Mapping[int, TaskAssignment]
    gens: Mapping[tuple[int, int], int]
    batteries: Flows = field(default_factory=dict)


@dataclass(frozen=True)
class Weights:
    """Objective weights (value mode): per essential order run, per order's worth
    unit, and per litre of modelled fuel."""

    essential: float
    fuel_per_litre: float


def late_span(data: PlantInput) -> int:
    """Minutes late after which an order is worth nothing (0: lateness costs nothing)."""
    decay = data.portfolio.late_decay_per_day
    return max(1, round(MINUTES_PER_DAY / decay)) if decay > 0 else 0


def set_value_objective(model: cp_model.CpModel, data: PlantInput, v: Variables) -> Weights:
    """Maximise essential orders run, then the value delivered, then least fuel.

    ``max  W * sum_(essential) x_o + sum_o V_o / D * Y_o - lambda * fuel`` with
    ``Y_o = max(0, D * x_o - late_o)``, ``late_o >= C_o - due_o`` when ``x_o``,
    ``D = 1440 / late_decay_per_day`` (minutes after which a late order is worth
    nothing), ``W = sum_o V_o + 1`` (one essential order outweighs all value) and
    ``lambda`` so small that all the fuel is worth less than half a minute of
    lateness of the cheapest order. Without decay, or when an order cannot be
    late inside the horizon, its term is ``V_o * x_o``.
    """
    span = late_span(data)
    runnable = [(i, od) for i, od in enumerate(data.orders) if od.runnable]
    total = sum(od.order.value for _, od in runnable)
    weight = total + 1.0
    terms: list[Any] = []
    quantum = math.inf
    for i, od in runnable:
        x = one(v.present[i])
        order = od.order
        if order.priority is PriorityClass.ESSENTIAL:
            terms.append(weight * x)
        if order.value <= 0:
            continue
        if span == 0 or order.due >= data.horizon:
            terms.append(order.value * x)
            quantum = min(quantum, order.value)
            continue
        late = model.new_int_var(0, data.horizon - order.due, f"late{i}")
        done = v.tasks[od.tasks[-1]].end
        enforce(model.add(late >= done - order.due), v.present[i])
        worth = model.new_int_var(0, span, f"worth{i}")
        model.add_max_equality(worth, [0, span * x - late])
        v.late[i], v.worth[i] = late, worth
        terms.append(order.value / span * worth)
        quantum = min(quantum, order.value / span)
    power = data.power
    per_litre = 0.0
    if power is not None and v.gens:
        gens = power.generators
        most = sum((g.most(b - a) + g.start) / FUEL_SCALE for a, b in power.slots for g in gens)
        per_litre = (quantum if math.isfinite(quantum) else 1.0) / (2 * max(most, 1e-9))
        for (g, c), gv in v.gens.items():
            a, b = power.slots[c]
            burn = gv.burn(gens[g], b - a)
            terms.append(-per_litre / FUEL_SCALE * burn)
        for (g, _), st in v.starts.items():
            if gens[g].start > 0:  # a start costs its litres too: fewer, longer runs
                terms.append(-per_litre / FUEL_SCALE * gens[g].start * st)
    model.maximize(sum(terms))
    return Weights(weight, per_litre)


def set_makespan_objective(model: cp_model.CpModel, data: PlantInput, v: Variables) -> None:
    """Minimise ``C_max >= C_o`` over every order (all must run)."""
    cmax = model.new_int_var(0, data.horizon, "makespan")
    for od in data.orders:
        if od.runnable:
            model.add(cmax >= v.tasks[od.tasks[-1]].end)
    v.makespan = cmax
    model.minimize(cmax)


def add_hint(model: cp_model.CpModel, data: PlantInput, v: Variables, a: Assignment) -> None:
    """Hint every variable the assignment determines."""
    for i, od in enumerate(data.orders):
        x = v.present.get(i)
        run = bool(od.tasks) and all(t in a.tasks for t in od.tasks)
        if x is not None:
            model.add_hint(x, run)
        if not run:
            continue
        for t in od.tasks:
            _hint_task(model, data, v, t, a.tasks[t])
        done = a.tasks[od.tasks[-1]].pieces[-1][1]
        if i in v.late:
            late = max(0, done - od.order.due)
            model.add_hint(v.late[i], late)
            model.add_hint(v.worth[i], max(0, late_span(data) - late))
    for key, gv in v.gens.items():
        output = a.gens.get(key, 0)
        model.add_hint(gv.output, output)
        model.add_hint(gv.run, output > 0)
    if data.power is not None:
        for (g, c), st in v.starts.items():
            p = data.power.starts[g].prev[c]
            begins = a.gens.get((g, c), 0) > 0 and (p is None or a.gens.get((g, p), 0) <= 0)
            model.add_hint(st, begins)
    if data.power is not None and data.power.storage is not None:
        add_battery_hint(model, data.power.storage, v.batteries, a.batteries)
    _hint_sequences(model, data, v, a)


def _hint_task(
    model: cp_model.CpModel, data: PlantInput, v: Variables, t: int, ta: TaskAssignment
) -> None:
    """Hint the pieces, line and setup literals of one task."""
    task = data.tasks[t]
    tv = v.tasks[t]
    setup, restart = task.step.setup_minutes, task.step.restart_minutes
    last_end = 0
    for i, p in enumerate(tv.pieces):
        if i < len(ta.pieces):
            start, _, work = ta.pieces[i]
            size = work + (setup * ta.paid if i == 0 else restart)
            present = True
        else:
            start, size, present = last_end, 0, False
        last_end = start + size
        if p.present is not None and i > 0:
            model.add_hint(p.present, present)
        model.add_hint(p.start, start)
        if isinstance(p.size, cp_model.IntVar):
            model.add_hint(p.size, size)
        if isinstance(p.end, cp_model.IntVar):
            model.add_hint(p.end, last_end)
    for ln, lit in tv.on_line.items():
        if lit is not None and len(tv.on_line) > 1:
            model.add_hint(lit, ln == ta.line)
        if len(tv.on_line) > 1:
            for i, c in enumerate(tv.copy_present[ln][1:], start=1):
                if c is not None:
                    model.add_hint(c, ln == ta.line and i < len(ta.pieces))
        if ln in tv.cold:
            model.add_hint(tv.cold[ln], ln == ta.line and ta.paid)
        if ln in tv.warm:
            model.add_hint(tv.warm[ln], ln == ta.line and not ta.paid)


def _hint_sequences(model: cp_model.CpModel, data: PlantInput, v: Variables, a: Assignment) -> None:
    """Hint the first start of single-family lines and the arcs of circuit lines."""
    for ln, first in v.first.items():
        starts = [ta.pieces[0][0] for ta in a.tasks.values() if ta.line == ln]
        model.add_hint(first, min(starts, default=0))
    for ln, lits in v.adjacent.items():
        chosen = {
            (i, j) for j, i in warm_after(data, ln, a.tasks).items() if not a.tasks[j].paid
        }
        for pair, lit in lits.items():
            model.add_hint(lit, pair in chosen)
    for ln, arcs in v.arcs.items():
        ids = data.line_tasks(ln)
        node = {t: n + 1 for n, t in enumerate(ids)}
        on = sorted((ta.pieces[0][0], t) for t, ta in a.tasks.items() if ta.line == ln)
        seq = [node[t] for _, t in on]
        used = set(zip([0, *seq], [*seq, 0], strict=True)) if seq else {(0, 0)}
        for (i, j), lit in arcs.items():
            if i != j or i == 0:
                model.add_hint(lit, (i, j) in used)


def warm_after(data: PlantInput, ln: int, tasks: Mapping[int, TaskAssignment]) -> dict[int, int]:
    """On an ``"adjacent"`` line, per task ``j`` that may waive its setup there, the
    candidate ``i`` whose last piece is the operation just before ``j``'s first piece
    with no shift gap between (the model's ``y_ij``)."""
    pairs = set(data.adjacent_pairs(ln))
    gaps = data.lines[ln].gaps
    pieces = sorted(
        (a, b, k, t)
        for t, ta in tasks.items()
        if ta.line == ln
        for k, (a, b, _) in enumerate(ta.pieces)
    )
    out: dict[int, int] = {}
    for (_, end, k, i), (start, _, first, j) in itertools.pairwise(pieces):
        if first != 0 or k != len(tasks[i].pieces) - 1 or (i, j) not in pairs:
            continue
        if end <= start and not any(a < start and end < b for a, b in gaps):
            out[j] = i
    return out


def read(solver: cp_model.CpSolver, data: PlantInput, v: Variables) -> Assignment:
    """The solver's best solution as an :class:`Assignment`."""
    tasks: dict[int, TaskAssignment] = {}
    for i, od in enumerate(data.orders):
        x = v.present.get(i)
        if not od.tasks or (x is not None and not solver.boolean_value(x)):
            continue
        for t in od.tasks:
            task, tv = data.tasks[t], v.tasks[t]
            line = next(
                ln for ln, lit in tv.on_line.items() if lit is None or solver.boolean_value(lit)
            )
            paid = bool(solver.value(v.paid(t)))
            pieces = []
            for k, p in enumerate(tv.pieces):
                if p.present is not None and not solver.boolean_value(p.present):
                    break
                start, end = solver.value(p.start), solver.value(p.end)
                over = task.step.setup_minutes * paid if k == 0 else task.step.restart_minutes
                pieces.append((start, end, end - start - over))
            tasks[t] = TaskAssignment(line, tuple(pieces), paid)
    gens = {key: solver.value(gv.output) for key, gv in v.gens.items()}
    storage = data.power.storage if data.power is not None else None
    flows = read_flows(solver, storage, v.batteries) if storage is not None else {}
    return Assignment(tasks, gens, flows)
