"""The server's demo: the demo portfolio, a published plan, owner accounts and users."""

from __future__ import annotations

from collections.abc import Callable

from ingenio.data.demo import build_demo_portfolio
from ingenio.formats.plan_file import plan_to_document
from ingenio.formats.portfolio import portfolio_to_document
from ingenio.services.accounts import add_account, add_user, set_enterprise_owner
from ingenio.services.plans import make_plan, summary_document
from ingenio.store.repository import Store

__all__ = ["DEMO_OWNERS", "load_demo"]

DEMO_OWNERS: tuple[tuple[str, str, str], ...] = (
    ("owner-tabaco", "Grupo Tabacuba (owner of E-TAB)", "E-TAB"),
    ("owner-cemento", "Ministerio de Construcción (owner of E-CEM)", "E-CEM"),
)
"""Owner accounts of the demo: id, name, the enterprise each owns."""

ACTOR = "demo"


def load_demo(
    store: Store,
    users: tuple[tuple[str, str, str, tuple[str, ...]], ...],
    password: Callable[[], str],
) -> list[tuple[str, str, str]]:
    """Load the demo once: its portfolio (in ``default``), a published dispatch plan,
    the owner accounts and ``users`` (email, account, role, plants).

    Returns
    -------
    list of (email, password, role)
        The new users' logins; empty when the demo was loaded before.
    """
    if store.user_login(users[0][0]) is not None:
        return []
    portfolio = build_demo_portfolio()
    saved = store.save_portfolio(
        portfolio.name, portfolio_to_document(portfolio), note="demo", actor=ACTOR
    )
    outcome = make_plan(portfolio, "dispatch")
    plan = store.save_plan(
        portfolio_version_id=saved.id,
        planner=outcome.plan.planner,
        status=outcome.plan.status,
        value=outcome.plan.value,
        bound=outcome.plan.bound,
        seconds=outcome.seconds,
        document=plan_to_document(outcome.plan, portfolio),
        summary=summary_document(outcome.summary),
        actor=ACTOR,
    )
    store.move_plan(plan.id, "approved", "draft", ACTOR)
    store.move_plan(plan.id, "published", "approved", ACTOR)
    known = {a.id for a in store.accounts()}
    for account_id, name, enterprise in DEMO_OWNERS:
        if account_id not in known:
            add_account(store, account_id, name, "owner", ACTOR)
        set_enterprise_owner(store, "default", portfolio.name, enterprise, account_id, ACTOR)
    logins = []
    for email, account, role, plants in users:
        secret = password()
        add_user(store, email, account, role, secret, plants, actor=ACTOR)
        logins.append((email, secret, role))
    return logins
