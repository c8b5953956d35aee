"""The store's tables: versioned JSON documents, actuals and the audit log.

Rows are only ever inserted. A portfolio saved again under the same name
becomes version ``n + 1``; every plan is numbered within its portfolio's name.
The schema itself is created by the Alembic migrations in ``migrations/``;
these models must agree with them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Constraint names shared by the models and the migrations."""


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored and returned in UTC, whatever the backend.

    SQLite keeps no offset, so values are written as naive UTC and read back
    with ``tzinfo=UTC``; PostgreSQL's ``timestamptz`` is converted to UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to UTC before it is written (naive ones are refused)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return the stored timestamp as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


DEFAULT_ACCOUNT = "default"
"""The management account that migration 0003 gives every existing portfolio and plan."""


class Base(DeclarativeBase):
    """Declarative base of the store's models."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class PortfolioVersionRow(Base):
    """One saved version of a named portfolio document."""

    __tablename__ = "portfolio_versions"
    __table_args__ = (
        sa.UniqueConstraint(
            "account_id", "name", "version", name="uq_portfolio_versions_account_name_version"
        ),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("accounts.id"), nullable=False, default=DEFAULT_ACCOUNT
    )
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    document: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    checksum: Mapped[str] = mapped_column(sa.String(64), nullable=False)


class PlanRow(Base):
    """One saved plan, made from one portfolio version.

    ``portfolio_name`` repeats the portfolio's name so that the database itself
    guarantees plan versions are unique per name.
    """

    __tablename__ = "plans"
    __table_args__ = (
        sa.UniqueConstraint(
            "account_id", "portfolio_name", "version", name="uq_plans_account_portfolio_version"
        ),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("accounts.id"), nullable=False, default=DEFAULT_ACCOUNT
    )
    portfolio_version_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("portfolio_versions.id"), nullable=False, index=True
    )
    portfolio_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    planner: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(sa.Text, nullable=False)
    value: Mapped[float] = mapped_column(sa.Float, nullable=False)
    bound: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    seconds: Mapped[float] = mapped_column(sa.Float, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    document: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)


# -- actuals and the audit log (migration 0002) -------------------------------------------

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""A 64-bit key; plain ``INTEGER`` on SQLite, where only that auto-increments."""

IMPORT_KEY_LENGTH = 32
"""Hex digits of an import key (128 bits of SHA-256)."""


def _actual_table_args(table: str, *index: str) -> tuple[sa.schema.SchemaItem, ...]:
    """The unique import key and the lookup index of an actuals table."""
    return (
        sa.UniqueConstraint("import_key", name=f"uq_{table}_import_key"),
        sa.Index(f"ix_{table}_{'_'.join(index)}", *index),
        sa.Index(f"ix_{table}_account_id_{index[0]}", "account_id", index[0]),
    )


class _ActualRow:
    """Columns every actuals table has.

    ``import_key`` hashes the record kind and the row's content, so the same
    row read twice (a sheet imported again) is stored once; ``source`` says
    where the row came from (``actuals.xlsx:Downtime``, ``cli``); ``account_id``
    is the management account whose plants the row is about (migration 0004).
    """

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True, sort_order=-1)
    import_key: Mapped[str] = mapped_column(sa.String(IMPORT_KEY_LENGTH), nullable=False)
    source: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    account_id: Mapped[str] = mapped_column(
        sa.String(64),
        sa.ForeignKey("accounts.id"),
        nullable=False,
        default=DEFAULT_ACCOUNT,
        server_default=DEFAULT_ACCOUNT,
    )


class ProductionRecordRow(_ActualRow, Base):
    """Units a line made during ``[start, end)``."""

    __tablename__ = "production_records"
    __table_args__ = _actual_table_args("production_records", "line_id", "start")

    line_id: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    product_id: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    order_id: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    good_qty: Mapped[float] = mapped_column(sa.Float, nullable=False)
    scrap_qty: Mapped[float] = mapped_column(sa.Float, nullable=False)
    start: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    end: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class DowntimeEventRow(_ActualRow, Base):
    """A line standing still during ``[start, end)``, and why."""

    __tablename__ = "downtime_events"
    __table_args__ = _actual_table_args("downtime_events", "line_id", "start")

    line_id: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    cause: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    start: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    end: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False)


