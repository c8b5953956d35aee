"""Use case: the KPIs of an enterprise (or a plant) over a period, from the store.

Production records are read from the portfolio's origin on (an order's earlier
units count towards its completion); meter readings from a day either side of
the period (the register steps across its edges are shared in proportion).

The portfolio is the latest version of the portfolio that holds the enterprise
(or the one named). The plan compared with is, by default, the **baseline**:
the first plan saved for the latest portfolio's horizon (same origin), i.e. the
plan as committed before any replan. A replanned version keeps the past as it
happened, so measuring against it would flatter adherence; pass
``plan_version`` to compare with another one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ingenio.domain import Plan, Portfolio
from ingenio.errors import N_, IngenioError, Said, said
from ingenio.formats.plan_file import plan_from_document
from ingenio.formats.portfolio import parse_portfolio
from ingenio.limits import MAX_PERIOD_DAYS
from ingenio.operations.kpi import Granularity, KpiReport, KpiRow, compute_kpis
from ingenio.services.context import Context
from ingenio.store.repository import PlanVersion, PortfolioVersion, Store
from ingenio.store.tables import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from ingenio.services.plans import PlanFiles
    from ingenio.services.replan import ReplanResult

__all__ = [
    "EnterpriseReport",
    "Granularity",
    "KpiInputs",
    "KpiReport",
    "KpiRow",
    "enterprise_report",
    "find_portfolio",
    "holding_portfolio",
    "kpis_between",
    "kpis_since_origin",
    "load_kpis",
    "write_replan_files",
]


@dataclass(frozen=True)
class KpiInputs:
    """The KPIs and what they were computed from."""

    portfolio: Portfolio
    portfolio_version: PortfolioVersion
    plan: Plan | None
    plan_version: PlanVersion | None
    report: KpiReport


def _latest(
    store: Store, name: str, account: str = DEFAULT_ACCOUNT
) -> tuple[PortfolioVersion, Portfolio]:
    pv, doc = store.load_portfolio(name, account=account)
    return pv, parse_portfolio(doc, f"portfolio {name!r} version {pv.version}")


def find_portfolio(
    store: Store, *, enterprise_id: str | None = None, plant_id: str | None = None,
    name: str | None = None, account: str = DEFAULT_ACCOUNT,
) -> tuple[PortfolioVersion, Portfolio]:  # fmt: skip
    """The latest version of the portfolio named, or of the one holding the enterprise/plant
    (among ``account``'s portfolios).

    Raises
    ------
    LookupError
        When no saved portfolio holds it, or several do (then name one).
    """
    if name is not None:
        return _latest(store, name, account)
    names = sorted({v.name for v in store.portfolio_versions(account=account)})
    found = []
    for n in names:
        pv, p = _latest(store, n, account)
        if (enterprise_id is None or p.has("enterprise", enterprise_id)) and (
            plant_id is None or p.has("plant", plant_id)
        ):
            found.append((pv, p))
    what = " and ".join(
        f"{k} {v!r}" for k, v in (("enterprise", enterprise_id), ("plant", plant_id)) if v
    )
    if not found:
        raise LookupError(said(N_("no saved portfolio holds %(value)s"), value=what or "anything"))
    if len(found) > 1:
        listed = ", ".join(repr(pv.name) for pv, _ in found)
        raise LookupError(
            said(
                N_("several portfolios hold %(what)s: %(listed)s; name one with --portfolio"),
                what=what,
                listed=listed,
            )
        )
    return found[0]


def baseline_plan(
    store: Store,
    portfolio: Portfolio,
    name: str,
    version: int | None = None,
    *,
    account: str = DEFAULT_ACCOUNT,
    among: Collection[int] | None = None,
) -> tuple[PlanVersion, Plan] | None:
    """The plan to compare with: ``version``, else the first plan for the same horizon origin
    (only plans whose ids are in ``among``, when given: the published ones for an owner)."""
    plans = store.plans(name, account=account)
    if among is not None:
        plans = [p for p in plans if p.id in among]
    if version is not None:
        plans = [p for p in plans if p.version == version]
        if not plans:
            raise LookupError(
                said(
                    N_("portfolio %(name)s has no plan version %(version)s"),
                    name=repr(name),
                    version=version,
                )
            )
    for pv in plans:
        _, doc = store.load_portfolio(name, pv.portfolio_version, account=account)
        made_for = parse_portfolio(doc, f"portfolio {name!r} version {pv.portfolio_version}")
        if version is not None or made_for.horizon.origin == portfolio.horizon.origin:
            _, plan_doc = store.load_plan(pv.id)
            return pv, plan_from_document(plan_doc, made_for, f"plan {pv.id}")
    return None


def load_kpis(
    store: Store,
    start: datetime,
    end: datetime,
    by: Granularity = "day",
    *,
    enterprise_id: str | None = None,
    plant_id: str | None = None,
    portfolio_name: str | None = None,
    plan_version: int | None = None,
    account: str = DEFAULT_ACCOUNT,
    plans_among: Collection[int] | None = None,
) -> KpiInputs:
    """Compute the KPIs of an enterprise or a plant over ``[start, end)`` from the store.

    Parameters
    ----------
    store
        Portfolio, plans and actuals.
    start, end
        The period, aware datetimes.
    by
        ``day``, ``week`` or ``month`` buckets.
    enterprise_id, plant_id
        The scope (a plant narrows an enterprise).
    portfolio_name
        The portfolio (default: the one holding the enterprise or plant).
    plan_version
        The plan to compare with (default: the baseline, see the module notes).
    account
        The management account whose portfolio and actuals are read.
    plans_among
        Only these plan ids may be compared with (see :func:`baseline_plan`).

    Returns
    -------
    KpiInputs
        The report and the versions it was computed from.
    """
    pv, portfolio = find_portfolio(
        store, enterprise_id=enterprise_id, plant_id=plant_id, name=portfolio_name,
        account=account,
    )  # fmt: skip
    plants = [p for p in portfolio.plants
              if plant_id in (None, p.id) and enterprise_id in (None, p.enterprise_id)]  # fmt: skip
    lines = [ln.id for p in plants for ln in p.lines]
    gens = [g.id for p in plants for g in p.generators]
    found = baseline_plan(
        store, portfolio, pv.name, plan_version, account=account, among=plans_among
    )
    margin = timedelta(days=1)  # readings around the edges interpolate the boundary steps
    report = compute_kpis(
        portfolio, start, end, by,
        production=store.list_production(
            lines, since=min(start, portfolio.horizon.origin), until=end, account=account
        ),
        downtime=store.list_downtime(lines, since=start, until=end, account=account),
        meters=store.list_meter_readings(
            lines, since=start - margin, until=end + margin, account=account
        ),
        fuel_draws=store.list_fuel_draws(gens, since=start, until=end, account=account),
        plan=None if found is None else found[1],
        plant_id=plant_id, enterprise_id=enterprise_id,
    )  # fmt: skip
    return KpiInputs(
        portfolio,
        pv,
        None if found is None else found[1],
        None if found is None else found[0],
        report,
    )


def holding_portfolio(
    ctx: Context, *, enterprise_id: str | None = None, plant_id: str | None = None,
    name: str | None = None,
) -> tuple[PortfolioVersion, Portfolio]:  # fmt: skip
    """:func:`find_portfolio` in the context's store; ``not_found`` when none (or several)."""
    try:
        return find_portfolio(
            ctx.store.get(), enterprise_id=enterprise_id, plant_id=plant_id, name=name
        )
    except LookupError as exc:
        raise IngenioError(sentence_of(exc), kind="not_found") from None


def sentence_of(exc: Exception) -> Said | str:
    """The sentence an exception was raised with (kept for translation), else its text."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Said) else str(exc)


def kpis_between(
    ctx: Context,
    first: date,
    last: date,
    by: Granularity = "day",
    *,
    enterprise_id: str | None = None,
    plant_id: str | None = None,
    portfolio_name: str | None = None,
    plan_version: int | None = None,
) -> KpiInputs:
    """The KPIs from day ``first`` to day ``last`` (included), in the portfolio's zone.

    Raises
    ------
    IngenioError
        ``invalid`` when the period is longer than ``MAX_PERIOD_DAYS``; ``not_found``
        when no stored portfolio holds the enterprise or plant, or there is no database.
    """
    days = (last - first).days + 1
    if days > MAX_PERIOD_DAYS:
        raise IngenioError(
            said(
                N_(
                    "--from %(first)s --to %(last)s is %(days)s days; the limit is "
                    "%(limit)s"
                ),
                first=str(first),
                last=str(last),
                days=f"{days:,}",
                limit=f"{MAX_PERIOD_DAYS:,}",
            )
        )
    store = ctx.store.existing()
    try:
        _, found = find_portfolio(
            store, enterprise_id=enterprise_id, plant_id=plant_id, name=portfolio_name
        )
        zone = found.horizon.zone
        since = datetime.combine(first, datetime.min.time(), tzinfo=zone)
        until = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        return load_kpis(
            store, since, until, by, enterprise_id=enterprise_id, plant_id=plant_id,
            portfolio_name=portfolio_name, plan_version=plan_version,
        )  # fmt: skip
    except (LookupError, KeyError) as exc:
        raise IngenioError(str(exc).strip("'\""), kind="not_found") from None


@dataclass(frozen=True)
class EnterpriseReport:
    """The owner's report files, and what they were computed from."""

    html: Path
    xlsx: Path
    inputs: KpiInputs


def enterprise_report(
    ctx: Context,
    enterprise_id: str,
    period: str,
    out: Path,
    by: Granularity = "day",
    portfolio_name: str | None = None,
    lang: str = "en",
) -> EnterpriseReport:
    """Write the owner's report of an enterprise for a month (``2026-04``): HTML and Excel,
    in ``lang`` (es, ru, en)."""
    from ingenio.formats.atomic import atomic_write_bytes, atomic_write_text, out_path
    from ingenio.operations.kpi import period_of
    from ingenio.reports.enterprise import render_enterprise_report, report_meta
    from ingenio.reports.excel import render_enterprise_xlsx

    store = ctx.store.get()
    try:
        _, found = find_portfolio(store, enterprise_id=enterprise_id, name=portfolio_name)
        since, until = period_of(period, found.horizon.timezone)
        got = load_kpis(store, since, until, by, enterprise_id=enterprise_id,
                        portfolio_name=portfolio_name)  # fmt: skip
    except ValueError:
        raise IngenioError(
            said(N_("--period: not a month like 2026-04 (got %(period)s)"), period=repr(period))
        ) from None
    except (LookupError, KeyError) as exc:
        raise IngenioError(str(exc).strip("'\""), kind="not_found") from None
    p = got.portfolio
    name = next(e.name for e in p.enterprises if e.id == enterprise_id)
    plan = None if got.plan_version is None else got.plan_version.version
    meta = report_meta(period, p.horizon.timezone, got.portfolio_version.name,
                       got.portfolio_version.version, plan, lang)  # fmt: skip
    stem, zone = f"enterprise-{enterprise_id}-{period}", p.horizon.timezone
    page = render_enterprise_report(
        got.report, f"{name} — {period}", meta, p.currency, zone, lang=lang
    )
    try:  # the enterprise id comes from a file: a safe name, inside --out
        html_path, xlsx_path = out_path(out, stem, ".html"), out_path(out, stem, ".xlsx")
    except ValueError as exc:
        raise IngenioError(str(exc)) from None
    html = atomic_write_text(html_path, page)
    xlsx = atomic_write_bytes(xlsx_path, render_enterprise_xlsx(got.report, zone, lang))
    return EnterpriseReport(html, xlsx, got)


def kpis_since_origin(ctx: Context, result: ReplanResult, minute: int) -> KpiReport | None:
    """The KPIs of the replanned plant from the horizon's origin to ``minute`` (the actuals
    so far, against the plan before the replan); None when nothing was produced yet."""
    world = result.portfolio
    h = world.horizon
    until = h.origin + timedelta(minutes=minute)
    plant = world.plant(result.plants[0])
    lines = [ln.id for ln in plant.lines]
    store = ctx.store.get()
    production = store.list_production(lines, since=h.origin, until=until)
    if not production:
        return None
    return compute_kpis(
        world, h.origin, until, "day", production=production,
        downtime=store.list_downtime(lines, since=h.origin, until=until),
        meters=store.list_meter_readings(lines, since=h.origin - timedelta(days=1), until=until),
        fuel_draws=store.list_fuel_draws([g.id for g in plant.generators], since=h.origin,
                                         until=until),
        plan=result.previous_plan, plant_id=plant.id,
    )  # fmt: skip


def write_replan_files(
    ctx: Context, result: ReplanResult, out: Path, minute: int, lang: str = "en"
) -> PlanFiles:
    """The replanned plan's files (in ``lang``), its report with the KPIs of the actuals so
    far."""
    from ingenio.formats.atomic import atomic_write_text
    from ingenio.planning.summary import summarise
    from ingenio.reports.plan import render_plan_report
    from ingenio.services.plans import PlanOutcome, write_plan_files

    world, plan = result.portfolio, result.final.plan
    outcome = PlanOutcome(world, plan, summarise(world, plan), (), plan.seconds)
    files = write_plan_files(outcome, out, lang)
    kpis = kpis_since_origin(ctx, result, minute)
    if kpis is not None:
        page = render_plan_report(world, plan, outcome.summary, kpis=kpis, lang=lang)
        atomic_write_text(files.report_html, page)
    return files
