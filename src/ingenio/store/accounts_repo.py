"""Accounts, users, sessions, API tokens, enterprise owners and plan lifecycle in the store.

Secrets never reach this module in clear: sessions and API tokens are looked up by
the SHA-256 of their value, passwords are stored as the hash the caller made.
Every change writes its audit-log row in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, defer

from ingenio.store.audit import AuditEntry, AuditStore, audit_entry_of, write_audit
from ingenio.store.errors import StoreError
from ingenio.store.records import PlanVersion, plan_version_of
from ingenio.store.tables import (
    ACCOUNT_KINDS,
    PLAN_STATES,
    ROLES,
    AccountRow,
    ApiTokenRow,
    AuditRow,
    EnterpriseOwnerRow,
    LoginAttemptRow,
    PlanRow,
    PlanStateRow,
    PortfolioVersionRow,
    SessionRow,
    UserRow,
)

__all__ = [
    "AccountRecord",
    "AccountsStore",
    "OwnerRecord",
    "PlanState",
    "TokenRecord",
    "UserRecord",
]


@dataclass(frozen=True)
class AccountRecord:
    """A tenant."""

    id: str
    name: str
    kind: str
    created_at: datetime


@dataclass(frozen=True)
class UserRecord:
    """A user, without the password hash."""

    id: int
    email: str
    account: str
    account_kind: str
    role: str
    plants: tuple[str, ...]
    active: bool
    created_at: datetime
    language: str | None = None


@dataclass(frozen=True)
class TokenRecord:
    """An API token, without its value."""

    id: int
    user_id: int
    name: str
    scope: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class OwnerRecord:
    """An enterprise of a management account's portfolio and the account that owns it."""

    account: str
    portfolio_name: str
    enterprise_id: str
    owner: str


@dataclass(frozen=True)
class PlanState:
    """Where a plan is in its lifecycle (``draft`` when it never moved)."""

    plan_id: int
    state: str
    at: datetime | None
    actor: str | None


def _user_of(row: UserRow, kind: str) -> UserRecord:
    return UserRecord(
        id=row.id,
        email=row.email,
        account=row.account_id,
        account_kind=kind,
        role=row.role,
        plants=tuple(row.plants),
        active=row.active,
        created_at=row.created_at,
        language=row.language,
    )


def _account_of(row: AccountRow) -> AccountRecord:
    return AccountRecord(id=row.id, name=row.name, kind=row.kind, created_at=row.created_at)


_USER_QUERY = sa.select(UserRow, AccountRow.kind).join(
    AccountRow, UserRow.account_id == AccountRow.id
)


