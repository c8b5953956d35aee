""" "Replan from now" from the plant page: a plant manager for its own plant, a planner.

It runs :func:`ingenio.services.replan.replan` (dispatch, a few seconds) in the
portfolio's own management account, from the plan in force: the newest *published*
plan of the portfolio when there is one, else its newest plan. It replans from the
moment given (now, or the horizon's start when now lies outside it), optionally with
an unannounced grid outage until a given time. The new plan is saved as a **draft**
for the planner to approve and publish; the caller gets its Gantt back at once as a
preview (a plant manager sees no draft otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ingenio.domain import Window
from ingenio.errors import N_, IngenioError, said
from ingenio.services.auth import AccessDenied, Principal
from ingenio.services.replan import replan
from ingenio.services.web_views import PlantPage, load, metered_bands, now_minute, page_of
from ingenio.store.repository import Store

__all__ = ["ReplanPreview", "plan_in_force", "replan_from"]

MAX_OUTAGE_MINUTES = 7 * 1440
"""The longest unannounced outage a replan request may carry."""


@dataclass(frozen=True)
class ReplanPreview:
    """The replanned plant's Gantt and what changed."""

    page: PlantPage
    plan_id: int
    version: int
    value_before: float
    value_after: float
    plants: tuple[str, ...]
    at: str
    moves: int


def plan_in_force(store: Store, portfolio_name: str, account: str) -> int | None:
    """The newest published plan of a portfolio, else its newest plan (None: no plan)."""
    plans = store.plans(portfolio_name, account=account)
    if not plans:
        return None
    states = store.plan_states([x.id for x in plans])
    published = [x for x in plans if states[x.id].state == "published"]
    return max(published or plans, key=lambda x: x.id).id


def replan_from(
    store: Store,
    principal: Principal,
    plan_id: int,
    plant_id: str,
    at: datetime | None = None,
    grid_off_until: datetime | None = None,
) -> ReplanPreview:
    """Replan ``plant_id`` from ``at`` (plant-local when naive); save a draft.

    Raises
    ------
    AccessDenied
        ``forbidden`` for a role other than planner or the plant's own manager.
    IngenioError
        ``not_found`` out of scope; ``invalid`` for an outage ending before it starts
        or longer than a week.
    """
    loaded = load(store, principal, plan_id)
    if plant_id not in loaded.plants():
        raise IngenioError(
            said(
                N_("no plant %(plant_id)s in plan %(plan_id)s"),
                plant_id=repr(plant_id),
                plan_id=plan_id,
            ),
            kind="not_found",
        )
    if not principal.can("plans.replan"):
        raise AccessDenied(
            said(N_("the role %(role)s may not ask for a replan"), role=principal.role), "forbidden"
        )
    account = loaded.view.plan.account
    base = plan_in_force(store, loaded.portfolio_name, account)
    p = loaded.portfolio
    minute = max(now_minute(p, at), 1)  # the replan needs a moment inside the horizon
    outage = None
    if grid_off_until is not None:
        end = p.horizon.to_minute(grid_off_until)
        if not minute < end <= minute + MAX_OUTAGE_MINUTES:
            raise IngenioError(
                N_("the grid-off end must be after the replan moment and within a week"),
                kind="invalid",
            )
        outage = Window(minute, min(end, p.horizon.minutes))
    reason = f"asked from the web by {principal.name}"
    result = replan(
        store, loaded.portfolio_name, plant_id, minute, reason, "dispatch", 5.0, outage,
        account=account, plan_id=base, actor=principal.name,
    )  # fmt: skip
    saved = result.final.version
    if saved is None:
        raise IngenioError(N_("the replan saved no plan"), kind="solver_failed")
    page = page_of(
        result.portfolio,
        result.final.plan,
        plant_id,
        saved.id,
        saved.version,
        "draft",
        loaded.view.portfolio_id,
        metered_bands(store, account, result.portfolio, plant_id),
    )
    return ReplanPreview(
        page,
        saved.id,
        saved.version,
        result.previous_plan.value,
        result.final.plan.value,
        result.plants,
        loaded.local(minute),
        len(result.moves),
    )
