"""Merge plant plans into one portfolio plan: depot fuel trucked just in time, outcomes.

Private helper of :mod:`ingenio.planning.optimise`. Each plant was planned with its
depot fuel grants as deliveries straight into its tank (uncapped, at the grant
minute). Here the grants become :class:`~ingenio.domain.FuelTransfer` s placed as
late as the plant's real burn allows, never more than granted so far, never
filling the tank past its capacity, so the depots never go negative either.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from ingenio.domain import (
    MINUTES_PER_DAY,
    FuelTransfer,
    GeneratorRun,
    Operation,
    OrderOutcome,
    OrderStatus,
    Plan,
    Portfolio,
    PriorityClass,
)
from ingenio.errors import ErrorKind, IngenioError

Grant = tuple[str, int, float]
"""``(depot id, minute, litres)``."""

TOL = 1e-6
_MARGIN = 1e-5
"""Litres kept between a transfer and the tank's capacity, for float round-off."""


class TransferError(IngenioError, RuntimeError):
    """The plant's burn cannot be covered by its grants within its tank."""

    default_kind: ClassVar[ErrorKind] = "solver_failed"


def _burn_changes(portfolio: Portfolio, runs: Iterable[GeneratorRun]) -> dict[int, float]:
    """Minute -> change of the burn rate (litres per minute).

    A start's litres (``Generator.start_litres``, once per stretch of touching runs)
    are burned in the minute before its crank minute (``start_minutes`` before the
    stretch), so the level then already counts them, as the validator does; the
    warm-up burns the no-load fuel from the crank minute to the stretch's start.
    """
    out: dict[int, float] = defaultdict(float)
    reach: dict[str, int] = {}
    for r in sorted(runs, key=lambda r: (r.start, r.end)):
        g = portfolio.generator(r.generator_id)
        rate = g.litres_per_hour(r.output_kw) / 60
        out[r.start] += rate
        out[r.end] -= rate
        starts = r.start > reach.get(g.id, -1)
        crank = r.start - g.start_minutes
        if g.start_litres > 0 and starts:
            at = max(0, crank - 1)
            out[at] += g.start_litres
            out[at + 1] -= g.start_litres
        if g.start_minutes > 0 and starts:
            out[crank] += g.litres(0.0, 1)
            out[r.start] -= g.litres(0.0, 1)
        reach[g.id] = max(reach.get(g.id, r.end), r.end)
    return out


def jit_transfers(
    portfolio: Portfolio, plant_id: str, runs: Sequence[GeneratorRun], grants: Sequence[Grant]
) -> list[FuelTransfer]:
    """Transfers that keep the plant's tank above its reserve under ``runs``.

    Each transfer goes in at the last minute before the level would reach the
    reserve, with the least of: what the rest of the burn still needs, the room in
    the tank, and what the grants allow by then (earliest grants first).

    Raises
    ------
    TransferError
        When the grants come too late or the tank is too small to keep up.
    """
    if not runs:
        return []
    tank = portfolio.plant(plant_id).tank
    if tank is None:
        raise TransferError(f"plant {plant_id} runs generators without a tank")
    changes = _burn_changes(portfolio, runs)
    inflow: dict[int, float] = defaultdict(float)
    for d in portfolio.deliveries_to(plant_id):
        inflow[d.expected] += d.litres
    times = sorted({0, *changes, *inflow, *(at for _, at, _ in grants)})
    # Level without transfers just before the inflows of each event, where fuel was burned.
    low: list[float] = []
    level, rate, burned, prev = tank.stock_l, 0.0, 0.0, times[0]
    for t in times:
        level -= rate * (t - prev)
        burned += rate * (t - prev)
        low.append(level if burned > TOL else math.inf)
        level += inflow.get(t, 0.0)
        rate += changes.get(t, 0.0)
        prev = t
    suffix = [math.inf] * (len(times) + 1)
    for i in range(len(times) - 1, -1, -1):
        suffix[i] = min(suffix[i + 1], low[i])
    left = {(d, at): x for d, at, x in grants}
    out: list[FuelTransfer] = []
    moved, level, rate, burned, prev = 0.0, tank.stock_l, 0.0, 0.0, times[0]
    for i, t in enumerate(times):
        level -= rate * (t - prev)
        burned += rate * (t - prev)
        level += inflow.get(t, 0.0)
        rate += changes.get(t, 0.0)
        prev = t
        if i + 1 == len(times):
            break
        nxt = times[i + 1]
        while tank.reserve_l - (suffix[i + 1] + moved) > TOL and rate > 0:
            if level - rate * (nxt - prev) >= tank.reserve_l - TOL:
                break  # this stretch keeps the reserve: a later one needs the fuel
            if level < tank.reserve_l - TOL and burned > TOL:
                raise TransferError(f"plant {plant_id}: tank below reserve at minute {prev}")
            room = max(0.0, (level - tank.reserve_l) / rate)
            at = prev + min(nxt - 1 - prev, math.floor(room + 1e-9))
            at_level = level - rate * (at - prev)
            want = min(
                tank.reserve_l - (suffix[i + 1] + moved), tank.capacity_l - at_level - _MARGIN
            )
            got = _take(left, at, want, out, plant_id)
            if got <= TOL:
                raise TransferError(
                    f"plant {plant_id}: no granted fuel to truck at minute {at} "
                    f"(tank room {tank.capacity_l - at_level:.1f} L)"
                )
            burned += rate * (at - prev)
            moved, level, prev = moved + got, at_level + got, at
    return out


