"""Actuals: what really happened on the shop floor, as plain validated records.

Actuals outlive a planning horizon (a plan covers days, a year of records is
read against many plans), so their times are **aware datetimes normalised to
UTC**, not minutes from a portfolio origin. Naive datetimes are refused: the
edges (``io``, ``cli``) attach the portfolio's zone before building a record.
Use :meth:`ingenio.domain.Horizon.to_minute` to place an actual inside a plan.

Every record checks itself on construction and raises
:class:`ingenio.domain.DomainError` listing every problem, each
:class:`~ingenio.domain.Issue` naming the field (``path``) at fault, so an
importer can report the column of a bad spreadsheet cell.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from ingenio.domain.errors import DomainError, Issue


class DowntimeCause(StrEnum):
    """Why a line stood still."""

    GRID_OUTAGE = "grid_outage"
    GENERATOR_FAILURE = "generator_failure"
    NO_FUEL = "no_fuel"
    BREAKDOWN = "breakdown"
    NO_MATERIAL = "no_material"
    NO_LABOUR = "no_labour"
    PLANNED_STOP = "planned_stop"


def _check_moment(issues: list[Issue], name: str, value: object) -> datetime | None:
    """Return ``value`` in UTC, or record an issue when it is not an aware datetime."""
    if not isinstance(value, datetime):
        issues.append(Issue(name, "must be a date and time", value))
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        issues.append(Issue(name, "must carry a time zone or an offset", value.isoformat()))
        return None
    return value.astimezone(UTC)


def _check_amount(issues: list[Issue], name: str, value: object) -> None:
    """Record an issue unless ``value`` is a finite, non-negative number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        issues.append(Issue(name, "must be a number", value))
    elif not math.isfinite(value) or value < 0:
        issues.append(Issue(name, "must be a non-negative number", value))


def _check_id(issues: list[Issue], name: str, value: object) -> None:
    """Record an issue unless ``value`` is a non-blank string."""
    if not isinstance(value, str) or not value.strip():
        issues.append(Issue(name, "must not be empty", value))


def _check_period(issues: list[Issue], obj: ProductionRecord | DowntimeEvent) -> None:
    """Normalise ``obj.start``/``obj.end`` to UTC and require ``end > start``."""
    start = _check_moment(issues, "start", obj.start)
    end = _check_moment(issues, "end", obj.end)
    if start is not None:
        object.__setattr__(obj, "start", start)
    if end is not None:
        object.__setattr__(obj, "end", end)
    if start is not None and end is not None and end <= start:
        issues.append(Issue("end", "must be after the start", end.isoformat()))


def _raise(issues: list[Issue], what: str) -> None:
    """Raise every issue found at once, if any."""
    if issues:
        raise DomainError(issues, source=what)


@dataclass(frozen=True)
class ProductionRecord:
    """Units a line made for a product (and optionally an order) during ``[start, end)``.

    Parameters
    ----------
    line_id, product_id
        The line that ran and the product it made.
    order_id
        The order the output counts towards, or ``None`` for stock production.
    good_qty, scrap_qty
        Good units and scrapped units, both ``>= 0``.
    start, end
        Aware datetimes, stored in UTC; ``end > start``.
    """

    line_id: str
    product_id: str
    order_id: str | None
    good_qty: float
    scrap_qty: float
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        issues: list[Issue] = []
        _check_id(issues, "line_id", self.line_id)
        _check_id(issues, "product_id", self.product_id)
        if self.order_id is not None:
            _check_id(issues, "order_id", self.order_id)
        _check_amount(issues, "good_qty", self.good_qty)
        _check_amount(issues, "scrap_qty", self.scrap_qty)
        _check_period(issues, self)
        _raise(issues, "production record")

    @property
    def total_qty(self) -> float:
        """Good plus scrapped units."""
        return self.good_qty + self.scrap_qty

    @property
    def minutes(self) -> float:
        """Length of the run in minutes."""
        return (self.end - self.start).total_seconds() / 60


