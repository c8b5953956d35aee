"""The plumbing every part of the store shares: opening, closing, read and write transactions."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

import sqlalchemy as sa
from alembic.util.exc import CommandError
from sqlalchemy.orm import Session

from ingenio.store import migrate
from ingenio.store.engine import WRITE_OPTIONS, create_engine, one_line
from ingenio.store.errors import StoreError
from ingenio.store.settings import mask_url

T = TypeVar("T")

_WRITE_ATTEMPTS = 5
"""How often a save is retried when a concurrent save took the same version number."""


def _foreign_tables(connection: sa.Connection) -> list[str]:
    """The tables of a database that has tables but none of Ingenio's (else empty)."""
    from ingenio.store.tables import Base

    existing = set(sa.inspect(connection).get_table_names())
    ours = set(Base.metadata.tables) | {"alembic_version"}
    if not existing or existing & set(Base.metadata.tables):
        return []
    return sorted(existing - ours) or []


class StoreBase:
    """An open database with an up-to-date schema, and its transactions.

    The public store (:class:`ingenio.store.repository.Store`) adds the
    portfolio, plan, actuals and audit methods on top of this.
    """

    def __init__(self, engine: sa.Engine, url: str) -> None:
        self._engine: sa.Engine | None = engine
        self._url = mask_url(url)
        self._local = threading.local()  # per thread: a transaction that nested writes join
        self._writes = 0
        self.instance = uuid.uuid4().hex
        """Tells this store object from any other, even on the same URL (cache keys)."""

    @classmethod
    def open(cls, url: str) -> Self:
        """Connect to a database and bring its schema up to date.

        Parameters
        ----------
        url : str
            A SQLAlchemy URL (see :func:`ingenio.store.settings.resolve_url` for paths).

        Returns
        -------
        Store
            An open store; close it with :meth:`close` or a ``with`` block.

        Raises
        ------
        StoreError
            If the URL is invalid, the database cannot be reached or its schema
            cannot be migrated. The message names the URL, password masked.
        """
        masked = mask_url(url)
        try:
            engine = create_engine(url)
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError, ValueError) as exc:
            raise StoreError(f"invalid database URL {masked}: {one_line(exc, url)}") from exc
        try:
            connection = engine.connect()
        except sa.exc.SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(f"cannot connect to database {masked}: {one_line(exc, url)}") from exc
        try:
            with connection:
                connection.execution_options(**WRITE_OPTIONS)
                with connection.begin():
                    foreign = _foreign_tables(connection)
                    if foreign:
                        raise StoreError(
                            f"database {masked} holds another application's tables "
                            f"({', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''}) and "
                            "no Ingenio schema; Ingenio will not add its tables to it "
                            "(give --db an Ingenio database or a new file)"
                        )
                    migrate.upgrade(connection)
        except (sa.exc.SQLAlchemyError, CommandError) as exc:
            engine.dispose()
            hint = " (was it written by a newer Ingenio?)" if isinstance(exc, CommandError) else ""
            raise StoreError(
                f"cannot migrate database {masked} to the current schema: "
                f"{one_line(exc, url)}{hint}"
            ) from exc
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, url)

    @property
    def writes(self) -> int:
        """A counter that changes whenever this store object begins or ends a write: a cache of
        what it read is stale once it has moved (writes of other processes are not seen)."""
        return self._writes

    @property
    def url(self) -> str:
        """The database URL, password masked."""
        return self._url

    def close(self) -> None:
        """Release the database connections; the store cannot be used afterwards."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _live_engine(self) -> sa.Engine:
        if self._engine is None:
            raise StoreError(f"the store on {self._url} is closed")
        return self._engine

    def _read(self, action: str, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a read transaction; database errors become one-line StoreErrors."""
        engine = self._live_engine()
        try:
            with Session(engine) as session, session.begin():
                return work(session)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot {action} from {self._url}: {one_line(exc)}") from exc

    def _write(self, action: str, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction: all of it is committed, or none of it.

        A unique-constraint clash (another process took the same version number
        first, which the PostgreSQL advisory locks and SQLite's ``BEGIN IMMEDIATE``
        should already prevent) is retried in a fresh transaction.
        """
        outer: Session | None = getattr(self._local, "outer", None)
        if outer is not None:  # inside :meth:`_write_together`: one transaction
            return work(outer)
        engine = self._live_engine()
        for attempt in range(1, _WRITE_ATTEMPTS + 1):
            self._writes += 1
            try:
                with Session(engine, expire_on_commit=False) as session, session.begin():
                    session.connection(execution_options=WRITE_OPTIONS)
                    return work(session)
            except sa.exc.IntegrityError as exc:
                if attempt == _WRITE_ATTEMPTS:
                    raise StoreError(f"cannot {action} in {self._url}: {one_line(exc)}") from exc
                time.sleep(random.uniform(0.0, 0.02 * attempt))
            except sa.exc.SQLAlchemyError as exc:
                raise StoreError(f"cannot {action} in {self._url}: {one_line(exc)}") from exc
            finally:
                self._writes += 1
        raise AssertionError("unreachable")  # pragma: no cover

    def _write_together(self, action: str, work: Callable[[], T]) -> T:
        """Run ``work`` (which calls several saving methods) in ONE transaction.

        Every :meth:`_write` made by ``work`` joins the same session, so all of
        them are committed together or none is (a portfolio version is never
        left without the plan saved with it).
        """

        def joined(session: Session) -> T:
            self._local.outer = session  # this thread only: a server shares the store
            try:
                return work()
            finally:
                self._local.outer = None

        return self._write(action, joined)
