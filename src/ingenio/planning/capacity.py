"""Minute-level supply and capacity of a plant, and the earliest times of each order.

Shared by :mod:`ingenio.planning.portfolio` (the LP and its upper bound) and
:mod:`ingenio.planning.explain` (the reasons of late orders). Everything here is a
*relaxation* of ``docs/plan-rules.md``: a minute counted as usable may still be
unusable in a real plan (another order holds the line, the fuel has run out), but a
minute counted as unusable is unusable in every valid plan. That is what makes the
LP built on it an upper bound.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from ingenio.domain import MINUTES_PER_HOUR, Order, Plant, Portfolio, Step

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

WORK_SLACK = 3e-6
"""Relative slack on processing minutes: the validator accepts pieces and quantities
1e-6 short (relative), so a valid plan may hold a step for ``(1 - 2e-6)`` of its minutes."""

TOL = 1e-6


def fuel_possible(portfolio: Portfolio, plant: Plant) -> bool:
    """True when the plant's generators could ever burn fuel in a valid plan.

    A generator needs a tank, and fuel above the reserve: stock above it, a delivery
    straight to the plant, or a depot with stock or deliveries to truck from.
    """
    if plant.tank is None or not plant.generators:
        return False
    if plant.tank.stock_l > plant.tank.reserve_l + TOL or portfolio.deliveries_to(plant.id):
        return True
    return any(d.stock_l > 0 or portfolio.deliveries_to(d.id) for d in portfolio.depots)


@dataclass(eq=False)
class PlantMinutes:
    """Per-minute supply and shifts of one plant (index = minute from the origin).

    Attributes
    ----------
    plant
        The plant.
    grid_on
        True in minutes outside the grid-off windows of the plant's block.
    solar_kw
        ``profile_kw`` at the local hour of each minute (0 without solar, and 0 in
        grid-off minutes when the array cannot island).
    generator_kw
        Rated kW of the plant's generators when :func:`fuel_possible`, else 0.
    shift
        Per line id: True in the minutes inside the line's shift windows.
    """

    plant: Plant
    grid_on: BoolArray
    solar_kw: FloatArray
    generator_kw: float
    shift: Mapping[str, BoolArray]
    battery_kw: float = 0.0
    """Sum of the ``power_kw`` of the plant's batteries (what they could ever give)."""
    _able: dict[float, BoolArray] = field(default_factory=dict, repr=False)
    _cum: dict[tuple[str, float, int], IntArray] = field(default_factory=dict, repr=False)

    @property
    def minutes(self) -> int:
        """Length of the horizon in minutes."""
        return len(self.grid_on)

    @cached_property
    def supply_kw(self) -> FloatArray:
        """Most power the plant can have in each minute: grid + solar + generators +
        batteries."""
        grid = np.where(self.grid_on, self.plant.grid_kw, 0.0)
        out: FloatArray = grid + self.solar_kw + self.generator_kw + self.battery_kw
        return out

    @cached_property
    def base_kw(self) -> FloatArray:
        """Power that needs no fuel in each minute: grid + solar."""
        out: FloatArray = np.where(self.grid_on, self.plant.grid_kw, 0.0) + self.solar_kw
        return out

    def able(self, power_kw: float) -> BoolArray:
        """Minutes in which a step drawing ``power_kw`` can run at all (on its own)."""
        key = float(power_kw)
        if key not in self._able:
            self._able[key] = self.supply_kw >= key - TOL
        return self._able[key]

    def usable(self, line_id: str, power_kw: float, min_run: int = 1) -> BoolArray:
        """Minutes in which the line is in shift and the plant can carry the step,
        in unbroken stretches of at least ``min_run`` minutes (an uninterruptible
        step can use no shorter stretch)."""
        mask: BoolArray = self.shift[line_id] & self.able(power_kw)
        return mask if min_run <= 1 else long_runs(mask, min_run)

    def cumulative(self, line_id: str, power_kw: float, min_run: int = 1) -> IntArray:
        """``c[m]`` = usable minutes of the line in ``[0, m)`` (length ``minutes + 1``)."""
        key = (line_id, float(power_kw), max(1, min_run))
        if key not in self._cum:
            c = np.zeros(self.minutes + 1, dtype=np.int64)
            np.cumsum(self.usable(line_id, power_kw, min_run), out=c[1:])
            self._cum[key] = c
        return self._cum[key]

    def usable_minutes(
        self, line_id: str, power_kw: float, start: int, end: int, min_run: int = 1
    ) -> int:
        """Usable minutes of the line for the step in ``[start, end)`` (clipped)."""
        start, end = max(0, start), min(self.minutes, end)
        if end <= start:
            return 0
        c = self.cumulative(line_id, power_kw, min_run)
        return int(c[end] - c[start])


