"""Telemetry devices: a broker user per plant (and the ingester's), the password's hash.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telemetry_devices",
        sa.Column("username", sa.String(length=300), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("plant_id", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", name="pk_telemetry_devices"),
        sa.UniqueConstraint("account_id", "plant_id", name="uq_telemetry_devices_plant"),
    )


def downgrade() -> None:
    op.drop_table("telemetry_devices")
