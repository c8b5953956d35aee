"""Idle litres while starving: depot diesel a plan leaves unused while a plant starves.

Pure. Defined in ``docs/planning.md`` ("Idle litres while starving"):

* a plant **starves** when it has generators and a tank, its tank reaches its reserve
  (within 1 % of its usable size, at least 1 L) during the horizon, and it has an order
  late or undone that its generators could power (every step of the order draws no
  more kW than the plant's generators together are rated for): more fuel could have
  run that order, or run it sooner;
* its **headroom** is what its generators could still burn at rated output over the
  plant's grid-off minutes, less what they burn in the plan;
* the depot litres **within reach** of a starving plant are the least the depots hold
  from the last minute its tank is at its reserve to the horizon end (fuel that sat
  unused in a depot while, or after, the plant starved; depots supply any plant, and
  the portfolio file has no routes and no plant-to-plant transfer);
* **idle litres while starving** = ``min(the most litres within reach of a starving
  plant, headroom of the starving plants)``, 0 when no plant starves.

With the fuel needs of :func:`ingenio.planning.explain.fuel_needs` (a :class:`FuelNeeds`),
a plant starves only if its cheapest fuel-starved order needs no more than the depot
litres within its reach: diesel too little to run any one order whole is not idle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ingenio.domain import OrderStatus, Plan, Portfolio, Window, merge_windows
from ingenio.planning.summary.fuel import depot_levels, tank_levels

NEAR_RESERVE = 0.01
"""A tank within 1 % of its usable size (at least 1 L) of its reserve is at its reserve."""


class FuelNeeds(dict[str, float]):
    """Per plant, the litres its fuel-starved orders would burn (summed); ``least``: per
    plant, the litres of the one that needs least
    (:func:`ingenio.planning.explain.fuel_needs` builds it)."""

    def __init__(
        self, total: Mapping[str, float] | None = None, least: Mapping[str, float] | None = None
    ) -> None:
        super().__init__(total or {})
        self.least = dict(least or {})


@dataclass(frozen=True)
class IdleFuel:
    """Idle litres while starving, and what they are made of.

    ``litres``: the measure; ``depot_left_l``: depot litres left at the horizon end;
    ``starving``: the starving plants (ids, portfolio order); ``headroom_l``: their
    headroom in litres, by plant id."""

    litres: float
    depot_left_l: float
    starving: tuple[str, ...]
    headroom_l: dict[str, float]

    def note(self) -> str:
        """One line for a plan's notes."""
        if not self.starving:
            return (
                f"idle litres while starving: 0 L (no plant starves; "
                f"{self.depot_left_l:,.0f} L left in depots)"
            )
        return (
            f"idle litres while starving: {self.litres:,.0f} L "
            f"({self.depot_left_l:,.0f} L left in depots; starving: "
            + ", ".join(f"{p} {self.headroom_l[p]:,.0f} L headroom" for p in self.starving)
            + ")"
        )


def last_at_reserve(portfolio: Portfolio, plan: Plan, plant_id: str) -> int | None:
    """The last minute the plant's tank is at its reserve, or None."""
    tank = portfolio.plant(plant_id).tank
    if tank is None:
        return None
    near = tank.reserve_l + max(1.0, NEAR_RESERVE * (tank.capacity_l - tank.reserve_l))
    at = [t for t, level in tank_levels(portfolio, plan, plant_id) if level <= near]
    return max(at) if at else None


def within_reach(portfolio: Portfolio, plan: Plan, since: int) -> float:
    """The least the depots hold together from minute ``since`` to the horizon end."""
    horizon = portfolio.horizon.minutes
    total = 0.0
    for depot in portfolio.depots:
        points = depot_levels(portfolio, plan, depot.id)
        before = [lv for t, lv in points if t <= since]
        after = [lv for t, lv in points if since <= t <= horizon]
        levels = ([before[-1]] if before else [depot.stock_l]) + after
        total += max(0.0, min(levels))
    return total