def long_runs(mask: BoolArray, length: int) -> BoolArray:
    """``mask`` with its runs of True shorter than ``length`` set to False."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    out = np.zeros_like(mask)
    for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        if b - a >= length:
            out[a:b] = True
    return out


def solar_by_minute(portfolio: Portfolio, plant: Plant) -> FloatArray:
    """The plant's solar kW in every minute of the horizon, by local hour."""
    h = portfolio.horizon
    out = np.zeros(h.minutes)
    if plant.solar is None:
        return out
    m = 0
    while m < h.minutes:
        local = h.to_datetime(m)
        nxt = m + MINUTES_PER_HOUR - local.minute
        out[m : min(nxt, h.minutes)] = plant.solar.profile_kw[local.hour]
        m = nxt
    return out


def plant_minutes(portfolio: Portfolio, plant_id: str) -> PlantMinutes:
    """Build the :class:`PlantMinutes` of ``plant_id``."""
    plant = portfolio.plant(plant_id)
    n = portfolio.horizon.minutes
    grid_on = np.ones(n, dtype=np.bool_)
    for w in portfolio.grid_off(plant_id):
        grid_on[max(0, w.start) : max(0, min(n, w.end))] = False
    shift: dict[str, BoolArray] = {}
    for line in plant.lines:
        mask = np.zeros(n, dtype=np.bool_)
        for w in line.shifts:
            mask[max(0, w.start) : max(0, min(n, w.end))] = True
        shift[line.id] = mask
    gen = plant.generator_kw if fuel_possible(portfolio, plant) else 0.0
    solar = solar_by_minute(portfolio, plant)
    if plant.solar is not None and not plant.solar.islanding:
        solar[~grid_on] = 0.0
    battery = sum(b.power_kw for b in plant.batteries)
    return PlantMinutes(plant, grid_on, solar, gen, shift, battery)


def step_work(step: Step, quantity: float) -> float:
    """Least line-minutes a valid plan spends on ``step`` for ``quantity`` units.

    Setups may be waived (same family) and restarts are ignored, so only the
    processing time counts, less the validator's tolerance.
    """
    return quantity / step.rate_per_hour * MINUTES_PER_HOUR * (1 - WORK_SLACK)


def min_run(step: Step, quantity: float) -> int:
    """Shortest unbroken stretch the step can use: its whole length if uninterruptible."""
    return 1 if step.interruptible else max(1, math.ceil(step_work(step, quantity) - TOL))


def shortest_step(step: Step, quantity: float) -> float:
    """Least minutes from the first start to the last end of a step.

    An interruptible step may run in pieces on all its eligible lines at once; an
    uninterruptible one is one piece on one line.
    """
    work = step_work(step, quantity)
    if step.interruptible:
        return work / len(set(step.lines))
    return float(math.ceil(work - TOL))


