"""Convert between the validated file models and the domain objects, both ways."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ingenio.domain import (
    ALWAYS,
    MINUTES_PER_HOUR,
    N_,
    WEEKDAYS,
    Block,
    Depot,
    Enterprise,
    FuelDelivery,
    FuelTank,
    Generator,
    Horizon,
    Issue,
    Line,
    Order,
    OutageWindow,
    Plant,
    Portfolio,
    PriorityClass,
    Product,
    Resource,
    ShiftPattern,
    Solar,
    Step,
    Window,
    expand_shifts,
    said,
)
from ingenio.formats.portfolio.battery import battery_document, battery_of
from ingenio.formats.portfolio.schema import FORMAT_VERSION, LineDoc, PlantDoc, PortfolioDoc
from ingenio.formats.portfolio.stages import load_shedding_document, load_shedding_of


def local_text(horizon: Horizon, minute: int) -> str:
    """Local wall-clock ``YYYY-MM-DDTHH:MM`` of ``minute``.

    The UTC offset is appended (``2026-11-01T00:30-05:00``) only when the wall
    clock alone would be read back as another minute: the second pass through
    an hour repeated when daylight-saving time ends.
    """
    moment = horizon.to_datetime(minute)
    wall = moment.replace(tzinfo=None, fold=0)  # as a reader of the text would take it
    if horizon.to_minute(wall) == minute:
        return wall.isoformat(timespec="minutes")
    return moment.isoformat(timespec="minutes")


def number(value: float) -> float | int:
    """``value`` as an int when it is a whole number (``120`` rather than ``120.0``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _clock_minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * MINUTES_PER_HOUR + int(minutes)


def _clock_text(minute: int) -> str:
    return f"{minute // MINUTES_PER_HOUR:02d}:{minute % MINUTES_PER_HOUR:02d}"


def build_portfolio(doc: PortfolioDoc) -> Portfolio:
    """Domain objects from a document that passed every check.

    Raises
    ------
    ValueError
        If a domain constructor refuses a value (the checks should make this impossible).
    """
    zone = ZoneInfo(doc.timezone)

    def aware(moment: datetime) -> datetime:
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)

    horizon = Horizon(aware(doc.start), doc.days, doc.slot_minutes, doc.timezone)

    def at(moment: datetime) -> int:
        return horizon.to_minute(aware(moment))

    blocks = tuple(
        Block(
            b.id,
            b.name,
            tuple(OutageWindow(Window(at(o.start), at(o.end)), o.probability) for o in b.outages),
            None if b.load_shedding is None else load_shedding_of(b.load_shedding, at),
        )
        for b in doc.blocks
    )
    plants = tuple(_plant(p, horizon, at) for p in doc.plants)
    products = tuple(
        Product(
            p.id,
            p.name,
            p.family,
            tuple(
                Step(
                    s.name,
                    tuple(s.lines),
                    s.rate_per_hour,
                    s.power_kw,
                    s.setup_minutes,
                    s.interruptible,
                    s.restart_minutes,
                    dict(s.resources),
                )
                for s in p.routing
            ),
        )
        for p in doc.products
    )
    orders = tuple(
        Order(
            o.id,
            o.product,
            o.quantity,
            at(o.release),
            at(o.due),
            o.value_per_unit,
            PriorityClass(o.priority),
            tuple(o.after),
            o.transfer_minutes,
        )
        for o in doc.orders
    )
    deliveries = tuple(
        FuelDelivery(
            d.id,
            d.litres,
            at(d.expected),
            at(d.earliest or d.expected),
            at(d.latest or d.expected),
            d.destination,
        )
        for d in doc.deliveries
    )
    return Portfolio(
        name=doc.name,
        horizon=horizon,
        enterprises=tuple(Enterprise(e.id, e.name) for e in doc.enterprises),
        plants=plants,
        blocks=blocks,
        products=products,
        orders=orders,
        depots=tuple(Depot(d.id, d.name, d.stock_l) for d in doc.depots),
        deliveries=deliveries,
        late_decay_per_day=doc.late_decay_per_day,
        currency=doc.currency,
    )


def _patterns(line: LineDoc) -> tuple[ShiftPattern, ...]:
    if line.shifts is None:
        return (ALWAYS,)
    return tuple(
        ShiftPattern(
            frozenset(WEEKDAYS.index(d) for d in s.days),
            _clock_minutes(s.start),
            _clock_minutes(s.end),
        )
        for s in line.shifts
    )


def _plant(doc: PlantDoc, horizon: Horizon, at: Callable[[datetime], int]) -> Plant:
    lines = []
    for ln in doc.lines:
        patterns = _patterns(ln)
        lines.append(Line(ln.id, ln.name, doc.id, expand_shifts(patterns, horizon), patterns))
    return Plant(
        id=doc.id,
        name=doc.name,
        enterprise_id=doc.enterprise,
        block_id=doc.block,
        grid_kw=doc.grid_kw,
        lines=tuple(lines),
        resources=tuple(
            Resource(
                r.id,
                r.name,
                doc.id,
                r.capacity,
                tuple((at(c.at), c.capacity) for c in r.changes),
            )
            for r in doc.resources
        ),
        generators=tuple(
            Generator(
                g.id,
                g.name,
                doc.id,
                g.rated_kw,
                g.min_load_fraction,
                g.fuel_a,
                g.fuel_b,
                g.start_litres,
                g.start_minutes,
                g.min_run_minutes,
            )
            for g in doc.generators
        ),
        tank=None
        if doc.tank is None
        else FuelTank(doc.tank.capacity_l, doc.tank.stock_l, doc.tank.reserve_l),
        solar=None
        if doc.solar is None
        else Solar(tuple(doc.solar.profile_kw), doc.solar.islanding),
        batteries=tuple(battery_of(b, doc.id) for b in doc.batteries),
    )


