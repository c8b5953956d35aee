"""The store: append-only, versioned portfolio and plan documents in one database.

Every save inserts a new row, and its audit-log row, in one transaction;
nothing is updated or deleted. Documents are the JSON-ready dicts the io
layer produces; the store never looks inside them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, defer

from ingenio.store.accounts_repo import AccountsStore
from ingenio.store.acks_repo import AcksStore
from ingenio.store.actuals_repo import ActualsStore
from ingenio.store.audit import AuditEntry, AuditStore, write_audit
from ingenio.store.errors import StoreError
from ingenio.store.jobs_repo import JobsStore
from ingenio.store.records import (
    MAX_NAME_LENGTH,
    PlanVersion,
    PortfolioVersion,
    canonical_json,
    check_name,
    checksum,
    plan_version_of,
    portfolio_version_of,
)
from ingenio.store.tables import DEFAULT_ACCOUNT, PlanRow, PortfolioVersionRow

__all__ = [
    "MAX_NAME_LENGTH",
    "AuditEntry",
    "PlanVersion",
    "PortfolioVersion",
    "Store",
    "StoreError",
    "canonical_json",
    "checksum",
]

_PORTFOLIO_LOCKS, _PLAN_LOCKS = 0x1A6E, 0x1A6F
"""PostgreSQL advisory-lock namespaces: saves of one name's next version queue on them."""


