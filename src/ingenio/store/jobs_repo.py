"""Background jobs in the store: a durable queue on the ``jobs`` table.

One code path on SQLite and PostgreSQL. A worker *claims* the oldest queued job
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises
claims), beats a heartbeat while it works and finishes the job only while its
claim still stands. A job whose heartbeat stops (its worker was killed) is put
back in the queue by :meth:`JobsStore.requeue_stalled`, up to a number of
attempts; the worker that takes it over gets a new claim, so a job is finished
once. At most one live (queued or running) job per portfolio: a partial unique
index backs the check.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ingenio.store.audit import AuditStore, write_audit
from ingenio.store.errors import StoreError
from ingenio.store.records import canonical_json
from ingenio.store.tables import JobRow

__all__ = ["JobControl", "JobRecord", "JobsStore", "finish_claimed"]

LIVE = ("queued", "running")
"""Statuses of a job that is not over."""


@dataclass(frozen=True)
class JobRecord:
    """A job as stored."""

    id: str
    account: str
    portfolio_name: str
    kind: str
    status: str
    progress: float
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    claim: str | None
    cancel_requested: bool
    error: str | None
    params: dict[str, Any] = field(hash=False)
    result: dict[str, Any] | None = field(hash=False, default=None)


@dataclass(frozen=True)
class JobControl:
    """What a heartbeat tells the worker: stop because cancelled, or because the job was lost."""

    cancel: bool
    lost: bool


def _job_of(row: JobRow) -> JobRecord:
    return JobRecord(
        id=row.id,
        account=row.account_id,
        portfolio_name=row.portfolio_name,
        kind=row.kind,
        status=row.status,
        progress=row.progress,
        created_by=row.created_by,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        attempts=row.attempts,
        claim=row.claim,
        cancel_requested=row.cancel_requested,
        error=row.error,
        params=row.params,
        result=row.result,
    )


def finish_claimed(
    session: Session,
    job_id: str,
    claim: str,
    status: str,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    """Finish a running job in the caller's transaction, if ``claim`` still holds it.

    Raises
    ------
    StoreError
        Kind ``conflict`` when the claim no longer holds (the job was taken over
        or cancelled): the caller's transaction must then write nothing.
    """
    done = session.execute(
        sa.update(JobRow)
        .where(JobRow.id == job_id, JobRow.claim == claim, JobRow.status == "running")
        .values(
            status=status,
            progress=1.0 if status == "succeeded" else JobRow.progress,
            result=result,
            error=error,
            finished_at=datetime.now(UTC),
        )
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise StoreError(f"job {job_id} is no longer held by this worker", kind="conflict")


class JobsStore(AuditStore):
    """The job-queue methods of the store."""

    def enqueue_job(
        self,
        account: str,
        portfolio_name: str,
        kind: str,
        params: dict[str, Any],
        created_by: str,
    ) -> JobRecord:
        """Queue a job on a portfolio, logged in the audit log.

        Raises
        ------
        StoreError
            Kind ``conflict`` when a job of the same portfolio is queued or running.
        """
        stored: dict[str, Any] = json.loads(canonical_json(params))

        def work(session: Session) -> JobRecord:
            live = session.scalar(
                sa.select(JobRow.id).where(
                    JobRow.account_id == account,
                    JobRow.portfolio_name == portfolio_name,
                    JobRow.status.in_(LIVE),
                )
            )
            if live is not None:
                raise StoreError(
                    f"portfolio {portfolio_name!r} has a job queued or running ({live})",
                    kind="conflict",
                )
            row = JobRow(
                id=str(uuid.uuid4()),
                account_id=account,
                portfolio_name=portfolio_name,
                kind=kind,
                params=stored,
                status="queued",
                progress=0.0,
                created_by=created_by,
                created_at=datetime.now(UTC),
                attempts=0,
                cancel_requested=False,
            )
            session.add(row)
            session.flush()
            detail = {"kind": kind, "portfolio": portfolio_name, "params": stored}
            write_audit(session, "enqueue", "job", row.id, detail, created_by, account)
            return _job_of(row)

        try:
            return self._write(f"queue a {kind} job", work)
        except StoreError as exc:
            if exc.kind == "conflict":
                raise
            if self._live_job(account, portfolio_name) is not None:  # lost a race: same answer
                raise StoreError(
                    f"portfolio {portfolio_name!r} has a job queued or running", kind="conflict"
                ) from None
            raise

    def _live_job(self, account: str, portfolio_name: str) -> str | None:
        def work(session: Session) -> str | None:
            return session.scalar(
                sa.select(JobRow.id).where(
                    JobRow.account_id == account,
                    JobRow.portfolio_name == portfolio_name,
                    JobRow.status.in_(LIVE),
                )
            )

        return self._read("find a live job", work)

    def job(self, job_id: str) -> JobRecord | None:
        """The job with this id, or None."""

        def work(session: Session) -> JobRecord | None:
            row = session.get(JobRow, job_id)
            return None if row is None else _job_of(row)

        return self._read("read a job", work)

    def jobs(self, account: str, limit: int = 100) -> list[JobRecord]:
        """The newest jobs of an account."""

        def work(session: Session) -> list[JobRecord]:
            rows = session.scalars(
                sa.select(JobRow)
                .where(JobRow.account_id == account)
                .order_by(JobRow.created_at.desc())
                .limit(limit)
            )
            return [_job_of(row) for row in rows]

        return self._read("list jobs", work)

    def claim_job(self, kinds: tuple[str, ...] | None = None) -> JobRecord | None:
        """Take the oldest queued job: it becomes ``running`` under a new claim."""

        def work(session: Session) -> JobRecord | None:
            query = sa.select(JobRow).where(JobRow.status == "queued")
            if kinds is not None:
                query = query.where(JobRow.kind.in_(kinds))
            query = query.order_by(JobRow.created_at).limit(1).with_for_update(skip_locked=True)
            row = session.scalars(query).first()
            if row is None:
                return None
            now = datetime.now(UTC)
            row.status, row.claim = "running", str(uuid.uuid4())
            row.started_at = row.heartbeat_at = now
            row.attempts += 1
            session.flush()
            return _job_of(row)

        return self._write("claim a job", work)

    def beat(self, job_id: str, claim: str, progress: float | None = None) -> JobControl:
        """Record that the worker holding ``claim`` is alive (and its progress)."""

        def work(session: Session) -> JobControl:
            row = session.get(JobRow, job_id)
            if row is None or row.claim != claim or row.status != "running":
                return JobControl(cancel=False, lost=True)
            row.heartbeat_at = datetime.now(UTC)
            if progress is not None:
                row.progress = max(0.0, min(1.0, float(progress)))
            return JobControl(cancel=row.cancel_requested, lost=False)

        return self._write("beat a job's heartbeat", work)

    def finish_job(
        self,
        job_id: str,
        claim: str,
        status: str,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> bool:
        """Finish a job held by ``claim``; False when the claim no longer holds."""

        def work(session: Session) -> bool:
            finish_claimed(session, job_id, claim, status, result, error)
            return True

        try:
            return self._write(f"finish job {job_id}", work)
        except StoreError as exc:
            if exc.kind == "conflict":
                return False
            raise

    def cancel_job(self, job_id: str, actor: str) -> JobRecord:
        """Cancel a job: a queued one at once, a running one at its next heartbeat.

        Raises
        ------
        StoreError
            Kind ``not_found`` for an unknown job, ``conflict`` when it is over.
        """

        def work(session: Session) -> JobRecord:
            row = session.get(JobRow, job_id, with_for_update=True)
            if row is None:
                raise StoreError(f"no job {job_id}", kind="not_found")
            if row.status not in LIVE:
                raise StoreError(f"job {job_id} is {row.status} already", kind="conflict")
            if row.status == "queued":
                row.status, row.finished_at = "cancelled", datetime.now(UTC)
            row.cancel_requested = True
            session.flush()
            write_audit(session, "cancel", "job", job_id, {}, actor, row.account_id)
            return _job_of(row)

        return self._write(f"cancel job {job_id}", work)

    def requeue_stalled(self, stall_after: timedelta, max_attempts: int) -> list[str]:
        """Put back in the queue the running jobs whose heartbeat is older than ``stall_after``.

        A stalled job that was asked to cancel becomes ``cancelled``; one that has
        used ``max_attempts`` becomes ``failed``.

        Returns
        -------
        list of str
            The ids of the jobs put back in the queue.
        """

        def work(session: Session) -> list[str]:
            cutoff = datetime.now(UTC) - stall_after
            rows = session.scalars(
                sa.select(JobRow)
                .where(JobRow.status == "running", JobRow.heartbeat_at < cutoff)
                .with_for_update(skip_locked=True)
            ).all()
            requeued = []
            for row in rows:
                row.claim = None
                if row.cancel_requested:
                    row.status, row.finished_at = "cancelled", datetime.now(UTC)
                elif row.attempts >= max_attempts:
                    row.status, row.finished_at = "failed", datetime.now(UTC)
                    row.error = f"the worker stopped {row.attempts} times (stalled)"
                else:
                    row.status, row.progress = "queued", 0.0
                    requeued.append(row.id)
            return requeued

        return self._write("requeue stalled jobs", work)
