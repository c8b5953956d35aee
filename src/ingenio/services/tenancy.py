"""Portfolios, plans and the audit log as each principal may see them.

Every read and write here is filtered by the caller's scope, never by the edge:

* a **management** account sees the portfolios it manages, and their plans; a plant
  manager there sees only the *published* plans, cut to the plants it is bound to;
* an **owner** account sees the published plans of the portfolios where it owns
  enterprises, cut to the plants of those enterprises, and never a portfolio document;
* anything outside the scope is reported as *not found*, as if it did not exist.

A portfolio's REST id is the store id of its first version: stable across versions
and unique across accounts (two tenants may use the same portfolio name).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ingenio.domain import DomainError
from ingenio.errors import N_, IngenioError, said
from ingenio.formats.documents import JSON_SUFFIXES, YAML_SUFFIXES, parse_text
from ingenio.formats.portfolio import parse_portfolio, portfolio_to_document
from ingenio.services import scope_cache
from ingenio.services.auth import Principal
from ingenio.services.structure import Structure, cut_document, structure_of, version_structure
from ingenio.store.audit import AuditEntry
from ingenio.store.records import PlanVersion, PortfolioVersion
from ingenio.store.repository import Store

__all__ = [
    "PlanView",
    "PortfolioView",
    "Structure",
    "approve_plan",
    "audit_log",
    "create_portfolio",
    "cut_document",
    "find_portfolio",
    "plan_body",
    "plan_document",
    "plan_etag",
    "plans_of",
    "portfolios",
    "publish_plan",
    "structure_of",
]

MAX_BODY_BYTES = 5_000_000
"""The largest portfolio document accepted in one request."""


@dataclass(frozen=True)
class PortfolioView:
    """A portfolio as the principal sees it; ``plants`` None means every plant."""

    id: int
    account: str
    name: str
    latest: PortfolioVersion
    plants: frozenset[str] | None
    full: bool
    enterprises: tuple[str, ...]


@dataclass(frozen=True)
class PlanView:
    """A plan as the principal sees it, with its lifecycle state."""

    plan: PlanVersion
    portfolio_id: int
    state: str
    state_at: datetime | None
    plants: frozenset[str] | None


# -- which plants a principal sees in one portfolio version -----------------------------


def _visible_plants(
    store: Store, principal: Principal, version: PortfolioVersion, owned: set[str] | None = None
) -> frozenset[str] | None:
    """Plants the principal sees in ``version``: None for all, an empty set for none.

    ``owned`` are the enterprises the principal's owner account owns in this portfolio
    (looked up when not given).
    """
    if principal.kind == "management":
        if principal.account != version.account:
            return frozenset()
        if principal.role != "plant_manager":
            return None
        return frozenset(principal.user.plants) & set(
            version_structure(store, version).plant_enterprise
        )
    if owned is None:
        owned = {
            o.enterprise_id
            for o in store.enterprise_owners(account_id=version.account, owner=principal.account)
            if o.portfolio_name == version.name
        }
    if not owned:
        return frozenset()
    mapping = version_structure(store, version).plant_enterprise
    return frozenset(p for p, e in mapping.items() if e in owned)


def _restricted(principal: Principal, plants: frozenset[str] | None) -> bool:
    """Whether the principal sees only published plans (and cut documents)."""
    return plants is not None or not principal.can("plans.read_drafts")


# -- portfolios -------------------------------------------------------------------------


def _latest_versions(
    store: Store, account: str | None
) -> dict[tuple[str, str], tuple[int, PortfolioVersion]]:
    """``(account, name) -> (first version id, latest version)``."""
    out: dict[tuple[str, str], tuple[int, PortfolioVersion]] = {}
    for v in store.portfolio_versions(account=account):
        key = (v.account, v.name)
        first = out[key][0] if key in out else v.id
        out[key] = (min(first, v.id), v)
    return out


def portfolios(store: Store, principal: Principal) -> list[PortfolioView]:
    """The portfolios the principal may see, by name (kept a moment: ``scope_cache``)."""
    principal.require("plans.read")
    key = ("portfolios", *scope_cache.principal_key(principal))
    return list(scope_cache.scoped(store, key, lambda: _portfolios(store, principal)))


def _portfolios(store: Store, principal: Principal) -> list[PortfolioView]:
    views: list[PortfolioView] = []
    if principal.kind == "management":
        for (account, name), (first, latest) in _latest_versions(store, principal.account).items():
            view = _view(store, principal, first, account, name, latest)
            if view is not None:
                views.append(view)
    else:
        owned: dict[tuple[str, str], set[str]] = {}
        for o in store.enterprise_owners(owner=principal.account):
            owned.setdefault((o.account, o.portfolio_name), set()).add(o.enterprise_id)
        for account in sorted({a for a, _ in owned}):
            for (acc, name), (first, latest) in _latest_versions(store, account).items():
                if (acc, name) in owned:
                    view = _view(store, principal, first, acc, name, latest, owned[(acc, name)])
                    if view is not None:
                        views.append(view)
    return sorted(views, key=lambda v: (v.name, v.account))


def _view(
    store: Store,
    principal: Principal,
    first: int,
    account: str,
    name: str,
    latest: PortfolioVersion,
    owned: set[str] | None = None,
) -> PortfolioView | None:
    plants = _visible_plants(store, principal, latest, owned)
    if plants is not None and not plants:
        return None
    full = plants is None and principal.can("portfolios.read")
    if plants is None:
        enterprises = version_structure(store, latest).enterprises if full else ()
    else:
        mapping = version_structure(store, latest).plant_enterprise
        enterprises = tuple(sorted({mapping[p] for p in plants}))
    return PortfolioView(first, account, name, latest, plants, full, enterprises)


def find_portfolio(store: Store, principal: Principal, portfolio_id: int) -> PortfolioView:
    """The portfolio with this id, if the principal may see it.

    Raises
    ------
    IngenioError
        Kind ``not_found`` when there is none or it is out of the principal's scope.
    """
    for view in portfolios(store, principal):
        if view.id == portfolio_id:
            return view
    raise IngenioError(
        said(N_("no portfolio with id %(portfolio_id)s"), portfolio_id=portfolio_id),
        kind="not_found",
        code="portfolio_not_found",
    )


def portfolio_document(store: Store, principal: Principal, view: PortfolioView) -> dict[str, Any]:
    """The latest document of a portfolio the principal may read whole.

    Raises
    ------
    AccessDenied
        ``forbidden`` when the principal sees only part of it.
    """
    principal.require("portfolios.read")
    if not view.full:
        from ingenio.services.auth import AccessDenied

        raise AccessDenied(N_("this role sees only the plans of its own plants"), "forbidden")
    _, document = store.load_portfolio(view.name, view.latest.version, account=view.account)
    return document


def create_portfolio(
    store: Store, principal: Principal, body: bytes, content_type: str
) -> PortfolioView:
    """Check a portfolio document (YAML or JSON) and save it as a new version.

    Raises
    ------
    IngenioError
        Kind ``invalid`` with every issue (path, message, value) when the document is
        bad: nothing is stored then.
    """
    principal.require("portfolios.write")
    if len(body) > MAX_BODY_BYTES:
        raise IngenioError(
            said(
                N_("the document is larger than %(limit)s bytes"),
                limit=MAX_BODY_BYTES,
            ),
            kind="invalid",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise IngenioError(N_("the document is not UTF-8 text"), kind="invalid") from None
    suffix = JSON_SUFFIXES[0] if "json" in content_type.lower() else YAML_SUFFIXES[0]
    try:
        portfolio = parse_portfolio(parse_text(text, suffix, "request body"), "request body")
        document = portfolio_to_document(portfolio)
    except DomainError as exc:
        raise IngenioError(
            said(
                N_("%(count)s error(s) in the portfolio; nothing was stored"), count=len(exc.issues)
            ),
            kind="invalid",
            issues=exc.issues,
        ) from None
    saved = store.save_portfolio(
        portfolio.name, document, note="api", actor=principal.name, account=principal.account
    )
    return find_portfolio(store, principal, _first_id(store, saved))


def _first_id(store: Store, saved: PortfolioVersion) -> int:
    versions = store.portfolio_versions(saved.name, account=saved.account)
    return min(v.id for v in versions)


# -- plans ------------------------------------------------------------------------------


def plans_of(store: Store, principal: Principal, portfolio_id: int) -> list[PlanView]:
    """The plans of a portfolio the principal may see, oldest first."""
    view = find_portfolio(store, principal, portfolio_id)
    found = store.plans(view.name, account=view.account)
    states = store.plan_states([p.id for p in found])
    out = []
    restricted = _restricted(principal, view.plants)
    for p in found:
        state = states[p.id]
        if restricted and state.state != "published":
            continue
        out.append(PlanView(p, view.id, state.state, state.at, view.plants))
    return out


def find_plan(store: Store, principal: Principal, plan_id: int) -> PlanView:
    """The plan with this id, if the principal may see it.

    Raises
    ------
    IngenioError
        Kind ``not_found`` when there is none or it is out of scope (a draft is out of
        scope for a plant manager or an owner).
    """
    principal.require("plans.read")
    missing = IngenioError(
        said(N_("no plan with id %(plan_id)s"), plan_id=plan_id),
        kind="not_found",
        code="plan_not_found",
    )
    plan = scope_cache.immutable(store, ("plan", plan_id), lambda: store.plan_info(plan_id))
    if plan is None:
        raise missing
    view = next(
        (
            v
            for v in portfolios(store, principal)
            if v.account == plan.account and v.name == plan.portfolio_name
        ),
        None,
    )
    if view is None:
        raise missing
    state = store.plan_states([plan_id])[plan_id]
    if principal.kind == "owner" or principal.role == "plant_manager":
        version = _version(store, plan)
        key = ("plants", version.id, *scope_cache.principal_key(principal))
        plants = scope_cache.scoped(store, key, lambda: _visible_plants(store, principal, version))
        if not plants:
            raise missing
    else:
        plants = view.plants
    if _restricted(principal, plants) and state.state != "published":
        raise missing
    return PlanView(plan, view.id, state.state, state.at, plants)


def _version(store: Store, plan: PlanVersion) -> PortfolioVersion:
    def look() -> PortfolioVersion | None:
        for v in store.portfolio_versions(plan.portfolio_name, account=plan.account):
            if v.id == plan.portfolio_version_id:
                return v
        return None

    found = scope_cache.immutable(store, ("version", plan.portfolio_version_id), look)
    if found is None:
        raise IngenioError(
            said(N_("plan %(id)s has lost its portfolio version"), id=plan.id), kind="not_found"
        )
    return found


def plan_document(store: Store, principal: Principal, plan_id: int) -> dict[str, Any]:
    """The ``plan.json`` document of a plan, cut to the principal's plants when scoped."""
    view = find_plan(store, principal, plan_id)
    _, document = store.load_plan(plan_id)
    if view.plants is None:
        return document
    return cut_document(document, version_structure(store, _version(store, view.plan)), view.plants)