def _could_use_fuel(portfolio: Portfolio, plan: Plan, plant_id: str) -> bool:
    """An order of the plant is late or undone and its generators could power it."""
    plant = portfolio.plant(plant_id)
    rated = sum(g.rated_kw for g in plant.generators)
    status = {o.order_id: o.status for o in plan.outcomes}
    for order in portfolio.orders_of(plant_id):
        if status.get(order.id, OrderStatus.UNSCHEDULED) is OrderStatus.ON_TIME:
            continue
        steps = portfolio.product(order.product_id).routing
        if all(s.power_kw <= rated + 1e-9 for s in steps):
            return True
    return False


def headroom(portfolio: Portfolio, plan: Plan, plant_id: str) -> float:
    """Litres the plant's generators could still burn at rated output over its grid-off
    minutes, less what they burn in the plan (never negative)."""
    plant = portfolio.plant(plant_id)
    horizon = portfolio.horizon.minutes
    off = merge_windows(
        Window(max(w.start, 0), min(w.end, horizon))
        for w in portfolio.grid_off(plant_id)
        if w.end > 0 and w.start < horizon
    )
    minutes = sum(w.minutes for w in off)
    most = sum(g.litres(g.rated_kw, minutes) for g in plant.generators)
    gens = {g.id: g for g in plant.generators}
    burned = sum(
        gens[r.generator_id].litres(r.output_kw, r.end - r.start)
        for r in plan.generator_runs
        if r.generator_id in gens
    )
    return max(0.0, most - burned)


def depot_left(portfolio: Portfolio, plan: Plan) -> float:
    """Litres left in all depots at the horizon end (deliveries after it not counted)."""
    horizon = portfolio.horizon.minutes
    total = 0.0
    for depot in portfolio.depots:
        levels = [lv for at, lv in depot_levels(portfolio, plan, depot.id) if at <= horizon]
        total += max(0.0, levels[-1]) if levels else depot.stock_l
    return total


def starving(portfolio: Portfolio, plan: Plan) -> tuple[str, ...]:
    """The starving plants (see the module docstring), in portfolio order."""
    return tuple(
        p.id
        for p in portfolio.plants
        if p.generators
        and p.tank is not None
        and last_at_reserve(portfolio, plan, p.id) is not None
        and _could_use_fuel(portfolio, plan, p.id)
    )


def _reach(portfolio: Portfolio, plan: Plan, plant_id: str) -> float:
    """Depot litres within reach of the plant (0 when its tank never hits its reserve)."""
    since = last_at_reserve(portfolio, plan, plant_id)
    return 0.0 if since is None else within_reach(portfolio, plan, since)


def idle_fuel(
    portfolio: Portfolio, plan: Plan, needs: Mapping[str, float] | None = None
) -> IdleFuel:
    """Idle litres while starving of ``plan`` (see the module docstring).

    ``needs``: per plant, the litres its fuel-starved orders would burn
    (:func:`ingenio.planning.explain.fuel_needs`). Given, a plant starves only if it has
    such an order, and its headroom is at most its need: only diesel a late or undone
    order could have burned on free line time counts. None: the generators' headroom
    alone (an upper figure). When ``needs`` is a :class:`FuelNeeds`, a plant starves only
    if its least fuel-starved order needs no more than the depot litres within its reach
    (diesel that could not have run any one order whole is not counted)."""
    left = depot_left(portfolio, plan)
    hungry = starving(portfolio, plan)
    if needs is not None:
        hungry = tuple(p for p in hungry if needs.get(p, 0.0) > 0)
    if isinstance(needs, FuelNeeds):
        hungry = tuple(p for p in hungry if needs.least.get(p, 0.0) <= _reach(portfolio, plan, p))
    room = {p: headroom(portfolio, plan, p) for p in hungry}
    if needs is not None:
        room = {p: min(r, needs[p]) for p, r in room.items()}
    reach = max((_reach(portfolio, plan, p) for p in hungry), default=0.0)
    litres = min(reach, sum(room.values())) if hungry else 0.0
    return IdleFuel(litres, left, hungry, room)
