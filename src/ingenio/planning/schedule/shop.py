"""Makespan of a plain disjunctive shop: a lean CP-SAT model, bounded by a priority rule.

Private helper of :mod:`ingenio.planning.schedule`. A plant is a *shop* when every
task has exactly one line and runs in one piece with no setup, lines work all the
horizon, no shared resource or power binds and no order waits on another: a job
shop, a flow shop, or any routing of that kind (the job-shop benchmarks). For such
a plant :func:`solve_shop` minimises the makespan with a lean model instead of the
full plant model (which carries presence literals, pieces and power it does not
need here): one fixed-size interval per operation, routing precedences, one
no-overlap per machine, ``C_max`` between a lower bound (longest job; per machine,
least head + load + least tail) and the makespan of Giffler and Thompson's active
schedule under the most-work-remaining rule (best of a few noisy runs), which is
also the plan kept if CP-SAT finds none.

What was measured (``bench/jssp_large.py``, 2 workers, loaded machine): on 30x20 to
50x20 instances the priority-rule schedule given to CP-SAT *as a hint* made its plans
worse (ta61 at 10 s: 3,517-3,557 with the hint, 3,285-3,295 without), and a
neighbourhood search driven from Python (re-solving freed windows, jobs or machines
with the rest's machine order fixed) lost to CP-SAT's own neighbourhood workers,
because each short re-solve pays presolve and model loading again: so the start
only bounds the makespan, and CP-SAT's internal search does the rest.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from ingenio.domain import Plan
from ingenio.planning.schedule.data import PlantInput
from ingenio.planning.schedule.plan import build_plan
from ingenio.planning.schedule.solve import Assignment, TaskAssignment
from ingenio.planning.status import PlanStatus, Stop, stopped

__all__ = [
    "Shop",
    "ShopResult",
    "gt_schedule",
    "is_shop",
    "shop_lower_bound",
    "shop_makespan",
    "shop_of",
    "shop_plan",
    "solve_shop",
]


@dataclass(frozen=True)
class Shop:
    """Operations by index: ``machine[o]``, ``duration[o]``; ``jobs[j]`` the operations of
    job j in routing order; ``release[j]`` its release."""

    machine: tuple[int, ...]
    duration: tuple[int, ...]
    jobs: tuple[tuple[int, ...], ...]
    release: tuple[int, ...]
    machines: int

    @property
    def size(self) -> int:
        """Number of operations."""
        return len(self.machine)

    def heads_tails(self) -> tuple[list[int], list[int]]:
        """Earliest start (release and routing) and work after the end of each operation."""
        head = [0] * self.size
        tail = [0] * self.size
        for j, ops in enumerate(self.jobs):
            at = self.release[j]
            for o in ops:
                head[o] = at
                at += self.duration[o]
            after = 0
            for o in reversed(ops):
                tail[o] = after
                after += self.duration[o]
        return head, tail

    def on_machines(self) -> list[list[int]]:
        """Operations of each machine."""
        out: list[list[int]] = [[] for _ in range(self.machines)]
        for o, m in enumerate(self.machine):
            out[m].append(o)
        return out


def is_shop(data: PlantInput) -> bool:
    """True when the plant is a plain disjunctive shop (see the module docstring)."""
    if data.power is not None or data.resources or not data.tasks:
        return False
    if any(not od.runnable or od.preds for od in data.orders):
        return False
    if any(ln.shifts != ((0, data.horizon),) for ln in data.lines):
        return False
    return all(
        len(t.lines) == 1 and t.pieces == 1 and t.step.setup_minutes == 0 and t.work > 0
        for t in data.tasks
    )


def shop_of(data: PlantInput) -> Shop:
    """The shop of a plant for which :func:`is_shop` holds (operation o = task o)."""
    return Shop(
        machine=tuple(t.lines[0] for t in data.tasks),
        duration=tuple(t.work for t in data.tasks),
        jobs=tuple(od.tasks for od in data.orders),
        release=tuple(max(0, od.order.release) for od in data.orders),
        machines=len(data.lines),
    )


def shop_makespan(shop: Shop, starts: Sequence[int]) -> int:
    """Latest end of an operation."""
    return max((s + d for s, d in zip(starts, shop.duration, strict=True)), default=0)


def shop_lower_bound(shop: Shop) -> int:
    """Longest job (with its release) and, per machine, least head + load + least tail."""
    head, tail = shop.heads_tails()
    best = max((head[ops[-1]] + shop.duration[ops[-1]] for ops in shop.jobs if ops), default=0)
    for ops in shop.on_machines():
        if ops:
            load = sum(shop.duration[o] for o in ops)
            best = max(best, min(head[o] for o in ops) + load + min(tail[o] for o in ops))
    return best


def gt_schedule(shop: Shop, rng: random.Random | None = None, noise: float = 0.0) -> list[int]:
    """Giffler and Thompson's active schedule, most work remaining first.

    At each step the machine of the operation that can end first is chosen; among
    its operations that could start before that end, the one whose job has the most
    work left runs (each priority times ``1 + noise * U(0, 1)`` when ``rng`` is given).
    """
    n = len(shop.jobs)
    ptr = [0] * n
    job_ready = list(shop.release)
    mach_ready = [0] * shop.machines
    left = [sum(shop.duration[o] for o in ops) for ops in shop.jobs]
    starts = [0] * shop.size
    active = [j for j in range(n) if shop.jobs[j]]
    mach, dur = shop.machine, shop.duration
    while active:
        end_first, m_first = -1, -1
        for j in active:
            o = shop.jobs[j][ptr[j]]
            end = max(job_ready[j], mach_ready[mach[o]]) + dur[o]
            if m_first < 0 or end < end_first:
                end_first, m_first = end, mach[o]
        pick, best = -1, -1.0
        for j in active:
            o = shop.jobs[j][ptr[j]]
            if mach[o] != m_first or max(job_ready[j], mach_ready[m_first]) >= end_first:
                continue
            score = left[j] * (1.0 + noise * rng.random()) if rng is not None else float(left[j])
            if score > best:
                pick, best = j, score
        o = shop.jobs[pick][ptr[pick]]
        start = max(job_ready[pick], mach_ready[m_first])
        starts[o] = start
        job_ready[pick] = mach_ready[m_first] = start + dur[o]
        left[pick] -= dur[o]
        ptr[pick] += 1
        if ptr[pick] == len(shop.jobs[pick]):
            active.remove(pick)
    return starts


def _start(shop: Shop, rng: random.Random, runs: int, until: float | None) -> list[int]:
    """The best of the plain rule and up to ``runs - 1`` noisy runs (until the clock says
    ``until``, when given)."""
    best = gt_schedule(shop)
    best_ms = shop_makespan(shop, best)
    for k in range(1, runs):
        if until is not None and time.perf_counter() > until:
            break
        cand = gt_schedule(shop, rng, noise=0.2 + 0.6 * (k % 4) / 3)
        ms = shop_makespan(shop, cand)
        if ms < best_ms:
            best, best_ms = cand, ms
    return best


@dataclass
class _Model:
    model: cp_model.CpModel
    starts: list[cp_model.IntVar]


def _build(shop: Shop, lb: int, ub: int) -> _Model:
    """The shop's CP-SAT model: minimise ``C_max`` with ``lb <= C_max <= ub`` (no hint)."""
    head, tail = shop.heads_tails()
    model = cp_model.CpModel()
    starts: list[cp_model.IntVar] = []
    intervals = []
    for o in range(shop.size):
        d = shop.duration[o]
        s = model.new_int_var(head[o], max(head[o], ub - tail[o] - d), f"s{o}")
        starts.append(s)
        intervals.append(model.new_fixed_size_interval_var(s, d, f"i{o}"))
    for ops in shop.jobs:
        for a, b in itertools.pairwise(ops):
            model.add(starts[b] >= starts[a] + shop.duration[a])
    for on in shop.on_machines():
        if len(on) > 1:
            model.add_no_overlap([intervals[o] for o in on])
    cmax = model.new_int_var(lb, ub, "makespan")
    for ops in shop.jobs:
        if ops:
            model.add(cmax >= starts[ops[-1]] + shop.duration[ops[-1]])
    model.minimize(cmax)
    return _Model(model, starts)


