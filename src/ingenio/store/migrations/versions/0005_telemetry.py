"""Telemetry: meters, readings, grid and generator states, gaps, quarantine, counters
and replan suggestions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ID = sa.String(length=200)
_ACCOUNT = sa.String(length=64)


def _time(name: str, nullable: bool = False) -> sa.Column[Any]:
    """A timestamp column (UTC)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create the telemetry tables; on PostgreSQL, a BRIN index on the readings' time."""
    op.create_table(
        "telemetry_meters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", _ACCOUNT, nullable=False),
        sa.Column("plant_id", _ID, nullable=False),
        sa.Column("line_id", _ID, nullable=False),
        sa.Column("meter_id", _ID, nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        _time("last_ts", True),
        sa.Column("last_kwh", sa.Float(), nullable=True),
        sa.Column("last_count", sa.Float(), nullable=True),
        _time("converted_until", True),
        sa.PrimaryKeyConstraint("id", name="pk_telemetry_meters"),
        sa.UniqueConstraint("account_id", "plant_id", "line_id", "meter_id",
                            name="uq_telemetry_meters_topic"),
    )  # fmt: skip
    op.create_table(
        "telemetry_readings",
        sa.Column("meter", sa.Integer(), nullable=False),
        _time("ts"),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("kwh_total", sa.Float(), nullable=True),
        sa.Column("kw", sa.Float(), nullable=True),
        sa.Column("count", sa.Float(), nullable=True),
        sa.Column("historical", sa.Boolean(), nullable=False),
        sa.Column("reset", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("meter", "ts", name="pk_telemetry_readings"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_telemetry_readings_ts_brin ON telemetry_readings USING brin (ts)"
        )
    op.create_table(
        "telemetry_grid",
        sa.Column("account_id", _ACCOUNT, nullable=False),
        sa.Column("plant_id", _ID, nullable=False),
        _time("ts"),
        sa.Column("on", sa.Boolean(), nullable=False),
        sa.Column("voltage", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "plant_id", "ts", name="pk_telemetry_grid"),
    )
    op.create_table(
        "telemetry_generators",
        sa.Column("account_id", _ACCOUNT, nullable=False),
        sa.Column("plant_id", _ID, nullable=False),
        sa.Column("generator_id", _ID, nullable=False),
        _time("ts"),
        sa.Column("running", sa.Boolean(), nullable=False),
        sa.Column("kw", sa.Float(), nullable=False),
        sa.Column("tank_litres", sa.Float(), nullable=True),
        sa.Column("run_hours", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "plant_id", "generator_id", "ts",
                                name="pk_telemetry_generators"),
    )  # fmt: skip
    op.create_table(
        "telemetry_gaps",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("meter", sa.Integer(), nullable=False),
        sa.Column("from_seq", sa.BigInteger(), nullable=False),
        sa.Column("to_seq", sa.BigInteger(), nullable=False),
        _time("after_ts", True),
        _time("before_ts", True),
        _time("detected_at"),
        _time("closed_at", True),
        sa.PrimaryKeyConstraint("id", name="pk_telemetry_gaps"),
    )
    op.create_index("ix_telemetry_gaps_meter_closed_at", "telemetry_gaps", ["meter", "closed_at"])
    op.create_table(
        "telemetry_quarantine",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        _time("received_at"),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_telemetry_quarantine"),
    )
    op.create_index(
        "ix_telemetry_quarantine_received_at", "telemetry_quarantine", ["received_at"]
    )
    op.create_table(
        "telemetry_counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_telemetry_counters"),
    )
    op.create_table(
        "replan_suggestions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", _ACCOUNT, nullable=False),
        sa.Column("portfolio_name", sa.String(length=200), nullable=False),
        sa.Column("plant_id", _ID, nullable=False),
        _time("outage_start"),
        _time("outage_end", True),
        _time("detected_at"),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("preview", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        _time("decided_at", True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_replan_suggestions"),
    )
    op.create_index("ix_replan_suggestions_status", "replan_suggestions", ["status"])


def downgrade() -> None:
    """Drop the telemetry tables."""
    op.drop_index("ix_replan_suggestions_status", table_name="replan_suggestions")
    op.drop_table("replan_suggestions")
    op.drop_table("telemetry_counters")
    op.drop_index("ix_telemetry_quarantine_received_at", table_name="telemetry_quarantine")
    op.drop_table("telemetry_quarantine")
    op.drop_index("ix_telemetry_gaps_meter_closed_at", table_name="telemetry_gaps")
    op.drop_table("telemetry_gaps")
    op.drop_table("telemetry_generators")
    op.drop_table("telemetry_grid")
    op.drop_table("telemetry_readings")  # its BRIN index goes with it
    op.drop_table("telemetry_meters")
