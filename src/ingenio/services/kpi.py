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

from dataclasses import dataclass
from datetime import datetime, timedelta

from ingenio.domain import Plan, Portfolio
from ingenio.formats.plan_file import plan_from_document
from ingenio.formats.portfolio import parse_portfolio
from ingenio.operations.kpi import Granularity, KpiReport, compute_kpis
from ingenio.store.repository import PlanVersion, PortfolioVersion, Store

__all__ = ["KpiInputs", "find_portfolio", "load_kpis"]


@dataclass(frozen=True)
class KpiInputs:
    """The KPIs and what they were computed from."""

    portfolio: Portfolio
    portfolio_version: PortfolioVersion
    plan: Plan | None
    plan_version: PlanVersion | None
    report: KpiReport


def _latest(store: Store, name: str) -> tuple[PortfolioVersion, Portfolio]:
    pv, doc = store.load_portfolio(name)
    return pv, parse_portfolio(doc, f"portfolio {name!r} version {pv.version}")


def find_portfolio(
    store: Store, *, enterprise_id: str | None = None, plant_id: str | None = None,
    name: str | None = None,
) -> tuple[PortfolioVersion, Portfolio]:  # fmt: skip
    """The latest version of the portfolio named, or of the one holding the enterprise/plant.

    Raises
    ------
    LookupError
        When no saved portfolio holds it, or several do (then name one).
    """
    if name is not None:
        return _latest(store, name)
    names = sorted({v.name for v in store.portfolio_versions()})
    found = []
    for n in names:
        pv, p = _latest(store, n)
        if (enterprise_id is None or p.has("enterprise", enterprise_id)) and (
            plant_id is None or p.has("plant", plant_id)
        ):
            found.append((pv, p))
    what = " and ".join(
        f"{k} {v!r}" for k, v in (("enterprise", enterprise_id), ("plant", plant_id)) if v
    )
    if not found:
        raise LookupError(f"no saved portfolio holds {what or 'anything'}")
    if len(found) > 1:
        listed = ", ".join(repr(pv.name) for pv, _ in found)
        raise LookupError(f"several portfolios hold {what}: {listed}; name one with --portfolio")
    return found[0]


def baseline_plan(
    store: Store, portfolio: Portfolio, name: str, version: int | None = None
) -> tuple[PlanVersion, Plan] | None:
    """The plan to compare with: ``version``, else the first plan for the same horizon origin."""
    plans = store.plans(name)
    if version is not None:
        plans = [p for p in plans if p.version == version]
        if not plans:
            raise LookupError(f"portfolio {name!r} has no plan version {version}")
    for pv in plans:
        _, doc = store.load_portfolio(name, pv.portfolio_version)
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

    Returns
    -------
    KpiInputs
        The report and the versions it was computed from.
    """
    pv, portfolio = find_portfolio(
        store, enterprise_id=enterprise_id, plant_id=plant_id, name=portfolio_name
    )
    plants = [p for p in portfolio.plants
              if plant_id in (None, p.id) and enterprise_id in (None, p.enterprise_id)]  # fmt: skip
    lines = [ln.id for p in plants for ln in p.lines]
    gens = [g.id for p in plants for g in p.generators]
    found = baseline_plan(store, portfolio, pv.name, plan_version)
    margin = timedelta(days=1)  # readings around the edges interpolate the boundary steps
    report = compute_kpis(
        portfolio, start, end, by,
        production=store.list_production(
            lines, since=min(start, portfolio.horizon.origin), until=end
        ),
        downtime=store.list_downtime(lines, since=start, until=end),
        meters=store.list_meter_readings(lines, since=start - margin, until=end + margin),
        fuel_draws=store.list_fuel_draws(gens, since=start, until=end),
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
