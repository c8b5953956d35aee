"""What travels on the wire: topics and the JSON payloads, as Pydantic models.

Topics (``<root>`` is ``ingenio/v1``)::

    <root>/<account>/<plant>/<line>/<meter>/data     one reading, or a list of them
    <root>/<account>/<plant>/grid                    grid state (on/off, voltage)
    <root>/<account>/<plant>/generator/<generator>   generator state (running, kW, tank)
    <root>/<account>/<plant>/status                  the agent's last will (retained)
    <root>/<account>/<plant>/watermark               last sequence number per meter
    <root>/<account>/<plant>/cmd/backfill            the ingester asks for readings again

:func:`json_schemas` gives the JSON Schema of every payload (``docs/telemetry.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, cast

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

ROOT = "ingenio/v1"
"""The first two levels of every topic."""

MAX_BATCH = 5_000
"""Readings in one data message."""

MAX_SEQ = 2**62
"""Largest sequence number (it is stored as a 64-bit integer)."""

MAX_PAYLOAD_BYTES = 1_000_000
"""Bytes of one message; a bigger one is quarantined unread."""

_ID = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^/#+\s]+$")]
_AMOUNT = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Reading(BaseModel):
    """One reading of a meter (a line's power meter and its unit counter)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    seq: Annotated[int, Field(ge=0, le=MAX_SEQ,
                              description="Per-meter sequence number from 1, +1 per reading.")]
    ts: Annotated[AwareDatetime, Field(description="When it was read (ISO 8601 with offset).")]
    kwh_total: _AMOUNT | None = Field(None, description="Cumulative energy register (kWh).")
    kw: _AMOUNT | None = Field(None, description="Demand at ts (kW).")
    count: _AMOUNT | None = Field(None, description="Cumulative unit counter of the line.")
    historical: bool = Field(False, description="Sent late from the outbox (after an outage).")
    reset: bool = Field(False, description="A register or counter was reset since the last.")
    msg_id: str | None = Field(None, max_length=64, description="Free id for tracing.")


class GridState(BaseModel):
    """The grid at a plant's connection."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    ts: AwareDatetime
    on: bool = Field(description="Whether the grid supplies the plant.")
    voltage: _AMOUNT | None = Field(None, description="Line voltage (V), when measured.")
    historical: bool = False


class GeneratorState(BaseModel):
    """A generator's state and its tank."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    ts: AwareDatetime
    running: bool
    kw: _AMOUNT = 0.0
    tank_litres: _AMOUNT | None = Field(None, description="Litres in the plant's tank.")
    run_hours: _AMOUNT | None = Field(None, description="The engine's hour counter.")
    historical: bool = False


class AgentStatus(BaseModel):
    """The agent's presence: ``online`` when connected, ``offline`` as its last will."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    state: Literal["online", "offline"]
    agent: str = Field("", max_length=200)


class Watermark(BaseModel):
    """The last sequence number the agent has read, per meter (``<line>/<meter>``).

    It lets the ingester see readings missing at the end of a stream, where no
    later reading shows the gap.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    meters: dict[str, Annotated[int, Field(ge=0, le=MAX_SEQ)]]


class BackfillRequest(BaseModel):
    """Send the readings ``from_seq..to_seq`` of a meter again (``<line>/<meter>``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    meter: Annotated[str, Field(min_length=3, max_length=401)]
    from_seq: Annotated[int, Field(ge=0)]
    to_seq: Annotated[int, Field(ge=0)]


READINGS = TypeAdapter(list[Reading])
"""Validates a batch of readings in one call."""


@dataclass(frozen=True)
class Topic:
    """A parsed topic: what it is about and which kind of message it carries."""

    kind: Literal["data", "grid", "generator", "status", "watermark", "backfill"]
    account: str
    plant: str
    line: str = ""
    meter: str = ""
    generator: str = ""


def data_topic(account: str, plant: str, line: str, meter: str, root: str = ROOT) -> str:
    """The topic of a meter's readings."""
    return f"{root}/{account}/{plant}/{line}/{meter}/data"


def plant_topic(account: str, plant: str, leaf: str, root: str = ROOT) -> str:
    """A plant-level topic: ``grid``, ``status``, ``watermark``, ``cmd/backfill``, ..."""
    return f"{root}/{account}/{plant}/{leaf}"


def subscriptions(account: str = "+", root: str = ROOT) -> list[str]:
    """The topic filters the ingester subscribes to (one account, or every one)."""
    base = f"{root}/{account}/+"
    return [f"{base}/+/+/data", f"{base}/grid", f"{base}/generator/+", f"{base}/status",
            f"{base}/watermark"]  # fmt: skip


def parse_topic(topic: str, root: str = ROOT) -> Topic | None:
    """What a topic is about, or None when it is none of ours."""
    if not topic.startswith(root + "/"):
        return None
    parts = topic[len(root) + 1 :].split("/")
    if len(parts) < 3 or not all(parts) or len(parts[0]) > 64 or max(map(len, parts)) > 200:
        return None
    account, plant, rest = parts[0], parts[1], parts[2:]
    if len(rest) == 3 and rest[2] == "data":
        return Topic("data", account, plant, line=rest[0], meter=rest[1])
    if rest == ["grid"]:
        return Topic("grid", account, plant)
    if len(rest) == 2 and rest[0] == "generator":
        return Topic("generator", account, plant, generator=rest[1])
    if rest == ["status"]:
        return Topic("status", account, plant)
    if rest == ["watermark"]:
        return Topic("watermark", account, plant)
    if rest == ["cmd", "backfill"]:
        return Topic("backfill", account, plant)
    return None


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every payload, by topic leaf."""
    data = TypeAdapter[Any](cast(Any, Reading | list[Reading])).json_schema()
    return {
        "data": data,
        "grid": GridState.model_json_schema(),
        "generator": GeneratorState.model_json_schema(),
        "status": AgentStatus.model_json_schema(),
        "watermark": Watermark.model_json_schema(),
        "cmd/backfill": BackfillRequest.model_json_schema(),
    }
