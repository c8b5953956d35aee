"""Load test of the server: 50 concurrent users reading plans and the portfolio board.

Starts a real ``ingenio serve --demo`` on a free port with a fresh SQLite file,
signs the users in (planner, plant manager, owners' auditors, ...: the demo's
logins, shared by the virtual users), then for ``--seconds`` each virtual user
loops over ``GET /api/v1/portfolios``, ``GET /api/v1/portfolios/{id}/plans`` and
``GET /api/v1/plans/{id}`` (the plan.json document, cut to the user's plants for
scoped roles). Prints throughput and p50 / p95 / p99 latency, overall and per route.

    .venv/bin/python bench/server_load.py --users 50 --seconds 30 [--think 1.0]
        [--no-etag] [--workers N] [--postgres [URL]]

``--think`` is the mean pause of a user between two requests (uniform on 0 to twice it);
``--think 0`` is a closed loop, every user firing as fast as the server answers.
Users revalidate the plan document with ``If-None-Match`` as a browser does (``--no-etag``:
they fetch it whole every time). ``--workers N`` runs ``ingenio serve --workers N``;
``--postgres`` puts the store in a fresh database on the PostgreSQL server (dropped after).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx

TARGET_P95_MS = 300.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    db: str, port: int, workers: int = 1
) -> tuple[subprocess.Popen[str], list[tuple[str, str, str]]]:
    command = [
        sys.executable, "-m", "ingenio.cli.main", "serve", "--demo", "--db", db,
        "--port", str(port), "--log-level", "warning", "--no-worker", "--workers", str(workers),
    ]
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    logins: list[tuple[str, str, str]] = []
    assert server.stdout is not None
    for line in server.stdout:
        found = re.match(r"^login (\S+) (\S+) (\S+)$", line.strip())
        if found:
            logins.append((found[1], found[2], found[3]))
        if len(logins) == 7:
            break
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server, logins
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def sign_in(base: str, email: str, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    answer = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    if answer.status_code != 200:
        raise SystemExit(f"sign-in of {email} failed: {answer.status_code} {answer.text}")
    return client


async def user(
    client: httpx.AsyncClient,
    started: asyncio.Event,
    stop_at: list[float],
    think_s: float,
    samples: dict[str, list[float]],
    errors: dict[str, int],
    etag: bool,
) -> None:
    portfolios = (await client.get("/api/v1/portfolios")).json()
    pid = portfolios[0]["id"]
    plans = (await client.get(f"/api/v1/portfolios/{pid}/plans")).json()
    plan_id = plans[-1]["id"]
    routes = [
        ("portfolios", "/api/v1/portfolios"),
        ("plan list", f"/api/v1/portfolios/{pid}/plans"),
        ("plan.json", f"/api/v1/plans/{plan_id}"),
    ]
    tags: dict[str, str] = {}
    await started.wait()
    i = random.randrange(len(routes))
    while time.monotonic() < stop_at[0]:
        name, url = routes[i % len(routes)]
        i += 1
        headers = {"If-None-Match": tags[url]} if url in tags else {}
        began = time.perf_counter()
        answer = await client.get(url, headers=headers)
        elapsed = (time.perf_counter() - began) * 1000
        if etag and "etag" in answer.headers:
            tags[url] = answer.headers["etag"]
        if answer.status_code not in (200, 304):
            errors[name] += 1
        samples[name].append(elapsed)
        if think_s > 0:
            await asyncio.sleep(random.uniform(0, 2 * think_s))
    await client.aclose()


async def run(
    base: str,
    logins: list[tuple[str, str, str]],
    users: int,
    seconds: float,
    think_s: float,
    etag: bool = True,
) -> int:
    readers = [(e, p) for e, p, role in logins if role != "integrator"] or [
        (e, p) for e, p, _ in logins
    ]
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    clients = [await sign_in(base, *readers[n % len(readers)]) for n in range(users)]
    started, stop_at = asyncio.Event(), [0.0]
    tasks = [
        asyncio.create_task(user(c, started, stop_at, think_s, samples, errors, etag))
        for c in clients
    ]
    await asyncio.sleep(1.0)  # every user has looked up its portfolio and plan
    began = time.monotonic()
    stop_at[0] = began + seconds
    started.set()
    await asyncio.gather(*tasks)
    wall = time.monotonic() - began
    everything = [v for values in samples.values() for v in values]
    print(f"{users} users, think {think_s:g} s, etag {'on' if etag else 'off'}, {wall:.1f} s, "
          f"{len(everything)} requests, {len(everything) / wall:.1f} req/s, "
          f"errors {sum(errors.values())}")
    print(f"{'route':<12} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for name, values in [*sorted(samples.items()), ("all", everything)]:
        if not values:
            continue
        print(
            f"{name:<12} {len(values):>7} {percentile(values, 0.5):>8.1f} "
            f"{percentile(values, 0.95):>8.1f} {percentile(values, 0.99):>8.1f} "
            f"{statistics.fmean(values):>8.1f}"
        )
    p95 = percentile(everything, 0.95)
    verdict = "meets" if p95 < TARGET_P95_MS else "misses"
    with open("/proc/loadavg", encoding="ascii") as f:
        load = " ".join(f.read().split()[:3])
    print(f"p95 {p95:.1f} ms {verdict} the target of {TARGET_P95_MS:.0f} ms "
          f"(machine: {os.cpu_count()} CPUs, shared; load average {load})")
    return 0 if not errors else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean seconds a user waits between requests"
    )
    parser.add_argument("--no-etag", action="store_true", help="never send If-None-Match")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument(
        "--postgres", nargs="?", const=PG_URL, default=None, help="store on PostgreSQL"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database(args.postgres, Path(tmp)) as db:
        port = free_port()
        server, logins = start_server(db, port, args.workers)
        try:
            return asyncio.run(
                run(
                    f"http://127.0.0.1:{port}", logins, args.users, args.seconds, args.think,
                    not args.no_etag,
                )
            )
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()


PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def database(pg: str | None, tmp: Path) -> Iterator[str]:
    """A fresh SQLite file, or a fresh database on the PostgreSQL server of ``pg``."""
    if pg is None:
        yield str(tmp / "bench.sqlite")
        return
    import uuid

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    name = f"ingenio_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
