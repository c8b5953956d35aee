"""The audit log: who changed what, when, written in the same transaction as the change.

Every write of the store (portfolio and plan versions, actuals) adds its
``audit_log`` row inside its own transaction, so a change that is rolled back
leaves no audit row and no change goes unlogged.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ingenio.store.base import StoreBase
from ingenio.store.records import canonical_json
from ingenio.store.tables import DEFAULT_ACCOUNT, AuditRow

ACTOR_ENV_VAR = "INGENIO_ACTOR"
"""The environment variable naming who is acting (else the operating-system user)."""

_TEXT_LIMIT = 200
"""Longest actor, entity id or source kept (longer text is cut)."""


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log.

    ``entity`` is what kind of thing changed (``portfolio``, ``plan``,
    ``downtime_events``, ...), ``entity_id`` which one (a portfolio name, a plan
    id, the source of imported actuals); ``detail`` is JSON-ready data.
    """

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any] = field(hash=False)


def current_actor() -> str:
    """Who is acting: ``$INGENIO_ACTOR`` when set, else the operating-system user.

    Returns
    -------
    str
        A non-empty name (``unknown`` when the system cannot tell).
    """
    from ingenio.settings import load_settings

    actor = load_settings().actor
    if actor:
        return actor
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError):  # no login name, no passwd entry (some containers)
        return "unknown"


def clip(text: str, limit: int = _TEXT_LIMIT) -> str:
    """Cut ``text`` to ``limit`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_audit(
    session: Session,
    action: str,
    entity: str,
    entity_id: str,
    detail: dict[str, Any] | None = None,
    actor: str | None = None,
    account: str = DEFAULT_ACCOUNT,
) -> AuditRow:
    """Add an audit row to the caller's transaction.

    Parameters
    ----------
    session : Session
        The session whose transaction makes the change being logged.
    action : str
        What was done (``save``, ``add``, ...).
    entity, entity_id : str
        What kind of thing changed, and which.
    detail : dict, optional
        JSON-ready facts about the change.
    actor : str, optional
        Who; :func:`current_actor` when None.
    account : str, optional
        The account (tenant) whose data changed.

    Returns
    -------
    AuditRow
        The pending row (flushed with the rest of the transaction).

    Raises
    ------
    StoreError
        If ``detail`` is not JSON-serialisable.
    """
    row = AuditRow(
        at=datetime.now(UTC),
        actor=clip(actor if actor and actor.strip() else current_actor()),
        account_id=account,
        action=clip(action, 100),
        entity=clip(entity, 100),
        entity_id=clip(entity_id),
        detail=json.loads(canonical_json(detail or {})),
    )
    session.add(row)
    return row


def audit_entry_of(row: AuditRow) -> AuditEntry:
    """Return the record of an ``audit_log`` row."""
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        detail=row.detail,
    )


class AuditStore(StoreBase):
    """The audit-log methods of the store."""

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: str,
        detail: dict[str, Any] | None = None,
        actor: str | None = None,
        account: str = DEFAULT_ACCOUNT,
    ) -> AuditEntry:
        """Log an action that changes no stored data (a replan request, an export...).

        Changes the store makes itself are logged by the store, in their own
        transaction; call this only for actions outside it.

        Parameters
        ----------
        action, entity, entity_id, detail, actor, account
            As for :func:`write_audit`.

        Returns
        -------
        AuditEntry
            The entry written.
        """

        def work(session: Session) -> AuditEntry:
            row = write_audit(session, action, entity, entity_id, detail, actor, account)
            session.flush()
            return audit_entry_of(row)

        return self._write(f"log {action} {entity}", work)

    def audit_entries(
        self, entity: str | None = None, since: datetime | None = None
    ) -> list[AuditEntry]:
        """List audit entries, oldest first.

        Parameters
        ----------
        entity : str, optional
            Only entries about this kind of thing (``portfolio``, ``plan``, ...).
        since : datetime, optional
            Only entries at or after this aware moment.

        Returns
        -------
        list of AuditEntry
            Possibly empty.
        """
        query = sa.select(AuditRow)
        if entity is not None:
            query = query.where(AuditRow.entity == entity)
        if since is not None:
            if since.tzinfo is None:
                raise ValueError("since must carry a time zone")
            query = query.where(AuditRow.at >= since)
        query = query.order_by(AuditRow.at, AuditRow.id)

        def work(session: Session) -> list[AuditEntry]:
            return [audit_entry_of(row) for row in session.scalars(query)]

        return self._read("list the audit log", work)
