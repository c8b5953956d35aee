"""Engines and driver errors: the backend-specific plumbing of the store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

WRITE_OPTION = "ingenio_write"
"""Execution option marking a write transaction (``BEGIN IMMEDIATE`` on SQLite)."""

WRITE_OPTIONS: Mapping[str, Any] = {WRITE_OPTION: True}
"""Execution options of a write transaction."""


def create_engine(url: str) -> sa.Engine:
    """Create the engine of a store.

    SQLite engines enforce foreign keys and begin transactions explicitly, write
    transactions with ``BEGIN IMMEDIATE`` so concurrent writers queue instead of
    failing; an in-memory SQLite database is shared by all connections.

    Parameters
    ----------
    url : str
        A SQLAlchemy URL.

    Returns
    -------
    sqlalchemy.Engine
        The engine (no connection is made yet).
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True)
    if parsed.database in (None, "", ":memory:"):
        engine = sa.create_engine(
            parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        engine = sa.create_engine(parsed)
    sa.event.listen(engine, "connect", _sqlite_connect)
    sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Enforce foreign keys and let SQLAlchemy, not pysqlite, begin transactions."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    """Begin every transaction explicitly; writers take the write lock up front."""
    write = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def one_line(exc: BaseException, url: str | None = None) -> str:
    """Return an error's message on one line, fit for a user.

    Parameters
    ----------
    exc : BaseException
        The error; for a DBAPI error, the driver's own message is used
        (without SQLAlchemy's hints and SQL).
    url : str, optional
        A URL whose password must not appear in the message.

    Returns
    -------
    str
        The message.
    """
    original = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    text = " ".join(str(original).split()) or type(original).__name__
    if url is not None:
        try:
            password = sa.make_url(url).password
        except (sa.exc.ArgumentError, ValueError):
            password = None
        if password:
            text = text.replace(str(password), "***")
    return text
