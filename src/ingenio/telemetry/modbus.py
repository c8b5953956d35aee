"""Modbus TCP meters through pymodbus: a register map, a poll every N seconds.

The map file (YAML or CSV) says where each meter keeps its registers: one entry
per meter and field (``kwh_total``, ``kw``, ``count``) with the Modbus unit id,
the register address, its type, the word order of 32-bit values, a scale and
whether it is a holding or an input register. Every ``every_s`` seconds
:class:`ModbusSource` reads every meter and writes one reading per meter into
the outbox (the agent sends it from there). A meter that does not answer is
skipped for that poll; the next poll tries again. A register that falls (a
meter replaced, a counter rolled over) is sent with ``reset`` set, so the
ingester takes it; the last values survive a reboot in the outbox.

CSV (a header row; ``word_order``, ``scale``, ``kind`` may be left empty)::

    line,meter,unit,field,address,type,word_order,scale,kind
    L1,main,1,kwh_total,0,uint32,big,0.1,holding

YAML::

    meters:
      - line: L1
        meter: main
        unit: 1
        registers:
          kwh_total: {address: 0, type: uint32, word_order: big, scale: 0.1}
          kw: {address: 2, type: float32}
          count: {address: 4, type: uint32, kind: input}
"""

from __future__ import annotations

import csv
import io
import math
import struct
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import orjson
import yaml

from ingenio.errors import IngenioError
from ingenio.telemetry.outbox import Item, Outbox
from ingenio.telemetry.payloads import ROOT, data_topic

FIELDS = ("kwh_total", "kw", "count")
"""What a meter's registers may hold."""

TYPES: dict[str, tuple[int, str]] = {
    "uint16": (1, "H"),
    "int16": (1, "h"),
    "uint32": (2, "I"),
    "int32": (2, "i"),
    "float32": (2, "f"),
}
"""Register types: how many 16-bit registers, and the struct code."""

WORD_ORDERS = ("big", "little")
"""``big``: the high word at the lower address (the Modbus convention); ``little``: swapped."""

KINDS = ("holding", "input")

MAX_MAP_BYTES = 1_000_000
_MAX_ID = 200


@dataclass(frozen=True)
class Register:
    """Where one field of one meter is read."""

    line: str
    meter: str
    field: str
    unit: int
    address: int
    type: str
    word_order: str = "big"
    scale: float = 1.0
    kind: str = "holding"

    @property
    def local(self) -> str:
        """``<line>/<meter>``: the meter's name in the outbox and the topics."""
        return f"{self.line}/{self.meter}"

    @property
    def size(self) -> int:
        """How many 16-bit registers the value takes."""
        return TYPES[self.type][0]

    def decode(self, registers: list[int]) -> float:
        """The value of the registers read (scaled)."""
        words = registers if self.word_order == "big" else registers[::-1]
        raw = struct.pack(f">{len(words)}H", *words)
        value = struct.unpack(">" + TYPES[self.type][1], raw)[0]
        return float(value) * self.scale


class MapError(IngenioError):
    """A register map file that does not read: the message names file, field and value."""


def _fail(path: Path, where: str, field: str, value: object, expected: str) -> MapError:
    shown = repr(value) if not isinstance(value, str) else repr(value[:80])
    return MapError(f"{path}: {where}, field {field!r}: expected {expected}, got {shown}")


def _text(path: Path, where: str, field: str, value: object) -> str:
    text = "" if value is None else str(value).strip()
    if not text or len(text) > _MAX_ID or any(c in text for c in "/#+") or text != text.split()[0]:
        raise _fail(path, where, field, value, "a name without spaces, '/', '#' or '+'")
    return text


def _int(path: Path, where: str, field: str, value: object, low: int, high: int) -> int:
    try:
        number = int(str(value).strip(), 0) if isinstance(value, str) else value
    except ValueError:
        number = None
    if type(number) is not int or not low <= number <= high:
        raise _fail(path, where, field, value, f"an integer from {low} to {high}")
    return number


def _choice(path: Path, where: str, field: str, value: object, choices: tuple[str, ...],
            default: str) -> str:  # fmt: skip
    text = default if value is None or str(value).strip() == "" else str(value).strip().lower()
    if text not in choices:
        raise _fail(path, where, field, value, "one of " + ", ".join(choices))
    return text


def _scale(path: Path, where: str, value: object) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1.0
    try:
        ok = isinstance(value, int | float | str) and not isinstance(value, bool)
        scale = float(value) if ok else math.nan  # type: ignore[arg-type]
    except ValueError:
        scale = math.nan
    if not math.isfinite(scale) or scale <= 0:
        raise _fail(path, where, "scale", value, "a number above 0")
    return scale


def _register(path: Path, where: str, row: Mapping[str, Any]) -> Register:
    kind = _choice(path, where, "type", row.get("type"), tuple(TYPES), "")
    return Register(
        line=_text(path, where, "line", row.get("line")),
        meter=_text(path, where, "meter", row.get("meter")),
        field=_choice(path, where, "field", row.get("field"), FIELDS, ""),
        unit=_int(path, where, "unit", row.get("unit"), 0, 255),
        address=_int(path, where, "address", row.get("address"), 0, 65536 - TYPES[kind][0]),
        type=kind,
        word_order=_choice(path, where, "word_order", row.get("word_order"), WORD_ORDERS, "big"),
        scale=_scale(path, where, row.get("scale")),
        kind=_choice(path, where, "kind", row.get("kind"), KINDS, "holding"),
    )


