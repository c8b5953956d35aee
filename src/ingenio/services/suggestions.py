"""Replan suggestions (raised by metered grid losses) as each principal may see and decide them.

The ingester's watcher (:mod:`ingenio.services.telemetry_actuals`) raises a
suggestion for a plant that lost the grid outside every announced outage. Here the
API and the web pages reach them through a portfolio the principal may see
(:func:`ingenio.services.tenancy.find_portfolio`):

* only the portfolio's own management account sees them (an owner account, like any
  other tenant, gets *not found*); a plant manager sees its own plants' only;
* accepting replans the plant from the outage's start with the grid off for the
  metered (or assumed) length: a **draft** for the planner to approve and publish;
  deciding (accept or dismiss) needs the planner's rights (``plans.create``); the
  decision and its reason go to the audit log beside the replan's own entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ingenio.domain import Plan, Window
from ingenio.errors import IngenioError
from ingenio.services.auth import AccessDenied, Principal
from ingenio.services.replan import replan
from ingenio.services.telemetry_actuals import DEFAULT_OUTAGE, accepting
from ingenio.services.tenancy import PortfolioView, find_portfolio
from ingenio.services.web_replan import plan_in_force
from ingenio.services.web_views import load
from ingenio.store.repository import Store
from ingenio.store.telemetry_repo import Suggestion

__all__ = [
    "Accepted",
    "PlantSuggestion",
    "Suggestion",
    "accept_suggestion",
    "dismiss_suggestion",
    "plant_suggestions",
    "scoped_suggestions",
]

STATUSES = ("open", "accepted", "dismissed")
"""The states of a suggestion."""

MAX_SHOWN = 20
"""The most affected operations a plant page lists per suggestion."""

ASSUMED_MINUTES = int(DEFAULT_OUTAGE.total_seconds() // 60)
"""The length a replan assumes for a loss still going on (as the preview does)."""

ACCEPT_TIME_LIMIT = 5.0
"""Seconds the replan of an accepted suggestion may take (the dispatch planner)."""


@dataclass(frozen=True)
class Accepted:
    """An accepted suggestion and what its replan changed."""

    suggestion: Suggestion
    plan_id: int
    version: int
    value_before: float
    value_after: float
    late_before: int
    late_after: int
    """Orders late or unscheduled in the plan replanned from, and in the new draft."""
    moves: int


def _late(plan: Plan) -> int:
    return sum(1 for o in plan.outcomes if o.status != "on_time")


def _view(store: Store, principal: Principal, portfolio_id: int) -> PortfolioView:
    """The portfolio, if the principal's own management account manages it."""
    principal.require_any("actuals.read", "plans.replan")
    view = find_portfolio(store, principal, portfolio_id)
    if principal.kind != "management" or view.account != principal.account:
        raise IngenioError(f"no portfolio with id {portfolio_id}", kind="not_found")
    return view


def _mine(view: PortfolioView, s: Suggestion) -> bool:
    return (
        s.account == view.account
        and s.portfolio_name == view.name
        and (view.plants is None or s.plant_id in view.plants)
    )


def scoped_suggestions(
    store: Store, principal: Principal, portfolio_id: int, status: str | None = None
) -> list[Suggestion]:
    """The suggestions of the plants the principal sees in a portfolio, newest first.

    Raises
    ------
    IngenioError
        ``not_found`` out of scope; ``invalid`` for an unknown ``status``.
    """
    if status is not None and status not in STATUSES:
        raise IngenioError(f"status: expected one of {', '.join(STATUSES)}, got {status!r}")
    view = _view(store, principal, portfolio_id)
    return [s for s in store.suggestions(status) if _mine(view, s)]


@dataclass(frozen=True)
class PlantSuggestion:
    """An open suggestion as the plant page shows it: times on the plant's clock."""

    suggestion: Suggestion
    start: str
    end: str | None
    """When the grid came back; None while it is still off."""
    operations: tuple[dict[str, Any], ...]
    """``{"order", "line", "minutes"}`` of each grid-powered operation the loss hits."""
    orders: tuple[str, ...]
    assumed_hours: float
    """The outage length the replan would assume while the grid is still off."""


