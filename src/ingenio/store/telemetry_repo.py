"""Telemetry in the store: the ingester's writer, the figures, readings, suggestions.

Mixed into :class:`ingenio.store.Store`. The writer
(:class:`~ingenio.store.telemetry_writer.TelemetryWriter`) has its own connection;
everything else goes through the store's usual read and write transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ingenio.store.audit import AuditStore, write_audit
from ingenio.store.errors import StoreError
from ingenio.store.tables import DEFAULT_ACCOUNT
from ingenio.store.telemetry_tables import (
    ReplanSuggestionRow,
    TelemetryCounterRow,
    TelemetryDeviceRow,
    TelemetryGapRow,
    TelemetryGeneratorRow,
    TelemetryGridRow,
    TelemetryMeterRow,
    TelemetryReadingRow,
)
from ingenio.store.telemetry_writer import TelemetryWriter
from ingenio.telemetry.credentials import Device

SOURCE = "telemetry"
"""The actor of what the telemetry raises."""

M, R, G = TelemetryMeterRow, TelemetryReadingRow, TelemetryGridRow


@dataclass(frozen=True)
class MeterLast:
    """A meter and its last accepted reading."""

    account: str
    plant: str
    line: str
    meter: str
    last_seq: int
    last_ts: datetime | None


@dataclass(frozen=True)
class TelemetryFigures:
    """What ``ingenio telemetry stats`` prints."""

    readings: int
    duplicates_dropped: int
    quarantined: int
    gaps_open: int
    meters: tuple[MeterLast, ...]


@dataclass(frozen=True)
class StoredReading:
    """A stored reading with its meter's line."""

    line: str
    meter: str
    ts: datetime
    seq: int
    kwh_total: float | None
    kw: float | None
    count: float | None
    reset: bool


@dataclass(frozen=True)
class GridReading:
    """A stored grid state."""

    ts: datetime
    on: bool
    voltage: float | None


@dataclass(frozen=True)
class GeneratorReading:
    """A stored generator state."""

    generator: str
    ts: datetime
    running: bool
    kw: float
    tank_litres: float | None
    run_hours: float | None


@dataclass(frozen=True)
class Suggestion:
    """A replan suggestion raised by a metered grid loss."""

    id: int
    account: str
    portfolio_name: str
    plant_id: str
    outage_start: datetime
    outage_end: datetime | None
    detected_at: datetime
    evidence: str
    preview: dict[str, Any]
    status: str
    decided_by: str | None
    plan_id: int | None


def _suggestion(row: ReplanSuggestionRow) -> Suggestion:
    return Suggestion(row.id, row.account_id, row.portfolio_name, row.plant_id,
                      row.outage_start, row.outage_end, row.detected_at, row.evidence,
                      dict(row.preview), row.status, row.decided_by, row.plan_id)  # fmt: skip