def _solver(seconds: float, workers: int, seed: int, deterministic: bool) -> cp_model.CpSolver:
    """CP-SAT with its default search: ``seconds`` of wall clock, or of deterministic time
    (with a wall-clock guard of ``10 * seconds + 10``) when ``deterministic``."""
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = max(1, workers)
    p.random_seed = seed
    if deterministic:
        p.max_deterministic_time = max(0.01, seconds)
        p.max_time_in_seconds = 10 * seconds + 10
        if workers > 1:
            p.interleave_search = True
    else:
        p.max_time_in_seconds = max(0.01, seconds)
    return solver


class _Watch(cp_model.CpSolverSolutionCallback):
    """Reports ``(makespan, bound)`` at each new solution; stops the search when asked."""

    def __init__(self, progress: Callable[[float, float], None] | None, stop: Stop | None) -> None:
        super().__init__()
        self.progress = progress
        self.stop = stop
        self.cancelled = False

    def on_solution_callback(self) -> None:
        """Called by CP-SAT for every new best solution."""
        if self.progress is not None:
            self.progress(self.objective_value, self.best_objective_bound)
        if stopped(self.stop):
            self.cancelled = True
            self.stop_search()


@dataclass(frozen=True)
class ShopResult:
    """The best schedule found (start of each operation), its makespan, a lower bound,
    whether CP-SAT found a schedule (else it is the priority rule's), whether it is
    proven optimal, whether ``stop`` cut the search, and a note on what ran."""

    starts: list[int]
    makespan: int
    bound: int
    solved: bool
    optimal: bool
    cancelled: bool
    note: str


