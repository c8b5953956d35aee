"""Telemetry ingest into PostgreSQL: throughput, publish-to-commit delay, a year of data.

Everything runs on this machine: a Mosquitto of the bench's own on a free port
(``max_inflight_messages 0``, ``max_queued_messages 0``: the configuration
``docs/telemetry.md`` recommends for the ingester's broker), a fresh temporary
PostgreSQL database, the ingester in this process (paho's network thread + the
writer thread), the publisher in a separate process.

1. ``batched``: messages of ``--batch`` readings; ``single``: one reading each.
   Each runs open loop (as fast as the publisher goes) for the ceiling, and paced
   at the target rate (single messages also at 3,300/s, 10 % above it), where the
   publish-to-commit delay is measured. The publisher writes hand-built MQTT v5
   packets on a plain socket (``--paho-publisher``: through paho, whose ~250 us of
   CPU a message made it, not the ingester, the ceiling). Each row gives the
   ingester's CPU per reading and per message (this process: paho's network thread
   and the writer), which does not depend on the machine's load as the rates do.
   ``--cases "single max,single paced 3.3k/s"`` runs only those.
2. ``year``: a year of minute readings for 50 meters generated straight into
   ``telemetry_readings`` with ``generate_series``: table and index sizes, and the
   time of a plant-month KPI query (10 meters, hourly kWh and units).

    .venv/bin/python bench/telemetry_ingest.py                 # all of it
    .venv/bin/python bench/telemetry_ingest.py --skip-year     # ingest only
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from telemetry_support import free_port, tenant, wait_for

from ingenio.services.context import Actor, Context, StoreHandle
from ingenio.services.telemetry import Committed, IngestOptions, run_ingest
from ingenio.settings import load_settings
from ingenio.store import Store

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split(" 1/")[0].rsplit(" ", 1)[0]


def _readings(seq: list[int], m: int, batch: int) -> bytes:
    """The payload of meter ``m``'s next message (the first reading carries the send time)."""
    readings = []
    for k in range(batch):
        s = seq[m] + 1
        seq[m] = s
        ts = (T0 + timedelta(minutes=s)).isoformat()
        r = {"seq": s, "ts": ts, "kwh_total": s * 0.5, "kw": 30.0, "count": float(s)}
        if k == 0:
            r["msg_id"] = repr(time.time())
        readings.append(r)
    return orjson.dumps(readings if batch > 1 else readings[0])


