"""The audit log's own rules: who is the actor, how long texts are cut, what is kept, and
how entries are filtered (on a SQLite store; the store tests cover PostgreSQL too)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pytest

from ingenio.store import Store, StoreError
from ingenio.store.audit import clip, current_actor


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(f"sqlite:///{(tmp_path / 'audit.sqlite').as_posix()}") as opened:
        yield opened


def test_text_up_to_the_limit_is_kept_whole() -> None:
    assert clip("x" * 200) == "x" * 200
    assert clip("abc", 3) == "abc"


def test_longer_text_is_cut_to_the_limit_with_an_ellipsis() -> None:
    assert clip("x" * 201) == "x" * 199 + "…"
    assert clip("abcd", 3) == "ab…"


def test_actor_from_the_environment_is_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGENIO_ACTOR", "  ana@plant  ")
    assert current_actor() == "ana@plant"


@pytest.mark.parametrize("failure", [OSError("no tty"), KeyError("uid 1000")])
def test_actor_is_unknown_when_the_system_cannot_tell(
    monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    monkeypatch.delenv("INGENIO_ACTOR", raising=False)

    def getuser() -> str:
        raise failure

    monkeypatch.setattr("getpass.getuser", getuser)
    assert current_actor() == "unknown"


def test_actor_is_unknown_when_the_system_user_is_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGENIO_ACTOR", "")
    monkeypatch.setattr("getpass.getuser", lambda: "")
    assert current_actor() == "unknown"


def test_long_texts_are_cut_in_the_log(store: Store) -> None:
    entry = store.audit("a" * 150, "e" * 150, "i" * 250, actor="w" * 250)
    assert (len(entry.action), len(entry.entity)) == (100, 100)
    assert entry.action == "a" * 99 + "…" and entry.entity == "e" * 99 + "…"
    assert entry.entity_id == "i" * 199 + "…"
    assert entry.actor == "w" * 199 + "…"
    (stored,) = store.audit_entries()
    assert stored == entry


def test_blank_actor_falls_back_to_the_current_one(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INGENIO_ACTOR", "night shift")
    entry = store.audit("export", "plan", "3", actor="   ")
    assert entry.actor == "night shift"
    assert entry.detail == {}


def test_detail_that_is_not_json_is_refused_and_nothing_is_logged(store: Store) -> None:
    with pytest.raises(StoreError):
        store.audit("export", "plan", "3", {"when": datetime.now(UTC)})
    assert store.audit_entries() == []


def test_entries_filter_by_entity_and_since_inclusive(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticks = iter(datetime(2026, 4, 6, 12, m, tzinfo=UTC) for m in range(10))

    class Clock(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Clock:  # one minute later at each call
            t = next(ticks)
            return cls(t.year, t.month, t.day, t.hour, t.minute, tzinfo=tz)

    monkeypatch.setattr("ingenio.store.audit.datetime", Clock)
    first = store.audit("export", "plan", "1", {"n": 1})
    second = store.audit("replan", "portfolio", "acme")
    third = store.audit("export", "plan", "2")
    assert store.audit_entries() == [first, second, third]
    assert [e.entity_id for e in store.audit_entries(entity="plan")] == ["1", "2"]
    assert store.audit_entries(since=second.at) == [second, third]
    assert store.audit_entries(entity="plan", since=second.at) == [third]
    assert third.at == datetime(2026, 4, 6, 12, 2, tzinfo=UTC)
    assert store.audit_entries(since=third.at + timedelta(microseconds=1)) == []
    assert first.at.tzinfo is UTC and first.detail == {"n": 1}


def test_since_without_a_time_zone_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="since must carry a time zone"):
        store.audit_entries(since=datetime(2026, 1, 1))


def test_an_entry_read_back_cannot_be_altered_and_can_be_collected(store: Store) -> None:
    entry = store.audit("export", "plan", "1", {"rows": [1, 2]})
    with pytest.raises(FrozenInstanceError):
        entry.actor = "someone else"  # type: ignore[misc]
    # Hashable although its detail is a dict (detail is left out of the hash).
    assert {entry, *store.audit_entries()} == {entry}


def test_each_account_reads_only_its_own_entries_filtered_by_entity_and_id(store: Store) -> None:
    # Two tenants save portfolios and a user each: an account's log holds its own entries
    # only, oldest first, and can be cut to one kind of entity and to some of their ids.
    from ingenio.services.accounts import add_account

    add_account(store, "tenant-b", "Tenant B", "management", "test")
    store.save_portfolio("Works", {"name": "Works"}, actor="ana", account="default")
    store.save_portfolio("Mill", {"name": "Mill"}, actor="ana", account="default")
    store.save_portfolio("Works", {"name": "Works"}, actor="bob", account="tenant-b")
    export = store.audit("export", "plan", "7", actor="ana")  # the default account's
    mine = store.account_audit("default")
    theirs = store.account_audit("tenant-b")
    assert [(e.actor, e.entity, e.entity_id) for e in mine if e.entity == "portfolio"] == [
        ("ana", "portfolio", "Works"),
        ("ana", "portfolio", "Mill"),
    ]
    assert {e.actor for e in theirs if e.entity == "portfolio"} == {"bob"}
    assert not {e.id for e in mine} & {e.id for e in theirs}
    assert mine == sorted(mine, key=lambda e: (e.at, e.id))
    assert export in mine and export not in theirs
    assert [e for e in mine if e.entity == "portfolio"] == store.account_audit(
        "default", entity="portfolio"
    )
    assert store.account_audit("default", entity="plan") == [export]
    assert [e.entity_id for e in store.account_audit("default", entity_ids=["Mill"])] == ["Mill"]
