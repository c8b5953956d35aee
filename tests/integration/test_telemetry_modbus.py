"""Modbus TCP meters: pymodbus's own server on a free port stands in for the plant's meters.

The server's registers are set with Modbus writes (function 16) from the test, so
the values the agent must read are known and change between polls.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from telemetry_support import (
    free_port,
    saved_plant,
    shared_broker_or_skip,
    tenant,
    unique,
    wait_for,
)

from ingenio.errors import IngenioError
from ingenio.services.context import Context
from ingenio.services.telemetry import AgentOptions, IngestOptions, run_agent, run_ingest
from ingenio.telemetry.modbus import MapError, ModbusSource, PymodbusReader, load_map
from ingenio.telemetry.outbox import Outbox

pytest.importorskip("pymodbus")

MAP_CSV = """line,meter,unit,field,address,type,word_order,scale,kind
L1,main,1,kwh_total,0,uint32,big,0.1,
L1,main,1,kw,2,float32,little,,
L1,main,1,count,4,uint16,,,holding
"""

MAP_YAML = """
meters:
  - line: L2
    meter: main
    unit: 2
    registers:
      kwh_total: {address: 10, type: float32}
      count: {address: 12, type: int32, word_order: little}
"""

# Known values, written as the meters hold them (independent of the agent's decoding):
# unit 1: kWh 123456.7 as uint32 1234567 (0x0012D687, high word first) x 0.1;
#         kW 48.5 as float32 0x42420000 with the low word first; count 3120.
UNIT1 = [0x0012, 0xD687, 0x0000, 0x4242, 3120]
# unit 2: kWh 250.0 as float32 0x437A0000; count 70000 = 0x00011170 low word first.
UNIT2 = [0x437A, 0x0000, 0x1170, 0x0001]


class ModbusServer:
    """pymodbus's async TCP server in a thread of its own, two devices of 32 registers."""

    def __init__(self) -> None:
        from pymodbus.server import ModbusTcpServer
        from pymodbus.simulator import DataType, SimData, SimDevice

        self.port = free_port()
        devices = [SimDevice(unit, simdata=[SimData(0, count=32, values=0,
                                                    datatype=DataType.REGISTERS)])
                   for unit in (1, 2)]  # fmt: skip
        self.loop = asyncio.new_event_loop()
        self.server: ModbusTcpServer | None = None

        async def serve() -> None:  # the server is made in its loop
            self.server = ModbusTcpServer(devices, address=("127.0.0.1", self.port))
            await self.server.serve_forever()

        self.thread = threading.Thread(target=self._run, args=(serve,), daemon=True)
        self.thread.start()
        wait_for(self._answers, 15, f"the Modbus server on port {self.port}")

    def _run(self, serve: Callable[[], Coroutine[None, None, None]]) -> None:
        try:
            self.loop.run_until_complete(serve())
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def _answers(self) -> bool:
        try:
            self.write(1, 0, [0])
        except OSError:
            return False
        return True

    def write(self, unit: int, address: int, registers: list[int]) -> None:
        from pymodbus.client import ModbusTcpClient

        client = ModbusTcpClient("127.0.0.1", port=self.port, timeout=2, retries=0)
        try:
            if not client.connect():  # type: ignore[no-untyped-call]
                raise OSError("no answer")
            response = client.write_registers(address, registers, device_id=unit)
            assert not response.isError(), response
        finally:
            client.close()  # type: ignore[no-untyped-call]

    def close(self) -> None:
        assert self.server is not None
        asyncio.run_coroutine_threadsafe(self.server.shutdown(), self.loop).result(10)
        self.thread.join(10)


@pytest.fixture
def meters() -> Iterator[ModbusServer]:
    server = ModbusServer()
    server.write(1, 0, UNIT1)
    server.write(2, 10, UNIT2)
    yield server
    server.close()


@pytest.fixture
def register_map(tmp_path: Path) -> list[Path]:
    (tmp_path / "map.csv").write_text(MAP_CSV, encoding="utf-8")
    (tmp_path / "map.yaml").write_text(MAP_YAML, encoding="utf-8")
    return [tmp_path / "map.csv", tmp_path / "map.yaml"]


def _bodies(box: Outbox) -> list[tuple[str, dict[str, object]]]:
    return [(e.meter or "", orjson.loads(e.body)) for e in box.pending(0, 100)]


def test_each_poll_puts_one_reading_per_meter_into_the_outbox(
    meters: ModbusServer, register_map: list[Path], tmp_path: Path
) -> None:
    registers = load_map(register_map[0]) + load_map(register_map[1])
    reader = PymodbusReader("127.0.0.1", meters.port)
    source = ModbusSource(registers, reader, "acme", "P1", every_s=60)
    box = Outbox(tmp_path / "outbox.db")
    try:
        assert source.poll(box) == 2
        first = dict(_bodies(box))
        assert first["L1/main"]["kwh_total"] == pytest.approx(123456.7)
        assert (first["L1/main"]["kw"], first["L1/main"]["count"]) == (48.5, 3120.0)
        assert (first["L2/main"]["kwh_total"], first["L2/main"]["count"]) == (250.0, 70000.0)
        assert first["L1/main"]["seq"] == 1 and "reset" not in first["L1/main"]
        ts = datetime.fromisoformat(str(first["L1/main"]["ts"]))
        assert abs(ts - datetime.now(UTC)) < timedelta(minutes=1)

        meters.write(1, 0, [0x0012, 0xD6EB, 0x0000, 0x0000, 3150])  # +10 kWh, 0 kW, +30
        assert source.poll(box) == 2
        second = [b for m, b in _bodies(box) if m == "L1/main"][-1]
        assert (second["seq"], second["kw"], second["count"]) == (2, 0.0, 3150.0)
        assert second["kwh_total"] == pytest.approx(123466.7)

        meters.write(1, 0, [0x0000, 0x0064])  # the meter was replaced: 10.0 kWh
        source.poll(box)
        third = [b for m, b in _bodies(box) if m == "L1/main"][-1]
        assert third["kwh_total"] == pytest.approx(10.0) and third["reset"] is True
        assert source.counts.failures == 0
    finally:
        reader.close()
        box.close()


