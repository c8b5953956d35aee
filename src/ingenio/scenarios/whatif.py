"""What changes between a base plan and the plan of a perturbed portfolio.

:func:`compare` gives the value delta, every order whose outcome changes, the
value and fuel burned per plant, and the stoppages of starved or suspended
plants with their **resumption** (:mod:`ingenio.scenarios.resumption`).
:func:`latest_arrival` answers the tanker question: how late may a delivery
arrive and the plant still run again by a given minute? It re-plans the variant
with the delivery moved, searching the arrival by bisection.

Pure: planners are passed in as callables; no IO.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from ingenio.domain import MINUTES_PER_HOUR, OrderOutcome, OrderStatus, Plan, Portfolio, Window
from ingenio.planning.genruns import run_litres
from ingenio.planning.summary import when
from ingenio.scenarios.resumption import (
    MIN_LOST_MINUTES,
    Stoppage,
    all_stoppages,
    main_stoppage,
    production_by_plant,
)

__all__ = [
    "ArrivalNeed",
    "ChangeKind",
    "OrderChange",
    "Planner",
    "PlantDelta",
    "WhatIfDiff",
    "arrival_sentence",
    "compare",
    "day_end",
    "fuel_burned",
    "latest_arrival",
    "resumption_sentences",
    "tanker_questions",
]

Planner = Callable[[Portfolio], Plan]
"""A planner: portfolio in, plan out (``ingenio.services.plans.PLANNERS`` values)."""


class ChangeKind(StrEnum):
    """How an order's outcome moved from the base plan to the variant."""

    LATE = "became late"
    UNSCHEDULED = "became unscheduled"
    RECOVERED = "recovered"
    LATER = "later"
    EARLIER = "earlier"


@dataclass(frozen=True)
class OrderChange:
    """One order whose outcome differs between the base plan and the variant."""

    order_id: str
    plant_id: str
    before: OrderOutcome
    after: OrderOutcome
    kind: ChangeKind

    @property
    def value_delta(self) -> float:
        """Variant value minus base value."""
        return self.after.value - self.before.value

    @property
    def lateness_delta_minutes(self) -> int:
        """Variant lateness minus base lateness (minutes)."""
        return self.after.lateness_minutes - self.before.lateness_minutes


@dataclass(frozen=True)
class PlantDelta:
    """Value and diesel burned at one plant, before and after."""

    plant_id: str
    value_before: float
    value_after: float
    fuel_before_l: float
    fuel_after_l: float

    @property
    def value_delta(self) -> float:
        """Variant value minus base value."""
        return self.value_after - self.value_before

    @property
    def fuel_delta_l(self) -> float:
        """Variant litres burned minus base litres burned."""
        return self.fuel_after_l - self.fuel_before_l


@dataclass(frozen=True)
class WhatIfDiff:
    """The difference a perturbation makes (see :func:`compare`)."""

    base_value: float
    variant_value: float
    orders: tuple[OrderChange, ...]
    plants: tuple[PlantDelta, ...]
    stoppages: tuple[Stoppage, ...]

    @property
    def value_delta(self) -> float:
        """Variant value minus base value."""
        return self.variant_value - self.base_value

    def of_kind(self, kind: ChangeKind) -> tuple[str, ...]:
        """Ids of the orders whose change is ``kind``."""
        return tuple(c.order_id for c in self.orders if c.kind is kind)

    @property
    def resumptions(self) -> tuple[Stoppage, ...]:
        """The main stoppage of each stopped plant (the one losing most production)."""
        plants = dict.fromkeys(s.plant_id for s in self.stoppages)
        found = (main_stoppage([s for s in self.stoppages if s.plant_id == p]) for p in plants)
        return tuple(s for s in found if s is not None)


def fuel_burned(portfolio: Portfolio, plan: Plan) -> dict[str, float]:
    """Litres burned by the generators of each plant in ``plan`` (starts and warm-ups
    included)."""
    return {
        p.id: run_litres({g.id: g for g in p.generators}, plan.generator_runs)
        for p in portfolio.plants
    }


def _kind(before: OrderOutcome, after: OrderOutcome) -> ChangeKind | None:
    b, a = before.status, after.status
    if a is OrderStatus.UNSCHEDULED:
        return None if b is OrderStatus.UNSCHEDULED else ChangeKind.UNSCHEDULED
    if a is OrderStatus.ON_TIME:
        return None if b is OrderStatus.ON_TIME else ChangeKind.RECOVERED
    if b is OrderStatus.ON_TIME:
        return ChangeKind.LATE
    if b is OrderStatus.UNSCHEDULED or after.lateness_minutes < before.lateness_minutes:
        return ChangeKind.EARLIER
    return ChangeKind.LATER if after.lateness_minutes > before.lateness_minutes else None


