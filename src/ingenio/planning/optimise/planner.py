"""The two-level planner: fuel across plants by LP, each plant by CP-SAT, in parallel.

1. :func:`ingenio.planning.portfolio.allocate` decides how much depot fuel each plant
   may draw, from when, and gives the upper bound.
2. Each plant is cut out with its grant (:func:`ingenio.planning.restrict.plant_portfolio`)
   and planned on its own, in parallel processes (``spawn``/``forkserver``), by the
   plant planner (CP-SAT :func:`ingenio.planning.schedule.schedule_plant` by default),
   from the best of dispatch and the dispatch rule with orders placed as the LP ranks
   them (:func:`_lp_rankings`).
3. The plant plans are merged; depot fuel becomes transfers placed just in time from
   the grants (``merge``).
4. Feedback, once: depot fuel a plant did not use goes to the plants whose tank hit
   its reserve with orders still late or undone; those plants are re-planned from
   their plan as a hint (with half the time limit), and the better plan is kept.
5. The merged plan must pass :func:`ingenio.validate.validate`. A plant
   whose part of the :func:`ingenio.planning.dispatch.dispatch` plan is better takes
   that part, as long as the depots allow (``mix``); then the whole is
   compared with the dispatch plan and the better of the two is returned (essential
   orders done, then value, then least fuel), with ``bound`` the LP's upper bound.

With a time budget each stage keeps to its share of it (:mod:`.budget`), and the last
note of the plan gives the seconds each stage took.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import replace

from ingenio.domain import Order, Plan, Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise.budget import Budget
from ingenio.planning.optimise.feedback import (
    MIN_PLANT_SECONDS,
    RoundState,
    feedback_round,
    merge_round,
    summed,
)
from ingenio.planning.optimise.merge import plan_key
from ingenio.planning.optimise.mix import mix
from ingenio.planning.optimise.needs import plant_fuel_needs
from ingenio.planning.optimise.run import (
    OptimiseProgress,
    PlantPlanner,
    PlantRunner,
    cp_sat_planner,
    dispatch_planner,
)
from ingenio.planning.optimise.topup import topup_round
from ingenio.planning.portfolio import (
    Allocation,
    Grant,
    allocate,
)
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams
from ingenio.planning.status import Latch, PlanStatus, Stop
from ingenio.planning.summary import idle_fuel
from ingenio.validate import validate

__all__ = [
    "OptimiseProgress",
    "PlantPlanner",
    "cp_sat_planner",
    "dispatch_planner",
    "optimise",
]

LP_BUDGET_SHARE = 0.3
"""Share of a time budget the portfolio LP may take (building and all its solves)."""
LP_TIME_LIMIT = 60.0
"""Seconds the portfolio LP may take without a time budget."""
IDLE_TOLERANCE_L = 0.5
"""Idle litres while starving below which no further feedback round is run."""
TOPUP_ROUNDS = 3
"""Top-up rounds after the feedback rounds, each while fuel is idle and a plant gained."""
CHAIN_ROUNDS = 3
"""Rounds of planning orders that wait on another plant's order (one link per round)."""
FINISH_SHARE = 0.1
"""Share of a time budget kept for checking the plan, mixing and comparing with dispatch."""
FEEDBACK_SHARE = 0.1
"""Share of a time budget kept after the plants for the feedback and top-up rounds."""


def _separable(portfolio: Portfolio) -> tuple[Portfolio, list[str]]:
    """The portfolio without orders that wait (even indirectly) on another plant's order."""
    plant_of = {o.id: portfolio.product_plant(o.product_id).id for o in portfolio.orders}
    out: set[str] = set()
    changed = True
    while changed:
        changed = False
        for o in portfolio.orders:
            if o.id in out:
                continue
            if any(plant_of[p] != plant_of[o.id] or p in out for p in o.predecessors):
                out.add(o.id)
                changed = True
    if not out:
        return portfolio, []
    kept = tuple(o for o in portfolio.orders if o.id not in out)
    note = f"{len(out)} orders wait on another plant's order: planned after it (chains)"
    return dataclasses.replace(portfolio, orders=kept), [note]


