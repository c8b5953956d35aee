"""The web pages: sign-in, scope (404 outside it, 403 for a role), CSRF, escaping,
languages, page weight, and the drag-to-move check."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic import command
from server_world import (
    OTHER_NAME,
    PASSWORD,
    USERS,
    VICTIM,
    VICTIM_NAME,
    World,
    build_world,
    fast_hashes,
    portfolio_document,
    raise_suggestion,
    save_plan,
)
from sqlalchemy.pool import NullPool
from starlette.testclient import TestClient

from ingenio.api import create_app
from ingenio.data.demo import build_demo_portfolio
from ingenio.operations.actuals import ActualsBatch, DowntimeCause, DowntimeEvent
from ingenio.services.auth import PERMISSIONS, Principal
from ingenio.services.demo_server import load_demo
from ingenio.services.jobs import Worker
from ingenio.services.web_resume import resumptions
from ingenio.store import Store
from ingenio.store.migrate import alembic_config
from ingenio.web import install
from ingenio.web.i18n import translator

STATIC = Path(__file__).resolve().parents[2] / "src" / "ingenio" / "web" / "static"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    url = f"sqlite:///{(tmp_path_factory.mktemp('web') / 'store.sqlite').as_posix()}"
    with pytest.MonkeyPatch.context() as mp:
        fast_hashes(mp)
        with Store.open(url) as store:
            yield build_world(store)


@pytest.fixture(scope="module")
def app(world: World) -> object:
    return install(create_app(world.store))


def signed_in(app: object, email: str, lang: str = "en") -> TestClient:
    client = TestClient(app, headers={"Accept-Language": lang})  # type: ignore[arg-type]
    answer = client.post(
        "/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return client


def principal(store: Store, email: str) -> Principal:
    found = store.user_login(email)
    assert found is not None
    return Principal(found[0])


def csrf_of(client: TestClient) -> str:
    token = client.cookies.get("ingenio_csrf")
    assert token
    return token


def victim_pages(world: World) -> list[str]:
    plan = world.victim_published
    return [
        f"/plans/{plan}/plants/P1",
        f"/plans/{plan}/plants/P2",
        f"/plans/{plan}/orders",
        f"/plans/{world.victim_draft}/plants/P1",
        f"/portfolios/{world.victim_portfolio}/whatif",
        f"/jobs/{world.victim_job}/panel",
    ]


def test_a_page_without_a_session_sends_to_sign_in(app: object, world: World) -> None:
    client = TestClient(app)  # type: ignore[arg-type]
    for url in ["/board", *victim_pages(world)]:
        answer = client.get(url, follow_redirects=False)
        assert answer.status_code == 303, url
        assert answer.headers["location"].startswith("/login")


def test_a_wrong_password_is_refused_in_the_page(app: object) -> None:
    client = TestClient(app)  # type: ignore[arg-type]
    answer = client.post("/login", data={"email": "planner@victim.test", "password": "nope1234"})
    assert answer.status_code == 401
    assert "ingenio_session" not in client.cookies


OUTSIDERS = [e for e, account, *_ in USERS if account in ("other-mgmt", "owner-con")]


@pytest.mark.parametrize("email", OUTSIDERS)
def test_another_tenant_sees_none_of_the_victims_pages(
    app: object, world: World, email: str
) -> None:
    client = signed_in(app, email)
    for url in victim_pages(world):
        answer = client.get(url)
        # 404 for a scope miss; 403 only where the role may not do this anywhere
        account, role, _ = world.users[email]
        kind = "owner" if account.startswith("owner") else "management"
        granted = PERMISSIONS.get((kind, role), frozenset())
        reads_jobs = bool({"jobs.read", "jobs.read_own"} & granted)
        expected = 403 if url.startswith("/jobs/") and not reads_jobs else 404
        assert answer.status_code == expected, (email, url, answer.status_code)
        assert VICTIM_NAME not in answer.text
    board = client.get("/board")
    assert board.status_code == 200
    assert VICTIM_NAME not in board.text
    csrf = csrf_of(client)
    before = len(world.store.plans(account=VICTIM))
    audit = len(world.store.account_audit(VICTIM))
    actuals = victim_actuals(world)
    plan = world.victim_published
    for url, data in [
        (f"/plans/{world.victim_draft}/approve", {}),
        (f"/plans/{plan}/publish", {}),
        (f"/plans/{plan}/acknowledge", {}),
        (
            f"/plans/{plan}/move",
            {"order": "O1", "step": "0", "line": "P1-MIX", "start": "2026-04-06T08:00"},
        ),
        (f"/portfolios/{world.victim_portfolio}/whatif", {"tanker": "T1", "delay_days": "2"}),
        ("/actuals/downtime", downtime_form(f"{world.victim_portfolio}:P1-MIX")),
        ("/actuals/production", production_form(f"{world.victim_portfolio}:P1-MIX")),
        ("/actuals/fuel", fuel_form(f"draw/{world.victim_portfolio}:P1-G1")),
        ("/actuals/fuel", fuel_form(f"receipt/{world.victim_portfolio}:P1")),
    ]:
        answer = client.post(url, data={"csrf_token": csrf, "plant": "P1", **data})
        assert answer.status_code in (403, 404, 422), (email, url, answer.status_code)
        if url.startswith("/actuals/"):  # 403 for a role that records nothing, else 404
            writes = "actuals.write" in granted
            assert answer.status_code == (404 if writes else 403), (email, url)
        assert VICTIM_NAME not in answer.text
    assert len(world.store.plans(account=VICTIM)) == before
    assert len(world.store.account_audit(VICTIM)) == audit
    assert victim_actuals(world) == actuals
    # a bare line id names the outsider's own line (its own account), never the victim's
    if world.users[email][1] in ("planner", "plant_manager"):
        form = downtime_form("P1-MIX") | {"note": email}
        mine = client.post("/actuals/downtime", data={"csrf_token": csrf} | form)
        assert mine.status_code == 200, mine.text[-300:]
        assert victim_actuals(world) == actuals
        assert any(e.note == email for e in world.store.list_downtime(account="other-mgmt"))


def downtime_form(line: str) -> dict[str, str]:
    return {"line": line, "cause": "grid_outage", "note": "outsider"} | {
        "start": "2026-04-07T08:00",
        "end": "2026-04-07T09:00",
    }


def production_form(line: str) -> dict[str, str]:
    return {"line": line, "product": "BREAD", "good": "10", "scrap": "0"} | {
        "start": "2026-04-07T08:00",
        "end": "2026-04-07T09:00",
    }


def fuel_form(target: str) -> dict[str, str]:
    return {"target": target, "litres": "100", "at": "2026-04-07T08:00"}


def victim_actuals(world: World) -> tuple[int, int, int, int]:
    s = world.store
    return (
        len(s.list_downtime(account=VICTIM)),
        len(s.list_production(account=VICTIM)),
        len(s.list_fuel_draws(account=VICTIM)),
        len(s.list_fuel_receipts(account=VICTIM)),
    )


def test_the_owner_sees_its_plant_only_and_no_edit_control(app: object, world: World) -> None:
    client = signed_in(app, "auditor@owner-ali.test")
    board = client.get("/board")
    assert VICTIM_NAME in board.text and OTHER_NAME not in board.text
    assert "/plants/P1" in board.text and "/plants/P2" not in board.text
    page = client.get(f"/plans/{world.victim_published}/plants/P1")
    assert page.status_code == 200
    for control in ("/approve", "/publish", "/acknowledge", '"can_move": true'):
        assert control not in page.text
    assert client.get(f"/plans/{world.victim_published}/plants/P2").status_code == 404
    assert client.get(f"/plans/{world.victim_draft}/plants/P1").status_code == 404
    assert client.get("/audit").status_code == 200
    assert client.get("/actuals").status_code == 403
    report = f"/portfolios/{world.victim_portfolio}/report"
    assert f'href="{report}/ALI/2026-04"' in board.text
    opened = client.get(f"{report}/ALI/2026-04")
    assert opened.status_code == 200 and "Alimentos del Centro" in opened.text
    assert client.get(f"{report}/CON/2026-04").status_code == 404


def test_a_contract_report_is_refused_outside_scope_and_to_plant_managers(
    app: object, world: World
) -> None:
    report = f"/portfolios/{world.victim_portfolio}/report/ALI/2026-04"
    for email in ("auditor@owner-con.test", "planner@other.test"):
        assert signed_in(app, email).get(report).status_code == 404
    assert signed_in(app, "manager.p1@victim.test").get(report).status_code == 403


def test_a_plant_manager_sees_its_plant_and_a_wrong_role_is_refused(
    app: object, world: World
) -> None:
    client = signed_in(app, "manager.p1@victim.test", "es-ES,es;q=0.9")
    home = client.get("/plant", follow_redirects=False)
    assert home.headers["location"] == f"/plans/{world.victim_published}/plants/P1"
    page = client.get(home.headers["location"])
    assert "Confirmar recepción" in page.text  # acknowledge, in Spanish
    assert client.get(f"/plans/{world.victim_published}/plants/P2").status_code == 404
    csrf = csrf_of(client)
    approve = client.post(f"/plans/{world.victim_draft}/approve", data={"csrf_token": csrf})
    assert approve.status_code == 404  # a draft is out of a plant manager's scope
    move = client.post(
        f"/plans/{world.victim_published}/move",
        data={"csrf_token": csrf, "order": "O1", "step": "0", "line": "P1-MIX"}
        | {"start": "2026-04-06T08:00", "plant": "P1"},
    )
    assert move.status_code == 403
    ack = client.post(
        f"/plans/{world.victim_published}/acknowledge",
        data={"csrf_token": csrf, "plant": "P1"},
        follow_redirects=False,
    )
    assert ack.status_code == 303
    entries = world.store.account_audit(VICTIM, entity="plan")
    assert any(e.action == "acknowledge" and e.actor == "manager.p1@victim.test" for e in entries)


def test_a_state_change_without_the_csrf_token_is_refused(app: object, world: World) -> None:
    client = signed_in(app, "planner@victim.test")
    answer = client.post(f"/plans/{world.victim_draft}/approve", data={"plant": "P1"})
    assert answer.status_code == 403
    wrong = client.post(f"/plans/{world.victim_draft}/approve", data={"csrf_token": "x" * 43})
    assert wrong.status_code == 403
    assert world.store.plan_states([world.victim_draft])[world.victim_draft].state == "draft"


def test_languages_numbers_and_the_cookie(app: object, world: World) -> None:
    ru = signed_in(app, "planner@victim.test", "ru-RU,ru;q=0.9")
    text = ru.get("/board").text
    assert "Сводка по портфелю" in text and 'lang="ru"' in text
    es = signed_in(app, "planner@victim.test", "ru")
    es.get("/lang/es", follow_redirects=False)
    assert "Tablero del portafolio" in es.get("/board").text
    value = re.search(r"valor ([\d.]+,?\d*) ", es.get("/board").text)
    assert value is not None and "." in value.group(1)  # es groups thousands with "."


def test_file_text_is_escaped_in_every_page(app: object, world: World) -> None:
    hostile = "<script>alert(1)</script>"
    document = portfolio_document("Hostile Works")
    document["plants"][0]["name"] = hostile
    document["plants"][0]["lines"][0]["name"] = hostile
    store = world.store
    pv = store.save_portfolio("Hostile Works", document, actor="test", account="other-mgmt")
    plan = save_plan(store, pv.id, document, "test")
    client = signed_in(app, "planner@other.test")
    for url in ["/board", f"/plans/{plan}/plants/P1", "/actuals"]:
        body = client.get(url).text
        assert hostile not in body, url
        assert "&lt;script&gt;" in body or "\\u003cscript\\u003e" in body, url


def test_every_page_loads_under_one_megabyte_of_script_and_style(app: object, world: World) -> None:
    client = signed_in(app, "planner@victim.test")
    plan = world.victim_published
    pages = ["/login", "/board", f"/plans/{plan}/plants/P1", f"/plans/{plan}/orders", "/actuals"]
    for url in [*pages, f"/portfolios/{world.victim_portfolio}/whatif"]:
        body = client.get(url).text
        assets = re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', body)
        assert all(a.startswith("/static/") for a in assets)
        size = sum((STATIC / a.removeprefix("/static/")).stat().st_size for a in assets)
        assert size < 1_000_000, (url, size)
        assert not re.search(r'(?:src|href)="(?:https?:)?//', body), url


def test_a_drag_is_refused_with_a_reason_or_saved_as_a_new_version(
    app: object, world: World
) -> None:
    client = signed_in(app, "planner@victim.test")
    csrf = csrf_of(client)
    plan = world.victim_draft
    base = {"csrf_token": csrf, "order": "O1", "step": "0", "line": "P1-MIX", "plant": "P1"}
    page = client.get(f"/plans/{plan}/plants/P1").text
    op = re.search(
        r'"content": "O1/0", "end": "[^"]+", "group": "P1-MIX"[^}]*"start": "([^"]+)"', page
    )
    assert op is not None, "the Gantt data names O1/0 on P1-MIX"
    refused = client.post(f"/plans/{plan}/move", data=base | {"start": "2026-04-20T08:00"})
    assert refused.status_code == 200
    assert "Refused." in refused.text and "horizon" in refused.text
    accepted = client.post(f"/plans/{plan}/move", data=base | {"start": op.group(1)[:16]})
    assert "The validator accepts the move." in accepted.text
    before = len(world.store.plans(account=VICTIM))
    saved = client.post(f"/plans/{plan}/move/save", data=base | {"start": op.group(1)[:16]})
    assert saved.status_code == 204 and saved.headers["HX-Redirect"].endswith("/plants/P1")
    assert len(world.store.plans(account=VICTIM)) == before + 1


def test_a_refused_drag_says_the_validators_reason_in_the_pages_language(
    app: object, world: World
) -> None:
    plan = world.victim_draft
    client = signed_in(app, "planner@victim.test", "es")
    base = {"csrf_token": csrf_of(client), "order": "O1", "step": "0", "line": "P1-MIX"}
    base |= {"plant": "P1", "start": "2026-04-20T08:00"}
    refused = client.post(f"/plans/{plan}/move", data=base)
    assert refused.status_code == 200
    assert "Rechazado." in refused.text and "Refused." not in refused.text
    assert "la operación O1/0 en la línea P1-MIX" in refused.text
    assert "está fuera del horizonte" in refused.text and "outside the horizon" not in refused.text
    russian = signed_in(app, "planner@victim.test", "ru")
    base["csrf_token"] = csrf_of(russian)
    saved = russian.post(f"/plans/{plan}/move/save", data=base)
    assert saved.status_code == 422
    assert "перемещение нарушает правила плана" in saved.text and "вне горизонта" in saved.text
    assert "breaks the plan rules" not in saved.text


def test_a_plant_manager_records_a_downtime_on_its_own_lines_only(
    app: object, world: World
) -> None:
    client = signed_in(app, "manager.p1@victim.test", "es")
    form = client.get("/actuals").text
    assert f'value="{world.victim_portfolio}:P1-MIX"' in form and ':P2-CAN"' not in form
    assert "apagón de la red" in form  # the cause drop-down, in Spanish
    csrf = csrf_of(client)
    data = {"csrf_token": csrf, "cause": "grid_outage", "note": "<b>breaker</b>"}
    data |= {"start": "2026-04-06T08:00", "end": "2026-04-06T09:30"}
    ok = client.post("/actuals/downtime", data=data | {"line": "P1-MIX"})
    assert ok.status_code == 200 and "Registrado: línea P1-MIX." in ok.text
    stored = [e for e in world.store.list_downtime(account=VICTIM) if e.note == "<b>breaker</b>"]
    assert [(e.line_id, str(e.cause)) for e in stored] == [("P1-MIX", "grid_outage")]
    other = client.post("/actuals/downtime", data=data | {"line": "P2-CAN"})
    assert other.status_code == 404
    backwards = data | {"line": "P1-MIX", "end": "2026-04-06T07:00"}
    refused = client.post("/actuals/downtime", data=backwards)
    assert refused.status_code == 422
    assert "el fin debe ser posterior al inicio" in refused.text  # the service's words, in Spanish


def on_grid(page: str) -> list[str]:
    """Operations of a plant page on the grid between 08:00 and 16:00 on 6 April."""
    data = re.search(r'<script type="application/json" id="plant-data">(.*?)</script>', page)
    assert data is not None
    return [
        i["content"]
        for i in json.loads(data.group(1))["items"]
        if i.get("source") == "grid"
        and i["start"] < "2026-04-06T16:00"
        and i["end"] > "2026-04-06T08:00"
    ]


def test_a_plant_manager_replans_its_plant_from_now_as_a_draft(app: object, world: World) -> None:
    client = signed_in(app, "manager.p1@victim.test")
    csrf = csrf_of(client)
    plan = world.victim_published
    url = f"/plans/{plan}/plants/P1/replan"
    before = {p.id for p in world.store.plans(account=VICTIM)}
    form = {"csrf_token": csrf, "at": "2026-04-06T08:00", "grid_off_until": "2026-04-06T16:00"}
    answer = client.post(url, data=form)
    assert answer.status_code == 200, answer.text[-500:]
    assert "Replanned from" in answer.text
    new = {p.id for p in world.store.plans(account=VICTIM)} - before
    assert new, "the replan saved a plan version"
    states = world.store.plan_states(sorted(new))
    assert {s.state for s in states.values()} == {"draft"}
    data = re.search(r'<script type="application/json" id="plant-data">(.*?)</script>', answer.text)
    assert data is not None
    items = json.loads(data.group(1))["items"]
    on_grid = [
        i
        for i in items
        if i.get("source") == "grid"
        and i["start"] < "2026-04-06T16:00"
        and i["end"] > "2026-04-06T08:00"
    ]
    assert not on_grid, "nothing runs on the grid while it is off"
    assert client.post(f"/plans/{plan}/plants/P2/replan", data=form).status_code == 404
    auditor = signed_in(app, "auditor@owner-ali.test")
    refused = auditor.post(url, data=form | {"csrf_token": csrf_of(auditor)})
    assert refused.status_code == 403


def test_the_language_link_goes_back_only_within_the_app(app: object) -> None:
    client = TestClient(app)  # type: ignore[arg-type]
    for referer, target in [
        ("http://testserver/board?x=1", "/board"),
        ("http://testserver//evil.example/x", "/"),
        ("http://evil.example/board", "/"),
        ("", "/"),
    ]:
        answer = client.get("/lang/ru", headers={"Referer": referer}, follow_redirects=False)
        assert answer.headers["location"] == target, referer
    assert client.cookies.get("ingenio_lang") == "ru"


def test_a_plant_manager_records_production_and_fuel_on_its_own_plant_only(
    app: object, world: World
) -> None:
    client = signed_in(app, "manager.p1@victim.test", "es")
    form = client.get("/actuals").text
    pid = world.victim_portfolio
    for value in (f"{pid}:P1-MIX", f"draw/{pid}:P1-G1", f"receipt/{pid}:P1", "BREAD"):
        assert f'value="{value}"' in form, value
    assert "TOMATO" not in form and ":P2-CAN" not in form
    csrf = {"csrf_token": csrf_of(client)}
    made = production_form(f"{pid}:P1-MIX") | {"good": "120.5", "scrap": "3", "order": "O1"}
    made |= {"start": "2026-04-08T06:00", "end": "2026-04-08T07:00"}
    ok = client.post("/actuals/production", data=csrf | made)
    assert ok.status_code == 200 and "Registrado: línea P1-MIX." in ok.text
    rows = [
        r for r in world.store.list_production(["P1-MIX"], account=VICTIM) if r.good_qty == 120.5
    ]
    havana = datetime(2026, 4, 8, 6, 0, tzinfo=ZoneInfo("America/Havana"))
    assert [(r.order_id, r.scrap_qty, r.start) for r in rows] == [("O1", 3.0, havana)]
    stored = len(world.store.list_production(["P1-MIX"], account=VICTIM))
    again = client.post("/actuals/production", data=csrf | made)
    assert again.status_code == 200  # the same record again: stored once
    overlap = client.post("/actuals/production", data=csrf | made | {"good": "50"})
    assert overlap.status_code == 422  # overlaps what is stored for the line
    assert len(world.store.list_production(["P1-MIX"], account=VICTIM)) == stored
    wrong = client.post("/actuals/production", data=csrf | made | {"product": "TOMATO"})
    assert wrong.status_code == 422
    other = production_form(f"{pid}:P2-CAN") | {"product": "TOMATO"}
    assert client.post("/actuals/production", data=csrf | other).status_code == 404
    before = victim_actuals(world)
    drawn = client.post("/actuals/fuel", data=csrf | fuel_form(f"draw/{pid}:P1-G1"))
    assert drawn.status_code == 200 and "Registrado: 100,0 L en P1-G1." in drawn.text
    got = client.post(
        "/actuals/fuel", data=csrf | fuel_form(f"receipt/{pid}:P1") | {"litres": "1500"}
    )
    assert got.status_code == 200 and "1.500,0 L" in got.text
    after = victim_actuals(world)
    assert (after[2] - before[2], after[3] - before[3]) == (1, 1)
    assert (
        client.post("/actuals/fuel", data=csrf | fuel_form(f"receipt/{pid}:P2")).status_code == 404
    )
    bad = client.post("/actuals/fuel", data=csrf | fuel_form(f"sideways/{pid}:P1"))
    assert bad.status_code == 422
    assert victim_actuals(world) == after


def test_another_account_replans_and_reads_its_kpis(app: object, world: World) -> None:
    """Replan and the contract report work for a portfolio outside the default account."""
    planner = signed_in(app, "planner@other.test")
    plan = world.other_published
    before = {p.id for p in world.store.plans(account="other-mgmt")}
    form = {"csrf_token": csrf_of(planner), "at": "2026-04-06T08:00"}
    answer = planner.post(f"/plans/{world.other_draft}/plants/P1/replan", data=form)
    assert answer.status_code == 200, answer.text[-500:]
    new = {p.id for p in world.store.plans(account="other-mgmt")} - before
    assert new and not {p.id for p in world.store.plans(account=VICTIM)} & new
    replans = [
        e for e in world.store.account_audit("other-mgmt", entity="plan") if e.action == "replan"
    ]
    assert replans[-1].detail["replanned"] == plan  # from the published plan, not the draft
    owner = signed_in(app, "auditor@owner-con.test")
    report = f"/portfolios/{world.other_portfolio}/report/CON/2026-04"
    assert f'href="{report}"' in owner.get("/board").text
    opened = owner.get(report)
    assert opened.status_code == 200 and "Conservera del Sur" in opened.text
    assert "compared with the published plan" in opened.text
    assert owner.get(f"/portfolios/{world.other_portfolio}/report/ALI/2026-04").status_code == 404


def test_the_language_is_kept_on_the_user_and_follows_it_to_another_browser(
    app: object, world: World
) -> None:
    email = "auditor@victim.test"
    ru = signed_in(app, email, "ru-RU,ru;q=0.9")
    assert 'lang="ru"' in ru.get("/board").text  # nothing chosen yet: the browser's language
    assert ru.post("/lang/es", data={"plant": ""}).status_code == 403  # no CSRF token
    assert ru.post("/lang/xx", data={"csrf_token": csrf_of(ru)}).status_code == 404
    chosen = ru.post(
        "/lang/es",
        data={"csrf_token": csrf_of(ru)},
        headers={"Referer": "http://testserver/audit"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/audit"
    found = world.store.user_login(email)
    assert found is not None and found[0].language == "es"
    other_device = signed_in(app, email, "ru-RU,ru;q=0.9")
    other_device.cookies.delete("ingenio_lang")
    board = other_device.get("/board").text
    assert 'lang="es"' in board and "Tablero del portafolio" in board
    assert 'action="/lang/ru"' in board  # a signed-in user's switch posts (and persists)
    world.store.set_user_language(found[0].id, None)
    assert 'lang="ru"' in other_device.get("/board").text


def test_migration_0006_adds_and_removes_the_users_language(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'm.sqlite').as_posix()}"
    with Store.open(url):
        pass
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            assert "language" in {c["name"] for c in sa.inspect(connection).get_columns("users")}
            command.downgrade(alembic_config(connection), "0005")
            assert "language" not in {
                c["name"] for c in sa.inspect(connection).get_columns("users")
            }
            command.upgrade(alembic_config(connection), "head")
            assert "language" in {c["name"] for c in sa.inspect(connection).get_columns("users")}
    finally:
        engine.dispose()


def test_the_orders_page_says_when_a_stopped_plant_resumes_in_scope(
    app: object, world: World
) -> None:
    planner = signed_in(app, "planner@victim.test")
    plan = world.victim_published
    gantt = planner.get(f"/plans/{plan}/plants/P1").text
    data = re.search(r'<script type="application/json" id="plant-data">(.*?)</script>', gantt)
    assert data is not None
    ops = [i for i in json.loads(data.group(1))["items"] if "order" in i]
    running = [i for i in ops if i["start"] <= "2026-04-06T12:00" < i["end"]]
    nxt = min(i["start"] for i in ops if i["start"] > "2026-04-06T12:00")
    assert not running  # the grid is off 10:00-14:00 and the plan stops P1
    page = planner.get(f"/plans/{plan}/orders?at=2026-04-06T12:00").text
    stopped = page.split("Stopped plants")[1].split("<h2>")[0]
    assert "Panadería Central" in stopped
    assert f"Resumes in the plan: {translator('en').when(nxt)}" in stopped
    assert f"grid back {translator('en').when('2026-04-06T14:00:00')}" in stopped
    if nxt > "2026-04-06T15:00":
        assert "It waits for work or shifts, not for power" in stopped
    late = planner.get(f"/plans/{plan}/orders?at=2026-04-08T07:00").text
    assert "Conservas Sur" in late.split("Stopped plants")[1].split("<h2>")[0]
    for email in ("manager.p1@victim.test", "auditor@owner-ali.test"):
        scoped = signed_in(app, email).get(f"/plans/{plan}/orders?at=2026-04-08T07:00")
        assert scoped.status_code == 200 and "Conservas Sur" not in scoped.text
    quiet = planner.get(f"/plans/{plan}/orders?at=2026-04-06T08:00").text
    assert "No plant of yours is stopped at this moment." in quiet


def test_the_fuel_board_inputs_start_a_what_if_job(app: object, world: World) -> None:
    store = world.store
    document = portfolio_document("Fuel Works")
    pv = store.save_portfolio("Fuel Works", document, actor="test", account="other-mgmt")
    save_plan(store, pv.id, document, "test")
    url = f"/portfolios/{pv.id}/whatif"
    planner = signed_in(app, "planner@other.test")
    page = planner.get(url).text
    for name in ('name="delay:T1"', 'name="delay:T2"', 'name="extra:P1"', 'name="extra:D1"'):
        assert name in page, name
    assert 'value="P1/P1-G1"' in page and "900 / 2,000, 200" in page  # P1's tank
    csrf = {"csrf_token": csrf_of(planner)}
    for bad in ({"delay:T9": "2"}, {"delay:T2": "99"}, {"extra:P1": "-5"}, {"down": "P1/G9"}):
        assert planner.post(url, data=csrf | bad).status_code == 422, bad
    assert planner.post(url, data=csrf).status_code == 422  # nothing changed: no what-if
    asked = planner.post(
        url, data=csrf | {"delay:T2": "2", "extra:D1": "500", "extra:P1": "", "down": "P1/P1-G1"}
    )
    found = re.search(r'id="job-([0-9a-f-]+)"', asked.text)
    assert asked.status_code == 200 and found is not None
    job = store.job(found.group(1))
    assert job is not None and job.kind == "whatif"
    assert job.params["tanker_delays"] == ["T2=2d"]
    assert job.params["extra_fuel"] == ["D1=500"]
    assert job.params["generators_down"] == ["P1/P1-G1"]
    for email, code in [("planner@victim.test", 404), ("manager.p1@other.test", 403)]:
        other = signed_in(app, email)
        assert other.get(url).status_code == code, email
        posted = other.post(url, data={"csrf_token": csrf_of(other), "delay:T2": "2"})
        assert posted.status_code == code, email


def test_a_monte_carlo_job_shows_the_spread_and_the_risk_per_order(
    app: object, world: World
) -> None:
    """Runs queued jobs of the module's world too: keep this test last."""
    store = world.store
    document = portfolio_document("Scenario Works")
    pv = store.save_portfolio("Scenario Works", document, actor="test", account="other-mgmt")
    save_plan(store, pv.id, document, "test")
    url = f"/portfolios/{pv.id}/scenarios"
    planner = signed_in(app, "planner@other.test")
    assert "/scenarios" in planner.get(f"/portfolios/{pv.id}/whatif").text
    form = {"csrf_token": csrf_of(planner), "samples": "4", "seed": "7"}
    assert planner.post(url, data=form | {"samples": "100000"}).status_code == 422
    for email, code in [("planner@victim.test", 404), ("manager.p1@other.test", 403)]:
        other = signed_in(app, email)
        assert other.post(url, data=form | {"csrf_token": csrf_of(other)}).status_code == code
    queued = planner.post(url, data=form)
    assert queued.status_code == 200 and 'hx-trigger="every 1s"' in queued.text
    job_id = re.search(r'id="job-([0-9a-f-]+)"', queued.text)
    assert job_id is not None
    worker = Worker(store, beat_s=0.5, stall_after_s=60)
    for _ in range(10):
        job = store.job(job_id.group(1))
        if job is not None and job.status in ("succeeded", "failed"):
            break
        worker.run_once()
    assert job is not None and job.status == "succeeded", job
    assert job.result is not None and job.result["samples"] == 4
    panel = planner.get(f"/jobs/{job.id}/panel").text
    en = translator("en")
    spread = " · ".join(en.number(job.result[k], 0) for k in ("p10", "p50", "p90"))
    assert "P10 · P50 · P90" in panel and spread in panel
    assert "Risk late" in panel
    for row in job.result["orders"]:
        assert f"<td>{row['order']}</td>" in panel
    assert signed_in(app, "planner@victim.test").get(f"/jobs/{job.id}/panel").status_code == 404


