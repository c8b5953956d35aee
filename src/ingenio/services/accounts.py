"""Accounts, users and enterprise owners: the tenants of a server and who acts in them."""

from __future__ import annotations

import re

from ingenio.errors import N_, IngenioError, said
from ingenio.services.auth import ROLES_BY_KIND, Principal, hash_password
from ingenio.store.accounts_repo import AccountRecord, OwnerRecord, UserRecord
from ingenio.store.repository import Store

__all__ = [
    "USER_LANGUAGES",
    "add_account",
    "add_user",
    "set_enterprise_owner",
    "set_language",
    "users_of",
]

USER_LANGUAGES = ("es", "ru", "en")
"""The languages a user may choose for the web app."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def add_account(store: Store, account_id: str, name: str, kind: str, actor: str) -> AccountRecord:
    """Create a tenant (``kind`` ``management`` or ``owner``).

    Raises
    ------
    IngenioError
        Kind ``invalid`` for a bad id or kind, ``conflict`` when the id is taken.
    """
    if not _ACCOUNT_ID.match(account_id):
        raise IngenioError(
            said(
                N_("account id %(account_id)s: use 1 to 64 letters, digits, '.', '_' or '-'"),
                account_id=repr(account_id),
            ),
            kind="invalid",
        )
    return store.add_account(account_id, name.strip() or account_id, kind, actor)


def add_user(
    store: Store,
    email: str,
    account_id: str,
    role: str,
    password: str,
    plants: tuple[str, ...] = (),
    actor: str = "cli",
) -> UserRecord:
    """Create a user; a plant manager is bound to at least one plant.

    Raises
    ------
    IngenioError
        Kind ``invalid`` for a bad email, a role the account's kind does not have,
        a plant manager without plants or plants on another role, or a short
        password; ``not_found`` for an unknown account; ``conflict`` for a taken email.
    """
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise IngenioError(
            said(N_("email %(email)s is not an email address"), email=repr(email)), kind="invalid"
        )
    account = store.account(account_id)
    if account is None:
        raise IngenioError(
            said(N_("no account %(account_id)s"), account_id=repr(account_id)), kind="not_found"
        )
    allowed = ROLES_BY_KIND.get(account.kind, ())
    if role not in allowed:
        raise IngenioError(
            said(
                N_("role %(role)s does not exist in a %(kind)s account (choose from %(choices)s)"),
                role=repr(role),
                kind=account.kind,
                choices=", ".join(allowed),
            ),
            kind="invalid",
        )
    if role == "plant_manager" and not plants:
        raise IngenioError(N_("a plant manager needs at least one --plant"), kind="invalid")
    if role != "plant_manager" and plants:
        raise IngenioError(N_("only a plant manager is bound to plants"), kind="invalid")
    return store.add_user(email, account_id, role, tuple(plants), hash_password(password), actor)


def add_user_as(
    store: Store, principal: Principal, email: str, role: str, password: str, plants: list[str]
) -> UserRecord:
    """An account admin creates a user in their own account."""
    principal.require("users.manage")
    return add_user(
        store, email, principal.account, role, password, tuple(plants), actor=principal.name
    )


def users_of(store: Store, principal: Principal) -> list[UserRecord]:
    """The users of the principal's own account."""
    principal.require("users.read")
    return store.users(principal.account)


def set_enterprise_owner(
    store: Store, account_id: str, portfolio_name: str, enterprise_id: str, owner: str, actor: str
) -> OwnerRecord:
    """Name the owner account of an enterprise in a management account's portfolio.

    Raises
    ------
    IngenioError
        Kind ``not_found`` when the portfolio, the enterprise (in its latest version)
        or an account is unknown; ``invalid`` when the accounts have the wrong kinds.
    """
    _, document = store.load_portfolio(portfolio_name, account=account_id)
    ids = {str(e.get("id")) for e in document.get("enterprises", []) if isinstance(e, dict)}
    if enterprise_id not in ids:
        raise IngenioError(
            said(
                N_(

                        "portfolio %(portfolio)s has no enterprise %(enterprise_id)s (it "
                        "has %(choices)s)"

                ),
                portfolio=repr(portfolio_name),
                enterprise_id=repr(enterprise_id),
                choices=", ".join(sorted(ids)),
            ),
            kind="not_found",
        )
    return store.set_enterprise_owner(account_id, portfolio_name, enterprise_id, owner, actor)


def set_owner_as(
    store: Store,
    principal: Principal,
    account_id: str,
    portfolio_name: str,
    enterprise_id: str,
    owner: str,
) -> OwnerRecord:
    """A management admin names the owner account of an enterprise of its portfolio."""
    principal.require("owners.manage")
    if principal.account != account_id:
        raise IngenioError(
            said(N_("no portfolio %(portfolio)s"), portfolio=repr(portfolio_name)),
            kind="not_found",
        )
    return set_enterprise_owner(
        store, account_id, portfolio_name, enterprise_id, owner, principal.name
    )


def set_language(store: Store, principal: Principal, language: str | None) -> None:
    """Keep the principal's own choice of language (None: follow the browser).

    Raises
    ------
    IngenioError
        Kind ``invalid`` for a language the app does not speak.
    """
    if language is not None and language not in USER_LANGUAGES:
        raise IngenioError(
            said(
                N_("language %(language)s is not one of %(choices)s"),
                language=repr(language[:10]),
                choices=", ".join(USER_LANGUAGES),
            ),
            kind="invalid",
        )
    store.set_user_language(principal.user.id, language)