START_SHARE = 0.03
"""Share of the time limit the priority-rule runs may take (wall clock)."""


def solve_shop(
    shop: Shop,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    deterministic: bool = False,
    progress: Callable[[float, float], None] | None = None,
    stop: Stop | None = None,
) -> ShopResult:
    """Minimise the makespan of ``shop`` in ``time_limit`` seconds (see the module).

    With ``deterministic`` the priority rule runs a fixed number of times and CP-SAT
    stops on its deterministic time (``time_limit``), with interleaved search when
    ``workers > 1``: the same input, seed and workers give the same schedule.
    """
    clock = time.perf_counter()
    lb = shop_lower_bound(shop)
    runs = max(4, min(50, 10000 // max(1, shop.size)))
    until = None if deterministic else clock + START_SHARE * time_limit
    start = _start(shop, random.Random(seed), runs, until)
    first = shop_makespan(shop, start)
    note = f"shop model: priority-rule start {first}, lower bound {lb}"
    if first <= lb or stopped(stop):
        return ShopResult(start, first, lb, False, first <= lb, first > lb, note)
    m = _build(shop, lb, first)
    spent = time.perf_counter() - clock
    solver = _solver(
        time_limit if deterministic else time_limit - spent, workers, seed, deterministic
    )
    watch = _Watch(progress, stop) if progress is not None or stop is not None else None
    code = solver.solve(m.model, watch)
    note += f"; CP-SAT {solver.status_name(code)}"
    cancelled = watch is not None and watch.cancelled
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ShopResult(start, first, lb, False, False, cancelled, note)
    starts = [solver.value(s) for s in m.starts]
    ms = shop_makespan(shop, starts)
    bound = max(lb, math.ceil(solver.best_objective_bound - 1e-6))
    optimal = code == cp_model.OPTIMAL or ms <= bound
    return ShopResult(starts, ms, min(bound, ms), True, optimal, cancelled and not optimal, note)


def shop_plan(data: PlantInput, result: ShopResult, status: PlanStatus, seconds: float) -> Plan:
    """The plan of a shop schedule (operation o is task o of ``data``)."""
    tasks = {
        o: TaskAssignment(data.tasks[o].lines[0], ((s, s + t.work, t.work),), False)
        for o, (s, t) in enumerate(zip(result.starts, data.tasks, strict=True))
    }
    return build_plan(
        data,
        Assignment(tasks, {}),
        status=status,
        seconds=seconds,
        bound=float(result.bound),
        optimal=result.optimal,
        notes=(result.note,),
    )