def plant_data(page: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="plant-data">(.*?)</script>', page)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_a_metered_grid_loss_is_a_third_kind_of_band_in_plant_local_time(
    app: object, world: World
) -> None:
    utc = ZoneInfo("UTC")
    metered = [  # as the ingester records a loss: one event per line, source telemetry
        DowntimeEvent(line, DowntimeCause.GRID_OUTAGE, datetime(2026, 4, 6, 20, 0, tzinfo=utc),
                      datetime(2026, 4, 6, 21, 30 if line == "P1-MIX" else 45, tzinfo=utc),
                      "metered: grid state off")
        for line in ("P1-MIX", "P1-OVEN")
    ]  # fmt: skip
    batch = ActualsBatch(downtime=tuple(metered), sources={"downtime": "telemetry"})
    world.store.add_actuals(batch, source="telemetry", actor="telemetry", account=VICTIM)
    typed = DowntimeEvent("P1-MIX", DowntimeCause.GRID_OUTAGE,
                          datetime(2026, 4, 7, 6, 0, tzinfo=utc),
                          datetime(2026, 4, 7, 7, 0, tzinfo=utc), "typed on a phone")  # fmt: skip
    world.store.add_actuals(ActualsBatch(downtime=(typed,)), source="web", account=VICTIM)
    client = signed_in(app, "manager.p1@victim.test", "es")
    page = client.get(f"/plans/{world.victim_published}/plants/P1").text
    bands = [i for i in plant_data(page)["items"] if i.get("className") == "off-metered"]  # type: ignore[attr-defined]
    # 20:00Z is 16:00 in Havana (UTC-4 in April); the two lines' events are one loss
    assert [(b["start"], b["end"], b["type"]) for b in bands] == [
        ("2026-04-06T16:00:00", "2026-04-06T17:45:00", "background")
    ]
    assert "sin red (medido)" in page  # the legend, in Spanish
    planner = signed_in(app, "planner@victim.test")
    p2 = plant_data(planner.get(f"/plans/{world.victim_published}/plants/P2").text)
    assert not [i for i in p2["items"] if i.get("className") == "off-metered"]  # type: ignore[attr-defined]


