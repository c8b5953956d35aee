"""The plan a plant follows: its portfolio's published plan, else the latest."""

from __future__ import annotations

from dataclasses import dataclass

from ingenio.domain import Plan, Portfolio
from ingenio.errors import N_, IngenioError, said
from ingenio.formats.plan_file import plan_from_document
from ingenio.formats.portfolio import parse_portfolio
from ingenio.services.context import Context
from ingenio.services.kpi import find_portfolio, sentence_of
from ingenio.store.tables import DEFAULT_ACCOUNT

__all__ = ["PlantPlan", "plant_plan"]


@dataclass(frozen=True)
class PlantPlan:
    """The plan a plant follows: the published one, else the latest."""

    portfolio_name: str
    plan_id: int
    published: bool
    portfolio: Portfolio
    plan: Plan


def plant_plan(ctx: Context, plant_id: str, account: str = DEFAULT_ACCOUNT) -> PlantPlan:
    """The published (else latest) plan of ``account``'s portfolio that holds ``plant_id``.

    Raises
    ------
    IngenioError
        ``not_found`` when no saved portfolio holds the plant or it has no plan.
    """
    store = ctx.store.existing()
    try:
        pv, _ = find_portfolio(store, plant_id=plant_id, account=account)
    except LookupError as exc:
        raise IngenioError(
            said(
                N_("--plant %(plant_id)s: %(problem)s"),
                plant_id=repr(plant_id),
                problem=sentence_of(exc),
            ),
            kind="not_found",
        ) from exc
    plans = store.plans(pv.name, account=account)
    if not plans:
        raise IngenioError(
            said(N_("portfolio %(name)s has no saved plan to play"), name=repr(pv.name)),
            kind="not_found",
        )
    states = store.plan_states([p.id for p in plans])
    published = [p for p in plans if states[p.id].state == "published"]
    chosen = (published or plans)[-1]
    _, doc = store.load_portfolio(pv.name, chosen.portfolio_version, account=account)
    portfolio = parse_portfolio(doc, f"portfolio {pv.name!r} version {chosen.portfolio_version}")
    _, plan_doc = store.load_plan(chosen.id)
    plan = plan_from_document(plan_doc, portfolio, f"plan {chosen.id}")
    return PlantPlan(pv.name, chosen.id, bool(published), portfolio, plan)