def _chained(portfolio: Portfolio, work: Portfolio, plan: Plan) -> tuple[Portfolio, set[str]]:
    """``work`` with the held-out orders whose cross-plant predecessors ``plan`` has
    scheduled, each released at the latest such predecessor's end plus its transfer time
    (those predecessors then dropped: the release carries them), and the plants that
    gained orders. An order whose release would reach its due date stays out."""
    have = {o.id for o in work.orders}
    end: dict[str, int] = {}
    for op in plan.operations:
        end[op.order_id] = max(op.end, end.get(op.order_id, op.end))
    added: list[Order] = []
    plants: set[str] = set()
    changed = True
    while changed:  # same-plant predecessors added in this pass free their successors
        changed = False
        for o in portfolio.orders:
            if o.id in have:
                continue
            here = portfolio.product_plant(o.product_id).id
            cross = [p for p in o.predecessors if portfolio.product_plant(
                portfolio.order(p).product_id).id != here]  # fmt: skip
            same = tuple(p for p in o.predecessors if p not in cross)
            if any(p not in have or p not in end for p in cross) or any(
                p not in have for p in same
            ):
                continue
            release = max([o.release, *(end[p] + o.transfer_minutes for p in cross)])
            if release >= o.due:
                continue
            added.append(replace(o, predecessors=same, release=release))
            have.add(o.id)
            plants.add(here)
            changed = True
    if not added:
        return work, set()
    return replace(work, orders=(*work.orders, *added)), plants


def _chains_hold(portfolio: Portfolio, plan: Plan) -> bool:
    """True when every scheduled order starts after its predecessors and transfers."""
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for op in plan.operations:
        first[op.order_id] = min(op.start, first.get(op.order_id, op.start))
        last[op.order_id] = max(op.end, last.get(op.order_id, op.end))
    for oid, start in first.items():
        order = portfolio.order(oid)
        for p in order.predecessors:
            if p not in last or start < last[p] + portfolio.link_gap(order, p):
                return False
    return True


def _jobs(
    state: RoundState, plant_ids: Sequence[str], hints: Mapping[str, Plan]
) -> dict[str, Portfolio]:
    """The sub-portfolio of each plant to plan, with its grants."""
    return {
        pid: plant_portfolio(state.work, pid, summed(state.grants.get(pid, ())))
        for pid in plant_ids
        if state.work.orders_of(pid) or pid in hints
    }


def _lp_rankings(portfolio: Portfolio, allocation: Allocation) -> tuple[tuple[str, ...], ...]:
    """Orders to place orders in, read off the LP (none when it did not solve).

    The orders the LP makes most of first, then by due date or by when the LP finishes
    them; or the orders it makes at least half of first, by due date or by when it
    finishes them. Which one serves a plant best differs from plant to plant (on
    generated one-plant portfolios each of them was the best on one seed), so a plant
    tries them all (one dispatch run each) and starts from the best.
    """
    if allocation.status is not PlanStatus.OPTIMAL:
        return ()
    share, finish = allocation.order_shares, allocation.order_finish

    def made(o: Order) -> float:
        return -round(share.get(o.id, 0.0), 3)

    def half(o: Order) -> int:
        return 0 if share.get(o.id, 0.0) >= 0.5 else 1

    def done(o: Order) -> float:
        return finish.get(o.id, math.inf)

    keys: list[Callable[[Order], tuple[float, float, str]]] = [
        lambda o: (made(o), o.due, o.id),
        lambda o: (made(o), done(o), o.id),
        lambda o: (half(o), o.due, o.id),
        lambda o: (half(o), done(o), o.id),
    ]
    out: list[tuple[str, ...]] = []
    for key in keys:
        ranked = tuple(o.id for o in sorted(portfolio.orders, key=key))
        if ranked not in out:
            out.append(ranked)
    return tuple(out)


def _model_bounds_note(bounds: Mapping[str, float | None], lp_bound: float) -> str:
    """The plant solvers' own bounds on value (first round, the LP's grants) beside the
    LP bound, or "" when no plant solver gave one."""
    known = {pid: b for pid, b in sorted(bounds.items()) if b is not None}
    if not known:
        return ""
    parts = ", ".join(f"{pid} {b:,.0f}" for pid, b in known.items())
    total = sum(known.values())
    missing = sorted(pid for pid, b in bounds.items() if b is None)
    tail = f"; no bound from {', '.join(missing)}" if missing else ""
    return (
        f"plant model bounds (CP-SAT, first round's fuel): {parts}; sum {total:,.0f} "
        f"vs LP bound {lp_bound:,.0f}{tail} (they bound the plant models, not every valid plan)"
    )


