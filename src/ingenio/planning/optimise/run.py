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

With a time budget (a :class:`~ingenio.planning.optimise.budget.Budget` and the share
of it by which the plants must be done) plants are handed out lazily, as many at once
as there are slots, each with ``seconds``: at most its fair share of what is left
(:func:`~ingenio.planning.optimise.budget.plant_seconds`), counted from when its worker
starts it. The worker keeps to it: its greedy start, then the solver with what remains
(never more than the time limit), and no solver at all when too little remains (the
plant keeps its starting plan, with a note). Without a budget every plant has
unlimited ``seconds`` and the run does not read the clock (deterministic mode).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import queue as queue_module
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing.managers import SyncManager
from typing import Any, Protocol

from ingenio.domain import Plan, Portfolio, PriorityClass
from ingenio.lifeline import die_with_parent, terminate_pool_workers
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise.budget import Budget, plant_seconds
from ingenio.planning.optimise.merge import plan_key
from ingenio.planning.schedule import SolveParams, filled, outcomes, placed_in, schedule_plant
from ingenio.planning.status import PlanStatus, Stop, stopped

FILL_SHARE = 0.15
"""Share of the per-plant time limit each filling of a plan (its start, the solver's
plan, the previous plan of a re-planned plant) may take, and at least FILL_MIN_S."""
FILL_MIN_S = 1.5
MIN_SOLVE_S = 0.5
"""A plant solver is not started with less than this left of its plant's seconds."""
SPILL_BELOW_S = 2 * MIN_SOLVE_S
"""A plant offered less than this (its greedy start and a solver) may take the spill share."""
OUT_OF_TIME = "time budget: no time left for the plant solver, kept the starting plan"
"""Note of a plant whose solver was not started for lack of time (counted by the runner)."""

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
    seconds: float = math.inf
    """Wall-clock seconds the whole job may take once its worker starts it (greedy start,
    solver, fill); infinite without a time budget."""


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


def _start(job: _Job, left: Callable[[], float] = lambda: math.inf) -> Plan:
    """The plan a plant starts from without a hint: the best (then the first) of
    dispatch's and the dispatch rule with orders placed as each of ``job.rankings``
    (tried while ``left()`` seconds remain for the job, so at least dispatch's).

    Placing first the orders the portfolio LP makes (LP-guided list scheduling) found
    2 % more value than the best of the other greedy rules on the demo plants, 5 % on
    the one-plant S portfolio.
    """
    best = dispatch(job.portfolio)
    by_id = {o.id: o for o in job.portfolio.orders}
    for ranking in job.rankings:
        if left() < MIN_SOLVE_S:
            break
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


