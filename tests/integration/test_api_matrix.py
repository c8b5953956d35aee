"""Role x tenant matrix: every route of the OpenAPI document, tried by every user of the world.

Each route on the victim's resources is called by every user who may not use it
(every role of the other tenants, and the wrong roles of the victim's own
account): not one of them reads or writes anything. The route list comes from
the OpenAPI document, so a new route fails this test until it is given a rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from server_world import (
    PASSWORD,
    USERS,
    VICTIM,
    VICTIM_NAME,
    World,
    build_world,
    fast_hashes,
    fixture_text,
    raise_suggestion,
)
from starlette.testclient import TestClient

from ingenio.api import create_app
from ingenio.services.auth import digest
from ingenio.store import Store

P = "/api/v1"
VICTIM_READERS = frozenset(
    {"admin@victim.test", "planner@victim.test", "auditor@victim.test", "integrator@victim.test"}
)
"""Who may read the victim's drafts, portfolio documents and jobs."""

PUBLISHED_READERS = VICTIM_READERS | {
    "manager.p1@victim.test",
    "admin@owner-ali.test",
    "auditor@owner-ali.test",
    "integrator@owner-ali.test",
}
"""Who may read the victim's published plan (cut to their plants)."""

PLANNER = frozenset({"planner@victim.test"})
MANAGER = frozenset({"manager.p1@victim.test"})
ACTUALS_WRITERS = PLANNER | MANAGER
"""Who may record the victim's actuals (the plant manager: for P1 only)."""

RULES: dict[tuple[str, str], dict[str, frozenset[str]]] = {
    ("get", f"{P}/portfolios/{{portfolio_id}}"): {"": PUBLISHED_READERS},
    ("get", f"{P}/portfolios/{{portfolio_id}}/plans"): {"": PUBLISHED_READERS},
    ("post", f"{P}/portfolios/{{portfolio_id}}/plans"): {"": PLANNER},
    ("post", f"{P}/portfolios/{{portfolio_id}}/whatif"): {"": PLANNER},
    ("put", f"{P}/portfolios/{{portfolio_id}}/enterprises/{{enterprise_id}}/owner"): {
        "": frozenset({"admin@victim.test"})
    },
    ("get", f"{P}/plans/{{plan_id}}"): {"draft": VICTIM_READERS, "published": PUBLISHED_READERS},
    ("get", f"{P}/plans/{{plan_id}}/info"): {
        "draft": VICTIM_READERS,
        "published": PUBLISHED_READERS,
    },
    ("post", f"{P}/plans/{{plan_id}}/approve"): {"draft": PLANNER, "published": PLANNER},
    ("post", f"{P}/plans/{{plan_id}}/publish"): {"draft": PLANNER, "published": PLANNER},
    ("post", f"{P}/portfolios/{{portfolio_id}}/actuals"): {"": ACTUALS_WRITERS},
    ("post", f"{P}/portfolios/{{portfolio_id}}/actuals/import"): {"": ACTUALS_WRITERS},
    ("get", f"{P}/portfolios/{{portfolio_id}}/actuals"): {"": PUBLISHED_READERS},
    ("get", f"{P}/portfolios/{{portfolio_id}}/kpis"): {"": PUBLISHED_READERS},
    ("post", f"{P}/portfolios/{{portfolio_id}}/scenarios"): {"": PLANNER},
    ("post", f"{P}/plans/{{plan_id}}/replan"): {"draft": PLANNER, "published": ACTUALS_WRITERS},
    ("post", f"{P}/plans/{{plan_id}}/acknowledge"): {"draft": frozenset(), "published": MANAGER},
    ("get", f"{P}/plans/{{plan_id}}/acknowledgements"): {
        "draft": VICTIM_READERS,
        "published": PUBLISHED_READERS,
    },
    ("get", f"{P}/portfolios/{{portfolio_id}}/suggestions"): {"": VICTIM_READERS | MANAGER},
    ("post", f"{P}/portfolios/{{portfolio_id}}/suggestions/{{suggestion_id}}/accept"): {
        "": PLANNER
    },
    ("post", f"{P}/portfolios/{{portfolio_id}}/suggestions/{{suggestion_id}}/dismiss"): {
        "": PLANNER
    },
    ("get", f"{P}/jobs/{{job_id}}"): {"": VICTIM_READERS},
    ("delete", f"{P}/jobs/{{job_id}}"): {"": PLANNER},
    ("delete", f"{P}/tokens/{{token_id}}"): {"": PLANNER},
}
"""Routes on one of the victim's resources: who may use them (by plan variant)."""