def compare(
    base_plan: Plan,
    variant_plan: Plan,
    base: Portfolio,
    variant: Portfolio,
    *,
    min_lost: int = MIN_LOST_MINUTES,
) -> WhatIfDiff:
    """What the variant changes: value, orders, fuel per plant, stoppages and resumptions.

    Parameters
    ----------
    base_plan, variant_plan
        Plans of ``base`` and ``variant``.
    base, variant
        The portfolios (the variant must keep the base's plants and orders).
    min_lost
        Least base production time a stretch must lose to count as a stoppage.

    Returns
    -------
    WhatIfDiff
        Orders whose status or lateness changed (base order), per plant value and
        litres burned, and every stoppage of the variant against the base.
    """
    after = {o.order_id: o for o in variant_plan.outcomes}
    changes: list[OrderChange] = []
    plant_of = {o.id: base.product_plant(o.product_id).id for o in base.orders}
    value_before = dict.fromkeys(plant_of.values(), 0.0)
    value_after = dict.fromkeys(plant_of.values(), 0.0)
    for b in base_plan.outcomes:
        a = after.get(b.order_id)
        if a is None or b.order_id not in plant_of:
            continue
        value_before[plant_of[b.order_id]] += b.value
        value_after[plant_of[b.order_id]] += a.value
        kind = _kind(b, a)
        if kind is not None:
            changes.append(OrderChange(b.order_id, plant_of[b.order_id], b, a, kind))
    fuel_b, fuel_a = fuel_burned(base, base_plan), fuel_burned(variant, variant_plan)
    plants = tuple(
        PlantDelta(p.id, value_before.get(p.id, 0.0), value_after.get(p.id, 0.0),
                   fuel_b.get(p.id, 0.0), fuel_a.get(p.id, 0.0))
        for p in base.plants
    )  # fmt: skip
    stops = all_stoppages(variant, production_by_plant(base, base_plan), variant_plan, min_lost)
    return WhatIfDiff(
        base_value=base_plan.value,
        variant_value=variant_plan.value,
        orders=tuple(sorted(changes, key=lambda c: (c.kind, c.plant_id, c.order_id))),
        plants=plants,
        stoppages=tuple(s for found in stops.values() for s in found),
    )


@dataclass(frozen=True)
class ArrivalNeed:
    """The latest arrival of a delivery that has a stopped plant producing by ``resume_by``.

    ``latest_arrival`` is None when even the base arrival is too late;
    ``any_arrival`` is True when even the last candidate (the horizon's end) will
    do: the stop does not wait for that delivery. ``resumes_at`` is when the plant
    produces again (at or after the stop) with the delivery at ``latest_arrival``;
    ``replans`` counts the plans made.
    """

    plant_id: str
    delivery_id: str
    resume_by: int
    latest_arrival: int | None
    resumes_at: int | None
    base_arrival: int
    replans: int
    any_arrival: bool = False


def _moved(portfolio: Portfolio, delivery_id: str, at: int) -> Portfolio:
    deliveries = tuple(
        dataclasses.replace(d, expected=at, earliest=min(d.earliest, at), latest=max(d.latest, at))
        if d.id == delivery_id else d
        for d in portfolio.deliveries
    )  # fmt: skip
    return dataclasses.replace(portfolio, deliveries=deliveries)


def _first_after(windows: Sequence[Window], minute: int) -> int | None:
    """First minute at or after ``minute`` inside one of the sorted ``windows``."""
    return next((max(w.start, minute) for w in windows if w.end > minute), None)