def test_a_meter_that_does_not_answer_is_skipped_and_the_others_are_read(
    meters: ModbusServer, register_map: list[Path], tmp_path: Path
) -> None:
    registers = load_map(register_map[0]) + load_map(register_map[1])
    reader = PymodbusReader("127.0.0.1", meters.port)
    calls: list[int] = []

    def flaky(kind: str, unit: int, address: int, count: int) -> list[int]:
        calls.append(unit)
        if unit == 2:
            raise OSError("unit 2: no answer")
        return reader(kind, unit, address, count)

    box = Outbox(tmp_path / "outbox.db")
    try:
        source = ModbusSource(registers, flaky, "acme", "P1")
        assert source.poll(box) == 1
        assert [m for m, _ in _bodies(box)] == ["L1/main"]
        assert source.counts.failures == 1 and "L2/main" in source.counts.last_error
    finally:
        reader.close()
        box.close()


@pytest.fixture
def ctx(store_url: str) -> Iterator[Context]:
    context = saved_plant(store_url)
    yield context
    context.store.get().close()


def test_polled_readings_reach_the_database_through_the_broker(
    ctx: Context, meters: ModbusServer, register_map: list[Path], tmp_path: Path
) -> None:
    host, port = shared_broker_or_skip()
    store = ctx.store.get()
    account = tenant(ctx, "mb")
    stop = threading.Event()
    ingester = threading.Thread(target=run_ingest, args=(ctx, IngestOptions(
        host, port, account, unique("ingest-")), stop), kwargs={"watch_s": 0})  # fmt: skip
    agent = threading.Thread(target=run_agent, args=(
        ctx, AgentOptions(host, port, account, "P1"), tmp_path / "outbox.db", stop),
        kwargs={"modbus": ("127.0.0.1", meters.port), "modbus_map_path": register_map[0],
                "poll_s": 0.5})  # fmt: skip
    ingester.start()
    agent.start()
    now = datetime.now(UTC)

    def stored() -> list[tuple[float | None, float | None]]:
        rows = store.telemetry_readings(account, "P1", now - timedelta(hours=1),
                                        now + timedelta(hours=1))  # fmt: skip
        return [(r.kwh_total, r.count) for r in rows]

    try:
        wait_for(lambda: bool(stored()), 60, "a polled reading in the database")
        assert stored()[0] == (pytest.approx(123456.7), 3120.0)
        meters.write(1, 4, [3200])
        wait_for(lambda: stored()[-1][1] == 3200.0, 60, "the new count in the database")
    finally:
        stop.set()
        agent.join(30)
        ingester.join(30)
    figures = store.telemetry_figures()
    assert (figures.quarantined, figures.gaps_open) == (0, 0)
    assert [r.count for r in store.telemetry_readings(account, "P1", now - timedelta(hours=1),
                                                      now + timedelta(hours=1))][-1] == 3200.0


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        (MAP_CSV.replace("uint16", "u16"), ".csv", "row 4, field 'type': expected one of "
         "uint16, int16, uint32, int32, float32, got 'u16'"),
        (MAP_CSV.replace("L1,main,1,kw,2", "L1,main,1,kw,-2"), ".csv",
         "row 3, field 'address': expected an integer from 0 to 65534, got '-2'"),
        (MAP_CSV.replace("big,0.1", "middle,0.1"), ".csv", "row 2, field 'word_order'"),
        (MAP_CSV.replace("0.1", "zero"), ".csv", "row 2, field 'scale': expected a number "
         "above 0, got 'zero'"),
        (MAP_CSV.replace(",kw,", ",kvar,"), ".csv", "row 3, field 'field'"),
        (MAP_CSV.replace("L1,main,1,count", "L1,main,300,count"), ".csv",
         "row 4, field 'unit': expected an integer from 0 to 255, got '300'"),
        (MAP_CSV + "L1,main,1,kw,8,float32,,,\n", ".csv", "meter 'L1/main', field 'kw': given"),
        (MAP_YAML.replace("line: L2", "line: L/2"), ".yaml", "meter 1, register 'kwh_total', "
         "field 'line'"),
        (MAP_YAML.replace("type: float32", "type: double"), ".yaml",
         "meter 1, register 'kwh_total', field 'type'"),
        ("meters: 3\n", ".yaml", "top level, field 'meters': expected a list of meters, got 3"),
        ("meters: [\n", ".yaml", "not YAML"),
        ("line,meter\n", ".csv", "no registers in the map"),
        ("x", ".txt", "a register map is a .csv or .yaml file"),
    ],
)
def test_a_bad_map_file_names_file_field_and_value(
    tmp_path: Path, text: str, suffix: str, expected: str
) -> None:
    path = tmp_path / f"meters{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MapError) as caught:
        load_map(path)
    assert str(path) in str(caught.value) and expected in str(caught.value)
    assert isinstance(caught.value, IngenioError)
