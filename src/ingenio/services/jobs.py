"""Background solves: queue a plan job, follow it, cancel it, and the worker that runs it.

A solve never runs inside a request. :func:`submit_plan` queues a job (one live job
per portfolio: a second one is refused as a conflict, HTTP 409); a :class:`Worker`
(a thread in ``ingenio serve``, or the ``ingenio worker`` process) claims it, beats a
heartbeat with its progress, and saves the plan and marks the job succeeded in
**one** transaction, only while its claim holds. A worker killed mid-solve stops
beating; any other worker then finds the job stalled and queues it again, so the job
still finishes, and exactly one plan version is saved.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ingenio.domain import Portfolio
from ingenio.errors import N_, IngenioError, said
from ingenio.formats.plan_file import plan_to_document
from ingenio.formats.portfolio import parse_portfolio
from ingenio.planning.explain import with_explanations
from ingenio.planning.optimise import OptimiseProgress, optimise, plant_fuel_needs
from ingenio.planning.schedule import SolveParams
from ingenio.planning.summary import summarise
from ingenio.services.auth import Principal
from ingenio.services.plans import PLANNERS, PlanOutcome, make_plan, summary_document
from ingenio.services.server_jobs import run_replan, run_scenarios
from ingenio.services.tenancy import find_portfolio
from ingenio.services.whatif_jobs import run_whatif
from ingenio.store.jobs_repo import JobRecord, finish_claimed
from ingenio.store.records import PlanVersion
from ingenio.store.repository import Store
from ingenio.validate import validate

__all__ = ["JobView", "Worker", "cancel_job", "find_job", "jobs_of", "submit_plan"]

log = logging.getLogger("ingenio.jobs")

JOB_KINDS = ("plan", "whatif", "replan", "scenarios")
"""The kinds of job a worker runs."""

MAX_TIME_LIMIT_S = 600.0
"""The longest per-plant search a plan request may ask for."""


@dataclass(frozen=True)
class JobView:
    """A job as its owner sees it."""

    job: JobRecord
    portfolio_id: int | None


def submit_plan(
    store: Store, principal: Principal, portfolio_id: int, planner: str, time_limit_s: float
) -> JobView:
    """Queue a solve of a portfolio's latest version.

    Raises
    ------
    IngenioError
        Kind ``not_found`` for a portfolio out of scope, ``invalid`` for an unknown
        planner or time limit, ``conflict`` while a job of the portfolio is live.
    """
    view = find_portfolio(store, principal, portfolio_id)
    principal.require("plans.create")
    if planner not in PLANNERS:
        raise IngenioError(
            said(
                N_("unknown planner %(planner)s (choose from %(planners)s)"),
                planner=repr(planner),
                planners=", ".join(PLANNERS),
            ),
            kind="invalid",
        )
    if not 0 < time_limit_s <= MAX_TIME_LIMIT_S:
        raise IngenioError(
            said(N_("time_limit_s must be in (0, %(limit)g]"), limit=MAX_TIME_LIMIT_S),
            kind="invalid",
        )
    params = {
        "portfolio_id": view.id,
        "portfolio_version": view.latest.version,
        "planner": planner,
        "time_limit_s": float(time_limit_s),
    }
    job = store.enqueue_job(view.account, view.name, "plan", params, principal.name)
    return JobView(job, view.id)


def find_job(store: Store, principal: Principal, job_id: str) -> JobView:
    """A job of the principal's account.

    Raises
    ------
    IngenioError
        Kind ``not_found`` for an unknown job or one of another account.
    """
    job = store.job(job_id)
    if job is None or job.account != principal.account or not _may_read(principal, job):
        principal.require_any("jobs.read", "jobs.read_own")
        raise IngenioError(
            said(N_("no job %(job_id)s"), job_id=job_id), kind="not_found", code="job_not_found"
        )
    portfolio_id = job.params.get("portfolio_id")
    return JobView(job, int(portfolio_id) if isinstance(portfolio_id, int) else None)


def jobs_of(store: Store, principal: Principal, limit: int = 100) -> list[JobView]:
    """The newest jobs of the principal's account (a plant manager: those it asked for)."""
    principal.require_any("jobs.read", "jobs.read_own")
    out = []
    for job in store.jobs(principal.account, limit):
        if not _may_read(principal, job):
            continue
        portfolio_id = job.params.get("portfolio_id")
        out.append(JobView(job, portfolio_id if isinstance(portfolio_id, int) else None))
    return out


