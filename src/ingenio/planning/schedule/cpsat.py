"""The plant-level scheduler: one plant's detailed schedule on OR-Tools CP-SAT.

:func:`schedule_plant` plans a portfolio that holds exactly one plant and no
depots (cut one out with :func:`ingenio.planning.restrict.plant_portfolio`):
fuel comes only from the plant's tank and the deliveries to it. Lines, shifts,
routings, release and due dates, order predecessors, family setups, shared
resources, and power as a resource whose capacity changes with the grid, the
sun and the generators switched on, with the fuel they burn: the model is
described family by family in ``docs/planning.md`` ("Plant level").

It always returns a plan that passes :func:`ingenio.validate.validate`. The start,
read in model terms and completed, is the solver's first solution, and every model
solution gives a valid plan (the model charges at least the fuel the plan burns,
starts included: :mod:`.genstarts`), so the result is the solver's plan, or the start
when that ranks higher as a plan, with the solver's status; ``fallback`` (the start)
only when the solver failed before its search began. With the value objective the
starting plan is the best of the caller's hint, the dispatch plan and the dispatch
rule with orders placed by value (:mod:`.starts`), so the result never ranks below the
dispatch plan.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from ortools.sat.python import cp_model

from ingenio.domain import Operation, Plan, Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.schedule import lns, shop
from ingenio.planning.schedule.constraints import Constraints
from ingenio.planning.schedule.data import PlantInput, build_input
from ingenio.planning.schedule.hint import assignment_of
from ingenio.planning.schedule.model import Variables
from ingenio.planning.schedule.plan import build_plan
from ingenio.planning.schedule.solve import (
    add_hint,
    read,
    set_makespan_objective,
    set_value_objective,
)
from ingenio.planning.schedule.starts import greedy_starts, makespan, makespan_start, rank
from ingenio.planning.status import PlanStatus, Stop, stopped
from ingenio.validate import validate

__all__ = [
    "BuiltModel",
    "PlantResult",
    "SolveParams",
    "build_model",
    "complete_hint",
    "makespan",
    "schedule_plant",
]


@dataclass(frozen=True)
class SolveParams:
    """How to solve.

    Attributes
    ----------
    time_limit_s
        Wall-clock seconds for the whole call (building the model included).
        With ``deterministic`` it is a deterministic-time budget instead.
    workers
        CP-SAT search workers (threads).
    seed
        CP-SAT random seed.
    objective
        ``"value"``: essential orders first, then value delivered, then least
        fuel; orders may be left out. ``"makespan"``: every order must run;
        minimise the latest completion (benchmarks).
    deterministic
        Same input, seed and workers give the same plan: the solver stops on
        CP-SAT's deterministic time (``max_deterministic_time = time_limit_s``),
        with interleaved search when ``workers > 1``; a wall-clock guard of
        ``10 * time_limit_s + 10`` s still applies (if it fires first, the
        result may differ between runs, and the plan says so in a note).
        CP-SAT's deterministic time runs slower than the clock on this model,
        often 10 to 30 times on the demo plants: use a small budget. Off, the
        wall-clock limit rules and a run that stops on it may differ from
        another one.
    """

    time_limit_s: float = 10.0
    workers: int = 2
    seed: int = 0
    objective: Literal["value", "makespan"] = "value"
    deterministic: bool = False


@dataclass(frozen=True)
class PlantResult:
    """What :func:`schedule_plant` returns.

    Attributes
    ----------
    plan
        A complete plan of the portfolio passed in; it passes ``validate``.
    status
        ``"optimal"`` or ``"feasible"`` (the solver's plan, or its start when that
        ranks higher as a plan), or ``"fallback"`` (the solver failed before its
        search began: the start, or the dispatch plan, is returned), or
        ``"cancelled"`` (``stop()`` said stop:
        the best valid plan so far); a :class:`~ingenio.planning.PlanStatus`.
    objective
        The value of ``plan`` (objective ``"value"``) or its makespan in minutes,
        recomputed from the plan.
    bound
        CP-SAT's best bound on its own objective: for ``"makespan"`` a lower
        bound on the makespan of the model; for ``"value"`` an upper bound on the
        weighted objective (essential weight times essential orders run, plus
        modelled value, minus the fuel tie-breaker), which is a bound on value
        only when there are no essential orders. NaN when no model was solved.
    seconds
        Wall-clock seconds of the whole call.
    """

    plan: Plan
    status: PlanStatus
    objective: float
    bound: float
    seconds: float


class _Progress(cp_model.CpSolverSolutionCallback):
    """Reports ``(objective, bound)`` at every improving solution, and stops the search
    when ``stop()`` says so."""

    def __init__(self, report: Callable[[float, float], None] | None, stop: Stop | None) -> None:
        super().__init__()
        self.report = report
        self.stop = stop
        self.cancelled = False

    def on_solution_callback(self) -> None:
        """Called by CP-SAT for every new best solution."""
        if self.report is not None:
            self.report(self.objective_value, self.best_objective_bound)
        if stopped(self.stop):
            self.cancelled = True
            self.stop_search()


def _status(code: Any) -> PlanStatus:
    """Map a CP-SAT status to ``optimal`` / ``feasible`` / ``fallback``."""
    if code == cp_model.OPTIMAL:
        return PlanStatus.OPTIMAL
    if code == cp_model.FEASIBLE:
        return PlanStatus.FEASIBLE
    return PlanStatus.FALLBACK


def _key(portfolio: Portfolio, plan: Plan, objective: str) -> tuple[float, ...]:
    """What the objective ranks plans by (larger is better)."""
    if objective == "makespan":
        scheduled = {op.order_id for op in plan.operations}
        return (len(scheduled), -makespan(plan))
    return rank(portfolio, plan)


def _interleaved(plan: Plan) -> frozenset[str]:
    """Lines where the plan runs a piece of one step between two pieces of another."""
    spans: dict[tuple[str, str, int], tuple[int, int]] = {}
    for op in plan.operations:
        key = (op.line_id, op.order_id, op.step)
        a, b = spans.get(key, (op.start, op.end))
        spans[key] = (min(a, op.start), max(b, op.end))
    out: set[str] = set()
    last: dict[str, int] = {}
    for (line, _, _), (a, b) in sorted(spans.items(), key=lambda kv: (kv[0][0], kv[1])):
        if a < last.get(line, a):
            out.add(line)
        last[line] = max(b, last.get(line, b))
    return frozenset(out)


def _follows(data: PlantInput, plan: Plan) -> frozenset[tuple[int, int]]:
    """Task pairs ``(i, j)`` where ``plan`` runs ``j``'s first operation right after
    ``i``'s last on the same line (candidates for a waived setup)."""
    task_of = {
        (data.orders[task.order].order.id, task.k): t for t, task in enumerate(data.tasks)
    }
    last: dict[tuple[str, int], int] = {}
    for op in plan.operations:
        key = (op.order_id, op.step)
        last[key] = max(last.get(key, op.end), op.end)
    first: dict[tuple[str, int], int] = {}
    for op in plan.operations:
        key = (op.order_id, op.step)
        first[key] = min(first.get(key, op.start), op.start)
    by_line: dict[str, list[Operation]] = {}
    for op in plan.operations:
        by_line.setdefault(op.line_id, []).append(op)
    out: set[tuple[int, int]] = set()
    for ops in by_line.values():
        ops.sort(key=lambda op: (op.start, op.end))
        for prev, op in itertools.pairwise(ops):
            a, b = (prev.order_id, prev.step), (op.order_id, op.step)
            if prev.end == last[a] and op.start == first[b] and a in task_of and b in task_of:
                out.add((task_of[a], task_of[b]))
    return frozenset(out)


