"""The feedback round of the two-level planner, and the round state it works on.

Private to :mod:`ingenio.planning.optimise`. After the first round, depot fuel no
transfer drew goes to the plants whose tank hit its reserve with orders still late or
undone; those plants are re-planned once from their plan as a hint, and a better plan
is kept when its burn can be trucked within its grants.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ingenio.domain import OrderStatus, Plan, Portfolio
from ingenio.planning.optimise.budget import plants_that_fit
from ingenio.planning.optimise.merge import TransferError, jit_transfers, merge, plan_key
from ingenio.planning.optimise.run import SPILL_BELOW_S, PlantRunner
from ingenio.planning.portfolio import Grant, grant_points, merge_grants, share_spare
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.schedule import SolveParams
from ingenio.planning.summary import starving, tank_levels

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
class RoundState:
    """What one round leaves: plant plans, their grants, the merged plan."""

    work: Portfolio
    plans: dict[str, Plan]
    grants: dict[str, tuple[Grant, ...]]
    merged: Plan | None
    notes: list[str]
    rankings: tuple[tuple[str, ...], ...] = ()
    """Orders (ids) to place orders in, read off the LP, for greedy starts."""


def summed(grants: Sequence[Grant]) -> tuple[tuple[int, float], ...]:
    """Grants summed over depots, per minute."""
    by: dict[int, float] = {}
    for _, at, litres in grants:
        by[at] = by.get(at, 0.0) + litres
    return tuple(sorted(by.items()))


def merge_round(portfolio: Portfolio, state: RoundState) -> Plan | None:
    """Merge, or None (with a note) when a plant's burn outruns its grants."""
    try:
        return merge(portfolio, state.plans, state.grants)
    except TransferError as exc:
        state.notes.append(f"merge failed: {exc}")
        return None


def fuel_bound(portfolio: Portfolio, plan: Plan, plant_id: str) -> bool:
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


def fuel_of(state: RoundState, plant_id: str) -> float:
    """Litres the plant had: tank above its reserve, direct deliveries, grants."""
    plant = state.work.plant(plant_id)
    own = plant.tank.usable_l if plant.tank is not None else 0.0
    direct = sum(d.litres for d in state.work.deliveries_to(plant_id))
    return own + direct + sum(x for _, _, x in state.grants.get(plant_id, ()))


def used_grants(grants: Sequence[Grant], litres: float) -> tuple[Grant, ...]:
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


def time_share(left: float, jobs: int, workers: int, params: SolveParams) -> float:
    """Share of ``params.time_limit_s`` each of ``jobs`` plants gets so that, ``workers``
    at a time, they end within ``left`` seconds (at most 1, at least the floor)."""
    if jobs == 0 or params.time_limit_s <= 0:
        return 1.0
    rounds = math.ceil(jobs / max(1, workers))
    per_plant = max(MIN_PLANT_SECONDS, left / rounds)
    return min(1.0, per_plant / params.time_limit_s)