def _may_read(principal: Principal, job: JobRecord) -> bool:
    """Whether the principal reads this job of its account: all of them, or its own."""
    if principal.can("jobs.read"):
        return True
    return principal.can("jobs.read_own") and job.created_by == principal.name


def cancel_job(store: Store, principal: Principal, job_id: str) -> JobView:
    """Cancel a job: at once when queued, at the running solve's next step otherwise."""
    view = find_job(store, principal, job_id)
    principal.require("jobs.cancel")
    return JobView(store.cancel_job(job_id, principal.name), view.portfolio_id)


class JobStopped(Exception):
    """The solve was stopped: the job was cancelled or taken over."""


class _Beat:
    """Beats a running job's heartbeat in a thread; carries progress in, cancel out."""

    def __init__(self, store: Store, job: JobRecord, every_s: float) -> None:
        self.store, self.job, self.every_s = store, job, every_s
        self.progress: float | None = 0.0
        self.cancel = threading.Event()
        self.lost = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"beat-{job.id}", daemon=True)

    def __enter__(self) -> _Beat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.wait(self.every_s):
            self.beat()

    def beat(self) -> None:
        assert self.job.claim is not None
        try:
            control = self.store.beat(self.job.id, self.job.claim, self.progress)
        except IngenioError as exc:  # the database is away: try again next beat
            log.warning("job %s: heartbeat failed: %s", self.job.id, exc)
            return
        if control.cancel:
            self.cancel.set()
        if control.lost:
            self.lost.set()