def _take(
    left: dict[tuple[str, int], float],
    at: int,
    want: float,
    out: list[FuelTransfer],
    plant_id: str,
) -> float:
    """Take up to ``want`` litres from grants available at ``at`` (earliest first)."""
    got = 0.0
    for key in sorted(left, key=lambda k: (k[1], k[0])):
        depot, minute = key
        if minute > at or want - got <= TOL:
            continue
        x = min(left[key], want - got)
        if x <= TOL:
            continue
        left[key] -= x
        got += x
        if out and out[-1].at == at and out[-1].depot_id == depot:
            last = out.pop()
            out.append(FuelTransfer(depot, plant_id, at, last.litres + x))
        else:
            out.append(FuelTransfer(depot, plant_id, at, x))
    return got


def outcomes(portfolio: Portfolio, operations: Sequence[Operation]) -> tuple[OrderOutcome, ...]:
    """One outcome per order, as ``docs/plan-rules.md`` defines it (reasons empty)."""
    last_step: dict[str, int] = {}
    for op in operations:
        last_step[op.order_id] = max(last_step.get(op.order_id, -1), op.step)
    done: dict[str, int] = {}
    for op in operations:
        if op.step == last_step[op.order_id]:
            done[op.order_id] = max(done.get(op.order_id, op.end), op.end)
    out = []
    for order in portfolio.orders:
        c = done.get(order.id)
        if c is None:
            out.append(OrderOutcome(order.id, OrderStatus.UNSCHEDULED, None, 0, 0.0))
        elif c <= order.due:
            out.append(OrderOutcome(order.id, OrderStatus.ON_TIME, c, 0, order.value))
        else:
            late = c - order.due
            factor = max(0.0, 1 - portfolio.late_decay_per_day * late / MINUTES_PER_DAY)
            out.append(OrderOutcome(order.id, OrderStatus.LATE, c, late, order.value * factor))
    return tuple(out)


def merge(
    portfolio: Portfolio,
    plant_plans: Mapping[str, Plan],
    grants: Mapping[str, Sequence[Grant]],
    planner: str = "optimise",
) -> Plan:
    """One portfolio plan from the plant plans and their grants.

    Raises
    ------
    TransferError
        When a plant's burn cannot be covered by its grants (see :func:`jit_transfers`).
    """
    ops: list[Operation] = []
    runs: list[GeneratorRun] = []
    transfers: list[FuelTransfer] = []
    for plant in portfolio.plants:
        plan = plant_plans.get(plant.id)
        if plan is None:
            continue
        ops.extend(plan.operations)
        runs.extend(plan.generator_runs)
        granted = grants.get(plant.id, ())
        transfers.extend(jit_transfers(portfolio, plant.id, plan.generator_runs, granted))
    ops.sort(key=lambda op: (op.start, op.line_id, op.order_id, op.step))
    runs.sort(key=lambda r: (r.generator_id, r.start))
    transfers.sort(key=lambda f: (f.at, f.plant_id, f.depot_id))
    flows = tuple(f for p in plant_plans.values() for f in p.battery_flows)
    return Plan(
        planner,
        tuple(ops),
        tuple(runs),
        tuple(transfers),
        outcomes(portfolio, ops),
        battery_flows=flows,
    )


def fuel_burned(portfolio: Portfolio, plan: Plan) -> float:
    """Litres the plan's generator runs burn."""
    return sum(
        portfolio.generator(r.generator_id).litres(r.output_kw, r.end - r.start)
        for r in plan.generator_runs
    )


def plan_key(portfolio: Portfolio, plan: Plan) -> tuple[int, float, float]:
    """The objective, to compare plans (larger is better): essential orders done, then
    value (late earns less), then least fuel burned."""
    essential = {o.id for o in portfolio.orders if o.priority is PriorityClass.ESSENTIAL}
    done = sum(
        1
        for o in plan.outcomes
        if o.order_id in essential and o.status is not OrderStatus.UNSCHEDULED
    )
    return done, round(plan.value, 2), -round(fuel_burned(portfolio, plan), 3)
