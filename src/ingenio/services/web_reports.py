"""The owner's monthly contract report (KPIs of an enterprise) as a web page, in scope.

The figures come from :func:`ingenio.services.scoped_actuals.scoped_kpis`: the
actuals of the portfolio's own management account (migration 0004), only for an
enterprise whose every plant is in the principal's scope, compared with the
published plan for owners and with the baseline for management roles.
"""

from __future__ import annotations

from datetime import timedelta

from ingenio.errors import N_, IngenioError, said
from ingenio.operations.kpi import period_of
from ingenio.reports.enterprise import render_enterprise_report, report_meta
from ingenio.services.auth import AccessDenied, Principal
from ingenio.services.scoped_actuals import scoped_kpis
from ingenio.services.tenancy import find_portfolio
from ingenio.services.web_views import latest_plan, load
from ingenio.store.repository import Store

__all__ = ["contract_report_html", "report_links"]


def report_links(store: Store, principal: Principal, portfolio_id: int) -> list[tuple[str, str]]:
    """(enterprise, month) pairs of the contract reports the principal may open."""
    if not (principal.can("audit.read") or principal.can("portfolios.read")):
        return []
    view = find_portfolio(store, principal, portfolio_id)
    latest = latest_plan(store, principal, portfolio_id)
    if latest is None:
        return []
    h = load(store, principal, latest.plan.id).portfolio.horizon
    first, last = h.to_datetime(0), h.to_datetime(h.minutes - 1)
    months = sorted({f"{first:%Y-%m}", f"{last:%Y-%m}"})
    return [(e, m) for e in view.enterprises for m in months]


def contract_report_html(
    store: Store,
    principal: Principal,
    portfolio_id: int,
    enterprise_id: str,
    month: str,
    lang: str = "en",
) -> str:
    """The HTML report of an enterprise for a month, if the principal sees that enterprise.

    In ``lang`` (es, ru, en), its charts drawn on the server as inline SVG: the page loads
    no script (plotly.js alone is 4.9 MB, over the web app's page budget).

    Raises
    ------
    IngenioError
        ``not_found`` out of scope; ``invalid`` for a bad month.
    """
    view = find_portfolio(store, principal, portfolio_id)
    if not (principal.can("audit.read") or principal.can("portfolios.read")):
        raise AccessDenied(
            said(N_("the role %(role)s reads no contract report"), role=principal.role), "forbidden"
        )
    if view.enterprises and enterprise_id not in view.enterprises:
        raise IngenioError(
            said(N_("no enterprise %(enterprise_id)s in scope"), enterprise_id=repr(enterprise_id)),
            kind="not_found",
        )
    if not view.enterprises and not view.full:
        raise IngenioError(
            said(N_("no enterprise %(enterprise_id)s in scope"), enterprise_id=repr(enterprise_id)),
            kind="not_found",
        )
    latest = latest_plan(store, principal, portfolio_id)
    if latest is None:
        raise IngenioError(N_("no plan to report on"), kind="not_found")
    portfolio = load(store, principal, latest.plan.id).portfolio
    if not portfolio.has("enterprise", enterprise_id):
        raise IngenioError(
            said(N_("no enterprise %(enterprise_id)s in scope"), enterprise_id=repr(enterprise_id)),
            kind="not_found",
        )
    try:
        since, until = period_of(month[:7], portfolio.horizon.timezone)
    except ValueError:
        raise IngenioError(
            said(N_("not a month like 2026-04: %(month)s"), month=repr(month[:20])), kind="invalid"
        ) from None
    first, last = since.date(), (until - timedelta(days=1)).date()
    report = scoped_kpis(
        store, principal, portfolio_id, first, last, "day", enterprise_id=enterprise_id
    )
    name = next(e.name for e in portfolio.enterprises if e.id == enterprise_id)
    compared = "baseline" if principal.can("plans.read_drafts") else "published"
    zone = portfolio.horizon.timezone
    meta = report_meta(month, zone, view.name, view.latest.version, compared, lang)
    return render_enterprise_report(
        report, f"{name} — {month}", meta, portfolio.currency, zone, lang=lang, charts="svg"
    )
