"""The ingester's hot path agrees with the schema, and paho's lean PUBLISH path reads right."""

from __future__ import annotations

import struct

import orjson
import pytest
from pydantic import ValidationError

from ingenio.telemetry.ingest import _Client
from ingenio.telemetry.payloads import Reading
from ingenio.telemetry.stream import Values, fast_values

TS = "2026-04-06T04:00:00+00:00"

COMMON = [
    {"seq": 1, "ts": TS},
    {"seq": 2, "ts": TS, "kwh_total": 10, "kw": 3.5, "count": 7.0},
    {"seq": 3, "ts": "2026-04-06T04:00:00Z", "historical": True, "reset": False},
    {"seq": 4, "ts": "2026-04-06T08:00:00.25-04:00", "kw": None, "msg_id": "abc"},
    {"seq": 5, "ts": "2026-04-06T08:00:00.123456+05:30", "extra": [1, 2], "kw": 0},
]
"""Shapes the fast path takes itself."""

ODD = [
    {"seq": "6", "ts": TS},  # a number in a string: the schema's lax mode decides
    {"seq": 7.0, "ts": TS},
    {"seq": 8, "ts": "20260406T040000Z"},  # the basic ISO format
    {"seq": 9, "ts": "2026-04-06 04:00:00+00:00"},
    {"seq": 10, "ts": TS, "historical": 1},
    {"seq": 11, "ts": TS, "kw": "3"},
    {"seq": True, "ts": TS},
    {"seq": 12, "ts": TS, "kwh_total": True},
]
"""Shapes the fast path leaves to the schema (which may take them)."""

BAD = [
    {"ts": TS},
    {"seq": 1},
    {"seq": -1, "ts": TS},
    {"seq": 2**63, "ts": TS},
    {"seq": 1, "ts": "2026-04-06T04:00:00"},  # no offset
    {"seq": 1, "ts": "2026-04-06T25:00:00+00:00"},
    {"seq": 1, "ts": "2026-04-06T04:00:00+25:00"},
    {"seq": 1, "ts": TS, "kw": -1.0},
    {"seq": 1, "ts": TS, "reset": "maybe"},
    {"seq": 1, "ts": TS, "msg_id": "x" * 65},
    [1, 2],
    "text",
]
"""Shapes the schema refuses: the fast path must refuse them too."""


@pytest.mark.parametrize("item", COMMON)
def test_the_fast_path_reads_the_common_shape_as_the_schema_does(item: object) -> None:
    fast = fast_values(orjson.loads(orjson.dumps(item)))
    assert fast is not None
    assert fast == Values.of(Reading.model_validate_json(orjson.dumps(item)))
    assert all(type(v) is float for v in (fast.kwh_total, fast.kw, fast.count) if v is not None)


@pytest.mark.parametrize("item", ODD + BAD)
def test_the_fast_path_leaves_every_other_shape_to_the_schema(item: object) -> None:
    assert fast_values(orjson.loads(orjson.dumps(item))) is None


@pytest.mark.parametrize("item", BAD)
def test_the_shapes_left_to_the_schema_include_every_one_it_refuses(item: object) -> None:
    with pytest.raises(ValidationError):
        Reading.model_validate_json(orjson.dumps(item))


class _Lean(_Client):
    """The lean path only, without a connection."""

    def __init__(self) -> None:
        from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

        super().__init__(CallbackAPIVersion.VERSION2, client_id="t",
                         protocol=MQTTProtocolVersion.MQTTv5, manual_ack=True)  # fmt: skip
        self.got: list[tuple[int, str, bytes]] = []
        self.fell_back = 0
        self.on_publish_packet = lambda mid, topic, payload: self.got.append((mid, topic, payload))

    def handle(self, header: int, packet: bytes) -> None:
        self._in_packet["command"] = header
        self._in_packet["packet"] = bytearray(packet)
        self._handle_publish()


def _publish(topic: bytes, mid: int, props: bytes, payload: bytes) -> bytes:
    length = len(props)
    varint = bytearray()
    while True:
        byte, length = length & 0x7F, length >> 7
        varint.append(byte | (0x80 if length else 0))
        if not length:
            break
    return struct.pack("!H", len(topic)) + topic + struct.pack("!H", mid) + varint + props + payload


def test_a_qos1_publish_goes_straight_to_the_ingester_with_its_properties_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = _Lean()
    payload = b'{"seq": 1}'
    client.handle(0x32, _publish(b"ingenio/v1/a/P/L/m/data", 513, b"", payload))
    # a user property (0x26, key "k", value "v") and 200 bytes of correlation data
    props = b"\x26\x00\x01k\x00\x01v" + b"\x09" + struct.pack("!H", 200) + b"x" * 200
    client.handle(0x3A, _publish(b"t/\xc3\xa9", 7, props, payload))  # dup flag, UTF-8 topic
    assert client.got == [(513, "ingenio/v1/a/P/L/m/data", payload), (7, "t/é", payload)]


def test_an_unusual_publish_takes_pahos_own_path(monkeypatch: pytest.MonkeyPatch) -> None:
    client = _Lean()
    seen: list[str] = []
    monkeypatch.setattr("paho.mqtt.client.Client._handle_publish",
                        lambda self: seen.append("paho"))  # fmt: skip
    client.handle(0x30, b"\x00\x01t" + b"{}")  # QoS 0
    client.handle(0x34, _publish(b"t", 1, b"", b"{}"))  # QoS 2
    client.handle(0x32, _publish(b"", 1, b"\x23\x00\x01", b"{}"))  # a topic alias, no topic
    client.handle(0x32, _publish(b"\xff\xfe", 1, b"", b"{}"))  # not UTF-8
    client.handle(0x32, b"\x00\x05ab")  # cut short
    assert seen == ["paho"] * 5 and client.got == []
