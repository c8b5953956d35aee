"""Faults, each counted: the ingester killed -9 and restarted, the broker stopped and
restarted, the agent's link down for a simulated hour with the agent killed during it.
Each test runs its own Mosquitto on a free port. 0 readings lost, 0 stored twice.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from telemetry_support import (
    Broker,
    LinkProxy,
    ingenio_process,
    saved_plant,
    tenant,
    unique,
    wait_for,
)

from ingenio.services.context import Context
from ingenio.services.telemetry import AgentOptions, IngestOptions, run_agent, run_ingest

PLANT, LINES = "P1", 2


def _stored(ctx: Context) -> tuple[int, int, int]:
    """Rows in the readings table, distinct (meter, seq), rows marked historical."""
    engine = ctx.store.get()._live_engine()
    with engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT count(*), count(DISTINCT (meter, seq)), "
            "count(*) FILTER (WHERE historical) FROM telemetry_readings"
            if engine.dialect.name == "postgresql" else
            "SELECT count(*), count(DISTINCT meter || '/' || seq), "
            "sum(CASE WHEN historical THEN 1 ELSE 0 END) FROM telemetry_readings"
        )).one()
    return int(row[0]), int(row[1]), int(row[2] or 0)


def _acked_by_broker(outbox: Path) -> int:
    """Readings the broker has acknowledged to the agent (moved to the outbox's history)."""
    with sqlite3.connect(f"file:{outbox}?mode=ro", uri=True, timeout=10) as db:
        return int(db.execute("SELECT count(*) FROM history").fetchone()[0])


def _gaps_seen(ctx: Context) -> int:
    with ctx.store.get()._live_engine().connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM telemetry_gaps")).scalar_one())


@pytest.fixture
def ctx(store_url: str) -> Iterator[Context]:
    context = saved_plant(store_url)
    yield context
    context.store.get().close()


def _complete(ctx: Context, expected: int) -> bool:
    f = ctx.store.get().telemetry_figures()
    return f.readings == expected and f.gaps_open == 0


def test_ingester_killed_9_mid_stream_loses_nothing_even_when_the_broker_drops(
    ctx: Context, store_url: str, tmp_path: Path
) -> None:
    # The broker keeps only 20 messages for the absent ingester: the rest come back
    # through the gaps the ingester sees and the backfill the agent answers.
    broker = Broker(tmp_path / "broker", max_queued=20)
    account, client = tenant(ctx, "kill", plan=True), unique("ingest-")
    args = ["ingest", "--broker", f"127.0.0.1:{broker.port}", "--account", account,
            "--client-id", client, "--watch", "0"]
    log = tmp_path / "ingest.log"
    days, expected = 1.0, int(1440 * LINES)
    ingester = ingenio_process(args, store_url, log)
    stop = threading.Event()
    agent = None
    try:
        wait_for(lambda: "subscribed" in log.read_text(), 90, "the ingester to subscribe")
        options = AgentOptions("127.0.0.1", broker.port, account, PLANT, batch=1)
        # a plant hour a second: the stream is still going when the ingester is killed
        agent = threading.Thread(target=run_agent, args=(ctx, options, tmp_path / "ob.db", stop),
                                 kwargs={"simulate_days": days, "speed": 3600.0})
        agent.start()
        wait_for(lambda: ctx.store.get().telemetry_figures().readings >= 300, 60, "300 stored")
        ingester.send_signal(signal.SIGKILL)
        ingester.wait(10)
        # Let the broker take well past its 20 queued messages while the ingester is
        # dead, however slow the machine: the drop (and so the backfill) is certain.
        before = _acked_by_broker(tmp_path / "ob.db")
        wait_for(lambda: _acked_by_broker(tmp_path / "ob.db") >= before + 60, 60,
                 "60 readings acknowledged by the broker while the ingester is dead")
        ingester = ingenio_process(args, store_url, log)
        wait_for(lambda: _complete(ctx, expected), 180, f"{expected} readings and no open gap")
    finally:
        stop.set()
        if agent is not None:
            agent.join(30)
        ingester.send_signal(signal.SIGTERM)
        ingester.wait(20)
        broker.stop()
    rows, distinct, _ = _stored(ctx)
    assert (rows, distinct) == (expected, expected)  # 0 lost, 0 stored twice
    figures = ctx.store.get().telemetry_figures()
    assert figures.readings == expected and figures.quarantined == 0
    assert _gaps_seen(ctx) > 0  # the broker did drop, and the backfill filled it


def test_broker_stopped_and_restarted_loses_nothing(ctx: Context, tmp_path: Path) -> None:
    broker = Broker(tmp_path / "broker")
    account = tenant(ctx, "brk", plan=True)
    stop, done = threading.Event(), threading.Event()
    options = IngestOptions("127.0.0.1", broker.port, account, unique("ingest-"))
    ingester = threading.Thread(target=run_ingest, args=(ctx, options, stop),
                                kwargs={"watch_s": 0, "on_ready": done.set})
    ingester.start()
    expected = 720 * LINES
    try:
        assert done.wait(30)
        agent_stop = threading.Event()
        result: list[object] = []
        # The agent runs on as at a plant (no until_done): it answers the backfill requests
        # for whatever the restart cost, which is how nothing is lost.
        agent = threading.Thread(target=lambda: result.append(run_agent(
            ctx, AgentOptions("127.0.0.1", broker.port, account, PLANT, batch=5),
            tmp_path / "ob.db", agent_stop, simulate_days=0.5, speed=3 * 3600.0)))
        agent.start()
        wait_for(lambda: ctx.store.get().telemetry_figures().readings >= 100, 120, "100 stored")
        broker.stop()
        time.sleep(3)
        broker.start()
        # generous: the shared machine runs at load 15
        wait_for(lambda: _complete(ctx, expected), 300, f"{expected} readings")
        agent_stop.set()
        agent.join(60)
        assert not agent.is_alive() and result
    finally:
        stop.set()
        ingester.join(30)
        broker.stop()
    rows, distinct, _ = _stored(ctx)
    assert (rows, distinct) == (expected, expected)


def test_agent_link_down_an_hour_and_agent_killed_during_it_loses_nothing(
    ctx: Context, store_url: str, tmp_path: Path
) -> None:
    broker = Broker(tmp_path / "broker")
    proxy = LinkProxy(broker.port)
    account = tenant(ctx, "lnk", plan=True)
    stop, ready = threading.Event(), threading.Event()
    options = IngestOptions("127.0.0.1", broker.port, account, unique("ingest-"))
    ingester = threading.Thread(target=run_ingest, args=(ctx, options, stop),
                                kwargs={"watch_s": 0, "on_ready": ready.set})
    ingester.start()
    speed = 900.0  # a plant hour every 4 s
    args = ["agent", "--broker", f"127.0.0.1:{proxy.port}", "--outbox", str(tmp_path / "ob.db"),
            "--simulate", "--plant", PLANT, "--account", account, "--days", "0.25",
            "--speed", str(speed), "--batch", "10", "--json"]
    expected = 360 * LINES
    log = tmp_path / "agent.log"
    agent = None
    try:
        assert ready.wait(30)
        agent = ingenio_process(args, store_url, log)
        wait_for(lambda: ctx.store.get().telemetry_figures().readings >= 20, 90, "20 stored")
        proxy.cut()  # the LTE link drops for a plant hour...
        time.sleep(2)
        agent.send_signal(signal.SIGKILL)  # ...and the gateway reboots during it
        agent.wait(10)
        agent = ingenio_process(args, store_url, log)
        time.sleep(2)
        proxy.mend()
        assert agent.wait(180) == 0
        wait_for(lambda: _complete(ctx, expected), 120, f"{expected} readings")
    finally:
        stop.set()
        ingester.join(30)
        if agent is not None and agent.poll() is None:
            agent.kill()
        proxy.close()
        broker.stop()
    rows, distinct, historical = _stored(ctx)
    assert (rows, distinct) == (expected, expected)
    assert historical > 0  # what waited in the outbox went out marked historical
    lines = [ln for ln in log.read_text().splitlines() if ln.startswith("{")]
    sent = json.loads(lines[-1])
    assert 0 < sent["readings"] <= expected and sent["messages"] > 0
