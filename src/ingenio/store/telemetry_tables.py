"""The telemetry tables (migration 0005): meters, readings, states, gaps, quarantine,
counters and replan suggestions.

``telemetry_readings`` is the big one: a year of minute readings of 50 meters is
26 million rows, so its key is ``(meter, ts)`` with ``meter`` a small integer
(``telemetry_meters.id``), no surrogate id, and a BRIN index on ``ts`` on
PostgreSQL (a few pages for the whole table). It has no foreign key: the ingester
creates meters before it writes their readings, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ingenio.store.tables import Base, BigId, UTCDateTime

_ID = sa.String(200)


class TelemetryMeterRow(Base):
    """A meter named by its topic, and what the ingester last accepted from it."""

    __tablename__ = "telemetry_meters"
    __table_args__ = (
        sa.UniqueConstraint("account_id", "plant_id", "line_id", "meter_id",
                            name="uq_telemetry_meters_topic"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    plant_id: Mapped[str] = mapped_column(_ID, nullable=False)
    line_id: Mapped[str] = mapped_column(_ID, nullable=False)
    meter_id: Mapped[str] = mapped_column(_ID, nullable=False)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    last_ts: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_kwh: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    last_count: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    converted_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TelemetryReadingRow(Base):
    """One reading of a meter."""

    __tablename__ = "telemetry_readings"

    meter: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    kwh_total: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    kw: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    count: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    historical: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    reset: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)


class TelemetryGridRow(Base):
    """The grid at a plant at one moment."""

    __tablename__ = "telemetry_grid"

    account_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    plant_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    on: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    voltage: Mapped[float | None] = mapped_column(sa.Float, nullable=True)


class TelemetryGeneratorRow(Base):
    """A generator and the plant's tank at one moment."""

    __tablename__ = "telemetry_generators"

    account_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    plant_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    generator_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    running: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    kw: Mapped[float] = mapped_column(sa.Float, nullable=False)
    tank_litres: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    run_hours: Mapped[float | None] = mapped_column(sa.Float, nullable=True)


class TelemetryGapRow(Base):
    """Readings of a meter that did not arrive; ``closed_at`` once they all have."""

    __tablename__ = "telemetry_gaps"
    __table_args__ = (sa.Index("ix_telemetry_gaps_meter_closed_at", "meter", "closed_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    meter: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    from_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    to_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    after_ts: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    before_ts: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TelemetryQuarantineRow(Base):
    """A message (or one reading of it) refused, with the reason."""

    __tablename__ = "telemetry_quarantine"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    topic: Mapped[str] = mapped_column(sa.Text, nullable=False)
    payload: Mapped[str] = mapped_column(sa.Text, nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)


class TelemetryCounterRow(Base):
    """A running total of the ingester: readings, duplicates_dropped, quarantined."""

    __tablename__ = "telemetry_counters"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)


class ReplanSuggestionRow(Base):
    """A grid loss seen by the meters, outside any announced outage: replan this plant?"""

    __tablename__ = "replan_suggestions"
    __table_args__ = (sa.Index("ix_replan_suggestions_status", "status"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    portfolio_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    plant_id: Mapped[str] = mapped_column(_ID, nullable=False)
    outage_start: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    outage_end: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    evidence: Mapped[str] = mapped_column(sa.Text, nullable=False)
    preview: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    decided_by: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    plan_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


class TelemetryDeviceRow(Base):
    """An MQTT user of the broker: a plant's device, or the ingester (``plant_id`` NULL).

    Only the password's hash is kept (Mosquitto's PBKDF2-SHA512 ``$7$`` format, the
    line the broker's password file takes as it is); the password is shown once.
    """

    __tablename__ = "telemetry_devices"
    __table_args__ = (
        sa.UniqueConstraint("account_id", "plant_id", name="uq_telemetry_devices_plant"),
    )

    username: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    account_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    plant_id: Mapped[str | None] = mapped_column(_ID, nullable=True)
    password_hash: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
