"""A Dask cluster to plan plants on (``ingenio plan --dask-scheduler tcp://HOST:PORT``).

The planning core takes any :class:`concurrent.futures.Executor`; this module connects to
the scheduler (with a short timeout, so a wrong address fails in seconds with a clear
error, not a traceback after a minute) and hands over the client's executor. Every Dask
worker needs the same ``ingenio`` (and OR-Tools) installed as this machine.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ingenio.errors import IngenioError

__all__ = ["CONNECT_TIMEOUT_S", "PlantCluster", "check_scheduler", "plant_cluster"]

CONNECT_TIMEOUT_S = 10.0
"""Seconds to reach the scheduler before giving up."""

_ADDRESS = re.compile(
    r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))"
    r":[0-9]{1,5}$"
)


@dataclass(frozen=True)
class PlantCluster:
    """An open cluster: its executor, its address and how many plants it runs at once."""

    executor: Executor
    address: str
    slots: int


def check_scheduler(address: str) -> str:
    """The scheduler address, stripped, checked before any connection is tried."""
    text = address.strip()
    if not _ADDRESS.match(text):
        raise IngenioError(
            f"--dask-scheduler: not a scheduler address {address[:80]!r} "
            "(expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786)"
        )
    return text


@contextmanager
def plant_cluster(
    address: str, cpsat_workers: int, timeout_s: float = CONNECT_TIMEOUT_S
) -> Iterator[PlantCluster]:
    """Connect to the Dask scheduler at ``address``; yield its executor; close the client.

    ``slots`` is the plants the cluster solves at once: its worker threads divided by the
    CP-SAT threads of one plant solve (at least 1).

    Raises
    ------
    IngenioError
        ``invalid`` for an address that is not ``HOST:PORT``; ``unavailable`` when no
        scheduler answers within ``timeout_s`` or it has no workers.
    """
    text = check_scheduler(address)
    # Slow to import and untyped: imported only when a cluster is asked for, as Any.
    distributed: Any = importlib.import_module("distributed")
    try:
        client: Any = distributed.Client(text, timeout=f"{timeout_s}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise IngenioError(
            f"--dask-scheduler: no Dask scheduler answered at {text} within {timeout_s:.0f} s "
            f"({type(exc).__name__})",
            kind="unavailable",
        ) from None
    try:
        threads = sum(client.nthreads().values())
        if threads < 1:
            raise IngenioError(
                f"--dask-scheduler: the scheduler at {text} has no workers", kind="unavailable"
            )
        executor = client.get_executor(pure=False)
        try:
            yield PlantCluster(executor, text, max(1, threads // max(1, cpsat_workers)))
        finally:
            executor.shutdown(wait=False)
    finally:
        client.close()