def schedule_plant(
    portfolio: Portfolio,
    params: SolveParams = SolveParams(),
    hint: Plan | None = None,
    progress: Callable[[float, float], None] | None = None,
    stop: Stop | None = None,
) -> PlantResult:
    """Schedule the one plant of ``portfolio`` with CP-SAT.

    Parameters
    ----------
    portfolio
        A portfolio with exactly one plant and no depots.
    params
        Time limit, workers, seed, objective, determinism.
    hint
        A plan of the same portfolio to warm-start from (a previous plan, the
        dispatch plan). Ignored (with a note) if it breaks a plan rule. With
        ``objective="value"`` the solver starts from the best of this hint, the
        dispatch plan and the greedy starts of :mod:`.starts` (tried
        within 15 % of the time limit; all of them when ``deterministic``).
    progress
        Called with ``(objective, bound)`` of the solver at each new solution.
    stop
        Asked before the solve and at each new solution; when it returns True the
        search stops and the best valid plan so far (the solver's, else the starting
        plan) is returned with status ``cancelled``.

    Returns
    -------
    PlantResult
        Always a valid plan; see :class:`PlantResult`.

    Raises
    ------
    ValueError
        If the portfolio has several plants or any depot.
    """
    clock = time.perf_counter()
    if len(portfolio.plants) != 1 or portfolio.depots:
        raise ValueError(
            "schedule_plant needs a portfolio with one plant and no depots; "
            "cut it with ingenio.planning.restrict.plant_portfolio"
        )
    notes: list[str] = []
    if hint is not None:
        broken = validate(portfolio, hint)
        if broken:
            notes.append(f"hint ignored: it breaks {len(broken)} plan rules, first: {broken[0]}")
            hint = None
    if params.objective == "value":
        budget = None if params.deterministic else 0.15 * params.time_limit_s
        hint = _best_start(portfolio, hint, greedy_starts(portfolio, budget))
    elif hint is None:
        as_shop = _shop(portfolio, params, clock, progress, stop)
        if as_shop is not None:
            return as_shop
        hint = makespan_start(portfolio)
    if stopped(stop):
        notes.append("cancelled before the solve: the starting plan is kept")
        return _fallback(portfolio, hint, params, clock, notes, float("nan"), cancelled=True)
    built = build_model(portfolio, params, hint)
    data, model, v = built.data, built.model, built.variables
    if params.objective == "makespan":
        refused = [od for od in data.orders if not od.runnable]
        if refused:
            notes += [f"order {od.order.id} cannot run: {od.reason}" for od in refused[:5]]
            return _fallback(portfolio, hint, params, clock, notes, float("nan"))
    started = False
    if hint is not None:
        spare = max(0.05, params.time_limit_s - (time.perf_counter() - clock))
        if params.deterministic:  # not the clock: the load must not change the plan
            spare = params.time_limit_s
        share = COMPLETION_SHARE * params.time_limit_s
        if not params.deterministic:  # a loaded machine slows presolve, not the start's worth
            share = max(share, COMPLETION_FLOOR_S)
        started = complete_hint(model, min(share, spare), params.deterministic)
        if not started:
            notes.append("the start could not be completed into a model solution")
    searching = started and lns.applies(params.objective, params.deterministic)
    solver = _solver(params, time.perf_counter() - clock, lns.MAIN_SHARE if searching else 1.0)
    watch = _Progress(progress, stop) if progress or stop else None
    code = solver.solve(model, watch)
    first = code
    best = solver
    searched = False
    halted = watch is not None and watch.cancelled
    if searching and code in (cp_model.FEASIBLE, cp_model.UNKNOWN) and not halted:
        # Neighbourhood search from the solver's best, or from the completed start when
        # the first run stopped before its search began.
        left = params.time_limit_s - (time.perf_counter() - clock)
        origin: cp_model.CpSolver | list[int] = solver
        if code == cp_model.UNKNOWN:
            origin = list(model.proto.solution_hint.values)
        found, stats = lns.improve(model, data, v, origin, left, params.seed, progress, stop)
        notes.append(stats.note())
        searched = stats.moves > 0
        if found is not None:
            best = found
            if code == cp_model.UNKNOWN:
                code = cp_model.FEASIBLE
    status = _status(code)
    cancelled = watch is not None and watch.cancelled and code != cp_model.OPTIMAL
    if params.deterministic and code != cp_model.OPTIMAL:
        if solver.deterministic_time < 0.99 * params.time_limit_s:
            notes.append(
                "stopped by the wall-clock guard before the deterministic budget: "
                "this plan may differ from run to run"
            )
    if status is PlanStatus.FALLBACK and started and code == cp_model.INFEASIBLE:
        notes.append("CP-SAT calls the model infeasible though its start solves it (a bug)")
    solved = first in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    bound = float(solver.best_objective_bound) if solved else float("nan")
    kept_start = searched or (started and code == cp_model.UNKNOWN)
    if status is PlanStatus.FALLBACK and kept_start and hint is not None and not cancelled:
        # The first run stopped in presolve, but the start is a model solution (the
        # completed hint, the solver's incumbent from the outset) and nothing better was
        # found, by that run or by the search: the start is the solver's plan.
        notes.append("CP-SAT's first run stopped in presolve: kept the start")
        seconds = time.perf_counter() - clock
        kept = replace(hint, status=PlanStatus.FEASIBLE, bound=None, seconds=seconds)
        kept = replace(kept, notes=(*kept.notes, *notes))
        return PlantResult(kept, PlanStatus.FEASIBLE, _objective(kept, params), bound, seconds)
    if status is PlanStatus.FALLBACK:
        why = "stopped before its search started" if started else "found no plan"
        notes.append(f"CP-SAT {why} ({solver.status_name(code)})")
        return _fallback(portfolio, hint, params, clock, notes, bound, cancelled)
    plan = _solved(data, best, v, status, bound, params, clock)
    broken = validate(portfolio, plan)
    if broken:
        # Cannot happen while the model charges what the plan burns (a bug if it does).
        notes.append(f"solver plan dropped: it breaks {len(broken)} plan rules, first: {broken[0]}")
        return _fallback(portfolio, hint, params, clock, notes, bound, cancelled)
    if hint is not None and _key(portfolio, hint, params.objective) > _key(
        portfolio, plan, params.objective
    ):
        # The start is a model solution, so the solver's plan is at least as good in
        # model terms; it can still rank below the start as a plan (the model charges
        # fuel by a safe over-estimate and rounds late value to whole minutes).
        notes.append("the start ranks above the solver's plan: kept the start")
        plan = replace(hint, status=status, bound=None)
    seconds = time.perf_counter() - clock
    if cancelled:
        status = PlanStatus.CANCELLED
        notes.append("cancelled: the solver's best plan so far")
    plan = replace(plan, status=status, seconds=seconds, notes=(*plan.notes, *notes))
    return PlantResult(plan, status, _objective(plan, params), bound, seconds)


