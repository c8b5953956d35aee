"""The edge agent at a plant: outbox first, QoS 1, a row deleted only on PUBACK.

A *source* (the simulation, a CSV drop folder, Modbus) puts readings into the
SQLite :class:`~ingenio.telemetry.outbox.Outbox`; the agent's loop sends what
waits there, oldest first, grouping a meter's readings into batch messages,
and deletes rows only when the broker acknowledges them. Rows written while the
link was down are sent marked ``historical``. paho reconnects with back-off
(1 s doubling to 60 s); after a reconnect everything not acknowledged is sent
again (the ingester drops what it already has). The agent answers backfill
requests from the readings it keeps, and says which sequence numbers it has
read (``watermark``) whenever its outbox is empty, so the ingester sees a loss
at the end of a stream too.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import orjson
from paho.mqtt.client import Client, ConnectFlags, DisconnectFlags, MQTTMessage
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from ingenio.telemetry.outbox import Entry, Outbox
from ingenio.telemetry.payloads import ROOT, AgentStatus, BackfillRequest, plant_topic

MAX_INFLIGHT = 100
"""Messages published and not yet acknowledged."""

WATERMARK_EVERY_S = 5.0
"""How often an idle agent repeats its watermark."""


class Source(Protocol):
    """Something that reads meters into the outbox (see :mod:`.simulate`, :mod:`.csvdrop`)."""

    def step(self, outbox: Outbox) -> bool:
        """Put what is ready into the outbox; False once the source has nothing more, ever."""
        ...


@dataclass(frozen=True)
class AgentOptions:
    """Where the agent sends, as whom, and how it batches."""

    host: str
    port: int
    account: str
    plant: str
    root: str = ROOT
    batch: int = 60
    client_id: str = ""
    username: str | None = None
    password: str | None = None


@dataclass
class AgentCounts:
    """Readings and messages the broker acknowledged in this run."""

    readings: int = 0
    messages: int = 0
    backfilled: int = 0


@dataclass
class _Flight:
    entries: list[Entry]


@dataclass
class _Link:
    connected: bool = False
    since: float = 0.0
    generation: int = 0
    events: queue.Queue[tuple[str, object]] = field(default_factory=queue.Queue)


class Agent:
    """Send the outbox to the broker; see the module notes."""

    def __init__(self, options: AgentOptions, outbox: Outbox) -> None:
        self.options = options
        self.outbox = outbox
        self.counts = AgentCounts()
        self._link = _Link()
        self._inflight: dict[int, _Flight] = {}
        self._cursor = 0
        """Every outbox row up to this id is in flight or acknowledged (this connection)."""
        self._ahead: set[int] = set()
        """Rows above the cursor in flight (a batch of another meter went out first)."""
        self._last_mark = 0.0
        self._mark_mid: int | None = None
        self._mark_acked = False
        cid = options.client_id or f"ingenio-agent-{options.account}-{options.plant}"
        self.client = Client(
            CallbackAPIVersion.VERSION2, client_id=cid, protocol=MQTTProtocolVersion.MQTTv5
        )
        if options.username:
            self.client.username_pw_set(options.username, options.password)
        status = plant_topic(options.account, options.plant, "status", options.root)
        will = AgentStatus(state="offline", agent=cid).model_dump_json()
        self.client.will_set(status, will, qos=1, retain=True)
        self.client.reconnect_delay_set(1, 60)
        self.client.max_inflight_messages_set(MAX_INFLIGHT)
        self.client.max_queued_messages_set(0)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_publish = self._on_publish
        self.client.on_message = self._on_message
        self._status_topic = status
        self._cid = cid

    # -- network thread: only queue events --------------------------------------------------

    def _on_connect(self, client: Client, _u: object, _f: ConnectFlags, reason: ReasonCode,
                    _p: Properties | None) -> None:  # fmt: skip
        if reason.is_failure:
            return
        topic = plant_topic(self.options.account, self.options.plant, "cmd/backfill",
                            self.options.root)  # fmt: skip
        client.subscribe(topic, qos=1)
        online = AgentStatus(state="online", agent=self._cid).model_dump_json()
        client.publish(self._status_topic, online, qos=1, retain=True)
        self._link.events.put(("up", None))

    def _on_disconnect(self, _c: Client, _u: object, _f: DisconnectFlags, _r: ReasonCode,
                       _p: Properties | None) -> None:  # fmt: skip
        self._link.events.put(("down", None))

    def _on_publish(self, _c: Client, _u: object, mid: int, _r: ReasonCode,
                    _p: Properties) -> None:  # fmt: skip
        self._link.events.put(("ack", mid))

    def _on_message(self, _c: Client, _u: object, msg: MQTTMessage) -> None:
        self._link.events.put(("backfill", msg.payload))

    # -- the agent's own thread -------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background (paho retries with back-off until the broker answers)."""
        self.client.connect_async(self.options.host, self.options.port, keepalive=15)
        self.client.loop_start()

    def stop(self) -> None:
        """Say goodbye (status offline) and disconnect."""
        if self._link.connected:
            offline = AgentStatus(state="offline", agent=self._cid).model_dump_json()
            self.client.publish(self._status_topic, offline, qos=1, retain=True).wait_for_publish(2)
        self.client.disconnect()
        self.client.loop_stop()

    def run(self, source: Source | None, stop: threading.Event,
            until_done: bool = False, progress: Callable[[AgentCounts], None] | None = None,
            ) -> AgentCounts:  # fmt: skip
        """Read, send and acknowledge until ``stop`` (or, with ``until_done``, until the
        source is exhausted, the outbox empty and the last watermark acknowledged)."""
        more = source is not None
        self.start()
        try:
            while not stop.is_set():
                if more and source is not None and self.outbox.count() < 20_000:
                    more = source.step(self.outbox)
                self._events(timeout=0.0 if more else 0.05)
                if self._link.connected:
                    self._send()
                    self._watermark()
                if progress is not None:
                    progress(self.counts)
                if until_done and not more and self._mark_acked and not self._inflight:
                    break
        finally:
            self.stop()
        return self.counts

    def _events(self, timeout: float) -> None:
        acked: list[Entry] = []
        try:
            event = self._link.events.get(timeout=timeout) if timeout else None
        except queue.Empty:
            event = None
        while True:
            if event is not None:
                self._event(event, acked)
            try:
                event = self._link.events.get_nowait()
            except queue.Empty:
                break
        if acked:
            self.outbox.acked(acked)
            self.counts.readings += sum(1 for e in acked if e.meter is not None)

    def _event(self, event: tuple[str, object], acked: list[Entry]) -> None:
        kind, value = event
        if kind == "up":
            self._link.connected, self._link.since = True, time.time()
            self._link.generation += 1
        elif kind == "down":
            self._link.connected = False
            self._inflight.clear()  # not acknowledged: sent again from the outbox
            self._cursor = 0
            self._ahead.clear()
            self._mark_mid = None
        elif kind == "ack" and isinstance(value, int):
            if value == self._mark_mid:
                self._mark_acked, self._mark_mid = True, None
            flight = self._inflight.pop(value, None)
            if flight is not None:
                acked.extend(flight.entries)
                self.counts.messages += 1
        elif kind == "backfill" and isinstance(value, bytes):
            try:
                request = BackfillRequest.model_validate_json(value)
            except ValueError:
                return
            self.counts.backfilled += self.outbox.backfill(
                request.meter, request.from_seq, request.to_seq, time.time()
            )
            self._mark_acked = False

    def _send(self) -> None:
        room = MAX_INFLIGHT - len(self._inflight)
        if room <= 0:
            return
        fetched = self.outbox.pending(self._cursor, room * self.options.batch + len(self._ahead))
        entries = [e for e in fetched if e.id not in self._ahead]
        if not entries:
            return
        groups = self._groups(entries)
        rest = [e.id for group in groups[room:] for e in group]
        for group in groups[:room]:
            self._ahead.update(e.id for e in group)
            late = any(e.historical or e.queued_at < self._link.since for e in group)
            bodies = [_historical(e.body) if late else e.body for e in group]
            payload = bodies[0] if group[0].meter is None else "[" + ",".join(bodies) + "]"
            info = self.client.publish(group[0].topic, payload, qos=1)
            self._inflight[info.mid] = _Flight(group)
            self._mark_acked = False
        # the cursor moves up to the first row not sent yet: no row is ever skipped
        self._cursor = max(self._cursor, min(rest) - 1 if rest else fetched[-1].id)
        self._ahead = {i for i in self._ahead if i > self._cursor}

    def _groups(self, entries: list[Entry]) -> list[list[Entry]]:
        """Readings grouped by topic in batches (oldest first); each state alone."""
        groups: list[list[Entry]] = []
        open_: dict[str, list[Entry]] = {}
        for entry in entries:
            if entry.meter is None:
                groups.append([entry])
                continue
            group = open_.get(entry.topic)
            if group is None or len(group) >= self.options.batch:
                group = []
                open_[entry.topic] = group
                groups.append(group)
            group.append(entry)
        return groups

    def _watermark(self) -> None:
        """When nothing waits: tell the ingester the last sequence number of each meter."""
        if self._inflight or self._mark_mid is not None:
            return
        now = time.monotonic()
        if self._mark_acked and now - self._last_mark < WATERMARK_EVERY_S:
            return
        if self.outbox.count():
            return
        meters = self.outbox.last_seqs()
        if not meters:
            self._mark_acked = True
            return
        topic = plant_topic(self.options.account, self.options.plant, "watermark",
                            self.options.root)  # fmt: skip
        info = self.client.publish(topic, orjson.dumps({"meters": meters}), qos=1)
        self._mark_mid, self._last_mark = info.mid, now
        self.outbox.prune(datetime.now(UTC))


def _historical(body: str) -> str:
    """The JSON object with ``"historical": true`` (the outbox keeps it unmarked)."""
    if '"historical"' in body:
        return body
    return body[:-1] + ',"historical":true}'
