"""The store: versioned portfolio and plan documents, actuals and an audit log.

SQLite or PostgreSQL. Nothing is updated or deleted; every save is a new
version, every actual is stored once, and every change writes its audit-log
row in its own transaction. The schema is kept up to date by Alembic
migrations that :meth:`Store.open` runs.
"""

from __future__ import annotations

from ingenio.store.audit import ACTOR_ENV_VAR, AuditEntry, current_actor
from ingenio.store.errors import StoreError
from ingenio.store.repository import (
    PlanVersion,
    PortfolioVersion,
    Store,
    canonical_json,
    checksum,
)
from ingenio.store.settings import default_url, mask_url, resolve_url

__all__ = [
    "ACTOR_ENV_VAR",
    "AuditEntry",
    "PlanVersion",
    "PortfolioVersion",
    "Store",
    "StoreError",
    "canonical_json",
    "checksum",
    "current_actor",
    "default_url",
    "mask_url",
    "resolve_url",
]
