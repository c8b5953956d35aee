"""Tenancy scoping in the services, on changes: uploads, plan lifecycle, a new version that
moves a plant to another enterprise. Each test on a world of its own (``tests/server_world.py``
in SQLite); the read-only scoping tests are in ``test_tenancy.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_world import (
    VICTIM,
    VICTIM_NAME,
    World,
    build_world,
    fast_hashes,
    fixture_text,
    portfolio_document,
)
from test_tenancy import not_found, who

from ingenio.errors import IngenioError
from ingenio.services.auth import AccessDenied
from ingenio.services.tenancy import (
    approve_plan,
    create_portfolio,
    find_plan,
    plan_document,
    plans_of,
    portfolios,
    publish_plan,
)
from ingenio.store import Store


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    fast_hashes(monkeypatch)
    with Store.open(f"sqlite:///{(tmp_path / 'store.sqlite').as_posix()}") as store:
        yield build_world(store)


def test_an_owner_sees_a_plan_cut_to_the_plants_it_owned_in_that_plans_version(
    fresh: World,
) -> None:
    # Version 2 of Victim Works moves P2 into ALI: owner-ali now sees P1 and P2 in the
    # portfolio, but the plan made on version 1 still shows it P1 only.
    store = fresh.store
    document = portfolio_document(VICTIM_NAME)
    document["plants"] = [
        {**p, "enterprise": "ALI"} if p["id"] == "P2" else p for p in document["plants"]
    ]
    store.save_portfolio(VICTIM_NAME, document, actor="test", account=VICTIM)
    owner = who(store, "auditor@owner-ali.test")
    (view,) = portfolios(store, owner)
    assert (view.id, view.latest.version, view.plants) == (
        fresh.victim_portfolio,
        2,
        frozenset({"P1", "P2"}),
    )
    found = find_plan(store, owner, fresh.victim_published)
    assert found.plants == frozenset({"P1"})
    lines = {o["line"] for o in plan_document(store, owner, fresh.victim_published)["operations"]}
    assert lines == {"P1-MIX", "P1-OVEN"}


def test_an_upload_is_a_new_version_of_the_portfolio_of_that_name_in_yaml_or_json(
    fresh: World,
) -> None:
    store = fresh.store
    planner = who(store, "planner@victim.test")
    text = fixture_text(VICTIM_NAME).encode("utf-8")
    view = create_portfolio(store, planner, text, "application/yaml")
    assert (view.id, view.name, view.latest.version) == (fresh.victim_portfolio, VICTIM_NAME, 2)
    as_json = json.dumps(portfolio_document(VICTIM_NAME)).encode("utf-8")
    view = create_portfolio(store, planner, as_json, "application/json; charset=utf-8")
    assert (view.id, view.latest.version) == (fresh.victim_portfolio, 3)
    new = create_portfolio(store, planner, fixture_text("New Works").encode(), "text/yaml")
    (first,) = store.portfolio_versions("New Works", account=VICTIM)
    assert (new.id, new.latest.version, new.full) == (first.id, 1, True)


def test_an_upload_over_five_million_bytes_is_refused_before_it_is_read(fresh: World) -> None:
    store = fresh.store
    planner = who(store, "planner@victim.test")
    with pytest.raises(IngenioError, match=r"^the document is not UTF-8 text$"):
        create_portfolio(store, planner, b"\xff" * 5_000_000, "application/yaml")
    with pytest.raises(IngenioError, match=r"^the document is larger than 5000000 bytes$"):
        create_portfolio(store, planner, b"\xff" * 5_000_001, "application/yaml")


def test_a_bad_upload_says_every_issue_and_stores_nothing(fresh: World) -> None:
    store = fresh.store
    planner = who(store, "planner@victim.test")
    before = store.portfolio_versions(account=VICTIM)
    bad = fixture_text(VICTIM_NAME).replace("grid_kw: 120", "grid_kw: -5")
    bad = bad.replace("rate_per_hour: 400", "rate_per_hour: 0")
    with pytest.raises(IngenioError) as caught:
        create_portfolio(store, planner, bad.encode(), "application/yaml")
    assert caught.value.kind == "invalid" and len(caught.value.issues) >= 2
    assert str(caught.value).endswith("error(s) in the portfolio; nothing was stored")
    assert store.portfolio_versions(account=VICTIM) == before
    with pytest.raises(AccessDenied):
        create_portfolio(store, who(store, "auditor@victim.test"), bad.encode(), "text/yaml")


def test_a_planner_approves_then_publishes_and_only_then_a_plant_manager_sees_the_plan(
    fresh: World,
) -> None:
    store, draft = fresh.store, fresh.victim_draft
    planner, manager = who(store, "planner@victim.test"), who(store, "manager.p1@victim.test")
    with pytest.raises(IngenioError) as caught:  # a draft cannot be published
        publish_plan(store, planner, draft)
    assert caught.value.kind == "conflict"
    approved = approve_plan(store, planner, draft)
    assert (approved.plan.id, approved.state, approved.plants) == (draft, "approved", None)
    assert not_found(approve_plan, store, manager, draft)  # unseen: not found, not forbidden
    published = publish_plan(store, planner, draft)
    assert (published.state, published.portfolio_id) == ("published", fresh.victim_portfolio)
    assert draft in [p.plan.id for p in plans_of(store, manager, fresh.victim_portfolio)]
    with pytest.raises(AccessDenied) as denied:  # seen now, but not the manager's to approve
        approve_plan(store, manager, draft)
    assert denied.value.reason == "forbidden"
    assert find_plan(store, manager, draft).state == "published"
