"""What the web pages change besides a plan move: downtime from a phone, acknowledgements.

Each call checks the principal's scope first: a plant manager acts only on its own
plants, a planner on the plants of its account; owners and auditors change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy.orm as sa_orm

from ingenio.errors import IngenioError
from ingenio.operations.actuals import DowntimeCause, DowntimeEvent
from ingenio.services.auth import AccessDenied, Principal
from ingenio.services.web_views import board, load
from ingenio.store.audit import write_audit
from ingenio.store.repository import Store

__all__ = [
    "CAUSES",
    "PlantLines",
    "acknowledge",
    "record_downtime",
    "require_actuals",
    "writable_lines",
]

CAUSES = tuple(c.value for c in DowntimeCause)
"""The downtime causes, as the drop-down offers them."""

_WRITERS = ("planner", "plant_manager")


@dataclass(frozen=True)
class PlantLines:
    """A plant the principal may record actuals for, with its lines and zone."""

    plan_id: int
    plant_id: str
    plant_name: str
    zone: str
    lines: tuple[tuple[str, str], ...]


def require_actuals(principal: Principal) -> None:
    """Raise ``forbidden`` unless the principal's role records actuals."""
    if principal.kind != "management" or principal.role not in _WRITERS:
        raise AccessDenied(f"the role {principal.role} records no actuals", "forbidden")


def writable_lines(store: Store, principal: Principal) -> list[PlantLines]:
    """The plants (and their lines) the principal may record actuals for."""
    if principal.kind != "management" or principal.role not in _WRITERS:
        return []
    out = []
    for pf in board(store, principal):
        if pf.plan_id is None:
            continue
        loaded = load(store, principal, pf.plan_id)
        for pid in loaded.plants():
            plant = loaded.portfolio.plant(pid)
            lines = tuple((ln.id, ln.name) for ln in plant.lines)
            out.append(
                PlantLines(pf.plan_id, pid, plant.name, loaded.portfolio.horizon.timezone, lines)
            )
    return out


def record_downtime(
    store: Store,
    principal: Principal,
    line_id: str,
    cause: str,
    start: datetime,
    end: datetime,
    note: str,
) -> int:
    """Record that a line stood still over ``[start, end)`` (plant-local when naive).

    Raises
    ------
    AccessDenied
        ``forbidden`` for a role that records no actuals.
    IngenioError
        ``not_found`` for a line outside the principal's plants; ``invalid`` for a bad
        cause or interval.
    """
    require_actuals(principal)
    found = next((p for p in writable_lines(store, principal) if line_id in dict(p.lines)), None)
    if found is None:
        raise IngenioError(f"no line {line_id!r} among your plants", kind="not_found")
    if cause not in CAUSES:
        raise IngenioError(f"cause must be one of {', '.join(CAUSES)}", kind="invalid")
    zone = load(store, principal, found.plan_id).portfolio.horizon.zone
    start = start if start.tzinfo else start.replace(tzinfo=zone)
    end = end if end.tzinfo else end.replace(tzinfo=zone)
    if end <= start:
        raise IngenioError("the end must be after the start", kind="invalid")
    event = DowntimeEvent(line_id, DowntimeCause(cause), start, end, note[:500])
    return store.add_downtime(event, source="web", actor=principal.name)


def acknowledge(store: Store, principal: Principal, plan_id: int) -> None:
    """A plant manager acknowledges the published plan of its plants (audited).

    Raises
    ------
    AccessDenied
        ``forbidden`` for any other role.
    """
    loaded = load(store, principal, plan_id)
    if principal.role != "plant_manager" or loaded.view.state != "published":
        raise AccessDenied("only a plant manager acknowledges a published plan", "forbidden")
    detail = {"plants": loaded.plants()}
    account = loaded.view.plan.account

    def work(session: sa_orm.Session) -> None:
        write_audit(session, "acknowledged", "plan", str(plan_id), detail, principal.name, account)

    store._write("acknowledge a plan", work)
