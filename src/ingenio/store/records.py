"""What the store hands back: saved versions, and the canonical JSON they are checked by."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ingenio.store.errors import StoreError
from ingenio.store.tables import PlanRow, PortfolioVersionRow

MAX_NAME_LENGTH = 200
"""The longest portfolio name the store accepts."""


@dataclass(frozen=True)
class PortfolioVersion:
    """One saved version of a named portfolio (without its document)."""

    id: int
    name: str
    version: int
    created_at: datetime
    checksum: str
    note: str
    account: str = "default"


@dataclass(frozen=True)
class PlanVersion:
    """One saved plan (without its document).

    ``version`` counts the plans of ``portfolio_name`` (1, 2, 3, ...), whichever
    portfolio version each was made from; ``portfolio_version`` is that version.
    """

    id: int
    portfolio_version_id: int
    portfolio_name: str
    portfolio_version: int
    version: int
    planner: str
    status: str
    value: float
    bound: float | None
    seconds: float
    created_at: datetime
    summary: dict[str, Any] = field(hash=False)
    account: str = "default"


def canonical_json(document: Any) -> str:
    """Return the canonical JSON text of a document: sorted keys, no spaces, UTF-8.

    Parameters
    ----------
    document : Any
        Built of dicts with string keys, lists, strings, finite numbers, booleans and None.

    Returns
    -------
    str
        The JSON text.

    Raises
    ------
    StoreError
        If the document is not JSON-serialisable (or holds NaN or infinity).
    """
    try:
        return json.dumps(
            document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise StoreError(f"document is not JSON-serialisable: {exc}", kind="invalid") from exc


def checksum(document: Any) -> str:
    """Return the SHA-256 hex digest of a document's canonical JSON.

    Parameters
    ----------
    document : Any
        A JSON-serialisable document.

    Returns
    -------
    str
        64 lowercase hex digits.
    """
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def check_name(name: str) -> None:
    """Refuse a portfolio name that is empty, blank or too long.

    Parameters
    ----------
    name : str
        The name to check.

    Raises
    ------
    StoreError
        If the name cannot be stored.
    """
    if not name.strip():
        raise StoreError("a portfolio name cannot be empty", kind="invalid")
    if len(name) > MAX_NAME_LENGTH:
        raise StoreError(
            f"portfolio name {name[:40]!r}... is longer than {MAX_NAME_LENGTH} characters",
            kind="invalid",
        )


def portfolio_version_of(row: PortfolioVersionRow) -> PortfolioVersion:
    """Return the record of a ``portfolio_versions`` row.

    Parameters
    ----------
    row : PortfolioVersionRow
        A loaded row (its document need not be loaded).

    Returns
    -------
    PortfolioVersion
        The record.
    """
    return PortfolioVersion(
        id=row.id,
        name=row.name,
        version=row.version,
        created_at=row.created_at,
        checksum=row.checksum,
        note=row.note,
        account=row.account_id,
    )


def plan_version_of(row: PlanRow, portfolio_version: int) -> PlanVersion:
    """Return the record of a ``plans`` row.

    Parameters
    ----------
    row : PlanRow
        A loaded row (its document need not be loaded).
    portfolio_version : int
        The version number of the portfolio version the plan was made from.

    Returns
    -------
    PlanVersion
        The record.
    """
    return PlanVersion(
        id=row.id,
        portfolio_version_id=row.portfolio_version_id,
        portfolio_name=row.portfolio_name,
        portfolio_version=portfolio_version,
        version=row.version,
        planner=row.planner,
        status=row.status,
        value=row.value,
        bound=row.bound,
        seconds=row.seconds,
        created_at=row.created_at,
        summary=row.summary,
        account=row.account_id,
    )
