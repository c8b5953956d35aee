"""The ingester: MQTT v5 in, the database out, acknowledged only after the commit.

One paho network thread receives; :meth:`Ingester.run`'s thread writes. The
network thread only appends each message to a list. The writer takes what has
come (up to a batch, or after ``flush_s``), parses it (:mod:`.stream`), has the
sink write it in one transaction and then, only then, sends each message's
PUBACK (``manual_ack=True``). A crash before the commit leaves the messages
unacknowledged: the broker sends them again to the persistent session
(``clean_start=False`` with a session expiry) and the database drops the ones
it already has by the key ``(meter, ts)``.
"""

from __future__ import annotations

import struct
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

import orjson
from paho.mqtt.client import Client, ConnectFlags, DisconnectFlags, MQTTMessage
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from ingenio.telemetry.payloads import ROOT, BackfillRequest, plant_topic, subscriptions
from ingenio.telemetry.stream import (
    Gap,
    Message,
    MeterBook,
    Quarantined,
    Sink,
    WriteBatch,
    WriteResult,
    parse_messages,
)

SESSION_EXPIRY_S = 7 * 24 * 3600
"""How long the broker keeps the ingester's session (and queues for it) while it is away."""

_PUBACK = struct.Struct("!BBH")
_PUBACK_HEADER = 0x40
"""MQTT PUBACK: fixed header, remaining length 2, packet id."""

SPLIT_AFTER = 3
"""After this many failed writes of a batch, write its messages one by one: one the
database keeps refusing is quarantined (a database that is down fails them all alike)."""

REQUEST_AGAIN_S = 30.0
"""An open gap is asked for again after this many seconds."""

OWNERS_AGAIN_S = 10.0
"""A plant its account is not known to hold: the store is asked again at most this often."""


class Owners:
    """Which plants each account holds (from the store); a check of the topic's account.

    A pair not known makes it ask the store again (at most every ``again_s`` seconds),
    so a plant added to an account's portfolio is taken without a restart.
    """

    def __init__(self, load: Callable[[], Mapping[str, frozenset[str]]],
                 again_s: float = OWNERS_AGAIN_S) -> None:  # fmt: skip
        self._load, self._again_s = load, again_s
        self._owners = dict(load())
        self._loaded = time.monotonic()

    def __call__(self, account: str, plant: str) -> bool:
        """Whether ``account`` holds ``plant``."""
        if plant in self._owners.get(account, ()):
            return True
        if time.monotonic() - self._loaded < self._again_s:
            return False
        self._owners, self._loaded = dict(self._load()), time.monotonic()
        return plant in self._owners.get(account, ())


@dataclass(frozen=True)
class IngestOptions:
    """How the ingester connects and batches."""

    host: str = "127.0.0.1"
    port: int = 1883
    account: str = "+"
    client_id: str = ""
    root: str = ROOT
    max_messages: int = 5_000
    max_readings: int = 50_000
    flush_s: float = 0.05
    session_expiry_s: int = SESSION_EXPIRY_S
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class Committed:
    """One committed batch, for progress output and the benchmark."""

    messages: list[Message]
    batch: WriteBatch
    result: WriteResult
    at: float
    """``time.time()`` just after the commit."""


class _Pending(NamedTuple):
    """A message received and not yet acknowledged (a tuple: one per message)."""

    mid: int
    qos: int
    generation: int
    message: Message


_READ_CHUNK = 65_536
"""Bytes the network thread asks the socket for at once."""


