"""Large neighbourhood search on the plant-level CP-SAT model.

Private helper of :mod:`ingenio.planning.schedule`. From the solver's best solution (the
*incumbent*), each move frees a part of the plan and fixes the rest to the incumbent:

* **window**: the orders running in a random stretch of the horizon;
* **line**: the orders with a step on one line;
* **orders**: a random set of orders;
* always some of the orders the incumbent leaves out or finishes late (each with
  probability one half), which is where the value lies.

The freed part is solved again by CP-SAT (one worker, a short slice, the incumbent as
its hint and first solution) with every variable of the fixed orders pinned to its
incumbent value; the generators stay free, so fuel moves to where the new orders need
it. A better solution becomes the incumbent. The share of orders freed grows when a
move is solved to optimality (the neighbourhood was too small to hold a better plan)
and shrinks when the slice runs out first.

With one worker, CP-SAT runs no neighbourhood search of its own, so on the demo plants
its search rarely moved from the warm start; this loop is what keeps the value rising
for the rest of the time limit. Figures in ``docs/planning.md`` ("Search that keeps
improving").
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model
from ortools.sat.python import cp_model_helper as cmh

from ingenio.planning.schedule.data import PlantInput
from ingenio.planning.schedule.model import Variables
from ingenio.planning.status import Stop, stopped

MIN_SLICE_S = 0.25
"""Shortest CP-SAT run of one move; a move is not started with less time left."""
MAX_SLICE_S = 2.0
"""Longest CP-SAT run of one move."""
MAIN_SHARE = 0.7
"""Share of the time left that the plant solver's first CP-SAT run takes before the
search (at 0.4 it often stopped in presolve on a loaded machine)."""
START_SHARE = 0.15
"""Share of the orders a move frees at first (adapted move by move)."""


def applies(objective: str, deterministic: bool) -> bool:
    """Whether the plant solver follows its first CP-SAT run with this search: value
    objective, wall-clock limit (deterministic runs stay one CP-SAT run)."""
    return objective == "value" and not deterministic


@dataclass
class LnsStats:
    """What the search did: moves tried, moves that improved, last freed share."""

    moves: int = 0
    improved: int = 0
    share: float = START_SHARE

    def note(self) -> str:
        """One line for a plan's notes."""
        return f"neighbourhood search: {self.improved} of {self.moves} moves improved the plan"


def _index(var: Any) -> int | None:
    """The proto index of a CP-SAT variable, or None for a constant or an expression."""
    return var.index if isinstance(var, cp_model.IntVar) else None


def order_variables(data: PlantInput, v: Variables) -> dict[int, list[int]]:
    """Per order (index into ``data.orders``), the proto indices of its own variables:
    presence, pieces, line choice, setup literals, lateness."""
    out: dict[int, list[int]] = {}
    for i, od in enumerate(data.orders):
        if not od.runnable:
            continue
        found: list[Any] = [v.present.get(i), v.late.get(i), v.worth.get(i)]
        for t in od.tasks:
            tv = v.tasks[t]
            for p in tv.pieces:
                found += [p.present, p.start, p.size, p.end]
            found += list(tv.on_line.values())
            for lits in tv.copy_present.values():
                found += lits
            found += list(tv.warm.values()) + list(tv.cold.values())
        out[i] = sorted({ix for ix in map(_index, found) if ix is not None})
    return out


@dataclass(frozen=True)
class _Placed:
    """An order as the incumbent has it: runs or not, first start, last end, lines."""

    runs: bool
    start: int
    end: int
    lines: frozenset[int]
    late: bool


def _placed(data: PlantInput, v: Variables, best: Any) -> dict[int, _Placed]:
    out: dict[int, _Placed] = {}
    for i, od in enumerate(data.orders):
        if not od.runnable:
            continue
        x = v.present.get(i)
        runs = x is None or bool(best.boolean_value(x))
        if not runs:
            out[i] = _Placed(False, 0, 0, frozenset(), True)
            continue
        start = int(best.value(v.tasks[od.tasks[0]].start))
        end = int(best.value(v.tasks[od.tasks[-1]].end))
        lines = frozenset(
            ln
            for t in od.tasks
            for ln, lit in v.tasks[t].on_line.items()
            if lit is None or best.boolean_value(lit)
        )
        out[i] = _Placed(True, start, end, lines, end > od.order.due)
    return out