def publish(port: int, account: str, meters: int, messages: int, batch: int, rate: float | None,
            start_seq: int, cpu: Any = None) -> None:
    """The publisher process (paho): ``messages`` messages of ``batch`` readings, QoS 1.

    ``cpu`` (a shared double) receives the process's CPU seconds: when it nears the
    wall time, the publisher, not the ingester, sets the "max" rate."""
    from paho.mqtt.client import Client
    from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

    client = Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:6]}",
                    protocol=MQTTProtocolVersion.MQTTv5)
    client.max_inflight_messages_set(2000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    topics = [f"ingenio/v1/{account}/P1/L{m}/main/data" for m in range(meters)]
    seq = [start_seq] * meters
    began = time.perf_counter()
    last = None
    for i in range(messages):
        m = i % meters
        last = client.publish(topics[m], _readings(seq, m, batch), qos=1)
        if rate is not None:
            due = began + (i + 1) * batch / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
    if last is not None:
        last.wait_for_publish(600)  # a starved broker may take long to take them all
    client.disconnect()
    client.loop_stop()
    if cpu is not None:
        cpu.value = time.process_time()


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, byte = n >> 7, n & 0x7F
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def publish_raw(port: int, account: str, meters: int, messages: int, batch: int,
                rate: float | None, start_seq: int, cpu: Any = None) -> None:
    """The same messages from a plain socket: MQTT v5 packets built by hand, written in
    bursts, PUBACKs counted by a reader thread (at most 2,000 unacknowledged).

    paho's publish costs the publisher some 250 us of CPU a message, more than the
    ingester now spends, so with it the "max" cases measure the publisher; 50 meters'
    agents are 50 processes, not one. This one costs a few microseconds a message."""
    import socket

    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    cid = f"bench-raw-{uuid.uuid4().hex[:6]}".encode()
    body = b"\x00\x04MQTT\x05\x02\x00\x3c\x00" + len(cid).to_bytes(2, "big") + cid
    sock.sendall(b"\x10" + _varint(len(body)) + body)
    connack = sock.recv(64)
    assert connack[:1] == b"\x20" and connack[3] == 0, f"CONNACK refused: {connack!r}"
    window = threading.Semaphore(2000)
    acked = [0]

    def reader() -> None:
        buf = b""
        while acked[0] < messages:
            data = sock.recv(65536)
            if not data:
                return
            buf += data
            while len(buf) >= 2:
                size, at, shift = 0, 1, 0
                while buf[at] & 0x80:
                    size |= (buf[at] & 0x7F) << shift
                    shift += 7
                    at += 1
                size |= buf[at] << shift
                end = at + 1 + size
                if len(buf) < end:
                    break
                if buf[0] == 0x40:
                    acked[0] += 1
                    window.release()
                buf = buf[end:]

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    topics = [f"ingenio/v1/{account}/P1/L{m}/main/data".encode() for m in range(meters)]
    heads = [len(t).to_bytes(2, "big") + t for t in topics]
    seq = [start_seq] * meters
    began = time.perf_counter()
    out = bytearray()
    for i in range(messages):
        m = i % meters
        payload = _readings(seq, m, batch)
        mid = i % 65535 + 1
        rest = heads[m] + mid.to_bytes(2, "big") + b"\x00" + payload
        window.acquire()
        out += b"\x32" + _varint(len(rest)) + rest
        due = began + (i + 1) * batch / rate if rate is not None else 0.0
        if len(out) >= 16_384 or due > time.perf_counter() or i == messages - 1:
            sock.sendall(out)
            out.clear()
        if rate is not None:
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
    thread.join(600)
    sock.sendall(b"\xe0\x00")  # DISCONNECT
    sock.close()
    if cpu is not None:
        cpu.value = time.process_time()


def run_ingest_case(ctx: Context, port: int, label: str, meters: int, messages: int, batch: int,
                    rate: float | None, start_seq: int,
                    raw: bool = True) -> dict[str, float | str]:
    account = tenant(ctx, "b")  # an account of its own that holds plant P1
    delays: list[float] = []
    stored = [0]
    first_commit: list[float] = []

    def on_commit(c: Committed) -> None:
        stored[0] += c.result.stored
        if not first_commit:
            first_commit.append(c.at)
        for row in c.batch.readings:
            if row.reading.msg_id is not None:
                delays.append(c.at - float(row.reading.msg_id))

    stop, ready = threading.Event(), threading.Event()
    options = IngestOptions("127.0.0.1", port, account, f"bench-ingest-{account}")
    ingester = threading.Thread(target=run_ingest, args=(ctx, options, stop),
                                kwargs={"on_commit": on_commit, "watch_s": 0,
                                        "on_ready": ready.set})
    ingester.start()
    assert ready.wait(30), "ingester did not subscribe"
    total = messages * batch
    load_before = loadavg()
    cpu_before = time.process_time()  # this process: paho's network thread + the writer
    began = time.time()
    pub_cpu = mp.Value("d", float("nan"))
    pub = mp.Process(target=publish_raw if raw else publish,
                     args=(port, account, meters, messages, batch, rate, start_seq, pub_cpu))
    pub.start()
    wait_for(lambda: stored[0] >= total, 600, f"{total} readings stored")
    ended = time.time()
    cpu = time.process_time() - cpu_before
    pub.join(60)
    stop.set()
    ingester.join(30)
    seconds = ended - began
    delays.sort()
    p95 = delays[int(0.95 * (len(delays) - 1))] if delays else float("nan")
    return {"case": label, "readings": total, "messages": messages, "seconds": round(seconds, 2),
            "readings_per_s": round(total / seconds), "messages_per_s": round(messages / seconds),
            "delay_p50_s": round(statistics.median(delays), 3) if delays else float("nan"),
            "delay_p95_s": round(p95, 3),
            "ingester_cpu_us_per_reading": round(cpu / total * 1e6, 1),
            "ingester_readings_per_cpu_s": round(total / cpu),
            "ingester_cpu_us_per_message": round(cpu / messages * 1e6, 1),
            "publisher_cpu_s": round(pub_cpu.value, 1), "load_before": load_before,
            "load_after": loadavg()}


def year_case(url: str, meters: int = 50) -> dict[str, float | str]:
    engine = sa.create_engine(url)
    minutes = 365 * 24 * 60
    with engine.begin() as c:
        c.exec_driver_sql("ALTER TABLE telemetry_readings DROP CONSTRAINT pk_telemetry_readings")
        c.exec_driver_sql("DROP INDEX IF EXISTS ix_telemetry_readings_ts_brin")
    began = time.perf_counter()
    with engine.begin() as c:
        c.exec_driver_sql(
            "INSERT INTO telemetry_readings (meter, ts, seq, kwh_total, kw, count, historical, "
            "reset) SELECT m, timestamptz '2025-01-01 00:00+00' + s * interval '1 minute', s, "
            "s * 0.5, 30.0, s::float8, false, false "
            f"FROM generate_series(1, {meters}) m, generate_series(0, {minutes - 1}) s"
        )
    loaded = time.perf_counter() - began
    began = time.perf_counter()
    with engine.begin() as c:
        c.exec_driver_sql("ALTER TABLE telemetry_readings ADD CONSTRAINT pk_telemetry_readings "
                          "PRIMARY KEY (meter, ts)")
        c.exec_driver_sql("CREATE INDEX ix_telemetry_readings_ts_brin ON telemetry_readings "
                          "USING brin (ts)")
        c.exec_driver_sql("ANALYZE telemetry_readings")
    indexed = time.perf_counter() - began
    kpi = ("SELECT meter, date_trunc('hour', ts) AS h, max(kwh_total) - min(kwh_total), "
           "max(count) - min(count) FROM telemetry_readings "
           "WHERE meter = ANY('{1,2,3,4,5,6,7,8,9,10}'::int[]) "
           "AND ts >= '2025-06-01 00:00+00' AND ts < '2025-07-01 00:00+00' GROUP BY 1, 2")
    times = []
    with engine.connect() as c:
        sizes = c.exec_driver_sql(
            "SELECT pg_relation_size('telemetry_readings'), "
            "pg_relation_size('pk_telemetry_readings'), "
            "pg_relation_size('ix_telemetry_readings_ts_brin'), "
            "pg_total_relation_size('telemetry_readings')").one()
        for _ in range(3):
            t = time.perf_counter()
            rows = c.exec_driver_sql(kpi).all()
            times.append(time.perf_counter() - t)
        plan = [r[0] for r in c.exec_driver_sql("EXPLAIN " + kpi)]
        print("\n".join(plan), flush=True)
    engine.dispose()
    mib = 1024 * 1024
    return {"case": "year", "rows": meters * minutes, "load_s": round(loaded, 1),
            "index_s": round(indexed, 1), "table_mib": round(sizes[0] / mib),
            "pk_mib": round(sizes[1] / mib), "brin_kib": round(sizes[2] / 1024),
            "total_mib": round(sizes[3] / mib), "kpi_rows": len(rows),
            "kpi_first_s": round(times[0], 3), "kpi_warm_s": round(min(times[1:]), 3),
            "load_after": loadavg()}


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on kill
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--batched-readings", type=int, default=600_000)
    parser.add_argument("--single-messages", type=int, default=60_000)
    parser.add_argument("--meters", type=int, default=50)
    parser.add_argument("--skip-year", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--paho-publisher", action="store_true",
                        help="publish with paho (about 250 us of CPU a message) instead of "
                        "hand-built packets on a plain socket")
    parser.add_argument("--cases", default="",
                        help="comma-separated case labels to run (default: all)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ingenio-bench-mqtt-"))
    port = free_port()
    (folder / "mosquitto.conf").write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 0\n"
        "max_queued_messages 0\npersistence false\n")
    broker = subprocess.Popen(["/usr/sbin/mosquitto", "-c", str(folder / "mosquitto.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = f"bench_telemetry_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG + "test", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{db}"')
    results = []
    print(f"machine: {mp.cpu_count()} CPUs, load average {loadavg()} (shared machine)")
    try:
        store = Store.open(PG + db)
        ctx = Context(StoreHandle.of(store), load_settings(), Actor("bench"))
        if not args.skip_ingest:
            b, m = args.batch, args.meters
            n = args.batched_readings // b
            s = args.single_messages
            cases = [("batched max", n, b, None), ("batched paced 20k/s", n, b, 20_000.0),
                     ("single max", s, 1, None), ("single paced 3k/s", s, 1, 3_000.0),
                     ("single paced 3.3k/s", s, 1, 3_300.0)]
            wanted = [c.strip() for c in args.cases.split(",") if c.strip()]
            for label, messages, batch, rate in cases:
                if wanted and label not in wanted:
                    continue
                row = run_ingest_case(ctx, port, label, m, messages, batch, rate,
                                      start_seq=0,  # a new account each case: new meters
                                      raw=not args.paho_publisher)
                row["publisher"] = "paho" if args.paho_publisher else "raw socket"
                results.append(row)
                print(row, flush=True)
        store.close()
        if not args.skip_year:
            year_db = f"{db}_year"
            with admin.connect() as c:
                c.exec_driver_sql(f'CREATE DATABASE "{year_db}"')
            try:
                Store.open(PG + year_db).close()
                row = year_case(PG + year_db)
                results.append(row)
                print(row, flush=True)
            finally:
                with admin.connect() as c:
                    c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{year_db}" WITH (FORCE)')
    finally:
        broker.terminate()
        broker.wait(10)
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
