"""Turn a model :class:`Assignment` into a :class:`~ingenio.domain.Plan`.

Private helper of :mod:`ingenio.planning.schedule`. KPIs are recomputed from the
schedule, never taken from the solver: piece quantities from processing minutes,
generator runs from the real load (the model only said which generators may run,
when and up to which level), outcomes exactly as ``docs/plan-rules.md`` defines.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ingenio.domain import (
    MINUTES_PER_DAY,
    Generator,
    GeneratorRun,
    Operation,
    OrderOutcome,
    OrderStatus,
    Plan,
    PowerSource,
)
from ingenio.planning.battery import with_battery_flows
from ingenio.planning.genruns import shape_runs
from ingenio.planning.schedule.data import OrderData, PlantInput
from ingenio.planning.schedule.energy import Segment, base_segments
from ingenio.planning.schedule.genstarts import blocks
from ingenio.planning.schedule.solve import Assignment
from ingenio.planning.schedule.storage import offers
from ingenio.planning.status import PlanStatus

FloatArray = npt.NDArray[np.float64]
_TOL = 1e-9
_GRID, _SOLAR, _GEN, _BATTERY = 1, 2, 4, 8
_SOURCE = {_GRID: PowerSource.GRID, _SOLAR: PowerSource.SOLAR, _GEN: PowerSource.GENERATOR}


@dataclass(frozen=True)
class _Op:
    order_id: str
    step: int
    line_id: str
    start: int
    end: int
    quantity: float
    kw: float


def build_plan(
    data: PlantInput,
    a: Assignment,
    *,
    status: PlanStatus,
    seconds: float,
    bound: float | None,
    optimal: bool,
    notes: tuple[str, ...] = (),
) -> Plan:
    """The plan of an assignment (``planner="schedule"``).

    Parameters
    ----------
    data
        The model input the assignment belongs to.
    a
        Which tasks run where and when, and the generators' outputs per slot.
    status, seconds, bound, notes
        Copied into the plan.
    optimal
        Whether the solver proved the assignment optimal (only changes reasons).
    """
    ops = _operations(data, a)
    power = data.power
    planned = None
    if power is not None and power.storage is not None:
        planned = offers(power.storage, a.batteries, power.scale, data.horizon)
    runs, codes, cuts = _generator_runs(data, a, ops, planned)
    operations = []
    for op in ops:
        lo, hi = bisect_right(cuts, op.start) - 1, bisect_left(cuts, op.end)
        code = 0
        for c in codes[max(0, lo) : hi]:
            code |= c
        source = _SOURCE.get(code, PowerSource.MIXED if code else PowerSource.GRID)
        operations.append(
            Operation(op.order_id, op.step, op.line_id, op.start, op.end, op.quantity, source)
        )
    operations.sort(key=lambda o: (o.start, o.line_id, o.order_id, o.step))
    done: dict[str, int] = {}
    for od in data.orders:
        if od.tasks and od.tasks[-1] in a.tasks:
            done[od.order.id] = a.tasks[od.tasks[-1]].pieces[-1][1]
    outcomes = tuple(_outcome(data, od, done.get(od.order.id), optimal) for od in data.orders)
    plan = Plan(
        planner="schedule",
        operations=tuple(operations),
        generator_runs=tuple(sorted(runs, key=lambda r: (r.generator_id, r.start))),
        fuel_transfers=(),
        outcomes=outcomes,
        status=status,
        bound=bound,
        seconds=seconds,
        notes=notes,
    )
    return with_battery_flows(data.portfolio, plan, planned)


def _operations(data: PlantInput, a: Assignment) -> list[_Op]:
    """One operation per piece, quantities in proportion to processing minutes."""
    out: list[_Op] = []
    for t, ta in sorted(a.tasks.items()):
        task = data.tasks[t]
        order = data.orders[task.order].order
        line_id = data.lines[ta.line].line.id
        left = order.quantity
        for i, (start, end, work) in enumerate(ta.pieces):
            last = i == len(ta.pieces) - 1
            qty = left if last else order.quantity * work / task.work
            left -= qty
            out.append(_Op(order.id, task.k, line_id, start, end, qty, task.step.power_kw))
    return out


def _generator_runs(
    data: PlantInput,
    a: Assignment,
    ops: Sequence[_Op],
    planned: Mapping[str, FloatArray] | None = None,
) -> tuple[list[GeneratorRun], list[int], list[int]]:
    """Generator runs at the real load, and the supply code of each stretch.

    Between consecutive breakpoints the load, the base supply and the set of
    generators the model switched on are constant; the deficit (load - base) is
    covered by the least-fuel subset of those generators, each at least at its
    minimum load and at most at the level the model charged fuel for.
    ``planned``: the batteries' kW per minute when the model planned them (discharge
    is supply, charging is load the generators may have to carry).
    Returns the runs, a code per stretch (1 grid, 2 solar, 4 generator) and the
    stretch boundaries.
    """
    power = data.power
    segments = power.segments if power is not None else base_segments(data.portfolio, data.plant)
    load: dict[int, float] = defaultdict(float)
    for op in ops:
        if op.kw > 0:
            load[op.start] += op.kw
            load[op.end] -= op.kw
    caps: dict[int, dict[int, int]] = defaultdict(dict)  # minute -> generator -> output units
    gens: list[Generator] = []
    scale = power.scale if power is not None else 1
    if power is not None:
        gens = [data.plant.generators[g.index] for g in power.generators]
        lit = [(power.slots[c], g, level) for (g, c), level in a.gens.items() if level > 0]
        for (_, end), g, _ in lit:
            caps[end][g] = 0
        for (start, _), g, level in lit:
            caps[start][g] = level
    net: list[float] = []
    slot_edges: set[int] = set()
    if planned and power is not None and power.storage is not None:
        net = np.sum(list(planned.values()), axis=0).tolist()
        slot_edges = {x for slot in power.storage.slots for x in slot}
    cuts = sorted({0, data.horizon, *load, *caps, *(s.start for s in segments), *slot_edges})
    cuts = [c for c in cuts if 0 <= c <= data.horizon]
    codes: list[int] = []
    kw = 0.0
    levels: dict[int, int] = defaultdict(int)
    seg = 0
    outputs: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    chooser = _Chooser(gens)
    for lo, hi in itertools.pairwise(cuts):
        kw += load.get(lo, 0.0)
        levels.update(caps.get(lo, {}))
        on = {
            g: min(gens[g].rated_kw, max(gens[g].min_kw, n / scale))
            for g, n in levels.items()
            if n > 0
        }
        while segments[seg].end <= lo:
            seg += 1
        s: Segment = segments[seg]
        bat = s.battery_kw + (net[lo] if net else 0.0)
        deficit = kw - s.base_kw - (net[lo] if net else 0.0)
        code = 0
        if kw > _TOL:
            code |= _GRID if s.grid_kw > 0 else 0
            code |= _SOLAR if s.solar_kw > 0 and kw > s.grid_kw + _TOL else 0
            # a battery carries part of the load: no single source (mixed)
            code |= _BATTERY if bat > 0 and kw > s.grid_kw + s.solar_kw + _TOL else 0
        if deficit > _TOL:
            code |= _GEN
            for g, out in chooser.outputs(deficit, on):
                outputs[g].append((lo, hi, out))
        codes.append(code)
    if power is not None:  # one stretch per block of running slots (:mod:`.genstarts`)
        for g, parts in outputs.items():
            rule = power.starts[g]
            if rule.counted:
                lit_slots = {c for (h, c), level in a.gens.items() if h == g and level > 0}
                spans = blocks(power.slots, lit_slots)
                outputs[g] = _one_stretch(gens[g], parts, spans)
    runs: list[GeneratorRun] = []
    for g, parts in outputs.items():
        gid = gens[g].id
        first, last, kw_out = parts[0]
        for a0, b0, out in parts[1:]:
            if a0 == last and out == kw_out:
                last = b0
                continue
            runs.append(GeneratorRun(gid, first, last, kw_out))
            first, last, kw_out = a0, b0, out
        runs.append(GeneratorRun(gid, first, last, kw_out))
    if any(g.timed for g in gens):  # adds nothing when the model held (a safety net)
        runs = shape_runs({g.id: g for g in gens}, runs, data.horizon)
    return runs, codes, cuts


def _one_stretch(
    g: Generator,
    parts: Sequence[tuple[int, int, float]],
    spans: Sequence[tuple[int, int]],
) -> list[tuple[int, int, float]]:
    """``parts`` ``(start, end, kW)`` of one generator, plus minimum-load parts so that
    it runs one stretch in each block ``spans`` it carries load in: from its first load
    to its last, lengthened to ``min_run_minutes`` inside the block (earlier if the
    block ends first). The model charged each block one start and its slots' running
    fuel at least at the minimum load, so this burns no more than charged."""
    out: list[tuple[int, int, float]] = []
    ordered = sorted(parts)
    for lo, hi in spans:
        inside = [p for p in ordered if lo <= p[0] < hi]
        if not inside:
            continue
        first, last = inside[0][0], max(p[1] for p in inside)
        end = max(last, min(hi, first + g.min_run_minutes))
        start = max(lo, min(first, end - g.min_run_minutes))
        at = start
        for p in inside:
            if p[0] > at:
                out.append((at, p[0], g.min_kw))
            out.append(p)
            at = max(at, p[1])
        if end > at:
            out.append((at, end, g.min_kw))
    covered = set(out)
    out += [p for p in ordered if p not in covered]  # outside every block: cannot happen
    return sorted(out)


class _Chooser:
    """Least-fuel outputs of the generators switched on, for a deficit."""

    def __init__(self, gens: Sequence[Generator]) -> None:
        self.gens = gens

    def outputs(self, deficit: float, on: dict[int, float]) -> list[tuple[int, float]]:
        """``(generator, kW)`` covering ``deficit`` with the switched-on generators."""
        ids = sorted(on)
        best: tuple[float, int, list[tuple[int, float]]] | None = None
        for n in range(1, len(ids) + 1):
            for subset in itertools.combinations(ids, n):
                if sum(on[g] for g in subset) + 1e-7 < deficit:
                    continue
                outs = {g: self.gens[g].min_kw for g in subset}
                rest = deficit - sum(outs.values())
                for g in sorted(subset, key=lambda j: (self.gens[j].fuel_b, j)):
                    if rest <= 0:
                        break
                    add = min(rest, on[g] - outs[g])
                    outs[g] += add
                    rest -= add
                litres = sum(self.gens[g].litres_per_hour(o) for g, o in outs.items())
                if best is None or (litres, n) < best[:2]:
                    best = (litres, n, sorted(outs.items()))
        if best is None:  # cannot happen when the model held; run everything flat out
            return [(g, self.gens[g].rated_kw) for g in ids]
        return best[2]


def _outcome(data: PlantInput, od: OrderData, done: int | None, optimal: bool) -> OrderOutcome:
    """The outcome of an order as ``docs/plan-rules.md`` defines it, with a short reason."""
    order = od.order
    if done is None:
        if od.reason:
            why = od.reason
        elif optimal:
            why = "left out: the plant's lines, power or fuel earn more on other orders"
        else:
            why = "not placed by the optimiser within its time limit"
        return OrderOutcome(order.id, OrderStatus.UNSCHEDULED, None, 0, 0.0, why)
    late = max(0, done - order.due)
    if late == 0:
        return OrderOutcome(order.id, OrderStatus.ON_TIME, done, 0, order.value)
    decay = data.portfolio.late_decay_per_day
    factor = max(0.0, 1 - decay * late / MINUTES_PER_DAY)
    tasks = [data.tasks[t] for t in od.tasks]
    if tasks[0].est + sum(t.work for t in tasks) > order.due:
        why = "not enough time between release and due"
    else:
        why = "lines, power or fuel before the due date went to other orders"
    return OrderOutcome(order.id, OrderStatus.LATE, done, late, order.value * factor, why)