def _shop(
    portfolio: Portfolio,
    params: SolveParams,
    clock: float,
    progress: Callable[[float, float], None] | None,
    stop: Stop | None,
) -> PlantResult | None:
    """Makespan of a plain disjunctive shop with the lean model of :mod:`.shop`; None when
    the plant is not one (setups, shifts, power, resources, order predecessors)."""
    (plant,) = portfolio.plants
    if plant.resources or any(o.predecessors for o in portfolio.orders):
        return None  # RCPSP and chains: not a shop, and no input built twice
    data = build_input(portfolio)
    if not shop.is_shop(data):
        return None
    r = shop.solve_shop(
        shop.shop_of(data),
        time_limit=max(0.05, params.time_limit_s - (time.perf_counter() - clock)),
        workers=params.workers,
        seed=params.seed,
        deterministic=params.deterministic,
        progress=progress,
        stop=stop,
    )
    status = PlanStatus.OPTIMAL if r.optimal else PlanStatus.FEASIBLE
    if r.cancelled:
        status = PlanStatus.CANCELLED
    elif not r.solved and not r.optimal:
        status = PlanStatus.FALLBACK
    plan = shop.shop_plan(data, r, status, time.perf_counter() - clock)
    broken = validate(portfolio, plan)
    if broken:  # a bug: keep the general greedy start instead
        note = f"shop plan dropped: it breaks {len(broken)} plan rules, first: {broken[0]}"
        return _fallback(
            portfolio, makespan_start(portfolio), params, clock, [note], float(r.bound)
        )
    return PlantResult(plan, status, float(r.makespan), float(r.bound), plan.seconds)


