"""The REST API's routes, on SQLite and on PostgreSQL: auth, portfolios, plan jobs, lifecycle."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from server_world import (
    PASSWORD,
    VICTIM,
    VICTIM_NAME,
    World,
    build_world,
    client_for,
    fast_hashes,
    fixture_text,
    login,
)

from ingenio.services.jobs import Worker
from ingenio.store import Store


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_hashes(monkeypatch)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


@pytest.fixture
def world(store: Store) -> World:
    return build_world(store)


@pytest.fixture
def client(store: Store) -> Iterator[Any]:
    with client_for(store) as c:
        yield c


def test_login_sets_an_httponly_lax_cookie_and_returns_a_csrf_token(world: World, client):
    answer = client.post(
        "/api/v1/auth/login", json={"email": "planner@victim.test", "password": PASSWORD}
    )
    assert answer.status_code == 200
    assert set(answer.json()) == {"csrf_token", "user"}
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert client.get("/api/v1/auth/me").json()["email"] == "planner@victim.test"


def test_wrong_password_is_401_and_does_not_say_which_part_was_wrong(world: World, client):
    wrong = client.post(
        "/api/v1/auth/login", json={"email": "planner@victim.test", "password": "nope nope"}
    )
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "nobody@victim.test", "password": "nope nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["message"] == unknown.json()["message"]
    assert client.get("/api/v1/auth/me").status_code == 401


def test_login_is_throttled_per_account_after_five_failures(world: World, client):
    for _ in range(5):
        body = {"email": "auditor@victim.test", "password": "wrong password"}
        assert client.post("/api/v1/auth/login", json=body).status_code == 401
    right = {"email": "auditor@victim.test", "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=right).status_code == 429
    other = {"email": "admin@victim.test", "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=other).status_code == 200


def test_cookie_state_change_needs_the_csrf_header_bearer_does_not(world: World, client):
    csrf = login(client, "planner@victim.test")
    del client.headers["X-CSRF-Token"]
    url = f"/api/v1/plans/{world.victim_draft}/approve"
    refused = client.post(url)
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"
    assert client.post(url, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post(url, headers={"X-CSRF-Token": csrf}).status_code == 200
    token = client.post(
        "/api/v1/tokens", json={"scope": "write"}, headers={"X-CSRF-Token": csrf}
    ).json()["token"]
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    published = client.post(f"/api/v1/plans/{world.victim_draft}/publish", headers=bearer)
    assert published.status_code == 200
    assert published.json()["state"] == "published"


def test_read_token_reads_but_cannot_write_nor_make_tokens(world: World, client):
    login(client, "planner@victim.test")
    token = client.post("/api/v1/tokens", json={"scope": "read", "days": 1}).json()["token"]
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/portfolios", headers=bearer).status_code == 200
    url = f"/api/v1/plans/{world.victim_draft}/approve"
    assert client.post(url, headers=bearer).status_code == 403
    assert client.post("/api/v1/tokens", json={}, headers=bearer).status_code == 403
    bad = {"Authorization": "Bearer ing_not-a-token"}
    assert client.get("/api/v1/portfolios", headers=bad).status_code == 401


def test_a_revoked_token_is_refused(world: World, client):
    login(client, "integrator@victim.test")
    made = client.post("/api/v1/tokens", json={"scope": "read"}).json()
    bearer = {"Authorization": f"Bearer {made['token']}"}
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    other = world.victim_token_id  # the planner's token: not the integrator's to revoke
    assert client.delete(f"/api/v1/tokens/{other}").status_code == 404
    assert client.delete(f"/api/v1/tokens/{made['id']}").status_code == 204
    client.cookies.clear()
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401


def test_logout_ends_the_session(world: World, client):
    login(client, "auditor@victim.test")
    assert client.post("/api/v1/auth/logout").status_code == 204
    client.cookies.clear()
    assert client.get("/api/v1/auth/me").status_code == 401


def test_upload_yaml_then_json_makes_versions_of_one_portfolio(world: World, client, store):
    login(client, "planner@victim.test")
    text = fixture_text("Fresh Works")
    first = client.post(
        "/api/v1/portfolios", content=text, headers={"Content-Type": "application/yaml"}
    )
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["name"] == "Fresh Works" and body["version"] == 1 and body["account"] == VICTIM
    document = client.get(f"/api/v1/portfolios/{body['id']}").json()["document"]
    again = client.post("/api/v1/portfolios", json=document)
    assert again.status_code == 201
    assert again.json()["id"] == body["id"] and again.json()["version"] == 2
    names = [p["name"] for p in client.get("/api/v1/portfolios").json()]
    assert names == ["Fresh Works", VICTIM_NAME]


def test_bad_portfolio_is_422_with_every_error_and_nothing_stored(world: World, client, store):
    login(client, "planner@victim.test")
    before = len(store.portfolio_versions(account=None))
    text = fixture_text("Broken").replace("grid_kw: 120", "grid_kw: -5")
    text = text.replace("quantity: 2000", "quantity: lots")
    answer = client.post(
        "/api/v1/portfolios", content=text, headers={"Content-Type": "application/yaml"}
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "invalid" and body["field"] == body["errors"][0]["path"]
    paths = {e["path"] for e in body["errors"]}
    assert any("grid_kw" in p for p in paths) and any("quantity" in p for p in paths)
    assert all(set(e) == {"path", "message", "value"} for e in body["errors"])
    assert len(store.portfolio_versions(account=None)) == before
    syntax = client.post(
        "/api/v1/portfolios", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert syntax.status_code == 422
    assert len(store.portfolio_versions(account=None)) == before


def test_plan_request_is_a_job_and_a_second_one_is_409(world: World, client, store):
    login(client, "planner@victim.test")
    url = f"/api/v1/portfolios/{world.other_portfolio}/plans"
    assert client.post(url, json={"planner": "dispatch"}).status_code == 404  # other tenant
    victim = f"/api/v1/portfolios/{world.victim_portfolio}/plans"
    assert client.post(victim, json={"planner": "dispatch"}).status_code == 409  # world's job
    assert client.delete(f"/api/v1/jobs/{world.victim_job}").json()["status"] == "cancelled"
    assert client.delete(f"/api/v1/jobs/{world.victim_job}").status_code == 409
    accepted = client.post(victim, json={"planner": "dispatch", "time_limit_s": 5})
    assert accepted.status_code == 202
    job_id = accepted.json()["job_id"]
    assert client.post(victim, json={"planner": "dispatch"}).status_code == 409
    job = client.get(f"/api/v1/jobs/{job_id}").json()
    assert job["status"] == "queued" and job["progress"] == 0.0 and job["result"] is None
    listed = [j["id"] for j in client.get("/api/v1/jobs").json()]
    assert job_id in listed and world.other_job not in listed
    plans_before = len(store.plans(account=VICTIM))
    worker = Worker(store, beat_s=0.2, stall_after_s=5)
    while worker.run_once():
        pass
    job = client.get(f"/api/v1/jobs/{job_id}").json()
    assert job["status"] == "succeeded" and job["progress"] == 1.0, job
    plan_id = job["result"]["plan_id"]
    assert len(store.plans(account=VICTIM)) == plans_before + 1
    document = client.get(f"/api/v1/plans/{plan_id}").json()
    _, stored = store.load_plan(plan_id)
    assert document == stored and document["ingenio_plan"] == 1
    info = client.get(f"/api/v1/plans/{plan_id}/info").json()
    assert info["state"] == "draft" and info["planner"] == "dispatch"


def test_lifecycle_draft_approved_published_and_who_sees_what(world: World, client, store):
    login(client, "planner@victim.test")
    draft = world.victim_draft
    assert client.post(f"/api/v1/plans/{draft}/publish").status_code == 409
    assert client.post(f"/api/v1/plans/{draft}/approve").json()["state"] == "approved"
    assert client.post(f"/api/v1/plans/{draft}/approve").status_code == 409
    with client_for(store) as manager:
        login(manager, "manager.p1@victim.test")
        assert manager.get(f"/api/v1/plans/{draft}").status_code == 404
        assert manager.post(f"/api/v1/plans/{draft}/publish").status_code == 404  # unseen
        assert client.post(f"/api/v1/plans/{draft}/publish").json()["state"] == "published"
        assert manager.post(f"/api/v1/plans/{draft}/approve").status_code == 403  # seen
        seen = manager.get(f"/api/v1/plans/{draft}").json()
        assert seen["operations"] and all(o["line"].startswith("P1-") for o in seen["operations"])
        assert {o["order"] for o in seen["outcomes"]} <= {"O1", "O3"}
        assert seen["bound"] is None
        listed = manager.get(f"/api/v1/portfolios/{world.victim_portfolio}/plans").json()
        assert {p["state"] for p in listed} == {"published"}
        assert all(p["value"] is None for p in listed)
        detail = manager.get(f"/api/v1/portfolios/{world.victim_portfolio}").json()
        assert detail["document"] is None and detail["plants"] == ["P1"]
    entries = [
        e
        for e in store.account_audit(VICTIM, entity="plan", entity_ids=[str(draft)])
        if e.action in ("approved", "published")
    ]
    assert [(e.action, e.actor) for e in entries] == [
        ("approved", "planner@victim.test"),
        ("published", "planner@victim.test"),
    ]


def test_owner_sees_only_its_enterprises_published_plans(world: World, client):
    login(client, "auditor@owner-ali.test")
    listed = client.get("/api/v1/portfolios").json()
    assert [(p["name"], p["enterprises"], p["plants"]) for p in listed] == [
        (VICTIM_NAME, ["ALI"], ["P1"])
    ]
    plan = client.get(f"/api/v1/plans/{world.victim_published}").json()
    assert all(o["line"].startswith("P1-") for o in plan["operations"])
    assert client.get(f"/api/v1/plans/{world.victim_draft}").status_code == 404
    assert client.get(f"/api/v1/plans/{world.other_published}").status_code == 404
    audit = client.get("/api/v1/audit").json()
    assert audit and {e["entity_id"] for e in audit} == {str(world.victim_published)}


def test_admin_manages_users_of_its_own_account_only(world: World, client):
    login(client, "admin@owner-ali.test")
    made = client.post(
        "/api/v1/users",
        json={"email": "new@owner-ali.test", "role": "auditor", "password": "long enough pw"},
    )
    assert made.status_code == 201 and made.json()["account"] == "owner-ali"
    planner = {"email": "p@owner-ali.test", "role": "planner", "password": "long enough pw"}
    assert client.post("/api/v1/users", json=planner).status_code == 422
    emails = {u["email"] for u in client.get("/api/v1/users").json()}
    assert "new@owner-ali.test" in emails and not any("victim" in e for e in emails)
    assert "password" not in made.text


def test_set_owner_by_management_admin(world: World, client, store):
    login(client, "admin@victim.test")
    url = f"/api/v1/portfolios/{world.victim_portfolio}/enterprises/CON/owner"
    answer = client.put(url, json={"owner": "owner-con"})
    assert answer.status_code == 200
    owners = {(o.enterprise_id, o.owner) for o in store.enterprise_owners(account_id=VICTIM)}
    assert owners == {("ALI", "owner-ali"), ("CON", "owner-con")}
    assert client.put(url.replace("CON", "NOPE"), json={"owner": "owner-con"}).status_code == 404


def test_no_secret_in_logs_or_errors(world: World, client, caplog):
    caplog.set_level(logging.DEBUG)
    answer = client.post(
        "/api/v1/auth/login", json={"email": "planner@victim.test", "password": PASSWORD}
    )
    session = answer.cookies.get("ingenio_session") or client.cookies.get("ingenio_session")
    csrf = answer.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = csrf
    token = client.post("/api/v1/tokens", json={}).json()["token"]
    bad = client.post("/api/v1/auth/login", json={"email": "x@y.z", "password": "s3cret-guess"})
    short = client.post("/api/v1/auth/login", json={"email": "x@y.z", "password": ""})
    assert short.status_code == 422
    texts = [caplog.text, bad.text, short.text]
    for secret in (PASSWORD, session, csrf, token, "s3cret-guess"):
        assert secret and all(secret not in t for t in texts)


def test_unknown_ids_and_routes_answer_the_error_body(world: World, client):
    login(client, "planner@victim.test")
    for url in ("/api/v1/plans/999999", "/api/v1/portfolios/999999", "/api/v1/jobs/nope"):
        answer = client.get(url)
        assert answer.status_code == 404
        assert set(answer.json()) >= {"error", "message", "field"}
    assert client.get("/api/v1/plans/abc").status_code == 422
    assert client.get("/api/v1/nowhere").json()["error"] == "not_found"


def test_an_error_answers_in_the_callers_language_with_the_same_status_and_code(
    world: World, client, store
):
    login(client, "planner@victim.test")
    english = client.get("/api/v1/plans/999999")
    russian = client.get("/api/v1/plans/999999", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    spanish = client.get("/api/v1/plans/999999", headers={"Accept-Language": "es-CU"})
    assert english.status_code == russian.status_code == spanish.status_code == 404
    assert english.json()["message"] == "no plan with id 999999"
    assert russian.json()["message"] == "нет плана с id 999999"
    assert spanish.json()["message"] == "no existe un plan con id 999999"
    for answer in (english, russian, spanish):
        body = answer.json()
        assert (body["error"], body["code"], body["field"]) == ("not_found", "plan_not_found", None)
    route = client.get("/api/v1/nowhere", headers={"Accept-Language": "ru"}).json()
    assert (route["code"], route["message"]) == ("not_found", "Не найдено")
    bad = client.get("/api/v1/plans/abc", headers={"Accept-Language": "es"})
    assert bad.status_code == 422 and bad.json()["code"] == "request_invalid"
    assert bad.json()["message"] == "1 error(es) en la solicitud"
    found = store.user_login("planner@victim.test")
    assert found is not None
    store.set_user_language(found[0].id, "ru")  # the user's own choice beats the browser's
    try:
        chosen = client.get("/api/v1/plans/999999", headers={"Accept-Language": "es"})
        assert chosen.json()["message"] == "нет плана с id 999999"
    finally:
        store.set_user_language(found[0].id, None)
    client.cookies.clear()
    denied = client.get("/api/v1/plans/1", headers={"Accept-Language": "ru"})
    assert denied.status_code == 401 and denied.json()["code"] == "unauthenticated"
    assert "войдите" in denied.json()["message"]


def test_openapi_and_docs_are_served(store: Store, client):
    answer = client.get("/openapi.json")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
    spec = answer.json()
    assert "/api/v1/portfolios/{portfolio_id}/plans" in spec["paths"]
    assert client.get("/docs").status_code == 200
    assert json.dumps(spec)


def test_whatif_is_a_job_with_what_changes(world: World, client, store):
    login(client, "planner@victim.test")
    url = f"/api/v1/portfolios/{world.victim_portfolio}/whatif"
    client.delete(f"/api/v1/jobs/{world.victim_job}")
    bad = client.post(url, json={"tanker_delays": ["NOPE=2d"]})
    assert bad.status_code == 422 and "NOPE" in bad.json()["message"]
    assert client.post(url, json={}).status_code == 422
    accepted = client.post(url, json={"generators_down": ["P1/P1-G1"], "deficit_scale": "2"})
    assert accepted.status_code == 202, accepted.text
    assert client.post(url, json={"tanker_delays": ["T1=1d"]}).status_code == 409
    worker = Worker(store, beat_s=0.2, stall_after_s=5)
    while worker.run_once():
        pass
    job = client.get(f"/api/v1/jobs/{accepted.json()['job_id']}").json()
    assert job["status"] == "succeeded", job
    result = job["result"]
    assert result["title"].startswith("What-if:") and "P1-G1" in result["title"]
    assert result["value_delta"] == result["variant_value"] - result["base_value"]
    assert isinstance(result["resumptions"], list) and result["tanker_sentences"] == []
    assert len(store.plans(VICTIM_NAME, account=VICTIM)) == 2  # a what-if saves no plan


def test_expired_sessions_are_refused_and_purged(world: World, client, store):
    from datetime import UTC, datetime, timedelta

    login(client, "auditor@victim.test")
    assert client.get("/api/v1/auth/me").status_code == 200
    later = datetime.now(UTC) + timedelta(days=1)
    store.purge_expired(later, later)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_an_id_past_the_stores_integers_is_a_422_not_an_overflow(world: World, client):
    login(client, "planner@victim.test")
    huge = 2**63  # past SQLite's integers; PostgreSQL's INTEGER keys end at 2**31 - 1
    for url in (f"/api/v1/plans/{huge}", f"/api/v1/portfolios/{huge}"):
        assert client.get(url).status_code == 422, url
    assert client.get(f"/api/v1/plans/{2**31}").status_code == 422
    assert client.get(f"/api/v1/plans/{2**31 - 1}").status_code == 404
    assert client.get("/api/v1/plans/0").status_code == 422