def _shift_docs(
    line: Line, horizon: Horizon, path: str
) -> tuple[list[dict[str, Any]], list[Issue]]:
    patterns = line.pattern or (ALWAYS,)
    if expand_shifts(patterns, horizon) != line.shifts:
        why = N_("no weekly pattern") if not line.pattern else N_("a weekly pattern")
        msg = said(
            N_(
                "shift windows differ from what %(why)s gives over the horizon; "
                "the file format stores weekly shift patterns only"
            ),
            why=said(why),
        )
        return [], [Issue.of(path, msg)]
    docs = [
        {
            "days": [WEEKDAYS[d] for d in sorted(p.weekdays)],
            "start": _clock_text(p.start),
            "end": _clock_text(p.end),
        }
        for p in patterns
    ]
    return docs, []


def document_of(p: Portfolio) -> tuple[dict[str, Any], list[Issue]]:
    """The file document of ``p``, and the issues that keep it from being exact."""
    h = p.horizon
    issues: list[Issue] = []

    def t(minute: int) -> str:
        return local_text(h, minute)

    plants: list[dict[str, Any]] = []
    for i, plant in enumerate(p.plants):
        lines = []
        for j, line in enumerate(plant.lines):
            shifts, problems = _shift_docs(line, h, f"plants[{i}].lines[{j}].shifts")
            issues.extend(problems)
            lines.append({"id": line.id, "name": line.name, "shifts": shifts})
        doc: dict[str, Any] = {
            "id": plant.id,
            "name": plant.name,
            "enterprise": plant.enterprise_id,
            "block": plant.block_id,
            "grid_kw": number(plant.grid_kw),
            "lines": lines,
            "resources": [
                {
                    "id": r.id,
                    "name": r.name,
                    "capacity": r.capacity,
                    "changes": [{"at": t(m), "capacity": c} for m, c in r.changes],
                }
                for r in plant.resources
            ],
            "generators": [
                {
                    "id": g.id,
                    "name": g.name,
                    "rated_kw": number(g.rated_kw),
                    "min_load_fraction": number(g.min_load_fraction),
                    "fuel_a": number(g.fuel_a),
                    "fuel_b": number(g.fuel_b),
                    **({"start_litres": number(g.start_litres)} if g.start_litres else {}),
                    **({"start_minutes": g.start_minutes} if g.start_minutes else {}),
                    **({"min_run_minutes": g.min_run_minutes} if g.min_run_minutes else {}),
                }
                for g in plant.generators
            ],
        }
        if plant.tank is not None:
            tank = plant.tank
            doc["tank"] = {
                "capacity_l": number(tank.capacity_l),
                "stock_l": number(tank.stock_l),
                "reserve_l": number(tank.reserve_l),
            }
        if plant.solar is not None:
            doc["solar"] = {
                "profile_kw": [number(v) for v in plant.solar.profile_kw],
                "islanding": plant.solar.islanding,
            }
        if plant.batteries:
            doc["batteries"] = [battery_document(b, number) for b in plant.batteries]
        plants.append(doc)
    document: dict[str, Any] = {
        "ingenio": FORMAT_VERSION,
        "name": p.name,
        "timezone": h.timezone,
        "start": t(0),
        "days": h.days,
        "slot_minutes": h.slot_minutes,
        "currency": p.currency,
        "late_decay_per_day": number(p.late_decay_per_day),
        "enterprises": [{"id": e.id, "name": e.name} for e in p.enterprises],
        "blocks": [
            {
                "id": b.id,
                "name": b.name,
                "outages": [
                    {
                        "start": t(o.window.start),
                        "end": t(o.window.end),
                        "probability": number(o.probability),
                    }
                    for o in b.outages
                ],
                **(
                    {}
                    if b.load_shedding is None
                    else {"load_shedding": load_shedding_document(b.load_shedding, h)}
                ),
            }
            for b in p.blocks
        ],
        "plants": plants,
        "products": [
            {
                "id": pr.id,
                "name": pr.name,
                "family": pr.family,
                "routing": [
                    {
                        "name": s.name,
                        "lines": list(s.lines),
                        "rate_per_hour": number(s.rate_per_hour),
                        "power_kw": number(s.power_kw),
                        "setup_minutes": s.setup_minutes,
                        "interruptible": s.interruptible,
                        "restart_minutes": s.restart_minutes,
                        "resources": dict(s.resources),
                    }
                    for s in pr.routing
                ],
            }
            for pr in p.products
        ],
        "orders": [
            {
                "id": o.id,
                "product": o.product_id,
                "quantity": number(o.quantity),
                "release": t(o.release),
                "due": t(o.due),
                "value_per_unit": number(o.value_per_unit),
                "priority": o.priority.value,
                **({"after": list(o.predecessors)} if o.predecessors else {}),
                **({"transfer_minutes": o.transfer_minutes} if o.transfer_minutes else {}),
            }
            for o in p.orders
        ],
        "depots": [{"id": d.id, "name": d.name, "stock_l": number(d.stock_l)} for d in p.depots],
        "deliveries": [
            {
                "id": d.id,
                "litres": number(d.litres),
                "expected": t(d.expected),
                "earliest": t(d.earliest),
                "latest": t(d.latest),
                "destination": d.destination,
            }
            for d in p.deliveries
        ],
    }
    return document, issues
