"""What the phone forms record (downtime, production, fuel) and acknowledgements.

Every record goes through :func:`ingenio.services.scoped_actuals.record_actuals`:
it is stored in the management account of the portfolio it belongs to (migration
0004), only for a line, generator or tank of a plant in the principal's scope (a
plant manager: its own plants; a planner: the plants of its account), else *not
found* and nothing is stored. Owners and auditors record nothing (*forbidden*).

A form names what it records as ``<portfolio id>:<id>`` (the same line id may exist
in two portfolios of one account); a bare id means the first of the principal's
plants that has it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from ingenio.domain import DomainError
from ingenio.errors import N_, IngenioError, said
from ingenio.operations.actuals import (
    ActualsBatch,
    DowntimeCause,
    DowntimeEvent,
    FuelDraw,
    FuelReceipt,
    ProductionRecord,
)
from ingenio.services.acknowledge import acknowledge_plan
from ingenio.services.auth import AccessDenied, Principal
from ingenio.services.scoped_actuals import RecordedActuals, actuals_scope, record_actuals
from ingenio.services.tenancy import portfolios
from ingenio.store.repository import Store

__all__ = [
    "CAUSES",
    "MAX_LITRES",
    "MAX_UNITS",
    "PlantLines",
    "acknowledge",
    "record_downtime",
    "record_fuel",
    "record_production",
    "require_actuals",
    "writable_lines",
]

CAUSES = tuple(c.value for c in DowntimeCause)
"""The downtime causes, as the drop-down offers them."""

MAX_UNITS = 10_000_000.0
"""The most units one production record from a form may carry."""

MAX_LITRES = 1_000_000.0
"""The most litres one fuel record from a form may carry."""

T = TypeVar("T")


@dataclass(frozen=True)
class PlantLines:
    """A plant the principal may record actuals for: lines, generators, products, orders."""

    portfolio_id: int
    plant_id: str
    plant_name: str
    zone: str
    lines: tuple[tuple[str, str], ...]
    generators: tuple[tuple[str, str], ...] = ()
    products: tuple[tuple[str, str], ...] = ()
    orders: tuple[str, ...] = ()
    tank: bool = False

    def ref(self, ident: str) -> str:
        """The form value naming ``ident`` (a line, generator or the plant) of this plant."""
        return f"{self.portfolio_id}:{ident}"


def require_actuals(principal: Principal) -> None:
    """Raise ``forbidden`` unless the principal's role records actuals."""
    if not principal.can("actuals.write"):
        raise AccessDenied(
            said(N_("the role %(role)s records no actuals"), role=principal.role), "forbidden"
        )


def writable_lines(store: Store, principal: Principal) -> list[PlantLines]:
    """The plants (and their lines, generators, products) the principal records for."""
    if not principal.can("actuals.write"):
        return []
    out = []
    for view in portfolios(store, principal):
        scope = actuals_scope(store, principal, view.id)
        p = scope.portfolio
        for plant in p.plants:
            if plant.id not in scope.plants:
                continue
            products = [x for x in p.products if p.product_plant(x.id).id == plant.id]
            made = {x.id for x in products}
            out.append(
                PlantLines(
                    view.id,
                    plant.id,
                    plant.name,
                    p.horizon.timezone,
                    tuple((ln.id, ln.name) for ln in plant.lines),
                    tuple((g.id, g.id) for g in plant.generators),
                    tuple((x.id, x.name) for x in products),
                    tuple(o.id for o in p.orders if o.product_id in made),
                    plant.tank is not None,
                )
            )
    return out


def _find(
    store: Store, principal: Principal, ref: str, has: Callable[[PlantLines, str], bool]
) -> tuple[PlantLines, str]:
    """The plant of the principal's that has the thing ``ref`` names, and its id."""
    require_actuals(principal)
    head, _, tail = ref.partition(":")
    pid, ident = (int(head), tail) if tail and head.isdigit() else (None, ref)
    for pl in writable_lines(store, principal):
        if (pid is None or pl.portfolio_id == pid) and has(pl, ident):
            return pl, ident
    raise IngenioError(
        said(N_("no %(name)s among your plants"), name=repr(ident[:60])), kind="not_found"
    )


def _local(moment: datetime, zone: str) -> datetime:
    from zoneinfo import ZoneInfo

    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


def _make(build: Callable[[], T]) -> T:
    """A record built from form values; its domain issues become ``invalid``."""
    try:
        return build()
    except DomainError as exc:
        text = "; ".join(f"{i.path}: {i.message}" for i in exc.issues[:5])
        raise IngenioError(text or str(exc), kind="invalid") from None


