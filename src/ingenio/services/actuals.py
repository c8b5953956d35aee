"""Use cases of what really happened: record actuals, import a sheet, write a template,
read the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from ingenio.errors import IngenioError
from ingenio.operations.actuals import (
    ActualsBatch,
    DowntimeCause,
    DowntimeEvent,
    FuelDraw,
    FuelReceipt,
    ProductionRecord,
)
from ingenio.services.context import Context
from ingenio.store import AuditEntry

__all__ = [
    "ActualsBatch",
    "ActualsImport",
    "AuditEntry",
    "DowntimeCause",
    "DowntimeEvent",
    "FuelDraw",
    "FuelReceipt",
    "ProductionRecord",
    "audit_entries",
    "import_actuals",
    "record_downtime",
    "record_fuel_draw",
    "record_fuel_receipt",
    "record_production",
    "write_actuals_template",
]


def record_production(ctx: Context, record: ProductionRecord) -> int:
    """Store a production record; 1 when new, 0 when it was already stored."""
    return ctx.store.get().add_production(record)


def record_downtime(ctx: Context, event: DowntimeEvent) -> int:
    """Store a downtime event; 1 when new, 0 when it was already stored."""
    return ctx.store.get().add_downtime(event)


def record_fuel_receipt(ctx: Context, receipt: FuelReceipt) -> int:
    """Store diesel received; 1 when new, 0 when it was already stored."""
    return ctx.store.get().add_fuel_receipt(receipt)


def record_fuel_draw(ctx: Context, draw: FuelDraw) -> int:
    """Store diesel drawn by a generator; 1 when new, 0 when it was already stored."""
    return ctx.store.get().add_fuel_draw(draw)


@dataclass(frozen=True)
class ActualsImport:
    """The rows a file held, and how many of each kind were new."""

    batch: ActualsBatch
    new: dict[str, int]


def import_actuals(ctx: Context, file: Path, timezone: str | None) -> ActualsImport:
    """Import actuals from an Excel or CSV file; rows already stored are not added again."""
    from ingenio.io.actuals_sheet import read_actuals

    if not file.exists():
        raise IngenioError(f"{file}: no such file", kind="not_found")
    batch = read_actuals(file, timezone)
    if batch.empty:
        return ActualsImport(batch, {})
    return ActualsImport(batch, ctx.store.get().add_actuals(batch, source=file.name))


def write_actuals_template(target: Path, kind: Literal["xlsx", "csv"], timezone: str) -> list[Path]:
    """Write an actuals template (a workbook, or a folder of CSV files)."""
    from ingenio.io.actuals_sheet import write_template

    return list(write_template(target, kind, timezone))


def audit_entries(
    ctx: Context, entity: str | None = None, since: datetime | None = None
) -> list[AuditEntry]:
    """The audit log, oldest first: who changed what, and when."""
    return list(ctx.store.get().audit_entries(entity=entity, since=since))
