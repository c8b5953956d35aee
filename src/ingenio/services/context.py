"""Who acts, on which store, with which settings: the first argument of every service.

An edge builds one :class:`Context` per command (the CLI in its main callback) or per
request (an API later), and passes it to the services. The store opens on first use, so
a command that never touches the database never creates one.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingenio.errors import N_, IngenioError, said
from ingenio.settings import Settings, load_settings
from ingenio.store import Store, resolve_url

__all__ = [
    "Actor",
    "Context",
    "Scope",
    "Store",
    "StoreHandle",
    "cli_context",
    "local_context",
]


@dataclass(frozen=True)
class Scope:
    """What an actor may see and change; ``None`` in a field means "all".

    The CLI's local user has :meth:`everything`; a server puts the tenant's account and
    the enterprises and plants the user may reach.
    """

    account: str | None = None
    enterprises: frozenset[str] | None = None
    plants: frozenset[str] | None = None

    @classmethod
    def everything(cls) -> Scope:
        """The scope of the local user: every account, enterprise and plant."""
        return cls()

    def allows_enterprise(self, enterprise_id: str) -> bool:
        """Whether the enterprise is in scope."""
        return self.enterprises is None or enterprise_id in self.enterprises

    def allows_plant(self, plant_id: str) -> bool:
        """Whether the plant is in scope."""
        return self.plants is None or plant_id in self.plants


@dataclass(frozen=True)
class Actor:
    """Who acts (the name kept in the audit log) and what they may reach."""

    name: str
    scope: Scope = field(default_factory=Scope.everything)


class StoreHandle:
    """The store of a context, opened on first :meth:`get` and closed by :meth:`close`."""

    def __init__(self, opener: Callable[[], Store], url: str | None = None) -> None:
        self._opener = opener
        self._url = url
        self._store: Store | None = None
        self._owned = True

    @classmethod
    def of(cls, store: Store) -> StoreHandle:
        """A handle on a store that is already open (the caller closes it)."""
        handle = cls(lambda: store)
        handle._store, handle._owned = store, False
        return handle

    @classmethod
    def at(cls, db: str | None) -> StoreHandle:
        """A handle on the database named by ``db`` (a URL, a path or None for the default)."""
        url = resolve_url(db)
        return cls(lambda: Store.open(url), url)

    @property
    def opened(self) -> bool:
        """Whether the store has been opened."""
        return self._store is not None

    def get(self) -> Store:
        """The open store (opening it now if needed).

        Raises
        ------
        ingenio.store.StoreError
            Kind ``unavailable`` when the database cannot be reached or migrated.
        """
        if self._store is None:
            self._store = self._opener()
        return self._store

    def existing(self) -> Store:
        """The open store, for a read-only use case: a SQLite file that does not exist is
        an error (``not_found``), never a new empty database.
        """
        if self._store is None and self._url is not None:
            missing = _missing_sqlite_file(self._url)
            if missing is not None:
                raise IngenioError(
                    said(
                        N_(

                                "no Ingenio database at %(missing)s: nothing to show (commands "
                                "that save create it)"

                        ),
                        missing=missing,
                    ),
                    kind="not_found",
                )
        return self.get()

    def close(self) -> None:
        """Close the store if this handle opened it."""
        if self._store is not None and self._owned:
            self._store.close()
            self._store = None


def _missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite URL's file when that file does not exist, else None."""
    import sqlalchemy as sa

    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return None  # Store.open names the bad URL
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return None
    if path.startswith("file:"):
        return None
    return None if Path(path).exists() else path


@dataclass(frozen=True)
class Context:
    """The store, the settings and the acting user of a service call."""

    store: StoreHandle
    settings: Settings
    actor: Actor


def _local_user(settings: Settings) -> str:
    if settings.actor:
        return settings.actor
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError):  # no login name, no passwd entry (some containers)
        return "unknown"


def local_context(settings: Settings, db: str | None = None) -> Context:
    """The context of the command line: the local user, who may see everything.

    ``db`` (the ``--db`` option) wins over ``settings.db``; the store opens on first use.
    """
    return Context(
        store=StoreHandle.at(db if db and db.strip() else settings.db),
        settings=settings,
        actor=Actor(_local_user(settings), Scope.everything()),
    )


def cli_context(db: str | None) -> Context:
    """:func:`local_context` with the settings read from the environment now.

    Raises
    ------
    IngenioError
        ``invalid`` when an ``INGENIO_*`` variable is unknown or its value bad.
    """
    return local_context(load_settings(), db)
