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
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from ingenio.domain import Order, OrderStatus, Plan, Portfolio
from ingenio.planning.dispatch import dispatch
from ingenio.planning.optimise.merge import TransferError, jit_transfers, merge, plan_key
from ingenio.planning.optimise.mix import mix
from ingenio.planning.optimise.run import (
    OptimiseProgress,
    PlantPlanner,
    PlantRunner,
    cp_sat_planner,
    dispatch_planner,
)
from ingenio.planning.portfolio import (
    Allocation,
    Grant,
    allocate,
    grant_points,
    merge_grants,
    share_spare,
)
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams
from ingenio.planning.status import PlanStatus
from ingenio.planning.summary import tank_levels
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
FINISH_SHARE = 0.15
"""Share of a time budget kept for merging, checking and comparing with dispatch."""
MIN_PLANT_SECONDS = 0.5
"""A plant is never given less search time than this, budget or not."""
FEEDBACK_TIME_SHARE = 0.5
"""Share of the per-plant time limit a plant gets when it is re-planned with more fuel."""
FEEDBACK_MIN_SHARE = 0.02
"""A fuel-bound plant is re-planned when the fuel it gains is at least this share of
the fuel it had (and at least 1 L)."""
NEAR_RESERVE = 0.01
"""A tank within 1 % of its usable size (at least 1 L) of its reserve is fuel-bound."""


@dataclass
class _State:
    """What one round leaves: plant plans, their grants, the merged plan."""

    work: Portfolio
    plans: dict[str, Plan]
    grants: dict[str, tuple[Grant, ...]]
    merged: Plan | None
    notes: list[str]


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
    note = f"{len(out)} orders wait on another plant's order: not planned at plant level"
    return dataclasses.replace(portfolio, orders=kept), [note]


def _summed(grants: Sequence[Grant]) -> tuple[tuple[int, float], ...]:
    """Grants summed over depots, per minute."""
    by: dict[int, float] = {}
    for _, at, litres in grants:
        by[at] = by.get(at, 0.0) + litres
    return tuple(sorted(by.items()))


def _jobs(
    state: _State, plant_ids: Sequence[str], hints: Mapping[str, Plan]
) -> dict[str, Portfolio]:
    """The sub-portfolio of each plant to plan, with its grants."""
    return {
        pid: plant_portfolio(state.work, pid, _summed(state.grants.get(pid, ())))
        for pid in plant_ids
        if state.work.orders_of(pid) or pid in hints
    }


def _merge(portfolio: Portfolio, state: _State) -> Plan | None:
    """Merge, or None (with a note) when a plant's burn outruns its grants."""
    try:
        return merge(portfolio, state.plans, state.grants)
    except TransferError as exc:
        state.notes.append(f"merge failed: {exc}")
        return None


def _fuel_bound(portfolio: Portfolio, plan: Plan, plant_id: str) -> bool:
    """True when the plant has orders not on time and its tank reaches its reserve."""
    plant = portfolio.plant(plant_id)
    if plant.tank is None or not plant.generators:
        return False
    mine = {o.id for o in portfolio.orders_of(plant_id)}
    if all(o.status is OrderStatus.ON_TIME for o in plan.outcomes if o.order_id in mine):
        return False
    tank = plant.tank
    near = tank.reserve_l + max(1.0, NEAR_RESERVE * (tank.capacity_l - tank.reserve_l))
    return any(level <= near for _, level in tank_levels(portfolio, plan, plant_id))


def _fuel_of(state: _State, plant_id: str) -> float:
    """Litres the plant had: tank above its reserve, direct deliveries, grants."""
    plant = state.work.plant(plant_id)
    own = plant.tank.usable_l if plant.tank is not None else 0.0
    direct = sum(d.litres for d in state.work.deliveries_to(plant_id))
    return own + direct + sum(x for _, _, x in state.grants.get(plant_id, ()))


def _used_grants(grants: Sequence[Grant], litres: float) -> tuple[Grant, ...]:
    """The part of ``grants`` that transfers of ``litres`` in all drew.

    :func:`~ingenio.planning.optimise.merge.jit_transfers` takes grants earliest
    first (by minute, then depot), so what it drew is a prefix of them in that order.
    """
    out: list[Grant] = []
    left = litres
    for d, at, x in sorted(grants, key=lambda g: (g[1], g[0])):
        if left <= 0:
            break
        take = min(x, left)
        out.append((d, at, take))
        left -= take
    return tuple(out)


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


