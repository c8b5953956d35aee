"""What the web pages show, computed from a plan the principal may see.

Every function starts from :func:`ingenio.services.tenancy.find_plan` or
:func:`~ingenio.services.tenancy.portfolios`, so a scope miss is *not found*
exactly as in the API; a plant outside the principal's plants is not found too.
Times leave this module as plant-local wall-clock times (naive ISO text) with the
zone's name beside them, so a browser in Moscow draws Havana's clock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ingenio.domain import Plan, Portfolio, Said
from ingenio.errors import N_, IngenioError, said
from ingenio.formats.plan_file import plan_from_document
from ingenio.formats.portfolio import parse_portfolio
from ingenio.services.auth import Principal
from ingenio.services.tenancy import PlanView, find_plan, plans_of, portfolios
from ingenio.store.repository import Store

__all__ = [
    "BoardPlant",
    "BoardPortfolio",
    "Loaded",
    "OrderRow",
    "PlantPage",
    "board",
    "load",
    "metered_bands",
    "orders_view",
    "page_of",
    "plant_page",
]

_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple[str, int], tuple[Portfolio, Plan, str]] = OrderedDict()
_CACHE_SIZE = 16


@dataclass(frozen=True)
class Loaded:
    """A plan the principal may see, with its portfolio as domain objects."""

    view: PlanView
    portfolio: Portfolio
    plan: Plan
    portfolio_name: str

    def plants(self) -> list[str]:
        """The plant ids the principal sees in this plan."""
        ids = [p.id for p in self.portfolio.plants]
        return ids if self.view.plants is None else [p for p in ids if p in self.view.plants]

    def local(self, minute: int) -> str:
        """Plant-local wall-clock time of a minute, ISO without an offset."""
        return self.portfolio.horizon.to_datetime(minute).replace(tzinfo=None).isoformat()


def load(store: Store, principal: Principal, plan_id: int) -> Loaded:
    """The plan ``plan_id`` and its portfolio, if the principal may see the plan."""
    view = find_plan(store, principal, plan_id)
    key = (store.url, plan_id)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is None:
        record, document = store.load_plan(plan_id)
        _, pdoc = store.load_portfolio(
            record.portfolio_name, record.portfolio_version, account=record.account
        )
        portfolio = parse_portfolio(pdoc, f"portfolio {record.portfolio_name}")
        plan = plan_from_document(document, portfolio, f"plan {plan_id}")
        hit = (portfolio, plan, record.portfolio_name)
        with _LOCK:
            _CACHE[key] = hit
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return Loaded(view, hit[0], hit[1], hit[2])


def now_minute(portfolio: Portfolio, now: datetime | None = None) -> int:
    """The current minute of the horizon (its start when now lies outside it)."""
    minute = portfolio.horizon.to_minute(now or datetime.now(UTC))
    return minute if 0 <= minute < portfolio.horizon.minutes else 0


# -- the board ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardPlant:
    """One plant on the board, at ``now``."""

    id: str
    name: str
    state: str  # grid, generator, stopped, idle
    why: str  # grid_off, no_fuel, no_work, ""
    diesel_days: float | None
    value_at_risk: float
    next_tanker: str | None
    next_tanker_litres: float
    next_outage: str | None
    next_outage_end: str | None


@dataclass(frozen=True)
class BoardPortfolio:
    """A portfolio on the board with the plan shown for it."""

    id: int
    name: str
    plan_id: int | None
    plan_version: int | None
    plan_state: str
    value: float
    bound: float | None
    currency: str
    zone: str
    as_of: str
    plants: tuple[BoardPlant, ...]


def latest_plan(store: Store, principal: Principal, portfolio_id: int) -> PlanView | None:
    """The newest plan of a portfolio the principal may see (published for scoped roles)."""
    found = plans_of(store, principal, portfolio_id)
    return found[-1] if found else None


def board(store: Store, principal: Principal, now: datetime | None = None) -> list[BoardPortfolio]:
    """Every portfolio in scope with every plant in scope, as of ``now``."""
    out: list[BoardPortfolio] = []
    for pv in portfolios(store, principal):
        latest = latest_plan(store, principal, pv.id)
        if latest is None:
            out.append(BoardPortfolio(pv.id, pv.name, None, None, "", 0.0, None, "", "", "", ()))
            continue
        loaded = load(store, principal, latest.plan.id)
        at = now_minute(loaded.portfolio, now)
        rows = tuple(board_plant(loaded, pid, at) for pid in loaded.plants())
        seen = {r.id for r in rows}
        outs = loaded.plan.outcomes
        value = sum(o.value for o in outs if _order_plant(loaded, o.order_id) in seen)
        full = loaded.view.plants is None
        out.append(
            BoardPortfolio(
                pv.id,
                pv.name,
                latest.plan.id,
                latest.plan.version,
                latest.state,
                loaded.plan.value if full else value,
                loaded.plan.bound if full else None,
                loaded.portfolio.currency,
                loaded.portfolio.horizon.timezone,
                loaded.local(at),
                rows,
            )
        )
    return out


def _order_plant(loaded: Loaded, order_id: str) -> str:
    p = loaded.portfolio
    return p.product_plant(p.order(order_id).product_id).id


def board_plant(loaded: Loaded, plant_id: str, at: int) -> BoardPlant:
    p, plan = loaded.portfolio, loaded.plan
    plant = p.plant(plant_id)
    lines = {ln.id for ln in plant.lines}
    off = p.grid_off(plant_id)
    grid_off = any(w.start <= at < w.end for w in off)
    running = [op for op in plan.operations if op.line_id in lines and op.start <= at < op.end]
    levels = tank_levels(p, plan, plant_id)
    level_now = level_at(levels, at)
    if running:
        state = "generator" if grid_off or any(op.source != "grid" for op in running) else "grid"
        why = ""
    else:
        state = "stopped" if grid_off else "idle"
        reserve = plant.tank.reserve_l if plant.tank is not None else 0.0
        if grid_off and plant.tank is not None and level_now <= reserve + 1.0:
            why = "no_fuel"
        elif grid_off:
            why = "grid_off"
        else:
            why = "no_work"
    burn = sum(
        p.generator(r.generator_id).litres(r.output_kw, r.end - r.start)
        for r in plan.generator_runs
        if p.generator(r.generator_id).plant_id == plant_id
    )
    days = p.horizon.minutes / 1440
    diesel_days = None
    if plant.tank is not None and burn > 0:
        diesel_days = max(0.0, level_now - plant.tank.reserve_l) / (burn / days)
    at_risk = 0.0
    for o in plan.outcomes:
        order = p.order(o.order_id)
        if p.product_plant(order.product_id).id == plant_id:
            at_risk += max(0.0, order.value - o.value)
    depots = {d.id for d in p.depots}  # a tanker to the plant itself or to a depot
    arrivals = sorted(
        (d.expected, d.litres)
        for d in p.deliveries
        if d.expected >= at and (d.destination == plant_id or d.destination in depots)
    )
    nxt = next((w for w in off if w.end > at), None)
    return BoardPlant(
        plant_id,
        plant.name,
        state,
        why,
        diesel_days,
        at_risk,
        loaded.local(arrivals[0][0]) if arrivals else None,
        arrivals[0][1] if arrivals else 0.0,
        loaded.local(nxt.start) if nxt else None,
        loaded.local(nxt.end) if nxt else None,
    )


def tank_levels(portfolio: Portfolio, plan: Plan, plant_id: str) -> list[tuple[int, float]]:
    """The plant's tank level at each event (minute, litres): burn is linear within runs."""
    plant = portfolio.plant(plant_id)
    if plant.tank is None:
        return []
    rate: dict[int, float] = {}
    jumps: dict[int, float] = {}
    for r in plan.generator_runs:
        g = portfolio.generator(r.generator_id)
        if g.plant_id == plant_id and r.end > r.start:
            per_min = g.litres_per_hour(r.output_kw) / 60
            rate[r.start] = rate.get(r.start, 0.0) + per_min
            rate[r.end] = rate.get(r.end, 0.0) - per_min
    for tr in plan.fuel_transfers:
        if tr.plant_id == plant_id:
            jumps[tr.at] = jumps.get(tr.at, 0.0) + tr.litres
    for d in portfolio.deliveries_to(plant_id):
        jumps[d.expected] = jumps.get(d.expected, 0.0) + d.litres
    times = sorted({0, portfolio.horizon.minutes, *rate, *jumps})
    level, burn, last = plant.tank.stock_l, 0.0, 0
    out: list[tuple[int, float]] = []
    for t in times:
        level -= burn * (t - last)
        out.append((t, level))
        if t in jumps:
            level += jumps[t]
            out.append((t, level))
        burn += rate.get(t, 0.0)
        last = t
    return out