COMPLETION_SHARE = 0.1
"""Share of the time limit the completion of the start into a model solution may take."""
COMPLETION_FLOOR_S = 1.5
"""Wall-clock seconds the completion may take whatever the share (within the time left):
at the demo's 7 s a plant (0.7 s) the bakery's start (110 orders) was not completed at
load 17, most likely for time (0.1-0.3 s alone), and the plant fell back to its start
with no search at all."""


@dataclass(frozen=True)
class BuiltModel:
    """The plant model with its input and variables (the hint, if any, added)."""

    data: PlantInput
    model: cp_model.CpModel
    variables: Variables


def build_model(portfolio: Portfolio, params: SolveParams, hint: Plan | None) -> BuiltModel:
    """The CP-SAT model of the one plant of ``portfolio`` for ``params.objective``, with
    ``hint`` (a valid plan) read in model terms and added as a (partial) solution hint:
    the variables of orders the hint does not run are left for :func:`complete_hint`."""
    pieces = Counter((op.order_id, op.step) for op in hint.operations) if hint else Counter()
    data = build_input(portfolio, pieces, _interleaved(hint) if hint else frozenset())
    if hint is not None:
        data = replace(data, follows=_follows(data, hint))
    model = cp_model.CpModel()
    v = Variables(model, data, must_run=params.objective == "makespan")
    Constraints(model, data, v).add_all()
    if params.objective == "makespan":
        set_makespan_objective(model, data, v)
    else:
        set_value_objective(model, data, v)
    if hint is not None:
        add_hint(model, data, v, assignment_of(data, hint))
    return BuiltModel(data, model, v)


