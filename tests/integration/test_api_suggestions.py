"""Replan suggestions over the API (SQLite and PostgreSQL): listed for the caller's plants
of its own account, accepted (a draft replan, audited) or dismissed by a planner only."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from server_world import (
    VICTIM,
    VICTIM_NAME,
    World,
    build_world,
    client_for,
    fast_hashes,
    login,
    raise_suggestion,
)

from ingenio.store import Store

P = "/api/v1"


@pytest.fixture
def world(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    fast_hashes(monkeypatch)
    with Store.open(store_url) as store:
        yield build_world(store)


def test_suggestions_are_scoped_and_only_a_planner_decides(world: World) -> None:
    store = world.store
    on_p1 = raise_suggestion(store, VICTIM, VICTIM_NAME, "P1")
    on_p2 = raise_suggestion(store, VICTIM, VICTIM_NAME, "P2", (1500, 1560))
    elsewhere = raise_suggestion(store, "other-mgmt", "Other Works", "P1")
    base = f"{P}/portfolios/{world.victim_portfolio}/suggestions"
    with client_for(store) as client:
        login(client, "planner@victim.test")
        listed = client.get(base).json()
        assert [(s["id"], s["plant"], s["status"]) for s in listed] == [
            (on_p2, "P2", "open"),
            (on_p1, "P1", "open"),
        ]  # newest first; the other tenant's suggestion is not there
        assert listed[1]["orders"] == ["O1"] and listed[1]["operations"][0]["minutes"] == 120
        assert client.get(f"{base}/{elsewhere}/accept").status_code == 405
        assert client.post(f"{base}/{elsewhere}/accept").status_code == 404
        assert client.get(f"{base}?status=nonsense").status_code == 422

        login(client, "manager.p1@victim.test")
        assert [s["id"] for s in client.get(base).json()] == [on_p1]  # its plant only
        assert client.post(f"{base}/{on_p1}/accept").status_code == 403
        assert client.post(f"{base}/{on_p2}/accept").status_code == 404  # not its plant
        login(client, "auditor@owner-ali.test")  # an owner: another tenant
        assert client.get(base).status_code == 404

        login(client, "planner@victim.test")
        plans = {p.id for p in store.plans(account=VICTIM)}
        done = client.post(f"{base}/{on_p1}/accept")
        assert done.status_code == 200, done.text
        body = done.json()
        new = {p.id for p in store.plans(account=VICTIM)} - plans
        assert new == {body["plan_id"]} and body["suggestion"]["status"] == "accepted"
        assert body["suggestion"]["plan_id"] == body["plan_id"]
        assert store.plan_states([body["plan_id"]])[body["plan_id"]].state == "draft"
        assert client.post(f"{base}/{on_p1}/accept").status_code == 409
        before = raise_suggestion(store, VICTIM, VICTIM_NAME, "P1", (-600, -500))
        refused = client.post(f"{base}/{before}/accept")  # before the plan's horizon
        assert refused.status_code == 409 and "outside the plan's horizon" in refused.text
        assert client.post(f"{base}/{on_p2}/dismiss", json={"reason": ""}).status_code == 422
        why = {"reason": "a breaker tripped, not the grid"}
        dismissed = client.post(f"{base}/{on_p2}/dismiss", json=why)
        assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
        assert [s["id"] for s in client.get(f"{base}?status=open").json()] == [before]
    audit = {(e.action, e.entity_id): e for e in store.account_audit(VICTIM, "replan_suggestion")}
    assert "metered grid loss" in audit[("accepted", str(on_p1))].detail["reason"]
    assert audit[("dismissed", str(on_p2))].detail["reason"] == why["reason"]
    assert audit[("dismissed", str(on_p2))].actor == "planner@victim.test"
    assert {s.id for s in store.suggestions("open")} == {elsewhere, before}  # untouched


def test_two_quick_accepts_save_one_draft(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double click on Accept: the second request comes while the first still replans.
    Only the first saves a draft; the second is a conflict (two servers on one store)."""
    import ingenio.services.suggestions as suggestions

    store = world.store
    sid = raise_suggestion(store, VICTIM, VICTIM_NAME, "P1")
    url = f"{P}/portfolios/{world.victim_portfolio}/suggestions/{sid}/accept"
    replanning, release = threading.Event(), threading.Event()
    real = suggestions.replan

    def held(*args: Any, **kwargs: Any) -> Any:
        replanning.set()
        release.wait(30)  # until the second click has had its answer
        return real(*args, **kwargs)

    monkeypatch.setattr(suggestions, "replan", held)
    plans = {p.id for p in store.plans(account=VICTIM)}
    first: list[Any] = []
    with client_for(store) as one, client_for(store) as two:
        login(one, "planner@victim.test")
        login(two, "planner@victim.test")
        clicking = threading.Thread(target=lambda: first.append(one.post(url)))
        clicking.start()
        try:
            assert replanning.wait(30)
            second = two.post(url)
        finally:
            release.set()
            clicking.join(60)
    assert second.status_code == 409 and "already accepted" in second.text
    assert first[0].status_code == 200, first[0].text
    new = {p.id for p in store.plans(account=VICTIM)} - plans
    assert new == {first[0].json()["plan_id"]}  # one draft
    [decided] = [s for s in store.suggestions() if s.id == sid]
    assert (decided.status, decided.plan_id) == ("accepted", first[0].json()["plan_id"])
    accepted = [e for e in store.account_audit(VICTIM, "replan_suggestion")
                if e.action == "accepted" and e.entity_id == str(sid)]  # fmt: skip
    assert len(accepted) == 1 and accepted[0].actor == "planner@victim.test"


def test_accepts_at_once_save_one_draft_and_a_failed_replan_reopens(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four accepts released together: one draft. A replan that fails leaves the
    suggestion open, to accept again."""
    import ingenio.services.suggestions as suggestions

    store = world.store
    sid = raise_suggestion(store, VICTIM, VICTIM_NAME, "P1")
    url = f"{P}/portfolios/{world.victim_portfolio}/suggestions/{sid}/accept"
    plans = {p.id for p in store.plans(account=VICTIM)}

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the solver fell over")

    with monkeypatch.context() as patch:
        patch.setattr(suggestions, "replan", broken)
        with client_for(store) as client, pytest.raises(RuntimeError):
            login(client, "planner@victim.test")
            client.post(url)
    [again] = [s for s in store.suggestions() if s.id == sid]
    assert (again.status, again.plan_id) == ("open", None)

    start = threading.Barrier(4)
    codes: list[int] = []
    with contextlib.ExitStack() as stack:
        clients = [stack.enter_context(client_for(store)) for _ in range(4)]
        unknown = f"{P}/portfolios/{world.victim_portfolio}/suggestions/999999/accept"
        for client in clients:  # signed in and warmed up first: only the clicks race
            login(client, "planner@victim.test")
            assert client.post(unknown).status_code == 404

        def click(client: Any) -> None:
            start.wait(120)
            codes.append(client.post(url).status_code)

        clicks = [threading.Thread(target=click, args=(c,)) for c in clients]
        for t in clicks:
            t.start()
        for t in clicks:
            t.join(300)
    assert sorted(codes) == [200, 409, 409, 409]
    assert len({p.id for p in store.plans(account=VICTIM)} - plans) == 1
