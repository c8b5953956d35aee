"""The flat, index-based input of the plant-level CP-SAT model, and its pre-solve checks.

Private helper of :mod:`ingenio.planning.schedule`. :func:`build_input` turns a
one-plant :class:`~ingenio.domain.Portfolio` into plain tuples of orders, tasks
(one per step of an order), lines, shared resources and power data, all in
integer minutes and integer units, and decides before any solving which orders
cannot run at all (and why), so the model gets no variables for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass

from ingenio.domain import Line, Order, Plant, Portfolio, Resource, Step, merge_windows
from ingenio.planning.schedule.energy import (
    PowerData,
    base_segments,
    build_power,
    max_supply_kw,
)

PIECES = 2
"""Pieces an interruptible step may be split into, when splitting can help."""
PIECES_MAX = 8
"""More pieces are allowed only to follow a hint that has them, up to this many."""
CIRCUIT_MAX = 40
"""Lines with more candidate steps of several families have no circuit: a step there
waives its setup only right after a chosen step of its family (``"adjacent"``)."""
ADJACENT_MAX = 12
"""Candidate predecessors per step on an ``"adjacent"`` line (same family, nearest
earliest starts first): pairs grow with the square of the steps otherwise."""


@dataclass(frozen=True)
class TaskData:
    """One step of one order that may run.

    ``lines`` are indices of the eligible lines where it can fit; ``work`` its
    processing minutes (no setup); ``pieces`` how many pieces it may be split
    into; ``power`` its load in power units (0 when power is not modelled);
    ``resources`` ``(resource index, units)``; ``est`` / ``lct`` the earliest
    start and latest completion that routing and the horizon allow.
    """

    order: int
    k: int
    step: Step
    lines: tuple[int, ...]
    work: int
    pieces: int
    power: int
    resources: tuple[tuple[int, int], ...]
    family: int
    est: int
    lct: int


@dataclass(frozen=True)
class OrderData:
    """An order: its tasks in routing order (empty when it cannot run, see ``reason``)."""

    order: Order
    tasks: tuple[int, ...]
    preds: tuple[int, ...]
    reason: str

    @property
    def runnable(self) -> bool:
        """True when the order has tasks in the model."""
        return bool(self.tasks)


@dataclass(frozen=True)
class LineData:
    """A line: merged shift windows inside the horizon, the gaps between them, and
    how family setups are modelled on it (``"none"``: always paid; ``"single"``:
    one family, only the first step on the line pays; ``"circuit"``: the sequence
    decides; ``"adjacent"``: a step waives its setup only when it follows a candidate
    step of its family with nothing between them, :meth:`PlantInput.adjacent_pairs`)."""

    line: Line
    shifts: tuple[tuple[int, int], ...]
    gaps: tuple[tuple[int, int], ...]
    setups: str


@dataclass(frozen=True)
class ResourceData:
    """A shared resource: constant ``capacity`` and fixed ``(start, end, units)`` blockers."""

    resource: Resource
    capacity: int
    blockers: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class PlantInput:
    """Everything the model needs, flat and indexed."""

    portfolio: Portfolio
    plant: Plant
    horizon: int
    orders: tuple[OrderData, ...]
    tasks: tuple[TaskData, ...]
    lines: tuple[LineData, ...]
    resources: tuple[ResourceData, ...]
    power: PowerData | None
    follows: frozenset[tuple[int, int]] = frozenset()
    """Task pairs ``(i, j)`` where the hint runs ``j`` right after ``i`` on a line:
    always candidates on an ``"adjacent"`` line, so the hint's waivers fit."""

    def line_tasks(self, line: int) -> list[int]:
        """Tasks that may run on ``line``."""
        return [t for t, task in enumerate(self.tasks) if line in task.lines]

    def adjacent_pairs(self, line: int) -> list[tuple[int, int]]:
        """Pairs ``(i, j)`` of tasks on an ``"adjacent"`` line where ``j`` may waive its
        setup by starting after ``i`` ends with nothing between: same family, ``j`` pays
        a setup, ``i`` can end before ``j`` must start; at most :data:`ADJACENT_MAX`
        per ``j``, the nearest earliest starts first."""
        ids = self.line_tasks(line)
        out: list[tuple[int, int]] = []
        for j in ids:
            tj = self.tasks[j]
            if tj.step.setup_minutes <= 0:
                continue
            near = sorted(
                (abs(self.tasks[i].est - tj.est), i)
                for i in ids
                if i != j
                and self.tasks[i].family == tj.family
                and self.tasks[i].order != tj.order
                and self.tasks[i].est + self.tasks[i].work <= tj.lct - tj.work
            )
            chosen = {i for _, i in near[:ADJACENT_MAX]}
            chosen |= {i for _, i in near if (i, j) in self.follows}
            out += [(i, j) for i in sorted(chosen)]
        return out


