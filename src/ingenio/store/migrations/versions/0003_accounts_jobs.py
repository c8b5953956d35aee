"""Accounts, users, sessions, API tokens, enterprise owners, plan lifecycle and jobs.

Every existing portfolio version and plan is given to the management account
``default``, which this revision creates; the unique keys of versions become
per account, so two tenants may use the same portfolio name.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ACCOUNT = sa.String(length=64)
_LIVE = "status IN ('queued', 'running')"


def _time(name: str, nullable: bool = False) -> sa.Column[Any]:
    """A timestamp column (UTC)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _account_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["accounts.id"], name=f"fk_{table}_{column}_accounts"
    )


def upgrade() -> None:
    """Create the server's tables and give existing data to the ``default`` account."""
    accounts = op.create_table(
        "accounts",
        sa.Column("id", _ACCOUNT, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
    )
    op.bulk_insert(
        accounts,
        [
            {
                "id": "default",
                "name": "Default management account",
                "kind": "management",
                "created_at": datetime.now(UTC),
            }
        ],
    )
    with op.batch_alter_table("portfolio_versions") as batch:
        batch.add_column(
            sa.Column("account_id", _ACCOUNT, nullable=False, server_default="default")
        )
        batch.drop_constraint("uq_portfolio_versions_name_version", type_="unique")
        batch.create_unique_constraint(
            "uq_portfolio_versions_account_name_version", ["account_id", "name", "version"]
        )
        batch.create_foreign_key(
            "fk_portfolio_versions_account_id_accounts", "accounts", ["account_id"], ["id"]
        )
    with op.batch_alter_table("plans") as batch:
        batch.add_column(
            sa.Column("account_id", _ACCOUNT, nullable=False, server_default="default")
        )
        batch.drop_constraint("uq_plans_portfolio_name_version", type_="unique")
        batch.create_unique_constraint(
            "uq_plans_account_portfolio_version", ["account_id", "portfolio_name", "version"]
        )
        batch.create_foreign_key("fk_plans_account_id_accounts", "accounts", ["account_id"], ["id"])
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(
            sa.Column("account_id", _ACCOUNT, nullable=False, server_default="default")
        )
        batch.create_index("ix_audit_log_account_id", ["account_id"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("account_id", _ACCOUNT, nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("plants", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
        _account_fk("account_id", "users"),
    )
    op.create_index("ix_users_account_id", "users", ["account_id"])
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_hash", sa.String(length=64), nullable=False),
        _time("created_at"),
        _time("expires_at"),
        sa.PrimaryKeyConstraint("id_hash", name="pk_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_sessions_user_id_users"),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        _time("created_at"),
        _time("expires_at"),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_api_tokens_user_id_users"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "login_attempts",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        _time("at"),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempts"),
    )
    op.create_index("ix_login_attempts_email_at", "login_attempts", ["email", "at"])
    op.create_index("ix_login_attempts_address_at", "login_attempts", ["address", "at"])
    op.create_table(
        "enterprise_owners",
        sa.Column("account_id", _ACCOUNT, nullable=False),
        sa.Column("portfolio_name", sa.String(length=200), nullable=False),
        sa.Column("enterprise_id", sa.String(length=200), nullable=False),
        sa.Column("owner_account_id", _ACCOUNT, nullable=False),
        sa.PrimaryKeyConstraint(
            "account_id", "portfolio_name", "enterprise_id", name="pk_enterprise_owners"
        ),
        _account_fk("account_id", "enterprise_owners"),
        _account_fk("owner_account_id", "enterprise_owners"),
    )
    op.create_index(
        "ix_enterprise_owners_owner_account_id", "enterprise_owners", ["owner_account_id"]
    )
    op.create_table(
        "plan_states",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        _time("at"),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plan_states"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name="fk_plan_states_plan_id_plans"),
    )
    op.create_index("ix_plan_states_plan_id", "plan_states", ["plan_id"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", _ACCOUNT, nullable=False),
        sa.Column("portfolio_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        _time("created_at"),
        _time("started_at", nullable=True),
        _time("finished_at", nullable=True),
        _time("heartbeat_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim", sa.String(length=36), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        _account_fk("account_id", "jobs"),
    )
    op.create_index(
        "uq_jobs_live_portfolio",
        "jobs",
        ["account_id", "portfolio_name"],
        unique=True,
        sqlite_where=sa.text(_LIVE),
        postgresql_where=sa.text(_LIVE),
    )
    op.create_index("ix_jobs_status_created_at", "jobs", ["status", "created_at"])


def downgrade() -> None:
    """Drop the server's tables and the account columns (data of other accounts is lost)."""
    op.drop_index("ix_jobs_status_created_at", table_name="jobs")
    op.drop_index("uq_jobs_live_portfolio", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index("ix_plan_states_plan_id", table_name="plan_states")
    op.drop_table("plan_states")
    op.drop_index("ix_enterprise_owners_owner_account_id", table_name="enterprise_owners")
    op.drop_table("enterprise_owners")
    op.drop_index("ix_login_attempts_address_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_email_at", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_index("ix_api_tokens_user_id", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index("ix_sessions_user_id", table_name="sessions")
    op.drop_table("sessions")
    op.drop_index("ix_users_account_id", table_name="users")
    op.drop_table("users")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index("ix_audit_log_account_id")
        batch.drop_column("account_id")
    op.execute(sa.text("DELETE FROM plans WHERE account_id <> 'default'"))
    op.execute(sa.text("DELETE FROM portfolio_versions WHERE account_id <> 'default'"))
    with op.batch_alter_table("plans") as batch:
        batch.drop_constraint("fk_plans_account_id_accounts", type_="foreignkey")
        batch.drop_constraint("uq_plans_account_portfolio_version", type_="unique")
        batch.create_unique_constraint(
            "uq_plans_portfolio_name_version", ["portfolio_name", "version"]
        )
        batch.drop_column("account_id")
    with op.batch_alter_table("portfolio_versions") as batch:
        batch.drop_constraint("fk_portfolio_versions_account_id_accounts", type_="foreignkey")
        batch.drop_constraint("uq_portfolio_versions_account_name_version", type_="unique")
        batch.create_unique_constraint(
            "uq_portfolio_versions_name_version", ["name", "version"]
        )
        batch.drop_column("account_id")
    op.drop_table("accounts")
