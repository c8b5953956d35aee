"""Run the plant planner on each plant's sub-portfolio, in parallel processes or in-process.

Private helper of :mod:`ingenio.planning.optimise`. Worker processes are started
with ``forkserver`` (``spawn`` where that is missing), never ``fork``: the parent
may hold threads (a progress bar, the LP solver). Progress from workers comes back
through a ``multiprocessing.Manager`` queue, drained while the parent waits.

An injected :class:`concurrent.futures.Executor` (a Dask cluster's, given by the
services) runs the plants instead of the local pool: the same jobs, the same
per-plant solves, only where they run differs. No progress comes back from its
workers until a plant is done, and a stop cancels the plants not yet started.
Whatever ran them, the plans come back in the jobs' order, so the merge does not
depend on which plant finished first.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import queue as queue_module
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing.managers import SyncManager
from typing import Any, Protocol

from ingenio.domain import Plan, Portfolio, PriorityClass
from ingenio.lifeline import die_with_parent, terminate_pool_workers
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise.merge import plan_key
from ingenio.planning.schedule import SolveParams, filled, outcomes, placed_in, schedule_plant
from ingenio.planning.status import PlanStatus, Stop, stopped

FILL_SHARE = 0.15
"""Share of the per-plant time limit each filling of a plan (its start, the solver's
plan, the previous plan of a re-planned plant) may take, and at least FILL_MIN_S."""
FILL_MIN_S = 1.5

PlantProgress = Callable[[float, float], None]
"""``(objective, bound)`` of a plant solver at each new solution."""


class PlantPlanner(Protocol):
    """Plans a one-plant, depot-free portfolio: ``(portfolio, params, hint, progress)``.

    ``stop`` is passed (as a keyword) only when the caller gave a stop signal."""

    def __call__(
        self,
        portfolio: Portfolio,
        params: SolveParams,
        hint: Plan | None,
        progress: PlantProgress | None,
        stop: Stop | None = None,
    ) -> Plan: ...


@dataclass(frozen=True)
class OptimiseProgress:
    """Where the two-level planner stands.

    ``stage``: ``allocate`` (the LP; ``bound`` is NaN until it is solved), ``dispatch``,
    ``plants``, ``feedback`` or ``done``; ``value`` the sum
    over plants of the best plan known so far (a floor: the dispatch plan of each
    plant until its solver is done); ``bound`` the LP upper bound; ``solutions`` the
    improving solutions the plant solvers have reported; ``fraction`` the share of the
    run done, 0 to 1, never decreasing within a run (``allocate`` 0, ``dispatch`` 0.2,
    ``plants`` 0.25 to 0.75 as plants finish, ``feedback`` 0.75 to 0.95, ``done`` 1).
    """

    stage: str
    plants_done: int
    plants: int
    value: float
    bound: float
    solutions: int
    fraction: float = 0.0

    @property
    def message(self) -> str:
        """A few words on the stage, for a progress bar."""
        if self.stage in ("plants", "feedback"):
            return f"{self.stage}: {self.plants_done}/{self.plants} plants"
        return self.stage


_STAGE_SPAN = {
    "allocate": (0.0, 0.0),
    "dispatch": (0.2, 0.2),
    "plants": (0.25, 0.75),
    "feedback": (0.75, 0.95),
    "done": (1.0, 1.0),
}
"""Share of the run done at the start and at the end of each stage."""


def cp_sat_planner(
    portfolio: Portfolio,
    params: SolveParams,
    hint: Plan | None,
    progress: PlantProgress | None,
    stop: Stop | None = None,
) -> Plan:
    """The plant planner by default: CP-SAT (:func:`~ingenio.planning.schedule.schedule_plant`).

    The plan's ``bound`` is CP-SAT's own bound read as value (:func:`model_value_bound`)."""
    result = schedule_plant(portfolio, params, hint=hint, progress=progress, stop=stop)
    bound = model_value_bound(portfolio, result.plan, result.bound)
    return replace(result.plan, status=result.status, bound=bound)


def model_value_bound(portfolio: Portfolio, plan: Plan, bound: float) -> float | None:
    """CP-SAT's bound on its weighted objective read as a bound on value, or None.

    The objective is ``W * essential orders run + value - fuel tie-break`` with ``W`` the
    plant's total order value plus 1 and a tie-break below half the smallest order value;
    so value is at most ``bound - W * E + that half`` over the model's plans running at
    least the ``E`` essential orders ``plan`` runs (the objective's first criterion). It
    bounds the plant *model* under the plant's fuel, not every valid plan."""
    if not math.isfinite(bound):
        return None
    values = [o.value for o in portfolio.orders if o.value > 0]
    weight = sum(o.value for o in portfolio.orders) + 1.0
    essential = {o.id for o in portfolio.orders if o.priority is PriorityClass.ESSENTIAL}
    ran = {op.order_id for op in plan.operations} & essential
    return bound - weight * len(ran) + (min(values) / 2 if values else 0.0)


def dispatch_planner(
    portfolio: Portfolio,
    params: SolveParams,
    hint: Plan | None,
    progress: PlantProgress | None,
    stop: Stop | None = None,
) -> Plan:
    """A solver-free plant planner: the dispatch rule on the plant's sub-portfolio."""
    return dispatch(portfolio)


@dataclass(frozen=True)
class _Job:
    plant_id: str
    portfolio: Portfolio
    params: SolveParams
    hint: Plan | None
    planner: PlantPlanner
    rankings: tuple[tuple[str, ...], ...] = ()
    """Orders (ids) to place orders in, read off the LP; may be empty."""


def plan_sequence(portfolio: Portfolio, plan: Plan) -> tuple[str, ...]:
    """The orders of ``portfolio`` in the order ``plan`` starts them (by the start of
    their first operation), then those it does not run, by due date.

    Placing orders in this sequence on a sub-portfolio with more fuel keeps the shape
    of a solver's plan and lets the dispatch rule run its undone orders on the new fuel.
    """
    first: dict[str, int] = {}
    for op in plan.operations:
        first[op.order_id] = min(op.start, first.get(op.order_id, op.start))
    ran = sorted((o for o in portfolio.orders if o.id in first), key=lambda o: (first[o.id], o.id))
    rest = sorted((o for o in portfolio.orders if o.id not in first), key=lambda o: (o.due, o.id))
    return tuple(o.id for o in (*ran, *rest))


def _start(job: _Job) -> Plan:
    """The plan a plant starts from without a hint: the best (then the first) of
    dispatch's and the dispatch rule with orders placed as each of ``job.rankings``.

    Placing first the orders the portfolio LP makes (LP-guided list scheduling) found
    2 % more value than the best of the other greedy rules on the demo plants, 5 % on
    the one-plant S portfolio.
    """
    best = dispatch(job.portfolio)
    by_id = {o.id: o for o in job.portfolio.orders}
    for ranking in job.rankings:
        ranked = [by_id[i] for i in ranking if i in by_id]
        listed = set(ranking)
        ranked += [o for o in job.portfolio.orders if o.id not in listed]
        guided = dispatch(placed_in(job.portfolio, ranked))
        guided = replace(
            guided,
            outcomes=outcomes(job.portfolio, guided.operations, {}),
            notes=(*guided.notes, "dispatch rule with orders placed as the portfolio LP ranks"),
        )
        if plan_key(job.portfolio, guided) > plan_key(job.portfolio, best):
            best = guided
    return best


def _plan_plant(job: _Job, report: Callable[[str, float], None], stop: Stop | None = None) -> Plan:
    """Plan one plant; never worse than its hint (without one, :func:`_start`).

    When ``stop()`` is already True the hint is returned, marked ``cancelled``."""
    hint = job.hint
    if hint is None:
        hint = _start(job)
    else:
        # Re-planned with more fuel: the greedy starts on the new sub-portfolio use the
        # new fuel; the previous plan does not, and CP-SAT rarely gets there from it.
        # The previous plan's own sequence is tried too: placed again by the dispatch
        # rule, its undone orders come in where the new fuel lets them.
        ranked = (plan_sequence(job.portfolio, hint), *job.rankings)
        fresh = _start(replace(job, rankings=ranked))
        # The previous plan as it stands, with its left-out orders slipped into its gaps
        # on the new fuel (a repair start).
        repaired = filled(job.portfolio, hint, _fill_seconds(job.params))
        for start in (fresh, repaired):
            if plan_key(job.portfolio, start) > plan_key(job.portfolio, hint):
                hint = start
    # A re-planned plant's left-out orders are slipped into the start's gaps, and later
    # into the solver's plan. Not in the first round: a plant that fills its gaps there
    # burns the LP's grants for less value than the feedback round gets from the fuel it
    # leaves (demo: CEM +48 k, LAB -70 k, same run).
    refill = job.hint is not None
    if refill:
        hint = _filled(job, hint)
    report("start", hint.value)
    if job.planner is dispatch_planner and job.hint is None:
        return hint
    if stopped(stop):
        note = "cancelled: kept the starting plan"
        return replace(hint, status=PlanStatus.CANCELLED, notes=(*hint.notes, note))

    def solution(objective: float, bound: float) -> None:
        report("solution", objective)

    if stop is None:
        plan = job.planner(job.portfolio, job.params, hint, solution)
    else:
        plan = job.planner(job.portfolio, job.params, hint, solution, stop=stop)
    if plan_key(job.portfolio, hint) > plan_key(job.portfolio, plan):
        # The solver started from the hint (a model solution): its plan can only rank
        # below it on the fuel tie-break or rounding, or when it failed before starting.
        status = PlanStatus.FEASIBLE if plan.status is PlanStatus.OPTIMAL else plan.status
        notes = (*hint.notes, *plan.notes, "kept the hint")
        return replace(hint, status=status, notes=notes, bound=plan.bound)
    if plan.status is PlanStatus.CANCELLED or not refill:
        return plan
    return replace(_filled(job, plan), bound=plan.bound)


def _fill_seconds(params: SolveParams) -> float:
    """Seconds one filling of a plan may take; unlimited for a deterministic solve, whose
    plan must not depend on how loaded the machine (or which cluster worker) is."""
    if params.deterministic:
        return math.inf
    return max(FILL_MIN_S, FILL_SHARE * params.time_limit_s)


def _filled(job: _Job, plan: Plan) -> Plan:
    """``plan`` with the orders it leaves out slipped into its gaps where they fit
    (:func:`~ingenio.planning.schedule.filled`), when that ranks higher."""
    more = filled(job.portfolio, plan, _fill_seconds(job.params))
    if more is not plan and plan_key(job.portfolio, more) > plan_key(job.portfolio, plan):
        return replace(
            more,
            status=plan.status if plan.status is not PlanStatus.OPTIMAL else PlanStatus.FEASIBLE,
        )
    return plan


def _in_worker(job: _Job, channel: Any, halt: Any = None) -> Plan:
    """Entry point of a worker process (module level, so it pickles); ``halt`` a
    manager ``Event`` the parent sets to stop the run, or None."""

    def report(kind: str, value: float) -> None:
        if channel is not None:
            channel.put((job.plant_id, kind, value))

    return _plan_plant(job, report, halt.is_set if halt is not None else None)


def _cancelled(job: _Job) -> Plan:
    """The plan of a plant whose solve was cancelled before it started: dispatch's."""
    plan = dispatch(job.portfolio)
    note = "cancelled before it started: kept dispatch's plan"
    return replace(plan, status=PlanStatus.CANCELLED, notes=(*plan.notes, note))


def _context() -> Any:
    """``forkserver`` where the platform has it, else ``spawn``."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class PlantRunner:
    """Plans sub-portfolios with one planner and reports progress to one callback."""

    def __init__(
        self,
        planner: PlantPlanner,
        params: SolveParams,
        processes: int | None,
        progress: Callable[[OptimiseProgress], None] | None,
        bound: float,
        stop: Stop | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.planner = planner
        self.executor = executor
        self.stop = stop
        self.fraction = 0.0
        self.params = params
        self.processes = processes
        self.progress = progress
        self.bound = bound
        self.best: dict[str, float] = {}
        self.done: set[str] = set()
        self.total = 0
        self.solutions = 0
        self.stage_name = "plants"
        self.notes: list[str] = []
        self.bounds: dict[str, float | None] = {}
        """Per plant, the plant planner's own bound on value (CP-SAT's), or None."""

    def stage(self, name: str) -> None:
        """Enter a stage and report it."""
        self.stage_name = name
        self._emit()

    def take_notes(self) -> list[str]:
        """Notes of the plants planned since the last call."""
        out, self.notes = self.notes, []
        return out

    def _emit(self) -> None:
        if self.progress is not None:
            a, b = _STAGE_SPAN.get(self.stage_name, (self.fraction, self.fraction))
            share = len(self.done) / self.total if self.total else 0.0
            self.fraction = max(self.fraction, a + (b - a) * share)
            self.progress(
                OptimiseProgress(
                    self.stage_name,
                    len(self.done),
                    self.total,
                    sum(self.best.values()),
                    self.bound,
                    self.solutions,
                    self.fraction,
                )
            )

    def _event(self, plant_id: str, kind: str, value: float) -> None:
        if kind == "solution":
            self.solutions += 1
        else:
            self.best[plant_id] = value
            if kind == "done":
                self.done.add(plant_id)
        self._emit()

    def workers(self, n_jobs: int) -> int:
        """Plants planned at once for ``n_jobs`` plants."""
        if self.processes is not None:
            return max(1, min(self.processes, n_jobs))
        cpus = os.cpu_count() or 1
        return max(1, min(n_jobs, cpus // max(1, self.params.workers)))

    def run(
        self,
        subs: Mapping[str, Portfolio],
        hints: Mapping[str, Plan],
        time_share: float = 1.0,
        rankings: tuple[tuple[str, ...], ...] = (),
    ) -> dict[str, Plan]:
        """Plan each sub-portfolio (plant id -> portfolio), hints by plant id, with
        ``time_share`` of the per-plant time limit; a plant without a hint also tries
        placing its orders in each order of ``rankings`` (order ids)."""
        params = replace(self.params, time_limit_s=self.params.time_limit_s * time_share)
        jobs = []
        for pid, sub in sorted(subs.items(), key=lambda kv: (-len(kv[1].orders), kv[0])):
            mine = {o.id for o in sub.orders}
            own = tuple(tuple(i for i in r if i in mine) for r in rankings)
            jobs.append(_Job(pid, sub, params, hints.get(pid), self.planner, own))
        self.done = {pid for pid in self.best if pid not in subs}
        self.total = len(self.done) + len(jobs)
        if self.executor is not None:
            out = self._on_executor(self.executor, jobs)
        elif self.workers(len(jobs)) == 1:
            out = {}
            for job in jobs:
                out[job.plant_id] = self._settle(
                    job, partial(_plan_plant, job, self._reporter(job), self.stop)
                )
        else:
            out = self._in_pool(jobs)
        # In the jobs' order, whatever order they finished in: the merge reads plants in
        # this order (battery flows), and a cluster must give what the pool gives.
        return {job.plant_id: out[job.plant_id] for job in jobs}

    def _reporter(self, job: _Job) -> Callable[[str, float], None]:
        return lambda kind, value: self._event(job.plant_id, kind, value)

    def _settle(self, job: _Job, work: Callable[[], Plan]) -> Plan:
        """Run ``work``; a crash falls back to dispatch on the plant, with a note."""
        try:
            plan = work()
        except Exception as exc:  # a worker failure must not lose the portfolio plan
            self.notes.append(f"plant {job.plant_id}: planner failed ({exc!r}); used dispatch")
            plan = dispatch(job.portfolio)
        self.bounds[job.plant_id] = plan.bound
        self._event(job.plant_id, "done", plan.value)
        if plan.status not in (PlanStatus.FEASIBLE, PlanStatus.OPTIMAL):
            why = f" ({plan.notes[-1]})" if plan.notes else ""
            self.notes.append(f"plant {job.plant_id}: {plan.status}{why}")
        return plan

    def _on_executor(self, executor: Executor, jobs: list[_Job]) -> dict[str, Plan]:
        """Plan the jobs on an injected executor (a Dask cluster's): no progress channel
        nor shared stop event reach its workers; a stop cancels the plants not started,
        which keep dispatch's plan of the plant."""
        futures: dict[Future[Plan], _Job] = {
            executor.submit(_in_worker, job, None, None): job for job in jobs
        }
        out: dict[str, Plan] = {}
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                if stopped(self.stop):
                    for f in pending:
                        f.cancel()
                for f in finished:
                    job = futures[f]
                    if f.cancelled():
                        out[job.plant_id] = self._settle(job, partial(_cancelled, job))
                    else:
                        out[job.plant_id] = self._settle(job, f.result)
        except BaseException:  # interrupted (SIGTERM, Ctrl-C): leave nothing running
            for f in pending:
                f.cancel()
            raise
        return out

    def _in_pool(self, jobs: list[_Job]) -> dict[str, Plan]:
        ctx = _context()
        owner = (os.getpid(),)
        manager: Any = None
        if self.progress is not None or self.stop is not None:
            manager = SyncManager(ctx=ctx)
            try:
                manager.start(die_with_parent, owner)
            except BaseException:  # interrupted while it starts: kill it before it speaks
                terminate_pool_workers(manager)
                raise
        channel = manager.Queue() if manager is not None and self.progress is not None else None
        halt = manager.Event() if manager is not None and self.stop is not None else None
        if halt is not None and stopped(self.stop):
            halt.set()
        out: dict[str, Plan] = {}
        try:
            with ProcessPoolExecutor(
                self.workers(len(jobs)), mp_context=ctx, initializer=die_with_parent, initargs=owner
            ) as pool:
                try:
                    futures: dict[Future[Plan], _Job] = {
                        pool.submit(_in_worker, job, channel, halt): job for job in jobs
                    }
                    pending = set(futures)
                    while pending:
                        finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                        self._drain(channel)
                        if halt is not None and not halt.is_set() and stopped(self.stop):
                            halt.set()
                        for f in finished:
                            job = futures[f]
                            out[job.plant_id] = self._settle(job, f.result)
                except BaseException:  # interrupted (SIGTERM, Ctrl-C): stop the workers now
                    terminate_pool_workers(pool)
                    if manager is not None:  # killed, not shut down: no one is listening
                        terminate_pool_workers(manager)
                        manager = None
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
        finally:
            if manager is not None:
                manager.shutdown()
        return out

    def _drain(self, channel: Any) -> None:
        while channel is not None:
            try:
                pid, kind, value = channel.get_nowait()
            except queue_module.Empty:
                return
            self._event(pid, kind, value)
