"""Actuals (production, downtime, fuel, meter readings) and the audit log.

Every actuals table has a unique ``import_key`` (a hash of the record kind and
the row's content) so a sheet imported twice stores each row once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-04-01
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ID = sa.String(length=200)


def _time(name: str) -> sa.Column[Any]:
    """A required timestamp column (UTC)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _actuals_table(name: str, index: tuple[str, ...], *columns: sa.Column[Any]) -> None:
    """Create an actuals table: id, its columns, import key, source; unique key; index."""
    op.create_table(
        name,
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        *columns,
        sa.Column("import_key", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        sa.UniqueConstraint("import_key", name=f"uq_{name}_import_key"),
    )
    op.create_index(f"ix_{name}_{'_'.join(index)}", name, list(index))


def upgrade() -> None:
    """Create the five actuals tables and ``audit_log``."""
    _actuals_table(
        "production_records",
        ("line_id", "start"),
        sa.Column("line_id", _ID, nullable=False),
        sa.Column("product_id", _ID, nullable=False),
        sa.Column("order_id", _ID, nullable=True),
        sa.Column("good_qty", sa.Float(), nullable=False),
        sa.Column("scrap_qty", sa.Float(), nullable=False),
        _time("start"),
        _time("end"),
    )
    _actuals_table(
        "downtime_events",
        ("line_id", "start"),
        sa.Column("line_id", _ID, nullable=False),
        sa.Column("cause", sa.String(length=40), nullable=False),
        _time("start"),
        _time("end"),
        sa.Column("note", sa.Text(), nullable=False),
    )
    _actuals_table(
        "fuel_receipts",
        ("plant_or_depot_id", "at"),
        sa.Column("plant_or_depot_id", _ID, nullable=False),
        sa.Column("litres", sa.Float(), nullable=False),
        _time("at"),
        sa.Column("note", sa.Text(), nullable=False),
    )
    _actuals_table(
        "fuel_draws",
        ("generator_id", "at"),
        sa.Column("generator_id", _ID, nullable=False),
        sa.Column("litres", sa.Float(), nullable=False),
        _time("at"),
    )
    _actuals_table(
        "meter_readings",
        ("line_id", "at"),
        sa.Column("line_id", _ID, nullable=False),
        _time("at"),
        sa.Column("kw", sa.Float(), nullable=False),
        sa.Column("kwh", sa.Float(), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        _time("at"),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("entity", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_entity_at", "audit_log", ["entity", "at"])


def downgrade() -> None:
    """Drop the tables this revision created."""
    op.drop_index("ix_audit_log_entity_at", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    for name, index in (
        ("meter_readings", "line_id_at"),
        ("fuel_draws", "generator_id_at"),
        ("fuel_receipts", "plant_or_depot_id_at"),
        ("downtime_events", "line_id_start"),
        ("production_records", "line_id_start"),
    ):
        op.drop_index(f"ix_{name}_{index}", table_name=name)
        op.drop_table(name)
