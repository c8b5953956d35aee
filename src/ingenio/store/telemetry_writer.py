"""The ingester's writer: one transaction per batch, readings by COPY on PostgreSQL.

On PostgreSQL the readings go by binary ``COPY`` into a temporary staging table
(``ON COMMIT DELETE ROWS``), then ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``
into ``telemetry_readings``: the database drops a reading whose ``(meter, ts)``
it has, and the statement's row count says how many were new. On SQLite the
same insert goes row by row with ``RETURNING``. In the same transaction: new
meters, grid and generator states, quarantined payloads, gaps opened and
closed, each meter's stream state and the running counters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ingenio.store.errors import StoreError
from ingenio.store.tables import PortfolioVersionRow
from ingenio.store.telemetry_tables import (
    TelemetryCounterRow,
    TelemetryGapRow,
    TelemetryGeneratorRow,
    TelemetryGridRow,
    TelemetryMeterRow,
    TelemetryQuarantineRow,
    TelemetryReadingRow,
)
from ingenio.telemetry.stream import (
    Gap,
    MeterKey,
    MeterState,
    WriteBatch,
    WriteResult,
)

METERS: sa.Table = TelemetryMeterRow.__table__  # type: ignore[assignment]
READINGS: sa.Table = TelemetryReadingRow.__table__  # type: ignore[assignment]
GAPS: sa.Table = TelemetryGapRow.__table__  # type: ignore[assignment]
COUNTERS: sa.Table = TelemetryCounterRow.__table__  # type: ignore[assignment]
GRID: sa.Table = TelemetryGridRow.__table__  # type: ignore[assignment]
GENERATORS: sa.Table = TelemetryGeneratorRow.__table__  # type: ignore[assignment]
QUARANTINE: sa.Table = TelemetryQuarantineRow.__table__  # type: ignore[assignment]
PORTFOLIOS: sa.Table = PortfolioVersionRow.__table__  # type: ignore[assignment]

_STAGE = "telemetry_readings_stage"
_COLUMNS = "meter, ts, seq, kwh_total, kw, count, historical, reset"
_COPY_TYPES = ["int4", "timestamptz", "int8", "float8", "float8", "float8", "bool", "bool"]


def _insert(dialect: str) -> Any:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


class TelemetryWriter:
    """A :class:`ingenio.telemetry.stream.Sink` on the store's database."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._dialect = engine.dialect.name
        if self._dialect not in ("postgresql", "sqlite"):
            raise StoreError(f"telemetry needs SQLite or PostgreSQL, not {self._dialect}")
        self._conn: sa.Connection | None = None
        self._ids: dict[MeterKey, int] = {}
        self._gap_ids: dict[Gap, int] = {}

    def _connection(self) -> sa.Connection:
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self._engine.connect()
            if self._dialect == "postgresql":
                with self._conn.begin():
                    self._conn.exec_driver_sql(
                        f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} "
                        "(LIKE telemetry_readings) ON COMMIT DELETE ROWS"
                    )
        return self._conn

    def close(self) -> None:
        """Release the writer's connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def load(self) -> tuple[dict[MeterKey, MeterState], list[Gap]]:
        """Every meter's stream state, and the gaps still open."""
        conn = self._connection()
        states: dict[MeterKey, MeterState] = {}
        by_id: dict[int, MeterKey] = {}
        with conn.begin():
            for row in conn.execute(sa.select(METERS)):
                key = MeterKey(row.account_id, row.plant_id, row.line_id, row.meter_id)
                self._ids[key], by_id[row.id] = row.id, key
                states[key] = MeterState(row.last_seq, row.last_ts, row.last_kwh, row.last_count)
            gaps = []
            for g in conn.execute(sa.select(GAPS).where(GAPS.c.closed_at.is_(None))):
                gap = Gap(by_id[g.meter], g.from_seq, g.to_seq, g.after_ts, g.before_ts)
                self._gap_ids[gap] = g.id
                gaps.append(gap)
        return states, gaps

    def plant_owners(self) -> dict[str, frozenset[str]]:
        """Each account's plants: those of the latest version of each of its portfolios."""
        pv = PORTFOLIOS.c
        latest = (sa.select(pv.account_id, pv.name, sa.func.max(pv.version).label("version"))
                  .group_by(pv.account_id, pv.name).subquery())  # fmt: skip
        query = sa.select(pv.account_id, pv.document).join(latest, sa.and_(
            pv.account_id == latest.c.account_id, pv.name == latest.c.name,
            pv.version == latest.c.version))  # fmt: skip
        conn = self._connection()
        try:
            with conn.begin():
                rows = conn.execute(query).all()
        except sa.exc.SQLAlchemyError:
            self.close()  # the next call connects again
            raise
        owners: dict[str, set[str]] = {}
        for account, document in rows:
            plants = document.get("plants") if isinstance(document, dict) else None
            held = owners.setdefault(account, set())
            for plant in plants if isinstance(plants, list) else ():
                if isinstance(plant, dict) and isinstance(plant.get("id"), str):
                    held.add(plant["id"])
        return {account: frozenset(plants) for account, plants in owners.items()}

    def write(self, batch: WriteBatch) -> WriteResult:
        """Write a batch in one transaction (see the module notes)."""
        conn = self._connection()
        try:
            with conn.begin():
                result = self._write(conn, batch)
        except sa.exc.SQLAlchemyError:
            self.close()
            for gap in batch.new_gaps:
                self._gap_ids.pop(gap, None)
            raise
        return result

    def _write(self, conn: sa.Connection, batch: WriteBatch) -> WriteResult:
        now = datetime.now(UTC)
        ids = self._ids
        keys = set(batch.states) | {row.meter for row in batch.readings if row.meter not in ids}
        keys |= {gap.meter for gap in batch.new_gaps}
        self._meter_ids(conn, keys - set(self._ids))
        stored = self._readings(conn, batch) if batch.readings else 0
        insert = _insert(self._dialect)
        if batch.grid:
            rows = [{"account_id": g.account, "plant_id": g.plant, "ts": g.state.ts,
                     "on": g.state.on, "voltage": g.state.voltage} for g in batch.grid]  # fmt: skip
            conn.execute(insert(GRID).on_conflict_do_nothing(), rows)
        if batch.generators:
            rows = [{"account_id": g.account, "plant_id": g.plant, "generator_id": g.generator,
                     "ts": g.state.ts, "running": g.state.running, "kw": g.state.kw,
                     "tank_litres": g.state.tank_litres, "run_hours": g.state.run_hours}
                    for g in batch.generators]  # fmt: skip
            conn.execute(insert(GENERATORS).on_conflict_do_nothing(), rows)
        if batch.quarantined:
            conn.execute(sa.insert(QUARANTINE), [
                {"received_at": now, "topic": q.topic[:1000], "payload": q.payload,
                 "reason": q.reason[:2000]} for q in batch.quarantined])  # fmt: skip
        new_ids: dict[Gap, int] = {}
        for gap in batch.new_gaps:
            new_ids[gap] = conn.execute(sa.insert(GAPS).returning(GAPS.c.id), {
                "meter": self._ids[gap.meter], "from_seq": gap.from_seq, "to_seq": gap.to_seq,
                "after_ts": gap.after_ts, "before_ts": gap.before_ts, "detected_at": now,
            }).scalar_one()  # fmt: skip
        self._gap_ids.update(new_ids)
        closed = tuple(g for g in batch.touched_gaps if self._filled(conn, g))
        for gap in closed:
            conn.execute(GAPS.update().where(GAPS.c.id == self._gap_ids[gap])
                         .values(closed_at=now))  # fmt: skip
        if batch.states:
            self._states(conn, batch)
        duplicates = len(batch.readings) - stored
        self._count(conn, {"readings": stored, "duplicates_dropped": duplicates,
                           "quarantined": len(batch.quarantined)})  # fmt: skip
        for gap in closed:
            self._gap_ids.pop(gap, None)
        return WriteResult(stored, duplicates, closed)

    def _meter_ids(self, conn: sa.Connection, keys: set[MeterKey]) -> None:
        for key in sorted(keys):
            values = {"account_id": key.account, "plant_id": key.plant, "line_id": key.line,
                      "meter_id": key.meter, "last_seq": 0}  # fmt: skip
            conn.execute(_insert(self._dialect)(METERS).on_conflict_do_nothing(), values)
            query = sa.select(METERS.c.id).where(
                METERS.c.account_id == key.account, METERS.c.plant_id == key.plant,
                METERS.c.line_id == key.line, METERS.c.meter_id == key.meter,
            )  # fmt: skip
            self._ids[key] = conn.execute(query).scalar_one()

    def _readings(self, conn: sa.Connection, batch: WriteBatch) -> int:
        ids = self._ids
        if self._dialect == "postgresql":
            raw = conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cur:
                with cur.copy(f"COPY {_STAGE} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(_COPY_TYPES)
                    for row in batch.readings:
                        r = row.reading
                        copy.write_row((ids[row.meter], r.ts, r.seq, r.kwh_total, r.kw, r.count,
                                        r.historical, r.reset))  # fmt: skip
                cur.execute(f"INSERT INTO telemetry_readings ({_COLUMNS}) SELECT {_COLUMNS} "
                            f"FROM {_STAGE} ON CONFLICT DO NOTHING")  # fmt: skip
                # the staging table empties itself at the commit (ON COMMIT DELETE ROWS)
                return int(cur.rowcount)
        rows = [{"meter": ids[row.meter], "ts": row.reading.ts, "seq": row.reading.seq,
                 "kwh_total": row.reading.kwh_total, "kw": row.reading.kw,
                 "count": row.reading.count, "historical": row.reading.historical,
                 "reset": row.reading.reset} for row in batch.readings]  # fmt: skip
        stmt = sqlite.insert(READINGS).on_conflict_do_nothing().returning(READINGS.c.meter)
        return sum(len(conn.execute(stmt, [r]).all()) for r in rows)

    def _states(self, conn: sa.Connection, batch: WriteBatch) -> None:
        """Each moved meter's stream state: on PostgreSQL one statement over arrays (a
        batch of single readings moves every meter, and a statement per meter cost more
        than the readings' COPY)."""
        ids = self._ids
        if self._dialect == "postgresql":
            rows = [(ids[key], st.last_seq, st.last_ts, st.last_kwh, st.last_count)
                    for key, st in batch.states.items()]  # fmt: skip
            columns = [list(column) for column in zip(*rows, strict=True)]
            raw = conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cur:
                cur.execute(
                    "UPDATE telemetry_meters AS m SET last_seq = v.s, last_ts = v.t, "
                    "last_kwh = v.k, last_count = v.c FROM unnest(%s::int4[], %s::int8[], "
                    "%s::timestamptz[], %s::float8[], %s::float8[]) AS v(mid, s, t, k, c) "
                    "WHERE m.id = v.mid", columns)  # fmt: skip
            return
        conn.execute(
            METERS.update().where(METERS.c.id == sa.bindparam("mid")).values(
                last_seq=sa.bindparam("s"), last_ts=sa.bindparam("t"),
                last_kwh=sa.bindparam("k"), last_count=sa.bindparam("c")),
            [{"mid": ids[key], "s": st.last_seq, "t": st.last_ts, "k": st.last_kwh,
              "c": st.last_count} for key, st in batch.states.items()],
        )  # fmt: skip

    def _filled(self, conn: sa.Connection, gap: Gap) -> bool:
        query = sa.select(sa.func.count()).select_from(READINGS).where(
            READINGS.c.meter == self._ids[gap.meter],
            READINGS.c.seq.between(gap.from_seq, gap.to_seq))
        if gap.after_ts is not None:
            query = query.where(READINGS.c.ts > gap.after_ts)
        if gap.before_ts is not None:
            query = query.where(READINGS.c.ts < gap.before_ts)  # fmt: skip
        return int(conn.execute(query).scalar_one()) >= gap.size

    def _count(self, conn: sa.Connection, add: dict[str, int]) -> None:
        rows = [{"name": k, "value": v} for k, v in add.items() if v]
        if not rows:
            return
        stmt = _insert(self._dialect)(COUNTERS)
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"], set_={"value": COUNTERS.c.value + stmt.excluded.value}
        )
        conn.execute(stmt, rows)
