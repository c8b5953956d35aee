"""Web pages: server time of the board and of the largest plant page, and the Gantt's
draw time in Chromium for a plant with about 1,000 operations.

    .venv/bin/python bench/web_pages.py [--loads 100] [--no-browser] [--screens docs]

Server time is measured in process (Starlette's TestClient: routing, scope checks, the
view services and Jinja rendering; no network), p50/p95 over ``--loads`` loads after a
warm-up. The draw time starts a real ``uvicorn`` on a free port and opens the plant page
in Debian's /usr/bin/chromium (Playwright, no download): from navigation start to the
moment the Gantt and the tank graph are drawn and shown (``body[data-gantt=ready]``).
Targets (issue 11): p95 < 300 ms; Gantt of 1,000 operations < 1 s.
``--screens DIR`` also writes the README screenshots (board and plant page).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from server_world import CHEAP, CHEAP_DUMMY

from ingenio.api import create_app
from ingenio.data.demo import build_demo_portfolio
from ingenio.data.generate import Counts, generate_portfolio
from ingenio.formats.plan_file import plan_to_document
from ingenio.formats.portfolio import portfolio_to_document
from ingenio.services import auth
from ingenio.services.accounts import add_user
from ingenio.services.plans import make_plan, summary_document
from ingenio.store import Store
from ingenio.web import install

PASSWORD = "bench password"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARGS += ["--disable-component-update", "--disable-sync"]


def save(store: Store, portfolio: object) -> tuple[int, str, int]:
    """Save a portfolio and its dispatch plan; returns (plan id, busiest plant, its ops)."""
    outcome = make_plan(portfolio, "dispatch")  # type: ignore[arg-type]
    pv = store.save_portfolio(portfolio.name, portfolio_to_document(portfolio), actor="bench")  # type: ignore[attr-defined]
    saved = store.save_plan(
        portfolio_version_id=pv.id,
        planner=outcome.plan.planner,
        status=outcome.plan.status,
        value=outcome.plan.value,
        bound=outcome.plan.bound,
        seconds=outcome.seconds,
        document=plan_to_document(outcome.plan, portfolio),  # type: ignore[arg-type]
        summary=summary_document(outcome.summary),
        actor="bench",
    )
    count: dict[str, int] = {}
    for op in outcome.plan.operations:
        plant = portfolio.line(op.line_id).plant_id  # type: ignore[attr-defined]
        count[plant] = count.get(plant, 0) + 1
    busiest = max(count, key=lambda k: count[k])
    return saved.id, busiest, count[busiest]


def timings(client: TestClient, url: str, loads: int) -> tuple[float, float, int]:
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    seconds = []
    size = 0
    for _ in range(loads):
        t = time.perf_counter()
        answer = client.get(url)
        seconds.append(time.perf_counter() - t)
        size = len(answer.content)
    seconds.sort()
    return statistics.median(seconds) * 1000, seconds[int(0.95 * len(seconds)) - 1] * 1000, size


def serve(app: object) -> tuple[str, object]:
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))  # type: ignore[arg-type]
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=100)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--screens", type=Path, default=None)
    args = parser.parse_args()
    auth._hasher = lambda: CHEAP  # type: ignore[assignment]
    auth._dummy_hash = lambda: CHEAP_DUMMY  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp, Store.open(f"sqlite:///{tmp}/bench.sqlite") as store:
        demo_plan, demo_plant, demo_ops = save(store, build_demo_portfolio())
        big = generate_portfolio(Counts(plants=1, lines=12, orders=530), seed=3)
        big_plan, big_plant, big_ops = save(store, big)
        add_user(store, "planner@bench.test", "default", "planner", PASSWORD, (), actor="bench")
        app = install(create_app(store))
        client = TestClient(app)
        client.post("/login", data={"email": "planner@bench.test", "password": PASSWORD})
        print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")
        rows = [
            ("board (2 portfolios, 7 plants)", "/board"),
            (
                f"plant page {demo_plant} ({demo_ops} ops, largest demo plant)",
                f"/plans/{demo_plan}/plants/{demo_plant}",
            ),
            (
                f"plant page {big_plant} ({big_ops} ops, generated)",
                f"/plans/{big_plan}/plants/{big_plant}",
            ),
        ]
        for label, url in rows:
            p50, p95, size = timings(client, url, args.loads)
            print(
                f"{label:55s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {size / 1024:6.1f} KiB"
                "  (target p95 < 300 ms)"
            )
        if args.no_browser or not Path("/usr/bin/chromium").exists():
            return
        from playwright.sync_api import sync_playwright

        base, server = serve(app)
        cookies = [{"name": k, "value": v, "url": base} for k, v in client.cookies.items()]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_cookies(cookies)
            page = context.new_page()
            draws, builds = [], []
            for _ in range(5):
                page.goto(f"{base}/plans/{big_plan}/plants/{big_plant}")
                page.wait_for_selector("body[data-gantt=ready]")
                draws.append(page.evaluate("window.ingenioGantt.drawn"))
                builds.append(page.evaluate("window.ingenioGantt.build"))
                items = page.locator("#gantt .vis-item").count()
            print(
                f"Gantt of {big_ops} operations in Chromium: median"
                f" {statistics.median(builds):.0f} ms to build and draw the timeline and tank"
                f" graph; {statistics.median(draws):.0f} ms from navigation start (page, scripts,"
                f" drawing); {items} items in view; target < 1 s"
            )
            if args.screens is not None:
                args.screens.mkdir(parents=True, exist_ok=True)
                page.goto(f"{base}/board?at=2026-04-06T20:00")
                page.screenshot(path=str(args.screens / "web-board.png"), full_page=True)
                page.goto(f"{base}/plans/{demo_plan}/plants/CEM")
                page.wait_for_selector("body[data-gantt=ready]")
                page.wait_for_timeout(800)  # the timeline draws its items on the next frames
                page.locator("main").screenshot(path=str(args.screens / "web-plant.png"))
                print(f"screenshots in {args.screens}")
            browser.close()
        server.should_exit = True  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
