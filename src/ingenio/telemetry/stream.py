"""From raw MQTT messages to rows: parsing, the per-meter stream checks, gaps.

No IO here. :func:`parse_messages` turns a batch of received messages into a
:class:`WriteBatch` for a :class:`Sink`; :class:`MeterBook` holds what the
ingester knows of each meter (last sequence number and registers, open gaps)
and decides, reading by reading, what is stored, what is quarantined and
which gaps open. The sink writes a batch in one transaction; only then are the
messages acknowledged and the book's changes kept (:meth:`MeterBook.commit`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

import orjson
from pydantic import ValidationError

from ingenio.telemetry.payloads import (
    MAX_BATCH,
    MAX_PAYLOAD_BYTES,
    READINGS,
    ROOT,
    GeneratorState,
    GridState,
    Reading,
    Watermark,
    parse_topic,
)

FUTURE_TOLERANCE = timedelta(minutes=5)
"""A reading stamped later than now + this is quarantined (a clock gone wrong)."""

MAX_QUARANTINED_PAYLOAD = 4_000
"""Characters of a bad payload kept in the quarantine table."""


class MeterKey(NamedTuple):
    """A meter, named by its topic: account, plant, line, meter."""

    account: str
    plant: str
    line: str
    meter: str

    @property
    def local(self) -> str:
        """``<line>/<meter>``: how the agent names it in watermarks and backfills."""
        return f"{self.line}/{self.meter}"


@dataclass
class MeterState:
    """What the ingester last accepted from a meter, in sequence order."""

    last_seq: int = 0
    """Sequence numbers start at 1: a meter first seen at ``seq`` 5 misses 1 to 4."""
    last_ts: datetime | None = None
    last_kwh: float | None = None
    last_count: float | None = None


@dataclass(frozen=True)
class Gap:
    """Readings ``from_seq..to_seq`` of a meter that never arrived.

    ``after_ts``/``before_ts`` bound their timestamps (``before_ts`` is None for
    a gap at the end of a stream, seen from a watermark).
    """

    meter: MeterKey
    from_seq: int
    to_seq: int
    after_ts: datetime | None
    before_ts: datetime | None

    @property
    def size(self) -> int:
        """How many readings are missing."""
        return self.to_seq - self.from_seq + 1


class Row(NamedTuple):
    """A reading to store (a tuple: the ingester makes one per reading)."""

    meter: MeterKey
    reading: Reading


@dataclass(frozen=True)
class GridRow:
    """A grid state to store."""

    account: str
    plant: str
    state: GridState


@dataclass(frozen=True)
class GeneratorRow:
    """A generator state to store."""

    account: str
    plant: str
    generator: str
    state: GeneratorState


@dataclass(frozen=True)
class Quarantined:
    """A message (or one reading of it) refused, with the reason."""

    topic: str
    payload: str
    reason: str


@dataclass
class WriteBatch:
    """Everything one transaction writes."""

    readings: list[Row] = field(default_factory=list)
    grid: list[GridRow] = field(default_factory=list)
    generators: list[GeneratorRow] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    new_gaps: list[Gap] = field(default_factory=list)
    touched_gaps: list[Gap] = field(default_factory=list)
    states: dict[MeterKey, MeterState] = field(default_factory=dict)


@dataclass(frozen=True)
class WriteResult:
    """What the sink stored: new readings, duplicates dropped, gaps now filled."""

    stored: int
    duplicates: int
    closed_gaps: tuple[Gap, ...] = ()


class Sink(Protocol):
    """Where the ingester writes (the store, in :mod:`ingenio.services.telemetry`)."""

    def load(self) -> tuple[dict[MeterKey, MeterState], list[Gap]]:
        """Every meter's state and the gaps still open."""
        ...

    def write(self, batch: WriteBatch) -> WriteResult:
        """Write the batch in one transaction and commit it (or raise, writing nothing)."""
        ...


@dataclass(frozen=True)
class Message:
    """A received message: its topic, its bytes."""

    topic: str
    payload: bytes


def _shown(payload: bytes) -> str:
    return payload[:MAX_QUARANTINED_PAYLOAD].decode("utf-8", errors="replace")


