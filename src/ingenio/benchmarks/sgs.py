"""Serial schedule generation with forward-backward improvement, for makespan starts.

A short project-scheduling heuristic for the converted RCPSP instances (one order per
job, one uninterruptible step, plant ``Resource`` capacities, ``predecessors``): many
serial-SGS passes with priorities drawn around the latest-finish-time rule, each
followed by forward-backward improvement (justification), which often reaches the
optimum of small instances. The best schedule becomes CP-SAT's warm start, so its
search begins from a short plan instead of a dispatch plan.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace

from ingenio.domain import Operation, Plan, Portfolio

__all__ = ["Project", "improve_start", "project_of", "serial_sgs", "sgs_search"]


@dataclass(frozen=True)
class Project:
    """Jobs 0..n-1: durations, demands per resource, capacities, predecessors."""

    durations: tuple[int, ...]
    demands: tuple[tuple[int, ...], ...]
    capacities: tuple[int, ...]
    predecessors: tuple[tuple[int, ...], ...]

    @property
    def size(self) -> int:
        """Number of jobs."""
        return len(self.durations)


def project_of(portfolio: Portfolio, start: Plan) -> tuple[Project, list[str]] | None:
    """The project behind a one-plant portfolio whose orders are one uninterruptible
    step each, with the durations of ``start`` (a complete plan of it); None when the
    portfolio is not of that shape (then no heuristic start is tried)."""
    ops: dict[str, Operation] = {}
    for op in start.operations:
        if op.order_id in ops or op.step != 0:
            return None
        ops[op.order_id] = op
    orders = portfolio.orders
    if len(ops) != len(orders) or not orders:
        return None
    ids = [o.id for o in orders]
    index = {oid: i for i, oid in enumerate(ids)}
    if len(portfolio.plants) != 1:
        return None
    resources = portfolio.plants[0].resources
    if any(r.changes for r in resources):
        return None  # capacities that change over time: not a plain project
    rids = [r.id for r in resources]
    caps = tuple(r.capacity for r in resources)
    demands: list[tuple[int, ...]] = []
    for o in orders:
        routing = portfolio.product(o.product_id).routing
        if len(routing) != 1 or routing[0].interruptible or o.release or o.transfer_minutes:
            return None
        need = routing[0].resources
        if any(rid not in rids or need[rid] != int(need[rid]) for rid in need):
            return None
        demands.append(tuple(int(need.get(rid, 0)) for rid in rids))
    if any(d > c for dem in demands for d, c in zip(dem, caps, strict=True)):
        return None
    durations = tuple(ops[oid].end - ops[oid].start for oid in ids)
    preds = tuple(tuple(index[p] for p in o.predecessors) for o in orders)
    return Project(durations, tuple(demands), caps, preds), ids


def _topological(project: Project, key: list[float]) -> list[int]:
    """Jobs in an order that respects precedences, by ``key`` (smaller first) among the
    eligible ones."""
    n = project.size
    succ: list[list[int]] = [[] for _ in range(n)]
    left = [len(p) for p in project.predecessors]
    for j, ps in enumerate(project.predecessors):
        for p in ps:
            succ[p].append(j)
    ready = [j for j in range(n) if left[j] == 0]
    out: list[int] = []
    while ready:
        ready.sort(key=lambda j: key[j])
        j = ready.pop(0)
        out.append(j)
        for s in succ[j]:
            left[s] -= 1
            if left[s] == 0:
                ready.append(s)
    return out


def serial_sgs(project: Project, order: list[int], reverse: bool = False) -> list[int]:
    """Start of each job, placed one at a time in ``order`` (a precedence-feasible
    list; for ``reverse``, successors first) at its earliest resource-feasible time.
    ``reverse`` schedules the mirrored project: the result is in mirrored time
    (``t -> makespan - t - duration``) and the caller maps it back."""
    n = project.size
    dur, dem, cap = project.durations, project.demands, project.capacities
    links: list[list[int]] = [[] for _ in range(n)]
    if reverse:
        for j, ps in enumerate(project.predecessors):
            for p in ps:
                links[p].append(j)  # in mirrored time a successor comes first
    else:
        links = [list(ps) for ps in project.predecessors]
    horizon = sum(dur) + 1
    used = [[0] * horizon for _ in cap]
    start = [-1] * n
    for j in order:
        t = max((start[p] + dur[p] for p in links[j]), default=0)
        d = dur[j]
        need = [(r, dem[j][r]) for r in range(len(cap)) if dem[j][r] > 0]
        while True:
            clash = -1
            for r, q in need:
                row, room = used[r], cap[r] - q
                for tau in range(t + d - 1, t - 1, -1):
                    if row[tau] > room:
                        clash = max(clash, tau)
                        break
            if clash < 0:
                break
            t = clash + 1
        start[j] = t
        for r, q in need:
            row = used[r]
            for tau in range(t, t + d):
                row[tau] += q
    return start


def _justify(project: Project, start: list[int]) -> list[int]:
    """Forward-backward improvement: right-justify (jobs by latest finish first), then
    left-justify (by earliest start); never longer than ``start``."""
    dur = project.durations
    span = max(s + d for s, d in zip(start, dur, strict=True))
    ends = [s + d for s, d in zip(start, dur, strict=True)]
    back = serial_sgs(project, sorted(range(project.size), key=lambda j: -ends[j]), True)
    back_span = max(b + d for b, d in zip(back, dur, strict=True))
    right = [back_span - b - d for b, d in zip(back, dur, strict=True)]
    fwd = serial_sgs(project, sorted(range(project.size), key=lambda j: right[j]))
    fwd_span = max(s + d for s, d in zip(fwd, dur, strict=True))
    return fwd if fwd_span <= span else start


def _latest_finish(project: Project) -> list[int]:
    """Latest finish time of each job under precedences only (critical path)."""
    n, dur = project.size, project.durations
    succ: list[list[int]] = [[] for _ in range(n)]
    for j, ps in enumerate(project.predecessors):
        for p in ps:
            succ[p].append(j)
    order = _topological(project, [0.0] * n)
    tail = [0] * n
    for j in reversed(order):
        tail[j] = dur[j] + max((tail[s] for s in succ[j]), default=0)
    top = max(tail, default=0)
    return [top - tail[j] + dur[j] for j in range(n)]


def sgs_search(
    project: Project, passes: int, seconds: float, seed: int = 0
) -> tuple[list[int], int]:
    """Best starts (and their makespan) of up to ``passes`` serial-SGS passes with
    forward-backward improvement, stopping after ``seconds``: the first pass by the
    latest-finish-time rule, the others by it with random noise (seeded, so a run
    that is not cut by the clock is reproducible)."""
    rng = random.Random(seed)
    lft = _latest_finish(project)
    spread = max(1.0, 0.3 * max(lft, default=1))
    clock = time.perf_counter()
    best: list[int] = []
    best_span = -1
    for k in range(max(1, passes)):
        key = [lft[j] + (rng.uniform(0, spread) if k else 0.0) for j in range(project.size)]
        start = _justify(project, serial_sgs(project, _topological(project, key)))
        span = max(s + d for s, d in zip(start, project.durations, strict=True))
        if best_span < 0 or span < best_span:
            best, best_span = start, span
        if time.perf_counter() - clock > seconds:
            break
    return best, best_span


def improve_start(
    portfolio: Portfolio, start: Plan, *, passes: int = 200, seconds: float = 1.0, seed: int = 0
) -> Plan | None:
    """A shorter plan than ``start`` from :func:`sgs_search`, with its operations moved
    to the heuristic's starts; None when the portfolio is not a plain project or the
    heuristic does not beat ``start``. The caller validates the plan."""
    shape = project_of(portfolio, start)
    if shape is None:
        return None
    project, ids = shape
    starts, span = sgs_search(project, passes, seconds, seed)
    if span >= max((op.end for op in start.operations), default=0):
        return None
    at = dict(zip(ids, starts, strict=True))
    ops = tuple(
        replace(op, start=at[op.order_id], end=at[op.order_id] + op.end - op.start)
        for op in start.operations
    )
    from ingenio.planning.schedule import outcomes  # the plan's order outcomes

    return replace(
        start,
        operations=ops,
        outcomes=outcomes(portfolio, ops, {}),
        notes=(*start.notes, f"serial SGS with forward-backward improvement: makespan {span}"),
    )
