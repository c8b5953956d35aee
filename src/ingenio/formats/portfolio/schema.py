"""Pydantic models of the portfolio file, format version 1 (see ``docs/formats.md``).

The models check shape, types and single-field ranges. Checks that need more
than one field or the whole document (references, windows, the horizon) live
in ``io.portfolio_checks``. Validation is strict: a number written as text, a
``yes`` for ``true`` or an unknown field is an error, never guessed at.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from ingenio.domain import MINUTES_PER_DAY, N_

FORMAT_VERSION = 1
DEFAULT_TIMEZONE = "America/Havana"
MAX_DAYS = 366
"""Longest horizon a file may ask for (it bounds the work of expanding shifts)."""
MIN_YEAR, MAX_YEAR = 1900, 2999

_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
_LOCAL = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$"
)


def _local_datetime(value: object) -> datetime:
    """Accept ``YYYY-MM-DDTHH:MM`` text (seconds and an offset optional) or a date."""
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        raise PydanticCustomError(
            "local_datetime", N_("expected a local date-time like 2026-04-06T06:00")
        )
    if moment.second or moment.microsecond:
        raise PydanticCustomError("whole_minute", N_("must be a whole minute (no seconds)"))
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise PydanticCustomError("year", f"must be in the years {MIN_YEAR} to {MAX_YEAR}")
    return moment


def _clock(value: str) -> str:
    """Check ``HH:MM`` (00:00 to 23:59)."""
    parts = value.split(":")
    ok = len(value) == 5 and len(parts) == 2 and all(p.isdigit() for p in parts)
    if not ok or int(parts[0]) > 23 or int(parts[1]) > 59:
        raise PydanticCustomError("clock", N_("expected a time of day HH:MM (00:00 to 23:59)"))
    return value


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except Exception as e:  # ZoneInfoNotFoundError, ValueError, OSError
        raise PydanticCustomError(
            "timezone", N_("unknown time zone; use an IANA name like America/Havana")
        ) from e
    return value


def _currency(value: str) -> str:
    if len(value) != 3 or not value.isascii() or not value.isupper() or not value.isalpha():
        raise PydanticCustomError("currency", N_("expected a three-letter currency code like USD"))
    return value


def _slot(value: int) -> int:
    if value <= 0 or MINUTES_PER_DAY % value:
        raise PydanticCustomError("slot", N_("must be a positive number of minutes dividing 1440"))
    return value


LocalDateTime = Annotated[
    datetime,
    BeforeValidator(_local_datetime),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _LOCAL,
            "description": "Local wall-clock date-time in the portfolio time zone, "
            "YYYY-MM-DDTHH:MM; an explicit UTC offset is also accepted.",
        }
    ),
]
Clock = Annotated[
    str,
    AfterValidator(_clock),
    WithJsonSchema({"type": "string", "pattern": _CLOCK, "description": "Local time HH:MM."}),
]
Id = Annotated[str, Field(min_length=1, description="Identifier, unique within its kind.")]
Text = Annotated[str, Field(min_length=1)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Minutes = Annotated[int, Field(ge=0, description="Minutes.")]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True)


class EnterpriseDoc(_Model):
    """A company that owns plants."""

    id: Id
    name: Text


class OutageDoc(_Model):
    """A grid-off window of a block, local times; probability 1 = announced."""

    start: LocalDateTime
    end: LocalDateTime
    probability: Fraction = 1.0


StageRange = Annotated[
    str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")
]
"""``"20:00-22:30"``: local clock times; an end not after the start is the next day."""


class StageDayDoc(_Model):
    """The ranges a block is off on one date at each stage 1..8 (EskomSePush's
    ``schedule.days[]``)."""

    date: LocalDateTime
    stages: list[list[StageRange]] = Field(min_length=8, max_length=8)


class StageForecastDoc(_Model):
    """The probability of one stage on one date."""

    date: LocalDateTime
    stage: Annotated[int, Field(ge=1, le=8)]
    probability: Fraction


class LoadSheddingDoc(_Model):
    """Load-shedding stages of a block: its schedule per stage and the stage forecast."""

    schedule: list[StageDayDoc] = Field(min_length=1)
    forecast: list[StageForecastDoc] = []


class BlockDoc(_Model):
    """An outage block (circuits that lose the grid together)."""

    id: Id
    name: Text
    outages: list[OutageDoc] = []
    load_shedding: LoadSheddingDoc | None = None


class ShiftDoc(_Model):
    """A weekly shift. ``end <= start`` runs past midnight; 00:00-00:00 is 24 hours."""

    days: list[Weekday] = Field(min_length=1)
    start: Clock
    end: Clock


class LineDoc(_Model):
    """A production line. Without ``shifts`` it runs 24/7."""

    id: Id
    name: Text
    shifts: Annotated[list[ShiftDoc], Field(min_length=1)] | None = None


class CapacityChangeDoc(_Model):
    """From ``at`` (local time) on, the resource has ``capacity`` units."""

    at: LocalDateTime
    capacity: Annotated[int, Field(ge=0)]


class ResourceDoc(_Model):
    """A renewable resource shared by a plant's steps (a crew, forklifts)."""

    id: Id
    name: Text
    capacity: Annotated[int, Field(gt=0)]
    changes: list[CapacityChangeDoc] = []