class TelemetryStore(AuditStore):
    """The telemetry methods of the store."""

    def telemetry_writer(self) -> TelemetryWriter:
        """A writer for the ingester, on its own connection (close it when done)."""
        return TelemetryWriter(self._live_engine())

    def telemetry_figures(self, account: str | None = None) -> TelemetryFigures:
        """Readings stored, duplicates dropped, quarantined, gaps open, last per meter."""

        def work(session: Session) -> TelemetryFigures:
            names = sa.select(TelemetryCounterRow.name, TelemetryCounterRow.value)
            counters = dict(session.execute(names).tuples().all())
            gaps = session.scalar(sa.select(sa.func.count()).select_from(TelemetryGapRow)
                                  .where(TelemetryGapRow.closed_at.is_(None))) or 0  # fmt: skip
            query = sa.select(M).order_by(M.account_id, M.plant_id, M.line_id, M.meter_id)
            if account is not None:
                query = query.where(M.account_id == account)
            meters = tuple(
                MeterLast(m.account_id, m.plant_id, m.line_id, m.meter_id, m.last_seq, m.last_ts)
                for m in session.scalars(query)
            )
            return TelemetryFigures(
                int(counters.get("readings", 0)), int(counters.get("duplicates_dropped", 0)),
                int(counters.get("quarantined", 0)), int(gaps), meters,
            )  # fmt: skip

        return self._read("read the telemetry figures", work)

    def telemetry_plants(self, account: str | None = None) -> list[tuple[str, str]]:
        """``(account, plant)`` of every plant that sent readings or grid states."""

        def work(session: Session) -> list[tuple[str, str]]:
            pairs: set[tuple[str, str]] = set()
            for table in (M, G):
                query = sa.select(table.account_id, table.plant_id).distinct()
                if account is not None:
                    query = query.where(table.account_id == account)
                pairs.update(session.execute(query).tuples())
            return sorted(pairs)

        return self._read("read the metered plants", work)

    def telemetry_readings(self, account: str, plant: str, since: datetime,
                           until: datetime) -> list[StoredReading]:  # fmt: skip
        """A plant's readings in ``[since, until)``, by line, meter and time."""
        query = (sa.select(M.line_id, M.meter_id, R.ts, R.seq, R.kwh_total, R.kw, R.count,
                           R.reset).join(M, M.id == R.meter)
                 .where(M.account_id == account, M.plant_id == plant, R.ts >= since,
                        R.ts < until).order_by(M.line_id, M.meter_id, R.ts))  # fmt: skip

        def work(session: Session) -> list[StoredReading]:
            return [StoredReading(*row) for row in session.execute(query).tuples()]

        return self._read("read telemetry readings", work)

    def telemetry_grid(self, account: str, plant: str, since: datetime,
                       until: datetime) -> list[GridReading]:  # fmt: skip
        """A plant's grid states in ``[since, until)``, oldest first."""
        query = (sa.select(G.ts, G.on, G.voltage)
                 .where(G.account_id == account, G.plant_id == plant, G.ts >= since,
                        G.ts < until).order_by(G.ts))  # fmt: skip

        def work(session: Session) -> list[GridReading]:
            return [GridReading(*row) for row in session.execute(query).tuples()]

        return self._read("read grid states", work)

    def telemetry_generators(self, account: str, plant: str, since: datetime,
                             until: datetime) -> list[GeneratorReading]:  # fmt: skip
        """A plant's generator states in ``[since, until)``, by generator and time."""
        T = TelemetryGeneratorRow
        query = (sa.select(T.generator_id, T.ts, T.running, T.kw, T.tank_litres, T.run_hours)
                 .where(T.account_id == account, T.plant_id == plant, T.ts >= since,
                        T.ts < until).order_by(T.generator_id, T.ts))  # fmt: skip

        def work(session: Session) -> list[GeneratorReading]:
            return [GeneratorReading(*row) for row in session.execute(query).tuples()]

        return self._read("read generator states", work)

    def add_suggestion(self, account: str, portfolio_name: str, plant_id: str,
                       outage_start: datetime, evidence: str,
                       preview: dict[str, Any]) -> Suggestion | None:  # fmt: skip
        """Raise a suggestion, unless one is already open for this plant and outage start."""

        def work(session: Session) -> Suggestion | None:
            S = ReplanSuggestionRow
            known = session.scalar(sa.select(S.id).where(
                S.account_id == account, S.plant_id == plant_id,
                S.outage_start == outage_start))  # fmt: skip
            if known is not None:
                return None
            row = S(account_id=account, portfolio_name=portfolio_name, plant_id=plant_id,
                    outage_start=outage_start, outage_end=None, detected_at=datetime.now(UTC),
                    evidence=evidence, preview=preview, status="open")  # fmt: skip
            session.add(row)
            session.flush()
            detail = {"plant": plant_id, "evidence": evidence}
            write_audit(session, "raise", "replan_suggestion", str(row.id), detail, SOURCE, account)
            return _suggestion(row)

        return self._write("raise a replan suggestion", work)

    def suggestions(self, status: str | None = None) -> list[Suggestion]:
        """Replan suggestions, newest first."""
        query = sa.select(ReplanSuggestionRow).order_by(ReplanSuggestionRow.id.desc())
        if status is not None:
            query = query.where(ReplanSuggestionRow.status == status)

        def work(session: Session) -> list[Suggestion]:
            return [_suggestion(row) for row in session.scalars(query)]

        return self._read("list replan suggestions", work)

    def end_suggestion_outage(self, suggestion_id: int, end: datetime) -> None:
        """Record when the grid came back."""

        def work(session: Session) -> None:
            row = session.get(ReplanSuggestionRow, suggestion_id)
            if row is not None and row.outage_end is None:
                row.outage_end = end

        self._write("close a suggestion's outage", work)

    def claim_suggestion(self, suggestion_id: int, actor: str) -> Suggestion:
        """Mark an open suggestion accepted (no plan yet) before its replan runs.

        One conditional ``UPDATE ... WHERE status = 'open'``: of two accepts at once (two
        quick clicks) only one wins, so only one replan saves a draft; the other gets a
        ``conflict``. :meth:`decide_suggestion` with ``claimed`` then names the plan (and
        audits the decision); :meth:`release_suggestion` opens it again if the replan fails.

        Raises
        ------
        StoreError
            ``not_found`` for an unknown suggestion, ``conflict`` when it is not open.
        """

        def work(session: Session) -> Suggestion:
            S = ReplanSuggestionRow
            won = session.execute(
                sa.update(S).where(S.id == suggestion_id, S.status == "open")
                .values(status="accepted", decided_by=actor, decided_at=datetime.now(UTC),
                        plan_id=None)
                .execution_options(synchronize_session=False)
            )  # fmt: skip
            row = session.get(S, suggestion_id, populate_existing=True)
            if row is None:
                raise StoreError(f"no replan suggestion {suggestion_id}", kind="not_found")
            if won.rowcount != 1:  # type: ignore[attr-defined]
                raise StoreError(f"replan suggestion {suggestion_id} is already {row.status}",
                                 kind="conflict")  # fmt: skip
            return _suggestion(row)

        return self._write("claim a replan suggestion", work)

    def release_suggestion(self, suggestion_id: int, actor: str) -> None:
        """Open again a suggestion ``actor`` claimed whose replan saved no plan."""

        def work(session: Session) -> None:
            S = ReplanSuggestionRow
            session.execute(
                sa.update(S).where(S.id == suggestion_id, S.status == "accepted",
                                   S.decided_by == actor, S.plan_id.is_(None))
                .values(status="open", decided_by=None, decided_at=None)
                .execution_options(synchronize_session=False)
            )  # fmt: skip

        self._write("release a replan suggestion", work)

    def decide_suggestion(self, suggestion_id: int, status: str, actor: str,
                          plan_id: int | None, reason: str,
                          claimed: bool = False) -> Suggestion:  # fmt: skip
        """Accept or dismiss an open suggestion; the decision and its reason are audited.

        With ``claimed``, the suggestion is one ``actor`` claimed (:meth:`claim_suggestion`)
        and still has no plan: the accept is finished with ``plan_id``."""

        def work(session: Session) -> Suggestion:
            row = session.get(ReplanSuggestionRow, suggestion_id, with_for_update=True)
            if row is None:
                raise StoreError(f"no replan suggestion {suggestion_id}", kind="not_found")
            if claimed and (row.status != "accepted" or row.decided_by != actor
                            or row.plan_id is not None):  # fmt: skip
                raise StoreError(f"replan suggestion {suggestion_id} was not claimed by {actor}",
                                 kind="conflict")  # fmt: skip
            if not claimed and row.status != "open":
                raise StoreError(f"replan suggestion {suggestion_id} is already {row.status}",
                                 kind="conflict")  # fmt: skip
            row.status, row.decided_by, row.decided_at = status, actor, datetime.now(UTC)
            row.plan_id = plan_id
            write_audit(session, status, "replan_suggestion", str(row.id),
                        {"plant": row.plant_id, "reason": reason, "plan_id": plan_id},
                        actor, row.account_id)  # fmt: skip
            return _suggestion(row)

        return self._write("decide a replan suggestion", work)

    def mark_converted(self, account: str, plant: str, until: datetime) -> None:
        """Remember that a plant's readings before ``until`` became actuals."""

        def work(session: Session) -> None:
            session.execute(sa.update(M).where(M.account_id == account, M.plant_id == plant)
                            .values(converted_until=until))  # fmt: skip

        self._write("mark readings converted", work)

    def converted_until(self, account: str, plant: str) -> datetime | None:
        """Up to when a plant's readings became actuals (None: never)."""

        def work(session: Session) -> datetime | None:
            return session.scalar(sa.select(sa.func.min(M.converted_until)).where(
                M.account_id == account, M.plant_id == plant))  # fmt: skip

        value = self._read("read the conversion mark", work)
        return None if value is None else (value if value.tzinfo else value.replace(tzinfo=UTC))

    def save_device(self, device: Device, actor: str, rotate: bool = False) -> None:
        """Keep a broker user (its password's hash); ``rotate`` replaces a known one's hash.

        Raises
        ------
        StoreError
            ``conflict`` when the plant (or the ingester) has a user and ``rotate`` is
            False; ``not_found`` when ``rotate`` is True and it has none.
        """
        account = device.account if device.plant is not None else DEFAULT_ACCOUNT
        who = (f"plant {device.plant!r} of account {device.account!r}"
               if device.plant is not None else "the ingester")  # fmt: skip

        def work(session: Session) -> None:
            D = TelemetryDeviceRow
            row = session.get(D, device.username)
            if row is not None and not rotate:
                raise StoreError(f"{who} has a broker user already ({device.username!r}); "
                                 "--rotate gives it a new password", kind="conflict")  # fmt: skip
            if row is None and rotate:
                raise StoreError(f"{who} has no broker user to rotate", kind="not_found")
            if row is None:
                session.add(D(username=device.username, account_id=device.account,
                              plant_id=device.plant, password_hash=device.password_hash,
                              created_at=datetime.now(UTC)))  # fmt: skip
            else:
                row.password_hash, row.created_at = device.password_hash, datetime.now(UTC)
            write_audit(session, "rotate" if rotate else "add", "telemetry_device",
                        device.username, {"plant": device.plant}, actor, account)  # fmt: skip

        self._write(f"save the broker user {device.username!r}", work)

    def devices(self) -> list[Device]:
        """Every broker user, by name."""
        D = TelemetryDeviceRow

        def work(session: Session) -> list[Device]:
            rows = session.scalars(sa.select(D).order_by(D.username))
            return [Device(r.username, r.account_id, r.plant_id, r.password_hash) for r in rows]

        return self._read("read the broker users", work)