def _line(line: Line, end: int) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """Merged shifts of ``line`` clipped to ``[0, end)``, and the gaps between them."""
    shifts = [(max(0, w.start), min(end, w.end)) for w in merge_windows(line.shifts)]
    shifts = [(a, b) for a, b in shifts if b > a]
    gaps: list[tuple[int, int]] = []
    at = 0
    for a, b in shifts:
        if a > at:
            gaps.append((at, a))
        at = b
    if at < end:
        gaps.append((at, end))
    return tuple(shifts), tuple(gaps)


def _fits(shifts: tuple[tuple[int, int], ...], lo: int, hi: int, work: int, whole: bool) -> bool:
    """True when ``work`` minutes fit in the shifts inside ``[lo, hi)`` (in one window
    when ``whole``)."""
    lengths = [min(b, hi) - max(a, lo) for a, b in shifts]
    lengths = [x for x in lengths if x > 0]
    return (max(lengths, default=0) if whole else sum(lengths)) >= work


def _resources(
    plant: Plant, end: int, need: Mapping[str, list[int]]
) -> dict[str, ResourceData | None]:
    """Resource data of the plant; None for a resource that can never bind."""
    out: dict[str, ResourceData | None] = {}
    for res in plant.resources:
        times = sorted({0, *(at for at, _ in res.changes if 0 < at < end)})
        caps = [res.capacity_at(t) for t in times]
        top, low = max(caps), min(caps)
        if sum(need.get(res.id, [])) <= low:
            out[res.id] = None
            continue
        blockers: list[tuple[int, int, int]] = []
        for a, b, cap in zip(times, [*times[1:], end], caps, strict=True):
            if cap < top:
                blockers.append((a, b, top - cap))
        out[res.id] = ResourceData(res, top, tuple(blockers))
    return out


def build_input(
    portfolio: Portfolio,
    hint_pieces: Mapping[tuple[str, int], int] | None = None,
    interleaved: Set[str] = frozenset(),
) -> PlantInput:
    """Flatten a one-plant portfolio for the model and prune what cannot run.

    Parameters
    ----------
    portfolio
        A portfolio with exactly one plant.
    hint_pieces
        Pieces per ``(order id, step)`` in the hint: an interruptible step may be
        split into that many pieces (up to ``PIECES_MAX``) so the hint fits.
    interleaved
        Ids of lines where the hint runs a piece of one step between two pieces
        of another: no setup circuit there (it would keep steps apart), so the
        hint fits.

    Returns
    -------
    PlantInput
        The model input. Orders that cannot run carry the reason.
    """
    (plant,) = portfolio.plants
    end = portfolio.horizon.minutes
    hint_pieces = hint_pieces or {}
    line_index = {ln.id: i for i, ln in enumerate(plant.lines)}
    windows = [_line(ln, end) for ln in plant.lines]
    segments = base_segments(portfolio, plant)
    supply = max_supply_kw(portfolio, plant, segments)
    res_top = {
        r.id: max(r.capacity_at(t) for t in {0, *(a for a, _ in r.changes if 0 < a < end)})
        for r in plant.resources
    }
    order_index = {o.id: i for i, o in enumerate(portfolio.orders)}
    ready: dict[str, int] = {}
    reasons: dict[str, str] = {}
    placed: dict[str, list[tuple[Step, int, tuple[int, ...], int, int]]] = {}
    for order in _topological(portfolio):
        routing = portfolio.product(order.product_id).routing
        works = [step.run_minutes(order.quantity) for step in routing]
        est = max(0, order.release)
        for p in order.predecessors:
            if p in reasons:
                reasons[order.id] = f"predecessor {p} cannot be scheduled"
                break
            est = max(est, ready[p])
        if order.id in reasons:
            continue
        if order.release >= end:
            reasons[order.id] = "released after the horizon ends"
            continue
        if est + sum(works) > end:
            reasons[order.id] = "not enough time left in the horizon"
            continue
        steps = []
        at = est
        for k, (step, work) in enumerate(zip(routing, works, strict=True)):
            lct = end - sum(works[k + 1 :])
            lines = tuple(
                line_index[ln]
                for ln in dict.fromkeys(step.lines)
                if _fits(windows[line_index[ln]][0], at, lct, work, not step.interruptible)
            )
            why = _refusal(step, k, lines, supply, res_top)
            if why:
                reasons[order.id] = why
                break
            steps.append((step, work, lines, at, lct))
            at += work
        if order.id in reasons:
            continue
        placed[order.id] = steps
        ready[order.id] = at
    return _assemble(
        portfolio, plant, windows, placed, reasons, order_index, hint_pieces, interleaved
    )


