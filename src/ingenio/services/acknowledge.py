"""A plant manager acknowledges the published plan of its plants (audited).

The published plan is what the shop floor runs; the planner needs to know that each
plant has seen it. An acknowledgement names the user, the plants it was for and the
time, and is written with its audit-log row in one transaction. Acknowledging again
changes nothing (the first one stands).
"""

from __future__ import annotations

from ingenio.errors import N_, IngenioError, said
from ingenio.services.auth import Principal
from ingenio.services.tenancy import find_plan
from ingenio.store.acks_repo import PlanAck
from ingenio.store.repository import Store

__all__ = ["PlanAck", "acknowledge_plan", "acknowledgements"]


def acknowledge_plan(store: Store, principal: Principal, plan_id: int) -> PlanAck:
    """Acknowledge a published plan for the principal's plants (plant managers).

    Raises
    ------
    IngenioError
        ``not_found`` for a plan out of scope (a draft is, for a plant manager),
        ``conflict`` for a plan that is not published.
    AccessDenied
        ``forbidden`` for a role that does not acknowledge plans.
    """
    view = find_plan(store, principal, plan_id)
    principal.require("plans.acknowledge")
    if view.state != "published":
        raise IngenioError(
            said(
                N_("plan %(plan_id)s is %(state)s, not published"),
                plan_id=plan_id,
                state=view.state,
            ),
            kind="conflict",
        )
    plants = sorted(view.plants or ())
    return store.acknowledge_plan(plan_id, principal.name, plants)


def acknowledgements(store: Store, principal: Principal, plan_id: int) -> list[PlanAck]:
    """The acknowledgements of a plan the principal sees (scoped roles: of their plants)."""
    view = find_plan(store, principal, plan_id)
    acks = store.plan_acks(plan_id)
    if view.plants is None:
        return acks
    return [a for a in acks if set(a.plants) & view.plants]
