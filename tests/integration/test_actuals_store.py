"""Actuals and the audit log in the store, on SQLite and PostgreSQL (a fresh schema per test)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from ingenio.operations.actuals import (
    ActualsBatch,
    DowntimeCause,
    DowntimeEvent,
    FuelDraw,
    FuelReceipt,
    MeterReading,
    ProductionRecord,
)
from ingenio.store import Store, StoreError, actuals_repo, repository
from ingenio.store.actuals_rows import Kind
from ingenio.store.engine import create_engine
from ingenio.store.migrate import alembic_config, head_revision
from ingenio.store.tables import MeterReadingRow

T0 = datetime(2026, 4, 6, 12, 0, tzinfo=UTC)  # 08:00 in Havana (UTC-4)
HAVANA = timezone(timedelta(hours=-4))


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


PRODUCTION = (
    ProductionRecord("R1", "rebar", "O1", 400, 10, h(0), h(6)),
    ProductionRecord("R2", "rebar", None, 50, 0, h(1), h(2)),
    ProductionRecord("R1", "wire", "O2", 30, 1, h(24), h(26)),
)
DOWNTIME = (
    DowntimeEvent("R1", DowntimeCause.GRID_OUTAGE, h(6), h(10), "bloque 1"),
    DowntimeEvent("R2", DowntimeCause.NO_FUEL, h(3), h(4)),
    DowntimeEvent("R1", DowntimeCause.BREAKDOWN, h(30), h(31), "bearing"),
)
RECEIPTS = (FuelReceipt("P1", 12000, h(2), "tanker T-7"), FuelReceipt("D1", 30000, h(48)))
DRAWS = (FuelDraw("G1", 180, h(5)), FuelDraw("G2", 40.5, h(7)))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def audit_rows(url: str) -> int:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(sa.text("SELECT count(*) FROM audit_log")) or 0)
    finally:
        engine.dispose()


def readings(line: str, n: int, start: int = 0) -> Iterator[MeterReading]:
    for i in range(start, start + n):
        yield MeterReading(line, T0 + timedelta(minutes=i), 300.0 + i % 7, 1000.0 + 5.0 * i)


# -- add and query ------------------------------------------------------------------------


def test_each_kind_round_trips(store: Store) -> None:
    assert store.add_production(PRODUCTION) == 3
    assert store.add_downtime(DOWNTIME) == 3
    assert store.add_fuel_receipt(RECEIPTS) == 2
    assert store.add_fuel_draw(DRAWS) == 2
    assert store.add_meter_readings(readings("R1", 10)) == 10

    assert store.list_production() == sorted(PRODUCTION, key=lambda r: r.start)
    assert store.list_downtime() == sorted(DOWNTIME, key=lambda e: e.start)
    assert store.list_fuel_receipts() == list(RECEIPTS)
    assert store.list_fuel_draws() == list(DRAWS)
    assert store.list_meter_readings() == list(readings("R1", 10))
    first = store.list_production()[0]
    assert first.start.tzinfo is UTC and isinstance(store.list_downtime()[0].cause, DowntimeCause)
    assert store.actuals_counts() == {
        "production": 3,
        "downtime": 3,
        "fuel_receipts": 2,
        "fuel_draws": 2,
        "meter_readings": 10,
    }


def test_one_record_or_many(store: Store) -> None:
    assert store.add_downtime(DOWNTIME[0]) == 1
    assert store.add_fuel_receipt(RECEIPTS[0]) == 1
    assert store.add_fuel_draw(DRAWS[0]) == 1
    assert store.add_downtime([]) == 0


def test_queries_filter_by_line_period_and_more(store: Store) -> None:
    store.add_production(PRODUCTION)
    store.add_downtime(DOWNTIME)
    store.add_fuel_receipt(RECEIPTS)
    store.add_fuel_draw(DRAWS)
    store.add_meter_readings(readings("R1", 60))
    store.add_meter_readings(readings("R2", 60))

    assert store.list_production("R2") == [PRODUCTION[1]]
    assert store.list_production(["R1"], since=h(5), until=h(25)) == [PRODUCTION[0], PRODUCTION[2]]
    assert store.list_production(orders=["O2"]) == [PRODUCTION[2]]
    # A period overlaps the window [since, until): touching at an end is not overlapping.
    assert store.list_downtime(since=h(10), until=h(30)) == []
    assert store.list_downtime(since=h(9), until=h(31)) == [DOWNTIME[0], DOWNTIME[2]]
    assert store.list_downtime(causes="no_fuel") == [DOWNTIME[1]]
    assert store.list_fuel_receipts("D1") == [RECEIPTS[1]]
    assert store.list_fuel_receipts(since=h(2), until=h(48)) == [RECEIPTS[0]]
    assert store.list_fuel_draws(["G2"]) == [DRAWS[1]]
    window = store.list_meter_readings("R2", since=T0 + timedelta(minutes=10), until=h(0.5))
    assert [r.at for r in window] == [T0 + timedelta(minutes=m) for m in range(10, 30)]
    assert {r.line_id for r in window} == {"R2"}
    with pytest.raises(ValueError, match="time zone"):
        store.list_downtime(since=datetime(2026, 4, 6))


# -- stored once --------------------------------------------------------------------------


def test_adding_the_same_rows_again_adds_nothing(store: Store) -> None:
    assert store.add_production(PRODUCTION, source="a.xlsx:Production") == 3
    assert store.add_production(PRODUCTION, source="a.xlsx:Production") == 0
    # The key is the content, not where it came from nor how a moment is written:
    same = ProductionRecord("R1", "rebar", "O1", 400.0, 10.0, h(0).astimezone(HAVANA), h(6))
    assert store.add_production(same, source="cli") == 0
    changed = ProductionRecord("R1", "rebar", "O1", 401, 10, h(0), h(6))
    assert store.add_production([changed, changed]) == 1
    assert store.actuals_counts()["production"] == 4


def test_meter_readings_in_bulk_count_only_new_rows(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(actuals_repo, "BATCH_ROWS", 1000)
    assert store.add_meter_readings(readings("R1", 4500)) == 4500
    assert store.add_meter_readings(readings("R1", 4500)) == 0
    assert store.add_meter_readings(readings("R1", 3000, start=4000)) == 2500
    assert store.actuals_counts()["meter_readings"] == 7000
    entries = store.audit_entries(entity="meter_readings")
    assert [e.detail["new"] for e in entries] == [4500, 2500]
    assert entries[1].detail["received"] == 3000


def test_a_failing_batch_stores_nothing(
    store: Store, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(actuals_repo, "BATCH_ROWS", 100)
    store.add_meter_readings(readings("R1", 10))
    before, audits = store.actuals_counts(), audit_rows(store_url)

    def broken() -> Iterator[MeterReading]:
        yield from readings("R1", 450, start=10)  # four batches go in first
        raise RuntimeError("meter file cut short")

    with pytest.raises(RuntimeError, match="cut short"):
        store.add_meter_readings(broken())
    assert store.actuals_counts() == before
    assert audit_rows(store_url) == audits


def test_a_batch_of_every_kind_is_one_transaction(
    store: Store, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = ActualsBatch(
        production=PRODUCTION,
        downtime=DOWNTIME,
        fuel_receipts=RECEIPTS,
        fuel_draws=DRAWS,
        meter_readings=tuple(readings("R1", 5)),
        sources={"downtime": "actuals.xlsx:Downtime"},
    )
    good = actuals_repo.METER_READINGS

    def boom(_reading: MeterReading) -> dict[str, Any]:
        raise RuntimeError("injected failure on the last kind")

    monkeypatch.setattr(
        actuals_repo, "METER_READINGS", Kind("meter_readings", MeterReadingRow, boom, good.of_row)
    )
    with pytest.raises(RuntimeError, match="injected"):
        store.add_actuals(batch)
    assert set(store.actuals_counts().values()) == {0}
    assert audit_rows(store_url) == 0

    monkeypatch.setattr(actuals_repo, "METER_READINGS", good)
    new = store.add_actuals(batch, source="actuals.xlsx")
    assert new == batch.counts()
    assert store.add_actuals(batch, source="actuals.xlsx") == dict.fromkeys(new, 0)
    sources = {e.entity: e.entity_id for e in store.audit_entries()}
    assert sources["downtime_events"] == "actuals.xlsx:Downtime"
    assert sources["production_records"] == "actuals.xlsx"


# -- the audit log ------------------------------------------------------------------------


def test_saves_and_additions_are_audited(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGENIO_ACTOR", "planner@meridian")
    pv = store.save_portfolio("acme", {"orders": []}, note="first")
    plan = store.save_plan(pv.id, "dispatch", "feasible", 10.0, None, 0.1, {"x": 1}, {})
    store.add_downtime(DOWNTIME, actor="plant manager R1")

    entries = store.audit_entries()
    assert [(e.action, e.entity, e.entity_id, e.actor) for e in entries] == [
        ("save", "portfolio", "acme", "planner@meridian"),
        ("save", "plan", str(plan.id), "planner@meridian"),
        ("add", "downtime_events", "cli", "plant manager R1"),
    ]
    expected = {"id": pv.id, "version": 1, "checksum": pv.checksum, "note": "first"}
    assert entries[0].detail == expected
    assert entries[1].detail["portfolio"] == "acme" and entries[1].detail["version"] == 1
    assert entries[2].detail == {"new": 3, "received": 3, "source": "cli"}
    assert all(e.at.tzinfo is UTC for e in entries)
    assert [e.entity for e in store.audit_entries(entity="plan")] == ["plan"]
    assert store.audit_entries(since=entries[2].at) == entries[2:]
    assert store.audit_entries(since=datetime.now(UTC) + timedelta(hours=1)) == []


def test_actor_defaults_to_the_os_user(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INGENIO_ACTOR", raising=False)
    monkeypatch.setattr("getpass.getuser", lambda: "maria")
    store.save_portfolio("acme", {})
    entry = store.audit("replan requested", "plan", "7", {"why": "grid down"})
    assert [e.actor for e in store.audit_entries()] == ["maria", "maria"]
    assert entry.detail == {"why": "grid down"}
    monkeypatch.setenv("INGENIO_ACTOR", "   ")
    store.save_portfolio("acme", {})
    assert store.audit_entries()[-1].actor == "maria"


def test_a_failed_save_leaves_no_audit_row(
    store: Store, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(session: Session, _context: Any) -> None:
        raise RuntimeError("injected failure after flush")

    sa.event.listen(Session, "after_flush", boom)
    try:
        with pytest.raises(RuntimeError, match="injected"):
            store.save_portfolio("acme", {"a": 1})
    finally:
        sa.event.remove(Session, "after_flush", boom)
    assert audit_rows(store_url) == 0 and store.portfolio_versions() == []

    # And the other way round: when the audit row cannot be written, nothing is saved.
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise sa.exc.OperationalError("INSERT INTO audit_log", {}, Exception("disk full"))

    monkeypatch.setattr(repository, "write_audit", refuse)
    with pytest.raises(StoreError, match="disk full"):
        store.save_portfolio("acme", {"a": 1})
    assert store.portfolio_versions() == [] and audit_rows(store_url) == 0


# -- migrations ---------------------------------------------------------------------------


def test_upgrade_from_0001_keeps_the_data(store_url: str) -> None:
    engine = create_engine(store_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0001")
            connection.execute(
                sa.text(
                    "INSERT INTO portfolio_versions (name, version, created_at, note, document,"
                    " checksum) VALUES ('acme', 1, :at, 'old', :doc, :sum)"
                ),
                {"at": T0, "doc": '{"a":1}', "sum": repository.checksum({"a": 1})},
            )
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
        assert "portfolio_versions" in tables and "audit_log" not in tables
    finally:
        engine.dispose()

    with Store.open(store_url) as store:
        version, document = store.load_portfolio("acme")
        assert (version.version, version.note, document) == (1, "old", {"a": 1})
        assert store.audit_entries() == [] and set(store.actuals_counts().values()) == {0}
        assert store.add_downtime(DOWNTIME) == 3
        assert store.save_portfolio("acme", {"a": 2}).version == 2

    engine = sa.create_engine(store_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            revision = connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
        assert revision == head_revision()
        with engine.begin() as connection:  # and back down: the 0001 data stays
            command.downgrade(alembic_config(connection), "0001")
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            names = connection.scalars(sa.text("SELECT name FROM portfolio_versions")).all()
        assert "downtime_events" not in tables and "audit_log" not in tables
        assert names == ["acme", "acme"]
    finally:
        engine.dispose()
