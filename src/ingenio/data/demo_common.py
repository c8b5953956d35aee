"""Building blocks of the demo portfolio: spec types, shift calendars, gensets, solar.

Sources are cited as ``domain-facts §N`` (``/work/shared/data/domain-facts.md``); a
figure marked *plausible* is an engineering guess where the facts give none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from ingenio.domain import (
    ALWAYS,
    Enterprise,
    Generator,
    Horizon,
    Line,
    Plant,
    PriorityClass,
    Product,
    ShiftPattern,
    Solar,
    Step,
    expand_shifts,
)

MON_FRI = frozenset(range(5))
MON_SAT = frozenset(range(6))
SATURDAY = frozenset({5})


def hm(hour: int, minute: int = 0) -> int:
    """Minute of the day of ``hour:minute`` (``hm(24)`` is the end of the day)."""
    return hour * 60 + minute


def local_minute(horizon: Horizon, day: int, minute_of_day: int) -> int:
    """Horizon minute of local wall-clock ``minute_of_day`` on day ``day`` (0 = origin day)."""
    base = horizon.origin.astimezone(horizon.zone).date() + timedelta(days=day)
    midnight = datetime.combine(base, time(), tzinfo=horizon.zone)
    return horizon.to_minute(midnight + timedelta(minutes=minute_of_day))


# --- shift calendars (local wall-clock time; expanded by ``expand_shifts``) ----------
ROUND_THE_CLOCK: tuple[ShiftPattern, ...] = (ALWAYS,)
"""24/7: continuous processes (kiln, fermenters, EAF and caster, bread ovens)."""
ONE_SHIFT_MON_FRI: tuple[ShiftPattern, ...] = (ShiftPattern(MON_FRI, hm(7), hm(15)),)
TWO_SHIFTS_MON_FRI: tuple[ShiftPattern, ...] = (
    ShiftPattern(MON_FRI, hm(6), hm(14)),
    ShiftPattern(MON_FRI, hm(14), hm(22)),
)
TWO_SHIFTS_MON_SAT: tuple[ShiftPattern, ...] = (
    ShiftPattern(MON_SAT, hm(6), hm(14)),
    ShiftPattern(MON_SAT, hm(14), hm(22)),
)
THREE_SHIFTS_MON_FRI: tuple[ShiftPattern, ...] = (
    *TWO_SHIFTS_MON_FRI,
    ShiftPattern(MON_FRI, hm(22), hm(6)),
)
THREE_SHIFTS_MON_SAT: tuple[ShiftPattern, ...] = (
    *TWO_SHIFTS_MON_SAT,
    ShiftPattern(MON_SAT, hm(22), hm(6)),
)
ROLLING_ROOM: tuple[ShiftPattern, ...] = (
    ShiftPattern(MON_FRI, hm(7), hm(16)),
    ShiftPattern(SATURDAY, hm(7), hm(12)),
)
"""Cigar rolling rooms (galeras): one day shift, a short Saturday (plausible)."""


# --- diesel gensets ------------------------------------------------------------------
MIN_LOAD_FRACTION = 0.3
"""domain-facts §5: avoid running long below 30-40 % load (wet stacking)."""
FUEL_A = 0.033
"""domain-facts §5: HOMER F0 = 0.033 L/h per rated kW."""
FUEL_B_SMALL = 0.247
"""domain-facts §5: a 100 kW genset burns 28 L/h at 100 % -> (28 - 3.3) / 100."""
FUEL_B_LARGE = 0.236
"""domain-facts §5: a 1 MW genset burns 269 L/h at 100 % -> (269 - 33) / 1000."""
LARGE_GENSET_KW = 500.0
"""From this rating on a genset gets the 1 MW-class curve."""


def genset(gen_id: str, name: str, plant_id: str, rated_kw: float) -> Generator:
    """A diesel genset on the HOMER linear fuel curve of its size class."""
    fuel_b = FUEL_B_LARGE if rated_kw >= LARGE_GENSET_KW else FUEL_B_SMALL
    return Generator(gen_id, name, plant_id, rated_kw, MIN_LOAD_FRACTION, FUEL_A, fuel_b)


# --- solar ---------------------------------------------------------------------------
SOLAR_CAPACITY_FACTOR = 0.21
"""domain-facts §1: 25 parks, 2 737 MWh/day from about 545 MW -> about 21 %."""
SOLAR_NOON_HOUR = 12
SOLAR_HALF_DAY_HOURS = 6.5


def solar(kwp: float, islanding: bool = False) -> Solar:
    """A cosine day from about 06:00 to 19:00, peak in the 12:00 hour, 21 % capacity factor.

    ``islanding``: the array sits behind a hybrid inverter that keeps it running in a
    blackout; a grid-tied array (the default) trips with the grid.
    """
    shape = [
        max(0.0, math.cos(math.pi * (h - SOLAR_NOON_HOUR) / (2 * SOLAR_HALF_DAY_HOURS)))
        for h in range(24)
    ]
    scale = SOLAR_CAPACITY_FACTOR * 24 * kwp / sum(shape)
    return Solar(tuple(round(v * scale, 1) for v in shape), islanding)


# --- specs ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Demand:
    """How orders for one product are drawn.

    Quantities are multiples of ``lot`` in ``[min_qty, max_qty]``; due dates fall
    ``due_days`` (inclusive range, 1-7) after the release.
    """

    product_id: str
    weight: float
    min_qty: float
    max_qty: float
    lot: float
    due_days: tuple[int, int]
    value_per_unit: float
    priority: PriorityClass

    def __post_init__(self) -> None:
        lo, hi = self.due_days
        if not 1 <= lo <= hi <= 7:
            raise ValueError(f"demand {self.product_id}: due days must be within 1..7")
        if not 0 < self.lot <= self.min_qty <= self.max_qty:
            raise ValueError(f"demand {self.product_id}: need 0 < lot <= min_qty <= max_qty")


@dataclass(frozen=True)
class Site:
    """One plant of the demo with its enterprise, products and order profile.

    The plant comes without a tank: tanks are sized from the whole portfolio.
    """

    enterprise: Enterprise
    plant: Plant
    products: tuple[Product, ...]
    demands: tuple[Demand, ...]


def make_line(
    plant_id: str, code: str, name: str, pattern: Sequence[ShiftPattern], horizon: Horizon
) -> Line:
    """A line ``{plant_id}-{code}`` working ``pattern`` over the horizon."""
    shifts = expand_shifts(pattern, horizon)
    return Line(f"{plant_id}-{code}", name, plant_id, shifts, tuple(pattern))


def make_step(
    name: str,
    lines: Sequence[Line],
    rate_per_hour: float,
    power_kw: float,
    *,
    setup: int = 0,
    restart: int = 0,
    interruptible: bool = True,
    resources: Mapping[str, int] | None = None,
) -> Step:
    """A routing step on ``lines`` (keyword arguments mirror ``Step``)."""
    return Step(
        name=name,
        lines=tuple(ln.id for ln in lines),
        rate_per_hour=rate_per_hour,
        power_kw=power_kw,
        setup_minutes=setup,
        interruptible=interruptible,
        restart_minutes=restart,
        resources=dict(resources or {}),
    )
