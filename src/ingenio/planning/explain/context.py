"""What the explanations read from a plan: per-minute load, line use, fuel, free time.

Private helper of :mod:`ingenio.planning.explain`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ingenio.domain import N_, Operation, Order, Plan, Portfolio, PriorityClass, Said, said
from ingenio.planning.capacity import (
    BoolArray,
    FloatArray,
    OrderWindow,
    PlantMinutes,
    order_windows,
    plant_minutes,
)
from ingenio.planning.summary import battery_empty, first_at_or_below, tank_levels

NEAR = 0.01
"""A tank within 1 % of its usable size (at least 1 L) above the reserve is at the reserve."""


@dataclass
class Context:
    """What every explanation reads: minutes per plant, order windows, the plan by line."""

    portfolio: Portfolio
    plan: Plan
    minutes: Mapping[str, PlantMinutes]
    windows: Mapping[str, OrderWindow]
    by_line: Mapping[str, Sequence[Operation]]
    done: Mapping[str, int]
    step_ends: Mapping[str, Mapping[int, int]]
    load: Mapping[str, FloatArray]
    by_order: Mapping[str, Sequence[Operation]] = field(default_factory=dict)
    free_units: dict[str, FloatArray] = field(default_factory=dict)
    """Per resource, units over the horizon not held by any operation (filled on use)."""

    def resource_room(self, order: Order, rid: str, a: int, b: int) -> FloatArray:
        """Units of ``rid`` not held by other orders' operations over ``[a, b)``."""
        if rid not in self.free_units:
            # Once per resource: its capacity over time less what every operation holds.
            n = self.portfolio.horizon.minutes
            res = self.portfolio.resource(rid)
            room = np.full(n, float(res.capacity))
            for at, units in sorted(res.changes):
                room[max(0, at) :] = units
            for ops in self.by_order.values():
                for op in ops:
                    held = self._held(op, rid)
                    if held:
                        room[max(0, op.start) : min(n, op.end)] -= held
            self.free_units[rid] = room
        room = self.free_units[rid][a:b].copy()
        for op in self.by_order.get(order.id, ()):  # the order's own hold is room for it
            if op.end > a and op.start < b:
                room[max(a, op.start) - a : min(b, op.end) - a] += self._held(op, rid)
        return room

    def _held(self, op: Operation, rid: str) -> int:
        """Units of ``rid`` that operation ``op`` holds."""
        product = self.portfolio.product(self.portfolio.order(op.order_id).product_id)
        return product.routing[op.step].resources.get(rid, 0)

    def own_load(self, order: Order, plant_id: str, a: int, b: int) -> FloatArray:
        """Plant load (kW) of ``order``'s own operations over ``[a, b)``."""
        out = np.zeros(max(0, b - a))
        routing = self.portfolio.product(order.product_id).routing
        for op in self.by_order.get(order.id, ()):
            lo, hi = max(a, op.start) - a, min(b, op.end) - a
            if hi > lo:
                out[lo:hi] += routing[op.step].power_kw
        return out

    def when(self, minute: int) -> str:
        """``2026-04-10 14:00`` local time."""
        return f"{self.portfolio.horizon.to_datetime(minute):%Y-%m-%d %H:%M}"

    def day(self, minute: int) -> Said:
        """``day 4 (2026-04-09)``: the horizon day (from 1) and its local date."""
        h = self.portfolio.horizon
        first = h.to_datetime(0).date()
        local = h.to_datetime(minute).date()
        return said(
            N_("day %(day)s (%(date)s)"), day=(local - first).days + 1, date=f"{local:%Y-%m-%d}"
        )

    def lines(self, ids: Sequence[str]) -> Said:
        """``line R2 has`` / ``lines R1, R2 have``."""
        ids = list(dict.fromkeys(ids))
        if len(ids) == 1:
            return said(N_("line %(line)s has"), line=ids[0])
        return said(N_("lines %(lines)s have"), lines=", ".join(ids))


def context(portfolio: Portfolio, plan: Plan) -> Context:
    minutes = {p.id: plant_minutes(portfolio, p.id) for p in portfolio.plants}
    n = portfolio.horizon.minutes
    by_line: dict[str, list[Operation]] = defaultdict(list)
    by_order: dict[str, list[Operation]] = defaultdict(list)
    ends: dict[str, dict[int, int]] = defaultdict(dict)
    load = {p.id: np.zeros(n) for p in portfolio.plants}
    for op in plan.operations:
        if not (portfolio.has("order", op.order_id) and portfolio.has("line", op.line_id)):
            continue
        by_line[op.line_id].append(op)
        by_order[op.order_id].append(op)
        ends[op.order_id][op.step] = max(ends[op.order_id].get(op.step, op.end), op.end)
        routing = portfolio.product(portfolio.order(op.order_id).product_id).routing
        if 0 <= op.step < len(routing):
            kw = routing[op.step].power_kw
            load[portfolio.line(op.line_id).plant_id][max(0, op.start) : min(n, op.end)] += kw
    done = {oid: by_step[max(by_step)] for oid, by_step in ends.items()}
    windows = order_windows(portfolio, minutes)
    return Context(portfolio, plan, minutes, windows, by_line, done, ends, load, by_order)


