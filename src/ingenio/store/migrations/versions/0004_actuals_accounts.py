"""Actuals belong to an account: each actuals table gets ``account_id``; plant managers
acknowledge published plans (``plan_acknowledgements``).

Every existing production record, downtime event, fuel receipt, fuel draw and
meter reading is given to the management account ``default`` (the one 0003
created and gave every portfolio and plan), as 0003 did for portfolios. Reads
and writes of actuals through the server are then filtered by the account
that manages the portfolio (``ingenio.services.scoped_actuals``).

Import keys stay globally unique: the key of a row of another account than
``default`` hashes the account too (``ingenio.store.actuals_rows.account_key``),
so two tenants recording the same row both keep it, and rows stored before
this revision keep their keys.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    ("production_records", "line_id"),
    ("downtime_events", "line_id"),
    ("fuel_receipts", "plant_or_depot_id"),
    ("fuel_draws", "generator_id"),
    ("meter_readings", "line_id"),
)
"""Each actuals table and its lookup column."""


def upgrade() -> None:
    """Add ``account_id`` (existing rows: ``default``) and an account index to each table."""
    for table, column in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "account_id", sa.String(length=64), nullable=False, server_default="default"
                )
            )
            batch.create_foreign_key(
                f"fk_{table}_account_id_accounts", "accounts", ["account_id"], ["id"]
            )
            batch.create_index(f"ix_{table}_account_id_{column}", ["account_id", column])
    op.create_table(
        "plan_acknowledgements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("plants", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plan_acknowledgements"),
        sa.UniqueConstraint("plan_id", "actor", name="uq_plan_acknowledgements_plan_id_actor"),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name="fk_plan_acknowledgements_plan_id_plans"
        ),
    )
    op.create_index("ix_plan_acknowledgements_plan_id", "plan_acknowledgements", ["plan_id"])


def downgrade() -> None:
    """Drop the account columns (rows of other accounts than ``default`` stay, unscoped)
    and the acknowledgements."""
    op.drop_index("ix_plan_acknowledgements_plan_id", table_name="plan_acknowledgements")
    op.drop_table("plan_acknowledgements")
    for table, column in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_account_id_{column}")
            batch.drop_constraint(f"fk_{table}_account_id_accounts", type_="foreignkey")
            batch.drop_column("account_id")