def load_map(path: Path) -> list[Register]:
    """The registers of a map file (``.csv``, or ``.yaml``/``.yml``).

    Raises
    ------
    MapError
        The file, the row or meter, the field and the value that do not read.
    """
    try:
        if path.stat().st_size > MAX_MAP_BYTES:
            raise MapError(f"{path}: larger than {MAX_MAP_BYTES} bytes")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MapError(f"{path}: cannot read the register map: {exc}") from exc
    if path.suffix.lower() == ".csv":
        rows = csv.DictReader(io.StringIO(text))
        registers = [_register(path, f"row {n}", row) for n, row in enumerate(rows, start=2)]
    elif path.suffix.lower() in (".yaml", ".yml"):
        registers = _yaml(path, text)
    else:
        raise MapError(f"{path}: a register map is a .csv or .yaml file")
    if not registers:
        raise MapError(f"{path}: no registers in the map")
    seen: set[tuple[str, str]] = set()
    for reg in registers:
        if (reg.local, reg.field) in seen:
            raise MapError(f"{path}: meter {reg.local!r}, field {reg.field!r}: given twice")
        seen.add((reg.local, reg.field))
    return registers


def _yaml(path: Path, text: str) -> list[Register]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MapError(f"{path}: not YAML: {' '.join(str(exc).split())[:300]}") from exc
    meters = doc.get("meters") if isinstance(doc, dict) else None
    if not isinstance(meters, list):
        raise _fail(path, "top level", "meters", meters, "a list of meters")
    out: list[Register] = []
    for n, meter in enumerate(meters, start=1):
        where = f"meter {n}"
        if not isinstance(meter, dict):
            raise _fail(path, where, "meters", meter, "a mapping")
        fields = meter.get("registers")
        if not isinstance(fields, dict) or not fields:
            raise _fail(path, where, "registers", fields, "a mapping of field to register")
        for name, spec in fields.items():
            if not isinstance(spec, dict):
                raise _fail(path, f"{where}, register {name!r}", "registers", spec, "a mapping")
            row = {**spec, "field": name, "line": meter.get("line"), "meter": meter.get("meter"),
                   "unit": meter.get("unit", spec.get("unit"))}  # fmt: skip
            out.append(_register(path, f"{where}, register {name!r}", row))
    return out


class ModbusReader(Protocol):
    """Reads registers: ``(kind, unit, address, count)`` to the registers, or raises OSError."""

    def __call__(self, kind: str, unit: int, address: int, count: int) -> list[int]: ...


class PymodbusReader:
    """A :class:`ModbusReader` over pymodbus's synchronous TCP client (reconnects on demand)."""

    def __init__(self, host: str, port: int, timeout: float = 3.0) -> None:
        from pymodbus.client import ModbusTcpClient

        self.client = ModbusTcpClient(host, port=port, timeout=timeout, retries=1)

    def __call__(self, kind: str, unit: int, address: int, count: int) -> list[int]:
        from pymodbus.exceptions import ModbusException

        client = self.client
        if not client.connected and not client.connect():  # type: ignore[no-untyped-call]
            raise OSError(f"no Modbus answer at {client.comm_params.host}:"
                          f"{client.comm_params.port}")  # fmt: skip
        read = client.read_holding_registers if kind == "holding" else client.read_input_registers
        try:
            response = read(address, count=count, device_id=unit)
        except ModbusException as exc:
            client.close()  # type: ignore[no-untyped-call]
            raise OSError(str(exc)) from exc
        if response.isError():
            raise OSError(f"unit {unit}, {kind} register {address}: {response}")
        return list(response.registers)

    def close(self) -> None:
        """Close the connection."""
        self.client.close()  # type: ignore[no-untyped-call]


@dataclass
class PollCounts:
    """Polls done, meters read, meters that did not answer, the last error."""

    polls: int = 0
    readings: int = 0
    failures: int = 0
    last_error: str = ""


class ModbusSource:
    """Poll the meters of a register map (an agent :class:`~ingenio.telemetry.agent.Source`)."""

    def __init__(self, registers: list[Register], reader: ModbusReader, account: str,
                 plant: str, every_s: float = 60.0, root: str = ROOT,
                 clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        self.reader, self.account, self.plant, self.root = reader, account, plant, root
        self.every_s, self.clock = every_s, clock
        self.meters: dict[str, list[Register]] = {}
        for reg in registers:
            self.meters.setdefault(reg.local, []).append(reg)
        self.counts = PollCounts()
        self._next = 0.0

    def step(self, outbox: Outbox) -> bool:
        """Poll when due (else wait a little); always True (meters never end)."""
        now = self.clock()
        if now < self._next:
            time.sleep(min(0.2, self._next - now))
            return True
        self._next = now + self.every_s
        self.poll(outbox)
        return True

    def poll(self, outbox: Outbox) -> int:
        """Read every meter once into the outbox; the readings written."""
        ts = datetime.now(UTC).isoformat()
        items: list[Item] = []
        state: dict[str, str] = {}
        self.counts.polls += 1
        for local, regs in self.meters.items():
            try:
                values = {r.field: r.decode(self.reader(r.kind, r.unit, r.address, r.size))
                          for r in regs}  # fmt: skip
            except OSError as exc:
                self.counts.failures += 1
                self.counts.last_error = f"{local}: {exc}"[:500]
                continue
            body: dict[str, object] = {"ts": ts, **values}
            reset = False
            for name in ("kwh_total", "count"):
                if name in values:
                    key = f"modbus:{local}:{name}"
                    last = outbox.get_state(key)
                    if last is not None and values[name] < float(last) - 1e-9:
                        reset = True
                    state[key] = repr(values[name])
            if reset:
                body["reset"] = True
            line, _, meter = local.partition("/")
            items.append(Item(data_topic(self.account, self.plant, line, meter, self.root),
                              orjson.dumps(body).decode(), local))  # fmt: skip
        if items:
            outbox.add(items, time.time(), state=state)
        self.counts.readings += len(items)
        return len(items)
