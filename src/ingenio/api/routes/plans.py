"""Plans: the plan.json document, and the lifecycle draft -> approved -> published."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from ingenio.api.deps import PrincipalDep, StoreDep
from ingenio.api.schemas import PlanPublic, RowId
from ingenio.services.tenancy import PlanView, approve_plan, find_plan, plan_body, publish_plan

router = APIRouter(tags=["plans"])


def plan_public(view: PlanView) -> PlanPublic:
    """The public view of a plan."""
    p = view.plan
    return PlanPublic(
        id=p.id,
        portfolio_id=view.portfolio_id,
        portfolio_name=p.portfolio_name,
        portfolio_version=p.portfolio_version,
        version=p.version,
        planner=p.planner,
        status=p.status,
        value=p.value if view.plants is None else None,
        state=view.state,
        state_at=view.state_at,
        created_at=p.created_at,
    )


@router.get(
    "/plans/{plan_id}",
    response_class=Response,
    responses={
        200: {"content": {"application/json": {"schema": {"type": "object"}}}},
        304: {"description": "Not modified: the If-None-Match ETag is the document's"},
    },
)
def read_plan(
    plan_id: RowId,
    who: PrincipalDep,
    store: StoreDep,
    if_none_match: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """The plan as ``plan.json`` (cut to the caller's plants for scoped roles), with an
    ``ETag``: plans never change, so ``If-None-Match`` with it answers 304 and no body."""
    body, etag = plan_body(store, who, plan_id, if_none_match)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if body is None:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/plans/{plan_id}/info", response_model=PlanPublic)
def read_plan_info(plan_id: RowId, who: PrincipalDep, store: StoreDep) -> PlanPublic:
    """The plan's versions, planner, value and lifecycle state."""
    return plan_public(find_plan(store, who, plan_id))


@router.post(
    "/plans/{plan_id}/approve",
    response_model=PlanPublic,
    responses={409: {"description": "The plan is not a draft"}},
)
def approve(plan_id: RowId, who: PrincipalDep, store: StoreDep) -> PlanPublic:
    """Approve a draft plan (planners)."""
    return plan_public(approve_plan(store, who, plan_id))


@router.post(
    "/plans/{plan_id}/publish",
    response_model=PlanPublic,
    responses={409: {"description": "The plan is not approved"}},
)
def publish(plan_id: RowId, who: PrincipalDep, store: StoreDep) -> PlanPublic:
    """Publish an approved plan (planners): plant managers and owners then see it."""
    return plan_public(publish_plan(store, who, plan_id))
