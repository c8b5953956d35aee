"""Replans and scenario runs (as jobs), and plant managers' acknowledgements of plans."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter

from ingenio.api.deps import PrincipalDep, StoreDep
from ingenio.api.schemas import JobAccepted, RowId
from ingenio.api.schemas_ops import AckPublic, ReplanIn, ScenariosIn
from ingenio.services.acknowledge import PlanAck, acknowledge_plan, acknowledgements
from ingenio.services.server_jobs import ReplanAsk, submit_replan, submit_scenarios

router = APIRouter(tags=["operations"])

_LIVE: dict[int | str, dict[str, Any]] = {
    409: {"description": "A job of this portfolio is queued or running"}
}


@router.post(
    "/plans/{plan_id}/replan", response_model=JobAccepted, status_code=202, responses=_LIVE
)
def request_replan(
    plan_id: RowId, body: ReplanIn, who: PrincipalDep, store: StoreDep
) -> JobAccepted:
    """Queue a replan of one plant of the plan from ``at`` (planners; plant managers: their
    plants of a published plan). The plan in force stands for ``frozen_hours`` after ``at``
    (less when the outage starts sooner); the new plans are drafts."""
    ask = ReplanAsk(
        plant=body.plant,
        at=body.at,
        reason=body.reason,
        outage_start=body.outage_start,
        outage_end=body.outage_end,
        planner=body.planner,
        time_limit_s=body.time_limit_s,
        frozen_minutes=int(timedelta(hours=body.frozen_hours).total_seconds() // 60),
    )
    return JobAccepted(job_id=submit_replan(store, who, plan_id, ask).id)


@router.post(
    "/portfolios/{portfolio_id}/scenarios",
    response_model=JobAccepted,
    status_code=202,
    responses=_LIVE,
)
def request_scenarios(
    portfolio_id: RowId, body: ScenariosIn, who: PrincipalDep, store: StoreDep
) -> JobAccepted:
    """Queue a Monte Carlo run (planners); the job's result holds P10/P50/P90 of the value,
    the orders at risk and the plants that stop."""
    job = submit_scenarios(store, who, portfolio_id, body.samples, body.seed, body.planner)
    return JobAccepted(job_id=job.id)


def _ack(ack: PlanAck) -> AckPublic:
    return AckPublic(plan_id=ack.plan_id, user=ack.actor, plants=list(ack.plants), at=ack.at)


@router.post(
    "/plans/{plan_id}/acknowledge",
    response_model=AckPublic,
    responses={409: {"description": "The plan is not published"}},
)
def acknowledge(plan_id: RowId, who: PrincipalDep, store: StoreDep) -> AckPublic:
    """Acknowledge the published plan for one's plants (plant managers; audited)."""
    return _ack(acknowledge_plan(store, who, plan_id))


@router.get("/plans/{plan_id}/acknowledgements", response_model=list[AckPublic])
def list_acknowledgements(plan_id: RowId, who: PrincipalDep, store: StoreDep) -> list[AckPublic]:
    """Who acknowledged the plan (scoped roles: for their plants)."""
    return [_ack(a) for a in acknowledgements(store, who, plan_id)]
