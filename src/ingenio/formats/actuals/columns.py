"""The columns of the actuals sheets, and how one cell becomes one field value.

One :class:`SheetSpec` per kind of actual (production, downtime, fuel
receipts, fuel draws, meter readings): the sheet's title, its CSV file name,
its columns in order and how a row's values become the domain record. Used by
:mod:`ingenio.formats.actuals.sheet` both to write the template and to read it back.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from ingenio.operations.actuals import (
    DowntimeCause,
    DowntimeEvent,
    FuelDraw,
    FuelReceipt,
    MeterReading,
    ProductionRecord,
)


class CellType(StrEnum):
    """What a column holds."""

    ID = "id"
    TEXT = "text"
    NUMBER = "number"
    TIME = "time"
    CAUSE = "cause"


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message says why."""


@dataclass(frozen=True)
class Column:
    """One column of an actuals sheet.

    ``name`` is the header (what a user sees and errors name), ``field`` the
    domain record's field; ``default`` is used for an empty optional cell.
    """

    name: str
    field: str
    type: CellType
    required: bool
    help: str
    example: object
    default: object = None


@dataclass(frozen=True)
class SheetSpec:
    """One kind of actual as a sheet (or a CSV file)."""

    kind: str
    """The :class:`~ingenio.operations.actuals.ActualsBatch` field it fills."""
    title: str
    csv_name: str
    columns: tuple[Column, ...]
    build: Callable[[Mapping[str, Any]], object]
    """Makes the domain record from the row's values, keyed by field name."""

    def column(self, field: str) -> Column | None:
        """The column that fills ``field``, if any."""
        return next((c for c in self.columns if c.field == field), None)


_START = datetime(2026, 4, 6, 8, 0)
_END = datetime(2026, 4, 6, 14, 30)


def _id(name: str, field: str, what: str, example: str, required: bool = True) -> Column:
    return Column(name, field, CellType.ID, required, what, example)


def _num(name: str, field: str, what: str, example: float, default: float | None = None) -> Column:
    return Column(name, field, CellType.NUMBER, default is None, what, example, default)


def _time(name: str, what: str, example: datetime) -> Column:
    return Column(name, name, CellType.TIME, True, what, example)


_NOTE = Column("note", "note", CellType.TEXT, False, "free text", "breaker B3 tripped", "")

SPECS: tuple[SheetSpec, ...] = (
    SheetSpec(
        "production",
        "Production",
        "production.csv",
        (
            _id("line", "line_id", "the line that ran", "R1"),
            _id("product", "product_id", "the product made", "rebar-12"),
            _id("order", "order_id", "the order it counts for (empty: stock)", "O-1042", False),
            _num("good_qty", "good_qty", "good units made", 420.0),
            _num("scrap_qty", "scrap_qty", "units scrapped (empty: 0)", 12.0, 0.0),
            _time("start", "when the run started", _START),
            _time("end", "when the run ended", _END),
        ),
        lambda v: ProductionRecord(**v),
    ),
    SheetSpec(
        "downtime",
        "Downtime",
        "downtime.csv",
        (
            _id("line", "line_id", "the line that stopped", "R1"),
            Column(
                "cause",
                "cause",
                CellType.CAUSE,
                True,
                "why: " + ", ".join(c.value for c in DowntimeCause),
                DowntimeCause.GRID_OUTAGE.value,
            ),
            _time("start", "when it stopped", _START),
            _time("end", "when it ran again", _END),
            _NOTE,
        ),
        lambda v: DowntimeEvent(**v),
    ),
    SheetSpec(
        "fuel_receipts",
        "Fuel receipts",
        "fuel_receipts.csv",
        (
            _id("plant_or_depot", "plant_or_depot_id", "plant or depot receiving", "P-ANTILLANA"),
            _num("litres", "litres", "litres received", 12000.0),
            _time("at", "when it arrived", _START),
            Column("note", "note", CellType.TEXT, False, "free text", "tanker T-7", ""),
        ),
        lambda v: FuelReceipt(**v),
    ),
    SheetSpec(
        "fuel_draws",
        "Fuel draws",
        "fuel_draws.csv",
        (
            _id("generator", "generator_id", "the generator", "G1"),
            _num("litres", "litres", "litres drawn from the tank", 180.0),
            _time("at", "when it was logged", _END),
        ),
        lambda v: FuelDraw(**v),
    ),
    SheetSpec(
        "meter_readings",
        "Meter readings",
        "meter_readings.csv",
        (
            _id("line", "line_id", "the metered line", "R1"),
            _time("at", "when it was read", _START),
            _num("kw", "kw", "power demand, kW", 310.0),
            _num("kwh", "kwh", "the meter's cumulative kWh register", 1250400.0),
        ),
        lambda v: MeterReading(**v),
    ),
)
"""Every kind of actual, in the order of the template's sheets."""


def normalise_header(text: object) -> str:
    """A header as compared: trimmed, lower case, spaces and hyphens as underscores."""
    return "_".join(str(text or "").strip().lower().replace("-", " ").split())


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_cell(column: Column, value: object, zone: ZoneInfo | None) -> object:
    """Read one cell as its column's type.

    Parameters
    ----------
    column : Column
        The column.
    value : object
        What openpyxl or the CSV reader gave (str, int, float, datetime, None).
    zone : ZoneInfo or None
        Zone of times written without an offset; None refuses them.

    Returns
    -------
    object
        The field value (``column.default`` for an empty optional cell).

    Raises
    ------
    CellError
        Saying what is wrong with the cell.
    """
    if _blank(value):
        if column.required:
            raise CellError("required")
        return column.default
    if column.type is CellType.NUMBER:
        return _number(value)
    if column.type is CellType.TIME:
        return _moment(value, zone)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an id typed as 7 reads back as 7.0 from some sheets
    text = str(value).strip()
    if column.type is CellType.CAUSE:
        try:
            return DowntimeCause(normalise_header(text))
        except ValueError:
            raise CellError("unknown cause") from None
    return text


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise CellError("must be a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace("\u00a0", "").replace(" ", ""))
        except ValueError:
            raise CellError("must be a number") from None
    if not math.isfinite(number):
        raise CellError("must be a finite number")
    return number


def _moment(value: object, zone: ZoneInfo | None) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = str(value).strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise CellError("must be a date and time like 2026-04-06 08:00") from None
    if moment.tzinfo is None:
        if zone is None:
            raise CellError(
                "has no UTC offset and no time zone is given "
                "(--timezone, or the time zone on the Instructions sheet)"
            )
        moment = moment.replace(tzinfo=zone)
    return moment