def level_at(levels: list[tuple[int, float]], at: int) -> float:
    if not levels:
        return 0.0
    before = [lv for lv in levels if lv[0] <= at]
    after = [lv for lv in levels if lv[0] > at]
    if not before:
        return levels[0][1]
    (t0, l0), (t1, l1) = before[-1], (after[0] if after else before[-1])
    return l0 if t1 == t0 else l0 + (l1 - l0) * (at - t0) / (t1 - t0)


# -- the plant page -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlantPage:
    """The data of a plant's Gantt: items, groups, outage bands, tank level, deliveries."""

    plan_id: int
    plan_version: int
    plan_state: str
    portfolio_id: int
    plant_id: str
    plant_name: str
    zone: str
    start: str
    end: str
    groups: list[dict[str, str]]
    items: list[dict[str, Any]]
    tank: list[dict[str, Any]]
    deliveries: list[dict[str, Any]]
    generators: list[dict[str, Any]]


def plant_page(store: Store, principal: Principal, plan_id: int, plant_id: str) -> PlantPage:
    """The Gantt data of one plant of a plan (not found outside the principal's plants)."""
    loaded = load(store, principal, plan_id)
    if plant_id not in loaded.plants():
        raise IngenioError(
            said(
                N_("no plant %(plant_id)s in plan %(plan_id)s"),
                plant_id=repr(plant_id),
                plan_id=plan_id,
            ),
            kind="not_found",
        )
    v = loaded.view
    metered = metered_bands(store, v.plan.account, loaded.portfolio, plant_id)
    return page_of(
        loaded.portfolio,
        loaded.plan,
        plant_id,
        plan_id,
        v.plan.version,
        v.state,
        v.portfolio_id,
        metered,
    )