class _Client(Client):
    """paho's client with a read buffer and a lean path for QoS 1 PUBLISH packets.

    paho reads each packet with three or more ``recv`` calls (a byte of command, the
    length byte by byte, the rest) after a ``select``, then builds an ``MQTTMessage``
    with its v5 properties, logs it and looks for per-topic callbacks: several times
    what the ingester does with the message. Here ``recv`` reads up to 64 KiB at once
    and hands paho its small reads from that buffer; a QoS 1 PUBLISH (what the meters
    send) goes straight to :attr:`on_publish_packet` as ``(mid, topic, payload)``.
    Anything else, or anything unusual (a topic alias, a topic that is not UTF-8),
    takes paho's own path. The acknowledgement stays the ingester's (``manual_ack``).
    """

    on_publish_packet: Callable[[int, str, bytes], None] | None = None

    _rbuf: bytes = b""
    _rpos: int = 0
    _rsock: object = None
    _refill: bool = True

    def _sock_recv(self, bufsize: int) -> bytes:
        if self._sock is not self._rsock:  # a new connection: nothing buffered is its
            self._rbuf, self._rpos, self._rsock = b"", 0, self._sock
        buf, pos = self._rbuf, self._rpos
        if pos >= len(buf):
            if not self._refill:
                raise BlockingIOError  # paho keeps the partial packet for the next round
            self._refill = False
            buf = super()._sock_recv(_READ_CHUNK)
            if not buf:
                return buf  # the connection is closed
            pos = 0
            self._rbuf = buf
        end = pos + bufsize
        self._rpos = min(end, len(buf))
        return buf[pos:end]

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        # Every packet of the buffer, then back to select(): the socket reads one chunk
        # a round, so writes (the PUBACKs) and pings still take their turn.
        self._refill = True
        while True:
            rc = super().loop_read(max_packets)
            if rc != MQTTErrorCode.MQTT_ERR_SUCCESS or self._sock is None:
                return rc
            if self._rpos >= len(self._rbuf):
                return rc

    def _handle_publish(self) -> MQTTErrorCode:
        sink = self.on_publish_packet
        header = self._in_packet["command"]
        if (sink is None or header & 0x06 != 0x02 or not self._manual_ack
                or self._protocol != MQTTProtocolVersion.MQTTv5):  # fmt: skip
            return super()._handle_publish()
        packet = self._in_packet["packet"]
        try:
            length = (packet[0] << 8) | packet[1]
            at = 2 + length
            topic = bytes(packet[2:at]).decode("utf-8")
            mid = (packet[at] << 8) | packet[at + 1]
            at += 2
            size, shift = 0, 0
            while True:  # the properties' length, a variable byte integer
                byte = packet[at]
                at += 1
                size |= (byte & 0x7F) << shift
                shift += 7
                if byte < 0x80 or shift > 21:
                    break
        except (IndexError, UnicodeDecodeError):
            return super()._handle_publish()
        at += size
        if not topic or byte >= 0x80 or at > len(packet) or mid == 0:
            return super()._handle_publish()
        sink(mid, topic, bytes(packet[at:]))
        return MQTTErrorCode.MQTT_ERR_SUCCESS


