"""Power of a plan over time: plant load against grid + solar + generator output.

Accounted as ``docs/plan-rules.md`` says: the grid is off in the grid-off windows of
the plant's block, solar follows the local hour, generators give their run output.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ingenio.domain import Horizon, Plan, Plant, Portfolio

LIMIT_SHARE = 0.99
"""Load at or above this share of the available supply is "at the limit" (within 1 %)."""

_EPS = 1e-6


@dataclass(frozen=True)
class PowerSeries:
    """Load and available power of one plant, slot by slot.

    ``load_kw`` is the peak load in the slot; ``available_kw`` the lowest available
    supply in the slot and ``grid_kw``, ``solar_kw``, ``generator_kw`` its parts at
    that minute (so they add up to ``available_kw``). ``grid_off`` marks slots with
    a grid-off minute, ``at_limit`` slots with a minute whose load is within 1 % of
    the supply (and positive).
    """

    plant_id: str
    slot_minutes: int
    starts: tuple[int, ...]
    load_kw: tuple[float, ...]
    available_kw: tuple[float, ...]
    grid_kw: tuple[float, ...]
    solar_kw: tuple[float, ...]
    generator_kw: tuple[float, ...]
    grid_off: tuple[bool, ...]
    at_limit: tuple[bool, ...]


@dataclass(frozen=True)
class MinuteProfile:
    """Per-minute power of one plant over the horizon (index = minute from the origin)."""

    load_kw: tuple[float, ...]
    grid_kw: tuple[float, ...]
    solar_kw: tuple[float, ...]
    generator_kw: tuple[float, ...]
    grid_off: tuple[bool, ...]

    def available(self, minute: int) -> float:
        """Grid + solar + generator output at ``minute``."""
        return self.grid_kw[minute] + self.solar_kw[minute] + self.generator_kw[minute]

    def at_limit(self, minute: int) -> bool:
        """True when the load is positive and within 1 % of the available supply."""
        load = self.load_kw[minute]
        return load > _EPS and load >= LIMIT_SHARE * self.available(minute) - _EPS


@lru_cache(maxsize=8)
def local_hours(horizon: Horizon) -> tuple[int, ...]:
    """Local wall-clock hour of every minute of the horizon.

    Parameters
    ----------
    horizon : Horizon
        The planning horizon.

    Returns
    -------
    tuple of int
        ``horizon.minutes`` hours in 0..23.
    """
    return tuple(horizon.to_datetime(m).hour for m in range(horizon.minutes))


def _step_sum(length: int, spans: Iterable[tuple[int, int, float]]) -> list[float]:
    """Sum of constant values over half-open spans, per minute, clipped to ``[0, length)``."""
    diff = [0.0] * (length + 1)
    for start, end, value in spans:
        s, e = max(start, 0), min(end, length)
        if e > s:
            diff[s] += value
            diff[e] -= value
    return list(itertools.accumulate(diff[:length]))


def plant_load_spans(
    portfolio: Portfolio, plan: Plan, plant: Plant
) -> list[tuple[int, int, float]]:
    """``(start, end, power_kw)`` of every operation on the plant's lines."""
    spans: list[tuple[int, int, float]] = []
    for op in plan.operations:
        if not plant.has_line(op.line_id) or not portfolio.has("order", op.order_id):
            continue
        routing = portfolio.product(portfolio.order(op.order_id).product_id).routing
        if 0 <= op.step < len(routing):
            spans.append((op.start, op.end, routing[op.step].power_kw))
    return spans


def minute_profile(portfolio: Portfolio, plan: Plan, plant_id: str) -> MinuteProfile:
    """Per-minute load, grid, solar and generator output of a plant.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plan is for.
    plan : Plan
        The plan.
    plant_id : str
        The plant.

    Returns
    -------
    MinuteProfile
        Series of ``horizon.minutes`` values each.
    """
    plant = portfolio.plant(plant_id)
    n = portfolio.horizon.minutes
    load = _step_sum(n, plant_load_spans(portfolio, plan, plant))
    gens = {g.id for g in plant.generators}
    gen = _step_sum(
        n, ((r.start, r.end, r.output_kw) for r in plan.generator_runs if r.generator_id in gens)
    )
    off = [False] * n
    for w in portfolio.grid_off(plant_id):
        for m in range(max(w.start, 0), min(w.end, n)):
            off[m] = True
    grid = tuple(0.0 if o else plant.grid_kw for o in off)
    if plant.solar is None:
        solar: tuple[float, ...] = (0.0,) * n
    else:
        sun = plant.solar
        solar = tuple(
            sun.kw(h, not o) for h, o in zip(local_hours(portfolio.horizon), off, strict=True)
        )
    return MinuteProfile(tuple(load), grid, solar, tuple(gen), tuple(off))