def record_downtime(
    store: Store,
    principal: Principal,
    line_ref: str,
    cause: str,
    start: datetime,
    end: datetime,
    note: str,
) -> RecordedActuals:
    """Record that a line stood still over ``[start, end)`` (plant-local when naive).

    Raises
    ------
    AccessDenied
        ``forbidden`` for a role that records no actuals.
    IngenioError
        ``not_found`` for a line outside the principal's plants; ``invalid`` for a bad
        cause or interval.
    """
    pl, line = _find(store, principal, line_ref, lambda p, i: i in dict(p.lines))
    if cause not in CAUSES:
        raise IngenioError(
            said(N_("cause must be one of %(choices)s"), choices=", ".join(CAUSES)), kind="invalid"
        )
    start, end = _local(start, pl.zone), _local(end, pl.zone)
    if end <= start:
        raise IngenioError(N_("the end must be after the start"), kind="invalid")
    event = _make(lambda: DowntimeEvent(line, DowntimeCause(cause), start, end, note[:500]))
    return record_actuals(store, principal, pl.portfolio_id, ActualsBatch(downtime=(event,)))


def record_production(
    store: Store,
    principal: Principal,
    line_ref: str,
    product_id: str,
    order_id: str,
    good: float,
    scrap: float,
    start: datetime,
    end: datetime,
) -> RecordedActuals:
    """Record the good and scrapped units a line made over ``[start, end)``.

    Raises
    ------
    IngenioError
        ``not_found`` for a line outside the principal's plants; ``invalid`` for a
        product not made at its plant, a bad count or interval; ``conflict`` for
        production overlapping what is stored for the line.
    """
    pl, line = _find(store, principal, line_ref, lambda p, i: i in dict(p.lines))
    if product_id not in dict(pl.products):
        raise IngenioError(
            said(
                N_("no product %(product_id)s made at this plant"), product_id=repr(product_id[:60])
            ),
            kind="invalid",
        )
    if order_id and order_id not in pl.orders:
        raise IngenioError(
            said(N_("no order %(order_id)s of this plant"), order_id=repr(order_id[:60])),
            kind="invalid",
        )
    if not (0 <= good <= MAX_UNITS and 0 <= scrap <= MAX_UNITS):
        raise IngenioError(
            said(N_("units must be 0 to %(limit)s"), limit=f"{MAX_UNITS:,.0f}"),
            kind="invalid",
        )
    start, end = _local(start, pl.zone), _local(end, pl.zone)
    if end <= start:
        raise IngenioError(N_("the end must be after the start"), kind="invalid")
    order = order_id or None
    record = _make(lambda: ProductionRecord(line, product_id, order, good, scrap, start, end))
    return record_actuals(store, principal, pl.portfolio_id, ActualsBatch(production=(record,)))


def record_fuel(
    store: Store,
    principal: Principal,
    kind: str,
    ref: str,
    litres: float,
    at: datetime,
    note: str = "",
) -> RecordedActuals:
    """Record diesel received into a plant's tank (``receipt``, ``ref`` names the plant)
    or drawn by a generator (``draw``, ``ref`` names the generator).

    Raises
    ------
    IngenioError
        ``not_found`` for a plant or generator outside the principal's plants;
        ``invalid`` for a bad kind or quantity.
    """
    if not 0 < litres <= MAX_LITRES:
        raise IngenioError(
            said(
                N_("litres must be above 0 and at most %(limit)s"),
                limit=f"{MAX_LITRES:,.0f}",
            ),
            kind="invalid",
        )
    if kind == "receipt":
        pl, site = _find(store, principal, ref, lambda p, i: p.tank and i == p.plant_id)
        at = _local(at, pl.zone)
        receipt = _make(lambda: FuelReceipt(site, litres, at, note[:500]))
        batch = ActualsBatch(fuel_receipts=(receipt,))
    elif kind == "draw":
        pl, gen = _find(store, principal, ref, lambda p, i: i in dict(p.generators))
        at = _local(at, pl.zone)
        draw = _make(lambda: FuelDraw(gen, litres, at))
        batch = ActualsBatch(fuel_draws=(draw,))
    else:
        raise IngenioError(N_("kind must be receipt or draw"), kind="invalid")
    return record_actuals(store, principal, pl.portfolio_id, batch)


def acknowledge(store: Store, principal: Principal, plan_id: int) -> None:
    """A plant manager acknowledges the published plan of its plants (audited).

    Raises
    ------
    AccessDenied
        ``forbidden`` for any other role.
    IngenioError
        ``conflict`` for a plan that is not published.
    """
    acknowledge_plan(store, principal, plan_id)
