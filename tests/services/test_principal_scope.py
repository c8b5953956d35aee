"""What a principal may do (``ingenio.services.auth``): roles, token scopes, sessions and the
CSRF token of a state change, and the API tokens a user may make. On the world of
``tests/server_world.py`` in SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from server_world import PASSWORD, World, build_world, fast_hashes

from ingenio.errors import IngenioError
from ingenio.services.auth import (
    AccessDenied,
    Principal,
    create_token,
    principal_of_session,
    principal_of_token,
    sign_in,
)
from ingenio.store import Store


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path = tmp_path_factory.mktemp("principal") / "store.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        fast_hashes(mp)
        with Store.open(f"sqlite:///{path.as_posix()}") as store:
            yield build_world(store)


def who(store: Store, email: str, scope: str | None = None) -> Principal:
    found = store.user_login(email)
    assert found is not None
    return Principal(found[0], token_scope=scope)


def reason(call: object, *args: object) -> str:
    with pytest.raises(AccessDenied) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.reason


def test_a_principal_carries_its_users_account_kind_role_and_email(world: World) -> None:
    p = who(world.store, "manager.p1@victim.test")
    assert (p.account, p.kind, p.role, p.name) == (
        "default",
        "management",
        "plant_manager",
        "manager.p1@victim.test",
    )
    owner = who(world.store, "auditor@owner-ali.test")
    assert (owner.account, owner.kind, owner.role) == ("owner-ali", "owner", "auditor")


def test_a_read_token_keeps_the_reads_of_its_user_and_drops_every_write(world: World) -> None:
    session = who(world.store, "planner@victim.test")
    token = who(world.store, "planner@victim.test", "read")
    writing = who(world.store, "planner@victim.test", "write")
    for p in (session, writing):
        assert p.can("plans.read") and p.can("plans.approve") and p.can("portfolios.write")
    assert token.can("plans.read") and token.can("plans.read_drafts")
    assert not token.can("plans.approve") and not token.can("portfolios.write")
    # a read token never gives what the role does not have
    assert not who(world.store, "manager.p1@victim.test", "read").can("plans.read_drafts")


def test_a_role_may_do_only_what_its_permissions_say(world: World) -> None:
    manager = who(world.store, "manager.p1@victim.test")
    manager.require("plans.read")
    with pytest.raises(AccessDenied) as caught:
        manager.require("plans.approve")
    assert caught.value.reason == "forbidden"
    assert str(caught.value) == "the role plant_manager may not do this (plans.approve)"
    assert not who(world.store, "admin@owner-ali.test").can("portfolios.read")


def test_a_session_reads_without_csrf_but_changes_only_with_its_own_csrf_token(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_hashes(monkeypatch)
    store = world.store
    signed = sign_in(store, "auditor@victim.test", PASSWORD, "10.0.0.1")
    other = sign_in(store, "planner@victim.test", PASSWORD, "10.0.0.1")
    assert principal_of_session(store, signed.session_id, None, False).name == (
        "auditor@victim.test"
    )
    assert principal_of_session(store, signed.session_id, signed.csrf_token, True).role == (
        "auditor"
    )
    assert reason(principal_of_session, store, signed.session_id, None, True) == "forbidden"
    wrong = other.csrf_token  # another session's CSRF token is no good here
    assert reason(principal_of_session, store, signed.session_id, wrong, True) == "forbidden"
    assert reason(principal_of_session, store, "no-such-session", None, False) == (
        "unauthenticated"
    )


def test_a_token_acts_for_its_user_within_its_scope(world: World) -> None:
    store = world.store
    planner = who(store, "planner@victim.test")
    token, expires, token_id = create_token(store, planner, "ci", "write", 30)
    # ``ing_`` and 256 random bits in URL-safe base64 (43 characters)
    assert token.startswith("ing_") and len(token) == 4 + 43
    assert timedelta(days=30) - timedelta(minutes=1) < expires - datetime.now(UTC)
    assert expires - datetime.now(UTC) <= timedelta(days=30)
    assert token_id > 0
    found = principal_of_token(store, token)
    assert (found.name, found.token_scope) == ("planner@victim.test", "write")
    assert principal_of_token(store, world.victim_token).token_scope == "read"
    assert reason(principal_of_token, store, "ing_unknown") == "unauthenticated"


def test_tokens_do_not_make_tokens_and_their_scope_and_life_are_bounded(world: World) -> None:
    store = world.store
    planner = who(store, "planner@victim.test")
    reader = who(store, "planner@victim.test", "read")
    assert reason(create_token, store, reader, "x", "read", 1) == "forbidden"
    for scope, days in (("admin", 1), ("read", 0), ("read", 366)):
        with pytest.raises(IngenioError) as caught:
            create_token(store, planner, "x", scope, days)
        assert caught.value.kind == "invalid"
    for days in (1, 365):  # both ends of the allowed life
        _, expires, _ = create_token(store, planner, "x", "read", days)
        assert expires - datetime.now(UTC) > timedelta(days=days) - timedelta(minutes=1)