class Ingester:
    """Subscribe, batch, write, acknowledge; see the module notes."""

    def __init__(
        self,
        options: IngestOptions,
        sink: Sink,
        on_commit: Callable[[Committed], None] | None = None,
        owners: Callable[[], Mapping[str, frozenset[str]]] | None = None,
    ) -> None:
        self.options = options
        self.sink = sink
        self.owners = owners
        """Each account's plants (the store's); None accepts any plant under any account."""
        self.on_commit = on_commit
        self.client_id = options.client_id or f"ingenio-ingest-{uuid.uuid4().hex[:8]}"
        self._pending: list[_Pending] = []
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._generation = 0
        self._connected = threading.Event()
        self.subscribed = threading.Event()
        """Set once the broker has granted the subscriptions (messages flow from then on)."""
        self._asked: dict[Gap, float] = {}
        self.client = self._client()

    def _client(self) -> Client:
        client = _Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=MQTTProtocolVersion.MQTTv5,  # MQTTv5
            manual_ack=True,
        )
        if self.options.username:
            client.username_pw_set(self.options.username, self.options.password)
        client.reconnect_delay_set(1, 30)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        client.on_publish_packet = self._on_publish_packet
        return client

    # -- network thread ---------------------------------------------------------------------

    def _on_connect(self, client: Client, _u: object, _f: ConnectFlags, reason: ReasonCode,
                    _p: Properties | None) -> None:  # fmt: skip
        if reason.is_failure:
            return
        with self._cond:
            self._generation += 1
        options = SubscribeOptions(qos=1)
        client.subscribe([(t, options) for t in subscriptions(self.options.account,
                                                              self.options.root)])  # fmt: skip
        self._connected.set()

    def _on_subscribe(self, _c: Client, _u: object, _mid: int, _codes: list[ReasonCode],
                      _p: Properties | None) -> None:  # fmt: skip
        self.subscribed.set()

    def _on_disconnect(self, _c: Client, _u: object, _f: DisconnectFlags, _r: ReasonCode,
                       _p: Properties | None) -> None:  # fmt: skip
        self._connected.clear()

    def _on_message(self, _c: Client, _u: object, msg: MQTTMessage) -> None:
        with self._cond:
            self._pending.append(_Pending(msg.mid, msg.qos, self._generation,
                                          Message(msg.topic, bytes(msg.payload))))  # fmt: skip
            if len(self._pending) >= self.options.max_messages:
                self._cond.notify()

    def _on_publish_packet(self, mid: int, topic: str, payload: bytes) -> None:
        """A QoS 1 PUBLISH from :class:`_Client`'s lean path (the meters' messages)."""
        pending = self._pending
        with self._lock:
            pending.append(_Pending(mid, 1, self._generation, Message(topic, payload)))
        if len(pending) == self.options.max_messages:
            with self._cond:
                self._cond.notify()

    # -- writer thread ----------------------------------------------------------------------

    def connect(self) -> None:
        """Open the persistent session (returns at once; paho reconnects with back-off)."""
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = self.options.session_expiry_s
        self.client.connect_async(self.options.host, self.options.port, keepalive=30,
                                  clean_start=False, properties=props)  # fmt: skip
        self.client.loop_start()

    def wait_connected(self, timeout: float) -> bool:
        """Whether the session is up within ``timeout`` seconds."""
        return self._connected.wait(timeout)

    def run(self, stop: threading.Event) -> None:
        """Connect, then write batches until ``stop`` is set; the session outlives it."""
        states, gaps = self.sink.load()
        book = MeterBook(states, gaps, Owners(self.owners) if self.owners is not None else None)
        self.connect()
        try:
            failures = 0
            while not stop.is_set():
                taken = self._take(stop)
                if taken:
                    if failures >= SPLIT_AFTER and len(taken) > 1:
                        self._put_back(taken[1:])  # find the message the database refuses
                        taken = taken[:1]
                    error = self._write(book, taken)
                    if error is not None and failures >= SPLIT_AFTER and len(taken) == 1:
                        error = self._refuse(book, taken[0], error)
                    if error is not None:
                        self._put_back(taken)
                        failures += 1
                        stop.wait(min(30.0, 0.5 * 2**failures))
                        continue
                    failures = 0
                self._ask_again(book)
        finally:
            self.client.disconnect()
            self.client.loop_stop()

    def _take(self, stop: threading.Event) -> list[_Pending]:
        """Wait for messages, then up to a batch of them (the oldest first)."""
        flush = self.options.flush_s
        with self._cond:
            if not self._pending:
                self._cond.wait(timeout=0.5)
            if not self._pending or stop.is_set():
                return []
            if len(self._pending) < self.options.max_messages:
                self._cond.wait(timeout=flush)
            taken, readings = 0, 0
            for item in self._pending:
                taken += 1
                readings += max(1, item.message.payload.count(b'"seq"'))
                if taken >= self.options.max_messages or readings >= self.options.max_readings:
                    break
            batch = self._pending[:taken]
            del self._pending[:taken]
            return batch

    def _put_back(self, taken: list[_Pending]) -> None:
        with self._cond:
            self._pending[:0] = taken  # written later, in order

    def _refuse(self, book: MeterBook, item: _Pending, error: str) -> str | None:
        """Quarantine a lone message the database keeps refusing (the stream goes on)."""
        quarantined = WriteBatch(quarantined=[Quarantined(
            item.message.topic, item.message.payload[:4000].decode("utf-8", "replace"),
            f"the database refused it: {error[:500]}")])  # fmt: skip
        return self._write(book, [item], quarantined)

    def _write(self, book: MeterBook, taken: list[_Pending],
               batch: WriteBatch | None = None) -> str | None:  # fmt: skip
        """Parse and write ``taken`` in one transaction, then ack; the error, if any."""
        messages = [p.message for p in taken]
        book.begin()
        try:  # the parse may ask the store which plants an account holds (Owners)
            if batch is None:
                batch = parse_messages(messages, book, datetime.now(UTC), self.options.root)
            result = self.sink.write(batch)
        except Exception as exc:
            book.rollback()
            return " ".join(str(exc).split()) or type(exc).__name__
        book.commit(result.closed_gaps)
        generation = self._generation
        self._ack([item for item in taken if item.qos > 0 and item.generation == generation])
        now = time.monotonic()
        for gap in batch.new_gaps:
            self._ask(gap, now)
        if self.on_commit is not None:
            self.on_commit(Committed(messages, batch, result, time.time()))
        return None

    def _ack(self, items: list[_Pending]) -> None:
        """Send the PUBACKs of a committed batch, in the order the messages came.

        paho writes each packet it queues with a system call of its own and wakes its
        network thread for each; the PUBACKs of QoS 1 messages (4 bytes each: no reason
        code means success) go as one write instead. Anything else goes through ``ack``.
        """
        queue = getattr(self.client, "_packet_queue", None)
        if queue is not None and items and all(i.qos == 1 for i in items):
            packets = b"".join(_PUBACK.pack(_PUBACK_HEADER, 2, i.mid) for i in items)
            queue(_PUBACK_HEADER, packets, 0, 0)
            return
        for item in items:
            self.client.ack(item.mid, item.qos)

    def _ask(self, gap: Gap, now: float) -> None:
        """Publish a backfill request for a gap on its plant's command topic."""
        request = BackfillRequest(meter=gap.meter.local, from_seq=gap.from_seq,
                                  to_seq=gap.to_seq)  # fmt: skip
        topic = plant_topic(gap.meter.account, gap.meter.plant, "cmd/backfill", self.options.root)
        self.client.publish(topic, orjson.dumps(request.model_dump()), qos=1)
        self._asked[gap] = now

    def _ask_again(self, book: MeterBook) -> None:
        """Ask again for gaps still open after :data:`REQUEST_AGAIN_S` (or never asked)."""
        if not self._connected.is_set():
            return
        now = time.monotonic()
        open_ = book.open_gaps
        for gap in open_:
            if now - self._asked.get(gap, -REQUEST_AGAIN_S) >= REQUEST_AGAIN_S:
                self._ask(gap, now)
        for gap in set(self._asked) - set(open_):
            del self._asked[gap]