OWN_ACCOUNT_ROUTES = frozenset(
    {
        ("get", f"{P}/auth/me"),
        ("post", f"{P}/tokens"),
        ("get", f"{P}/portfolios"),
        ("post", f"{P}/portfolios"),
        ("get", f"{P}/users"),
        ("post", f"{P}/users"),
        ("get", f"{P}/audit"),
        ("get", f"{P}/jobs"),
    }
)
"""Routes that act on the caller's own account: an outsider's answer must hold no victim data."""

PUBLIC_ROUTES = frozenset(
    {("post", f"{P}/auth/login"), ("post", f"{P}/auth/logout"), ("get", "/healthz")}
)
"""Sign-in, sign-out (tested in the route tests) and the liveness probe."""


@pytest.fixture
def world(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    fast_hashes(monkeypatch)
    with Store.open(store_url) as store:
        world = build_world(store)
        world.victim_suggestion = raise_suggestion(store, VICTIM, VICTIM_NAME)
        yield world


def _snapshot(store: Store, world: World) -> dict[str, Any]:
    """Everything of the victim's that a write could change."""
    plans = store.plans(account=VICTIM)
    job = store.job(world.victim_job)
    return {
        "portfolios": [(v.id, v.version) for v in store.portfolio_versions(account=VICTIM)],
        "plans": [p.id for p in plans],
        "states": {k: v.state for k, v in store.plan_states([p.id for p in plans]).items()},
        "job": None if job is None else (job.status, job.cancel_requested),
        "owners": sorted(
            (o.portfolio_name, o.enterprise_id, o.owner)
            for o in store.enterprise_owners(account_id=VICTIM)
        ),
        "users": [(u.email, u.role) for u in store.users(VICTIM)],
        "audit": len(store.account_audit(VICTIM)),
        "token": store.token_user(digest(world.victim_token), datetime.now(UTC)) is not None,
        "actuals": store.actuals_counts(),
        "acks": [store.plan_acks(p.id) for p in plans],
        "jobs": [j.id for j in store.jobs(VICTIM, 500)],
        "suggestions": [(s.id, s.status, s.plan_id) for s in store.suggestions()],
    }


PRODUCTION_CSV = (
    "line,product,order,good_qty,scrap_qty,start,end\n"
    "P1-MIX,BREAD,O1,{n},0,2026-04-06T06:00-04:00,2026-04-06T07:00-04:00\n"
)


def _body(method: str, path: str, n: int) -> dict[str, Any]:
    if path.endswith("/actuals") and method == "post":
        record = {"line": "P1-MIX", "product": "BREAD", "order": "O1", "good_qty": 10 + n}
        record |= {"start": "2026-04-06T06:00:00-04:00", "end": "2026-04-06T07:00:00-04:00"}
        draw = {"generator": "P1-G1", "litres": 5, "at": "2026-04-06T06:00:00-04:00"}
        return {"json": {"production": [record], "fuel_draws": [draw]}}
    if path.endswith("/actuals/import"):
        return {"content": PRODUCTION_CSV.format(n=10 + n), "headers": {"Content-Type": "text/csv"}}
    if path.endswith("/replan"):
        return {"json": {"plant": "P1", "at": "2026-04-07T08:00:00-04:00", "frozen_hours": 1}}
    if path.endswith("/dismiss"):
        return {"json": {"reason": "a breaker, not the grid"}}
    if path.endswith("/scenarios"):
        return {"json": {"samples": 2}}
    if path.endswith("/plans") and method == "post":
        return {"json": {"planner": "dispatch", "time_limit_s": 1}}
    if path.endswith("/whatif"):
        return {"json": {"tanker_delays": ["T1=1d"]}}
    if path.endswith("/owner"):
        return {"json": {"owner": "owner-con"}}
    if path == f"{P}/users" and method == "post":
        return {"json": {"email": f"u{n}@intruder.test", "role": "auditor", "password": "x" * 12}}
    if path == f"{P}/portfolios" and method == "post":
        return {
            "content": fixture_text(f"Intruder Works {n}"),
            "headers": {"Content-Type": "application/yaml"},
        }
    if path == f"{P}/tokens":
        return {"json": {"scope": "read"}}
    return {}


def _url(path: str, world: World, variant: str) -> str:
    plan = world.victim_published if variant == "published" else world.victim_draft
    query = "?from=2026-04-06&to=2026-04-12" if path.endswith(("/actuals", "/kpis")) else ""
    url = (
        path.replace("{portfolio_id}", str(world.victim_portfolio))
        .replace("{plan_id}", str(plan))
        .replace("{job_id}", world.victim_job)
        .replace("{enterprise_id}", "CON")
        .replace("{token_id}", str(world.victim_token_id))
        .replace("{suggestion_id}", str(world.victim_suggestion))
    )
    return url + query


def test_no_role_of_another_tenant_nor_a_wrong_role_reads_or_writes(world: World) -> None:
    app = create_app(world.store)
    clients: dict[str, TestClient] = {}
    with TestClient(app) as probe:
        spec = probe.get("/openapi.json").json()
        for email, *_ in USERS:
            client = TestClient(app)
            answer = client.post(f"{P}/auth/login", json={"email": email, "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
            clients[email] = client
    routes = {(m, path) for path, item in spec["paths"].items() for m in item}
    unruled = routes - set(RULES) - OWN_ACCOUNT_ROUTES - PUBLIC_ROUTES
    assert not unruled, f"give these routes a rule in the matrix: {sorted(unruled)}"
    before = _snapshot(world.store, world)
    calls = refused = allowed_reads = 0
    breaches: list[str] = []
    for (method, path), variants in sorted(RULES.items()):
        for variant, allowed in variants.items():
            url = _url(path, world, variant)
            for email, client in clients.items():
                if email in allowed:
                    if method == "get":  # positive control: the route does work
                        answer = client.get(url)
                        assert answer.status_code == 200, (email, url, answer.text)
                        allowed_reads += 1
                    continue
                answer = client.request(method.upper(), url, **_body(method, path, calls))
                calls += 1
                if answer.status_code >= 500 or answer.status_code < 400:
                    breaches.append(f"{email} {method.upper()} {url} -> {answer.status_code}")
                else:
                    refused += 1
    outsiders = [e for e, (account, _, _) in world.users.items() if account != VICTIM]
    outsiders = [e for e in outsiders if not e.endswith("@owner-ali.test")]
    for method, path in sorted(OWN_ACCOUNT_ROUTES):
        for email in outsiders:
            answer = clients[email].request(method.upper(), path, **_body(method, path, calls))
            calls += 1
            if answer.status_code >= 500:
                breaches.append(f"{email} {method.upper()} {path} -> {answer.status_code}")
            if VICTIM_NAME in answer.text or "@victim.test" in answer.text:
                breaches.append(f"{email} {method.upper()} {path} shows the victim's data")
    assert not breaches, "\n".join(breaches)
    assert _snapshot(world.store, world) == before, "a refused call changed the victim's data"
    assert refused > 100 and allowed_reads > 20
    for email, client in clients.items():  # the refusals were not a dead session's
        assert client.get(f"{P}/auth/me").json()["email"] == email
        client.close()
