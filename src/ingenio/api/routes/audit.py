"""The audit log, as far as the caller may read it."""

from __future__ import annotations

from fastapi import APIRouter

from ingenio.api.deps import PrincipalDep, StoreDep
from ingenio.api.schemas import AuditPublic
from ingenio.services.tenancy import audit_log

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=list[AuditPublic])
def read_audit(who: PrincipalDep, store: StoreDep) -> list[AuditPublic]:
    """Who changed what, when (admins and auditors; owners: about their plans)."""
    return [
        AuditPublic(
            id=e.id,
            at=e.at,
            actor=e.actor,
            action=e.action,
            entity=e.entity,
            entity_id=e.entity_id,
            detail=e.detail,
        )
        for e in audit_log(store, who)
    ]
