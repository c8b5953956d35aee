"""Plant managers' acknowledgements of published plans (mixed into the store)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ingenio.store.audit import AuditStore, write_audit
from ingenio.store.errors import StoreError
from ingenio.store.tables import PlanAckRow, PlanRow


@dataclass(frozen=True)
class PlanAck:
    """Who acknowledged a plan, for which plants, and when."""

    plan_id: int
    actor: str
    plants: tuple[str, ...]
    at: datetime


def _ack_of(row: PlanAckRow) -> PlanAck:
    return PlanAck(row.plan_id, row.actor, tuple(row.plants), row.at)


class AcksStore(AuditStore):
    """Acknowledgements: one per plan and user, written with its audit row."""

    def acknowledge_plan(self, plan_id: int, actor: str, plants: Sequence[str]) -> PlanAck:
        """Record that ``actor`` acknowledged the plan (again: the first one stands).

        Raises
        ------
        StoreError
            Kind ``not_found`` for an unknown plan.
        """

        def work(session: Session) -> PlanAck:
            plan = session.get(PlanRow, plan_id)
            if plan is None:
                raise StoreError(f"no plan with id {plan_id}", kind="not_found")
            found = session.scalars(
                sa.select(PlanAckRow).where(
                    PlanAckRow.plan_id == plan_id, PlanAckRow.actor == actor
                )
            ).first()
            if found is not None:
                return _ack_of(found)
            row = PlanAckRow(
                plan_id=plan_id, actor=actor, plants=sorted(plants), at=datetime.now(UTC)
            )
            session.add(row)
            session.flush()
            detail = {"plants": sorted(plants)}
            write_audit(
                session, "acknowledge", "plan", str(plan_id), detail, actor, plan.account_id
            )
            return _ack_of(row)

        return self._write(f"acknowledge plan {plan_id}", work)

    def plan_acks(self, plan_id: int) -> list[PlanAck]:
        """The acknowledgements of a plan, oldest first."""
        query = sa.select(PlanAckRow).where(PlanAckRow.plan_id == plan_id).order_by(PlanAckRow.id)

        def work(session: Session) -> list[PlanAck]:
            return [_ack_of(row) for row in session.scalars(query)]

        return self._read(f"list acknowledgements of plan {plan_id}", work)
