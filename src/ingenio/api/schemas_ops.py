"""Wire schemas of actuals, KPIs, replans, scenario runs and acknowledgements."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

FIRST_YEAR, LAST_YEAR = 1970, 2200
"""Moments and days outside these years are refused (no plant plans that far)."""


def _sane_moment(moment: datetime) -> datetime:
    # the local year first: converting year 1 or 9999 to UTC may overflow
    if not FIRST_YEAR <= moment.year <= LAST_YEAR or not (
        FIRST_YEAR <= moment.astimezone(UTC).year <= LAST_YEAR
    ):
        raise ValueError(f"must be in the years {FIRST_YEAR} to {LAST_YEAR}")
    return moment


def _sane_day(day: date) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"must be in the years {FIRST_YEAR} to {LAST_YEAR}")
    return day


Moment = Annotated[AwareDatetime, AfterValidator(_sane_moment)]
"""A moment with its offset (``2026-04-06T10:00:00-04:00``), years 1970 to 2200."""

Day = Annotated[date, AfterValidator(_sane_day)]
"""A day (``2026-04-06``), years 1970 to 2200."""

Id = Annotated[str, Field(min_length=1, max_length=200)]
Amount = Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)]
Note = Annotated[str, Field(max_length=1000)]
MAX_RECORDS = 5000
"""Records of one kind in one request."""

Cause = Literal[
    "grid_outage",
    "generator_failure",
    "no_fuel",
    "breakdown",
    "no_material",
    "no_labour",
    "planned_stop",
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProductionIn(_In):
    """Units a line made during ``[start, end)``."""

    line: Id
    product: Id
    order: Id | None = None
    good_qty: Amount
    scrap_qty: Amount = 0.0
    start: Moment
    end: Moment


class DowntimeIn(_In):
    """A line standing still during ``[start, end)``, and why."""

    line: Id
    cause: Cause
    start: Moment
    end: Moment
    note: Note = ""


class FuelReceiptIn(_In):
    """Diesel received into a plant's tank (or a depot: whole-portfolio roles)."""

    site: Id
    litres: Amount
    at: Moment
    note: Note = ""


class FuelDrawIn(_In):
    """Diesel a generator drew from its tank."""

    generator: Id
    litres: Amount
    at: Moment


class ActualsIn(_In):
    """What happened, any kinds together; stored in one transaction, or not at all."""

    production: list[ProductionIn] = Field([], max_length=MAX_RECORDS)
    downtime: list[DowntimeIn] = Field([], max_length=MAX_RECORDS)
    fuel_receipts: list[FuelReceiptIn] = Field([], max_length=MAX_RECORDS)
    fuel_draws: list[FuelDrawIn] = Field([], max_length=MAX_RECORDS)


class ActualsRecorded(BaseModel):
    """New records per kind (0 for a record already stored), received, and warnings."""

    new: dict[str, int]
    received: dict[str, int]
    warnings: list[str]


class ProductionPublic(BaseModel):
    """A stored production record."""

    line: str
    product: str
    order: str | None
    good_qty: float
    scrap_qty: float
    start: datetime
    end: datetime


class DowntimePublic(BaseModel):
    """A stored downtime event."""

    line: str
    cause: str
    start: datetime
    end: datetime
    note: str


class FuelReceiptPublic(BaseModel):
    """A stored fuel receipt."""

    site: str
    litres: float
    at: datetime
    note: str


class FuelDrawPublic(BaseModel):
    """A stored fuel draw."""

    generator: str
    litres: float
    at: datetime


class MeterReadingPublic(BaseModel):
    """A stored meter reading."""

    line: str
    at: datetime
    kw: float
    kwh: float


class ActualsPublic(BaseModel):
    """The records of the caller's plants over a period."""

    production: list[ProductionPublic]
    downtime: list[DowntimePublic]
    fuel_receipts: list[FuelReceiptPublic]
    fuel_draws: list[FuelDrawPublic]
    meter_readings: list[MeterReadingPublic]


class KpiPublic(BaseModel):
    """OEE and its losses, energy and fuel per unit, adherence, per line, plant, enterprise.

    ``rows``: one per bucket (``bucket`` its label) and one for the period (``bucket``
    null), each with ``level``, ``key``, ``name``, the ratios (``availability``,
    ``performance``, ``quality``, ``oee``; null when undefined), ``kwh_per_unit``,
    ``litres_per_unit``, the sums (hours, units, kWh, litres, value) and ``losses_h``.
    """

    start: str
    end: str
    by: str
    rows: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    downtime: list[dict[str, Any]]
    notes: list[str]


class ReplanIn(_In):
    """Replan one plant of a plan from ``at`` (an unannounced outage, or what happened)."""

    plant: Id
    at: Moment
    reason: Annotated[str, Field(max_length=500)] = ""
    outage_start: Moment | None = None
    outage_end: Moment | None = None
    planner: Literal["optimise", "dispatch"] = "dispatch"
    time_limit_s: Annotated[float, Field(gt=0, le=600, allow_inf_nan=False)] = 20.0
    frozen_hours: Annotated[float, Field(ge=0, le=168, allow_inf_nan=False)] = 2.0


class ScenariosIn(_In):
    """A Monte Carlo run: sampled outages and tanker arrivals, every sample planned."""

    samples: Annotated[int, Field(ge=1, le=2000)] = 100
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    planner: Literal["optimise", "dispatch"] = "dispatch"


class AckPublic(BaseModel):
    """A plant manager's acknowledgement of a published plan."""

    plan_id: int
    user: str
    plants: list[str]
    at: datetime


class SuggestionPublic(BaseModel):
    """A replan suggestion raised by a metered grid loss outside the announced outages."""

    id: int
    plant: str
    status: Literal["open", "accepted", "dismissed"]
    outage_start: datetime
    outage_end: datetime | None
    """None while the grid is still off (the preview assumes a length)."""
    detected_at: datetime
    evidence: str
    preview: str
    """The plan's grid-powered operations the loss hits, in words."""
    orders: list[str]
    operations: list[dict[str, Any]]
    """``{"order", "line", "minutes"}`` of each operation hit."""
    decided_by: str | None
    plan_id: int | None
    """The draft the acceptance made."""


class SuggestionDismissIn(_In):
    """Why a suggestion is dismissed (kept in the audit log)."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class SuggestionAccepted(BaseModel):
    """An accepted suggestion and the draft its replan made."""

    suggestion: SuggestionPublic
    plan_id: int
    version: int
    value_before: float
    value_after: float
    late_before: int
    late_after: int
    """Orders late or unscheduled before and after the replan."""
    moves: int
