"""Portfolios: list, upload (YAML or JSON), read, their plans, plan requests, owners."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ingenio.api.deps import PrincipalDep, StoreDep
from ingenio.api.routes.plans import plan_public
from ingenio.api.schemas import (
    JobAccepted,
    OwnerPublic,
    OwnerSet,
    PlanPublic,
    PlanRequest,
    PortfolioDetail,
    PortfolioPublic,
    RowId,
    WhatIfRequest,
)
from ingenio.api.uploads import file_body, with_upload
from ingenio.services.accounts import set_owner_as
from ingenio.services.jobs import submit_plan
from ingenio.services.tenancy import (
    PortfolioView,
    create_portfolio,
    find_portfolio,
    plans_of,
    portfolio_document,
    portfolios,
)
from ingenio.services.whatif_jobs import WhatIf, submit_whatif

router = APIRouter(tags=["portfolios"])

_BODY = file_body(
    "A portfolio file (docs/formats.md), as JSON or YAML.",
    {
        "application/json": {"schema": {"type": "object"}},
        "application/yaml": {"schema": {"type": "string"}},
    },
)


def portfolio_public(view: PortfolioView) -> PortfolioPublic:
    """The public view of a portfolio."""
    return PortfolioPublic(
        id=view.id,
        name=view.name,
        account=view.account,
        version=view.latest.version,
        created_at=view.latest.created_at,
        checksum=view.latest.checksum,
        enterprises=list(view.enterprises),
        plants=None if view.plants is None else sorted(view.plants),
    )


@router.get("/portfolios", response_model=list[PortfolioPublic])
def list_portfolios(who: PrincipalDep, store: StoreDep) -> list[PortfolioPublic]:
    """The portfolios the caller may see."""
    return [portfolio_public(v) for v in portfolios(store, who)]


@router.post(
    "/portfolios", response_model=PortfolioPublic, status_code=201, openapi_extra=_BODY
)
async def upload_portfolio(request: Request, who: PrincipalDep, store: StoreDep) -> PortfolioPublic:
    """Save a portfolio file as a new version (422 with every error, nothing stored, if bad)."""
    view = await with_upload(request, lambda body, kind: create_portfolio(store, who, body, kind))
    return portfolio_public(view)


@router.get("/portfolios/{portfolio_id}", response_model=PortfolioDetail)
def read_portfolio(portfolio_id: RowId, who: PrincipalDep, store: StoreDep) -> PortfolioDetail:
    """A portfolio; ``document`` is its latest file document for roles that may read it whole."""
    view = find_portfolio(store, who, portfolio_id)
    document = portfolio_document(store, who, view) if view.full else None
    return PortfolioDetail(**portfolio_public(view).model_dump(), document=document)


@router.get("/portfolios/{portfolio_id}/plans", response_model=list[PlanPublic])
def list_plans(portfolio_id: RowId, who: PrincipalDep, store: StoreDep) -> list[PlanPublic]:
    """The plans of a portfolio the caller may see (published ones only for scoped roles)."""
    return [plan_public(v) for v in plans_of(store, who, portfolio_id)]


@router.post(
    "/portfolios/{portfolio_id}/plans",
    response_model=JobAccepted,
    status_code=202,
    responses={409: {"description": "A job of this portfolio is queued or running"}},
)
def request_plan(
    portfolio_id: RowId, body: PlanRequest, who: PrincipalDep, store: StoreDep
) -> JobAccepted:
    """Queue a solve of the portfolio's latest version; 409 while another job of it is live."""
    view = submit_plan(store, who, portfolio_id, body.planner, body.time_limit_s)
    return JobAccepted(job_id=view.job.id)


@router.post(
    "/portfolios/{portfolio_id}/whatif",
    response_model=JobAccepted,
    status_code=202,
    responses={409: {"description": "A job of this portfolio is queued or running"}},
)
def request_whatif(
    portfolio_id: RowId, body: WhatIfRequest, who: PrincipalDep, store: StoreDep
) -> JobAccepted:
    """Queue a what-if (base and perturbed variant); the job's result says what changes."""
    request = WhatIf(
        body.tanker_delays, body.generators_down, body.extra_fuel, body.deficit_scale, body.planner
    )
    return JobAccepted(job_id=submit_whatif(store, who, portfolio_id, request).id)


@router.put(
    "/portfolios/{portfolio_id}/enterprises/{enterprise_id}/owner", response_model=OwnerPublic
)
def set_owner(
    portfolio_id: RowId, enterprise_id: str, body: OwnerSet, who: PrincipalDep, store: StoreDep
) -> OwnerPublic:
    """Name the owner account of an enterprise (management admins)."""
    view = find_portfolio(store, who, portfolio_id)
    owner = set_owner_as(store, who, view.account, view.name, enterprise_id, body.owner)
    return OwnerPublic(portfolio_id=view.id, enterprise_id=owner.enterprise_id, owner=owner.owner)
