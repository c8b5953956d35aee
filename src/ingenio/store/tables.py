"""The store's tables: append-only, versioned JSON documents.

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


class Base(DeclarativeBase):
    """Declarative base of the store's models."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class PortfolioVersionRow(Base):
    """One saved version of a named portfolio document."""

    __tablename__ = "portfolio_versions"
    __table_args__ = (sa.UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
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
    __table_args__ = (sa.UniqueConstraint("portfolio_name", "version"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
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
