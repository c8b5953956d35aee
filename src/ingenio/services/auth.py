"""Who is calling, and what they may do: sign-in, sessions, API tokens and roles.

Secrets are random 256-bit values shown once to the client; the store keeps only
their SHA-256 (sessions, their CSRF tokens and API tokens) or an argon2id hash
(passwords, via pwdlib). No secret is logged or put in an error message.
Failed sign-ins are throttled per account (email) and per client address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import ClassVar, Literal

from pwdlib import PasswordHash

from ingenio.errors import N_, ErrorKind, IngenioError, Said, said
from ingenio.store.accounts_repo import UserRecord
from ingenio.store.repository import Store

__all__ = [
    "PERMISSIONS",
    "AccessDenied",
    "Principal",
    "SignIn",
    "create_token",
    "hash_password",
    "principal_of_session",
    "principal_of_token",
    "revoke_token",
    "sign_in",
    "sign_out",
]

SESSION_TTL = timedelta(hours=12)
"""How long a browser session lasts."""

THROTTLE_WINDOW = timedelta(minutes=15)
"""Failed sign-ins counted over this window."""

MAX_FAILURES_PER_EMAIL = 5
"""Failed sign-ins for one email within the window before it is locked for the window."""

MAX_FAILURES_PER_ADDRESS = 20
"""Failed sign-ins from one address within the window before it is refused."""

MAX_TOKEN_DAYS = 365
"""The longest life of an API token."""

TOKEN_SCOPES = ("read", "write")
"""An API token reads only, or acts with all of its user's rights but token management."""

Permission = Literal[
    "portfolios.read",
    "portfolios.write",
    "plans.read",
    "plans.read_drafts",
    "plans.create",
    "plans.approve",
    "plans.publish",
    "jobs.read",
    "jobs.cancel",
    "audit.read",
    "users.read",
    "users.manage",
    "owners.manage",
    "actuals.read",
    "actuals.write",
    "plans.replan",
    "plans.acknowledge",
    "jobs.read_own",
]
"""What a request may need (``jobs.read_own``: only the jobs one asked for)."""

_READS: frozenset[Permission] = frozenset(
    {
        "portfolios.read",
        "plans.read",
        "plans.read_drafts",
        "jobs.read",
        "jobs.read_own",
        "audit.read",
        "users.read",
        "actuals.read",
    }
)

PERMISSIONS: dict[tuple[str, str], frozenset[Permission]] = {
    ("management", "admin"): frozenset(
        {
            "portfolios.read",
            "plans.read",
            "plans.read_drafts",
            "jobs.read",
            "audit.read",
            "users.read",
            "users.manage",
            "owners.manage",
            "actuals.read",
        }
    ),
    ("management", "planner"): frozenset(
        {
            "portfolios.read",
            "portfolios.write",
            "plans.read",
            "plans.read_drafts",
            "plans.create",
            "plans.approve",
            "plans.publish",
            "plans.replan",
            "jobs.read",
            "jobs.cancel",
            "actuals.read",
            "actuals.write",
        }
    ),
    ("management", "plant_manager"): frozenset(
        {
            "plans.read",
            "plans.replan",
            "plans.acknowledge",
            "jobs.read_own",
            "actuals.read",
            "actuals.write",
        }
    ),
    ("management", "auditor"): frozenset(
        {
            "portfolios.read",
            "plans.read",
            "plans.read_drafts",
            "jobs.read",
            "audit.read",
            "actuals.read",
        }
    ),
    ("management", "integrator"): frozenset(
        {"portfolios.read", "plans.read", "plans.read_drafts", "jobs.read", "actuals.read"}
    ),
    ("owner", "admin"): frozenset(
        {"plans.read", "audit.read", "users.read", "users.manage", "actuals.read"}
    ),
    ("owner", "auditor"): frozenset({"plans.read", "audit.read", "actuals.read"}),
    ("owner", "integrator"): frozenset({"plans.read", "actuals.read"}),
}
"""Each (account kind, role)'s permissions; a pair missing here has none."""

ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
    "management": ("admin", "planner", "plant_manager", "auditor", "integrator"),
    "owner": ("admin", "auditor", "integrator"),
}
"""The roles a user of each kind of account may hold."""


class AccessDenied(IngenioError):
    """A request that may not go on: not signed in, not allowed, or throttled.

    ``reason`` is ``unauthenticated``, ``forbidden`` or ``throttled``; the API maps
    it to 401, 403 or 429. The message never holds a secret.
    """

    default_kind: ClassVar[ErrorKind] = "invalid"

    def __init__(
        self, message: str | Said, reason: Literal["unauthenticated", "forbidden", "throttled"]
    ) -> None:
        super().__init__(message, code=reason)
        self.reason = reason