def test_a_replan_suggestion_is_shown_and_accepted_in_one_click(app: object, world: World) -> None:
    store = world.store
    first = raise_suggestion(store, VICTIM, VICTIM_NAME, "P1", (1020, 1080))
    second = raise_suggestion(store, VICTIM, VICTIM_NAME, "P1", (1500, 1560))
    url = f"/plans/{world.victim_published}/plants/P1"
    planner = signed_in(app, "planner@victim.test")
    page = planner.get(url).text
    accept = f"/portfolios/{world.victim_portfolio}/suggestions/{first}/accept"
    assert f'id="suggestion-{first}"' in page and f'hx-post="{accept}"' in page
    assert "O1 on P1-MIX: 60 min without power" in page
    assert "5:00\u202fPM" in page or "5:00 PM" in page  # minute 1020, on the plant's clock
    manager = signed_in(app, "manager.p1@victim.test", "es")
    seen = manager.get(url).text
    assert f'id="suggestion-{first}"' in seen and accept not in seen  # sees it, cannot decide
    assert "a las 6/4/26, 17:00" in seen and "Sugerencias de replanificación" in seen
    owner = signed_in(app, "auditor@owner-ali.test")
    assert f'id="suggestion-{first}"' not in owner.get(url).text
    form = {"plant": "P1"}
    assert manager.post(accept, data=form | {"csrf_token": csrf_of(manager)}).status_code == 403
    outsider = signed_in(app, "planner@other.test")
    assert outsider.post(accept, data=form | {"csrf_token": csrf_of(outsider)}).status_code == 404
    assert planner.post(accept, data=form).status_code == 403  # no CSRF token
    before = {p.id for p in store.plans(account=VICTIM)}
    done = planner.post(accept, data=form | {"csrf_token": csrf_of(planner)})
    assert done.status_code == 200, done.text[-500:]
    new = {p.id for p in store.plans(account=VICTIM)} - before
    assert len(new) == 1 and f'href="/plans/{min(new)}/plants/P1"' in done.text
    assert "Late or unscheduled orders:" in done.text
    assert {s.state for s in store.plan_states(sorted(new)).values()} == {"draft"}
    decided = [e for e in store.account_audit(VICTIM, "replan_suggestion")
               if e.entity_id == str(first) and e.action == "accepted"]  # fmt: skip
    assert decided and decided[0].actor == "planner@victim.test"
    assert "metered grid loss" in decided[0].detail["reason"]
    again = planner.post(accept, data=form | {"csrf_token": csrf_of(planner)})
    assert again.status_code == 409
    dismiss = f"/portfolios/{world.victim_portfolio}/suggestions/{second}/dismiss"
    csrf = {"csrf_token": csrf_of(planner)}
    assert planner.post(dismiss, data=csrf | {"reason": "  "}).status_code == 422
    dismissed = planner.post(dismiss, data=csrf | {"reason": "a breaker, not the grid"})
    assert dismissed.status_code == 200 and "audit trail" in dismissed.text
    page = planner.get(url).text
    assert f'id="suggestion-{first}"' not in page and f'id="suggestion-{second}"' not in page


