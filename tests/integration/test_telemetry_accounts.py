"""The topic's account decides: a plant's readings are taken only under the account that
holds it; a device publishing into another tenant's plant id is quarantined."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from paho.mqtt.client import Client
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from telemetry_support import Broker, saved_plant, tenant, unique, wait_for

from ingenio.services.context import Context
from ingenio.services.telemetry import Committed, IngestOptions, run_ingest


@pytest.fixture
def ctx(store_url: str) -> Iterator[Context]:
    context = saved_plant(store_url)
    yield context
    context.store.get().close()


def test_a_plant_is_taken_only_under_the_account_that_holds_it(
    ctx: Context, tmp_path: Path
) -> None:
    broker = Broker(tmp_path / "broker")
    store = ctx.store.get()
    a = tenant(ctx, "ta")  # holds P1, P2
    b = tenant(ctx, "tb", {"P1": "Q1", "P2": "Q2"})  # holds Q1, Q2
    reasons: list[str] = []

    def on_commit(c: Committed) -> None:
        reasons.extend(q.reason for q in c.batch.quarantined)

    stop, ready = threading.Event(), threading.Event()
    ingester = threading.Thread(target=run_ingest, args=(
        ctx, IngestOptions("127.0.0.1", broker.port, "+", unique("ingest-")), stop),
        kwargs={"watch_s": 0, "on_commit": on_commit, "on_ready": ready.set})  # fmt: skip
    ingester.start()
    now = datetime.now(UTC).replace(microsecond=0)
    reading = orjson.dumps({"seq": 1, "ts": now.isoformat(), "kwh_total": 5.0, "kw": 1.0})
    grid = orjson.dumps({"ts": now.isoformat(), "on": False})
    device = Client(CallbackAPIVersion.VERSION2, client_id=unique("dev-"),
                    protocol=MQTTProtocolVersion.MQTTv5)  # fmt: skip
    try:
        assert ready.wait(30), "the ingester did not subscribe"
        device.connect("127.0.0.1", broker.port)
        device.loop_start()
        sent = [
            device.publish(f"ingenio/v1/{a}/P1/L1/main/data", reading, qos=1),  # its own
            device.publish(f"ingenio/v1/{b}/P1/L1/main/data", reading, qos=1),  # A's id, B's tree
            device.publish(f"ingenio/v1/{a}/Q1/L1/main/data", reading, qos=1),  # B's plant
            device.publish(f"ingenio/v1/{b}/P2/grid", grid, qos=1),
            device.publish(f"ingenio/v1/{b}/Q1/L1/main/data", reading, qos=1),  # B's own
        ]
        for info in sent:
            info.wait_for_publish(10)
        wait_for(lambda: len(reasons) == 3 and store.telemetry_figures().readings == 2, 60,
                 "two readings stored and three quarantined")  # fmt: skip
    finally:
        device.disconnect()
        device.loop_stop()
        stop.set()
        ingester.join(30)
        broker.stop()
    assert sorted(reasons) == sorted([
        f"plant 'P1' does not belong to account '{b}'",
        f"plant 'Q1' does not belong to account '{a}'",
        f"plant 'P2' does not belong to account '{b}'",
    ])  # fmt: skip
    since, until = now - timedelta(hours=1), now + timedelta(hours=1)
    assert [r.kwh_total for r in store.telemetry_readings(a, "P1", since, until)] == [5.0]
    assert [r.kwh_total for r in store.telemetry_readings(b, "Q1", since, until)] == [5.0]
    assert store.telemetry_readings(b, "P1", since, until) == []
    assert store.telemetry_readings(a, "Q1", since, until) == []
    assert store.telemetry_grid(b, "P2", since, until) == []
    figures = store.telemetry_figures()
    assert (figures.readings, figures.quarantined) == (2, 3)
    assert {(m.account, m.plant) for m in figures.meters} == {(a, "P1"), (b, "Q1")}


def test_the_watcher_matches_readings_with_their_own_accounts_plan_only(ctx: Context) -> None:
    from ingenio.services.plant_plan import plant_plan
    from ingenio.services.telemetry_actuals import watch
    from ingenio.telemetry.stream import MeterKey, MeterState, Row, Values, WriteBatch

    store = ctx.store.get()
    other = tenant(ctx, "tw")  # holds P1 too, but has no plan of it
    origin = plant_plan(ctx, "P1").portfolio.horizon.origin
    batch = WriteBatch()
    for account in ("default", other):
        key = MeterKey(account, "P1", "P1-MIX", "main")
        for minute in range(0, 125, 5):
            ts = origin + timedelta(minutes=minute)
            batch.readings.append(Row(key, Values(minute + 1, ts, minute * 1.0, 60.0,
                                                  float(minute))))  # fmt: skip
        batch.states[key] = MeterState(121, ts, 120.0, 120.0)
    writer = store.telemetry_writer()
    try:
        writer.write(batch)
    finally:
        writer.close()
    watch(ctx)  # the other account's plant has no plan: skipped, and the round goes on
    assert store.converted_until("default", "P1") == origin + timedelta(hours=2)
    assert store.converted_until(other, "P1") is None
