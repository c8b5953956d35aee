"""What the server's edges (API, worker) take from below the services: the store and errors.

The edges import only ``ingenio.services`` and ``ingenio.domain``; this module is
their one door to opening the store.
"""

from __future__ import annotations

from ingenio.errors import IngenioError
from ingenio.store import Store, resolve_url
from ingenio.store.accounts_repo import UserRecord
from ingenio.store.audit import AuditEntry, current_actor
from ingenio.store.jobs_repo import JobRecord

__all__ = [
    "AuditEntry",
    "IngenioError",
    "JobRecord",
    "Store",
    "UserRecord",
    "database_url",
    "local_actor",
    "open_store",
    "password_setting",
]


def password_setting() -> str | None:
    """``INGENIO_PASSWORD`` (through the settings), or None when unset."""
    from ingenio.settings import load_settings

    secret = load_settings().password
    return secret.get_secret_value() if secret is not None and secret.get_secret_value() else None


def local_actor() -> str:
    """Who acts at the command line, for the audit log (``INGENIO_ACTOR`` or the OS user)."""
    return current_actor()


def open_store(db: str | None) -> Store:
    """Open the store named by ``db`` (a URL, a SQLite path, or None for the default),
    applying the migrations.

    Raises
    ------
    IngenioError
        Kind ``unavailable`` when the database cannot be reached or migrated.
    """
    return Store.open(resolve_url(db))


def database_url(db: str | None) -> str:
    """The full URL of the store named by ``db`` (password included: for child processes'
    environment, never for a log)."""
    return resolve_url(db)
