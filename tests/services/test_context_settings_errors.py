"""The context, the settings and the error kinds, without the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingenio.domain import DomainError, Issue
from ingenio.errors import KINDS, IngenioError
from ingenio.scenarios.perturb import PerturbationError
from ingenio.services.context import Scope, StoreHandle, local_context
from ingenio.settings import DOCUMENTED, Settings, load_settings
from ingenio.store import StoreError

ROOT = Path(__file__).resolve().parents[2]


def test_scope_none_means_everything_and_a_set_narrows() -> None:
    every = Scope.everything()
    assert every.allows_plant("P1") and every.allows_enterprise("ALI")
    tenant = Scope(account="acme", enterprises=frozenset({"ALI"}), plants=frozenset({"P1"}))
    assert tenant.allows_plant("P1") and not tenant.allows_plant("P2")
    assert not tenant.allows_enterprise("OTHER")


def test_the_local_context_opens_the_store_only_when_used(tmp_path: Path) -> None:
    db = tmp_path / "lazy.sqlite"
    ctx = local_context(Settings(actor="ana"), str(db))
    assert ctx.actor.name == "ana" and ctx.actor.scope == Scope.everything()
    assert not ctx.store.opened and not db.exists()
    assert ctx.store.get().portfolio_versions() == []
    assert ctx.store.opened and db.exists()
    ctx.store.close()
    assert not ctx.store.opened


def test_a_handle_on_an_open_store_does_not_close_it(tmp_path: Path) -> None:
    from ingenio.store import Store

    with Store.open(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        handle = StoreHandle.of(store)
        handle.close()
        assert store.portfolio_versions() == []  # still open


def test_settings_read_the_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGENIO_DB", "sqlite:///x.sqlite")
    monkeypatch.setenv("INGENIO_TIMEZONE", "America/Havana")
    monkeypatch.setenv("INGENIO_WORKERS", "3")
    s = load_settings()
    assert (s.db, s.timezone, s.workers) == ("sqlite:///x.sqlite", "America/Havana", 3)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("INGENIO_TIMEZONE", "Mars/Olympus", "INGENIO_TIMEZONE: unknown time zone 'Mars/Olympus'"),
        ("INGENIO_WORKERS", "many", "INGENIO_WORKERS: "),
        ("INGENIO_WORKERS", "0", "INGENIO_WORKERS: "),
        ("INGENIO_DATABASE", "x", "INGENIO_DATABASE: unknown setting"),
    ],
)
def test_bad_or_unknown_settings_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(IngenioError, match=message) as caught:
        load_settings()
    assert caught.value.kind == "invalid"


def test_unknown_keyword_settings_are_refused() -> None:
    with pytest.raises(IngenioError, match="INGENIO_COLOUR: Extra inputs are not permitted"):
        load_settings(colour="red")


def test_blank_settings_are_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGENIO_DB", "  ")
    monkeypatch.setenv("INGENIO_TIMEZONE", "")
    s = load_settings()
    assert s.db is None and s.timezone is None


def test_the_settings_page_lists_every_setting() -> None:
    page = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for name, default, meaning in DOCUMENTED:
        assert f"| `{name}` | {default or '—'} | {meaning} |" in page, name


def test_every_expected_failure_is_an_ingenio_error_with_its_kind() -> None:
    assert set(KINDS) == {
        "invalid", "not_found", "conflict", "rule_broken", "solver_failed", "unavailable"
    }  # fmt: skip
    domain = DomainError([Issue("orders[0].due", "before release", "x")], "f.yaml")
    assert isinstance(domain, IngenioError) and domain.kind == "invalid"
    assert isinstance(domain, ValueError) and domain.issues[0].path == "orders[0].due"
    assert StoreError("down").kind == "unavailable"
    assert StoreError("no plan", kind="not_found").kind == "not_found"
    assert PerturbationError("--x", 1, "bad").kind == "invalid"
    with pytest.raises(ValueError, match="unknown error kind"):
        IngenioError("x", kind="oops")  # type: ignore[arg-type]