_CACHE_LOCK = threading.Lock()
_JSON_CACHE: OrderedDict[tuple[str, int, frozenset[str] | None], bytes] = OrderedDict()
"""Serialised plan documents by (store, plan, plants): about 100 kB each for the demo."""
_JSON_CACHE_SIZE = 32


def plan_etag(view: PlanView) -> str:
    """The entity tag of a plan document as one scope sees it: plans never change, so the
    plan's id and the plants it is cut to name its bytes."""
    plants = "all" if view.plants is None else ",".join(sorted(view.plants))
    return '"p' + str(view.plan.id) + "-" + hashlib.sha256(plants.encode()).hexdigest()[:16] + '"'


def plan_body(
    store: Store, principal: Principal, plan_id: int, if_none_match: str | None = None
) -> tuple[bytes | None, str]:
    """The plan document as JSON and its ETag, after checking the principal may read it;
    the body is None when ``if_none_match`` names that ETag (answer 304: nothing to send)."""
    view = find_plan(store, principal, plan_id)
    etag = plan_etag(view)
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        if etag in tags or "*" in tags:
            return None, etag
    return _plan_json(store, view), etag


def plan_json(store: Store, principal: Principal, plan_id: int) -> bytes:
    """:func:`plan_document` as UTF-8 JSON, kept in a small cache (plans never change)."""
    return _plan_json(store, find_plan(store, principal, plan_id))


