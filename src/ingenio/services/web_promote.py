"""Promote a what-if variant to a draft plan (planners).

A finished what-if job names its base portfolio version and its perturbations. To
promote it, the perturbations are applied again to that version, the variant is
saved as the portfolio's next version (its note says which job and what changed),
and a plan job is queued on that version; the plan it saves is a **draft**, to be
approved and published like any other. The job is scoped like every job: another
tenant's job is *not found*, a role without ``plans.create`` is *forbidden*.
"""

from __future__ import annotations

from ingenio.errors import N_, IngenioError, said
from ingenio.formats.portfolio import parse_portfolio, portfolio_to_document
from ingenio.scenarios.perturb import apply_all
from ingenio.services.auth import Principal
from ingenio.services.jobs import JobView, find_job
from ingenio.services.tenancy import find_portfolio
from ingenio.services.whatif_jobs import WhatIf
from ingenio.store.repository import Store

__all__ = ["PROMOTED_TIME_LIMIT_S", "promote_whatif"]

PROMOTED_TIME_LIMIT_S = 20.0
"""Seconds the plan job of a promoted variant may take."""


def promote_whatif(store: Store, principal: Principal, job_id: str) -> JobView:
    """Save the variant of a finished what-if job as a portfolio version and plan it.

    Raises
    ------
    IngenioError
        ``not_found`` for a job out of scope; ``conflict`` for a job that is not a
        finished what-if, or while a job of the portfolio is live.
    AccessDenied
        ``forbidden`` for a role that may not create plans.
    """
    job = find_job(store, principal, job_id).job
    principal.require("plans.create")
    if job.kind != "whatif" or job.status != "succeeded":
        raise IngenioError(
            said(N_("job %(job_id)s is not a finished what-if"), job_id=job_id[:40]),
            kind="conflict",
        )
    p = job.params
    view = find_portfolio(store, principal, int(p["portfolio_id"]))
    live = [
        j
        for j in store.jobs(view.account)
        if j.portfolio_name == view.name and j.status in ("queued", "running")
    ]
    if live:
        raise IngenioError(
            said(N_("a job of %(name)s is still running"), name=repr(view.name)), kind="conflict"
        )
    version = int(p["portfolio_version"])
    _, document = store.load_portfolio(view.name, version, account=view.account)
    base = parse_portfolio(document, f"portfolio {view.name!r} v{version}")
    request = WhatIf(
        tanker_delays=list(p.get("tanker_delays", [])),
        generators_down=list(p.get("generators_down", [])),
        extra_fuel=list(p.get("extra_fuel", [])),
        deficit_scale=p.get("deficit_scale"),
        planner=str(p.get("planner", "dispatch")),
    )
    variant = apply_all(base, request.perturbations(base))
    title = (job.result or {}).get("title", "")
    note = f"what-if variant of v{version} promoted from job {job.id[:8]}: {title}"[:500]
    saved = store.save_portfolio(
        view.name,
        portfolio_to_document(variant),
        note=note,
        actor=principal.name,
        account=view.account,
    )
    params = {
        "portfolio_id": view.id,
        "portfolio_version": saved.version,
        "planner": request.planner,
        "time_limit_s": PROMOTED_TIME_LIMIT_S,
    }
    queued = store.enqueue_job(view.account, view.name, "plan", params, principal.name)
    return JobView(queued, view.id)
