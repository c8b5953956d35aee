"""How each kind of actual becomes a table row and back, and its import key.

The import key hashes a record's kind and its content (never where it came
from): the same row read from a sheet twice, or typed in by hand and then
imported, has one key, and the table's unique key stores it once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from ingenio.operations.actuals import (
    DowntimeCause,
    DowntimeEvent,
    FuelDraw,
    FuelReceipt,
    MeterReading,
    ProductionRecord,
)
from ingenio.store.tables import (
    DEFAULT_ACCOUNT,
    IMPORT_KEY_LENGTH,
    Base,
    DowntimeEventRow,
    FuelDrawRow,
    FuelReceiptRow,
    MeterReadingRow,
    ProductionRecordRow,
)

R = TypeVar("R")


@dataclass(frozen=True)
class Kind(Generic[R]):
    """How one record kind maps to its table."""

    name: str
    """The kind's name: the ``ActualsBatch`` field and the key prefix."""
    model: type[Base]
    to_row: Callable[[R], dict[str, Any]]
    of_row: Callable[[Any], R]

    @property
    def table(self) -> sa.Table:
        """The kind's table."""
        table = self.model.__table__
        assert isinstance(table, sa.Table)
        return table


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def import_key(kind: str, values: Iterable[object]) -> str:
    """Return the import key of a record: a hash of its kind and field values.

    Parameters
    ----------
    kind : str
        The record kind (``production``, ``downtime``, ...).
    values : iterable
        The record's field values in order; numbers are compared as floats and
        datetimes as UTC instants, so ``5`` and ``5.0``, or the same moment
        written with two offsets, give the same key.

    Returns
    -------
    str
        :data:`~ingenio.store.tables.IMPORT_KEY_LENGTH` hex digits.
    """

    def norm(v: object) -> object:
        if isinstance(v, datetime):
            return _utc(v)
        if isinstance(v, int | float) and not isinstance(v, bool):
            return repr(float(v))
        return v if v is None else str(v)

    text = json.dumps([kind, *map(norm, values)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:IMPORT_KEY_LENGTH]


def account_key(key: str, account: str) -> str:
    """The import key of a row of ``account``: ``key`` itself for the ``default`` account
    (rows stored before migration 0004 keep theirs), else a hash of the account and
    ``key``, so two tenants recording the same row each keep it."""
    if account == DEFAULT_ACCOUNT:
        return key
    return import_key("account", (account, key))


def _production_row(r: ProductionRecord) -> dict[str, Any]:
    values = (r.line_id, r.product_id, r.order_id, r.good_qty, r.scrap_qty, r.start, r.end)
    return {
        "import_key": import_key("production", values),
        "line_id": r.line_id,
        "product_id": r.product_id,
        "order_id": r.order_id,
        "good_qty": float(r.good_qty),
        "scrap_qty": float(r.scrap_qty),
        "start": r.start,
        "end": r.end,
    }


def _downtime_row(e: DowntimeEvent) -> dict[str, Any]:
    cause = DowntimeCause(e.cause).value
    return {
        "import_key": import_key("downtime", (e.line_id, cause, e.start, e.end, e.note)),
        "line_id": e.line_id,
        "cause": cause,
        "start": e.start,
        "end": e.end,
        "note": e.note,
    }


def _receipt_row(f: FuelReceipt) -> dict[str, Any]:
    return {
        "import_key": import_key("fuel_receipts", (f.plant_or_depot_id, f.litres, f.at, f.note)),
        "plant_or_depot_id": f.plant_or_depot_id,
        "litres": float(f.litres),
        "at": f.at,
        "note": f.note,
    }


def _draw_row(f: FuelDraw) -> dict[str, Any]:
    return {
        "import_key": import_key("fuel_draws", (f.generator_id, f.litres, f.at)),
        "generator_id": f.generator_id,
        "litres": float(f.litres),
        "at": f.at,
    }


def _reading_row(m: MeterReading) -> dict[str, Any]:
    return {
        "import_key": import_key("meter_readings", (m.line_id, m.at, m.kw, m.kwh)),
        "line_id": m.line_id,
        "at": m.at,
        "kw": float(m.kw),
        "kwh": float(m.kwh),
    }


PRODUCTION = Kind[ProductionRecord](
    "production",
    ProductionRecordRow,
    _production_row,
    lambda r: ProductionRecord(
        r.line_id, r.product_id, r.order_id, r.good_qty, r.scrap_qty, r.start, r.end
    ),
)
DOWNTIME = Kind[DowntimeEvent](
    "downtime",
    DowntimeEventRow,
    _downtime_row,
    lambda r: DowntimeEvent(r.line_id, DowntimeCause(r.cause), r.start, r.end, r.note),
)
FUEL_RECEIPTS = Kind[FuelReceipt](
    "fuel_receipts",
    FuelReceiptRow,
    _receipt_row,
    lambda r: FuelReceipt(r.plant_or_depot_id, r.litres, r.at, r.note),
)
FUEL_DRAWS = Kind[FuelDraw](
    "fuel_draws", FuelDrawRow, _draw_row, lambda r: FuelDraw(r.generator_id, r.litres, r.at)
)
METER_READINGS = Kind[MeterReading](
    "meter_readings",
    MeterReadingRow,
    _reading_row,
    lambda r: MeterReading(r.line_id, r.at, r.kw, r.kwh),
)


KINDS: tuple[Kind[Any], ...] = (PRODUCTION, DOWNTIME, FUEL_RECEIPTS, FUEL_DRAWS, METER_READINGS)
"""Every kind, in the order of :class:`~ingenio.operations.actuals.ActualsBatch`'s fields."""