@dataclass(frozen=True)
class Principal:
    """The user behind a request, and the scope of the token they came with (None: a session)."""

    user: UserRecord
    token_scope: str | None = None

    @property
    def account(self) -> str:
        """The user's account (tenant)."""
        return self.user.account

    @property
    def kind(self) -> str:
        """The kind of the user's account: ``management`` or ``owner``."""
        return self.user.account_kind

    @property
    def role(self) -> str:
        """The user's role."""
        return self.user.role

    @property
    def name(self) -> str:
        """The name kept in the audit log (the email)."""
        return self.user.email

    def can(self, permission: Permission) -> bool:
        """Whether the role (and the token's scope) allows ``permission``."""
        allowed = PERMISSIONS.get((self.kind, self.role), frozenset())
        if self.token_scope == "read":
            allowed = allowed & _READS
        return permission in allowed

    def require(self, permission: Permission) -> None:
        """Raise :class:`AccessDenied` (forbidden) unless the principal can ``permission``."""
        if not self.can(permission):
            raise AccessDenied(
                said(
                    N_("the role %(role)s may not do this (%(permission)s)"),
                    role=self.role,
                    permission=permission,
                ),
                "forbidden",
            )

    def require_any(self, *permissions: Permission) -> None:
        """Raise :class:`AccessDenied` (forbidden) unless the principal can one of them."""
        if not any(self.can(p) for p in permissions):
            raise AccessDenied(
                said(
                    N_("the role %(role)s may not do this (%(choices)s)"),
                    role=self.role,
                    choices=" or ".join(permissions),
                ),
                "forbidden",
            )


@dataclass(frozen=True)
class SignIn:
    """A new session: the cookie value and its CSRF token, both shown to the client once."""

    session_id: str
    csrf_token: str
    user: UserRecord
    expires_at: datetime


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    """A hash to check against when the email is unknown (same cost, no timing hint)."""
    return _hasher().hash(secrets.token_urlsafe(16))


def digest(secret: str) -> str:
    """The SHA-256 hex digest the store keeps for a session id, CSRF or API token."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """The argon2id hash of a password.

    Raises
    ------
    IngenioError
        Kind ``invalid`` when the password is shorter than 8 characters.
    """
    if len(password) < 8:
        raise IngenioError(N_("a password needs at least 8 characters"), kind="invalid")
    return _hasher().hash(password)


def sign_in(store: Store, email: str, password: str, address: str) -> SignIn:
    """Check a password and open a session.

    Raises
    ------
    AccessDenied
        ``throttled`` after too many recent failures for the email or the address;
        ``unauthenticated`` for a wrong email or password (the message does not say which).
    """
    email = email.strip().lower()
    now = datetime.now(UTC)
    by_email, by_address = store.failed_logins(email, address, now - THROTTLE_WINDOW)
    if by_email >= MAX_FAILURES_PER_EMAIL or by_address >= MAX_FAILURES_PER_ADDRESS:
        raise AccessDenied(N_("too many failed sign-ins; try again later"), "throttled")
    found = store.user_login(email)
    ok = _hasher().verify(password, found[1] if found else _dummy_hash())
    if found is None or not ok or not found[0].active:
        store.add_failed_login(email, address, now)
        raise AccessDenied(N_("wrong email or password"), "unauthenticated")
    store.purge_expired(now, now - THROTTLE_WINDOW)
    session_id, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires_at = now + SESSION_TTL
    store.add_session(digest(session_id), found[0].id, digest(csrf_token), expires_at)
    return SignIn(session_id, csrf_token, found[0], expires_at)


def sign_out(store: Store, session_id: str) -> None:
    """Close a session (an unknown one is ignored)."""
    store.drop_session(digest(session_id))


def principal_of_session(
    store: Store, session_id: str, csrf_token: str | None, changes: bool
) -> Principal:
    """The principal of a session cookie; a state change must bring the session's CSRF token.

    Raises
    ------
    AccessDenied
        ``unauthenticated`` for an unknown or expired session, ``forbidden`` for a
        state change without the right ``X-CSRF-Token``.
    """
    found = store.session_user(digest(session_id), datetime.now(UTC))
    if found is None:
        raise AccessDenied(
            N_("not signed in (the session is unknown or expired)"), "unauthenticated"
        )
    user, csrf_hash = found
    if changes and (csrf_token is None or not hmac.compare_digest(digest(csrf_token), csrf_hash)):
        raise AccessDenied(
            N_("a state change needs the session's X-CSRF-Token header"), "forbidden"
        )
    return Principal(user)


def principal_of_token(store: Store, token: str) -> Principal:
    """The principal of an API token.

    Raises
    ------
    AccessDenied
        ``unauthenticated`` for an unknown, expired or revoked token.
    """
    found = store.token_user(digest(token), datetime.now(UTC))
    if found is None:
        raise AccessDenied(N_("the API token is unknown, expired or revoked"), "unauthenticated")
    return Principal(found[0], token_scope=found[1])


def create_token(
    store: Store, principal: Principal, name: str, scope: str, days: int
) -> tuple[str, datetime, int]:
    """Make an API token for the principal's user: the token (shown once), expiry and id.

    Raises
    ------
    AccessDenied
        ``forbidden`` when the caller came with a token (tokens do not make tokens).
    IngenioError
        Kind ``invalid`` for an unknown scope or a life outside 1 to 365 days.
    """
    if principal.token_scope is not None:
        raise AccessDenied(N_("an API token cannot make another token"), "forbidden")
    if scope not in TOKEN_SCOPES:
        raise IngenioError(
            said(N_("scope must be one of %(choices)s"), choices=", ".join(TOKEN_SCOPES)),
            kind="invalid",
        )
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise IngenioError(
            said(N_("days must be 1 to %(limit)s"), limit=MAX_TOKEN_DAYS),
            kind="invalid",
        )
    token = "ing_" + secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + timedelta(days=days)
    record = store.add_token(digest(token), principal.user, name, scope, expires_at)
    return token, expires_at, record.id


def revoke_token(store: Store, principal: Principal, token_id: int) -> None:
    """Revoke one of the caller's own API tokens (an unknown or foreign one is not found)."""
    store.revoke_token(token_id, principal.user)
