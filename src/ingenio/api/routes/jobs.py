"""Jobs: follow a background solve, or cancel it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ingenio.api.deps import PrincipalDep, StoreDep
from ingenio.api.schemas import JobPublic
from ingenio.services.jobs import JobView, cancel_job, find_job, jobs_of

router = APIRouter(tags=["jobs"])


def job_public(view: JobView) -> JobPublic:
    """The public view of a job."""
    j = view.job
    return JobPublic(
        id=j.id,
        kind=j.kind,
        status=j.status,
        progress=j.progress,
        result=j.result,
        error=j.error,
        portfolio_id=view.portfolio_id,
        created_by=j.created_by,
        created_at=j.created_at,
        started_at=j.started_at,
        finished_at=j.finished_at,
        attempts=j.attempts,
    )


@router.get("/jobs", response_model=list[JobPublic])
def list_jobs(
    who: PrincipalDep, store: StoreDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[JobPublic]:
    """The newest jobs of the caller's account."""
    return [job_public(v) for v in jobs_of(store, who, limit)]


@router.get("/jobs/{job_id}", response_model=JobPublic)
def read_job(job_id: str, who: PrincipalDep, store: StoreDep) -> JobPublic:
    """A job's status, progress and result."""
    return job_public(find_job(store, who, job_id))


@router.delete(
    "/jobs/{job_id}",
    response_model=JobPublic,
    responses={409: {"description": "The job is over already"}},
)
def delete_job(job_id: str, who: PrincipalDep, store: StoreDep) -> JobPublic:
    """Cancel a job (queued: at once; running: at the solve's next step)."""
    return job_public(cancel_job(store, who, job_id))