def feedback_round(
    portfolio: Portfolio,
    state: RoundState,
    runner: PlantRunner,
    share: float = 1.0,
    deadline: float | None = None,
) -> bool:
    """Give depot fuel no transfer drew to fuel-bound plants; re-plan those once; True
    when a plant took a better plan.

    Every plant keeps the part of its grants its transfers drew; the rest of the
    depots (what the merged plan leaves in them, including the grants a fuel-bound
    plant could not use in time) is shared among the fuel-bound plants by the value
    they still miss. A re-planned plant keeps its new plan only if it is better and
    its burn can be trucked within its grants.
    """
    merged = state.merged
    if merged is None or not portfolio.depots:
        return False
    # Plants whose late or undone orders their generators could power (a plant whose
    # missing orders need more kW than its gensets give gains nothing from fuel).
    # Plants whose late or undone orders their generators could power (a plant whose
    # missing orders need more kW than its gensets give gains nothing from fuel). Not
    # only those with an order that fits in the plan as it stands (the measure's
    # fuel-starved plants): a re-plan may re-sequence, and did gain on the demo.
    hungry = set(starving(state.work, merged))
    bound = [
        p.id for p in portfolio.plants if p.id in hungry and fuel_bound(state.work, merged, p.id)
    ]
    if not bound:
        return False
    grants: dict[str, tuple[Grant, ...]] = {}
    for plant in portfolio.plants:
        moved = sum(t.litres for t in merged.fuel_transfers if t.plant_id == plant.id)
        grants[plant.id] = used_grants(state.grants.get(plant.id, ()), moved)
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
    small = sorted(
        pid
        for pid, gs in extra.items()
        if sum(x for _, _, x in gs) < max(1.0, FEEDBACK_MIN_SHARE * fuel_of(state, pid))
    )
    extra = {pid: gs for pid, gs in extra.items() if pid not in small}
    if small and not extra:
        # Shared out, no plant's part is worth a re-plan: the one that misses most value
        # and for which the whole spare is, takes it all.
        whole = merge_grants(share_spare(portfolio, grant_points(portfolio), taken, {"_": 1.0}))
        spare_l = sum(x for _, _, x in whole.get("_", ()))
        takers = [p for p in small if spare_l >= max(1.0, FEEDBACK_MIN_SHARE * fuel_of(state, p))]
        if takers:
            taker = max(takers, key=lambda p: (unmet[p], p))
            extra = {taker: whole["_"]}
            small = [p for p in small if p != taker]
    idle = [pid for pid in bound if pid not in extra and pid not in small]
    if small or idle:
        state.notes.append(
            "feedback: not re-planned: "
            + "; ".join(
                [f"{pid} (its share of spare fuel is too small)" for pid in small]
                + [f"{pid} (no spare fuel reaches it in time)" for pid in idle]
            )
        )
    if not extra:
        return False
    trial = {
        pid: merge_grants([(pid, g) for g in (*grants[pid], *extra.get(pid, ()))])[pid]
        for pid in extra
    }
    subs = {pid: plant_portfolio(state.work, pid, summed(trial[pid])) for pid in trial}
    hints = {pid: state.plans[pid] for pid in subs if pid in state.plans}
    share *= FEEDBACK_TIME_SHARE
    if deadline is not None:
        left = deadline - time.perf_counter()
        room = plants_that_fit(left, runner.workers(len(subs)), SPILL_BELOW_S)
        if 0 < room < len(subs):
            # Not time for every plant's solver: those missing most value are re-planned.
            keep = sorted(subs, key=lambda pid: (-unmet.get(pid, 0.0), pid))[:room]
            state.notes.append(
                f"feedback: time for {room} of {len(subs)} re-plans: {', '.join(sorted(keep))}"
            )
            subs = {pid: subs[pid] for pid in keep}
            hints = {pid: h for pid, h in hints.items() if pid in subs}
        fits = time_share(left, len(subs), runner.workers(len(subs)), runner.params)
        if room == 0 or fits * runner.params.time_limit_s < MIN_PLANT_SECONDS:
            state.notes.append("feedback: skipped, the time budget is spent")
            return False
        share = min(share, fits)
    again = runner.run(subs, hints, time_share=share, rankings=state.rankings)
    plans = dict(state.plans)
    better = []
    for pid, plan in again.items():
        old = plans.get(pid)
        if old is not None and plan_key(subs[pid], plan) <= plan_key(subs[pid], old):
            state.notes.append(
                f"feedback: {pid} re-planned with more fuel, no better: kept its plan"
            )
            continue
        try:
            jit_transfers(portfolio, pid, plan.generator_runs, trial[pid])
        except TransferError as exc:
            state.notes.append(f"feedback: {pid}'s new plan burns fuel its grants miss: {exc}")
            continue
        plans[pid] = plan
        grants[pid] = trial[pid]
        better.append(pid)
    if not better:
        return False
    previous = (state.plans, state.grants)
    state.plans, state.grants = plans, grants
    again_merged = merge_round(portfolio, state)
    if again_merged is None:  # keep the first round's plan rather than lose it
        state.plans, state.grants = previous
        return False
    state.merged = again_merged
    litres = sum(t.litres for t in again_merged.fuel_transfers if t.plant_id in better) - sum(
        t.litres for t in merged.fuel_transfers if t.plant_id in better
    )
    state.notes.append(f"feedback: {litres:,.0f} L more depot fuel re-planned {', '.join(better)}")
    return True