class AccountsStore(AuditStore):
    """The tenancy and authentication methods of the store."""

    # -- accounts ---------------------------------------------------------------------------

    def add_account(self, account_id: str, name: str, kind: str, actor: str) -> AccountRecord:
        """Create an account (``kind`` management or owner).

        Raises
        ------
        StoreError
            Kind ``invalid`` for a bad kind or id, ``conflict`` when the id is taken.
        """
        if kind not in ACCOUNT_KINDS:
            raise StoreError(
                f"account kind {kind!r} is not one of {', '.join(ACCOUNT_KINDS)}", kind="invalid"
            )
        if not account_id.strip() or len(account_id) > 64 or not name.strip():
            raise StoreError(
                "an account needs an id (1 to 64 characters) and a name", kind="invalid"
            )

        def work(session: Session) -> AccountRecord:
            if session.get(AccountRow, account_id) is not None:
                raise StoreError(f"account {account_id!r} exists already", kind="conflict")
            row = AccountRow(id=account_id, name=name, kind=kind, created_at=_now())
            session.add(row)
            session.flush()
            write_audit(session, "add", "account", account_id, {"kind": kind}, actor, account_id)
            return _account_of(row)

        return self._write(f"add account {account_id!r}", work)

    def account(self, account_id: str) -> AccountRecord | None:
        """The account with this id, or None."""

        def work(session: Session) -> AccountRecord | None:
            row = session.get(AccountRow, account_id)
            return None if row is None else _account_of(row)

        return self._read("read an account", work)

    def accounts(self) -> list[AccountRecord]:
        """Every account, by id."""

        def work(session: Session) -> list[AccountRecord]:
            rows = session.scalars(sa.select(AccountRow).order_by(AccountRow.id))
            return [_account_of(row) for row in rows]

        return self._read("list accounts", work)

    # -- users ------------------------------------------------------------------------------

    def add_user(
        self,
        email: str,
        account_id: str,
        role: str,
        plants: tuple[str, ...],
        password_hash: str,
        actor: str,
    ) -> UserRecord:
        """Create a user in an account.

        Raises
        ------
        StoreError
            Kind ``not_found`` for an unknown account, ``invalid`` for a bad role,
            ``conflict`` when the email is taken.
        """
        if role not in ROLES:
            raise StoreError(f"role {role!r} is not one of {', '.join(ROLES)}", kind="invalid")

        def work(session: Session) -> UserRecord:
            account = session.get(AccountRow, account_id)
            if account is None:
                raise StoreError(f"no account {account_id!r}", kind="not_found")
            taken = session.scalar(sa.select(UserRow.id).where(UserRow.email == email))
            if taken is not None:
                raise StoreError(f"a user {email!r} exists already", kind="conflict")
            row = UserRow(
                email=email,
                account_id=account_id,
                role=role,
                plants=list(plants),
                password_hash=password_hash,
                active=True,
                created_at=_now(),
            )
            session.add(row)
            session.flush()
            detail = {"role": role, "plants": list(plants)}
            write_audit(session, "add", "user", email, detail, actor, account_id)
            return _user_of(row, account.kind)

        return self._write(f"add user {email!r}", work)

    def user(self, user_id: int) -> UserRecord | None:
        """The user with this id, or None."""

        def work(session: Session) -> UserRecord | None:
            found = session.execute(_USER_QUERY.where(UserRow.id == user_id)).first()
            return None if found is None else _user_of(found[0], found[1])

        return self._read("read a user", work)

    def set_user_language(self, user_id: int, language: str | None) -> None:
        """Keep the language a user chose for the web app (None: the browser's)."""

        def work(session: Session) -> None:
            row = session.get(UserRow, user_id)
            if row is None:
                raise StoreError(f"no user {user_id}", kind="not_found")
            row.language = language

        self._write("set a user's language", work)

    def user_login(self, email: str) -> tuple[UserRecord, str] | None:
        """The user with this email and its password hash, or None."""

        def work(session: Session) -> tuple[UserRecord, str] | None:
            found = session.execute(_USER_QUERY.where(UserRow.email == email)).first()
            if found is None:
                return None
            return _user_of(found[0], found[1]), found[0].password_hash

        return self._read("read a user", work)

    def users(self, account_id: str) -> list[UserRecord]:
        """The users of an account, by email."""

        def work(session: Session) -> list[UserRecord]:
            query = _USER_QUERY.where(UserRow.account_id == account_id).order_by(UserRow.email)
            return [_user_of(row, kind) for row, kind in session.execute(query).tuples()]

        return self._read("list users", work)

    # -- sessions and tokens ----------------------------------------------------------------

    def add_session(self, id_hash: str, user_id: int, csrf_hash: str, expires_at: datetime) -> None:
        """Keep a new session (by the hash of its id)."""

        def work(session: Session) -> None:
            session.add(
                SessionRow(
                    id_hash=id_hash,
                    user_id=user_id,
                    csrf_hash=csrf_hash,
                    created_at=_now(),
                    expires_at=expires_at,
                )
            )

        self._write("open a session", work)

    def session_user(self, id_hash: str, now: datetime) -> tuple[UserRecord, str] | None:
        """The active user of an unexpired session and the session's CSRF hash, or None."""

        def work(session: Session) -> tuple[UserRecord, str] | None:
            found = session.execute(
                _USER_QUERY.add_columns(SessionRow.csrf_hash)
                .join(SessionRow, SessionRow.user_id == UserRow.id)
                .where(SessionRow.id_hash == id_hash, SessionRow.expires_at > now)
            ).first()
            if found is None or not found[0].active:
                return None
            return _user_of(found[0], found[1]), found[2]

        return self._read("read a session", work)

    def purge_expired(self, now: datetime, attempts_before: datetime) -> None:
        """Forget expired sessions and failed sign-ins older than ``attempts_before``."""

        def work(session: Session) -> None:
            session.execute(sa.delete(SessionRow).where(SessionRow.expires_at <= now))
            session.execute(
                sa.delete(LoginAttemptRow).where(LoginAttemptRow.at < attempts_before)
            )

        self._write("purge expired sessions", work)

    def drop_session(self, id_hash: str) -> None:
        """Forget a session (sign-out); unknown ids are ignored."""

        def work(session: Session) -> None:
            session.execute(sa.delete(SessionRow).where(SessionRow.id_hash == id_hash))

        self._write("close a session", work)

    def add_token(
        self,
        token_hash: str,
        user: UserRecord,
        name: str,
        scope: str,
        expires_at: datetime,
    ) -> TokenRecord:
        """Keep a new API token (by its hash), logged in the audit log."""

        def work(session: Session) -> TokenRecord:
            row = ApiTokenRow(
                token_hash=token_hash,
                user_id=user.id,
                name=name,
                scope=scope,
                created_at=_now(),
                expires_at=expires_at,
                revoked=False,
            )
            session.add(row)
            session.flush()
            detail = {"id": row.id, "name": name, "scope": scope, "expires_at": str(expires_at)}
            write_audit(session, "add", "api_token", str(row.id), detail, user.email, user.account)
            return TokenRecord(row.id, user.id, name, scope, row.created_at, expires_at)

        return self._write("add an API token", work)

    def token_user(self, token_hash: str, now: datetime) -> tuple[UserRecord, str] | None:
        """The active user of an unexpired, unrevoked token and the token's scope, or None."""

        def work(session: Session) -> tuple[UserRecord, str] | None:
            found = session.execute(
                _USER_QUERY.add_columns(ApiTokenRow.scope)
                .join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
                .where(
                    ApiTokenRow.token_hash == token_hash,
                    ApiTokenRow.expires_at > now,
                    ApiTokenRow.revoked.is_(False),
                )
            ).first()
            if found is None or not found[0].active:
                return None
            return _user_of(found[0], found[1]), found[2]

        return self._read("read an API token", work)

    def revoke_token(self, token_id: int, user: UserRecord) -> None:
        """Revoke one of ``user``'s API tokens, logged in the audit log.

        Raises
        ------
        StoreError
            Kind ``not_found`` when ``user`` has no such token.
        """

        def work(session: Session) -> None:
            row = session.get(ApiTokenRow, token_id)
            if row is None or row.user_id != user.id:
                raise StoreError(f"no API token {token_id}", kind="not_found")
            row.revoked = True
            write_audit(
                session, "revoke", "api_token", str(token_id), {}, user.email, user.account
            )

        self._write(f"revoke API token {token_id}", work)

    # -- login throttling -------------------------------------------------------------------

    def add_failed_login(self, email: str, address: str, at: datetime) -> None:
        """Remember a failed sign-in (the email as typed, the client address)."""

        def work(session: Session) -> None:
            session.add(LoginAttemptRow(email=email[:254], address=address[:64], at=at))

        self._write("record a failed sign-in", work)

    def failed_logins(self, email: str, address: str, since: datetime) -> tuple[int, int]:
        """Failed sign-ins since a moment: ``(for this email, from this address)``."""

        def count(session: Session, column: Any, value: str) -> int:
            query = sa.select(sa.func.count()).where(column == value, LoginAttemptRow.at >= since)
            return int(session.scalar(query) or 0)

        def work(session: Session) -> tuple[int, int]:
            return (
                count(session, LoginAttemptRow.email, email),
                count(session, LoginAttemptRow.address, address),
            )

        return self._read("count failed sign-ins", work)

    # -- enterprise owners ------------------------------------------------------------------

    def set_enterprise_owner(
        self, account_id: str, portfolio_name: str, enterprise_id: str, owner: str, actor: str
    ) -> OwnerRecord:
        """Name the owner account of an enterprise of a management account's portfolio.

        Raises
        ------
        StoreError
            Kind ``not_found`` when an account or the portfolio is unknown, ``invalid``
            when the owner is not an owner account or ``account_id`` not a management one.
        """

        def work(session: Session) -> OwnerRecord:
            manager, owning = session.get(AccountRow, account_id), session.get(AccountRow, owner)
            if manager is None or owning is None:
                missing = account_id if manager is None else owner
                raise StoreError(f"no account {missing!r}", kind="not_found")
            if manager.kind != "management" or owning.kind != "owner":
                raise StoreError(
                    f"{owner!r} must be an owner account and {account_id!r} a management one",
                    kind="invalid",
                )
            exists = session.scalar(
                sa.select(PortfolioVersionRow.id).where(
                    PortfolioVersionRow.account_id == account_id,
                    PortfolioVersionRow.name == portfolio_name,
                )
            )
            if exists is None:
                raise StoreError(
                    f"account {account_id!r} has no portfolio {portfolio_name!r}", kind="not_found"
                )
            key = (account_id, portfolio_name, enterprise_id)
            row = session.get(EnterpriseOwnerRow, key)
            if row is None:
                session.add(
                    EnterpriseOwnerRow(
                        account_id=account_id,
                        portfolio_name=portfolio_name,
                        enterprise_id=enterprise_id,
                        owner_account_id=owner,
                    )
                )
            else:
                row.owner_account_id = owner
            detail = {"portfolio": portfolio_name, "owner": owner}
            write_audit(
                session, "set_owner", "enterprise", enterprise_id, detail, actor, account_id
            )
            return OwnerRecord(account_id, portfolio_name, enterprise_id, owner)

        return self._write(f"set the owner of enterprise {enterprise_id!r}", work)

    def enterprise_owners(
        self, account_id: str | None = None, owner: str | None = None
    ) -> list[OwnerRecord]:
        """Enterprise owners, of one management account and/or of one owner account."""
        query = sa.select(EnterpriseOwnerRow)
        if account_id is not None:
            query = query.where(EnterpriseOwnerRow.account_id == account_id)
        if owner is not None:
            query = query.where(EnterpriseOwnerRow.owner_account_id == owner)

        def work(session: Session) -> list[OwnerRecord]:
            return [
                OwnerRecord(r.account_id, r.portfolio_name, r.enterprise_id, r.owner_account_id)
                for r in session.scalars(query)
            ]

        return self._read("list enterprise owners", work)

    # -- plan lifecycle ---------------------------------------------------------------------

    def plan_states(self, plan_ids: list[int]) -> dict[int, PlanState]:
        """The lifecycle state of each plan (``draft`` when it never moved)."""

        def work(session: Session) -> dict[int, PlanState]:
            out = {i: PlanState(i, "draft", None, None) for i in plan_ids}
            if not plan_ids:
                return out
            rows = session.scalars(
                sa.select(PlanStateRow)
                .where(PlanStateRow.plan_id.in_(plan_ids))
                .order_by(PlanStateRow.id)
            )
            for row in rows:
                out[row.plan_id] = PlanState(row.plan_id, row.state, row.at, row.actor)
            return out

        return self._read("read plan states", work)

    def move_plan(self, plan_id: int, to: str, expected: str, actor: str) -> PlanState:
        """Move a plan from state ``expected`` to ``to``, logged in the audit log.

        Raises
        ------
        StoreError
            Kind ``not_found`` for an unknown plan, ``conflict`` when the plan is not
            in state ``expected`` (another user moved it first).
        """
        if to not in PLAN_STATES:
            raise StoreError(f"unknown plan state {to!r}", kind="invalid")

        def work(session: Session) -> PlanState:
            plan = session.get(PlanRow, plan_id)
            if plan is None:
                raise StoreError(f"no plan with id {plan_id}", kind="not_found")
            latest = session.scalars(
                sa.select(PlanStateRow)
                .where(PlanStateRow.plan_id == plan_id)
                .order_by(PlanStateRow.id.desc())
                .limit(1)
                .with_for_update()
            ).first()
            current = "draft" if latest is None else latest.state
            if current != expected:
                raise StoreError(
                    f"plan {plan_id} is {current}, not {expected}: it cannot become {to}",
                    kind="conflict",
                )
            row = PlanStateRow(plan_id=plan_id, state=to, at=_now(), actor=actor)
            session.add(row)
            detail = {"from": current, "to": to}
            write_audit(session, to, "plan", str(plan_id), detail, actor, plan.account_id)
            return PlanState(plan_id, to, row.at, actor)

        return self._write(f"move plan {plan_id} to {to}", work)

    def plan_info(self, plan_id: int) -> PlanVersion | None:
        """One plan without its document, or None."""
        query = (
            sa.select(PlanRow, PortfolioVersionRow.version)
            .join(PortfolioVersionRow, PlanRow.portfolio_version_id == PortfolioVersionRow.id)
            .options(defer(PlanRow.document))
            .where(PlanRow.id == plan_id)
        )

        def work(session: Session) -> PlanVersion | None:
            found = session.execute(query).tuples().first()
            return None if found is None else plan_version_of(found[0], found[1])

        return self._read(f"read plan {plan_id}", work)

    # -- the audit log of one account -------------------------------------------------------

    def account_audit(
        self, account_id: str, entity: str | None = None, entity_ids: list[str] | None = None
    ) -> list[AuditEntry]:
        """The audit entries of one account, oldest first (optionally of some entities)."""
        query = sa.select(AuditRow).where(AuditRow.account_id == account_id)
        if entity is not None:
            query = query.where(AuditRow.entity == entity)
        if entity_ids is not None:
            query = query.where(AuditRow.entity_id.in_(entity_ids))
        query = query.order_by(AuditRow.at, AuditRow.id)

        def work(session: Session) -> list[AuditEntry]:
            return [audit_entry_of(row) for row in session.scalars(query)]

        return self._read("list the audit log", work)


def _now() -> datetime:
    return datetime.now(UTC)
