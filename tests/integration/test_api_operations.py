"""Actuals, KPIs, replans, scenario runs and acknowledgements over the API, on SQLite and
PostgreSQL: each scoped by tenant, role and plant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from server_world import VICTIM, World, build_world, client_for, fast_hashes, login
from sqlalchemy.pool import NullPool

from ingenio.services.jobs import Worker
from ingenio.store import Store
from ingenio.store.migrate import alembic_config

P = "/api/v1"
RUN = {"start": "2026-04-06T06:00:00-04:00", "end": "2026-04-06T07:00:00-04:00"}
MIX = {"line": "P1-MIX", "product": "BREAD", "order": "O1", "good_qty": 100, **RUN}
CAN = {"line": "P2-CAN", "product": "TOMATO", "order": "O2", "good_qty": 900, **RUN}
WEEK = "from=2026-04-06&to=2026-04-12"


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


def _as(store: Store, email: str) -> Any:
    """A signed-in client (close it with the context manager of client_for)."""
    cm = client_for(store)
    client = cm.__enter__()
    login(client, email)
    client.cm = cm
    return client


@pytest.fixture
def users(store: Store, world: World) -> Iterator[dict[str, Any]]:
    emails = (
        "planner@victim.test",
        "manager.p1@victim.test",
        "auditor@owner-ali.test",
        "planner@other.test",
    )
    clients = {e.split("@")[0] + "@" + e.split("@")[1].split(".")[0]: _as(store, e) for e in emails}
    yield clients
    for c in clients.values():
        c.cm.__exit__(None, None, None)


def test_a_plant_manager_records_actuals_of_its_own_plants_only(world, users, store):
    manager, planner = users["manager.p1@victim"], users["planner@victim"]
    url = f"{P}/portfolios/{world.victim_portfolio}/actuals"
    first = manager.post(url, json={"production": [MIX]})
    assert first.status_code == 201, first.text
    assert first.json()["new"]["production"] == 1
    assert manager.post(url, json={"production": [MIX]}).json()["new"]["production"] == 0
    other_plant = manager.post(url, json={"production": [CAN]})
    assert other_plant.status_code == 404
    assert other_plant.json()["field"] == "production[0].line"
    assert store.list_production(["P2-CAN"], account=VICTIM) == []
    mixed = manager.post(url, json={"production": [{**MIX, "good_qty": 7}, CAN]})
    assert mixed.status_code == 404  # nothing of the batch is stored
    assert len(store.list_production(["P1-MIX"], account=VICTIM)) == 1
    assert planner.post(url, json={"production": [CAN]}).status_code == 201
    overlap = planner.post(url, json={"production": [{**CAN, "good_qty": 5}]})
    assert overlap.status_code == 409 and overlap.json()["error"] == "conflict"
    auditor = users["auditor@owner-ali"]
    assert auditor.post(url, json={"production": [MIX]}).status_code == 403
    seen = auditor.get(f"{url}?{WEEK}").json()
    assert [r["line"] for r in seen["production"]] == ["P1-MIX"]  # ALI's plant only
    assert users["planner@other"].get(f"{url}?{WEEK}").status_code == 404
    bad = manager.post(url, json={"production": [{**MIX, "end": RUN["start"]}]})
    assert bad.status_code == 422 and bad.json()["field"].startswith("production[0]")
    naive = manager.post(url, json={"production": [{**MIX, "start": "2026-04-06T06:00:00"}]})
    assert naive.status_code == 422 and naive.json()["field"] == "production.0.start"


def test_two_tenants_recording_the_same_row_each_keep_it(world, users, store):
    mine = f"{P}/portfolios/{world.victim_portfolio}/actuals"
    theirs = f"{P}/portfolios/{world.other_portfolio}/actuals"
    assert users["planner@victim"].post(mine, json={"production": [MIX]}).status_code == 201
    answer = users["planner@other"].post(theirs, json={"production": [MIX]})
    assert answer.json()["new"]["production"] == 1  # not "already stored": no hint of ours
    assert len(store.list_production(["P1-MIX"], account=VICTIM)) == 1
    assert len(store.list_production(["P1-MIX"], account="other-mgmt")) == 1
    audit = [e for e in store.account_audit("other-mgmt") if e.entity == "production_records"]
    assert len(audit) == 1 and audit[0].actor == "planner@other.test"


def test_import_a_csv_sheet_and_a_bad_one_is_422_with_nothing_stored(world, users, store):
    manager = users["manager.p1@victim"]
    url = f"{P}/portfolios/{world.victim_portfolio}/actuals/import"
    sheet = "line,product,order,good_qty,scrap_qty,start,end\n"
    sheet += "P1-MIX,BREAD,O1,250,3,2026-04-06T06:00,2026-04-06T08:00\n"  # Havana time
    answer = manager.post(url, content=sheet, headers={"Content-Type": "text/csv"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["new"] == {
        "production": 1, "downtime": 0, "fuel_receipts": 0, "fuel_draws": 0, "meter_readings": 0
    }  # fmt: skip
    (stored,) = store.list_production(["P1-MIX"], account=VICTIM)
    assert stored.start == datetime(2026, 4, 6, 10, 0, tzinfo=UTC) and stored.scrap_qty == 3
    bad = manager.post(
        url, content="line,good_qty\nP1-MIX,many\n", headers={"Content-Type": "text/csv"}
    )
    assert bad.status_code == 422 and bad.json()["field"]
    other = sheet.replace("P1-MIX", "P2-CAN").replace("BREAD", "TOMATO")
    assert manager.post(url, content=other, headers={"Content-Type": "text/csv"}).status_code == 404
    junk = manager.post(url, content=b"\x00PK", headers={"Content-Type": "image/png"})
    assert junk.status_code == 422
    assert len(store.list_production(account=VICTIM)) == 1


def test_kpis_are_those_of_the_callers_plants(world, users):
    manager, auditor = users["manager.p1@victim"], users["auditor@owner-ali"]
    planner = users["planner@victim"]
    base = f"{P}/portfolios/{world.victim_portfolio}"
    assert manager.post(f"{base}/actuals", json={"production": [MIX]}).status_code == 201
    mine = manager.get(f"{base}/kpis?{WEEK}")
    assert mine.status_code == 200, mine.text
    plants = {r["key"] for r in mine.json()["rows"] if r["level"] == "plant"}
    assert plants == {"P1"}
    owners = auditor.get(f"{base}/kpis?{WEEK}&by=week").json()
    assert {r["key"] for r in owners["rows"] if r["level"] == "enterprise"} == {"ALI"}
    period = [r for r in owners["rows"] if r["level"] == "plant" and r["bucket"] is None]
    assert period[0]["good"] == 100
    assert auditor.get(f"{base}/kpis?{WEEK}&plant=P2").status_code == 404
    assert auditor.get(f"{base}/kpis?{WEEK}&enterprise=CON").status_code == 404
    everything = planner.get(f"{base}/kpis?{WEEK}").json()
    assert {r["key"] for r in everything["rows"] if r["level"] == "plant"} == {"P1", "P2"}
    assert planner.get(f"{base}/kpis?from=2026-04-12&to=2026-04-06").status_code == 422
    assert planner.get(f"{base}/kpis?from=0001-01-01&to=2026-04-06").status_code == 422
    assert users["planner@other"].get(f"{base}/kpis?{WEEK}").status_code == 404


def _run_jobs(store: Store) -> None:
    worker = Worker(store, beat_s=0.2, stall_after_s=5)
    while worker.run_once():
        pass


def test_a_plant_manager_replans_its_plant_as_a_job_keeping_the_frozen_window(world, users, store):
    manager, planner = users["manager.p1@victim"], users["planner@victim"]
    assert planner.delete(f"{P}/jobs/{world.victim_job}").status_code == 200
    published = world.victim_published
    recorded = {**MIX, "good_qty": 50}  # 06:00-07:00 made 50, not the planned 350
    url = f"{P}/portfolios/{world.victim_portfolio}/actuals"
    assert manager.post(url, json={"production": [recorded]}).status_code == 201
    body = {"plant": "P1", "at": "2026-04-06T07:00:00-04:00", "frozen_hours": 4}
    assert manager.post(f"{P}/plans/{world.victim_draft}/replan", json=body).status_code == 404
    assert (
        manager.post(f"{P}/plans/{published}/replan", json={**body, "plant": "P2"}).status_code
        == 404
    )
    late = manager.post(
        f"{P}/plans/{published}/replan", json={**body, "at": "2027-01-01T00:00:00Z"}
    )
    assert late.status_code == 422
    accepted = manager.post(f"{P}/plans/{published}/replan", json=body)
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job_id"]
    assert manager.post(f"{P}/plans/{published}/replan", json=body).status_code == 409
    assert manager.get(f"{P}/jobs/{job_id}").json()["status"] == "queued"  # its own job
    assert manager.get(f"{P}/jobs/{world.victim_job}").status_code == 404  # not its own
    _run_jobs(store)
    job = manager.get(f"{P}/jobs/{job_id}").json()
    assert job["status"] == "succeeded", job
    new_id = job["result"]["plan_id"]
    assert job["result"]["replanned"] == published
    info = planner.get(f"{P}/plans/{new_id}/info").json()
    assert info["state"] == "draft"  # the published plan stays until a planner publishes
    assert manager.get(f"{P}/plans/{new_id}").status_code == 404
    _, before = store.load_plan(published)
    _, after = store.load_plan(new_id)
    (planned,) = [o for o in before["operations"] if o["line"] == "P1-MIX" and o["order"] == "O1"]
    assert (planned["start"], planned["end"]) == (
        "2026-04-06T06:00:00-04:00",
        "2026-04-06T11:20:00-04:00",
    )
    kept = [o for o in after["operations"] if o["line"] == "P1-MIX" and o["order"] == "O1"]
    # the piece in force runs on through the frozen window (07:00-11:00) as planned: its
    # units are the 50 recorded plus the window's planned share; the rest comes after
    assert kept[0]["start"] == planned["start"] and kept[0]["end"] == "2026-04-06T11:00:00-04:00"
    assert kept[0]["quantity"] == pytest.approx(50 + planned["quantity"] * 240 / 320)
    assert all(o["start"] >= kept[0]["end"] for o in kept[1:]) and len(kept) >= 2
    entries = [e for e in store.account_audit(VICTIM) if e.action == "replan"]
    assert entries and entries[-1].actor == "manager.p1@victim.test"


def test_scenarios_run_as_a_job_and_give_the_spread(world, users, store):
    planner = users["planner@victim"]
    assert planner.delete(f"{P}/jobs/{world.victim_job}").status_code == 200
    url = f"{P}/portfolios/{world.victim_portfolio}/scenarios"
    assert planner.post(url, json={"samples": 0}).status_code == 422
    assert users["manager.p1@victim"].post(url, json={"samples": 2}).status_code == 403
    accepted = planner.post(url, json={"samples": 3, "seed": 7})
    assert accepted.status_code == 202, accepted.text
    _run_jobs(store)
    job = planner.get(f"{P}/jobs/{accepted.json()['job_id']}").json()
    assert job["status"] == "succeeded", job
    result = job["result"]
    assert result["samples"] == 3 and result["seed"] == 7
    assert result["p10"] <= result["p50"] <= result["p90"]
    assert {p["plant"] for p in result["plants"]} <= {"P1", "P2"}


def test_a_plant_manager_acknowledges_the_published_plan(world, users, store):
    manager, planner = users["manager.p1@victim"], users["planner@victim"]
    published, draft = world.victim_published, world.victim_draft
    assert manager.post(f"{P}/plans/{draft}/acknowledge").status_code == 404
    assert planner.post(f"{P}/plans/{published}/acknowledge").status_code == 403
    ack = manager.post(f"{P}/plans/{published}/acknowledge")
    assert ack.status_code == 200, ack.text
    assert ack.json()["plants"] == ["P1"] and ack.json()["user"] == "manager.p1@victim.test"
    again = manager.post(f"{P}/plans/{published}/acknowledge").json()
    assert again["at"] == ack.json()["at"]
    listed = users["auditor@owner-ali"].get(f"{P}/plans/{published}/acknowledgements").json()
    assert [a["user"] for a in listed] == ["manager.p1@victim.test"]
    audit = [e for e in store.account_audit(VICTIM) if e.action == "acknowledge"]
    assert len(audit) == 1 and audit[0].entity_id == str(published)
    approved = planner.post(f"{P}/plans/{draft}/approve")
    assert approved.status_code == 200
    assert users["planner@other"].get(f"{P}/plans/{published}/acknowledgements").status_code == 404


def test_migration_0004_gives_existing_actuals_to_the_default_account(store_url: str) -> None:
    engine = sa.create_engine(store_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0003")
            connection.execute(
                sa.text(
                    'INSERT INTO downtime_events (line_id, cause, start, "end", note,'
                    " import_key, source) VALUES ('L1', 'breakdown', :a, :b, 'old', 'k1', 'cli')"
                ),
                {
                    "a": datetime(2026, 4, 6, 10, tzinfo=UTC),
                    "b": datetime(2026, 4, 6, 11, tzinfo=UTC),
                },
            )
    finally:
        engine.dispose()
    with Store.open(store_url) as store:
        (event,) = store.list_downtime(["L1"], account="default")
        assert event.note == "old"
        assert store.list_downtime(["L1"], account="someone-else") == []


def test_plan_documents_carry_an_etag_and_answer_304_only_in_scope(world, users):
    planner, manager = users["planner@victim"], users["manager.p1@victim"]
    url = f"{P}/plans/{world.victim_published}"
    whole = planner.get(url)
    etag = whole.headers["etag"]
    assert whole.status_code == 200 and whole.headers["cache-control"] == "private, no-cache"
    again = planner.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    cut = manager.get(url)
    assert cut.headers["etag"] != etag  # another cut, another document
    assert manager.get(url, headers={"If-None-Match": etag}).status_code == 200
    assert manager.get(url, headers={"If-None-Match": cut.headers["etag"]}).status_code == 304
    outsider = users["planner@other"].get(url, headers={"If-None-Match": etag})
    assert outsider.status_code == 404  # a known tag does not reveal the plan


def test_a_change_is_seen_at_once_by_the_same_process(world, users, store):
    """The scope cache of the read path is dropped by any write of this process."""
    auditor = users["auditor@owner-ali"]
    assert len(auditor.get(f"{P}/portfolios").json()) == 1
    from ingenio.services.accounts import set_enterprise_owner

    set_enterprise_owner(store, VICTIM, "Victim Works", "ALI", "owner-con", "test")
    assert auditor.get(f"{P}/portfolios").json() == []
    assert auditor.get(f"{P}/plans/{world.victim_published}").status_code == 404


def test_each_server_process_opens_the_store_named_by_the_parent(
    world, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.testclient import TestClient

    from ingenio.api.main import ENV_DB, ENV_JOB_WORKER, app_from_environment

    monkeypatch.setenv(ENV_DB, store_url)
    monkeypatch.setenv(ENV_JOB_WORKER, "0")
    with TestClient(app_from_environment()) as client:
        login(client, "planner@victim.test")
        names = [p["name"] for p in client.get(f"{P}/portfolios").json()]
        assert names == ["Victim Works"]


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "1969-12-31T23:00:00Z"]
)
def test_moments_out_of_range_are_422_not_500(world, users, moment):
    url = f"{P}/portfolios/{world.victim_portfolio}/actuals"
    answer = users["planner@victim"].post(url, json={"production": [{**MIX, "start": moment}]})
    assert answer.status_code == 422 and answer.json()["field"] == "production.0.start"
    replan = users["planner@victim"].post(
        f"{P}/plans/{world.victim_published}/replan", json={"plant": "P1", "at": moment}
    )
    assert replan.status_code == 422
