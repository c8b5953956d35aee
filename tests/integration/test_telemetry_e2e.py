"""End to end on the real Mosquitto (127.0.0.1:1883): a simulated day of a plant goes
through the agent, the broker and the ingester into the store, then into actuals and KPIs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from telemetry_support import saved_plant, shared_broker_or_skip, tenant, unique, wait_for

from ingenio.services.context import Context
from ingenio.services.kpi import load_kpis
from ingenio.services.plant_plan import plant_plan
from ingenio.services.telemetry import AgentOptions, IngestOptions, run_agent, run_ingest
from ingenio.services.telemetry_actuals import convert
from ingenio.telemetry.simulate import Simulation


@pytest.fixture
def ctx(store_url: str) -> Iterator[Context]:
    context = saved_plant(store_url)
    yield context
    context.store.get().close()


def test_a_simulated_day_arrives_whole_and_becomes_the_actuals_it_simulated(
    ctx: Context, tmp_path: Path
) -> None:
    host, port = shared_broker_or_skip()
    store = ctx.store.get()
    account = tenant(ctx, "e2e", plan=True)
    stop = threading.Event()
    options = IngestOptions(host, port, account, unique("ingest-"))
    ingester = threading.Thread(target=run_ingest, args=(ctx, options, stop), kwargs={"watch_s": 0})
    ingester.start()
    try:
        counts = run_agent(ctx, AgentOptions(host, port, account, "P1"), tmp_path / "outbox.db",
                           threading.Event(), simulate_days=1, until_done=True)
        found = plant_plan(ctx, "P1")
        sim = Simulation(found.portfolio, found.plan, "P1", account, 1)
        assert counts.readings == sim.readings == 1440 * 2
        wait_for(lambda: store.telemetry_figures().readings == sim.readings, 60, "every reading")
    finally:
        stop.set()
        ingester.join(30)
    figures = store.telemetry_figures()
    assert (figures.duplicates_dropped, figures.quarantined, figures.gaps_open) == (0, 0, 0)
    origin = found.portfolio.horizon.origin
    stored = store.telemetry_readings(account, "P1", origin, origin + timedelta(days=1))
    assert len(stored) == sim.readings
    expected_all = sim.expected()
    for line, totals in expected_all.items():
        last = [r for r in stored if r.line == line][-1]
        kw_last = sim._kw[line][-1]  # the last reading shows the register before its minute
        assert last.kwh_total == pytest.approx(totals.kwh - kw_last / 60, abs=1e-4)
    assert convert(ctx, account, "P1", found) > 0
    hours = 23  # the last hour has no reading at its end yet: not converted
    report = load_kpis(store, origin, origin + timedelta(hours=hours), plant_id="P1",
                       account=account).report
    expected = sim.expected(hours * 60)
    assert sum(t.units for t in expected.values()) > 0
    for line, totals in expected.items():
        tally = report.total("line", line)
        assert tally.good == pytest.approx(totals.units, rel=1e-6, abs=1e-6)
        assert tally.kwh == pytest.approx(totals.kwh, rel=1e-6, abs=1e-6)
    assert convert(ctx, account, "P1", found) == 0  # converted once