def _neighbourhood(
    rng: random.Random, placed: dict[int, _Placed], horizon: int, share: float
) -> tuple[set[int], tuple[int, int]]:
    """The orders a move frees and the stretch of time whose generators it frees: about
    ``share`` of the orders, half of them (at most) among the orders the incumbent
    leaves out or finishes late, the rest running in the stretch (on one line, or on
    any)."""
    running = [i for i, p in placed.items() if p.runs]
    want = max(2, round(share * len(placed)))
    missing = sorted(i for i, p in placed.items() if not p.runs or p.late)
    free = set(rng.sample(missing, min(len(missing), max(1, want // 2))))
    width = max(240, round(horizon * min(1.0, 2 * share)))
    a = rng.randrange(0, max(1, horizon - width))
    pool = [i for i in running if placed[i].start < a + width and placed[i].end > a]
    if pool and rng.random() < 0.5:
        ln = rng.choice(sorted({ln for i in pool for ln in placed[i].lines}))
        pool = [i for i in pool if ln in placed[i].lines]
    free |= set(rng.sample(pool, min(len(pool), max(1, want - len(free)))))
    return free, (a, a + width)


def objective_of(model: cp_model.CpModel, values: list[int]) -> float:
    """The objective of ``model`` at the full solution ``values`` (proto variable order),
    as CP-SAT reports it (``objective_value``)."""
    proto = model.proto
    if proto.has_floating_point_objective():
        f = proto.floating_point_objective
        terms = zip(list(f.vars), list(f.coeffs), strict=True)
        return float(f.offset) + float(sum(c * _at(values, ix) for ix, c in terms))
    o = proto.objective
    raw = float(o.offset) + sum(c * _at(values, ix) for ix, c in zip(o.vars, o.coeffs, strict=True))
    return float(raw * (o.scaling_factor or 1.0))


def _at(values: list[int], ref: int) -> int:
    """Value of a proto variable reference (negative: the negation ``-ref - 1``)."""
    return values[ref] if ref >= 0 else -values[-ref - 1]


def improve(
    model: cp_model.CpModel,
    data: PlantInput,
    v: Variables,
    start: cp_model.CpSolver | list[int],
    seconds: float,
    seed: int = 0,
    report: Callable[[float, float], None] | None = None,
    stop: Stop | None = None,
    bound: float = float("inf"),
) -> tuple[cp_model.CpSolver | None, LnsStats]:
    """Search around ``start`` for ``seconds``: a solved
    :class:`~ortools.sat.python.cp_model.CpSolver` of ``model``, or a full solution of it
    (values in proto variable order, such as its completed hint). Returns the solver
    holding the best solution found (None when no move improved on ``start``), and what
    the search did. ``bound``: stop once the objective reaches it.

    The returned solver's ``value()`` reads any variable of ``model``: every move solves a
    copy of ``model`` with the same variables, some of their domains pinned."""
    clock = time.perf_counter()
    stats = LnsStats()
    groups = order_variables(data, v)
    if isinstance(start, cp_model.CpSolver):
        incumbent = list(start.response_proto.solution)
        objective = float(start.objective_value)
        bound = min(bound, float(start.best_objective_bound))
    else:
        incumbent = list(start)
        objective = objective_of(model, incumbent)
    if not groups or not incumbent:
        return None, stats
    rng = random.Random(seed)
    slots = data.power.slots if data.power is not None else ()
    gens = [(slots[c], (gv.output.index, gv.run.index)) for (_, c), gv in v.gens.items()]
    placed = _placed(data, v, _Values(incumbent))
    best: cp_model.CpSolver | None = None
    while True:
        left = seconds - (time.perf_counter() - clock)
        if left < MIN_SLICE_S or stopped(stop) or objective >= bound - 1e-9:
            break
        free, (a, b) = _neighbourhood(rng, placed, data.horizon, stats.share)
        trial = model.clone()
        pinned = [ix for i, indices in groups.items() if i not in free for ix in indices]
        pinned += [ix for (lo, hi), ixs in gens if hi <= a or lo >= b for ix in ixs]
        for ix in pinned:
            dom = trial.proto.variables[ix].domain
            dom.clear()
            dom.extend([incumbent[ix], incumbent[ix]])
        trial.clear_hints()  # type: ignore[no-untyped-call]
        trial.proto.solution_hint.vars.extend(range(len(incumbent)))
        trial.proto.solution_hint.values.extend(incumbent)
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers = 1
        p.random_seed = seed + stats.moves
        p.cp_model_probing_level = 0
        p.max_time_in_seconds = min(MAX_SLICE_S, max(MIN_SLICE_S, left / 6), left)
        code = solver.solve(trial)
        stats.moves += 1
        if code == cp_model.OPTIMAL:
            stats.share = min(0.9, stats.share * 1.25)
        elif code != cp_model.FEASIBLE or solver.wall_time >= 0.9 * p.max_time_in_seconds:
            stats.share = max(0.05, stats.share * 0.8)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        if float(solver.objective_value) > objective + 1e-6:
            objective = float(solver.objective_value)
            incumbent = list(solver.response_proto.solution)
            best = solver
            placed = _placed(data, v, _Values(incumbent))
            stats.improved += 1
            if report is not None:
                report(objective, bound)
    return best, stats


class _Values:
    """A full solution read like a solver (``value``, ``boolean_value``)."""

    def __init__(self, values: list[int]) -> None:
        self.response = cmh.CpSolverResponse()
        self.response.solution.extend(values)

    def value(self, expr: Any) -> int:
        """Value of a variable or a linear expression of variables."""
        return int(cmh.ResponseHelper.value(self.response, expr))

    def boolean_value(self, lit: Any) -> bool:
        """Value of a literal (a Boolean variable or its negation)."""
        return bool(cmh.ResponseHelper.boolean_value(self.response, lit))
