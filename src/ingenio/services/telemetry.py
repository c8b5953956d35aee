"""Use cases of telemetry: run the ingester, run an edge agent, the figures.

The ingester writes through the store's
:class:`~ingenio.store.telemetry_writer.TelemetryWriter`; beside it a watcher
turns readings into actuals and grid losses into replan suggestions
(:mod:`ingenio.services.telemetry_actuals`) every ``watch_s`` seconds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from ingenio.domain import Window
from ingenio.errors import N_, IngenioError, said
from ingenio.services.context import Context
from ingenio.services.plant_plan import PlantPlan, plant_plan
from ingenio.services.telemetry_actuals import watch
from ingenio.store.telemetry_repo import MeterLast, TelemetryFigures
from ingenio.telemetry.agent import Agent, AgentCounts, AgentOptions, Source
from ingenio.telemetry.credentials import (
    INGESTER_USER,
    Device,
    acl_file,
    device_username,
    mosquitto_hash,
    new_password,
    password_file,
)
from ingenio.telemetry.csvdrop import CsvDrop
from ingenio.telemetry.ingest import Committed, Ingester, IngestOptions
from ingenio.telemetry.modbus import ModbusSource, PymodbusReader, load_map
from ingenio.telemetry.outbox import Outbox
from ingenio.telemetry.simulate import Simulation

__all__ = [
    "AgentCounts",
    "AgentOptions",
    "Committed",
    "IngestOptions",
    "MeterLast",
    "PlantPlan",
    "TelemetryFigures",
    "add_device",
    "broker_address",
    "broker_files",
    "devices",
    "figures",
    "plant_plan",
    "run_agent",
    "run_ingest",
]


def broker_address(text: str, option: str = "--broker", port: int = 1883) -> tuple[str, int]:
    """``HOST:PORT`` (or ``HOST``, and ``port``) as a pair.

    Raises
    ------
    IngenioError
        ``invalid`` naming the option and the value.
    """
    default = str(port)
    host, _, port_ = text.strip().rpartition(":") if ":" in text else (text.strip(), "", default)
    if not host or not port_.isdigit() or not 0 < int(port_) < 65536:
        raise IngenioError(
            said(N_("%(option)s: expected HOST:PORT, got %(text)s"), option=option, text=repr(text))
        )
    return host, int(port_)


def run_agent(
    ctx: Context,
    options: AgentOptions,
    outbox_path: Path,
    stop: threading.Event,
    *,
    simulate_days: float | None = None,
    speed: float | None = None,
    blackouts: tuple[Window, ...] = (),
    csv_dir: Path | None = None,
    modbus: tuple[str, int] | None = None,
    modbus_map_path: Path | None = None,
    poll_s: float = 60.0,
    until_done: bool = False,
    progress: Callable[[AgentCounts], None] | None = None,
) -> AgentCounts:
    """Run the edge agent of ``options.plant``: simulating its plan (``simulate_days``),
    reading a CSV drop folder (``csv_dir``), polling Modbus TCP meters (``modbus`` with
    the register map ``modbus_map_path``, every ``poll_s`` seconds), or only draining
    its outbox and answering backfill requests.

    With ``until_done`` it returns once every reading is acknowledged.
    """
    source: Source | None = None
    reader: PymodbusReader | None = None
    if csv_dir is not None:
        source = CsvDrop(csv_dir, options.account, options.plant, options.root)
    if modbus is not None:
        if modbus_map_path is None:
            raise IngenioError("--modbus needs --map FILE (the register map)")
        registers = load_map(modbus_map_path)
        reader = PymodbusReader(*modbus)
        source = ModbusSource(registers, reader, options.account, options.plant, poll_s,
                              options.root)  # fmt: skip
    if simulate_days is not None:
        found = plant_plan(ctx, options.plant, options.account)  # the agent's own tenant
        source = Simulation(found.portfolio, found.plan, options.plant, options.account,
                            simulate_days, speed, options.root, blackouts)  # fmt: skip
    outbox = Outbox(outbox_path)
    try:
        return Agent(options, outbox).run(source, stop, until_done, progress)
    finally:
        outbox.close()
        if reader is not None:
            reader.close()


def run_ingest(
    ctx: Context,
    options: IngestOptions,
    stop: threading.Event,
    on_commit: Callable[[Committed], None] | None = None,
    watch_s: float = 30.0,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Ingest until ``stop`` is set; every ``watch_s`` seconds look for grid losses and
    turn complete hours of readings into actuals (0: never)."""
    store = ctx.store.get()
    writer = store.telemetry_writer()
    watcher = None
    if watch_s > 0:
        def loop() -> None:
            while not stop.wait(watch_s):
                try:
                    watch(ctx)
                except IngenioError:
                    continue  # a plant without a portfolio, a store hiccup: next round

        watcher = threading.Thread(target=loop, name="telemetry-watch", daemon=True)
        watcher.start()
    ingester = Ingester(options, writer, on_commit, owners=writer.plant_owners)
    if on_ready is not None:
        def ready() -> None:
            while not stop.is_set():
                if ingester.subscribed.wait(0.5):
                    on_ready()
                    return

        threading.Thread(target=ready, name="telemetry-ready", daemon=True).start()
    try:
        ingester.run(stop)
    finally:
        writer.close()
        if watcher is not None:
            watcher.join(timeout=5)


def figures(ctx: Context, account: str | None = None) -> TelemetryFigures:
    """Readings stored, duplicates dropped, quarantined, gaps open, last reading per meter."""
    return ctx.store.existing().telemetry_figures(account)


def add_device(ctx: Context, account: str, plant: str | None,
               rotate: bool = False) -> tuple[str, str]:  # fmt: skip
    """Make the broker user of a plant's device (``plant`` None: the ingester's user).

    Returns the user and its password: the only time the password exists outside
    the device; the store keeps its hash. ``rotate`` gives a known user a new one.

    Raises
    ------
    IngenioError
        ``not_found`` when ``account`` holds no such plant; ``conflict`` when the plant
        has a user already and ``rotate`` is False.
    """
    store = ctx.store.get()
    if plant is None:
        username = INGESTER_USER
    else:
        writer = store.telemetry_writer()
        try:
            held = writer.plant_owners().get(account, frozenset())
        finally:
            writer.close()
        if plant not in held:
            raise IngenioError(f"--plant {plant!r}: no portfolio of account {account!r} holds "
                               "it", kind="not_found")  # fmt: skip
        username = device_username(account, plant)
    password = new_password()
    device = Device(username, account, plant, mosquitto_hash(password))
    store.save_device(device, ctx.actor.name, rotate)
    return username, password


def devices(ctx: Context) -> list[Device]:
    """Every broker user (the hashes only)."""
    return ctx.store.existing().devices()


def broker_files(ctx: Context, passwd: Path, acl: Path) -> int:
    """Write Mosquitto's password file and ACL from the broker users; how many users.

    Each file is written beside itself and renamed into place (the broker never
    reads half a file); the password file is readable by its owner only.
    """
    users = devices(ctx)
    if not users:
        raise IngenioError("no broker users yet: `ingenio telemetry devices add` makes them",
                           kind="not_found")  # fmt: skip
    for path, text, mode in ((passwd, password_file(users), 0o600),
                             (acl, acl_file(users), 0o644)):  # fmt: skip
        part = path.with_name(path.name + ".part")
        try:
            part.unlink(missing_ok=True)
            part.touch(mode=mode)  # the hashes are never readable by others, even briefly
            part.write_text(text, encoding="utf-8")
            part.replace(path)
        except OSError as exc:
            part.unlink(missing_ok=True)
            raise IngenioError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    return len(users)