class GeneratorDoc(_Model):
    """A diesel generator; fuel litres/hour = fuel_a * rated_kw + fuel_b * output_kw."""

    id: Id
    name: Text
    rated_kw: Positive
    min_load_fraction: Fraction
    fuel_a: NonNegative
    fuel_b: NonNegative
    start_litres: NonNegative = 0.0
    start_minutes: Annotated[int, Field(ge=0, le=MINUTES_PER_DAY)] = 0
    min_run_minutes: Annotated[int, Field(ge=0, le=7 * MINUTES_PER_DAY)] = 0


class TankDoc(_Model):
    """A plant's diesel tank, litres; the reserve is never planned for use."""

    capacity_l: Positive
    stock_l: NonNegative
    reserve_l: NonNegative = 0.0


class SolarDoc(_Model):
    """Expected solar kW for each local hour 0..23; ``islanding``: runs without the grid."""

    profile_kw: list[NonNegative] = Field(min_length=24, max_length=24)
    islanding: bool = False


class BatteryDoc(_Model):
    """A battery bank: kWh stored, kW out and in, round-trip efficiency, SoC bounds."""

    id: Id
    capacity_kwh: Positive
    power_kw: Positive
    charge_kw: Positive
    efficiency: Annotated[float, Field(gt=0, le=1)] = 0.9
    min_soc: Fraction = 0.1
    initial_soc: Fraction = 1.0
    generator_charging: bool = False


class PlantDoc(_Model):
    """A site: grid connection in a block, lines, resources, generators, tank, solar."""

    id: Id
    name: Text
    enterprise: Id
    block: Id
    grid_kw: NonNegative
    lines: list[LineDoc] = Field(min_length=1)
    resources: list[ResourceDoc] = []
    generators: list[GeneratorDoc] = []
    tank: TankDoc | None = None
    solar: SolarDoc | None = None
    batteries: list[BatteryDoc] = []


class StepDoc(_Model):
    """One routing step: eligible lines (all in one plant), rate, power, setup."""

    name: Text
    lines: list[Id] = Field(min_length=1)
    rate_per_hour: Positive
    power_kw: NonNegative
    setup_minutes: Minutes = 0
    interruptible: bool = True
    restart_minutes: Minutes = 0
    resources: dict[Id, Annotated[int, Field(gt=0)]] = {}


class ProductDoc(_Model):
    """A product and its ordered routing."""

    id: Id
    name: Text
    family: Text
    routing: list[StepDoc] = Field(min_length=1)


class OrderDoc(_Model):
    """A demand for ``quantity`` units between ``release`` and ``due`` (local times)."""

    id: Id
    product: Id
    quantity: Positive
    release: LocalDateTime
    due: LocalDateTime
    value_per_unit: NonNegative
    priority: Literal["essential", "export", "domestic"] = "domestic"
    after: list[Id] = []
    """Orders that must be complete before this one starts (kits, parts, batches)."""
    transfer_minutes: int = Field(default=0, ge=0, le=60 * 24 * 366)
    """Minutes to truck a part from a predecessor at another plant to this order's plant."""


class DepotDoc(_Model):
    """A fuel depot that trucks diesel to plants."""

    id: Id
    name: Text
    stock_l: NonNegative


class DeliveryDoc(_Model):
    """A fuel delivery to a depot or plant; earliest/latest default to expected."""

    id: Id
    litres: Positive
    expected: LocalDateTime
    earliest: LocalDateTime | None = None
    latest: LocalDateTime | None = None
    destination: Id


class PortfolioDoc(_Model):
    """The whole portfolio file."""

    model_config = ConfigDict(
        title="Ingenio portfolio",
        json_schema_extra={"description": "Ingenio portfolio file, format version 1."},
    )

    ingenio: Literal[1]
    name: Text
    timezone: Annotated[str, AfterValidator(_zone)] = DEFAULT_TIMEZONE
    start: LocalDateTime
    days: Annotated[int, Field(gt=0, le=MAX_DAYS)]
    slot_minutes: Annotated[int, AfterValidator(_slot)] = 15
    currency: Annotated[str, AfterValidator(_currency)] = "USD"
    late_decay_per_day: NonNegative = 0.1
    enterprises: list[EnterpriseDoc]
    blocks: list[BlockDoc]
    plants: list[PlantDoc]
    products: list[ProductDoc]
    orders: list[OrderDoc]
    depots: list[DepotDoc] = []
    deliveries: list[DeliveryDoc] = []


SECTIONS: tuple[str, ...] = tuple(PortfolioDoc.model_fields)
"""Top-level keys in file order."""