def earliest_finish(minutes: PlantMinutes, step: Step, quantity: float, ready: int) -> int | None:
    """Earliest end of ``step`` started no earlier than ``ready``, or None past the horizon.

    Counts only minutes when an eligible line is in shift and the plant could carry
    the step's power (other orders and fuel are ignored), summed over the lines for
    an interruptible step, contiguous on one line for an uninterruptible one.
    """
    need = step_work(step, quantity)
    ready = max(0, ready)
    n = minutes.minutes
    if ready >= n:
        return None
    lines = tuple(dict.fromkeys(step.lines))
    if step.interruptible:
        total = np.zeros(n + 1, dtype=np.int64)
        for ln in lines:
            total += minutes.cumulative(ln, step.power_kw)
        reach = total[ready:] - total[ready]
        i = int(np.searchsorted(reach, need - TOL))
        return ready + i if i < len(reach) else None
    length = math.ceil(need - TOL)
    best: int | None = None
    for ln in lines:
        mask = minutes.usable(ln, step.power_kw)[ready:].astype(np.int8)
        edges = np.flatnonzero(np.diff(np.concatenate(([0], mask, [0]))))
        for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
            if b - a >= length:
                end = ready + a + length
                best = end if best is None else min(best, end)
                break
    return best


@dataclass(frozen=True)
class StepWindow:
    """When one step of an order can run at the earliest, and what it needs.

    ``work`` is the least line-minutes (:func:`step_work`); ``start`` the earliest
    start (release, predecessors and earlier steps); ``finish`` its earliest end
    (None: not within the horizon); ``tail`` the least minutes from its end to the
    order's completion (the later steps, :func:`shortest_step`).
    """

    step: Step
    work: float
    start: int
    finish: int | None
    tail: float


@dataclass(frozen=True)
class OrderWindow:
    """The earliest an order can be done, step by step; ``completion`` None = never."""

    order: Order
    plant_id: str
    steps: tuple[StepWindow, ...]

    @property
    def completion(self) -> int | None:
        """Earliest completion (end of the last step), None when past the horizon."""
        return self.steps[-1].finish

    @property
    def least_lateness(self) -> int | None:
        """Least lateness in minutes, None when the order cannot be done at all."""
        done = self.completion
        return None if done is None else max(0, done - self.order.due)


def order_windows(
    portfolio: Portfolio, minutes: Mapping[str, PlantMinutes]
) -> dict[str, OrderWindow]:
    """Earliest times of every order (predecessors first), keyed by order id."""
    out: dict[str, OrderWindow] = {}

    def visit(order: Order) -> OrderWindow:
        if order.id in out:
            return out[order.id]
        ready: int | None = max(0, order.release)
        for pred in order.predecessors:
            done = visit(portfolio.order(pred)).completion
            if done is not None:
                done += portfolio.link_gap(order, pred)
            ready = None if done is None or ready is None else max(ready, done)
        plant = portfolio.product_plant(order.product_id)
        routing = portfolio.product(order.product_id).routing
        shortest = [shortest_step(s, order.quantity) for s in routing]
        steps: list[StepWindow] = []
        for k, step in enumerate(routing):
            start = ready
            finish = None
            if start is not None:
                finish = earliest_finish(minutes[plant.id], step, order.quantity, start)
            work = step_work(step, order.quantity)
            tail = sum(shortest[k + 1 :])
            steps.append(StepWindow(step, work, -1 if start is None else start, finish, tail))
            ready = finish
        out[order.id] = OrderWindow(order, plant.id, tuple(steps))
        return out[order.id]

    for order in portfolio.orders:
        visit(order)
    return out


def cut_points(
    portfolio: Portfolio,
    plant_id: str,
    mandatory: Sequence[int],
    optional: Sequence[int],
    limit: int,
    grid_edges: bool = True,
) -> tuple[int, ...]:
    """Bucket edges of one plant: day starts, grid-off edges (unless not ``grid_edges``),
    deliveries and ``mandatory``; then ``optional`` edges (due dates, releases), in the
    order given, up to ``limit``. Any edges give a valid relaxation; more edges, a
    tighter one."""
    n = portfolio.horizon.minutes
    must = {0, n, *range(0, n, 24 * MINUTES_PER_HOUR), *mandatory}
    if grid_edges:
        for w in portfolio.grid_off(plant_id):
            must.update((w.start, w.end))
    must.update(d.expected for d in portfolio.deliveries_to(plant_id))
    must = {m for m in must if 0 <= m <= n}
    for m in optional:
        if len(must) >= limit:
            break
        if 0 < m < n:
            must.add(m)
    return tuple(sorted(must))