class Worker:
    """Runs queued jobs, one at a time, until stopped.

    Parameters
    ----------
    store : Store
        The open store (SQLite or PostgreSQL).
    beat_s : float
        Seconds between heartbeats of a running job.
    stall_after_s : float
        A running job whose heartbeat is older than this is taken to be stalled
        (its worker died) and is queued again.
    max_attempts : int
        Attempts before a job that keeps stalling fails.
    poll_s : float
        Seconds between looks at the queue when it is empty.
    """

    def __init__(
        self,
        store: Store,
        beat_s: float = 2.0,
        stall_after_s: float = 30.0,
        max_attempts: int = 3,
        poll_s: float = 0.5,
    ) -> None:
        if stall_after_s <= 2 * beat_s:
            raise IngenioError(N_("stall_after_s must be more than twice beat_s"), kind="invalid")
        self.store = store
        self.beat_s, self.stall_after = beat_s, timedelta(seconds=stall_after_s)
        self.max_attempts, self.poll_s = max_attempts, poll_s
        self.name = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Run in a daemon thread (the in-process worker of ``ingenio serve``)."""
        self._thread = threading.Thread(target=self.run, name="ingenio-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Ask the loop to stop after the current job, and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def run(self) -> None:
        """Sweep stalled jobs and run queued ones until :meth:`stop`."""
        while not self._stop.is_set():
            try:
                worked = self.run_once()
            except Exception:  # keep the loop alive; the job row says what failed
                log.exception("worker %s: unexpected error", self.name)
                worked = False
            if not worked:
                self._stop.wait(self.poll_s)

    def run_once(self) -> bool:
        """Requeue stalled jobs, then run the oldest queued job; False when there was none."""
        for job_id in self.store.requeue_stalled(self.stall_after, self.max_attempts):
            log.warning("job %s stalled (its worker stopped beating): queued again", job_id)
        job = self.store.claim_job(JOB_KINDS)
        if job is None:
            return False
        self._run_job(job)
        return True

    # -- one job --------------------------------------------------------------------------

    def _run_job(self, job: JobRecord) -> None:
        assert job.claim is not None
        log.info("job %s: %s of %r, attempt %d", job.id, job.kind, job.portfolio_name, job.attempts)
        with _Beat(self.store, job, self.beat_s) as beat:
            try:
                if job.kind in ("whatif", "replan", "scenarios"):
                    result = self._other(job, beat)
                    if beat.cancel.is_set() or beat.lost.is_set():
                        raise JobStopped
                    self.store.finish_job(job.id, job.claim, "succeeded", result)
                else:
                    result = self._plan(job, beat)
            except JobStopped:
                status = "cancelled" if beat.cancel.is_set() else "lost"
                if status == "cancelled":
                    self.store.finish_job(job.id, job.claim, "cancelled")
                return
            except IngenioError as exc:
                self.store.finish_job(job.id, job.claim, "failed", error=str(exc))
                return
            except Exception as exc:  # a solver crash is the job's failure, not the worker's
                log.exception("job %s failed", job.id)
                self.store.finish_job(job.id, job.claim, "failed", error=type(exc).__name__)
                return
        log.info("job %s: done", job.id)

    def _other(self, job: JobRecord, beat: _Beat) -> dict[str, Any]:
        """A what-if, replan or scenario job (their own transactions; see docs/api.md)."""

        def progress(fraction: float) -> None:
            beat.progress = min(0.99, max(0.0, fraction))

        def stop() -> bool:
            return beat.cancel.is_set() or beat.lost.is_set()

        if job.kind == "whatif":
            return run_whatif(self.store, job)
        if job.kind == "replan":
            return run_replan(self.store, job, progress, stop)
        return run_scenarios(self.store, job, progress)

    def _plan(self, job: JobRecord, beat: _Beat) -> dict[str, Any]:
        assert job.claim is not None
        claim = job.claim
        params = job.params
        version = int(params["portfolio_version"])
        pv, document = self.store.load_portfolio(
            job.portfolio_name, version, account=job.account
        )
        portfolio = parse_portfolio(document, f"portfolio {job.portfolio_name!r} v{version}")

        def progress(e: OptimiseProgress) -> None:
            beat.progress = min(0.99, max(e.fraction, e.plants_done / e.plants if e.plants else 0))

        def stop() -> bool:
            return beat.cancel.is_set() or beat.lost.is_set()

        solve = SolveParams(time_limit_s=float(params["time_limit_s"]), workers=1)
        outcome = _solve(portfolio, str(params["planner"]), solve, progress, stop)
        if stop():
            raise JobStopped
        if outcome.violations:
            raise IngenioError(
                said(
                    N_("the plan breaks %(count)s rule(s); first: %(violation)s"),
                    count=len(outcome.violations),
                    violation=outcome.violations[0].sentence(),
                ),
                kind="rule_broken",
            )
        result: dict[str, Any] = {}

        def done(session: Any, saved: PlanVersion) -> None:
            result.update(plan_id=saved.id, version=saved.version)
            finish_claimed(session, job.id, claim, "succeeded", dict(result))

        self.store.save_plan(
            portfolio_version_id=pv.id,
            planner=outcome.plan.planner,
            status=outcome.plan.status,
            value=outcome.plan.value,
            bound=outcome.plan.bound,
            seconds=outcome.seconds,
            document=plan_to_document(outcome.plan, portfolio),
            summary=summary_document(outcome.summary),
            actor=job.created_by,
            within=done,
        )
        return result


def _solve(
    portfolio: Portfolio,
    planner: str,
    params: SolveParams,
    progress: Callable[[OptimiseProgress], None],
    stop: Callable[[], bool],
) -> PlanOutcome:
    """:func:`ingenio.services.plans.make_plan` that a cancel stops at once (in one process)."""
    if planner != "optimise":
        return make_plan(portfolio, planner)
    began = time.perf_counter()
    plan = optimise(portfolio, params, processes=1, progress=progress, stop=stop)
    plan = with_explanations(portfolio, plan)
    seconds = time.perf_counter() - began
    violations = tuple(validate(portfolio, plan))
    summary = summarise(portfolio, plan, plant_fuel_needs(portfolio, plan))
    return PlanOutcome(portfolio, plan, summary, violations, seconds)


def wait_for(
    store: Store, job_id: str, timeout_s: float, sleep: Callable[[float], None] = time.sleep
) -> JobRecord:
    """Poll a job until it is over (for tools and tests); raises on timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        job = store.job(job_id)
        if job is None:
            raise IngenioError(
                said(N_("no job %(job_id)s"), job_id=job_id), kind="not_found", code="job_not_found"
            )
        if job.status not in ("queued", "running"):
            return job
        if time.monotonic() > deadline:
            raise IngenioError(
                said(N_("job %(job)s is still %(status)s"), job=job_id, status=job.status),
                kind="unavailable",
            )
        sleep(0.2)
