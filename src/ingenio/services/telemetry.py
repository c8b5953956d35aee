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
from ingenio.telemetry.csvdrop import CsvDrop
from ingenio.telemetry.ingest import Committed, Ingester, IngestOptions
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
    "broker_address",
    "figures",
    "plant_plan",
    "run_agent",
    "run_ingest",
]


def broker_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (or ``HOST``, port 1883) as a pair.

    Raises
    ------
    IngenioError
        ``invalid`` naming the option and the value.
    """
    host, _, port = text.strip().rpartition(":") if ":" in text else (text.strip(), "", "1883")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise IngenioError(said(N_("--broker: expected HOST:PORT, got %(text)s"), text=repr(text)))
    return host, int(port)


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
    until_done: bool = False,
    progress: Callable[[AgentCounts], None] | None = None,
) -> AgentCounts:
    """Run the edge agent of ``options.plant``: simulating its plan (``simulate_days``),
    reading a CSV drop folder (``csv_dir``), or only draining its outbox and answering
    backfill requests.

    With ``until_done`` it returns once every reading is acknowledged.
    """
    source: Source | None = None
    if csv_dir is not None:
        source = CsvDrop(csv_dir, options.account, options.plant, options.root)
    if simulate_days is not None:
        found = plant_plan(ctx, options.plant)
        source = Simulation(found.portfolio, found.plan, options.plant, options.account,
                            simulate_days, speed, options.root, blackouts)  # fmt: skip
    outbox = Outbox(outbox_path)
    try:
        return Agent(options, outbox).run(source, stop, until_done, progress)
    finally:
        outbox.close()


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
    ingester = Ingester(options, writer, on_commit)
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
