"""Short-lived caches of what a principal may see, and of immutable rows, for the read path.

A request to the API first asks *what may this caller see* (portfolios in scope, plants
visible in a portfolio version). The answer changes only when something is written:
it is kept per principal for :data:`SCOPE_TTL_S` seconds and dropped as soon as this
process's store writes anything (:attr:`ingenio.store.Store.writes`). Writes by other
processes (another ``serve`` worker, the command line) are seen within the TTL.

Rows that never change (a plan's record, a portfolio version) are kept by id in a
bounded LRU for the life of the process.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ingenio.services.auth import Principal
from ingenio.store.repository import Store

__all__ = ["SCOPE_TTL_S", "clear", "immutable", "principal_key", "scoped"]

SCOPE_TTL_S = 2.0
"""How long an answer about a principal's scope is trusted (writes of this process end it)."""

T = TypeVar("T")

_LOCK = threading.Lock()
_SCOPED: OrderedDict[Hashable, tuple[float, int, Any]] = OrderedDict()
_IMMUTABLE: OrderedDict[Hashable, Any] = OrderedDict()
_SIZE = 2048


def principal_key(principal: Principal) -> tuple[Hashable, ...]:
    """What a principal's scope depends on: user, account, kind, role, plants, token scope."""
    u = principal.user
    return (u.id, u.account, u.account_kind, u.role, tuple(sorted(u.plants)), principal.token_scope)


def scoped(store: Store, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or its answer for ``key`` when fresh (younger than the TTL, and no
    write of this store since)."""
    full = (store.instance, key)
    now, generation = time.monotonic(), store.writes
    with _LOCK:
        hit = _SCOPED.get(full)
        if hit is not None and hit[1] == generation and now - hit[0] < SCOPE_TTL_S:
            _SCOPED.move_to_end(full)
            value: T = hit[2]
            return value
    value = compute()
    with _LOCK:
        _SCOPED[full] = (now, generation, value)
        _SCOPED.move_to_end(full)
        while len(_SCOPED) > _SIZE:
            _SCOPED.popitem(last=False)
    return value


def immutable(store: Store, key: Hashable, compute: Callable[[], T | None]) -> T | None:
    """``compute()`` for a row that never changes once written (None answers are not kept)."""
    full = (store.instance, key)
    with _LOCK:
        if full in _IMMUTABLE:
            _IMMUTABLE.move_to_end(full)
            found: T = _IMMUTABLE[full]
            return found
    value = compute()
    if value is not None:
        with _LOCK:
            _IMMUTABLE[full] = value
            while len(_IMMUTABLE) > _SIZE:
                _IMMUTABLE.popitem(last=False)
    return value


def clear() -> None:
    """Forget everything (tests)."""
    with _LOCK:
        _SCOPED.clear()
        _IMMUTABLE.clear()