def latest_arrival(
    base: Portfolio,
    variant: Portfolio,
    planner: Planner,
    delivery_id: str,
    stop: Stoppage,
    resume_by: int,
    *,
    step: int = MINUTES_PER_HOUR,
) -> ArrivalNeed:
    """Latest arrival of ``delivery_id`` (on a ``step`` grid) that has the plant of ``stop``
    producing again by ``resume_by``.

    The variant is re-planned with the delivery arriving at candidate minutes from
    its base arrival to the horizon end; an arrival works when the plant produces
    at some minute in ``[stop.stopped_at, resume_by]`` (or never stops). The search
    bisects, assuming a later arrival never helps (a monotone answer), so it makes
    about ``log2(horizon / step)`` plans.

    Parameters
    ----------
    base
        The base portfolio (gives the delivery's base arrival).
    variant
        The perturbed portfolio (other perturbations stay in force).
    planner
        Makes each plan.
    delivery_id
        The delivery to move.
    stop
        The plant's stoppage in the variant's plan (:func:`compare`).
    resume_by
        Minute by which the plant must produce again.
    step
        Granularity of the answer, minutes.

    Returns
    -------
    ArrivalNeed
    """
    start = next(d.expected for d in base.deliveries if d.id == delivery_id)
    end = variant.horizon.minutes
    grid = list(range(start, max(start, end - 1) + 1, step))
    cache: dict[int, int | None] = {}

    def resumes(k: int) -> int | None:
        if k not in cache:
            moved = _moved(variant, delivery_id, grid[k])
            windows = production_by_plant(moved, planner(moved))[stop.plant_id]
            cache[k] = _first_after(windows, stop.stopped_at)
        return cache[k]

    def ok(k: int) -> bool:
        at = resumes(k)
        return at is not None and at <= resume_by

    def need(k: int | None) -> ArrivalNeed:
        arrival, again = (None, None) if k is None else (grid[k], resumes(k))
        last = k == len(grid) - 1
        return ArrivalNeed(
            stop.plant_id, delivery_id, resume_by, arrival, again, start, len(cache), last
        )

    if not ok(0):
        return need(None)
    lo, hi = 0, len(grid) - 1
    if ok(hi):
        return need(hi)
    while hi - lo > 1:  # ok(lo) holds, ok(hi) does not
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return need(lo)


def day_end(portfolio: Portfolio, minute: int) -> int:
    """The local midnight at or after ``minute`` (minutes from the origin)."""
    h = portfolio.horizon
    local = h.to_datetime(minute)
    midnight = datetime.combine(local.date(), time(), tzinfo=h.zone)
    if midnight < local:
        midnight = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=h.zone)
    return h.to_minute(midnight)


def _by(portfolio: Portfolio, minute: int) -> str:
    """``on 2026-04-21`` for a local midnight (the day before it), else ``by <when>``."""
    if day_end(portfolio, minute) == minute:
        return f"on {portfolio.horizon.to_datetime(minute - 1):%Y-%m-%d}"
    return f"by {when(portfolio, minute)}"


def resumption_sentences(portfolio: Portfolio, diff: WhatIfDiff) -> list[str]:
    """One sentence per stopped plant: when it stops and when it runs again."""
    out: list[str] = []
    for s in diff.resumptions:
        name = portfolio.plant(s.plant_id).name
        since = "from the start" if s.stopped_at == 0 else f"after {when(portfolio, s.stopped_at)}"
        lost = f"{s.lost_minutes / MINUTES_PER_HOUR:,.1f} h of planned production lost"
        if s.resumes_at is None:
            out.append(f"{name} stops {since} and does not resume within the horizon ({lost}).")
        else:
            again = when(portfolio, s.resumes_at)
            out.append(f"{name} stops {since} and resumes on {again} ({lost}).")
    return out


def arrival_sentence(portfolio: Portfolio, need: ArrivalNeed, *, as_planned: bool = False) -> str:
    """``vehicle assembly resumes on 2026-04-21 if tanker-2 arrives by 2026-04-18 14:00``.

    With ``as_planned``, ``need.resume_by`` is the first minute the base plan
    produced inside the stop, and the sentence says the stop is avoided.
    """
    name = portfolio.plant(need.plant_id).name
    target = _by(portfolio, need.resume_by)
    outcome = f"keeps producing as planned ({target})" if as_planned else f"resumes {target}"
    if need.latest_arrival is None:
        return (
            f"{name} cannot be producing again {target} even if {need.delivery_id} arrives as "
            f"planned ({when(portfolio, need.base_arrival)})."
        )
    if need.any_arrival:
        return (
            f"{name} {outcome} whenever {need.delivery_id} arrives: its stop does not wait for "
            "that delivery."
        )
    return (
        f"{name} {outcome} if {need.delivery_id} arrives by {when(portfolio, need.latest_arrival)}."
    )


def tanker_questions(
    variant: Portfolio, diff: WhatIfDiff, delayed: Sequence[str]
) -> list[tuple[str, str]]:
    """``(plant id, delivery id)`` pairs worth a :func:`latest_arrival` search.

    A delayed delivery to a plant concerns that plant; one to a depot concerns
    every stopped plant with a fuel tank.
    """
    stopped = [s.plant_id for s in diff.resumptions]
    dest: Mapping[str, str] = {d.id: d.destination for d in variant.deliveries}
    out: list[tuple[str, str]] = []
    for did in delayed:
        for pid in stopped:
            to_plant = variant.has("plant", dest.get(did, ""))
            if (dest.get(did) == pid) or (not to_plant and variant.plant(pid).tank is not None):
                out.append((pid, did))
    return out
