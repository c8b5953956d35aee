"""A grid loss the meters see outside every announced outage becomes downtime events and a
replan suggestion; accepting it replans the plant and lands in the audit log."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from telemetry_support import saved_plant, shared_broker_or_skip, tenant, unique, wait_for

from ingenio.domain import PowerSource, Window
from ingenio.services.context import Context
from ingenio.services.plant_plan import plant_plan
from ingenio.services.telemetry import AgentOptions, IngestOptions, run_agent, run_ingest
from ingenio.services.telemetry_actuals import (
    accept,
    detect,
    dismiss,
    learned_outage_model,
    metered_outages,
    suggestions,
)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    context = saved_plant(f"sqlite:///{(tmp_path / 'store.sqlite').as_posix()}")
    yield context
    context.store.get().close()


def _unannounced(ctx: Context) -> Window:
    """Half an hour inside a grid-powered operation of P1, away from announced outages."""
    found = plant_plan(ctx, "P1")
    announced = found.portfolio.block("B1").off_windows()
    lines = {ln.id for ln in found.portfolio.plant("P1").lines}
    for op in sorted(found.plan.operations, key=lambda o: o.start):
        w = Window(op.start + 5, op.start + 35)
        if (op.line_id in lines and op.source is PowerSource.GRID and op.end >= w.end
                and w.end < 1440 and not any(a.overlaps(Window(w.start - 60, w.end + 60))
                                             for a in announced)):
            return w
    pytest.skip("the plan runs nothing on the grid on day one outside the outages")


def test_a_metered_blackout_raises_a_suggestion_that_replans_when_accepted(
    ctx: Context, tmp_path: Path
) -> None:
    host, port = shared_broker_or_skip()
    blackout = _unannounced(ctx)
    account, store = tenant(ctx, "grid", plan=True), ctx.store.get()
    stop = threading.Event()
    ingester = threading.Thread(target=run_ingest, args=(
        ctx, IngestOptions(host, port, account, unique("ingest-")), stop), kwargs={"watch_s": 0})
    ingester.start()
    try:
        run_agent(ctx, AgentOptions(host, port, account, "P1"), tmp_path / "ob.db",
                  threading.Event(), simulate_days=1, blackouts=(blackout,), until_done=True)
        wait_for(lambda: store.telemetry_figures().readings == 2 * 1440, 60, "every reading")
    finally:
        stop.set()
        ingester.join(30)
    found = plant_plan(ctx, "P1")
    [raised] = detect(ctx, account, "P1", found)
    start = found.portfolio.horizon.to_datetime(blackout.start)
    assert raised.outage_start == start and raised.status == "open"
    assert raised.preview["operations"] and "grid-powered" in raised.preview["text"]
    assert detect(ctx, account, "P1", found) == []  # raised once
    end = found.portfolio.horizon.to_datetime(blackout.end)
    downtime = store.list_downtime(["P1-MIX", "P1-OVEN"], start - timedelta(hours=1), end,
                               account=account)  # the plant's own tenant's actuals
    assert {(d.line_id, d.cause.value, d.start, d.end) for d in downtime} == {
        (ln, "grid_outage", start, end) for ln in ("P1-MIX", "P1-OVEN")}
    plans_before, default_plans = len(store.plans(account=account)), len(store.plans())
    accepted = accept(ctx, raised.id, time_limit=1.0)
    assert accepted.status == "accepted" and accepted.plan_id is not None
    # the suggestion's own tenant is replanned, not the default account's same-named one
    assert len(store.plans(account=account)) > plans_before
    assert len(store.plans()) == default_plans
    actions = [(e.action, e.entity) for e in store.audit_entries()]
    assert ("accepted", "replan_suggestion") in actions and ("replan", "plan") in actions
    # the audit names who accepted, under the tenant, for the decision and the replan
    mine = {(e.action, e.entity): e.actor for e in store.account_audit(account)}
    assert mine[("accepted", "replan_suggestion")] == ctx.actor.name == "tester"
    assert mine[("replan", "plan")] == "tester"
    with pytest.raises(Exception, match="already accepted"):
        dismiss(ctx, raised.id, "too late")
    assert [s.status for s in suggestions(ctx)] == ["accepted"]

    # a week later, the outage model has learnt the metered losses of block B1
    later = dataclasses.replace(found.portfolio, horizon=dataclasses.replace(
        found.portfolio.horizon, origin=found.portfolio.horizon.origin + timedelta(days=7)))
    history = metered_outages(ctx, later)
    week = 7 * 1440
    assert Window(blackout.start - week, blackout.end - week) in history["B1"]
    announced = found.portfolio.block("B1").off_windows()[0]
    assert Window(announced.start - week, announced.end - week) in history["B1"]
    assert learned_outage_model(ctx, later).history_hours > 0