def test_the_diesel_to_resume_a_stopped_plant_is_labelled_an_estimate_with_its_basis(
    tmp_path: Path,
) -> None:
    """The demo's bakery is stopped by the grid at 06:00 on 6 April and resumes when it
    returns: the litres are the largest generator's curve at the step's load until then,
    not litres of the plan, and the page says so."""
    with pytest.MonkeyPatch.context() as mp, Store.open(f"sqlite:///{tmp_path}/d.sqlite") as store:
        fast_hashes(mp)
        load_demo(store, (("planner@demo.test", "default", "planner", ()),), lambda: PASSWORD)
        plan = store.plans()[-1].id
        who = principal(store, "planner@demo.test")
        stopped = resumptions(store, who, plan, datetime(2026, 4, 6, 6))
        [pan] = [r for r in stopped if r.plant_id == "PAN"]
        assert pan.litres_needed is not None and pan.waits_for_power
        portfolio = build_demo_portfolio()
        g = portfolio.generator(str(pan.estimate_generator))
        assert pan.estimate_kw is not None and pan.estimate_hours is not None
        assert pan.litres_needed == pytest.approx(
            g.litres(pan.estimate_kw, round(pan.estimate_hours * 60))
        )
        client = signed_in(install(create_app(store)), "planner@demo.test")
        page = client.get(f"/plans/{plan}/orders?at=2026-04-06T06:00").text
    said = page.split(pan.plant_name)[1].split("</div>")[0]
    assert re.search(
        r"Estimate, not in the plan:</strong> about [\d,]+ L of diesel to run its next step "
        rf"on generator {g.id} at [\d,]+ kW for the [\d.]+ h until the grid returns",
        said,
    ), said