@dataclass(frozen=True)
class DowntimeEvent:
    """A line standing still during ``[start, end)`` for a ``cause``.

    Parameters
    ----------
    line_id
        The line that stopped.
    cause
        Why; a :class:`DowntimeCause` (its string value is accepted too).
    start, end
        Aware datetimes, stored in UTC; ``end > start``.
    note
        Free text from the plant ("breaker B3 tripped").
    """

    line_id: str
    cause: DowntimeCause
    start: datetime
    end: datetime
    note: str = ""

    def __post_init__(self) -> None:
        issues: list[Issue] = []
        _check_id(issues, "line_id", self.line_id)
        try:
            object.__setattr__(self, "cause", DowntimeCause(self.cause))
        except ValueError:
            issues.append(Issue("cause", "unknown cause", self.cause))
        _check_period(issues, self)
        _raise(issues, "downtime event")

    @property
    def minutes(self) -> float:
        """Length of the stop in minutes."""
        return (self.end - self.start).total_seconds() / 60


@dataclass(frozen=True)
class FuelReceipt:
    """Litres of diesel received into a plant's tank or a depot at ``at``."""

    plant_or_depot_id: str
    litres: float
    at: datetime
    note: str = ""

    def __post_init__(self) -> None:
        issues: list[Issue] = []
        _check_id(issues, "plant_or_depot_id", self.plant_or_depot_id)
        _check_amount(issues, "litres", self.litres)
        at = _check_moment(issues, "at", self.at)
        if at is not None:
            object.__setattr__(self, "at", at)
        _raise(issues, "fuel receipt")


@dataclass(frozen=True)
class FuelDraw:
    """Litres drawn from the tank by a generator, as logged at ``at``."""

    generator_id: str
    litres: float
    at: datetime

    def __post_init__(self) -> None:
        issues: list[Issue] = []
        _check_id(issues, "generator_id", self.generator_id)
        _check_amount(issues, "litres", self.litres)
        at = _check_moment(issues, "at", self.at)
        if at is not None:
            object.__setattr__(self, "at", at)
        _raise(issues, "fuel draw")


@dataclass(frozen=True)
class MeterReading:
    """A line's power meter at ``at``.

    Parameters
    ----------
    line_id
        The metered line.
    at
        Aware datetime of the reading, stored in UTC.
    kw
        Instantaneous (or interval-average) demand, ``>= 0``.
    kwh
        The meter's cumulative energy register, ``>= 0``. Energy used over a
        period is the rise of the register (see :func:`energy_kwh`).
    """

    line_id: str
    at: datetime
    kw: float
    kwh: float

    def __post_init__(self) -> None:
        issues: list[Issue] = []
        _check_id(issues, "line_id", self.line_id)
        at = _check_moment(issues, "at", self.at)
        if at is not None:
            object.__setattr__(self, "at", at)
        _check_amount(issues, "kw", self.kw)
        _check_amount(issues, "kwh", self.kwh)
        _raise(issues, "meter reading")


def energy_kwh(readings: Iterable[MeterReading]) -> float:
    """Energy used by one meter between its first and last reading.

    The sum of the register's rises between consecutive readings (sorted by
    time). A fall is taken as a meter reset or replacement: the energy of that
    step is the new register value.

    Parameters
    ----------
    readings
        Readings of a single line.

    Returns
    -------
    float
        kWh consumed.
    """
    ordered = sorted(readings, key=lambda r: r.at)
    total = 0.0
    for before, after in itertools.pairwise(ordered):
        step = after.kwh - before.kwh
        total += step if step >= 0 else after.kwh
    return total


@dataclass(frozen=True)
class ActualsBatch:
    """Actuals of every kind read together (from one file or one API call)."""

    production: tuple[ProductionRecord, ...] = ()
    downtime: tuple[DowntimeEvent, ...] = ()
    fuel_receipts: tuple[FuelReceipt, ...] = ()
    fuel_draws: tuple[FuelDraw, ...] = ()
    meter_readings: tuple[MeterReading, ...] = ()
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    """Per kind, the name of the sheet or file it was read from (for import keys)."""

    def counts(self) -> dict[str, int]:
        """Number of records per kind, keyed by the field names."""
        return {
            "production": len(self.production),
            "downtime": len(self.downtime),
            "fuel_receipts": len(self.fuel_receipts),
            "fuel_draws": len(self.fuel_draws),
            "meter_readings": len(self.meter_readings),
        }

    @property
    def empty(self) -> bool:
        """True when the batch holds no record at all."""
        return not any(self.counts().values())
