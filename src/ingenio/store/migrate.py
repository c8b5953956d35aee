"""Run the store's Alembic migrations from Python, on a connection the caller owns."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

_HERE = Path(__file__).resolve().parent

_PG_MIGRATION_LOCK = 0x1A6E4E10
"""Key of the PostgreSQL advisory lock that serialises concurrent migrations."""


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """Return the Alembic configuration of the installed package.

    Parameters
    ----------
    connection : sqlalchemy.Connection, optional
        When given, the migrations run on it (and inside its transaction).

    Returns
    -------
    alembic.config.Config
        A configuration whose ``script_location`` is the package's ``migrations`` folder.
    """
    config = Config(str(_HERE / "alembic.ini"))
    config.set_main_option("script_location", str(_HERE / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """Return the newest revision the package ships.

    Returns
    -------
    str
        The head revision identifier.
    """
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a revision
        raise RuntimeError("the store ships no migrations")
    return head


def upgrade(connection: sa.Connection) -> None:
    """Bring the schema on ``connection`` up to the newest revision.

    Safe to call on an up-to-date database (it does nothing). The caller owns
    the transaction: the migrations commit or roll back with it. On PostgreSQL
    an advisory lock stops two processes migrating the same database at once.

    Parameters
    ----------
    connection : sqlalchemy.Connection
        A connection inside a transaction.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
        )
    command.upgrade(alembic_config(connection), "head")