METERED_SOURCE = "telemetry"
"""The source of the downtime the ingester records for a metered grid loss."""


def metered_bands(
    store: Store, account: str, p: Portfolio, plant_id: str
) -> list[tuple[datetime, datetime]]:
    """The plant's metered grid losses within the horizon: the ``grid_outage`` downtime
    the ingester recorded for its lines, merged across lines (one band per loss)."""
    lines = [ln.id for ln in p.plant(plant_id).lines]
    h = p.horizon
    events = store.list_downtime(
        lines,
        h.to_datetime(0),
        h.to_datetime(h.minutes),
        causes="grid_outage",
        account=account,
        sources=METERED_SOURCE,
    )
    bands: list[tuple[datetime, datetime]] = []
    for e in sorted(events, key=lambda e: e.start):
        if bands and e.start <= bands[-1][1]:
            bands[-1] = (bands[-1][0], max(bands[-1][1], e.end))
        else:
            bands.append((e.start, e.end))
    return bands


def page_of(
    p: Portfolio,
    plan: Plan,
    plant_id: str,
    plan_id: int,
    version: int,
    state: str,
    portfolio_id: int,
    metered: Sequence[tuple[datetime, datetime]] = (),
) -> PlantPage:
    """The Gantt data of one plant of ``plan`` (the caller checked the scope); ``metered``
    are its metered grid losses (:func:`metered_bands`), drawn as a third kind of band."""

    def local(minute: int) -> str:
        return p.horizon.to_datetime(minute).replace(tzinfo=None).isoformat()

    def wall(moment: datetime) -> str:  # a metered moment as the plant's wall-clock time
        return moment.astimezone(p.horizon.zone).replace(tzinfo=None).isoformat()

    plant = p.plant(plant_id)
    lines = {ln.id for ln in plant.lines}
    items: list[dict[str, Any]] = []
    for i, op in enumerate(plan.operations):
        if op.line_id not in lines:
            continue
        items.append(
            {
                "id": f"op{i}",
                "group": op.line_id,
                "content": f"{op.order_id}/{op.step}",
                "start": local(op.start),
                "end": local(op.end),
                "className": f"src-{op.source}",
                "order": op.order_id,
                "step": op.step,
                "source": str(op.source),
                "quantity": op.quantity,
            }
        )
    block = p.block(plant.block_id)
    for j, ow in enumerate(block.outages):
        kind = "announced" if ow.probability >= 0.999 else "probable"
        items.append(
            {
                "id": f"off{j}",
                "start": local(ow.window.start),
                "end": local(ow.window.end),
                "type": "background",
                "className": f"off-{kind}",
                "content": "",
            }
        )
    for k, (start, end) in enumerate(metered):
        items.append(
            {
                "id": f"met{k}",
                "start": wall(start),
                "end": wall(end),
                "type": "background",
                "className": "off-metered",
                "content": "",
            }
        )
    tank = [{"x": local(t), "y": round(v, 1)} for t, v in tank_levels(p, plan, plant_id)]
    by_day: dict[str, float] = {}  # trucked from depots, summed per local day
    for t in plan.fuel_transfers:
        if t.plant_id == plant_id:
            day = local(t.at)[:10]
            by_day[day] = by_day.get(day, 0.0) + t.litres
    deliveries = [{"at": f"{d}T00:00:00", "litres": v, "kind": "depot"} for d, v in by_day.items()]
    deliveries += [
        {"at": local(d.expected), "litres": d.litres, "kind": "tanker"}
        for d in p.deliveries_to(plant_id)
    ]
    return PlantPage(
        plan_id,
        version,
        state,
        portfolio_id,
        plant_id,
        plant.name,
        p.horizon.timezone,
        local(0),
        local(p.horizon.minutes),
        [{"id": ln.id, "content": ln.name} for ln in plant.lines],
        items,
        tank,
        sorted(deliveries, key=lambda d: str(d["at"])),
        [{"id": g.id, "rated_kw": g.rated_kw} for g in plant.generators],
    )


# -- orders ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderRow:
    """An order that is late or unscheduled, with its binding reason."""

    order_id: str
    plant_id: str
    status: str
    due: str
    completion: str | None
    lateness_hours: float
    value: float
    full_value: float
    reason: str
    said: Said | None = None
    """``reason`` as a sentence, for the page to say in its language."""


def orders_view(store: Store, principal: Principal, plan_id: int) -> list[OrderRow]:
    """The late and unscheduled orders of the plants the principal sees, latest first."""
    loaded = load(store, principal, plan_id)
    seen = set(loaded.plants())
    p = loaded.portfolio
    rows: list[OrderRow] = []
    for o in loaded.plan.outcomes:
        if o.status == "on_time":
            continue
        order = p.order(o.order_id)
        plant = p.product_plant(order.product_id).id
        if plant not in seen:
            continue
        rows.append(
            OrderRow(
                o.order_id,
                plant,
                str(o.status),
                loaded.local(order.due),
                loaded.local(o.completion) if o.completion is not None else None,
                o.lateness_minutes / 60,
                o.value,
                order.value,
                o.reason,
                o.said,
            )
        )
    return sorted(rows, key=lambda r: (r.status != "unscheduled", -r.lateness_hours, r.order_id))