def _time_share(left: float, jobs: int, workers: int, params: SolveParams) -> float:
    """Share of ``params.time_limit_s`` each of ``jobs`` plants gets so that, ``workers``
    at a time, they end within ``left`` seconds (at most 1, at least the floor)."""
    if jobs == 0 or params.time_limit_s <= 0:
        return 1.0
    rounds = math.ceil(jobs / max(1, workers))
    per_plant = max(MIN_PLANT_SECONDS, left / rounds)
    return min(1.0, per_plant / params.time_limit_s)


def _feedback(
    portfolio: Portfolio,
    state: _State,
    runner: PlantRunner,
    share: float = 1.0,
    deadline: float | None = None,
) -> None:
    """Give depot fuel no transfer drew to fuel-bound plants; re-plan those once.

    Every plant keeps the part of its grants its transfers drew; the rest of the
    depots (what the merged plan leaves in them, including the grants a fuel-bound
    plant could not use in time) is shared among the fuel-bound plants by the value
    they still miss. A re-planned plant keeps its new plan only if it is better and
    its burn can be trucked within its grants.
    """
    merged = state.merged
    if merged is None or not portfolio.depots:
        return
    bound = [p.id for p in portfolio.plants if _fuel_bound(state.work, merged, p.id)]
    if not bound:
        return
    grants: dict[str, tuple[Grant, ...]] = {}
    for plant in portfolio.plants:
        moved = sum(t.litres for t in merged.fuel_transfers if t.plant_id == plant.id)
        grants[plant.id] = _used_grants(state.grants.get(plant.id, ()), moved)
    unmet: dict[str, float] = {}
    for pid in bound:
        mine = {o.id for o in state.work.orders_of(pid)}
        unmet[pid] = sum(
            state.work.order(o.order_id).value - o.value
            for o in merged.outcomes
            if o.order_id in mine
        )
    taken = [g for gs in grants.values() for g in gs]
    extra = merge_grants(share_spare(portfolio, grant_points(portfolio), taken, unmet))
    extra = {
        pid: gs
        for pid, gs in extra.items()
        if sum(x for _, _, x in gs) >= max(1.0, FEEDBACK_MIN_SHARE * _fuel_of(state, pid))
    }
    if not extra:
        return
    trial = {
        pid: merge_grants([(pid, g) for g in (*grants[pid], *extra.get(pid, ()))])[pid]
        for pid in extra
    }
    subs = {pid: plant_portfolio(state.work, pid, _summed(trial[pid])) for pid in trial}
    hints = {pid: state.plans[pid] for pid in subs if pid in state.plans}
    share *= FEEDBACK_TIME_SHARE
    if deadline is not None:
        left = deadline - time.perf_counter()
        fits = _time_share(left, len(subs), runner.workers(len(subs)), runner.params)
        if left <= 0 or fits * runner.params.time_limit_s < MIN_PLANT_SECONDS:
            state.notes.append("feedback: skipped, the time budget is spent")
            return
        share = min(share, fits)
    again = runner.run(subs, hints, time_share=share)
    plans = dict(state.plans)
    better = []
    for pid, plan in again.items():
        old = plans.get(pid)
        if old is not None and plan_key(subs[pid], plan) <= plan_key(subs[pid], old):
            continue
        try:
            jit_transfers(portfolio, pid, plan.generator_runs, trial[pid])
        except TransferError:
            continue
        plans[pid] = plan
        grants[pid] = trial[pid]
        better.append(pid)
    if not better:
        return
    previous = (state.plans, state.grants)
    state.plans, state.grants = plans, grants
    again_merged = _merge(portfolio, state)
    if again_merged is None:  # keep the first round's plan rather than lose it
        state.plans, state.grants = previous
        return
    state.merged = again_merged
    litres = sum(t.litres for t in again_merged.fuel_transfers if t.plant_id in better) - sum(
        t.litres for t in merged.fuel_transfers if t.plant_id in better
    )
    state.notes.append(f"feedback: {litres:,.0f} L more depot fuel re-planned {', '.join(better)}")


def _finish(
    portfolio: Portfolio,
    chosen: Plan,
    allocation: Allocation,
    notes: list[str],
    clock: float,
) -> Plan:
    """The returned plan: planner, bound, status, notes, seconds."""
    bound = allocation.bound
    ratio = chosen.value / bound if bound > 1e-6 else 1.0
    status = PlanStatus.OPTIMAL if chosen.value >= bound * (1 - 1e-6) else PlanStatus.FEASIBLE
    notes = [f"{allocation.describe()}; value / bound = {ratio:.3f}", *notes]
    return replace(
        chosen,
        planner="optimise",
        bound=bound,
        status=status,
        notes=tuple(notes),
        seconds=time.perf_counter() - clock,
    )


