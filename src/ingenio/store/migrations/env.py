"""Alembic environment of the Ingenio store.

Ingenio passes its own connection in ``config.attributes["connection"]``
(see :mod:`ingenio.store.migrate`); the migrations then run inside the caller's
transaction, on whatever URL and schema (``search_path``) that connection uses.
Run from the ``alembic`` command line instead, the database is ``-x db=URL_OR_PATH``,
else ``sqlalchemy.url``, else Ingenio's default database.
"""

from __future__ import annotations

from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context

from ingenio.store.settings import resolve_url
from ingenio.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _command_line_url() -> str:
    """Return the database URL when run by the ``alembic`` command."""
    db = context.get_x_argument(as_dictionary=True).get("db")
    return resolve_url(db or config.get_main_option("sqlalchemy.url"))


def run_migrations_offline() -> None:
    """Emit the migrations as SQL (``alembic upgrade --sql``)."""
    context.configure(
        url=_command_line_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the caller's connection, or on one opened here."""
    connection: sa.Connection | None = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = sa.create_engine(_command_line_url(), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as own:
            context.configure(connection=own, target_metadata=target_metadata)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
