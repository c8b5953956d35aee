"""The rest problem of one plant: lines from the moment on, orders left, ghosts.

Private helper of :mod:`ingenio.operations.replan`.

Orders of the rest problem (ids map back through ``origin_of``):

* an order not started keeps its id and product; its release moves to the
  moment (or to the end of a predecessor already complete);
* an order part made (work in progress) keeps its id for what is left of its
  routing, as a product ``~<order>`` of the remaining steps. When its current
  step is part made, what is left of that step is an order of its own
  (``<order>~<step>``, or the order itself when it is the last step) whose one
  step carries the restart time as its setup (it is a later piece of the step)
  and a family of its own (so no planner waives it);
* work in progress is due right away and worth more than anything else in the
  rest problem, so every planner finishes it first: a half-made order left
  unscheduled would break the plan rules. The values and due dates of the rest
  problem only steer the planners: the merged plan's outcomes are recomputed
  with the real ones.

A :class:`Ghost` stands for each uninterruptible operation running past the
moment: an order on a line of its own whose only shift is the slots the
operation still touches, with the power and resources of its step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ingenio.domain import (
    Depot,
    FuelDelivery,
    FuelTank,
    Line,
    Operation,
    Order,
    Plan,
    Portfolio,
    PriorityClass,
    Product,
    Step,
    Window,
)
from ingenio.operations.replan.types import Frozen, Ghost, Remaining, ReplanError


def last_ends(plan_ops: tuple[Operation, ...]) -> dict[str, int]:
    """End of the last piece of every order with operations."""
    out: dict[str, int] = {}
    for op in plan_ops:
        out[op.order_id] = max(out.get(op.order_id, op.end), op.end)
    return out


def _blocked(world: Portfolio, rest: Mapping[str, Remaining], kept: Plan) -> set[str]:
    """Orders left that cannot run: a predecessor is neither complete nor left to plan."""
    done = last_ends(kept.operations)
    out: set[str] = set()
    changed = True
    while changed:
        changed = False
        for oid in rest:
            if oid in out:
                continue
            for pred in world.order(oid).predecessors:
                if pred in out or (pred not in rest and pred not in done):
                    out.add(oid)
                    changed = True
                    break
    return out


def _drop_orphans(orders: list[Order]) -> list[Order]:
    """Leave out orders whose predecessor is not in the rest problem (it cannot run)."""
    while True:
        ids = {o.id for o in orders}
        keep = [o for o in orders if all(p in ids for p in o.predecessors)]
        if len(keep) == len(orders):
            return keep
        orders = keep


def _ghost(world: Portfolio, op: Operation, at: int) -> tuple[Ghost, Line, Product, Order]:
    plant_id = world.line(op.line_id).plant_id
    size = world.horizon.slot_minutes
    start, end = at // size * size, -(-op.end // size) * size
    step = world.product(world.order(op.order_id).product_id).routing[op.step]
    line = Line(f"~{op.line_id}", f"running {op.order_id}", plant_id, (Window(start, end),))
    product = Product(
        f"~tail~{op.line_id}",
        f"running {op.order_id}",
        f"~tail~{op.line_id}",
        (Step("running", (line.id,), 60.0, step.power_kw, 0, False, 0, dict(step.resources)),),
    )
    order = Order(f"!tail~{op.line_id}", product.id, float(end - start), start, start + 1, 0.0,
                  PriorityClass.ESSENTIAL)  # fmt: skip
    return Ghost(order.id, line.id, start, end, op), line, product, order


def build_rest(
    world: Portfolio,
    plant_id: str,
    at: int,
    frozen: Frozen,
    kept: Plan,
    tank: FuelTank | None,
    depots: tuple[tuple[Depot, ...], tuple[FuelDelivery, ...]],
) -> tuple[Portfolio, dict[str, tuple[str, int]], tuple[Ghost, ...]]:
    """The rest problem of ``plant_id``: portfolio, rest order -> (order, first step), ghosts."""
    plant = world.plant(plant_id)
    h = world.horizon
    rest = {r.order_id: r for r in frozen.remaining}
    blocked = _blocked(world, rest, kept)
    done = last_ends(kept.operations)
    own = [o for o in world.orders if o.id in rest]
    bonus = 1.0 + sum(o.value for o in own) * 10
    products = [p for p in world.products if world.product_plant(p.id).id == plant_id]
    orders: list[Order] = []
    origin_of: dict[str, tuple[str, int]] = {}
    for o in own:
        r = rest[o.id]
        if o.id in blocked:
            if r.started:
                raise ReplanError(f"order {o.id} is part made but a predecessor is not planned")
            continue
        preds = tuple(p for p in o.predecessors if p in rest)
        # a part made at another plant arrives after its transfer (rule ``precedence``)
        ready = max(
            [r.ready, *(done[p] + world.link_gap(o, p) for p in o.predecessors if p not in rest)]
        )
        if ready >= h.minutes:
            if r.started:
                raise ReplanError(f"order {o.id} is part made and its rest cannot start "
                                  "before the horizon ends")  # fmt: skip
            continue
        if not r.started:
            orders.append(replace(o, release=ready, due=max(o.due, ready + 1), predecessors=preds))
            continue
        routing = world.product(o.product_id).routing
        value = o.value_per_unit + bonus / max(r.quantity, 1e-9)
        k = r.step
        if r.partial:
            base = routing[k]
            cont = replace(base, setup_minutes=base.restart_minutes)
            key = o.id if k == len(routing) - 1 else f"{o.id}~{k}"
            products.append(Product(f"~{key}", o.id, f"~{key}", (cont,)))
            orders.append(Order(key, f"~{key}", r.quantity, ready, ready + 1, value, o.priority))
            origin_of[key] = (o.id, k)
            if key == o.id:
                continue
            preds, k = (key,), k + 1
        products.append(Product(f"~{o.id}", o.id, world.product(o.product_id).family, routing[k:]))
        orders.append(
            Order(o.id, f"~{o.id}", o.quantity, ready, ready + 1, value, o.priority, preds)
        )
        origin_of[o.id] = (o.id, k)
    orders = _drop_orphans(orders)
    ghosts: list[Ghost] = []
    free_from = {ln.id: at for ln in plant.lines}
    for op in frozen.operations:
        if op.end > at:
            ghost, _, product, order = _ghost(world, op, at)
            ghosts.append(ghost)
            products.append(product)
            orders.append(replace(order, value_per_unit=bonus / order.quantity))
            free_from[op.line_id] = max(free_from[op.line_id], op.end)
    lines = [
        Line(ln.id, ln.name, ln.plant_id,
             tuple(Window(max(w.start, free_from[ln.id]), w.end) for w in ln.shifts
                   if w.end > free_from[ln.id]))
        for ln in plant.lines
    ]  # fmt: skip
    ghost_lines = [Line(g.line_id, f"running {g.operation.order_id}", plant_id,
                        (Window(g.start, g.end),)) for g in ghosts]  # fmt: skip
    rest_plant = replace(plant, lines=(*lines, *ghost_lines), tank=tank)
    depot_list, depot_deliveries = depots
    deliveries = [d for d in world.deliveries_to(plant_id) if d.expected > at]
    portfolio = Portfolio(
        name=f"{world.name} (rest of {plant_id})",
        horizon=h,
        enterprises=tuple(e for e in world.enterprises if e.id == plant.enterprise_id),
        plants=(rest_plant,),
        blocks=(world.block(plant.block_id),),
        products=tuple(products),
        orders=tuple(orders),
        depots=depot_list,
        deliveries=(*deliveries, *depot_deliveries),
        late_decay_per_day=world.late_decay_per_day,
        currency=world.currency,
    )
    return portfolio, origin_of, tuple(ghosts)
