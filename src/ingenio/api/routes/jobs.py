"""Jobs: follow a background solve, or cancel it."""

from __future__ import annotations

from fastapi import APIRouter

from ingenio.api.deps import PrincipalDep, StoreDep
from ingenio.api.schemas import JobPublic
from ingenio.services.jobs import JobView, cancel_job, find_job

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
