"""Actuals in the store: production, downtime, fuel and meter readings, each stored once.

Every row carries an ``import_key`` (see :mod:`ingenio.store.actuals_rows`), so
the same record read twice is stored once. Inserts go in batches of
:data:`BATCH_ROWS` with ``ON CONFLICT DO NOTHING ... RETURNING``, which skips
known rows and counts the new ones in one round of statements per batch.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ingenio.operations.actuals import (
    ActualsBatch,
    DowntimeEvent,
    FuelDraw,
    FuelReceipt,
    MeterReading,
    ProductionRecord,
)
from ingenio.store.actuals_rows import (
    DOWNTIME,
    FUEL_DRAWS,
    FUEL_RECEIPTS,
    KINDS,
    METER_READINGS,
    PRODUCTION,
    Kind,
    account_key,
)
from ingenio.store.audit import AuditStore, clip, write_audit
from ingenio.store.errors import StoreError
from ingenio.store.tables import DEFAULT_ACCOUNT

BATCH_ROWS = 5000
"""Rows sent per INSERT batch (SQLAlchemy splits each further into multi-row statements)."""

DEFAULT_SOURCE = "cli"
"""Source recorded for actuals that name none (typed in by hand)."""

R = TypeVar("R")


def _one_or_many(records: R | Iterable[R], one: type[R]) -> Iterable[R]:
    """``(records,)`` for one record, else the iterable itself."""
    if isinstance(records, one):
        return (records,)
    return cast(Iterable[R], records)


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Rows in batches of :data:`BATCH_ROWS`, duplicates within a batch dropped."""
    it = iter(rows)
    while chunk := list(itertools.islice(it, BATCH_ROWS)):
        yield list({row["import_key"]: row for row in chunk}.values())