def power_series(
    portfolio: Portfolio, plan: Plan, plant_id: str, profile: MinuteProfile | None = None
) -> PowerSeries:
    """Load and available power of a plant per slot of the horizon.

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plan is for.
    plan : Plan
        The plan.
    plant_id : str
        The plant.
    profile : MinuteProfile, optional
        The plant's :func:`minute_profile`, when already computed.

    Returns
    -------
    PowerSeries
        One value per slot (``horizon.slot_minutes`` long each).
    """
    prof = profile if profile is not None else minute_profile(portfolio, plan, plant_id)
    size = portfolio.horizon.slot_minutes
    starts = tuple(range(0, portfolio.horizon.minutes, size))
    load: list[float] = []
    avail: list[float] = []
    grid: list[float] = []
    solar: list[float] = []
    gen: list[float] = []
    off: list[bool] = []
    limit: list[bool] = []
    for s in starts:
        minutes = range(s, min(s + size, portfolio.horizon.minutes))
        low = min(minutes, key=prof.available)
        load.append(max(prof.load_kw[m] for m in minutes))
        avail.append(prof.available(low))
        grid.append(prof.grid_kw[low])
        solar.append(prof.solar_kw[low])
        gen.append(prof.generator_kw[low])
        off.append(any(prof.grid_off[m] for m in minutes))
        limit.append(any(prof.at_limit(m) for m in minutes))
    return PowerSeries(
        plant_id=plant_id,
        slot_minutes=size,
        starts=starts,
        load_kw=tuple(load),
        available_kw=tuple(avail),
        grid_kw=tuple(grid),
        solar_kw=tuple(solar),
        generator_kw=tuple(gen),
        grid_off=tuple(off),
        at_limit=tuple(limit),
    )


def idle_minutes_without_power(
    portfolio: Portfolio,
    plan: Plan,
    plant: Plant,
    profile: MinuteProfile,
    dry: Sequence[tuple[float, float]] = (),
) -> int:
    """Line-minutes in shift, idle, when the plant lacked the power to run the line.

    A line lacks power at a minute when grid + solar + the rated kW of the plant's
    generators, less the load already running, is below the smallest ``power_kw``
    of the steps the line can run. Generators count only with a tank and outside
    the ``dry`` spans (tank at reserve).

    Parameters
    ----------
    portfolio : Portfolio
        The portfolio the plan is for.
    plan : Plan
        The plan.
    plant : Plant
        The plant.
    profile : MinuteProfile
        The plant's :func:`minute_profile`.
    dry : sequence of (float, float)
        Spans when the generators cannot run for lack of fuel.

    Returns
    -------
    int
        Idle line-minutes, summed over the plant's lines.
    """
    n = portfolio.horizon.minutes
    cap = plant.generator_kw if plant.tank is not None else 0.0
    gen_kw = [cap] * n
    for a, b in dry:
        for m in range(max(0, math.floor(a)), min(n, math.ceil(b))):
            gen_kw[m] = 0.0
    need: dict[str, float] = {}
    for product in portfolio.products:
        for step in product.routing:
            for line_id in step.lines:
                need[line_id] = min(need.get(line_id, step.power_kw), step.power_kw)
    idle = 0
    for line in plant.lines:
        if line.id not in need:
            continue
        busy = _step_sum(
            n, ((o.start, o.end, 1.0) for o in plan.operations if o.line_id == line.id)
        )
        for w in line.shifts:
            for m in range(max(w.start, 0), min(w.end, n)):
                if busy[m] > 0:
                    continue
                head = profile.grid_kw[m] + profile.solar_kw[m] + gen_kw[m] - profile.load_kw[m]
                idle += head < need[line.id] - _EPS
    return idle
