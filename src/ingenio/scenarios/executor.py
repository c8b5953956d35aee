"""Where scenario runs execute: in this process, a local process pool, or a Dask cluster.

Every executor maps a function over items with one *shared* argument (the
portfolio and its settings, sent once per worker, not once per item) and
returns the results **in the order of the items**, whatever order they finish
in; an item whose call raises gives a :class:`TaskFailure` in its place, never
a hole. A progress callback hears ``(done, total)`` after each item.

The function must be importable by the workers (a module-level function, not a
lambda), and so must the shared argument: on a Dask cluster every worker needs
the ``ingenio`` package installed.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ingenio.lifeline import die_with_parent, terminate_pool_workers

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "DaskExecutor",
    "Executor",
    "InlineExecutor",
    "ProcessExecutor",
    "Progress",
    "TaskFailure",
]

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")
F = TypeVar("F")

Progress = Callable[[int, int], None]
"""Called with ``(items done, items in all)`` after each item finishes."""


@dataclass(frozen=True)
class TaskFailure:
    """An item whose call raised: its index in the items and the error, in one line."""

    index: int
    error: str


def _describe(exc: BaseException) -> str:
    """``Type: message``, the same whichever executor ran the item."""
    return f"{type(exc).__name__}: {exc}"


class Executor(Protocol):
    """Runs ``fn(shared, item)`` for every item; results in item order."""

    @property
    def name(self) -> str:
        """A few words for reports (``process pool (2 workers)``)."""
        ...

    def map(
        self,
        fn: Callable[[S, T], R],
        shared: S,
        items: Sequence[T],
        progress: Progress | None = None,
    ) -> list[R | TaskFailure]:
        """``[fn(shared, item) for item in items]``, a :class:`TaskFailure` where it raised."""
        ...

    def close(self) -> None:
        """Release workers or connections (no-op when there are none)."""
        ...


class InlineExecutor:
    """Runs every item here, one after another (tests, tiny runs, debugging)."""

    @property
    def name(self) -> str:
        """``in-process``."""
        return "in-process"

    def map(
        self,
        fn: Callable[[S, T], R],
        shared: S,
        items: Sequence[T],
        progress: Progress | None = None,
    ) -> list[R | TaskFailure]:
        """See :meth:`Executor.map`."""
        out: list[R | TaskFailure] = []
        for i, item in enumerate(items):
            try:
                out.append(fn(shared, item))
            except Exception as exc:
                out.append(TaskFailure(i, _describe(exc)))
            if progress is not None:
                progress(i + 1, len(items))
        return out

    def close(self) -> None:
        """Nothing to release."""


_SHARED: dict[str, Any] = {}
"""The shared argument, per map call, inside a pool worker (set by the initializer)."""


def _install(key: str, shared: object, owner_pid: int | None = None) -> None:
    if owner_pid is not None:
        die_with_parent(owner_pid)
    _SHARED.clear()
    _SHARED[key] = shared


def _call(fn: Callable[[Any, T], R], key: str, item: T) -> R:
    return fn(_SHARED[key], item)


def _slots(n: int) -> list[Any]:
    return [None] * n


def _collect(
    out: list[R | TaskFailure],
    completed: Iterable[F],
    index_of: Callable[[F], int],
    outcome: Callable[[F, int], R | TaskFailure],
    progress: Progress | None,
) -> None:
    """Put each future's ``outcome`` in ``out`` at its item's index as it completes.

    ``outcome(future, index)`` gives the result or a :class:`TaskFailure`;
    ``progress`` hears ``(done, len(out))`` after each.
    """
    for done, future in enumerate(completed, start=1):
        i = index_of(future)
        out[i] = outcome(future, i)
        if progress is not None:
            progress(done, len(out))


def _result_or_failure(future: Future[R], index: int) -> R | TaskFailure:
    try:
        return future.result()
    except Exception as exc:
        return TaskFailure(index, _describe(exc))


class ProcessExecutor:
    """A local pool of worker processes (``concurrent.futures``), 2 by default.

    Workers start with ``forkserver`` where the platform has it, else ``spawn``
    (never plain ``fork``: it copies the parent's threads and locks). Each
    :meth:`map` starts a fresh pool, which receives the shared argument once
    per worker.
    """

    def __init__(self, max_workers: int = 2, start_method: str | None = None) -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, got {max_workers}")
        methods = multiprocessing.get_all_start_methods()
        self.max_workers = max_workers
        self.start_method = start_method or ("forkserver" if "forkserver" in methods else "spawn")

    @property
    def name(self) -> str:
        """``process pool (2 workers)``."""
        return f"process pool ({self.max_workers} workers)"

    def map(
        self,
        fn: Callable[[S, T], R],
        shared: S,
        items: Sequence[T],
        progress: Progress | None = None,
    ) -> list[R | TaskFailure]:
        """See :meth:`Executor.map`; a crashed worker fails the items it left unfinished."""
        out: list[R | TaskFailure] = _slots(len(items))
        if not items:
            return out
        key = uuid.uuid4().hex
        context = multiprocessing.get_context(self.start_method)
        pool = ProcessPoolExecutor(
            max_workers=min(self.max_workers, len(items)),
            mp_context=context,
            initializer=_install,
            initargs=(key, shared, os.getpid()),
        )
        try:
            futures = {pool.submit(_call, fn, key, item): i for i, item in enumerate(items)}
            _collect(out, as_completed(futures), futures.__getitem__, _result_or_failure, progress)
        except BaseException:  # interrupted (SIGTERM, Ctrl-C): stop the workers now
            terminate_pool_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return out

    def close(self) -> None:
        """Nothing to release: each map call owns its pool."""


def _distributed() -> Any:
    """The ``distributed`` module, imported on first use (it is slow to import and
    untyped: calls into it are ``Any`` here)."""
    import distributed

    return distributed


class DaskExecutor:
    """Runs items on a Dask ``distributed`` cluster.

    Give the scheduler's address (``tcp://host:8786``) or a ``Client`` you own.
    The shared argument is scattered once to every worker; items are submitted
    as impure tasks and collected as they complete.
    """

    def __init__(self, address: str | None = None, *, client: Client | None = None) -> None:
        if (address is None) == (client is None):
            raise ValueError("give either a scheduler address or a client")
        self.address = address
        self._client: Any = client
        self._owned = client is None

    @property
    def client(self) -> Any:
        """The ``distributed.Client``, connected on first use."""
        if self._client is None:
            self._client = _distributed().Client(self.address, set_as_default=False)
        return self._client

    @property
    def name(self) -> str:
        """``dask <scheduler address> (N workers)``."""
        client = self.client
        workers = len(client.scheduler_info().get("workers", {}))
        return f"dask {client.scheduler.address} ({workers} workers)"

    def map(
        self,
        fn: Callable[[S, T], R],
        shared: S,
        items: Sequence[T],
        progress: Progress | None = None,
    ) -> list[R | TaskFailure]:
        """See :meth:`Executor.map`."""
        out: list[R | TaskFailure] = _slots(len(items))
        if not items:
            return out
        client = self.client
        remote = client.scatter(shared, broadcast=True, hash=False)
        futures = [client.submit(fn, remote, item, pure=False) for item in items]
        index = {f.key: i for i, f in enumerate(futures)}

        def outcome(future: Any, i: int) -> R | TaskFailure:
            if future.status == "error":
                value: R | TaskFailure = TaskFailure(i, _describe(future.exception()))
            else:
                value = future.result()
            future.release()
            return value

        try:
            completed = _distributed().as_completed(futures, loop=client.loop)
            _collect(out, completed, lambda future: index[future.key], outcome, progress)
        finally:
            client.cancel([f for f in futures if not f.done()])
            remote.release()
        return out

    def close(self) -> None:
        """Close the client if this executor opened it."""
        if self._owned and self._client is not None:
            self._client.close()
            self._client = None