def _finish(
    portfolio: Portfolio,
    chosen: Plan,
    allocation: Allocation,
    notes: list[str],
    budget: Budget,
    cancelled: bool = False,
) -> Plan:
    """The returned plan: planner, bound, status, notes (with a time budget, the last
    says the seconds each stage took), seconds."""
    bound = allocation.bound
    ratio = chosen.value / bound if bound > 1e-6 else 1.0
    status = PlanStatus.OPTIMAL if chosen.value >= bound * (1 - 1e-6) else PlanStatus.FEASIBLE
    if cancelled:
        status = PlanStatus.CANCELLED
        notes = [*notes, "cancelled: the best valid plan found before the stop"]
    budget.close()
    # Seconds vary from run to run: only a budgeted run (never reproducible to the
    # second anyway) says them, so an unbudgeted plan stays equal to itself.
    timings = [budget.timings()] if budget.limited else []
    notes = [f"{allocation.describe()}; value / bound = {ratio:.3f}", *notes, *timings]
    return replace(
        chosen,
        planner="optimise",
        bound=bound,
        status=status,
        notes=tuple(notes),
        seconds=budget.elapsed(),
    )


def _plan_chains(
    portfolio: Portfolio, state: RoundState, runner: PlantRunner, share: float
) -> tuple[Plan, dict[str, Plan], dict[str, tuple[Grant, ...]]] | None:
    """Plan the orders that wait on another plant's order, in dependency order.

    Each of up to ``CHAIN_ROUNDS`` rounds adds the held-out orders whose predecessors at
    other plants are now planned (:func:`_chained`: released at the predecessor's end
    plus the transfer time) and re-plans only the plants that gained orders, from their
    plan as a hint: the predecessors' plants are not touched, so the chain holds. Returns
    the merged plan, plans and grants after the last round (restored if a later fuel
    feedback round breaks a chain), or None when there were no chains to plan.
    """
    if len(state.work.orders) == len(portfolio.orders) or state.merged is None:
        return None
    for _ in range(CHAIN_ROUNDS):
        if state.merged is None:
            break
        work, plants = _chained(portfolio, state.work, state.merged)
        if not plants:
            break
        before = (state.work, dict(state.plans), state.merged)
        state.work = work
        subs = _jobs(state, sorted(plants), state.plans)
        again = runner.run(subs, state.plans, time_share=share, rankings=state.rankings)
        state.plans = {**state.plans, **again}
        state.notes += runner.take_notes()
        merged = merge_round(portfolio, state)
        if merged is None or not _chains_hold(portfolio, merged):
            state.work, state.plans, state.merged = before
            state.notes.append("orders waiting on another plant's order: not planned")
            break
        state.merged = merged
    left = len(portfolio.orders) - len(state.work.orders)
    if left:
        state.notes.append(
            f"{left} orders wait on another plant's order that is unplanned or ends too "
            "late for them (with the transfer) to start before their due date: left out"
        )
    if state.merged is None:
        return None
    return state.merged, dict(state.plans), dict(state.grants)


