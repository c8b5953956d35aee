"""Actuals and KPIs as each principal may see and write them (the server's use cases).

Actuals belong to the management account that manages the portfolio (migration
0004). A principal reaches them through a portfolio it may see
(:func:`ingenio.services.tenancy.find_portfolio`), and only for the plants it sees
there: every plant for the management account's planners, admins and auditors;
its own plants for a plant manager; the plants of its enterprises for an owner.

* Writing needs ``actuals.write`` (planners, plant managers); every record must name a
  line, generator or tank of a plant in scope, else the whole call is *not found* (a
  plant manager cannot tell another plant's line from a missing one) and nothing is
  stored.
* Reading (records, KPIs) needs ``actuals.read``; records of plants out of scope are
  never listed, and KPIs are only computed for a plant or enterprise in scope.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ingenio.domain import DomainError, Issue, Portfolio
from ingenio.errors import N_, IngenioError, Said, said
from ingenio.formats.portfolio import parse_portfolio
from ingenio.limits import MAX_PERIOD_DAYS
from ingenio.operations.actuals import ActualsBatch
from ingenio.operations.actuals_checks import production_overlaps, unknown_references
from ingenio.operations.kpi import Granularity, KpiReport
from ingenio.services.auth import Principal
from ingenio.services.kpi import load_kpis
from ingenio.services.tenancy import PortfolioView, find_portfolio
from ingenio.store.repository import Store

__all__ = [
    "ActualsScope",
    "RecordedActuals",
    "actuals_scope",
    "import_sheet",
    "list_actuals",
    "record_actuals",
    "scoped_kpis",
]

MAX_SHEET_BODY_BYTES = 20_000_000
"""The largest actuals sheet accepted in one request."""

MAX_LIST_DAYS = 92
"""The longest period one listing of records may cover."""

MAX_KPI_DAYS = 366
"""The longest period of one KPI request (a year: the owner's reports are monthly)."""

SHEET_TYPES = {
    "text/csv": ".csv",
    "application/csv": ".csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
"""Content types of an actuals sheet, and the suffix the reader needs."""


@dataclass(frozen=True)
class ActualsScope:
    """What a principal may reach in one portfolio: its plants, lines, generators, tanks."""

    view: PortfolioView
    portfolio: Portfolio
    plants: frozenset[str]
    lines: frozenset[str]
    generators: frozenset[str]
    sites: frozenset[str]
    """Plants and, for whole-portfolio roles, depots: where fuel may be received."""

    @property
    def whole(self) -> bool:
        """Whether the principal sees every plant of the portfolio."""
        return self.view.plants is None


@dataclass(frozen=True)
class RecordedActuals:
    """How many records of each kind were new, and warnings (unknown products, orders)."""

    new: dict[str, int]
    received: dict[str, int]
    warnings: tuple[str, ...] = ()


_PARSED: OrderedDict[str, Portfolio] = OrderedDict()
_PARSED_LOCK = threading.Lock()


def _portfolio(store: Store, view: PortfolioView) -> Portfolio:
    """The latest version of the portfolio, parsed once per checksum (documents never change)."""
    key = f"{store.instance}|{view.latest.checksum}"
    with _PARSED_LOCK:
        if key in _PARSED:
            _PARSED.move_to_end(key)
            return _PARSED[key]
    _, document = store.load_portfolio(view.name, view.latest.version, account=view.account)
    parsed = parse_portfolio(document, f"portfolio {view.name!r} v{view.latest.version}")
    with _PARSED_LOCK:
        _PARSED[key] = parsed
        while len(_PARSED) > 16:
            _PARSED.popitem(last=False)
    return parsed


def actuals_scope(store: Store, principal: Principal, portfolio_id: int) -> ActualsScope:
    """The plants, lines, generators and tanks of a portfolio the principal reaches.

    Raises
    ------
    IngenioError
        ``not_found`` when the portfolio is out of scope.
    """
    view = find_portfolio(store, principal, portfolio_id)
    portfolio = _portfolio(store, view)
    plants = [p for p in portfolio.plants if view.plants is None or p.id in view.plants]
    sites = {p.id for p in plants}
    if view.plants is None:
        sites |= {d.id for d in portfolio.depots}
    return ActualsScope(
        view,
        portfolio,
        frozenset(p.id for p in plants),
        frozenset(ln.id for p in plants for ln in p.lines),
        frozenset(g.id for p in plants for g in p.generators),
        frozenset(sites),
    )


def _out_of_scope(scope: ActualsScope, batch: ActualsBatch) -> list[Issue]:
    """Every record that names a line, generator or tank the principal does not reach."""
    where = "your plants" if not scope.whole else "this portfolio"
    issues: list[Issue] = []
    checks: list[tuple[str, list[str], frozenset[str], str]] = [
        ("production", [r.line_id for r in batch.production], scope.lines, "line"),
        ("downtime", [e.line_id for e in batch.downtime], scope.lines, "line"),
        ("fuel_receipts", [f.plant_or_depot_id for f in batch.fuel_receipts], scope.sites, "site"),
        ("fuel_draws", [f.generator_id for f in batch.fuel_draws], scope.generators, "generator"),
        ("meter_readings", [m.line_id for m in batch.meter_readings], scope.lines, "line"),
    ]
    for kind, ids, allowed, what in checks:
        for k, ident in enumerate(ids):
            if ident not in allowed:
                issues.append(Issue(f"{kind}[{k}].{what}", f"no {what} of {where}", ident))
    return issues


def _store_batch(
    store: Store, principal: Principal, scope: ActualsScope, batch: ActualsBatch, source: str
) -> RecordedActuals:
    principal.require("actuals.write")
    issues = _out_of_scope(scope, batch)
    if issues:
        where = said(N_("your plants")) if not scope.whole else said(N_("the portfolio"))
        raise IngenioError(
            said(
                N_("%(count)s record(s) outside %(where)s; nothing was stored"),
                count=len(issues),
                where=where,
            ),
            kind="not_found",
            issues=issues[:50],
        )
    account = scope.view.account
    if batch.production:
        lines = sorted({r.line_id for r in batch.production})
        since = min(r.start for r in batch.production)
        until = max(r.end for r in batch.production)
        stored = store.list_production(lines, since, until, account=account)
        overlaps = production_overlaps(batch.production, stored)
        if overlaps:
            first: Said | str = overlaps[0]
            if len(overlaps) > 1:
                first = said(N_("%(overlap)s (and %(n)s more)"), overlap=first, n=len(overlaps) - 1)
            raise IngenioError(
                said(N_("%(overlaps)s; nothing was stored"), overlaps=first),
                kind="conflict",
            )
    p = scope.portfolio
    known = {
        "line": set(scope.lines),
        "product": {x.id for x in p.products},
        "order": {o.id for o in p.orders},
    }
    warnings = tuple(unknown_references(batch, known))
    new = store.add_actuals(batch, source=source, actor=principal.name, account=account)
    return RecordedActuals(new, batch.counts(), warnings)


def record_actuals(
    store: Store, principal: Principal, portfolio_id: int, batch: ActualsBatch
) -> RecordedActuals:
    """Store what happened at the principal's plants (planners: any plant of the portfolio).

    Raises
    ------
    IngenioError
        ``not_found`` for a portfolio out of scope or a record of a plant out of scope,
        ``conflict`` for production that overlaps stored production of its line;
        nothing is stored then.
    AccessDenied
        ``forbidden`` for a role that may not record actuals.
    """
    scope = actuals_scope(store, principal, portfolio_id)
    return _store_batch(store, principal, scope, batch, "api")


def import_sheet(
    store: Store,
    principal: Principal,
    portfolio_id: int,
    body: bytes,
    content_type: str,
    timezone: str | None = None,
) -> RecordedActuals:
    """Import an actuals workbook (``.xlsx``) or one CSV file, as :func:`record_actuals`.

    Times without an offset are read in ``timezone``, else in the portfolio's zone.

    Raises
    ------
    IngenioError
        ``invalid`` with every problem of the sheet, or an unknown content type;
        as :func:`record_actuals` otherwise.
    """
    scope = actuals_scope(store, principal, portfolio_id)
    principal.require("actuals.write")
    suffix = SHEET_TYPES.get(content_type.split(";")[0].strip().lower())
    if suffix is None:
        known = ", ".join(SHEET_TYPES)
        raise IngenioError(
            said(N_("send the sheet as one of %(known)s"), known=known), kind="invalid"
        )
    if len(body) > MAX_SHEET_BODY_BYTES:
        raise IngenioError(
            said(
                N_("the sheet is larger than %(limit)s bytes"),
                limit=MAX_SHEET_BODY_BYTES,
            )
        )
    from ingenio.formats.actuals.sheet import read_actuals

    zone = timezone or scope.portfolio.horizon.timezone
    with tempfile.TemporaryDirectory(prefix="ingenio-sheet-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(body)
        try:
            batch = read_actuals(path, zone)
        except DomainError as exc:
            raise IngenioError(
                said(
                    N_("%(count)s error(s) in the sheet; nothing was stored"), count=len(exc.issues)
                ),
                kind="invalid",
                issues=exc.issues,
            ) from None
    if batch.empty:
        return RecordedActuals({}, {})
    return _store_batch(store, principal, scope, batch, f"api:{suffix.lstrip('.')}")


def _period(first: date, last: date, limit: int) -> int:
    days = (last - first).days + 1
    if days < 1:
        raise IngenioError(
            said(N_("from %(first)s is after to %(last)s"), first=str(first), last=str(last)),
            kind="invalid",
        )
    if days > limit:
        raise IngenioError(
            said(
                N_("from %(first)s to %(last)s is %(days)s days; the limit is %(limit)s"),
                first=str(first),
                last=str(last),
                days=f"{days:,}",
                limit=f"{limit:,}",
            )
        )
    return days


def list_actuals(
    store: Store, principal: Principal, portfolio_id: int, first: date, last: date
) -> ActualsBatch:
    """The records of the principal's plants from day ``first`` to ``last`` (the
    portfolio's zone), every kind."""
    scope = actuals_scope(store, principal, portfolio_id)
    principal.require("actuals.read")
    _period(first, last, MAX_LIST_DAYS)
    zone = scope.portfolio.horizon.zone
    since = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    until = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    account, lines = scope.view.account, sorted(scope.lines)
    return ActualsBatch(
        production=tuple(store.list_production(lines, since, until, account=account)),
        downtime=tuple(store.list_downtime(lines, since, until, account=account)),
        fuel_receipts=tuple(
            store.list_fuel_receipts(sorted(scope.sites), since, until, account=account)
        ),
        fuel_draws=tuple(
            store.list_fuel_draws(sorted(scope.generators), since, until, account=account)
        ),
        meter_readings=tuple(store.list_meter_readings(lines, since, until, account=account)),
    )


def scoped_kpis(
    store: Store,
    principal: Principal,
    portfolio_id: int,
    first: date,
    last: date,
    by: Granularity = "day",
    *,
    plant_id: str | None = None,
    enterprise_id: str | None = None,
) -> KpiReport:
    """The KPIs of a plant or an enterprise in scope, from day ``first`` to ``last``.

    Without a plant or an enterprise: the principal's one plant (a plant manager),
    its one enterprise (an owner), or the whole portfolio (management roles). A
    plant manager or an owner is compared with the first *published* plan for the
    horizon; the others with the baseline (``ingenio.services.kpi``).

    Raises
    ------
    IngenioError
        ``not_found`` for a plant or enterprise out of scope, ``invalid`` for a period
        longer than the limit or a scope left ambiguous.
    """
    scope = actuals_scope(store, principal, portfolio_id)
    principal.require("actuals.read")
    _period(first, last, min(MAX_KPI_DAYS, MAX_PERIOD_DAYS))
    p = scope.portfolio
    mine = [x for x in p.plants if x.id in scope.plants]
    enterprises = {x.enterprise_id for x in mine}
    if plant_id is not None and plant_id not in scope.plants:
        raise IngenioError(
            said(N_("no plant %(plant_id)s in scope"), plant_id=repr(plant_id)), kind="not_found"
        )
    if enterprise_id is not None:
        whole = {x.id for x in p.plants if x.enterprise_id == enterprise_id}
        if enterprise_id not in enterprises or not whole <= scope.plants:
            raise IngenioError(
                said(
                    N_("no enterprise %(enterprise_id)s in scope"),
                    enterprise_id=repr(enterprise_id),
                ),
                kind="not_found",
            )
    if plant_id is None and enterprise_id is None and not scope.whole:
        if len(mine) == 1:
            plant_id = mine[0].id
        else:
            owned = [
                e
                for e in sorted(enterprises)
                if {x.id for x in p.plants if x.enterprise_id == e} <= scope.plants
            ]
            if len(owned) != 1:
                raise IngenioError(N_("name a plant or an enterprise"), kind="invalid")
            enterprise_id = owned[0]
    among: list[int] | None = None
    if scope.view.plants is not None or not principal.can("plans.read_drafts"):
        plans = store.plans(scope.view.name, account=scope.view.account)
        states = store.plan_states([x.id for x in plans])
        among = [x.id for x in plans if states[x.id].state == "published"]
    zone = p.horizon.zone
    since = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    until = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    try:
        got = load_kpis(
            store, since, until, by, enterprise_id=enterprise_id, plant_id=plant_id,
            portfolio_name=scope.view.name, account=scope.view.account, plans_among=among,
        )  # fmt: skip
    except (LookupError, KeyError) as exc:
        raise IngenioError(str(exc).strip("'\""), kind="not_found") from None
    return got.report


def kpi_document(report: KpiReport) -> dict[str, Any]:
    """A KPI report as JSON-ready data: rows per line, plant and enterprise, orders, stops."""

    def tally(t: Any) -> dict[str, Any]:
        ratios = ("availability", "performance", "quality", "oee")
        per_unit = ("kwh_per_unit", "litres_per_unit")
        out = {name: getattr(t, name) for name in (*ratios, *per_unit)}
        out |= {k: v for k, v in vars(t).items() if isinstance(v, float | int)}
        out["losses_h"] = dict(t.losses_h)
        return out

    return {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "by": report.by,
        "rows": [
            {
                "level": r.level,
                "key": r.key,
                "name": r.name,
                "bucket": None if r.bucket is None else r.bucket.label,
                **tally(r.tally),
            }
            for r in report.rows
        ],
        "orders": [
            {
                "order": o.order_id,
                "product": o.product_id,
                "plant": o.plant_id,
                "quantity": o.quantity,
                "due": o.due.isoformat(),
                "planned_qty": o.planned_qty,
                "made_qty": o.made_qty,
                "made_to_date": o.made_to_date,
                "status": o.status,
                "adherence": o.adherence,
            }
            for o in report.orders
        ],
        "downtime": [
            {
                "line": d.line_id,
                "plant": d.plant_id,
                "cause": str(d.cause.value),
                "start": d.start.isoformat(),
                "end": d.end.isoformat(),
                "hours": d.hours,
                "note": d.note,
            }
            for d in report.downtime
        ],
        "notes": list(report.notes),
    }
