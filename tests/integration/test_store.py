"""The store on SQLite (a temporary file) and PostgreSQL (a fresh schema per test)."""

from __future__ import annotations

import importlib
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from ingenio.store import Store, StoreError, canonical_json, checksum, settings
from ingenio.store.migrate import head_revision

DOC_A: dict[str, Any] = {
    "name": "acme",
    "plants": [{"id": "p1", "lines": ["l1", "l2"], "power_kw": 120.5}],
    "orders": [{"id": "o1", "due": 1440, "quantity": 3.25, "note": "café ✓"}],
    "empty": {},
    "flag": True,
    "nothing": None,
}
DOC_B: dict[str, Any] = {**DOC_A, "orders": [], "flag": False}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return settings.path_to_url(tmp_path / "store.sqlite")
    url: str = request.getfixturevalue("pg_schema_url")
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store.open(db_url) as opened:
        yield opened


def counts(url: str) -> tuple[int, int]:
    """Rows in (portfolio_versions, plans), read on a connection of its own."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            portfolios = connection.scalar(sa.text("SELECT count(*) FROM portfolio_versions"))
            plans = connection.scalar(sa.text("SELECT count(*) FROM plans"))
    finally:
        engine.dispose()
    return int(portfolios or 0), int(plans or 0)


def save_plan(store: Store, portfolio_version_id: int, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "planner": "cp-sat",
        "status": "optimal",
        "value": 1234.5,
        "bound": 1200.0,
        "seconds": 2.5,
        "document": {"operations": [{"order": "o1", "start": 0, "end": 60}]},
        "summary": {"on_time": 3, "late": 1},
    }
    values.update(changes)
    return store.save_plan(portfolio_version_id, **values)


@contextmanager
def failing_after_flush() -> Iterator[None]:
    """Make every session fail right after its INSERTs ran, inside the transaction."""

    def boom(session: Session, _context: Any) -> None:
        raise RuntimeError("injected failure after flush")

    sa.event.listen(Session, "after_flush", boom)
    try:
        yield
    finally:
        sa.event.remove(Session, "after_flush", boom)


# -- portfolios ---------------------------------------------------------------------------


def test_portfolio_versions_increment_per_name(store: Store) -> None:
    first = store.save_portfolio("acme", DOC_A, note="initial")
    second = store.save_portfolio("acme", DOC_B)
    other = store.save_portfolio("beta", DOC_A)
    third = store.save_portfolio("acme", DOC_A)

    assert [first.version, second.version, third.version] == [1, 2, 3]
    assert other.version == 1
    assert len({first.id, second.id, third.id, other.id}) == 4
    assert first.note == "initial" and second.note == ""
    assert first.checksum == checksum(DOC_A) == third.checksum != second.checksum
    assert first.created_at.tzinfo is UTC
    assert first.created_at <= second.created_at <= third.created_at


def test_saving_again_overwrites_nothing(store: Store) -> None:
    store.save_portfolio("acme", DOC_A)
    store.save_portfolio("acme", DOC_B)

    v1, doc1 = store.load_portfolio("acme", 1)
    v2, doc2 = store.load_portfolio("acme", 2)
    assert (v1.version, doc1) == (1, DOC_A)
    assert (v2.version, doc2) == (2, DOC_B)
    assert v1.checksum == checksum(doc1) and v2.checksum == checksum(doc2)


def test_load_latest_and_listing(store: Store) -> None:
    saved = [
        store.save_portfolio("beta", DOC_A),
        store.save_portfolio("acme", DOC_A),
        store.save_portfolio("acme", DOC_B, note="second"),
    ]

    latest, document = store.load_portfolio("acme")
    assert latest == saved[2] and document == DOC_B

    listed = store.portfolio_versions()
    assert [(v.name, v.version) for v in listed] == [("acme", 1), ("acme", 2), ("beta", 1)]
    assert listed == [saved[1], saved[2], saved[0]]
    assert store.portfolio_versions("acme") == [saved[1], saved[2]]
    assert store.portfolio_versions("nobody") == []


def test_missing_portfolio_is_a_clear_error(store: Store) -> None:
    with pytest.raises(StoreError, match=r"^no portfolio named 'ghost'$"):
        store.load_portfolio("ghost")
    store.save_portfolio("acme", DOC_A)
    with pytest.raises(StoreError, match=r"^portfolio 'acme' has no version 7 \(latest is 1\)$"):
        store.load_portfolio("acme", 7)


def test_document_round_trip_and_canonical_checksum(store: Store) -> None:
    reordered = dict(reversed(list(DOC_A.items())))
    assert canonical_json(reordered) == canonical_json(DOC_A)
    saved = store.save_portfolio("acme", reordered)
    assert saved.checksum == checksum(DOC_A)
    _, document = store.load_portfolio("acme")
    assert document == DOC_A
    assert document["orders"][0]["note"] == "café ✓"


def test_tampered_document_is_detected(store: Store, db_url: str) -> None:
    store.save_portfolio("acme", DOC_A)
    engine = sa.create_engine(db_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE portfolio_versions SET document = '{\"x\": 1}'"))
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match="version 1 is corrupt"):
        store.load_portfolio("acme")


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_bad_names_are_refused(store: Store, db_url: str, name: str) -> None:
    with pytest.raises(StoreError, match="portfolio name"):
        store.save_portfolio(name, DOC_A)
    assert counts(db_url) == (0, 0)


# -- plans --------------------------------------------------------------------------------


def test_plan_versions_count_per_portfolio_name(store: Store) -> None:
    acme1 = store.save_portfolio("acme", DOC_A)
    beta = store.save_portfolio("beta", DOC_A)
    first = save_plan(store, acme1.id)
    acme2 = store.save_portfolio("acme", DOC_B)
    second = save_plan(store, acme2.id, planner="greedy", status="feasible", bound=None)
    other = save_plan(store, beta.id)
    third = save_plan(store, acme1.id)

    assert [first.version, second.version, third.version] == [1, 2, 3]
    assert other.version == 1
    assert (first.portfolio_version, second.portfolio_version, third.portfolio_version) == (1, 2, 1)
    assert second.portfolio_name == "acme" and second.portfolio_version_id == acme2.id
    assert second.bound is None and first.bound == 1200.0
    assert first.created_at.tzinfo is UTC

    assert store.plans("acme") == [first, second, third]
    assert store.plans() == [first, second, third, other]
    assert store.plans("nobody") == []


def test_load_plan_returns_document_and_summary(store: Store) -> None:
    pv = store.save_portfolio("acme", DOC_A)
    document = {"operations": [{"order": "o1", "start": 0, "end": 60, "qty": 0.1}]}
    saved = save_plan(store, pv.id, document=document, summary={"late": 0}, value=-0.5)

    loaded, loaded_document = store.load_plan(saved.id)
    assert loaded == saved
    assert loaded_document == document
    assert loaded.summary == {"late": 0} and loaded.value == -0.5 and loaded.seconds == 2.5


def test_missing_plan_and_portfolio_version_are_clear_errors(store: Store, db_url: str) -> None:
    with pytest.raises(StoreError, match=r"^no plan with id 999$"):
        store.load_plan(999)
    with pytest.raises(StoreError, match=r"^no portfolio version with id 999$"):
        save_plan(store, 999)
    assert counts(db_url) == (0, 0)


# -- transactions -------------------------------------------------------------------------


def test_unserialisable_document_writes_nothing(store: Store, db_url: str) -> None:
    pv = store.save_portfolio("acme", DOC_A)
    save_plan(store, pv.id)
    before = counts(db_url)

    with pytest.raises(StoreError, match="not JSON-serialisable"):
        store.save_portfolio("acme", {"when": object()})
    with pytest.raises(StoreError, match="not JSON-serialisable"):
        store.save_portfolio("acme", {"value": math.nan})
    with pytest.raises(StoreError, match="not JSON-serialisable"):
        save_plan(store, pv.id, document={"bad": {1, 2}})
    with pytest.raises(StoreError, match="not JSON-serialisable"):
        save_plan(store, pv.id, summary={"bad": math.inf})

    assert counts(db_url) == before
    assert store.save_portfolio("acme", DOC_B).version == 2


def test_failure_mid_save_rolls_back(store: Store, db_url: str) -> None:
    pv = store.save_portfolio("acme", DOC_A)
    save_plan(store, pv.id)
    before = counts(db_url)

    with failing_after_flush():
        with pytest.raises(RuntimeError, match="injected"):
            store.save_portfolio("acme", DOC_B)
        with pytest.raises(RuntimeError, match="injected"):
            save_plan(store, pv.id)

    assert counts(db_url) == before
    assert [v.version for v in store.portfolio_versions("acme")] == [1]
    assert store.save_portfolio("acme", DOC_B).version == 2
    assert save_plan(store, pv.id).version == 2


def test_concurrent_saves_get_distinct_versions(db_url: str) -> None:
    threads, saves = 4, 5
    stores = [Store.open(db_url) for _ in range(threads)]
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(store: Store, index: int) -> None:
        try:
            start.wait()
            for n in range(saves):
                pv = store.save_portfolio("acme", {"thread": index, "n": n})
                save_plan(store, pv.id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    runners = [threading.Thread(target=work, args=(s, i)) for i, s in enumerate(stores)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    for opened in stores:
        opened.close()

    assert errors == []
    with Store.open(db_url) as store:
        total = threads * saves
        assert [v.version for v in store.portfolio_versions("acme")] == list(range(1, total + 1))
        assert [p.version for p in store.plans("acme")] == list(range(1, total + 1))


# -- opening, migrations ------------------------------------------------------------------


def test_migrations_are_idempotent(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.save_portfolio("acme", DOC_A)
    with Store.open(db_url) as store, Store.open(db_url) as again:
        assert [v.version for v in again.portfolio_versions()] == [1]
        assert store.save_portfolio("acme", DOC_B).version == 2

    engine = sa.create_engine(db_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            revisions = connection.scalars(sa.text("SELECT version_num FROM alembic_version"))
            assert list(revisions) == [head_revision()]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_store_stays_in_its_schema(pg_schema_url: str, pg_schema: str) -> None:
    with Store.open(pg_schema_url) as store:
        store.save_portfolio("acme", DOC_A)
    engine = sa.create_engine(pg_schema_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                sa.text(
                    "SELECT table_schema, table_name FROM information_schema.tables"
                    " WHERE table_name IN ('portfolio_versions', 'plans', 'alembic_version')"
                    " AND table_schema = :schema ORDER BY table_name"
                ),
                {"schema": pg_schema},
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in found] == [
        (pg_schema, "alembic_version"),
        (pg_schema, "plans"),
        (pg_schema, "portfolio_versions"),
    ]


def test_closed_store_refuses_work(db_url: str) -> None:
    store = Store.open(db_url)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="is closed"):
        store.portfolio_versions()


def test_in_memory_sqlite() -> None:
    with Store.open(settings.resolve_url(":memory:")) as store:
        pv = store.save_portfolio("acme", DOC_A)
        assert store.load_portfolio("acme") == (pv, DOC_A)


def test_unreachable_sqlite_file_names_the_url(tmp_path: Path) -> None:
    url = settings.path_to_url(tmp_path / "missing" / "dir" / "store.sqlite")
    with pytest.raises(StoreError, match="cannot connect to database sqlite:///") as caught:
        Store.open(url)
    assert "\n" not in str(caught.value)


def test_unreachable_postgres_masks_the_password() -> None:
    url = "postgresql+psycopg://ingenio:s3cret-pw@127.0.0.1:1/nowhere?connect_timeout=3"
    with pytest.raises(StoreError, match="cannot connect to database") as caught:
        Store.open(url)
    message = str(caught.value)
    assert "s3cret-pw" not in message
    assert "ingenio:***@127.0.0.1:1/nowhere" in message
    assert "\n" not in message


@pytest.mark.parametrize("url", ["nonsense", "nosuchdriver://x/y"])
def test_invalid_url_is_a_store_error(url: str) -> None:
    with pytest.raises(StoreError, match="invalid database URL"):
        Store.open(url)


# -- settings -----------------------------------------------------------------------------


def test_default_url_uses_the_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data" / "ingenio"
    monkeypatch.delenv(settings.ENV_VAR, raising=False)
    monkeypatch.setattr(settings.platformdirs, "user_data_dir", lambda app: str(data_dir))
    url = settings.default_url()
    assert url == f"sqlite:///{(data_dir / 'ingenio.sqlite').resolve().as_posix()}"
    assert data_dir.is_dir()
    assert settings.resolve_url(None) == url
    assert settings.resolve_url("  ") == url


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ("postgresql+psycopg://u:p@db:5432/plans", "postgresql+psycopg://u:p@db:5432/plans"),
        ("sqlite:////var/lib/ingenio.sqlite", "sqlite:////var/lib/ingenio.sqlite"),
        ("plans.sqlite", "RELATIVE"),
    ],
)
def test_ingenio_db_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: str, expected: str
) -> None:
    def unused(app: str) -> str:
        raise AssertionError("the user data dir must not be used when INGENIO_DB is set")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings.platformdirs, "user_data_dir", unused)
    monkeypatch.setenv(settings.ENV_VAR, env)
    if expected == "RELATIVE":
        expected = f"sqlite:///{(tmp_path / env).resolve().as_posix()}"
    assert settings.default_url() == expected
    assert settings.resolve_url(None) == expected


@pytest.mark.parametrize(
    ("db", "expected"),
    [
        (
            "postgresql+psycopg://postgres@127.0.0.1/test",
            "postgresql+psycopg://postgres@127.0.0.1/test",
        ),
        ("sqlite:///relative.sqlite", "sqlite:///relative.sqlite"),
        ("store.sqlite", "CWD/store.sqlite"),
        ("sub/dir/store.db", "CWD/sub/dir/store.db"),
        (":memory:", "sqlite://"),
    ],
)
def test_resolve_url_path_or_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(settings.ENV_VAR, "postgresql://ignored/when-db-given")
    expected = expected.replace("CWD", f"sqlite:///{tmp_path.resolve().as_posix()}")
    assert settings.resolve_url(db) == expected


def test_absolute_and_home_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert settings.resolve_url(str(tmp_path / "a.sqlite")) == settings.path_to_url(
        tmp_path / "a.sqlite"
    )
    assert settings.resolve_url("~/b.sqlite").endswith(f"{tmp_path.resolve().as_posix()}/b.sqlite")


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql+psycopg://u:secret@h/db", "postgresql+psycopg://u:***@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.sqlite", "sqlite:///x.sqlite"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert settings.mask_url(url) == masked


def test_importing_settings_touches_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    looked: list[str] = []

    def recorded(app: str) -> str:
        looked.append(app)
        return "/nowhere"

    monkeypatch.setattr(settings.platformdirs, "user_data_dir", recorded)
    importlib.reload(settings)
    assert looked == []  # the data dir is only looked up when a URL is resolved