class Store(ActualsStore, AccountsStore, AcksStore, JobsStore, AuditStore):
    """Versioned portfolios and plans, actuals and the audit log in one database.

    SQLite or PostgreSQL. Use :meth:`open`, preferably as a context manager::

        with Store.open(resolve_url(db)) as store:
            saved = store.save_portfolio("acme", document)

    Every write is one transaction that also adds its audit-log row
    (:mod:`ingenio.store.audit`); actuals methods are in
    :class:`ingenio.store.actuals_repo.ActualsStore`.
    """

    # -- portfolios -------------------------------------------------------------------------

    def save_portfolio(
        self,
        name: str,
        document: dict[str, Any],
        note: str = "",
        actor: str | None = None,
        account: str = DEFAULT_ACCOUNT,
    ) -> PortfolioVersion:
        """Save a portfolio document as the next version of ``name``.

        Parameters
        ----------
        name : str
            The portfolio's name (1 to 200 characters).
        document : dict
            The JSON-ready document.
        note : str, optional
            Free text kept with this version.
        actor : str, optional
            Who saves it, for the audit log (default :func:`~ingenio.store.audit.current_actor`).
        account : str, optional
            The management account the portfolio belongs to (versions count per account).

        Returns
        -------
        PortfolioVersion
            The new version: 1 for a new name, else one more than the latest.

        Raises
        ------
        StoreError
            If the name is empty or too long, the document is not JSON-serialisable,
            or the database fails (nothing is then written).
        """
        check_name(name)
        text = canonical_json(document)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        stored: dict[str, Any] = json.loads(text)

        def work(session: Session) -> PortfolioVersion:
            _serialise_versions(session, _PORTFOLIO_LOCKS, f"{account}/{name}")
            latest = session.scalar(
                sa.select(sa.func.max(PortfolioVersionRow.version)).where(
                    PortfolioVersionRow.account_id == account, PortfolioVersionRow.name == name
                )
            )
            row = PortfolioVersionRow(
                account_id=account,
                name=name,
                version=(latest or 0) + 1,
                created_at=datetime.now(UTC),
                note=note,
                document=stored,
                checksum=digest,
            )
            session.add(row)
            session.flush()
            saved = portfolio_version_of(row)
            detail = {"id": saved.id, "version": saved.version, "checksum": digest, "note": note}
            write_audit(session, "save", "portfolio", name, detail, actor, account)
            return saved

        return self._write(f"save portfolio {name!r}", work)

    def save_portfolio_and_plan(
        self,
        name: str,
        document: dict[str, Any],
        plan: dict[str, Any],
        note: str = "",
        actor: str | None = None,
    ) -> tuple[PortfolioVersion, PlanVersion]:
        """Save a portfolio version and the plan made from it in one transaction.

        ``plan`` holds the keyword arguments of :meth:`save_plan` except
        ``portfolio_version_id`` and ``actor``. Both are saved, or neither.

        Raises
        ------
        StoreError
            As :meth:`save_portfolio` and :meth:`save_plan`; nothing is then written.
        """

        def work() -> tuple[PortfolioVersion, PlanVersion]:
            pv = self.save_portfolio(name, document, note=note, actor=actor)
            return pv, self.save_plan(portfolio_version_id=pv.id, actor=actor, **plan)

        return self._write_together(f"save portfolio {name!r} and its plan", work)

    def portfolio_versions(
        self, name: str | None = None, account: str | None = DEFAULT_ACCOUNT
    ) -> list[PortfolioVersion]:
        """List saved portfolio versions, by name then version.

        Parameters
        ----------
        name : str, optional
            Only this portfolio's versions; all portfolios when None.
        account : str or None, optional
            Only this account's portfolios; every account's when None.

        Returns
        -------
        list of PortfolioVersion
            Possibly empty.
        """
        query = sa.select(PortfolioVersionRow).options(defer(PortfolioVersionRow.document))
        if name is not None:
            query = query.where(PortfolioVersionRow.name == name)
        if account is not None:
            query = query.where(PortfolioVersionRow.account_id == account)
        query = query.order_by(PortfolioVersionRow.name, PortfolioVersionRow.version)

        def work(session: Session) -> list[PortfolioVersion]:
            return [portfolio_version_of(row) for row in session.scalars(query)]

        return self._read("list portfolio versions", work)

    def load_portfolio(
        self, name: str, version: int | None = None, account: str = DEFAULT_ACCOUNT
    ) -> tuple[PortfolioVersion, dict[str, Any]]:
        """Load one version of a portfolio with its document.

        Parameters
        ----------
        name : str
            The portfolio's name.
        version : int, optional
            The version; the latest when None.
        account : str, optional
            The account the portfolio belongs to.

        Returns
        -------
        tuple of (PortfolioVersion, dict)
            The version and its document, as saved.

        Raises
        ------
        StoreError
            If there is no such portfolio or version, or the document no longer
            matches its checksum.
        """
        query = sa.select(PortfolioVersionRow).where(
            PortfolioVersionRow.account_id == account, PortfolioVersionRow.name == name
        )
        if version is None:
            query = query.order_by(PortfolioVersionRow.version.desc()).limit(1)
        else:
            query = query.where(PortfolioVersionRow.version == version)

        def work(session: Session) -> tuple[PortfolioVersion, dict[str, Any]]:
            row = session.scalars(query).first()
            if row is None:
                latest = session.scalar(
                    sa.select(sa.func.max(PortfolioVersionRow.version)).where(
                        PortfolioVersionRow.account_id == account,
                        PortfolioVersionRow.name == name,
                    )
                )
                if latest is None:
                    raise StoreError(f"no portfolio named {name!r}", kind="not_found")
                raise StoreError(
                    f"portfolio {name!r} has no version {version} (latest is {latest})",
                    kind="not_found",
                )
            if checksum(row.document) != row.checksum:
                raise StoreError(
                    f"portfolio {name!r} version {row.version} is corrupt: checksum mismatch"
                )
            return portfolio_version_of(row), row.document

        return self._read(f"load portfolio {name!r}", work)

    # -- plans ------------------------------------------------------------------------------

    def save_plan(
        self,
        portfolio_version_id: int,
        planner: str,
        status: str,
        value: float,
        bound: float | None,
        seconds: float,
        document: dict[str, Any],
        summary: dict[str, Any],
        actor: str | None = None,
        within: Callable[[Session, PlanVersion], None] | None = None,
    ) -> PlanVersion:
        """Save a plan made from a saved portfolio version.

        Parameters
        ----------
        portfolio_version_id : int
            ``PortfolioVersion.id`` of the portfolio the plan was made from.
        planner : str
            Which planner made it.
        status : str
            The planner's outcome (for example ``optimal`` or ``feasible``).
        value : float
            The objective value.
        bound : float or None
            The best proven bound, if the planner has one.
        seconds : float
            Wall time spent planning.
        document : dict
            The JSON-ready plan document.
        summary : dict
            A small JSON-ready summary, returned with listings.
        actor : str, optional
            Who saves it, for the audit log (default :func:`~ingenio.store.audit.current_actor`).
        within : callable, optional
            Called with the session and the new plan inside the same transaction
            (a job marks itself done there); an error it raises writes nothing.

        Returns
        -------
        PlanVersion
            The new plan, in the portfolio version's account; its ``version`` is one
            more than the latest plan of the same portfolio name there.

        Raises
        ------
        StoreError
            If the portfolio version does not exist, a document is not
            JSON-serialisable, or the database fails (nothing is then written).
        """
        stored_document: dict[str, Any] = json.loads(canonical_json(document))
        stored_summary: dict[str, Any] = json.loads(canonical_json(summary))

        def work(session: Session) -> PlanVersion:
            portfolio = session.execute(
                sa.select(
                    PortfolioVersionRow.name,
                    PortfolioVersionRow.version,
                    PortfolioVersionRow.account_id,
                ).where(PortfolioVersionRow.id == portfolio_version_id)
            ).first()
            if portfolio is None:
                raise StoreError(
                    f"no portfolio version with id {portfolio_version_id}", kind="not_found"
                )
            name, portfolio_version, account = portfolio
            _serialise_versions(session, _PLAN_LOCKS, f"{account}/{name}")
            latest = session.scalar(
                sa.select(sa.func.max(PlanRow.version)).where(
                    PlanRow.account_id == account, PlanRow.portfolio_name == name
                )
            )
            row = PlanRow(
                account_id=account,
                portfolio_version_id=portfolio_version_id,
                portfolio_name=name,
                version=(latest or 0) + 1,
                planner=planner,
                status=status,
                value=float(value),
                bound=None if bound is None else float(bound),
                seconds=float(seconds),
                created_at=datetime.now(UTC),
                document=stored_document,
                summary=stored_summary,
            )
            session.add(row)
            session.flush()
            saved = plan_version_of(row, portfolio_version)
            detail = {
                "portfolio": name,
                "portfolio_version": portfolio_version,
                "version": saved.version,
                "planner": planner,
                "status": status,
                "value": saved.value,
            }
            write_audit(session, "save", "plan", str(saved.id), detail, actor, account)
            if within is not None:
                within(session, saved)
            return saved

        return self._write(f"save plan of portfolio version {portfolio_version_id}", work)

    def plans(
        self, name: str | None = None, account: str | None = DEFAULT_ACCOUNT
    ) -> list[PlanVersion]:
        """List saved plans, by portfolio name then plan version.

        Parameters
        ----------
        name : str, optional
            Only the plans of this portfolio; all plans when None.
        account : str or None, optional
            Only this account's plans; every account's when None.

        Returns
        -------
        list of PlanVersion
            Possibly empty.
        """
        query = self._plan_query()
        if name is not None:
            query = query.where(PlanRow.portfolio_name == name)
        if account is not None:
            query = query.where(PlanRow.account_id == account)
        query = query.order_by(PlanRow.portfolio_name, PlanRow.version)

        def work(session: Session) -> list[PlanVersion]:
            return [plan_version_of(row, pv) for row, pv in session.execute(query).tuples()]

        return self._read("list plans", work)

    def load_plan(self, plan_id: int) -> tuple[PlanVersion, dict[str, Any]]:
        """Load one plan with its document.

        Parameters
        ----------
        plan_id : int
            ``PlanVersion.id``.

        Returns
        -------
        tuple of (PlanVersion, dict)
            The plan and its document, as saved.

        Raises
        ------
        StoreError
            If there is no plan with that id.
        """
        query = self._plan_query(with_document=True).where(PlanRow.id == plan_id)

        def work(session: Session) -> tuple[PlanVersion, dict[str, Any]]:
            found = session.execute(query).tuples().first()
            if found is None:
                raise StoreError(f"no plan with id {plan_id}", kind="not_found")
            row, portfolio_version = found
            return plan_version_of(row, portfolio_version), row.document

        return self._read(f"load plan {plan_id}", work)

    # -- plumbing ---------------------------------------------------------------------------

    @staticmethod
    def _plan_query(with_document: bool = False) -> sa.Select[tuple[PlanRow, int]]:
        query = sa.select(PlanRow, PortfolioVersionRow.version).join(
            PortfolioVersionRow, PlanRow.portfolio_version_id == PortfolioVersionRow.id
        )
        return query if with_document else query.options(defer(PlanRow.document))


def _serialise_versions(session: Session, namespace: int, name: str) -> None:
    """On PostgreSQL, wait until no other transaction is numbering ``name``'s next version.

    The lock is released when the transaction ends. SQLite needs none: a write
    transaction there holds the whole database from ``BEGIN IMMEDIATE``.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:namespace, hashtext(:name))"),
            {"namespace": namespace, "name": name},
        )