def plant_suggestions(
    store: Store, principal: Principal, portfolio_id: int, plant_id: str, zone: str
) -> list[PlantSuggestion]:
    """The open suggestions of one plant, times in ``zone`` (empty for a principal who
    may not see them: an owner, another tenant)."""
    if principal.kind != "management" or not (
        principal.can("actuals.read") or principal.can("plans.replan")
    ):
        return []
    try:
        found = scoped_suggestions(store, principal, portfolio_id, "open")
    except IngenioError:
        return []
    tz = ZoneInfo(zone)

    def wall(moment: datetime) -> str:
        return moment.astimezone(tz).replace(tzinfo=None).isoformat()

    out = []
    for s in found:
        if s.plant_id != plant_id:
            continue
        a, b = int(s.preview.get("from_minute", 0)), int(s.preview.get("to_minute", 0))
        out.append(
            PlantSuggestion(
                s,
                wall(s.outage_start),
                wall(s.outage_end) if s.outage_end is not None else None,
                tuple(s.preview.get("operations", ()))[:MAX_SHOWN],
                tuple(str(o) for o in s.preview.get("orders", ())),
                max(0, b - a) / 60,
            )
        )
    return out


def _decidable(
    store: Store, principal: Principal, portfolio_id: int, suggestion_id: int
) -> tuple[PortfolioView, Suggestion]:
    view = _view(store, principal, portfolio_id)
    found = next((s for s in store.suggestions() if s.id == suggestion_id), None)
    if found is None or not _mine(view, found):
        raise IngenioError(f"no replan suggestion {suggestion_id}", kind="not_found")
    if not principal.can("plans.create"):
        raise AccessDenied(f"the role {principal.role} may not decide a suggestion", "forbidden")
    if found.status != "open":
        raise IngenioError(
            f"replan suggestion {suggestion_id} is already {found.status}", kind="conflict"
        )
    return view, found


def accept_suggestion(
    store: Store,
    principal: Principal,
    portfolio_id: int,
    suggestion_id: int,
    time_limit: float = ACCEPT_TIME_LIMIT,
) -> Accepted:
    """Replan the plant for the metered grid loss (a draft) and mark the suggestion accepted.

    Raises
    ------
    IngenioError
        ``not_found`` out of scope, ``conflict`` when already decided,
        ``forbidden`` (:class:`AccessDenied`) for a role other than planner.
    """
    view, s = _decidable(store, principal, portfolio_id, suggestion_id)
    reason = f"metered grid loss at {s.outage_start.isoformat()} ({s.evidence})"
    base = plan_in_force(store, view.name, view.account)
    if base is None:
        raise IngenioError(f"portfolio {view.name!r} has no plan to replan", kind="conflict")
    # minutes on the horizon of the plan replanned from (the preview's may be another's)
    horizon = load(store, principal, base).portfolio.horizon
    a = horizon.to_minute(s.outage_start)
    b = horizon.to_minute(s.outage_end) if s.outage_end is not None else a + ASSUMED_MINUTES
    start, end = max(a, 1), min(b, horizon.minutes)
    if end <= start:
        raise IngenioError(
            f"the grid loss of suggestion {suggestion_id} lies outside the plan's horizon: "
            "dismiss it",
            kind="conflict",
        )
    with accepting(store, suggestion_id, principal.name):  # one accept of two quick clicks
        result = replan(
            store, view.name, s.plant_id, start, reason, "dispatch", time_limit,
            Window(start, end), account=view.account, plan_id=base, actor=principal.name,
        )  # fmt: skip
        saved = result.final.version
        if saved is None:
            raise IngenioError("the replan saved no plan", kind="solver_failed")
        decided = store.decide_suggestion(
            suggestion_id, "accepted", principal.name, saved.id, reason, claimed=True
        )
    return Accepted(
        decided,
        saved.id,
        saved.version,
        result.previous_plan.value,
        result.final.plan.value,
        _late(result.previous_plan),
        _late(result.final.plan),
        len(result.moves),
    )


def dismiss_suggestion(
    store: Store, principal: Principal, portfolio_id: int, suggestion_id: int, reason: str
) -> Suggestion:
    """Dismiss an open suggestion with the reason (audited).

    Raises
    ------
    IngenioError
        As :func:`accept_suggestion`; ``invalid`` for an empty reason.
    """
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise IngenioError("reason: say why the suggestion is dismissed")
    _decidable(store, principal, portfolio_id, suggestion_id)
    return store.decide_suggestion(suggestion_id, "dismissed", principal.name, None, reason)
