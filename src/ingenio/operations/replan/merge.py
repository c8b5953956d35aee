"""Merging a plan of the rest back into a whole plan; the warm start; what moved.

Private helper of :mod:`ingenio.operations.replan`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ingenio.domain import (
    MINUTES_PER_DAY,
    Operation,
    OrderOutcome,
    OrderStatus,
    Plan,
    Portfolio,
)
from ingenio.operations.replan.types import GhostError, RestProblem
from ingenio.planning.battery import replanned, with_battery_flows


def outcomes(
    portfolio: Portfolio, operations: Sequence[Operation], reasons: Mapping[str, str]
) -> tuple[OrderOutcome, ...]:
    """One outcome per order as ``docs/plan-rules.md`` defines it; ``reasons`` for the
    orders not on time."""
    n_steps = {o.id: len(portfolio.product(o.product_id).routing) for o in portfolio.orders}
    done: dict[str, int] = {}
    scheduled = {op.order_id for op in operations}
    for op in operations:
        if op.step == n_steps[op.order_id] - 1:
            done[op.order_id] = max(done.get(op.order_id, op.end), op.end)
    out: list[OrderOutcome] = []
    for order in portfolio.orders:
        why = reasons.get(order.id, "")
        c = done.get(order.id)
        if order.id not in scheduled or c is None:
            out.append(OrderOutcome(order.id, OrderStatus.UNSCHEDULED, None, 0, 0.0, why))
        elif c <= order.due:
            out.append(OrderOutcome(order.id, OrderStatus.ON_TIME, c, 0, order.value))
        else:
            late = c - order.due
            factor = max(0.0, 1 - portfolio.late_decay_per_day * late / MINUTES_PER_DAY)
            out.append(OrderOutcome(order.id, OrderStatus.LATE, c, late, order.value * factor, why))
    return tuple(out)


def _check_ghosts(problem: RestProblem, rest_plan: Plan) -> None:
    for g in problem.ghosts:
        mine = [op for op in rest_plan.operations if op.order_id == g.order_id]
        if [(op.line_id, op.start, op.end) for op in mine] != [(g.line_id, g.start, g.end)]:
            op = g.operation
            raise GhostError(
                f"the running operation {op.order_id}/{op.step} on line {op.line_id} cannot be "
                f"powered or resourced to its end at minute {op.end}",
                op,
            )


def merge(problem: RestProblem, rest_plan: Plan, planner: str, note: str = "") -> Plan:
    """The whole plan: what stays of the old plan plus the plan of the rest, mapped back.

    Rest operations are renamed to their world order and step; generator runs and
    fuel transfers of the rest start no earlier than the moment (before it, the
    kept runs power the kept operations); outcomes are recomputed with the real
    due dates and values, keeping the planners' reasons.

    Raises
    ------
    GhostError
        When the rest plan did not carry a running uninterruptible operation to its end.
    """
    _check_ghosts(problem, rest_plan)
    ghosts = {g.order_id for g in problem.ghosts}
    at = problem.at
    ops = list(problem.kept.operations)
    reasons: dict[str, str] = {
        o.order_id: o.reason for o in problem.kept.outcomes if o.status is not OrderStatus.ON_TIME
    }
    for oc in rest_plan.outcomes:
        if oc.order_id not in ghosts:
            world_id = problem.origin_of.get(oc.order_id, (oc.order_id, 0))[0]
            reasons[world_id] = oc.reason
    for op in rest_plan.operations:
        if op.order_id in ghosts:
            continue
        world_id, first = problem.origin_of.get(op.order_id, (op.order_id, 0))
        ops.append(replace(op, order_id=world_id, step=first + op.step))
    ops.sort(key=lambda o: (o.start, o.line_id, o.order_id, o.step))
    runs = [*problem.kept.generator_runs]
    runs += [replace(r, start=max(r.start, at)) for r in rest_plan.generator_runs if r.end > at]
    transfers = [*problem.kept.fuel_transfers]
    transfers += [replace(t, at=max(t.at, at)) for t in rest_plan.fuel_transfers]
    notes = [*problem.kept.notes, *problem.frozen.notes]
    if note:
        notes.append(note)
    for order_id, step in problem.lost:
        notes.append(f"order {order_id} step {step}: the running batch could not be carried "
                     "through the outage and is made again")  # fmt: skip
    merged = Plan(
        planner=planner,
        operations=tuple(ops),
        generator_runs=tuple(sorted(runs, key=lambda r: (r.generator_id, r.start))),
        fuel_transfers=tuple(sorted(transfers, key=lambda t: (t.at, t.plant_id, t.depot_id))),
        outcomes=outcomes(problem.world, ops, reasons),
        status=rest_plan.status,
        bound=None,
        seconds=rest_plan.seconds,
        notes=tuple(dict.fromkeys(notes)),
    )
    # Battery flows follow the whole plan's load, before and after the moment alike: as
    # the plan in force had them before the moment (and at the other plants), by the
    # bridge profile after it.
    at = problem.at
    planned = replanned(problem.world, problem.kept.battery_flows, problem.plant_id, at)
    return with_battery_flows(problem.world, merged, planned)


def rest_hint(problem: RestProblem, plan: Plan) -> Plan:
    """The old plan's operations after the moment, renamed for the rest problem.

    A warm start for a planner of the rest: the pieces that did not run yet, on the
    same lines and times, plus each ghost at its only place.
    """
    rest = problem.portfolio
    inverse: dict[tuple[str, int], tuple[str, int]] = {}
    for order in rest.orders:
        world_id, first = problem.origin_of.get(order.id, (order.id, 0))
        for j in range(len(rest.product(order.product_id).routing)):
            inverse.setdefault((world_id, first + j), (order.id, j))
    plant = problem.world.plant(problem.plant_id)
    ops: list[Operation] = []
    for op in plan.operations:
        key = inverse.get((op.order_id, op.step))
        if op.start >= problem.at and plant.has_line(op.line_id) and key is not None:
            ops.append(replace(op, order_id=key[0], step=key[1]))
    for g in problem.ghosts:
        ops.append(Operation(g.order_id, 0, g.line_id, g.start, g.end, float(g.end - g.start)))
    gens = {g.id for g in plant.generators}
    runs = tuple(
        replace(r, start=max(r.start, problem.at))
        for r in plan.generator_runs
        if r.generator_id in gens and r.end > problem.at
    )
    ops.sort(key=lambda o: (o.start, o.line_id))
    return Plan(plan.planner, tuple(ops), runs, (), outcomes(rest, ops, {}))


@dataclass(frozen=True)
class Move:
    """How one order's outcome changed between two plans."""

    order_id: str
    before: OrderOutcome | None
    after: OrderOutcome

    @property
    def value_change(self) -> float:
        """Value after minus value before."""
        return self.after.value - (self.before.value if self.before else 0.0)

    @property
    def shift_minutes(self) -> int | None:
        """Completion after minus completion before (None if either is unscheduled)."""
        if self.before is None or self.before.completion is None or self.after.completion is None:
            return None
        return self.after.completion - self.before.completion


def moves(portfolio: Portfolio, old: Plan, new: Plan, plant_ids: Sequence[str]) -> list[Move]:
    """Orders of the plants whose status or completion changed, largest value change first."""
    before = {o.order_id: o for o in old.outcomes}
    plants = set(plant_ids)
    out = [
        Move(o.order_id, before.get(o.order_id), o)
        for o in new.outcomes
        if portfolio.product_plant(portfolio.order(o.order_id).product_id).id in plants
        and (
            (b := before.get(o.order_id)) is None
            or (b.status, b.completion) != (o.status, o.completion)
        )
    ]
    out.sort(key=lambda m: (-abs(m.value_change), m.order_id))
    return out
