"""Browser tests: Debian's Chromium driven by Playwright against a real `ingenio serve --demo`.

One server for the module (SQLite, in-process worker). Playwright never downloads a
browser: it launches /usr/bin/chromium; without it these tests are skipped. Screenshots
go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)"
    ),
]


DATABASE: list[str] = []
"""The demo server's database (a test raises a replan suggestion in it, as the ingester would)."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path_factory.mktemp("browser") / "demo.sqlite"
    DATABASE.append(f"sqlite:///{db.as_posix()}")
    command = [sys.executable, "-m", "ingenio.cli.main", "serve", "--demo", "--port", str(port)]
    command += ["--db", str(db), "--log-level", "warning"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        logins: dict[str, str] = {}
        for line in proc.stdout:
            found = re.match(r"^login (\S+) (\S+) (\S+)$", line.strip())
            if found:
                logins[found[1]] = found[2]
            if len(logins) == 7:
                break
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        yield base, logins
    finally:
        proc.terminate()
        proc.wait(30)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


REQUESTS: list[str] = []
CONSOLE: list[str] = []


def open_page(browser: Any, base: str, locale: str, width: int = 1280) -> Any:
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.on("request", lambda r: REQUESTS.append(r.url))
    page.on("console", lambda m: CONSOLE.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: CONSOLE.append(f"pageerror: {e}"))
    page.set_default_timeout(20_000)
    return page


def gantt_ready(page: Any, name: str) -> None:
    """Wait for the Gantt to be drawn and shown (vis-timeline keeps it hidden until then:
    the page once said ready while it was still blank); on failure keep a screenshot and
    the console."""
    try:
        page.wait_for_selector("body[data-gantt=ready]")
        page.wait_for_selector("#gantt .vis-item.vis-range", state="visible")
    except Exception as exc:
        shot(page, f"blank-{name}")
        raise AssertionError(f"blank Gantt at {page.url}: " + " | ".join(CONSOLE[-20:])) from exc


def sign_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_plant_manager_in_spanish_records_a_grid_downtime_and_replans(
    server: tuple[str, dict[str, str]], browser: Any
) -> None:
    base, logins = server
    page = open_page(browser, base, "es-ES", width=360)
    sign_in(page, base, "manager.cig@demo.ingenio", logins["manager.cig@demo.ingenio"])
    assert re.search(r"/plans/\d+/plants/CIG$", page.url)
    gantt_ready(page, "manager")
    assert "Horas locales de la planta: America/Havana" in page.content()
    assert page.locator("#gantt .vis-item.vis-range").count() > 0
    shot(page, "plant-manager-es-360")
    page.goto(f"{base}/board")
    assert "/plants/UAZ" not in page.content() and "/plants/CEM" not in page.content()
    page.goto(f"{base}/actuals")
    page.select_option("select[name=cause]", "grid_outage")
    page.fill("input[name=start]", "2026-04-06T10:00")
    page.fill("input[name=end]", "2026-04-06T12:00")
    url = page.url
    page.click("button[type=submit]")
    page.wait_for_selector("text=Registrado: línea")
    assert page.url == url  # an htmx partial, no full reload
    shot(page, "downtime-es-360")
    page.goto(f"{base}/plant")
    gantt_ready(page, "manager-before")
    before = page.locator("#plant-data").text_content()
    page.fill("input[name=grid_off_until]", "2026-04-06T14:00")
    page.click("#replan")
    page.wait_for_selector("#replanned")
    gantt_ready(page, "manager-replanned")
    assert "Replanificado desde" in page.inner_text("#replanned")
    assert page.locator("#plant-data").text_content() != before  # the Gantt changed
    shot(page, "replanned-es-360")


def test_planner_drag_refused_then_accepted_makes_a_new_version(
    server: tuple[str, dict[str, str]], browser: Any
) -> None:
    base, logins = server
    page = open_page(browser, base, "en-GB")
    sign_in(page, base, "planner@demo.ingenio", logins["planner@demo.ingenio"])
    page.goto(f"{base}/board?at=2026-04-06T20:00")
    shot(page, "board-en")
    page.click("a[href$='/plants/CEM']")
    gantt_ready(page, "planner-cem")
    shot(page, "plant-cem-en")
    versions = page.locator(".actions a").count()

    def drag(minutes: int, at: str = "") -> None:
        # the CEM-002 step 0 bar, moved by `minutes` or to plant-local time `at`
        page.evaluate(
            """([minutes, at]) => {
              const g = window.ingenioGantt;
              const it = g.items.get({filter: i => i.content === 'CEM-002/0'})[0];
              const s = new Date(it.start).getTime();
              const lo = new Date(s - (at ? 6 : 1) * 3600e3);
              const hi = new Date(s + (at ? 30 : 4) * 3600e3);
              g.timeline.setWindow(lo, hi, {animation: false});
              window.__target = at ? new Date(at).getTime() : s + minutes * 60e3;
              window.__id = it.id;
            }""",
            [minutes, at],
        )
        page.wait_for_timeout(300)
        item = page.locator(".vis-item.vis-range", has_text="CEM-002/0").first
        item.click()
        box = item.bounding_box()
        assert box is not None
        px = page.evaluate(
            """() => { const g = window.ingenioGantt.timeline, w = g.getWindow();
               const width = g.body.domProps.center.width;
               return width * (window.__target - g.itemsData.get(window.__id).start.valueOf()
                 ) / (w.end - w.start); }"""
        )
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        for k in range(1, 11):
            page.mouse.move(x + px * k / 10, y)
        page.mouse.up()
        page.wait_for_selector("#move-panel .move")

    drag(0, "2026-04-06T19:00")  # into the grid-off band: 2,650 kW, generators 2,000 kW
    panel = page.inner_text("#move-panel")
    assert "Refused." in panel
    shot(page, "drag-refused")
    for minutes in (10, 5, 20):  # a little later: the line is free, the grid is on
        page.reload()
        gantt_ready(page, "planner-reload")
        drag(minutes)
        panel = page.inner_text("#move-panel")
        if "Refused." not in panel:
            break
    assert "The validator accepts the move." in panel, panel
    assert "Diesel:" in panel and "kWh" in panel
    shot(page, "drag-accepted")
    first = page.url
    page.click("#confirm-move")
    page.wait_for_url(lambda url: url != first and url.endswith("/plants/CEM"))
    gantt_ready(page, "planner-confirmed")
    assert page.locator(".actions a").count() > versions


def test_russian_auditor_of_an_owner_reads_only_its_enterprise(
    server: tuple[str, dict[str, str]], browser: Any
) -> None:
    base, logins = server
    page = open_page(browser, base, "ru-RU")
    sign_in(page, base, "auditor@tabaco.demo.ingenio", logins["auditor@tabaco.demo.ingenio"])
    assert page.url.endswith("/board")
    text = page.content()
    assert "Сводка по портфелю" in text and "Завод" in text
    assert "/plants/CIG" in text and "/plants/CEM" not in text
    assert "/whatif" not in text
    page.click("a[href$='/plants/CIG']")
    gantt_ready(page, "auditor")
    for control in ("Утвердить", "Опубликовать", "Подтвердить получение"):
        assert control not in page.content()
    assert page.locator("#gantt .vis-item.vis-range").count() > 0
    assert page.locator("#gantt .vis-item.vis-editable").count() == 0  # nothing can be dragged
    page.goto(f"{base}/board")
    page.click("a[href*='/report/E-TAB/']")
    page.wait_for_load_state("domcontentloaded")
    assert "— 2026-04" in page.content()  # the contract report of April opened
    page.goto(f"{base}/audit")
    assert "Журнал аудита" in page.content()
    shot(page, "auditor-ru")


def test_whatif_job_progress_runs_to_the_comparison(
    server: tuple[str, dict[str, str]], browser: Any
) -> None:
    base, logins = server
    page = open_page(browser, base, "en-US")
    sign_in(page, base, "planner@demo.ingenio", logins["planner@demo.ingenio"])
    page.goto(f"{base}/board")
    page.click("a[href$='/whatif']")
    page.fill("input[name=tanker]", "TANKER-MARIEL")
    page.fill("input[name=delay_days]", "9")
    page.click("button[type=submit]")
    page.wait_for_selector("#job progress")
    page.wait_for_selector(".job-status:text('succeeded')", timeout=120_000)
    assert page.locator(".side").count() == 1
    assert "Current plan" in page.inner_text("#job") and "Variant" in page.inner_text("#job")
    shot(page, "whatif")


def test_a_planner_accepts_a_replan_suggestion_in_one_click(
    server: tuple[str, dict[str, str]], browser: Any
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from ingenio.store import Store

    base, logins = server
    with Store.open(DATABASE[-1]) as store:  # what the telemetry watcher does on a grid loss
        name = store.plans()[0].portfolio_name
        start = datetime(2026, 4, 8, 10, 0, tzinfo=ZoneInfo("America/Havana"))
        preview = {"from_minute": 3480, "to_minute": 3600, "orders": [], "operations": []}
        made = store.add_suggestion("default", name, "CEM", start, "grid state off", preview)
        assert made is not None
    page = open_page(browser, base, "en-GB")
    sign_in(page, base, "planner@demo.ingenio", logins["planner@demo.ingenio"])
    page.goto(f"{base}/board")
    page.click("a[href$='/plants/CEM']")
    gantt_ready(page, "planner-suggestion")
    panel = page.locator(f"#suggestion-{made.id}")
    assert "outside the announced outages" in panel.inner_text()
    url = page.url
    panel.locator("button.accept-suggestion").click()
    page.wait_for_selector("#open-draft", timeout=60_000)
    assert page.url == url  # an htmx partial
    assert "Late or unscheduled orders:" in page.inner_text(f"#suggestion-{made.id}")
    shot(page, "suggestion-accepted")
    page.click("#open-draft")
    gantt_ready(page, "suggestion-draft")
    assert "draft" in page.inner_text(".meta") and page.url != url


def test_every_request_went_to_the_apps_own_origin(server: tuple[str, dict[str, str]]) -> None:
    base, _ = server
    assert REQUESTS, "the browser tests ran before this one"
    strangers = [u for u in REQUESTS if not u.startswith(base + "/")]
    assert not strangers, strangers[:5]
