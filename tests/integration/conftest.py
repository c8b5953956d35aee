"""Fixtures for integration tests: a PostgreSQL server, and a fresh schema per test.

The server URL comes from ``INGENIO_TEST_PG`` (default: the local test server).
When it cannot be reached the PostgreSQL tests are skipped, except on CI
(``CI=true``), where they fail: CI must run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

PG_ENV = "INGENIO_TEST_PG"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _admin_engine(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 5})


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of the PostgreSQL test server; skips (fails on CI) when it is unreachable."""
    url = os.environ.get(PG_ENV, "").strip() or DEFAULT_PG_URL
    engine = _admin_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        first = " ".join(str(getattr(exc, "orig", exc)).split())
        reason = f"PostgreSQL at {shown} is unreachable ({PG_ENV} to change): {first}"
        if _on_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def pg_schema() -> str:
    """A unique schema name for one test."""
    return f"ingenio_test_{uuid.uuid4().hex[:16]}"


@pytest.fixture
def pg_schema_url(pg_url: str, pg_schema: str) -> Iterator[str]:
    """URL of a fresh, empty schema on the test server, dropped after the test.

    Connections made with this URL have ``search_path`` set to the schema only,
    so nothing the test does can reach another schema (or ``public``).
    """
    admin = _admin_engine(pg_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{pg_schema}"'))
    base = make_url(pg_url)
    options = " ".join(
        part for part in (base.query.get("options"), f"-csearch_path={pg_schema}") if part
    )
    url = base.update_query_dict({"options": options}).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{pg_schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store database: a SQLite file, then a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        return f"sqlite:///{(tmp_path / 'store.sqlite').as_posix()}"
    url: str = request.getfixturevalue("pg_schema_url")
    return url