def _plan_json(store: Store, view: PlanView) -> bytes:
    plan_id = view.plan.id
    key = (store.instance, plan_id, view.plants)
    with _CACHE_LOCK:
        if key in _JSON_CACHE:
            _JSON_CACHE.move_to_end(key)
            return _JSON_CACHE[key]
    _, document = store.load_plan(plan_id)
    if view.plants is not None:
        structure = version_structure(store, _version(store, view.plan))
        document = cut_document(document, structure, view.plants)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with _CACHE_LOCK:
        _JSON_CACHE[key] = text
        while len(_JSON_CACHE) > _JSON_CACHE_SIZE:
            _JSON_CACHE.popitem(last=False)
    return text


def approve_plan(store: Store, principal: Principal, plan_id: int) -> PlanView:
    """Approve a draft plan (planners only)."""
    return _move(store, principal, plan_id, "plans.approve", "draft", "approved")


def publish_plan(store: Store, principal: Principal, plan_id: int) -> PlanView:
    """Publish an approved plan (planners only): plant managers and owners then see it."""
    return _move(store, principal, plan_id, "plans.publish", "approved", "published")


def _move(
    store: Store, principal: Principal, plan_id: int, permission: Any, frm: str, to: str
) -> PlanView:
    view = find_plan(store, principal, plan_id)
    principal.require(permission)
    state = store.move_plan(plan_id, to, frm, principal.name)
    return PlanView(view.plan, view.portfolio_id, state.state, state.at, view.plants)


# -- the audit log ----------------------------------------------------------------------


def audit_log(store: Store, principal: Principal) -> list[AuditEntry]:
    """The audit entries the principal may read.

    A management account's admins and auditors read its whole log; an owner's read
    the entries about the plans they may see.
    """
    principal.require("audit.read")
    if principal.kind == "management":
        return store.account_audit(principal.account)
    out: list[AuditEntry] = []
    for view in portfolios(store, principal):
        ids = [str(p.plan.id) for p in plans_of(store, principal, view.id)]
        if ids:
            out.extend(store.account_audit(view.account, entity="plan", entity_ids=ids))
    return sorted(out, key=lambda e: (e.at, e.id))