def _insert_new(session: Session, table: sa.Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert the rows whose import key is not stored yet; return how many were new."""
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise StoreError(f"actuals need SQLite or PostgreSQL, not {dialect}")
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).on_conflict_do_nothing(index_elements=["import_key"])
    returning = stmt.returning(table.c.id)
    return sum(len(session.execute(returning, batch).all()) for batch in _batches(rows))


def add_kind(
    session: Session,
    kind: Kind[R],
    records: Iterable[R],
    source: str,
    actor: str | None,
    account: str = DEFAULT_ACCOUNT,
) -> int:
    """Insert one kind's records of ``account`` in the caller's transaction and audit
    what was new.

    Returns
    -------
    int
        How many records were new.
    """
    source = clip(source.strip() or DEFAULT_SOURCE)
    received = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal received
        for record in records:
            received += 1
            row = kind.to_row(record)
            key = account_key(row["import_key"], account)
            yield {**row, "import_key": key, "source": source, "account_id": account}

    new = _insert_new(session, kind.table, rows())
    if new:
        detail = {"new": new, "received": received, "source": source}
        write_audit(session, "add", kind.table.name, source, detail, actor, account)
    return new


class ActualsStore(AuditStore):
    """The actuals methods of the store (mixed into :class:`ingenio.store.Store`).

    The ``add_*`` methods take one record or any iterable of them (a generator
    is consumed once, in batches), store those not yet stored, log the change in
    the same transaction and return how many were new. A failure stores none.
    ``source`` names where the records came from (kept with each row, not part
    of its key). The ``list_*`` methods filter by ids and by an aware period
    ``[since, until)``: a record with a duration is listed when it overlaps it.
    The store knows nothing of plants: pass a plant's line ids as ``lines``.
    ``account`` (keyword) is the management account the records belong to: the
    ``default`` one unless said (migration 0004); a listing shows only its rows.
    """

    def _add(
        self,
        kind: Kind[R],
        records: Iterable[R],
        source: str,
        actor: str | None,
        account: str = DEFAULT_ACCOUNT,
    ) -> int:
        return self._write(
            f"add {kind.name.replace('_', ' ')}",
            lambda session: add_kind(session, kind, records, source, actor, account),
        )

    def add_production(
        self,
        records: ProductionRecord | Iterable[ProductionRecord],
        source: str = DEFAULT_SOURCE,
        actor: str | None = None,
        *,
        account: str = DEFAULT_ACCOUNT,
    ) -> int:
        """Store production records; return how many were new."""
        return self._add(
            PRODUCTION, _one_or_many(records, ProductionRecord), source, actor, account
        )

    def add_downtime(
        self,
        events: DowntimeEvent | Iterable[DowntimeEvent],
        source: str = DEFAULT_SOURCE,
        actor: str | None = None,
        *,
        account: str = DEFAULT_ACCOUNT,
    ) -> int:
        """Store downtime events; return how many were new."""
        return self._add(DOWNTIME, _one_or_many(events, DowntimeEvent), source, actor, account)

    def add_fuel_receipt(
        self,
        receipts: FuelReceipt | Iterable[FuelReceipt],
        source: str = DEFAULT_SOURCE,
        actor: str | None = None,
        *,
        account: str = DEFAULT_ACCOUNT,
    ) -> int:
        """Store fuel receipts; return how many were new."""
        return self._add(FUEL_RECEIPTS, _one_or_many(receipts, FuelReceipt), source, actor, account)

    def add_fuel_draw(
        self,
        draws: FuelDraw | Iterable[FuelDraw],
        source: str = DEFAULT_SOURCE,
        actor: str | None = None,
        *,
        account: str = DEFAULT_ACCOUNT,
    ) -> int:
        """Store generator fuel draws; return how many were new."""
        return self._add(FUEL_DRAWS, _one_or_many(draws, FuelDraw), source, actor, account)

    def add_meter_readings(
        self,
        readings: MeterReading | Iterable[MeterReading],
        source: str = DEFAULT_SOURCE,
        actor: str | None = None,
        *,
        account: str = DEFAULT_ACCOUNT,
    ) -> int:
        """Store meter readings in bulk; return how many were new."""
        return self._add(
            METER_READINGS, _one_or_many(readings, MeterReading), source, actor, account
        )

    def add_actuals(
        self,
        batch: ActualsBatch,
        source: str = DEFAULT_SOURCE,
        actor: str | None = None,
        *,
        account: str = DEFAULT_ACCOUNT,
    ) -> dict[str, int]:
        """Store every record of a batch in ONE transaction.

        Parameters
        ----------
        batch : ActualsBatch
            The records; ``batch.sources[kind]``, when set, is kept as that kind's source.
        source : str, optional
            Source of the kinds ``batch.sources`` does not name.
        actor : str, optional
            Who, for the audit log.

        Returns
        -------
        dict of str to int
            New records per kind (the keys of :meth:`ActualsBatch.counts`).
        """
        parts: list[tuple[Kind[Any], Iterable[Any]]] = [
            (PRODUCTION, batch.production),
            (DOWNTIME, batch.downtime),
            (FUEL_RECEIPTS, batch.fuel_receipts),
            (FUEL_DRAWS, batch.fuel_draws),
            (METER_READINGS, batch.meter_readings),
        ]

        def work(session: Session) -> dict[str, int]:
            return {
                kind.name: add_kind(
                    session, kind, records, batch.sources.get(kind.name, source), actor, account
                )
                for kind, records in parts
            }

        return self._write("add actuals", work)

    def actuals_counts(self) -> dict[str, int]:
        """Number of stored records per kind (the keys of :meth:`ActualsBatch.counts`)."""

        def work(session: Session) -> dict[str, int]:
            return {
                k.name: int(session.scalar(sa.select(sa.func.count()).select_from(k.table)) or 0)
                for k in KINDS
            }

        return self._read("count actuals", work)

    def _list(
        self,
        kind: Kind[R],
        filters: dict[str, Iterable[str] | str | None],
        since: datetime | None,
        until: datetime | None,
        account: str = DEFAULT_ACCOUNT,
    ) -> list[R]:
        table = kind.table
        timed = "start" in table.c
        first, last = (table.c.start, table.c.end) if timed else (table.c.at, table.c.at)
        query = sa.select(kind.model).where(table.c.account_id == account)
        for column, wanted in filters.items():
            if wanted is not None:
                ids = [wanted] if isinstance(wanted, str) else list(wanted)
                query = query.where(table.c[column].in_(ids))
        for name, moment in (("since", since), ("until", until)):
            if moment is not None and moment.tzinfo is None:
                raise ValueError(f"{name} must carry a time zone")
        if since is not None:
            query = query.where(last > since if timed else last >= since)
        if until is not None:
            query = query.where(first < until)
        query = query.order_by(first, table.c.id)

        def work(session: Session) -> list[R]:
            return [kind.of_row(row) for row in session.scalars(query)]

        return self._read(f"list {kind.name.replace('_', ' ')}", work)

    def list_production(
        self,
        lines: Iterable[str] | str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        orders: Iterable[str] | str | None = None,
        *,
        account: str = DEFAULT_ACCOUNT,
    ) -> list[ProductionRecord]:
        """Production records of some lines (all when None) overlapping ``[since, until)``."""
        return self._list(PRODUCTION, {"line_id": lines, "order_id": orders}, since, until, account)

    def list_downtime(
        self,
        lines: Iterable[str] | str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        causes: Iterable[str] | str | None = None,
        *,
        account: str = DEFAULT_ACCOUNT,
        sources: Iterable[str] | str | None = None,
    ) -> list[DowntimeEvent]:
        """Downtime events of some lines (all when None) overlapping ``[since, until)``;
        ``sources``: only those recorded from these sources (``telemetry``: metered)."""
        filters = {"line_id": lines, "cause": causes, "source": sources}
        return self._list(DOWNTIME, filters, since, until, account)

    def list_fuel_receipts(
        self,
        sites: Iterable[str] | str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        account: str = DEFAULT_ACCOUNT,
    ) -> list[FuelReceipt]:
        """Fuel receipts at some plants or depots (all when None) in ``[since, until)``."""
        return self._list(FUEL_RECEIPTS, {"plant_or_depot_id": sites}, since, until, account)

    def list_fuel_draws(
        self,
        generators: Iterable[str] | str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        account: str = DEFAULT_ACCOUNT,
    ) -> list[FuelDraw]:
        """Fuel draws of some generators (all when None) in ``[since, until)``."""
        return self._list(FUEL_DRAWS, {"generator_id": generators}, since, until, account)

    def list_meter_readings(
        self,
        lines: Iterable[str] | str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        account: str = DEFAULT_ACCOUNT,
    ) -> list[MeterReading]:
        """Meter readings of some lines (all when None) in ``[since, until)``."""
        return self._list(METER_READINGS, {"line_id": lines}, since, until, account)