def _plan_plant(
    job: _Job,
    report: Callable[[str, float], None],
    stop: Stop | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Plan:
    """Plan one plant; never worse than its hint (without one, :func:`_start`).

    When ``stop()`` is already True the hint is returned, marked ``cancelled``. The job
    keeps to ``job.seconds`` (read on ``clock`` from now): the solver gets what the
    start leaves (at most the time limit) and is not started with less than
    ``MIN_SOLVE_S``; the plant then keeps its start, with the note ``OUT_OF_TIME``."""
    began = clock()

    def left() -> float:
        return job.seconds - (clock() - began)

    hint = job.hint
    if hint is None:
        hint = _start(job, left)
    elif left() < MIN_SOLVE_S:
        pass  # out of time: the previous plan stands (it fits its old, smaller grants)
    else:
        # Re-planned with more fuel: the greedy starts on the new sub-portfolio use the
        # new fuel; the previous plan does not, and CP-SAT rarely gets there from it.
        # The previous plan's own sequence is tried too: placed again by the dispatch
        # rule, its undone orders come in where the new fuel lets them.
        ranked = (plan_sequence(job.portfolio, hint), *job.rankings)
        fresh = _start(replace(job, rankings=ranked), left)
        # The previous plan as it stands, with its left-out orders slipped into its gaps
        # on the new fuel (a repair start).
        repaired = filled(job.portfolio, hint, _fill_seconds(job.params, left()))
        for start in (fresh, repaired):
            if plan_key(job.portfolio, start) > plan_key(job.portfolio, hint):
                hint = start
    # A re-planned plant's left-out orders are slipped into the start's gaps, and later
    # into the solver's plan. Not in the first round: a plant that fills its gaps there
    # burns the LP's grants for less value than the feedback round gets from the fuel it
    # leaves (demo: CEM +48 k, LAB -70 k, same run).
    refill = job.hint is not None
    if refill and left() >= MIN_SOLVE_S:
        hint = _filled(job, hint, left())
    report("start", hint.value)
    if job.planner is dispatch_planner and job.hint is None:
        return hint
    if stopped(stop):
        note = "cancelled: kept the starting plan"
        return replace(hint, status=PlanStatus.CANCELLED, notes=(*hint.notes, note))
    # What the solver may take: the job's seconds less a fill's, never over the limit.
    reserve = _fill_seconds(job.params, left()) if refill and math.isfinite(job.seconds) else 0.0
    solve_s = min(job.params.time_limit_s, left() - reserve)
    if solve_s < MIN_SOLVE_S:
        return replace(hint, notes=(*hint.notes, OUT_OF_TIME))
    params = job.params
    if solve_s < params.time_limit_s:
        params = replace(params, time_limit_s=solve_s)

    def solution(objective: float, bound: float) -> None:
        report("solution", objective)

    if stop is None:
        plan = job.planner(job.portfolio, params, hint, solution)
    else:
        plan = job.planner(job.portfolio, params, hint, solution, stop=stop)
    if plan_key(job.portfolio, hint) > plan_key(job.portfolio, plan):
        # The solver started from the hint (a model solution): its plan can only rank
        # below it on the fuel tie-break or rounding, or when it failed before starting.
        status = PlanStatus.FEASIBLE if plan.status is PlanStatus.OPTIMAL else plan.status
        notes = (*hint.notes, *plan.notes, "kept the hint")
        return replace(hint, status=status, notes=notes, bound=plan.bound)
    if plan.status is PlanStatus.CANCELLED or not refill or left() < MIN_SOLVE_S:
        return plan
    return replace(_filled(job, plan, left()), bound=plan.bound)


def _fill_seconds(params: SolveParams, left: float = math.inf) -> float:
    """Seconds one filling of a plan may take, and no more than ``left`` (the job's time
    budget); unlimited for a deterministic solve without a budget, whose plan must not
    depend on how loaded the machine (or which cluster worker) is."""
    if params.deterministic:
        return max(0.0, left)
    return max(0.0, min(left, max(FILL_MIN_S, FILL_SHARE * params.time_limit_s)))


def _filled(job: _Job, plan: Plan, left: float = math.inf) -> Plan:
    """``plan`` with the orders it leaves out slipped into its gaps where they fit
    (:func:`~ingenio.planning.schedule.filled`), when that ranks higher."""
    more = filled(job.portfolio, plan, _fill_seconds(job.params, left))
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
        budget: Budget | None = None,
    ) -> None:
        self.planner = planner
        self.executor = executor
        self.budget = budget or Budget(None)
        self.out_of_time: list[str] = []
        """Plants that kept their starting plan for lack of time (all rounds)."""
        self._until: float | None = None
        self.until: float | None = None
        """Share of the time budget by which a run's plants must be done, unless
        :meth:`run` is told otherwise (the optimiser sets it per stage)."""
        self.spill: float | None = None
        """A later share the plants may run into when ``until`` would leave a plant too
        little for its solver (the feedback share: rounds that would have no time to
        re-plan anyway); ``spilled`` then says so."""
        self.spilled = False
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
        until: float | None = None,
    ) -> dict[str, Plan]:
        """Plan each sub-portfolio (plant id -> portfolio), hints by plant id, with
        ``time_share`` of the per-plant time limit; a plant without a hint also tries
        placing its orders in each order of ``rankings`` (order ids). ``until``: the
        share of the time budget by which the last plant must be done (each plant then
        gets its fair share of what is left when it starts); None: no such limit."""
        params = replace(self.params, time_limit_s=self.params.time_limit_s * time_share)
        jobs = []
        for pid, sub in sorted(subs.items(), key=lambda kv: (-len(kv[1].orders), kv[0])):
            mine = {o.id for o in sub.orders}
            own = tuple(tuple(i for i in r if i in mine) for r in rankings)
            jobs.append(_Job(pid, sub, params, hints.get(pid), self.planner, own))
        self.done = {pid for pid in self.best if pid not in subs}
        self.total = len(self.done) + len(jobs)
        self._until = until if until is not None else self.until
        if self.executor is not None:
            out = self._on_executor(self.executor, jobs)
        elif self.workers(len(jobs)) == 1:
            out = {}
            for i, job in enumerate(jobs):
                job = self._timed(job, len(jobs) - i, 1)
                out[job.plant_id] = self._settle(
                    job, partial(_plan_plant, job, self._reporter(job), self.stop)
                )
        else:
            out = self._in_pool(jobs)
        # In the jobs' order, whatever order they finished in: the merge reads plants in
        # this order (battery flows), and a cluster must give what the pool gives.
        return {job.plant_id: out[job.plant_id] for job in jobs}

    def _timed(self, job: _Job, remaining: int, slots: int) -> _Job:
        """``job`` with its seconds: its fair share of what is left of the plant stage
        (``remaining`` plants, this one and those running included, ``slots`` at once);
        unchanged without a budget or a stage end."""
        if self._until is None or not self.budget.limited:
            return job
        seconds = plant_seconds(self.budget.left(self._until), remaining, slots, math.inf)
        if seconds < SPILL_BELOW_S and self.spill is not None and self.spill > self._until:
            # Plants would start losing their solver: they take the later share.
            self._until, self.spilled = self.spill, True
            seconds = plant_seconds(self.budget.left(self._until), remaining, slots, math.inf)
        return replace(job, seconds=seconds)

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
        if plan.notes and plan.notes[-1] == OUT_OF_TIME:
            self.out_of_time.append(job.plant_id)
        self._event(job.plant_id, "done", plan.value)
        if plan.status not in (PlanStatus.FEASIBLE, PlanStatus.OPTIMAL):
            why = f" ({plan.notes[-1]})" if plan.notes else ""
            self.notes.append(f"plant {job.plant_id}: {plan.status}{why}")
        return plan

    def _lazily(
        self,
        submit: Callable[[_Job], Future[Plan]],
        jobs: list[_Job],
        slots: int,
        tick: Callable[[], None] = lambda: None,
        cancel: bool = True,
    ) -> dict[str, Plan]:
        """Run ``jobs`` through ``submit``, at most ``slots`` at once, each timed when it
        is submitted (:meth:`_timed`); ``tick`` runs at each wait (every 0.2 s at most).
        Once a stop is asked and ``cancel``, jobs not yet submitted keep dispatch's plan
        of their plant and those submitted are cancelled where the executor can (without
        ``cancel`` they all run: the workers see the stop and keep their start)."""
        queue = list(jobs)
        running: dict[Future[Plan], _Job] = {}
        out: dict[str, Plan] = {}
        try:
            while queue or running:
                while queue and len(running) < slots and not (cancel and stopped(self.stop)):
                    job = self._timed(queue.pop(0), len(queue) + 1 + len(running), slots)
                    running[submit(job)] = job
                if cancel and stopped(self.stop):
                    for job in queue:
                        out[job.plant_id] = self._settle(job, partial(_cancelled, job))
                    queue = []
                    for f in running:
                        f.cancel()
                if not running:
                    break
                finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
                tick()
                for f in finished:
                    job = running.pop(f)
                    if f.cancelled():
                        out[job.plant_id] = self._settle(job, partial(_cancelled, job))
                    else:
                        out[job.plant_id] = self._settle(job, f.result)
        except BaseException:  # interrupted (SIGTERM, Ctrl-C): leave nothing running
            for f in running:
                f.cancel()
            raise
        return out

    def _on_executor(self, executor: Executor, jobs: list[_Job]) -> dict[str, Plan]:
        """Plan the jobs on an injected executor (a Dask cluster's): no progress channel
        nor shared stop event reach its workers; a stop cancels the plants not started,
        which keep dispatch's plan of the plant. Each task carries only its plant's
        sub-portfolio and hint; a slot is one worker thread (``processes``)."""
        slots = self.workers(len(jobs))
        return self._lazily(lambda job: executor.submit(_in_worker, job, None, None), jobs, slots)

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

        def tick() -> None:
            self._drain(channel)
            if halt is not None and not halt.is_set() and stopped(self.stop):
                halt.set()

        slots = self.workers(len(jobs))
        try:
            with ProcessPoolExecutor(
                slots, mp_context=ctx, initializer=die_with_parent, initargs=owner
            ) as pool:
                try:
                    out = self._lazily(
                        lambda job: pool.submit(_in_worker, job, channel, halt),
                        jobs,
                        slots,
                        tick,
                        cancel=False,
                    )
                    self._drain(channel)
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