def _reason(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        if error["type"] == "json_invalid":
            return f"not JSON: {error['msg']}"
        where = ".".join(str(p) for p in error["loc"]) or "(payload)"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


class MeterBook:
    """Per-meter state and open gaps; applies the stream rules to each reading.

    Rules, for a reading of a meter whose last accepted sequence number is ``L``:

    * stamped more than :data:`FUTURE_TOLERANCE` after now: quarantined;
    * ``seq > L`` with ``kwh_total`` or ``count`` lower than the last one and no
      ``reset`` flag: quarantined (a register does not run backwards);
    * ``seq > L + 1``: a gap ``L+1 .. seq-1`` opens (less what open gaps hold);
    * ``seq <= L``: a late reading (a backfill, a redelivery): stored if new, and
      it may fill an open gap; the database drops it when ``(meter, ts)`` is known.
    """

    def __init__(self, states: dict[MeterKey, MeterState], gaps: list[Gap]) -> None:
        self.states = states
        self.gaps: dict[MeterKey, list[Gap]] = {}
        for gap in gaps:
            self.gaps.setdefault(gap.meter, []).append(gap)
        self._saved: tuple[dict[MeterKey, MeterState], dict[MeterKey, list[Gap]]] | None = None

    def begin(self) -> None:
        """Remember the state, to roll back if the write fails."""
        self._saved = (copy.deepcopy(self.states), {k: list(v) for k, v in self.gaps.items()})

    def rollback(self) -> None:
        """Forget the changes since :meth:`begin`."""
        if self._saved is not None:
            self.states, self.gaps = self._saved
            self._saved = None

    def commit(self, closed: tuple[Gap, ...]) -> None:
        """Keep the changes; drop the gaps the database found filled."""
        self._saved = None
        for gap in closed:
            open_ = self.gaps.get(gap.meter, [])
            if gap in open_:
                open_.remove(gap)

    @property
    def open_gaps(self) -> list[Gap]:
        """Every gap still open."""
        return [gap for gaps in self.gaps.values() for gap in gaps]

    def _open(self, batch: WriteBatch, meter: MeterKey, first: int, last: int,
              after: datetime | None, before: datetime | None) -> None:  # fmt: skip
        held = [g.to_seq for g in self.gaps.get(meter, []) if g.to_seq >= first]
        first = max([first, *(t + 1 for t in held)])
        if first > last:
            return
        gap = Gap(meter, first, last, after, before)
        self.gaps.setdefault(meter, []).append(gap)
        batch.new_gaps.append(gap)

    def _touch(self, batch: WriteBatch, meter: MeterKey, seq: int) -> None:
        for gap in self.gaps.get(meter, ()):
            if gap.from_seq <= seq <= gap.to_seq and gap not in batch.touched_gaps:
                batch.touched_gaps.append(gap)

    def apply(self, batch: WriteBatch, topic: str, meter: MeterKey, readings: list[Reading],
              now: datetime) -> None:  # fmt: skip
        """Decide what becomes of a meter's readings, in order (see the class notes).

        The hot path of the ingester: one dictionary look-up per message, not per reading.
        """
        limit = now + FUTURE_TOLERANCE
        state = self.states.get(meter)
        if state is None:
            state = self.states[meter] = MeterState()
        gaps = self.gaps.get(meter)
        rows = batch.readings
        moved = False
        for reading in readings:
            seq = reading.seq
            if reading.ts > limit:
                reason = f"ts {reading.ts.isoformat()} is in the future (now {now.isoformat()})"
                batch.quarantined.append(Quarantined(topic, _one(reading), reason))
                continue
            if seq > state.last_seq:
                kwh, count = reading.kwh_total, reading.count
                last_kwh, last_count = state.last_kwh, state.last_count
                if (not reading.reset and (
                        (kwh is not None and last_kwh is not None and kwh < last_kwh - 1e-9)
                        or (count is not None and last_count is not None
                            and count < last_count - 1e-9))):  # fmt: skip
                    self._backwards(batch, topic, state, reading)
                    continue
                if seq > state.last_seq + 1:
                    self._open(batch, meter, state.last_seq + 1, seq - 1, state.last_ts,
                               reading.ts)  # fmt: skip
                    gaps = self.gaps.get(meter)
                state.last_seq = seq
                state.last_ts = reading.ts
                if kwh is not None:
                    state.last_kwh = kwh
                if count is not None:
                    state.last_count = count
                moved = True
            if gaps:
                self._touch(batch, meter, seq)
            rows.append(Row(meter, reading))
        if moved:
            batch.states[meter] = state

    @staticmethod
    def _backwards(batch: WriteBatch, topic: str, state: MeterState, reading: Reading) -> None:
        """Quarantine a reading whose register fell without a reset flag."""
        for name, before, after in (("kwh_total", state.last_kwh, reading.kwh_total),
                                    ("count", state.last_count, reading.count)):  # fmt: skip
            if before is not None and after is not None and after < before - 1e-9:
                reason = f"{name} went backwards from {before} to {after} without reset"
                batch.quarantined.append(Quarantined(topic, _one(reading), reason))
                return

    def watermark(self, batch: WriteBatch, account: str, plant: str, mark: Watermark) -> None:
        """Open a gap for readings an agent has read that never arrived (the stream's tail)."""
        for local, last in mark.meters.items():
            line, _, name = local.partition("/")
            if not line or not name:
                continue
            meter = MeterKey(account, plant, line, name)
            state = self.states.setdefault(meter, MeterState())
            if last > state.last_seq:
                self._open(batch, meter, state.last_seq + 1, last, state.last_ts, None)
                state.last_seq = last
                batch.states[meter] = state


def _one(reading: Reading) -> str:
    return reading.model_dump_json(exclude_none=True)


def parse_messages(
    messages: list[Message], book: MeterBook, now: datetime, root: str = ROOT
) -> WriteBatch:
    """Turn received messages into one :class:`WriteBatch`; bad ones are quarantined."""
    batch = WriteBatch()
    for message in messages:
        try:
            _parse_one(message, book, batch, now, root)
        except ValidationError as exc:
            batch.quarantined.append(
                Quarantined(message.topic, _shown(message.payload), _reason(exc))
            )
        except ValueError as exc:  # orjson.JSONDecodeError is a ValueError
            batch.quarantined.append(
                Quarantined(message.topic, _shown(message.payload), f"not JSON: {exc}")
            )
    return batch


def _parse_one(
    message: Message, book: MeterBook, batch: WriteBatch, now: datetime, root: str
) -> None:
    topic = parse_topic(message.topic, root)
    payload = message.payload
    if topic is None:
        batch.quarantined.append(Quarantined(message.topic, _shown(payload), "unknown topic"))
        return
    if len(payload) > MAX_PAYLOAD_BYTES:
        reason = f"payload of {len(payload)} bytes; the limit is {MAX_PAYLOAD_BYTES}"
        batch.quarantined.append(Quarantined(message.topic, _shown(payload), reason))
        return
    if topic.kind == "data":
        meter = MeterKey(topic.account, topic.plant, topic.line, topic.meter)
        book.apply(batch, message.topic, meter, _readings(message, batch), now)
    elif topic.kind == "grid":
        batch.grid.append(GridRow(topic.account, topic.plant,
                                  GridState.model_validate_json(payload)))  # fmt: skip
    elif topic.kind == "generator":
        state = GeneratorState.model_validate_json(payload)
        batch.generators.append(GeneratorRow(topic.account, topic.plant, topic.generator, state))
    elif topic.kind == "watermark":
        book.watermark(batch, topic.account, topic.plant, Watermark.model_validate_json(payload))
    # status: presence only, nothing stored


def _readings(message: Message, batch: WriteBatch) -> list[Reading]:
    """The readings of a data message; bad items of a list are quarantined one by one."""
    payload = message.payload
    if payload[:1] == b"[":
        try:
            readings = READINGS.validate_json(payload)
        except ValidationError:
            items = orjson.loads(payload)
            if not isinstance(items, list):  # pragma: no cover - starts with "["
                raise
            readings = []
            for item in items:
                try:
                    readings.append(Reading.model_validate(item))
                except ValidationError as exc:
                    shown = orjson.dumps(item).decode()[:MAX_QUARANTINED_PAYLOAD]
                    batch.quarantined.append(Quarantined(message.topic, shown, _reason(exc)))
        if len(readings) > MAX_BATCH:
            reason = f"{len(readings)} readings in one message; the limit is {MAX_BATCH}"
            batch.quarantined.append(Quarantined(message.topic, _shown(payload), reason))
            return []
        return readings
    return [Reading.model_validate_json(payload)]
