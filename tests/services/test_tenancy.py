"""Tenancy scoping in the services (``ingenio.services.tenancy``), called directly on SQLite:
who sees which portfolios, plans, plants and audit entries, by account and role.

The world is ``tests/server_world.py`` (the victim ``default`` with "Victim Works", its
owner ``owner-ali`` of enterprise ALI = plant P1; ``other-mgmt`` with "Other Works" and
its owner ``owner-con`` of CON = plant P2) plus, here, a second victim portfolio "Second
Works" that no owner owns, and an "other-mgmt" portfolio that is *also* named "Victim
Works" (two tenants may use the same name). Lines P1-MIX, P1-OVEN (P1), P2-CAN (P2);
orders O1, O3 (P1) and O2 (P2); generator P1-G1.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from server_world import (
    VICTIM,
    VICTIM_NAME,
    World,
    build_world,
    fast_hashes,
    portfolio_document,
    save_plan,
)

from ingenio.errors import IngenioError
from ingenio.services.auth import AccessDenied, Principal
from ingenio.services.tenancy import (
    audit_log,
    cut_document,
    find_plan,
    find_portfolio,
    plan_document,
    plan_json,
    plans_of,
    portfolios,
    structure_of,
)
from ingenio.services.tenancy import (
    portfolio_document as read_portfolio_document,
)
from ingenio.store import Store


@dataclass
class Extra:
    """What this module adds to the world."""

    world: World
    second_portfolio: int
    second_published: int
    namesake_portfolio: int
    namesake_draft: int


def _publish(store: Store, plan_id: int) -> None:
    store.move_plan(plan_id, "approved", "draft", "test")
    store.move_plan(plan_id, "published", "approved", "test")


def extend(store: Store) -> Extra:
    world = build_world(store)
    second = portfolio_document("Second Works")
    sv = store.save_portfolio("Second Works", second, actor="test", account=VICTIM)
    second_published = save_plan(store, sv.id, second, "test")
    _publish(store, second_published)
    namesake = portfolio_document(VICTIM_NAME)
    nv = store.save_portfolio(VICTIM_NAME, namesake, actor="test", account="other-mgmt")
    namesake_draft = save_plan(store, nv.id, namesake, "test")
    return Extra(world, sv.id, second_published, nv.id, namesake_draft)


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Extra]:
    path = tmp_path_factory.mktemp("tenancy") / "store.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        fast_hashes(mp)
        with Store.open(f"sqlite:///{path.as_posix()}") as store:
            yield extend(store)


def who(store: Store, email: str) -> Principal:
    found = store.user_login(email)
    assert found is not None
    return Principal(found[0])


def not_found(call: Any, *args: Any) -> bool:
    with pytest.raises(IngenioError) as caught:
        call(*args)
    return caught.value.kind == "not_found" and not isinstance(caught.value, AccessDenied)


# --- the plant structure of a document, and a plan cut to plants --------------------------


def test_structure_maps_each_line_generator_order_and_plant_to_its_owner() -> None:
    found = structure_of(portfolio_document("Structure"), "structure-test-key")
    assert found.line_plant == {"P1-MIX": "P1", "P1-OVEN": "P1", "P2-CAN": "P2"}
    assert found.generator_plant == {"P1-G1": "P1"}
    assert found.order_plant == {"O1": "P1", "O2": "P2", "O3": "P1"}
    assert found.plant_enterprise == {"P1": "ALI", "P2": "CON"}
    assert found.enterprises == ("ALI", "CON")
    # asked again (from the cache): the same answer
    assert structure_of(portfolio_document("Structure"), "structure-test-key") == found


def test_a_plan_cut_to_a_plant_keeps_only_its_work_and_the_value_of_its_orders() -> None:
    structure = structure_of(portfolio_document("Cut"), "cut-test-key")
    document = {
        "planner": "dispatch",
        "bound": 900.0,
        "value_over_bound": 0.5,
        "value": 450.0,
        "notes": ["first note"],
        "operations": [{"line": "P1-MIX", "n": 1}, {"line": "P2-CAN", "n": 2}],
        "generator_runs": [{"generator": "P1-G1"}, {"generator": "P2-G9"}],
        "fuel_transfers": [{"plant": "P1", "litres": 5}, {"plant": "P2", "litres": 7}],
        "battery_flows": [{"battery": "B-ELSEWHERE", "kw": 10.0}],
        "outcomes": [
            {"order": "O1", "value": 100.0},
            {"order": "O2", "value": 300.0},
            {"order": "O3", "value": 50.0},
        ],
    }
    # P1 runs O1 and O3: 100 + 50 = 150; the portfolio-wide bound says nothing of P1 alone.
    assert cut_document(document, structure, frozenset({"P1"})) == {
        "planner": "dispatch",
        "bound": None,
        "value_over_bound": None,
        "value": 150.0,
        "notes": ["first note", "cut to plants P1"],
        "operations": [{"line": "P1-MIX", "n": 1}],
        "generator_runs": [{"generator": "P1-G1"}],
        "fuel_transfers": [{"plant": "P1", "litres": 5}],
        "battery_flows": [],  # a battery of no plant in the cut
        "outcomes": [{"order": "O1", "value": 100.0}, {"order": "O3", "value": 50.0}],
    }


# --- portfolios --------------------------------------------------------------------------


SEEN = {
    # email: [(name, account, plants (None: all), whole document readable, enterprises)]
    "planner@victim.test": [
        ("Second Works", VICTIM, None, True, ("ALI", "CON")),
        (VICTIM_NAME, VICTIM, None, True, ("ALI", "CON")),
    ],
    "admin@victim.test": [
        ("Second Works", VICTIM, None, True, ("ALI", "CON")),
        (VICTIM_NAME, VICTIM, None, True, ("ALI", "CON")),
    ],
    "manager.p1@victim.test": [
        ("Second Works", VICTIM, frozenset({"P1"}), False, ("ALI",)),
        (VICTIM_NAME, VICTIM, frozenset({"P1"}), False, ("ALI",)),
    ],
    "auditor@owner-ali.test": [(VICTIM_NAME, VICTIM, frozenset({"P1"}), False, ("ALI",))],
    "admin@owner-con.test": [("Other Works", "other-mgmt", frozenset({"P2"}), False, ("CON",))],
    "planner@other.test": [
        ("Other Works", "other-mgmt", None, True, ("ALI", "CON")),
        (VICTIM_NAME, "other-mgmt", None, True, ("ALI", "CON")),
    ],
}


@pytest.mark.parametrize("email", sorted(SEEN))
def test_each_principal_sees_the_portfolios_of_its_own_scope(extra: Extra, email: str) -> None:
    store = extra.world.store
    views = portfolios(store, who(store, email))
    assert [(v.name, v.account, v.plants, v.full, v.enterprises) for v in views] == SEEN[email]
    ids = {(v.account, v.name): v.id for v in views}
    if (VICTIM, VICTIM_NAME) in ids:
        assert ids[(VICTIM, VICTIM_NAME)] == extra.world.victim_portfolio
    for v in views:
        assert find_portfolio(store, who(store, email), v.id) == v


def test_a_portfolio_of_another_tenant_is_not_found(extra: Extra) -> None:
    store, world = extra.world.store, extra.world
    victim, other = who(store, "planner@victim.test"), who(store, "planner@other.test")
    assert not_found(find_portfolio, store, victim, world.other_portfolio)
    assert not_found(find_portfolio, store, other, world.victim_portfolio)
    owner_con = who(store, "admin@owner-con.test")
    assert not_found(find_portfolio, store, owner_con, world.victim_portfolio)
    # an owner does not see the account's portfolios where it owns no enterprise
    owner_ali = who(store, "auditor@owner-ali.test")
    assert not_found(find_portfolio, store, owner_ali, extra.second_portfolio)


def test_only_full_readers_get_the_portfolio_document(extra: Extra) -> None:
    store = extra.world.store
    planner = who(store, "planner@victim.test")
    view = find_portfolio(store, planner, extra.world.victim_portfolio)
    _, stored = store.load_portfolio(VICTIM_NAME, view.latest.version, account=VICTIM)
    assert read_portfolio_document(store, planner, view) == stored
    manager = who(store, "manager.p1@victim.test")
    seen = find_portfolio(store, manager, extra.world.victim_portfolio)
    with pytest.raises(AccessDenied) as caught:
        read_portfolio_document(store, manager, seen)
    assert caught.value.reason == "forbidden"


# --- plans -------------------------------------------------------------------------------


def test_drafts_are_listed_for_the_management_readers_only(extra: Extra) -> None:
    store, world = extra.world.store, extra.world
    both = [(world.victim_draft, "draft"), (world.victim_published, "published")]
    published = [(world.victim_published, "published")]
    expected = {
        "planner@victim.test": both,
        "auditor@victim.test": both,
        "manager.p1@victim.test": published,
        "auditor@owner-ali.test": published,
    }
    for email, plans in expected.items():
        found = plans_of(store, who(store, email), world.victim_portfolio)
        assert [(p.plan.id, p.state) for p in found] == plans, email
        assert {p.portfolio_id for p in found} == {world.victim_portfolio}


FIND = {
    # email: {plan attribute: plants seen, or None when not found}
    "planner@victim.test": {"victim_draft": "all", "victim_published": "all", "other_draft": None},
    "manager.p1@victim.test": {"victim_draft": None, "victim_published": {"P1"}},
    "auditor@owner-ali.test": {"victim_draft": None, "victim_published": {"P1"}},
    "admin@owner-con.test": {"victim_published": None, "other_published": {"P2"}},
    "planner@other.test": {"victim_draft": None, "victim_published": None, "other_draft": "all"},
}


@pytest.mark.parametrize("email", sorted(FIND))
def test_a_plan_is_found_only_in_scope_and_cut_to_the_plants_seen(extra: Extra, email: str) -> None:
    store, world = extra.world.store, extra.world
    principal = who(store, email)
    for attribute, plants in FIND[email].items():
        plan_id = getattr(world, attribute)
        if plants is None:
            assert not_found(find_plan, store, principal, plan_id), (email, attribute)
            continue
        view = find_plan(store, principal, plan_id)
        assert view.plan.id == plan_id
        assert view.plants == (None if plants == "all" else frozenset(plants))
        owner = world.victim_portfolio if attribute.startswith("victim") else world.other_portfolio
        assert view.portfolio_id == owner


def test_another_tenant_with_a_portfolio_of_the_same_name_cannot_reach_the_victims_plans(
    extra: Extra,
) -> None:
    store, world = extra.world.store, extra.world
    other = who(store, "planner@other.test")
    assert not_found(find_plan, store, other, world.victim_draft)
    assert not_found(plan_document, store, other, world.victim_published)
    # and the victim's planner finds its own plans in its own portfolio, not the namesake's
    view = find_plan(store, who(store, "planner@victim.test"), world.victim_draft)
    assert view.portfolio_id == world.victim_portfolio
    assert not_found(find_plan, store, who(store, "planner@victim.test"), extra.namesake_draft)
    assert not_found(find_plan, store, who(store, "planner@victim.test"), 10**6)


def test_an_owner_sees_only_the_published_plans_of_portfolios_it_owns_in(extra: Extra) -> None:
    store = extra.world.store
    owner_ali = who(store, "auditor@owner-ali.test")
    assert not_found(find_plan, store, owner_ali, extra.second_published)
    manager = who(store, "manager.p1@victim.test")
    assert find_plan(store, manager, extra.second_published).plants == frozenset({"P1"})


def test_a_plant_manager_reads_the_plan_cut_to_its_plants_and_a_planner_reads_it_whole(
    extra: Extra,
) -> None:
    store, world = extra.world.store, extra.world
    _, stored = store.load_plan(world.victim_published)
    planner = who(store, "planner@victim.test")
    assert plan_document(store, planner, world.victim_published) == stored
    structure = structure_of(portfolio_document(VICTIM_NAME), "victim-structure")
    cut = cut_document(stored, structure, frozenset({"P1"}))
    assert {o["line"] for o in cut["operations"]} == {"P1-MIX", "P1-OVEN"}
    assert {o["order"] for o in cut["outcomes"]} == {"O1", "O3"}
    for email in ("manager.p1@victim.test", "auditor@owner-ali.test"):
        assert plan_document(store, who(store, email), world.victim_published) == cut


def test_plan_json_is_the_plan_document_for_each_reader_also_when_cached(extra: Extra) -> None:
    import json

    store, world = extra.world.store, extra.world
    plan_id = world.victim_published
    for _ in range(2):  # the second time from the cache
        for email in ("planner@victim.test", "manager.p1@victim.test", "admin@owner-ali.test"):
            principal = who(store, email)
            text = plan_json(store, principal, plan_id)
            assert json.loads(text) == plan_document(store, principal, plan_id), email
    assert not_found(plan_json, store, who(store, "manager.p1@victim.test"), world.victim_draft)


def test_a_plant_manager_bound_to_no_plant_of_a_portfolio_does_not_see_it(extra: Extra) -> None:
    store = extra.world.store
    manager = who(store, "manager.p1@victim.test")
    nobody = Principal(replace(manager.user, plants=("P9",)))
    assert portfolios(store, nobody) == []
    assert not_found(find_plan, store, nobody, extra.world.victim_published)


# --- the audit log -----------------------------------------------------------------------


def test_a_management_auditor_reads_its_whole_log_and_only_its_own(extra: Extra) -> None:
    store = extra.world.store
    mine = audit_log(store, who(store, "auditor@victim.test"))
    assert mine == store.account_audit(VICTIM) and mine
    theirs = audit_log(store, who(store, "admin@other.test"))
    assert theirs == store.account_audit("other-mgmt")
    assert not {e.id for e in mine} & {e.id for e in theirs}


def test_an_owner_reads_the_audit_entries_of_the_plans_it_sees_only(extra: Extra) -> None:
    store, world = extra.world.store, extra.world
    entries = audit_log(store, who(store, "auditor@owner-ali.test"))
    expected = store.account_audit(VICTIM, entity="plan", entity_ids=[str(world.victim_published)])
    assert entries == sorted(expected, key=lambda e: (e.at, e.id)) and entries
    assert {(e.entity, e.entity_id) for e in entries} == {("plan", str(world.victim_published))}
    con = audit_log(store, who(store, "auditor@owner-con.test"))
    assert {(e.entity, e.entity_id) for e in con} == {("plan", str(world.other_published))}
    with pytest.raises(AccessDenied):
        audit_log(store, who(store, "planner@victim.test"))