def fuel_exhausted(ctx: Context, plant_id: str, before: int) -> int | None:
    """First minute before ``before`` at which the plant's tank is at its reserve."""
    plant = ctx.portfolio.plant(plant_id)
    if plant.tank is None or not plant.generators:
        return None
    tank = plant.tank
    at_reserve = tank.reserve_l + max(1.0, NEAR * (tank.capacity_l - tank.reserve_l))
    first, _ = first_at_or_below(tank_levels(ctx.portfolio, ctx.plan, plant_id), at_reserve)
    return first if first is not None and first < before else None


def battery_empty_before(ctx: Context, plant_id: str, a: int, b: int) -> tuple[str, int] | None:
    """The first battery of the plant that reaches its floor in ``[a, b]``, and when."""
    hits = [
        (t, bat.id)
        for bat in ctx.portfolio.plant(plant_id).batteries
        for t in battery_empty(ctx.portfolio, ctx.plan, bat.id)
        if a <= t <= b
    ]
    return (min(hits)[1], min(hits)[0]) if hits else None


def masks(ctx: Context, order: Order, line_id: str, a: int, b: int) -> tuple[BoolArray, ...]:
    """Over ``[a, b)`` on one line: busy with another order, busy with an essential one."""
    busy = np.zeros(b - a, dtype=np.bool_)
    essential = np.zeros(b - a, dtype=np.bool_)
    for op in ctx.by_line.get(line_id, ()):
        if op.order_id == order.id or op.end <= a or op.start >= b:
            continue
        lo, hi = max(a, op.start) - a, min(b, op.end) - a
        busy[lo:hi] = True
        if ctx.portfolio.order(op.order_id).priority is PriorityClass.ESSENTIAL:
            essential[lo:hi] = True
    return busy, essential


def gaps(mask: BoolArray) -> list[int]:
    """Lengths of the runs of True."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return [int(x) for x in edges[1::2] - edges[::2]]


def longest_run(mask: BoolArray) -> int:
    """Longest run of True (0 when none)."""
    return max(gaps(mask), default=0)


@dataclass
class Stats:
    """Minutes of one step's lines in a window: in shift, with power the plant could
    have, idle, idle with grid/solar headroom, idle with the shared resources, both;
    idle with the shared resources and power from grid, solar and the generators at
    rated output beside the plan's other load (``idle_generated``, its longest run
    ``generated_run``)."""

    shift: int = 0
    power: int = 0
    idle: int = 0
    idle_power: int = 0
    idle_resources: int = 0
    free: int = 0
    idle_generated: int = 0
    generated_run: int = 0
    busy: int = 0
    essential: int = 0
    until: int = 0
    gaps: list[int] = field(default_factory=list)
    others: set[str] = field(default_factory=set)


def stats(ctx: Context, window: OrderWindow, k: int, a: int, b: int) -> Stats:
    """Count the minutes of step ``k``'s lines in ``[a, b)`` (see :class:`_Stats`)."""
    order, sw = window.order, window.steps[k]
    pm = ctx.minutes[window.plant_id]
    n = ctx.portfolio.horizon.minutes
    a = min(max(0, a), n)
    b = min(max(a, b), n)
    load = ctx.load[window.plant_id][a:b] - ctx.own_load(order, window.plant_id, a, b)
    headroom = pm.base_kw[a:b] - load >= sw.step.power_kw - 1e-6
    plant = ctx.portfolio.plant(window.plant_id)
    rated = sum(g.rated_kw for g in plant.generators) if plant.tank is not None else 0.0
    generated = pm.base_kw[a:b] + rated - load >= sw.step.power_kw - 1e-6
    room = np.ones(b - a, dtype=np.bool_)
    for rid, units in sw.step.resources.items():
        room &= ctx.resource_room(order, rid, a, b) >= units
    st = Stats(until=a)
    for ln in dict.fromkeys(sw.step.lines):
        on = pm.shift[ln][a:b]
        busy, ess = masks(ctx, order, ln, a, b)
        idle = on & ~busy
        st.shift += int(np.count_nonzero(on))
        st.power += int(np.count_nonzero(on & pm.able(sw.step.power_kw)[a:b]))
        st.idle += int(np.count_nonzero(idle))
        st.idle_power += int(np.count_nonzero(idle & headroom))
        st.idle_resources += int(np.count_nonzero(idle & room))
        st.free += int(np.count_nonzero(idle & headroom & room))
        st.idle_generated += int(np.count_nonzero(idle & generated & room))
        st.generated_run = max(st.generated_run, longest_run(idle & generated & room))
        st.busy += int(np.count_nonzero(on & busy))
        st.essential += int(np.count_nonzero(on & ess))
        if np.any(ess):
            st.until = max(st.until, a + int(np.flatnonzero(ess)[-1]) + 1)
        st.gaps += gaps(idle & headroom & room)
        st.others |= {
            op.order_id
            for op in ctx.by_line.get(ln, ())
            if op.order_id != order.id and op.start < b and a < op.end
        }
    return st