def optimise(
    portfolio: Portfolio,
    params: SolveParams | None = None,
    plant_planner: PlantPlanner | None = None,
    processes: int | None = None,
    progress: Callable[[OptimiseProgress], None] | None = None,
    rounds: int = 2,
    time_budget_s: float | None = None,
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
        1: no feedback round; 2 (default): one feedback round when it can help.
    time_budget_s
        Wall-clock seconds for the whole call, or None (then the LP may take
        ``LP_TIME_LIMIT`` and each plant ``params.time_limit_s``). With a budget the
        LP takes at most ``LP_BUDGET_SHARE`` of it, each plant gets at most
        ``params.time_limit_s`` and less when the plants could not all be planned in
        what is left (``FINISH_SHARE`` is kept for the end), and the feedback round
        runs only when time is left for it. Never less than ``MIN_PLANT_SECONDS``
        per plant, so a very small budget is overrun rather than plan nothing.

    Returns
    -------
    Plan
        ``planner="optimise"``, ``bound`` the LP upper bound, ``notes`` with
        ``value / bound``; never worse than ``dispatch(portfolio)`` (which is
        returned, with a note, when it is better or the merged plan is invalid).
    """
    clock = time.perf_counter()
    params = params or SolveParams()
    planner = plant_planner or cp_sat_planner
    if progress is not None:
        progress(OptimiseProgress("allocate", 0, len(portfolio.plants), 0.0, math.nan, 0))
    lp_limit = LP_TIME_LIMIT if time_budget_s is None else LP_BUDGET_SHARE * time_budget_s
    allocation = allocate(portfolio, time_limit_s=lp_limit)
    runner = PlantRunner(planner, params, processes, progress, allocation.bound)
    runner.stage("dispatch")
    baseline = dispatch(portfolio)
    work, notes = _separable(portfolio)
    state = _State(work, {}, dict(allocation.depot_grants), None, notes)
    runner.stage("plants")
    plants = [p.id for p in portfolio.plants]
    try:
        subs = _jobs(state, plants, {})
    except ValueError as exc:  # a product holding another plant's resource
        notes.append(f"cannot plan plant by plant ({exc}); kept dispatch's plan")
        return _finish(portfolio, baseline, allocation, notes, clock)
    share = 1.0
    if time_budget_s is not None:
        left = time_budget_s * (1 - FINISH_SHARE) - (time.perf_counter() - clock)
        share = _time_share(left, len(subs), runner.workers(len(subs)), params)
        if share < 1.0:
            state.notes.append(
                f"time budget {time_budget_s:.0f} s: {params.time_limit_s * share:.1f} s "
                f"per plant instead of {params.time_limit_s:.1f} s"
            )
    state.plans = runner.run(
        subs, {}, time_share=share, rankings=_lp_rankings(portfolio, allocation)
    )
    state.notes += runner.take_notes()
    state.merged = _merge(portfolio, state)
    if rounds > 1:
        runner.stage("feedback")
        deadline = None
        if time_budget_s is not None:
            deadline = clock + time_budget_s * (1 - FINISH_SHARE)
        _feedback(portfolio, state, runner, share, deadline)
        state.notes += runner.take_notes()
    runner.stage("done")
    notes = state.notes
    merged = state.merged
    if merged is not None:
        broken = validate(portfolio, merged)
        if broken:
            notes.append(f"merged plan broke {len(broken)} rules (first: {broken[0]}); dropped")
            merged = None
    if merged is None:
        notes.append("kept dispatch's plan")
        return _finish(portfolio, baseline, allocation, notes, clock)
    mixed, taken = mix(portfolio, merged, baseline)
    if taken and not validate(portfolio, mixed):
        notes.append(f"took dispatch's plan for plant(s) {', '.join(taken)}: better there")
        merged = mixed
    if plan_key(portfolio, baseline) > plan_key(portfolio, merged):
        notes.append(
            f"dispatch's plan is better ({baseline.value:,.0f} vs {merged.value:,.0f}): kept it"
        )
        return _finish(portfolio, baseline, allocation, notes, clock)
    notes.append(f"dispatch's plan: {baseline.value:,.0f}")
    return _finish(portfolio, merged, allocation, notes, clock)
