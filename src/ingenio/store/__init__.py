"""The store: versioned portfolio and plan documents in SQLite or PostgreSQL.

Nothing is updated or deleted; every save is a new version. The schema is kept
up to date by Alembic migrations that :meth:`Store.open` runs.
"""

from __future__ import annotations

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
    "PlanVersion",
    "PortfolioVersion",
    "Store",
    "StoreError",
    "canonical_json",
    "checksum",
    "default_url",
    "mask_url",
    "resolve_url",
]