def optimise(
    portfolio: Portfolio,
    params: SolveParams | None = None,
    plant_planner: PlantPlanner | None = None,
    processes: int | None = None,
    progress: Callable[[OptimiseProgress], None] | None = None,
    rounds: int = 4,
    time_budget_s: float | None = None,
    stop: Stop | None = None,
    executor: Executor | None = None,
) -> Plan:
    """Plan ``portfolio`` with the two-level planner.

    Parameters
    ----------
    portfolio
        What to plan.
    params
        Plant-level solve parameters (time limit per plant, CP-SAT workers, seed).
    plant_planner
        Plans a one-plant sub-portfolio: ``(portfolio, params, hint, progress) ->
        Plan`` (default :func:`cp_sat_planner`; :func:`dispatch_planner` for a fast,
        solver-free run). With ``processes > 1`` it must be a module-level function.
    processes
        Plants planned at once in worker processes; 1 plans them in this process.
        Default: as many as the CPUs allow at ``params.workers`` threads each.
    progress
        Called with an :class:`OptimiseProgress` at each stage and plant event.
    rounds
        1: no feedback round; ``n``: up to ``n - 1`` feedback rounds, each while depot
        fuel is left idle while a plant starves (default 4).
    time_budget_s
        Wall-clock seconds for the whole call, or None (then the LP may take
        ``LP_TIME_LIMIT``, each plant ``params.time_limit_s``, and nothing reads the
        clock to cut work, so a deterministic solve gives the same plan on every run).
        With a budget every stage keeps to its share (:mod:`.budget`): the LP at most
        ``LP_BUDGET_SHARE``; the plants until ``1 - FINISH_SHARE - FEEDBACK_SHARE`` of
        it, each given, when it starts, the least of the time limit and its fair share
        of what is left, its solver not started when too little remains (it keeps its
        greedy start, with a note); the feedback and top-up rounds until
        ``1 - FINISH_SHARE``; the rest checks the plan, mixes in dispatch's plants
        (skipped when the budget is spent) and compares. Dispatch's plan runs in a
        thread beside the plants. The last note gives the seconds of each stage.
    stop
        Asked between stages, between the LP's lexicographic stages, before each plant
        and at each CP-SAT solution (in worker processes through a shared event, polled
        every 0.2 s). When it returns True the run stops as soon as it can: plants not
        yet solved keep their starting plan, the feedback round is skipped, and the
        best valid plan so far is returned (never worse than dispatch) with status
        ``cancelled``.
    executor
        Where to plan the plants instead of a local process pool (a Dask cluster's
        executor, made by the services): each plant is one task, solved exactly as in
        the pool, and the plans are merged in the same order, so the same seed gives
        the same plan. ``processes`` then says how many plants run at once (for the
        time budget's arithmetic). No live progress comes from its workers, only each
        plant's end; a stop cancels the plants not yet started.

    Returns
    -------
    Plan
        ``planner="optimise"``, ``bound`` the LP upper bound, ``notes`` with
        ``value / bound``; never worse than ``dispatch(portfolio)`` (which is
        returned, with a note, when it is better or the merged plan is invalid).
    """
    budget = Budget(time_budget_s)
    params = params or SolveParams()
    planner = plant_planner or cp_sat_planner
    halted = Latch(stop)
    if progress is not None:
        progress(OptimiseProgress("allocate", 0, len(portfolio.plants), 0.0, math.nan, 0))
    budget.enter("allocate")
    lp_limit = budget.cap(LP_BUDGET_SHARE, LP_TIME_LIMIT)
    allocation = allocate(portfolio, time_limit_s=lp_limit, stop=halted if stop else None)
    runner = PlantRunner(
        planner,
        params,
        processes,
        progress,
        allocation.bound,
        halted if stop else None,
        executor,
        budget,
    )
    runner.stage("dispatch")
    # The portfolio-wide dispatch plan is only needed at the end (mix, comparison): with
    # a budget it runs in a thread beside the plant stage, whose client mostly waits.
    baseline_of = _Baseline(portfolio, background=budget.limited)
    budget.enter("cut")
    work, notes = _separable(portfolio)
    state = RoundState(work, {}, dict(allocation.depot_grants), None, notes)
    runner.stage("plants")
    plants = [p.id for p in portfolio.plants]
    try:
        subs = _jobs(state, plants, {})
    except ValueError as exc:  # a product holding another plant's resource
        notes.append(f"cannot plan plant by plant ({exc}); kept dispatch's plan")
        return _finish(portfolio, baseline_of(budget), allocation, notes, budget, halted.fired)
    # The plants share what is left up to PLANTS_UNTIL of the budget (FEEDBACK_SHARE more
    # when there is no feedback round), each its fair share when it starts.
    runner.until = 1 - FINISH_SHARE - (FEEDBACK_SHARE if rounds > 1 else 0.0)
    runner.spill = 1 - FINISH_SHARE
    state.rankings = _lp_rankings(portfolio, allocation)
    budget.enter("plants")
    state.plans = runner.run(subs, {}, rankings=state.rankings)
    first_cut = sorted(runner.out_of_time)
    state.notes += runner.take_notes()
    model_note = _model_bounds_note(runner.bounds, allocation.bound)
    budget.enter("merge")
    state.merged = merge_round(portfolio, state)
    budget.enter("chains")
    runner.until, runner.spill = 1 - FINISH_SHARE, None
    chains = _plan_chains(portfolio, state, runner, 1.0)
    if runner.spilled and rounds > 1:
        state.notes.append(
            "feedback: skipped, its share of the time budget went to plants that would "
            "otherwise have kept their start"
        )
    elif rounds > 1 and not halted():
        runner.stage("feedback")
        budget.enter("feedback")
        deadline = budget.deadline(1 - FINISH_SHARE)

        def until_rounds_end() -> float:
            return budget.left(1 - FINISH_SHARE)

        for _ in range(rounds - 1):
            # Depot diesel left while a plant starves goes to the starving plants,
            # which are re-planned with it, until none is left or nothing changes.
            if halted() or state.merged is None:
                break
            if budget.left(1 - FINISH_SHARE) < MIN_PLANT_SECONDS:
                state.notes.append("feedback: skipped, the time budget is spent")
                break
            needs = plant_fuel_needs(portfolio, state.merged, until_rounds_end)
            if until_rounds_end() <= 0:  # the needs were cut: no time to act on them
                state.notes.append("feedback: skipped, the time budget is spent")
                break
            if idle_fuel(portfolio, state.merged, needs).litres <= IDLE_TOLERANCE_L:
                break
            if not feedback_round(portfolio, state, runner, 1.0, deadline):
                break
        state.notes += runner.take_notes()
        budget.enter("topup")
        for _ in range(TOPUP_ROUNDS):
            # What is still idle goes, plant by plant, straight into the orders the
            # measure names (the plant model cannot take some of their placements).
            if halted() or state.merged is None:
                break
            if budget.left(1 - FINISH_SHARE) <= 0:
                state.notes.append("top-up: skipped, the time budget is spent")
                break
            needs = plant_fuel_needs(portfolio, state.merged, until_rounds_end)
            if until_rounds_end() <= 0:
                state.notes.append("top-up: skipped, the time budget is spent")
                break
            if idle_fuel(portfolio, state.merged, needs).litres <= IDLE_TOLERANCE_L:
                break
            if not topup_round(portfolio, state, deadline, needs):
                break
        if chains is not None and state.merged is not None:
            if not _chains_hold(portfolio, state.merged):
                # A fuel re-plan moved a part's end past its successor's start at another
                # plant: the chained plan before the feedback stands.
                state.notes.append("feedback moved a part planned for another plant: undone")
                state.merged, state.plans, state.grants = chains
    runner.stage("done")
    notes = state.notes
    later = len(runner.out_of_time) - len(first_cut)
    if first_cut or later:
        more = ", ..." if len(first_cut) > 10 else ""
        named = f" ({', '.join(first_cut[:10])}{more})" if first_cut else ""
        again = f"; {later} re-plan(s) without their solver (greedy starts only)" if later else ""
        notes.append(
            f"time budget: {len(first_cut)} of {len(subs)} plant(s) planned without their "
            f"solver, their greedy start kept{named}{again}"
        )
    if model_note:
        notes.append(model_note)
    merged = state.merged
    budget.enter("validate")
    if merged is not None:
        broken = validate(portfolio, merged)
        if broken:
            notes.append(f"merged plan broke {len(broken)} rules (first: {broken[0]}); dropped")
            merged = None
    baseline = baseline_of(budget)
    if merged is None:
        notes.append("kept dispatch's plan")
        return _finish(portfolio, baseline, allocation, notes, budget, halted.fired)
    budget.enter("mix")
    # The mix reads both plans plant by plant and validates what it makes: it starts
    # only with time for that (twice the check just done, a measured figure).
    if budget.left() > 2 * budget.spent.get("validate", 0.0):
        mixed, taken = mix(portfolio, merged, baseline)
        if taken and not validate(portfolio, mixed):
            notes.append(f"took dispatch's plan for plant(s) {', '.join(taken)}: better there")
            merged = mixed
    else:
        notes.append("time budget spent: dispatch's plan not mixed in plant by plant")
    budget.enter("compare")
    if plan_key(portfolio, baseline) > plan_key(portfolio, merged):
        notes.append(
            f"dispatch's plan is better ({baseline.value:,.0f} vs {merged.value:,.0f}): kept it"
        )
        return _finish(portfolio, baseline, allocation, notes, budget, halted.fired)
    notes.append(f"dispatch's plan: {baseline.value:,.0f}")
    return _finish(portfolio, merged, allocation, notes, budget, halted.fired)


class _Baseline:
    """``dispatch(portfolio)``, computed from now in a daemon thread when ``background``
    (then waited for on the first call, timed as the ``dispatch`` stage; a daemon, so an
    interrupted run does not wait for it to exit), else on the first call."""

    def __init__(self, portfolio: Portfolio, background: bool) -> None:
        self.portfolio = portfolio
        self.plan: Plan | None = None
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        if background:
            self.thread = threading.Thread(target=self._run, name="optimise-dispatch", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        try:
            self.plan = dispatch(self.portfolio)
        except BaseException as exc:  # raised again in the caller's thread
            self.error = exc

    def __call__(self, budget: Budget) -> Plan:
        if self.plan is None or self.thread is not None:
            budget.enter("dispatch")
            if self.thread is not None:
                self.thread.join()
                self.thread = None
                if self.error is not None:
                    raise self.error
            if self.plan is None:
                self.plan = dispatch(self.portfolio)
        return self.plan
