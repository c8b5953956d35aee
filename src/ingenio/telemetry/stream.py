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
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from math import isfinite
from typing import Any, NamedTuple, Protocol

import orjson
from pydantic import ValidationError

from ingenio.telemetry.payloads import (
    MAX_BATCH,
    MAX_PAYLOAD_BYTES,
    MAX_SEQ,
    READINGS,
    ROOT,
    GeneratorState,
    GridState,
    Reading,
    Topic,
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


class Values(NamedTuple):
    """A validated reading's values (a tuple: the ingester makes one per reading).

    :class:`~ingenio.telemetry.payloads.Reading` is the schema and the strict
    validator; this is what the ingester carries from the parse to the COPY.
    """

    seq: int
    ts: datetime
    kwh_total: float | None = None
    kw: float | None = None
    count: float | None = None  # type: ignore[assignment]  # the field shadows tuple.count
    historical: bool = False
    reset: bool = False
    msg_id: str | None = None

    @classmethod
    def of(cls, reading: Reading) -> Values:
        """The values of a reading validated by the schema."""
        return cls(reading.seq, reading.ts, reading.kwh_total, reading.kw, reading.count,
                   reading.historical, reading.reset, reading.msg_id)  # fmt: skip


class Row(NamedTuple):
    """A reading to store (a tuple: the ingester makes one per reading)."""

    meter: MeterKey
    reading: Values


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


class Message(NamedTuple):
    """A received message: its topic, its bytes (a tuple: one is made per message)."""

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

    def __init__(self, states: dict[MeterKey, MeterState], gaps: list[Gap],
                 owns: Callable[[str, str], bool] | None = None) -> None:  # fmt: skip
        self.owns = owns
        """Whether an account holds a plant (None: any); a message about a plant that is
        not its topic's account's is quarantined."""
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

    def apply(self, batch: WriteBatch, topic: str, meter: MeterKey, readings: list[Values],
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
    def _backwards(batch: WriteBatch, topic: str, state: MeterState, reading: Values) -> None:
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


def _one(reading: Values) -> str:
    out: dict[str, Any] = {k: v for k, v in reading._asdict().items() if v is not None}
    out["ts"] = reading.ts.isoformat()
    return orjson.dumps(out).decode()


_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)")
"""The common timestamp shape, which :meth:`datetime.fromisoformat` reads exactly as the
schema does; any other goes to the schema."""

_FIELDS = frozenset(Values._fields)


def _amount(value: object) -> bool:
    """Whether a value is what an amount field takes as is: null or a finite number >= 0."""
    if value is None:
        return True
    if type(value) is float:
        return isfinite(value) and value >= 0
    return type(value) is int and value >= 0


def fast_values(item: object) -> Values | None:
    """The values of a reading in its common shape, without the schema; None: ask it.

    The ingester's hot path (a pydantic model per message costs more than the rest
    of its parse). It accepts only what :class:`Reading` accepts with the same
    values: plain JSON types, an ISO 8601 timestamp with an offset; anything else
    (a number in a string, another date format, a missing or bad field) returns
    None, and the schema decides, with its reasons for a refusal.
    """
    if type(item) is not dict:
        return None
    get = item.get
    seq, ts = get("seq"), get("ts")
    if type(seq) is not int or not 0 <= seq <= MAX_SEQ or type(ts) is not str:
        return None
    if not _TS.fullmatch(ts):
        return None
    try:
        when = datetime.fromisoformat(ts)
    except ValueError:
        return None
    kwh, kw, count = get("kwh_total"), get("kw"), get("count")
    historical, reset, msg_id = get("historical", False), get("reset", False), get("msg_id")
    if not (_amount(kwh) and _amount(kw) and _amount(count) and type(historical) is bool
            and type(reset) is bool
            and (msg_id is None or (type(msg_id) is str and len(msg_id) <= 64))):  # fmt: skip
        return None
    return Values(seq, when,
                  None if kwh is None else float(kwh), None if kw is None else float(kw),
                  None if count is None else float(count), historical, reset, msg_id)  # fmt: skip


@lru_cache(maxsize=100_000)
def _topic(topic: str, root: str) -> tuple[Topic | None, MeterKey | None]:
    """A topic parsed once (the same few topics come again and again)."""
    parsed = parse_topic(topic, root)
    if parsed is None or parsed.kind != "data":
        return parsed, None
    return parsed, MeterKey(parsed.account, parsed.plant, parsed.line, parsed.meter)


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
    topic, meter = _topic(message.topic, root)
    payload = message.payload
    if topic is None:
        batch.quarantined.append(Quarantined(message.topic, _shown(payload), "unknown topic"))
        return
    if len(payload) > MAX_PAYLOAD_BYTES:
        reason = f"payload of {len(payload)} bytes; the limit is {MAX_PAYLOAD_BYTES}"
        batch.quarantined.append(Quarantined(message.topic, _shown(payload), reason))
        return
    owns = book.owns
    if owns is not None and topic.kind != "status" and not owns(topic.account, topic.plant):
        reason = f"plant {topic.plant!r} does not belong to account {topic.account!r}"
        batch.quarantined.append(Quarantined(message.topic, _shown(payload), reason))
        return
    if meter is not None:
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


def _readings(message: Message, batch: WriteBatch) -> list[Values]:
    """The readings of a data message; bad items of a list are quarantined one by one."""
    payload = message.payload
    try:
        loaded = orjson.loads(payload)
    except orjson.JSONDecodeError:
        loaded = None  # the schema says why
    if type(loaded) is dict:
        fast = fast_values(loaded)
        if fast is not None:
            return [fast]
    elif type(loaded) is list and len(loaded) <= MAX_BATCH:
        values = [fast_values(item) for item in loaded]
        if None not in values:
            return values  # type: ignore[return-value]
    if payload[:1] == b"[":
        try:
            readings = [Values.of(r) for r in READINGS.validate_json(payload)]
        except ValidationError:
            items = orjson.loads(payload)
            if not isinstance(items, list):  # pragma: no cover - starts with "["
                raise
            readings = []
            for item in items:
                try:
                    readings.append(Values.of(Reading.model_validate(item)))
                except ValidationError as exc:
                    shown = orjson.dumps(item).decode()[:MAX_QUARANTINED_PAYLOAD]
                    batch.quarantined.append(Quarantined(message.topic, shown, _reason(exc)))
        if len(readings) > MAX_BATCH:
            reason = f"{len(readings)} readings in one message; the limit is {MAX_BATCH}"
            batch.quarantined.append(Quarantined(message.topic, _shown(payload), reason))
            return []
        return readings
    return [Values.of(Reading.model_validate_json(payload))]
