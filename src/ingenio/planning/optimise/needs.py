"""The fuel needs of a plan read plant by plant: linear in the plants, not quadratic.

Private helper of :mod:`ingenio.planning.optimise`. :func:`~ingenio.planning.explain.fuel_needs`
builds one context of the whole plan and, for each late or undone order, scans the whole
plan's operations (shared resources) and the whole plan's generator runs (tank levels):
on 50 plants and 5,000 orders that took 111 s of a 110 s budget, on 200 plants about 16
times as long. A plant's fuel-starved orders depend only on that plant (its lines,
resources, generators, tank and the fuel that reached it), so here each plant with an
order not on time is cut out with the fuel the plan trucked to it as deliveries
(:func:`~ingenio.planning.restrict.plant_portfolio`), and ``fuel_needs`` runs on that
plant's part of the plan only. The depots stay in the cut (no transfer to the plant is in
its part): whether the generators could ever burn fuel
(:func:`~ingenio.planning.capacity.fuel_possible`) reads them. The result is the same
mapping.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from ingenio.domain import (
    BatteryFlow,
    FuelTransfer,
    GeneratorRun,
    Operation,
    OrderOutcome,
    OrderStatus,
    Plan,
    Portfolio,
)
from ingenio.planning.explain import fuel_needs
from ingenio.planning.restrict import plant_portfolio
from ingenio.planning.summary import FuelNeeds

__all__ = ["plant_fuel_needs"]


def plant_fuel_needs(
    portfolio: Portfolio, plan: Plan, left: Callable[[], float] = lambda: math.inf
) -> FuelNeeds:
    """:func:`~ingenio.planning.explain.fuel_needs` of ``plan``, plant by plant.

    ``left()``: seconds left for the reading; when it reaches 0 the plants not read yet
    are left out (a floor of the needs, so of the idle litres). Falls back to the whole
    plan's reading when a plant cannot be cut out (an order waiting on another plant's)."""
    plant_of_line = {ln.id: p.id for p in portfolio.plants for ln in p.lines}
    plant_of_gen = {g.id: p.id for p in portfolio.plants for g in p.generators}
    plant_of_bat = {b.id: p.id for p in portfolio.plants for b in p.batteries}
    plant_of_product: dict[str, str] = {}
    ops: dict[str, list[Operation]] = defaultdict(list)
    runs: dict[str, list[GeneratorRun]] = defaultdict(list)
    flows: dict[str, list[BatteryFlow]] = defaultdict(list)
    moved: dict[str, list[FuelTransfer]] = defaultdict(list)
    outs: dict[str, list[OrderOutcome]] = defaultdict(list)
    for op in plan.operations:
        if op.line_id in plant_of_line:
            ops[plant_of_line[op.line_id]].append(op)
    for r in plan.generator_runs:
        if r.generator_id in plant_of_gen:
            runs[plant_of_gen[r.generator_id]].append(r)
    for f in plan.battery_flows:
        if f.battery_id in plant_of_bat:
            flows[plant_of_bat[f.battery_id]].append(f)
    for t in plan.fuel_transfers:
        moved[t.plant_id].append(t)
    for o in plan.outcomes:
        if not portfolio.has("order", o.order_id):
            continue
        product = portfolio.order(o.order_id).product_id
        if product not in plant_of_product:
            plant_of_product[product] = portfolio.product_plant(product).id
        outs[plant_of_product[product]].append(o)
    depots = {d.id for d in portfolio.depots}
    to_depots = tuple(d for d in portfolio.deliveries if d.destination in depots)
    total: dict[str, float] = {}
    least: dict[str, float] = {}
    for plant in portfolio.plants:
        mine = outs.get(plant.id, [])
        if not any(o.status is not OrderStatus.ON_TIME for o in mine):
            continue
        if left() <= 0:
            break
        trucked = [(t.at, t.litres) for t in moved.get(plant.id, ())]
        try:
            sub = plant_portfolio(portfolio, plant.id, trucked)
            sub = replace(sub, depots=portfolio.depots, deliveries=(*sub.deliveries, *to_depots))
        except ValueError:  # an order waiting on another plant's: read the whole plan
            return fuel_needs(portfolio, plan)
        part = Plan(
            plan.planner,
            tuple(ops.get(plant.id, ())),
            tuple(runs.get(plant.id, ())),
            (),
            tuple(mine),
            battery_flows=tuple(flows.get(plant.id, ())),
        )
        needs = fuel_needs(sub, part)
        total.update(needs)
        least.update(needs.least)
    return FuelNeeds(total, least)
