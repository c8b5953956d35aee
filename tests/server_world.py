"""A small multi-tenant world for the server tests: accounts, users, portfolios, plans, jobs.

The *victim* is the management account ``default`` with portfolio "Victim Works"
(enterprises ALI and CON); ``owner-ali`` owns ALI there. ``other-mgmt`` (a second
management company, portfolio "Other Works") and ``owner-con`` (owning CON in
Other Works) are outsiders to the victim.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from ingenio.api import create_app
from ingenio.formats.documents import read_document
from ingenio.formats.plan_file import plan_to_document
from ingenio.formats.portfolio import parse_portfolio, portfolio_to_document
from ingenio.services import auth
from ingenio.services.accounts import add_account, add_user, set_enterprise_owner
from ingenio.services.plans import make_plan, summary_document
from ingenio.store import Store

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tenancy.yaml"
PASSWORD = "correct horse battery"
VICTIM = "default"
VICTIM_NAME = "Victim Works"
OTHER_NAME = "Other Works"


CHEAP = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
CHEAP_DUMMY = CHEAP.hash("dummy password")


def fast_hashes(monkeypatch: Any) -> None:
    """Cheap argon2id parameters, for tests only (the real ones cost ~0.1 s a hash)."""
    monkeypatch.setattr(auth, "_hasher", lambda: CHEAP)
    monkeypatch.setattr(auth, "_dummy_hash", lambda: CHEAP_DUMMY)


def portfolio_document(name: str) -> dict[str, Any]:
    """The tenancy fixture as a stored document, under ``name``."""
    data = read_document(FIXTURE)
    assert isinstance(data, dict)
    data["name"] = name
    return portfolio_to_document(parse_portfolio(data, FIXTURE.name))


def fixture_text(name: str) -> str:
    """The tenancy fixture's YAML text, under ``name``."""
    text = FIXTURE.read_text(encoding="utf-8")
    return text.replace("name: Tenancy", f"name: {name}", 1)


def save_plan(store: Store, version_id: int, document: dict[str, Any], actor: str) -> int:
    """Plan a stored portfolio with dispatch and save the plan; returns its id."""
    portfolio = parse_portfolio(document, "test")
    outcome = make_plan(portfolio, "dispatch")
    saved = store.save_plan(
        portfolio_version_id=version_id,
        planner=outcome.plan.planner,
        status=outcome.plan.status,
        value=outcome.plan.value,
        bound=outcome.plan.bound,
        seconds=outcome.seconds,
        document=plan_to_document(outcome.plan, portfolio),
        summary=summary_document(outcome.summary),
        actor=actor,
    )
    return saved.id


USERS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("admin@victim.test", VICTIM, "admin", ()),
    ("planner@victim.test", VICTIM, "planner", ()),
    ("manager.p1@victim.test", VICTIM, "plant_manager", ("P1",)),
    ("auditor@victim.test", VICTIM, "auditor", ()),
    ("integrator@victim.test", VICTIM, "integrator", ()),
    ("admin@owner-ali.test", "owner-ali", "admin", ()),
    ("auditor@owner-ali.test", "owner-ali", "auditor", ()),
    ("integrator@owner-ali.test", "owner-ali", "integrator", ()),
    ("admin@other.test", "other-mgmt", "admin", ()),
    ("planner@other.test", "other-mgmt", "planner", ()),
    ("manager.p1@other.test", "other-mgmt", "plant_manager", ("P1",)),
    ("auditor@other.test", "other-mgmt", "auditor", ()),
    ("integrator@other.test", "other-mgmt", "integrator", ()),
    ("admin@owner-con.test", "owner-con", "admin", ()),
    ("auditor@owner-con.test", "owner-con", "auditor", ()),
    ("integrator@owner-con.test", "owner-con", "integrator", ()),
)
"""email, account, role, plants."""


@dataclass
class World:
    """Ids of what the world holds."""

    store: Store
    victim_portfolio: int = 0
    victim_draft: int = 0
    victim_published: int = 0
    victim_job: str = ""
    other_portfolio: int = 0
    other_draft: int = 0
    other_published: int = 0
    other_job: str = ""
    victim_token: str = ""
    victim_token_id: int = 0
    victim_suggestion: int = 0
    users: dict[str, tuple[str, str, tuple[str, ...]]] = field(default_factory=dict)


def build_world(store: Store) -> World:
    """Fill ``store`` with the world."""
    world = World(store)
    add_account(store, "other-mgmt", "Other Management", "management", "test")
    add_account(store, "owner-ali", "Owner of ALI", "owner", "test")
    add_account(store, "owner-con", "Owner of CON", "owner", "test")
    for email, account, role, plants in USERS:
        add_user(store, email, account, role, PASSWORD, plants, actor="test")
        world.users[email] = (account, role, plants)
    for account, name in ((VICTIM, VICTIM_NAME), ("other-mgmt", OTHER_NAME)):
        document = portfolio_document(name)
        pv = store.save_portfolio(name, document, actor="test", account=account)
        draft = save_plan(store, pv.id, document, "test")
        published = save_plan(store, pv.id, document, "test")
        store.move_plan(published, "approved", "draft", "test")
        store.move_plan(published, "published", "approved", "test")
        params = {"portfolio_id": pv.id, "portfolio_version": pv.version}
        params |= {"planner": "dispatch", "time_limit_s": 1.0}
        job = store.enqueue_job(account, name, "plan", params, "test")
        if account == VICTIM:
            world.victim_portfolio, world.victim_draft = pv.id, draft
            world.victim_published, world.victim_job = published, job.id
        else:
            world.other_portfolio, world.other_draft = pv.id, draft
            world.other_published, world.other_job = published, job.id
    planner = store.user_login("planner@victim.test")
    assert planner is not None
    world.victim_token, _, world.victim_token_id = auth.create_token(
        store, auth.Principal(planner[0]), "victim's", "read", 30
    )
    set_enterprise_owner(store, VICTIM, VICTIM_NAME, "ALI", "owner-ali", "test")
    set_enterprise_owner(store, "other-mgmt", OTHER_NAME, "CON", "owner-con", "test")
    return world


ORIGIN = datetime(2026, 4, 6, tzinfo=ZoneInfo("America/Havana"))
"""The tenancy fixture's horizon origin."""


def raise_suggestion(
    store: Store, account: str, name: str, plant: str = "P1", minutes: tuple[int, int] = (960, 1080)
) -> int:
    """A replan suggestion as the telemetry watcher raises it: the grid metered off at
    ``plant`` from ``minutes[0]`` (16:00 on the first day, outside the announced outages)."""
    a, b = minutes
    preview = {"plan_id": 0, "from_minute": a, "to_minute": b, "orders": ["O1"],
               "operations": [{"order": "O1", "line": f"{plant}-MIX", "minutes": b - a}],
               "text": f"1 grid-powered operation(s) on 1 line(s) lose {b - a} min"}  # fmt: skip
    start = ORIGIN + timedelta(minutes=a)
    made = store.add_suggestion(account, name, plant, start, "grid state off", preview)
    assert made is not None
    return made.id


@contextlib.contextmanager
def client_for(store: Store) -> Iterator[Any]:
    """A TestClient on a fresh app over ``store`` (no in-process worker)."""
    from starlette.testclient import TestClient

    with TestClient(create_app(store)) as client:
        yield client


def login(client: Any, email: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in; sets its X-CSRF-Token header and returns the token."""
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    csrf: str = answer.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = csrf
    return csrf