def _refusal(
    step: Step, k: int, lines: tuple[int, ...], supply: float, res_top: Mapping[str, int]
) -> str:
    """Why step ``k`` can never run, or ``""``."""
    if not lines:
        room = "no shift window long enough" if not step.interruptible else "not enough shift time"
        return f"step {k} ({step.name}): {room} on its lines"
    if step.power_kw > supply + 1e-9:
        return (
            f"step {k} ({step.name}) needs {step.power_kw:g} kW, more than the plant "
            f"ever has ({supply:g} kW)"
        )
    for rid, units in step.resources.items():
        if units > res_top.get(rid, 0):
            return f"step {k} ({step.name}) needs {units} of resource {rid}, more than it ever has"
    return ""


def _assemble(
    portfolio: Portfolio,
    plant: Plant,
    windows: list[tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]],
    placed: Mapping[str, list[tuple[Step, int, tuple[int, ...], int, int]]],
    reasons: Mapping[str, str],
    order_index: Mapping[str, int],
    hint_pieces: Mapping[tuple[str, int], int],
    interleaved: Set[str],
) -> PlantInput:
    """Build the tasks, lines, resources and power data of the runnable orders."""
    end = portfolio.horizon.minutes
    demands = [s.power_kw for steps in placed.values() for s, *_ in steps]
    peak_line = [0.0] * len(plant.lines)
    need: dict[str, list[int]] = {}
    for steps in placed.values():
        for step, _, lines, _, _ in steps:
            for ln in lines:
                peak_line[ln] = max(peak_line[ln], step.power_kw)
            for rid, units in step.resources.items():
                need.setdefault(rid, []).append(units)
    power = build_power(portfolio, plant, demands, sum(peak_line))
    res_data = _resources(plant, end, need)
    resources = tuple(r for r in res_data.values() if r is not None)
    res_pos = {r.resource.id: i for i, r in enumerate(resources)}
    varies_global = power is not None or any(r.blockers for r in resources)
    families: dict[str, int] = {}
    tasks: list[TaskData] = []
    orders: list[OrderData] = []
    for order in portfolio.orders:
        preds = tuple(order_index[p] for p in order.predecessors)
        if order.id not in placed:
            orders.append(OrderData(order, (), preds, reasons[order.id]))
            continue
        family = families.setdefault(portfolio.product(order.product_id).family, len(families))
        ids = []
        for k, (step, work, lines, est, lct) in enumerate(placed[order.id]):
            varies = varies_global or any(_gap_inside(windows[ln][1], est, lct) for ln in lines)
            pieces = 1
            if step.interruptible and varies and work > 1:
                wanted = max(PIECES, hint_pieces.get((order.id, k), 0))
                pieces = min(wanted, PIECES_MAX, work)
            ids.append(len(tasks))
            tasks.append(
                TaskData(
                    order=order_index[order.id],
                    k=k,
                    step=step,
                    lines=lines,
                    work=work,
                    pieces=pieces,
                    power=power.units(step.power_kw) if power is not None else 0,
                    resources=tuple(
                        (res_pos[r], u) for r, u in step.resources.items() if r in res_pos
                    ),
                    family=family,
                    est=est,
                    lct=lct,
                )
            )
        orders.append(OrderData(order, tuple(ids), preds, ""))
    line_data = tuple(
        LineData(ln, windows[i][0], windows[i][1], _setup_mode(tasks, i, ln.id in interleaved))
        for i, ln in enumerate(plant.lines)
    )
    return PlantInput(
        portfolio, plant, end, tuple(orders), tuple(tasks), line_data, resources, power
    )


def _gap_inside(gaps: tuple[tuple[int, int], ...], lo: int, hi: int) -> bool:
    """True when a shift gap lies (partly) inside ``[lo, hi)``."""
    return any(a < hi and lo < b for a, b in gaps)


def _setup_mode(tasks: list[TaskData], line: int, interleaved: bool) -> str:
    """How family setups are modelled on ``line`` (see :class:`LineData`)."""
    on = [t for t in tasks if line in t.lines]
    if len(on) < 2 or not any(t.step.setup_minutes > 0 for t in on):
        return "none"
    families = {t.family for t in on}
    if len(families) == 1:
        return "single"
    paying = {t.family for t in on if t.step.setup_minutes > 0}
    shared = [f for f in paying if sum(1 for t in on if t.family == f) >= 2]
    if not shared:
        return "none"
    return "adjacent" if len(on) > CIRCUIT_MAX or interleaved else "circuit"


def _topological(portfolio: Portfolio) -> list[Order]:
    """Orders with every predecessor before its successors (input order otherwise)."""
    done: set[str] = set()
    out: list[Order] = []
    for root in portfolio.orders:
        stack = [(root, False)]
        while stack:
            order, expanded = stack.pop()
            if order.id in done:
                continue
            if expanded:
                done.add(order.id)
                out.append(order)
                continue
            stack.append((order, True))
            for p in reversed(order.predecessors):
                if p not in done:
                    stack.append((portfolio.order(p), False))
    return out
