"""Server commands (accounts, users, enterprise owners) and migration 0003 on older data."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from server_world import VICTIM_NAME, fast_hashes, portfolio_document
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from ingenio.cli.main import app
from ingenio.services.auth import sign_in
from ingenio.store import Store
from ingenio.store.migrate import alembic_config

runner = CliRunner()


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_hashes(monkeypatch)


def test_accounts_users_and_owners_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "server.sqlite"
    with Store.open(f"sqlite:///{db}") as store:
        store.save_portfolio(VICTIM_NAME, portfolio_document(VICTIM_NAME), actor="test")
    base = ["--db", str(db)]
    owner_account = ["accounts", "add", "own-1", "--name", "O", "--kind", "owner"]
    added = runner.invoke(app, [*base, *owner_account])
    assert added.exit_code == 0, added.output
    bad_kind = runner.invoke(app, [*base, "accounts", "add", "x", "--name", "X", "--kind", "boss"])
    assert bad_kind.exit_code == 1 and "boss" in bad_kind.output
    monkeypatch.setenv("INGENIO_PASSWORD", "from the environment")
    user = ["users", "add", "Pat@Example.org", "--account", "default", "--role", "plant_manager"]
    made = runner.invoke(app, [*base, *user, "--plant", "P1"])
    assert made.exit_code == 0, made.output
    assert "from the environment" not in made.output
    no_plant = runner.invoke(app, [*base, *user[:2], "x@example.org", *user[3:]])
    assert no_plant.exit_code == 1 and "--plant" in no_plant.output
    monkeypatch.delenv("INGENIO_PASSWORD")
    piped = ["users", "add", "aud@example.org", "--account", "own-1", "--role", "auditor"]
    made = runner.invoke(app, [*base, *piped], input="typed on stdin\n")
    assert made.exit_code == 0, made.output
    wrong_role = ["users", "add", "p@example.org", "--account", "own-1", "--role", "planner"]
    refused = runner.invoke(app, [*base, *wrong_role], input="typed on stdin\n")
    assert refused.exit_code == 1 and "owner account" in refused.output
    owner = ["enterprises", "set-owner", "ALI", "own-1", "--portfolio", VICTIM_NAME]
    assert runner.invoke(app, [*base, *owner]).exit_code == 0
    missing = runner.invoke(app, [*base, "enterprises", "set-owner", "NOPE", "own-1",
                                  "--portfolio", VICTIM_NAME])
    assert missing.exit_code == 1 and "NOPE" in missing.output
    with Store.open(f"sqlite:///{db}") as store:
        assert sign_in(store, "pat@example.org", "from the environment", "t").user.plants == (
            "P1",
        )
        assert sign_in(store, "aud@example.org", "typed on stdin", "t").user.account == "own-1"
        owners = store.enterprise_owners(owner="own-1")
        assert [(o.enterprise_id, o.account) for o in owners] == [("ALI", "default")]
        actions = [(e.action, e.entity) for e in store.audit_entries()]
        assert ("add", "user") in actions and ("set_owner", "enterprise") in actions


def test_migration_gives_existing_data_to_the_default_account(store_url: str) -> None:
    engine = sa.create_engine(store_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0002")
            connection.execute(
                sa.text(
                    "INSERT INTO portfolio_versions (name, version, created_at, note, document,"
                    " checksum) VALUES ('old', 1, CURRENT_TIMESTAMP, '', '{}', 'x')"
                )
            )
    finally:
        engine.dispose()
    with Store.open(store_url) as store:
        old = store.portfolio_versions(account="default")
        assert [(v.name, v.account) for v in old] == [("old", "default")]
        assert [a.id for a in store.accounts()] == ["default"]
        assert store.save_portfolio("old", {"a": 1}).version == 2
        assert store.save_portfolio("old", {"a": 1}, account="default").version == 3


def test_serve_demo_prints_logins_that_work(tmp_path: Path) -> None:
    import re
    import socket
    import subprocess
    import sys
    import time

    import httpx2

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "ingenio.cli.main", "serve", "--demo", "--no-worker"]
    command += ["--db", str(tmp_path / "demo.sqlite"), "--port", str(port)]
    command += ["--log-level", "warning"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        logins = {}
        for line in server.stdout:
            found = re.match(r"^login (\S+) (\S+) (\S+)$", line.strip())
            if found:
                logins[found[3] + ":" + found[1]] = (found[1], found[2])
            if len(logins) == 7:
                break
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx2.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx2.HTTPError:
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.3)
        email, password = logins["planner:planner@demo.ingenio"]
        with httpx2.Client(base_url=base) as client:
            answer = client.post("/api/v1/auth/login", json={"email": email, "password": password})
            assert answer.status_code == 200
            listed = client.get("/api/v1/portfolios").json()
            assert len(listed) == 1 and listed[0]["version"] == 1
            plans = client.get(f"/api/v1/portfolios/{listed[0]['id']}/plans").json()
            assert [p["state"] for p in plans] == ["published"]
        assert {k.split(":")[0] for k in logins} == {
            "admin", "planner", "plant_manager", "auditor", "integrator",
        }  # fmt: skip
    finally:
        server.terminate()
        server.wait(30)
        for stream in (server.stdout, server.stderr):
            if stream is not None:
                stream.close()


def test_users_add_without_a_password_says_where_to_give_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INGENIO_PASSWORD", raising=False)
    args = ["users", "add", "a@example.org", "--account", "default", "--role", "auditor"]
    result = runner.invoke(app, ["--db", str(tmp_path / "x.sqlite"), *args], input="")
    assert result.exit_code == 1 and "INGENIO_PASSWORD" in result.output