def run_jobs(world: World, job_id: str) -> dict[str, object]:
    """Run queued jobs (oldest first) until ``job_id`` is finished; its result."""
    worker = Worker(world.store, beat_s=0.5, stall_after_s=60)
    for _ in range(10):
        job = world.store.job(job_id)
        if job is not None and job.status in ("succeeded", "failed"):
            break
        worker.run_once()
    assert job is not None and job.status == "succeeded", job
    assert job.result is not None
    return job.result


def test_a_what_if_variant_is_promoted_to_a_draft_plan(app: object, world: World) -> None:
    """Runs queued jobs of the module's world too: keep this test last."""
    store = world.store
    document = portfolio_document("Promote Works")
    pv = store.save_portfolio("Promote Works", document, actor="test", account="other-mgmt")
    save_plan(store, pv.id, document, "test")
    planner = signed_in(app, "planner@other.test")
    csrf = {"csrf_token": csrf_of(planner)}
    asked = planner.post(
        f"/portfolios/{pv.id}/whatif", data=csrf | {"tanker": "T2", "delay_days": "2"}
    )
    found = re.search(r'id="job-([0-9a-f-]+)"', asked.text)
    assert asked.status_code == 200 and found is not None
    whatif = found.group(1)
    run_jobs(world, whatif)
    panel = planner.get(f"/jobs/{whatif}/panel").text
    assert f'hx-post="/jobs/{whatif}/promote"' in panel
    auditor = signed_in(app, "auditor@other.test")
    assert f"/jobs/{whatif}/promote" not in auditor.get(f"/jobs/{whatif}/panel").text
    for email, code in [
        ("planner@victim.test", 404),
        ("auditor@other.test", 403),
        ("auditor@owner-con.test", 403),
    ]:
        other = signed_in(app, email)
        refused = other.post(f"/jobs/{whatif}/promote", data={"csrf_token": csrf_of(other)})
        assert refused.status_code == code, (email, refused.status_code)
    versions = len(store.portfolio_versions("Promote Works", account="other-mgmt"))
    promoted = planner.post(f"/jobs/{whatif}/promote", data=csrf)
    assert promoted.status_code == 200, promoted.text[-300:]
    saved = store.portfolio_versions("Promote Works", account="other-mgmt")
    assert len(saved) == versions + 1 and "promoted" in saved[-1].note
    _, variant = store.load_portfolio("Promote Works", saved[-1].version, account="other-mgmt")
    t2 = next(d for d in variant["deliveries"] if d["id"] == "T2")
    assert str(t2["expected"]).startswith("2026-04-11T12:00")  # two days later
    plan_job = re.search(r'id="job-([0-9a-f-]+)"', promoted.text)
    assert plan_job is not None
    result = run_jobs(world, plan_job.group(1))
    plan_id = int(str(result["plan_id"]))
    assert store.plan_states([plan_id])[plan_id].state == "draft"
    assert store.plan_info(plan_id).portfolio_version == saved[-1].version  # type: ignore[union-attr]
    done = planner.get(f"/jobs/{plan_job.group(1)}/panel").text
    assert f'href="/plans/{plan_id}/orders"' in done
    again = planner.post(f"/jobs/{plan_job.group(1)}/promote", data=csrf)
    assert again.status_code == 422  # only a finished what-if is promoted