def complete_hint(model: cp_model.CpModel, seconds: float, deterministic: bool = False) -> bool:
    """Complete the model's hint into a full solution: solve with every hinted variable
    fixed to its hint (CP-SAT's ``fix_variables_to_their_hinted_value``), one worker, up
    to the first solution, and hint every variable with it. CP-SAT then loads the hint
    as its first solution (``complete_hint``), so its answer is never worse than the
    start in model terms. False (the hint left as it was) when no completion is found
    in ``seconds``: the hint is not a model solution, or time ran out. ``deterministic``:
    ``seconds`` of CP-SAT's deterministic time (with the wall-clock guard of
    :class:`SolveParams`), so the outcome does not depend on the machine's load."""
    probe = cp_model.CpSolver()
    p = probe.parameters
    p.fix_variables_to_their_hinted_value = True
    p.num_workers = 1
    p.stop_after_first_solution = True
    if deterministic:
        p.max_deterministic_time = max(0.05, seconds)
        p.max_time_in_seconds = 10 * seconds + 10
    else:
        p.max_time_in_seconds = max(0.05, seconds)
    code = probe.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    values = list(probe.response_proto.solution)
    model.clear_hints()  # type: ignore[no-untyped-call]
    model.proto.solution_hint.vars.extend(range(len(values)))
    model.proto.solution_hint.values.extend(values)
    return True


def _best_start(portfolio: Portfolio, trusted: Plan | None, others: list[Plan]) -> Plan | None:
    """The best valid plan by the objective's ranking (the first of equals); ``trusted``
    has been validated already."""
    candidates = [*([trusted] if trusted else []), *others]
    for plan in sorted(candidates, key=lambda p: rank(portfolio, p), reverse=True):
        if plan is trusted or not validate(portfolio, plan):
            return plan
    return None


def _solver(params: SolveParams, spent: float, share: float = 1.0) -> cp_model.CpSolver:
    """A CP-SAT solver set up from ``params``; ``spent`` seconds are already gone; the
    solve takes ``share`` of the wall-clock time left."""
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = max(1, params.workers)
    p.random_seed = params.seed
    if params.deterministic:
        p.max_deterministic_time = params.time_limit_s
        p.max_time_in_seconds = 10 * params.time_limit_s + 10
        if params.workers > 1:
            p.interleave_search = True
    else:
        p.max_time_in_seconds = max(0.05, share * (params.time_limit_s - spent))
    if params.objective == "value":
        # Probing took 1 s per presolve pass on a 30-order demo plant (3 passes, more
        # than half of a 7 s limit before the search began) for no better plan.
        p.cp_model_probing_level = 0
    return solver


def _solved(
    data: PlantInput,
    solver: cp_model.CpSolver,
    v: Variables,
    status: PlanStatus,
    bound: float,
    params: SolveParams,
    clock: float,
) -> Plan:
    """The plan of the solver's best solution."""
    exact = (
        params.objective == "makespan"
        and all(not t.step.interruptible for t in data.tasks)
        and all(ln.setups not in ("circuit", "adjacent") for ln in data.lines)
    )
    return build_plan(
        data,
        read(solver, data, v),
        status=status,
        seconds=time.perf_counter() - clock,
        bound=bound if exact else None,
        optimal=status is PlanStatus.OPTIMAL,
    )


def _objective(plan: Plan, params: SolveParams) -> float:
    """Value or makespan of ``plan``."""
    return float(makespan(plan)) if params.objective == "makespan" else float(plan.value)


def _fallback(
    portfolio: Portfolio,
    hint: Plan | None,
    params: SolveParams,
    clock: float,
    notes: list[str],
    bound: float,
    cancelled: bool = False,
) -> PlantResult:
    """The hint (or the dispatch plan) as the result, marked ``fallback`` (``cancelled``
    when the caller stopped the run)."""
    plan = hint if hint is not None else dispatch(portfolio)
    seconds = time.perf_counter() - clock
    status = PlanStatus.CANCELLED if cancelled else PlanStatus.FALLBACK
    plan = replace(plan, status=status, bound=None, seconds=seconds, notes=(*plan.notes, *notes))
    return PlantResult(plan, status, _objective(plan, params), bound, seconds)
