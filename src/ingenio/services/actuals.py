"""Use cases of what really happened: record actuals, import a sheet, write a template,
read the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from ingenio.errors import N_, IngenioError, said
from ingenio.operations.actuals import (
    ActualsBatch,
    DowntimeCause,
    DowntimeEvent,
    FuelDraw,
    FuelReceipt,
    ProductionRecord,
)
from ingenio.services.context import Context
from ingenio.store import AuditEntry, Store

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
    "check_before_storing",
    "import_actuals",
    "record_downtime",
    "record_fuel_draw",
    "record_fuel_receipt",
    "record_production",
    "write_actuals_template",
]


def record_production(ctx: Context, record: ProductionRecord) -> int:
    """Store a production record; 1 when new, 0 when it was already stored.

    Raises
    ------
    IngenioError
        ``conflict`` when it overlaps a stored record of the same line (the output
        would be counted twice).
    """
    store = ctx.store.get()
    check_before_storing(store, ActualsBatch(production=(record,)), "--line")
    return store.add_production(record)


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
    warnings: tuple[str, ...] = ()


def import_actuals(ctx: Context, file: Path, timezone: str | None) -> ActualsImport:
    """Import actuals from an Excel or CSV file; rows already stored are not added again."""
    from ingenio.formats.actuals.sheet import read_actuals

    if not file.exists():
        raise IngenioError(said(N_("%(file)s: no such file"), file=str(file)), kind="not_found")
    batch = read_actuals(file, timezone)
    if batch.empty:
        return ActualsImport(batch, {})
    store = ctx.store.get()
    warnings = check_before_storing(store, batch, file.name)
    new = store.add_actuals(batch, source=file.name, actor=ctx.actor.name)
    return ActualsImport(batch, new, warnings)


def _known_ids(store: Store) -> dict[str, set[str]]:
    """Line, product and order ids of the latest version of every stored portfolio."""
    known: dict[str, set[str]] = {"line": set(), "product": set(), "order": set()}
    for name in sorted({v.name for v in store.portfolio_versions()}):
        _, doc = store.load_portfolio(name)
        for plant in doc.get("plants") or []:
            known["line"].update(str(line.get("id")) for line in plant.get("lines") or [])
        known["product"].update(str(p.get("id")) for p in doc.get("products") or [])
        known["order"].update(str(o.get("id")) for o in doc.get("orders") or [])
    return known


def check_before_storing(store: Store, batch: ActualsBatch, name: str) -> tuple[str, ...]:
    """Refuse production that overlaps itself or stored records of one line (its output
    would count twice); return warnings about ids no stored portfolio has."""
    from ingenio.operations.actuals_checks import production_overlaps, unknown_references

    if batch.production:
        lines = sorted({r.line_id for r in batch.production})
        since = min(r.start for r in batch.production)
        until = max(r.end for r in batch.production)
        stored = store.list_production(lines, since, until)
        overlaps = production_overlaps(batch.production, stored)
        if overlaps:
            more = said(N_(" (and %(n)s more)"), n=len(overlaps) - 1) if len(overlaps) > 1 else ""
            raise IngenioError(
                said(
                    N_("%(name)s: %(overlap)s%(more)s; nothing was stored"),
                    name=name,
                    overlap=overlaps[0],
                    more=more,
                ),
                kind="conflict",
            )
    return tuple(
        f"{name}: {message}" for message in unknown_references(batch, _known_ids(store))
    )


def write_actuals_template(target: Path, kind: Literal["xlsx", "csv"], timezone: str) -> list[Path]:
    """Write an actuals template (a workbook, or a folder of CSV files)."""
    from ingenio.formats.actuals.sheet import write_template

    return list(write_template(target, kind, timezone))


def audit_entries(
    ctx: Context, entity: str | None = None, since: datetime | None = None
) -> list[AuditEntry]:
    """The audit log, oldest first: who changed what, and when."""
    return list(ctx.store.existing().audit_entries(entity=entity, since=since))