class FuelReceiptRow(_ActualRow, Base):
    """Litres received into a plant's tank or a depot."""

    __tablename__ = "fuel_receipts"
    __table_args__ = _actual_table_args("fuel_receipts", "plant_or_depot_id", "at")

    plant_or_depot_id: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    litres: Mapped[float] = mapped_column(sa.Float, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False)


class FuelDrawRow(_ActualRow, Base):
    """Litres a generator drew from its tank."""

    __tablename__ = "fuel_draws"
    __table_args__ = _actual_table_args("fuel_draws", "generator_id", "at")

    generator_id: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    litres: Mapped[float] = mapped_column(sa.Float, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class MeterReadingRow(_ActualRow, Base):
    """A line's power meter at one moment (kW demand, cumulative kWh register)."""

    __tablename__ = "meter_readings"
    __table_args__ = _actual_table_args("meter_readings", "line_id", "at")

    line_id: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    kw: Mapped[float] = mapped_column(sa.Float, nullable=False)
    kwh: Mapped[float] = mapped_column(sa.Float, nullable=False)


class AuditRow(Base):
    """Who changed what, when: written in the same transaction as the change."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_entity_at", "entity", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    actor: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    account_id: Mapped[str] = mapped_column(
        sa.String(64), nullable=False, default=DEFAULT_ACCOUNT, index=True
    )
    action: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    entity: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    entity_id: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)


# -- accounts, users, sessions, tokens, plan lifecycle and jobs (migration 0003) -----------

ACCOUNT_KINDS = ("management", "owner")
"""A management company runs plants; an owner (an enterprise's state owner) reads its own."""

ROLES = ("admin", "planner", "plant_manager", "auditor", "integrator")
"""The roles a user may hold inside an account."""

PLAN_STATES = ("draft", "approved", "published")
"""A plan's lifecycle, in order."""

JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
"""A job's statuses; ``queued`` and ``running`` are live."""


class AccountRow(Base):
    """A tenant: the management company or one owner."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class UserRow(Base):
    """A person (or an integration) who signs in; ``plants`` binds a plant manager."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False, unique=True)
    account_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("accounts.id"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    plants: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    language: Mapped[str | None] = mapped_column(sa.String(8), nullable=True)
    """The language the user chose for the web app (None: the browser's)."""


class SessionRow(Base):
    """A signed-in browser: only the SHA-256 of the cookie and of its CSRF token are kept."""

    __tablename__ = "sessions"

    id_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True
    )
    csrf_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ApiTokenRow(Base):
    """An API token (``Authorization: Bearer``): its SHA-256, its scope and its expiry."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    scope: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    revoked: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)


class LoginAttemptRow(Base):
    """A failed sign-in, kept to throttle guessing per account (email) and per address."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_email_at", "email", "at"),
        sa.Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    address: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class EnterpriseOwnerRow(Base):
    """Which owner account owns an enterprise of a management account's portfolio."""

    __tablename__ = "enterprise_owners"

    account_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("accounts.id"), primary_key=True
    )
    portfolio_name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    owner_account_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("accounts.id"), nullable=False, index=True
    )


class PlanStateRow(Base):
    """One step of a plan's lifecycle (append-only: the latest row is the state)."""

    __tablename__ = "plan_states"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("plans.id"), nullable=False, index=True
    )
    state: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(sa.String(200), nullable=False)


class PlanAckRow(Base):
    """A plant manager's acknowledgement of a published plan (migration 0004)."""

    __tablename__ = "plan_acknowledgements"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "actor", name="uq_plan_acknowledgements_plan_id_actor"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("plans.id"), nullable=False, index=True
    )
    actor: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    plants: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class JobRow(Base):
    """A background job (a solve): its request, status, progress, result and claim.

    ``claim`` changes each time a worker takes the job; a worker may finish the
    job only while its claim still stands, so a job taken over after a stall is
    finished once. At most one live (queued or running) job per portfolio.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        sa.Index(
            "uq_jobs_live_portfolio",
            "account_id",
            "portfolio_name",
            unique=True,
            sqlite_where=sa.text("status IN ('queued', 'running')"),
            postgresql_where=sa.text("status IN ('queued', 'running')"),
        ),
        sa.Index("ix_jobs_status_created_at", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("accounts.id"), nullable=False
    )
    portfolio_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    progress: Mapped[float] = mapped_column(sa.Float, nullable=False, default=0.0)
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_by: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    claim: Mapped[str | None] = mapped_column(sa.String(36), nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
