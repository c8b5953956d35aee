"""Initial schema: portfolio versions and plans.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``portfolio_versions`` and ``plans``."""
    op.create_table(
        "portfolio_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_portfolio_versions"),
        sa.UniqueConstraint("name", "version", name="uq_portfolio_versions_name_version"),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("portfolio_version_id", sa.Integer(), nullable=False),
        sa.Column("portfolio_name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("planner", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_version_id"],
            ["portfolio_versions.id"],
            name="fk_plans_portfolio_version_id_portfolio_versions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
        sa.UniqueConstraint("portfolio_name", "version", name="uq_plans_portfolio_name_version"),
    )
    op.create_index("ix_plans_portfolio_version_id", "plans", ["portfolio_version_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_plans_portfolio_version_id", table_name="plans")
    op.drop_table("plans")
    op.drop_table("portfolio_versions")
