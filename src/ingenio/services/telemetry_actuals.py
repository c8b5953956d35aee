"""From readings to actuals, and from a metered grid loss to a replan suggestion.

* **Actuals** (:func:`convert`): for each whole hour a plant's meters have
  covered (and no open gap precedes), each plan operation's slice of the hour
  becomes a production record whose quantity is the rise of the line's unit
  counter over that slice; the kWh register at each hour boundary (and around a
  reset) becomes a meter reading for the energy KPIs; the fall of the tank level
  becomes fuel draws, shared among the generators by their run-hours. Stored
  with ``source="telemetry"``; the KPIs read them like any other actuals.
* **Grid loss** (:func:`detect`): the grid reported off (or at zero volts), or
  every line of the plant at 0 kW at once while the plan had one running on the
  grid, outside every announced outage of the plant's block: a downtime event of
  cause ``grid_outage`` per line once the grid is back, and at once a replan
  suggestion with a preview of the operations the loss hits.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ingenio.domain import Portfolio, PowerSource, Window
from ingenio.energy.outage_model import OutageModel, learn_outage_model
from ingenio.errors import N_, IngenioError, said
from ingenio.operations.actuals import (
    ActualsBatch,
    DowntimeCause,
    DowntimeEvent,
    FuelDraw,
    MeterReading,
    ProductionRecord,
)
from ingenio.services.context import Context
from ingenio.services.plant_plan import PlantPlan, plant_plan
from ingenio.store import Store
from ingenio.store.telemetry_repo import StoredReading, Suggestion

__all__ = [
    "Suggestion",
    "accept",
    "convert",
    "detect",
    "dismiss",
    "learned_outage_model",
    "metered_outages",
    "suggestions",
    "watch",
]

HISTORY = timedelta(days=365)
"""How far back before a portfolio's origin the metered grid states are read."""

SOURCE = "telemetry"
"""The ``source`` of actuals made from readings."""

LOOKBACK = timedelta(days=1)
"""How far back from a plant's last reading :func:`detect` looks."""

DEFAULT_OUTAGE = timedelta(hours=4)
"""Assumed length of a grid loss still going on (for the preview and the replan)."""


def _hour(ts: datetime) -> datetime:
    return ts.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class _Counter:
    """One meter's readings as sorted arrays, to read a register at any moment."""

    ts: list[datetime]
    values: list[float]

    def at(self, moment: datetime) -> float | None:
        """The register at ``moment``: the first reading at or after it."""
        i = bisect.bisect_left(self.ts, moment)
        return self.values[i] if i < len(self.ts) else None

    def rise(self, start: datetime, end: datetime) -> float:
        """The register's rise over ``[start, end)``; a fall counts as a reset."""
        i, j = bisect.bisect_left(self.ts, start), bisect.bisect_left(self.ts, end)
        if i >= len(self.ts) or j >= len(self.ts):
            return 0.0
        total = 0.0
        for k in range(i, j):
            step = self.values[k + 1] - self.values[k]
            total += step if step >= 0 else self.values[k + 1]
        return total


def _counters(readings: Sequence[StoredReading], field: str) -> dict[str, _Counter]:
    by_line: dict[str, tuple[list[datetime], list[float]]] = defaultdict(lambda: ([], []))
    for r in readings:
        value = getattr(r, field)
        if value is not None:
            ts, values = by_line[r.line]
            ts.append(r.ts)
            values.append(value)
    return {line: _Counter(ts, values) for line, (ts, values) in by_line.items()}


def convert(ctx: Context, account: str, plant_id: str, found: PlantPlan | None = None) -> int:
    """Turn a plant's complete hours of readings into actuals; return records stored."""
    store = ctx.store.get()
    found = found or plant_plan(ctx, plant_id, account)
    figures = [m for m in store.telemetry_figures(account).meters if m.plant == plant_id]
    lasts = [m.last_ts for m in figures if m.last_ts is not None]
    if not lasts:
        return 0
    origin = found.portfolio.horizon.origin
    since = store.converted_until(account, plant_id) or _hour(origin)
    until = _hour(min(lasts))
    if until <= since:
        return 0
    readings = store.telemetry_readings(account, plant_id, since, until + timedelta(hours=1))
    counts = _counters(readings, "count")
    batch = ActualsBatch(
        production=tuple(_production(found, plant_id, counts, since, until)),
        meter_readings=tuple(_meters(readings, since, until)),
        fuel_draws=tuple(_fuel(store, found, account, plant_id, since, until)),
        sources={"production": SOURCE, "meter_readings": SOURCE, "fuel_draws": SOURCE},
    )
    new = store.add_actuals(batch, source=SOURCE, actor=SOURCE, account=account)
    store.mark_converted(account, plant_id, until)
    return sum(new.values())


def _production(found: PlantPlan, plant_id: str, counts: dict[str, _Counter],
                since: datetime, until: datetime) -> list[ProductionRecord]:  # fmt: skip
    portfolio = found.portfolio
    lines = {ln.id for ln in portfolio.plant(plant_id).lines}
    orders = {o.id: o for o in portfolio.orders}
    records = []
    for op in found.plan.operations:
        if op.line_id not in lines or op.line_id not in counts:
            continue
        start = max(portfolio.horizon.to_datetime(op.start), since)
        end = min(portfolio.horizon.to_datetime(op.end), until)
        hour = _hour(start)
        while hour < end:
            a, b = max(start, hour), min(end, hour + timedelta(hours=1))
            units = round(counts[op.line_id].rise(a, b), 6)
            if b > a and units > 0:
                records.append(ProductionRecord(op.line_id, orders[op.order_id].product_id,
                                                op.order_id, units, 0.0, a, b))  # fmt: skip
            hour += timedelta(hours=1)
    return records


def _meters(readings: Sequence[StoredReading], since: datetime,
            until: datetime) -> list[MeterReading]:  # fmt: skip
    """The kWh register at each hour boundary, and on both sides of each reset."""
    out: list[MeterReading] = []
    by_line: dict[str, list[StoredReading]] = defaultdict(list)
    for r in readings:
        if r.kwh_total is not None:
            by_line[r.line].append(r)
    for line, rows in by_line.items():
        keep: set[int] = set()
        for i, r in enumerate(rows):
            if r.ts > until:
                break
            if r.ts.minute == 0 and r.ts.second == 0 and r.ts >= since:
                keep.add(i)
            if i and (r.reset or (r.kwh_total or 0) < (rows[i - 1].kwh_total or 0)):
                keep.update((i - 1, i))
        out.extend(MeterReading(line, rows[i].ts, rows[i].kw or 0.0, rows[i].kwh_total or 0.0)
                   for i in sorted(keep))  # fmt: skip
    return out


def _fuel(store: Store, found: PlantPlan, account: str, plant_id: str, since: datetime,
          until: datetime) -> list[FuelDraw]:  # fmt: skip
    """Hourly tank falls, shared among the generators by their run-hours."""
    states = store.telemetry_generators(account, plant_id, since, until)
    tank: dict[datetime, float] = {}
    hours: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for s in states:
        if s.tank_litres is not None:
            tank[s.ts] = s.tank_litres
        if s.run_hours is not None:
            hours[s.generator].append((s.ts, s.run_hours))
    draws: list[FuelDraw] = []
    times = sorted(tank)
    fall: dict[datetime, float] = defaultdict(float)
    for a, b in itertools.pairwise(times):
        if tank[b] < tank[a]:
            fall[_hour(a)] += tank[a] - tank[b]
    for hour, litres in sorted(fall.items()):
        ran = {g: _rise(points, hour, hour + timedelta(hours=1)) for g, points in hours.items()}
        total = sum(ran.values())
        for g, h in sorted(ran.items()):
            if total > 0 and h > 0:
                draws.append(FuelDraw(g, round(litres * h / total, 6), hour))
    return draws


def _rise(points: list[tuple[datetime, float]], start: datetime, end: datetime) -> float:
    inside = [v for t, v in points if start <= t <= end]
    return max(inside) - min(inside) if len(inside) > 1 else 0.0


def detect(ctx: Context, account: str, plant_id: str, found: PlantPlan | None = None,
           ) -> list[Suggestion]:  # fmt: skip
    """Look for grid losses in the plant's last day of readings; raise suggestions."""
    store = ctx.store.get()
    found = found or plant_plan(ctx, plant_id, account)
    lasts = [m.last_ts for m in store.telemetry_figures(account).meters
             if m.plant == plant_id and m.last_ts is not None]  # fmt: skip
    if not lasts:
        return []
    until = max(lasts) + timedelta(minutes=1)
    since = until - LOOKBACK
    raised = []
    for start, end, evidence in _losses(store, found, account, plant_id, since, until):
        portfolio = found.portfolio
        minute = portfolio.horizon.to_minute(start)
        announced = portfolio.block(portfolio.plant(plant_id).block_id).off_windows()
        if any(w.start - 1 <= minute < w.end + 1 for w in announced):
            continue
        preview = _preview(found, plant_id, start, end)
        made = store.add_suggestion(account, found.portfolio_name, plant_id, start, evidence,
                                    preview)  # fmt: skip
        if made is not None:
            raised.append(made)
        if end is not None:
            for s in store.suggestions():
                if (s.account, s.plant_id, s.outage_start) == (account, plant_id, start):
                    store.end_suggestion_outage(s.id, end)
            events = tuple(DowntimeEvent(ln.id, DowntimeCause.GRID_OUTAGE, start, end,
                                         f"metered: {evidence}")
                           for ln in portfolio.plant(plant_id).lines)  # fmt: skip
            store.add_actuals(ActualsBatch(downtime=events, sources={"downtime": SOURCE}),
                              source=SOURCE, actor=SOURCE, account=account)  # fmt: skip
    return raised


def _losses(store: Store, found: PlantPlan, account: str, plant_id: str, since: datetime,
            until: datetime) -> list[tuple[datetime, datetime | None, str]]:  # fmt: skip
    """``(start, end or None, evidence)`` of each grid loss the readings show."""
    losses: list[tuple[datetime, datetime | None, str]] = []
    start: datetime | None = None
    for g in store.telemetry_grid(account, plant_id, since, until):
        off = not g.on or (g.voltage is not None and g.voltage < 1.0)
        if off and start is None:
            start = g.ts
        elif not off and start is not None:
            losses.append((start, g.ts, "grid state off"))
            start = None
    if start is not None:
        losses.append((start, None, "grid state off"))
    if losses:
        return losses
    return _kw_losses(store, found, account, plant_id, since, until)


def _kw_losses(store: Store, found: PlantPlan, account: str, plant_id: str, since: datetime,
               until: datetime) -> list[tuple[datetime, datetime | None, str]]:  # fmt: skip
    """Every line at 0 kW at once while the plan had one running on the grid."""
    kw: dict[datetime, dict[str, float]] = defaultdict(dict)
    for r in store.telemetry_readings(account, plant_id, since, until):
        if r.kw is not None:
            kw[r.ts][r.line] = r.kw
    lines = {ln.id for ln in found.portfolio.plant(plant_id).lines}
    horizon = found.portfolio.horizon
    on_grid = [Window(op.start, op.end) for op in found.plan.operations
               if op.line_id in lines and op.source is PowerSource.GRID]  # fmt: skip
    losses: list[tuple[datetime, datetime | None, str]] = []
    start: datetime | None = None
    for ts in sorted(kw):
        row = kw[ts]
        if set(row) != lines:
            continue
        m = horizon.to_minute(ts)
        planned = any(w.start <= m < w.end for w in on_grid)
        dead = all(v == 0 for v in row.values())
        if dead and planned and start is None:
            start = ts
        elif not dead and start is not None:
            losses.append((start, ts, "every line at 0 kW at once"))
            start = None
    if start is not None:
        losses.append((start, None, "every line at 0 kW at once"))
    return losses


def _preview(found: PlantPlan, plant_id: str, start: datetime,
             end: datetime | None) -> dict[str, Any]:  # fmt: skip
    """The plan's grid-powered operations the loss hits, in minutes of work."""
    horizon = found.portfolio.horizon
    a = horizon.to_minute(start)
    b = horizon.to_minute(end) if end is not None else a + int(DEFAULT_OUTAGE.seconds // 60)
    lines = {ln.id for ln in found.portfolio.plant(plant_id).lines}
    hit: list[dict[str, Any]] = [
        {"order": op.order_id, "line": op.line_id, "minutes": min(op.end, b) - max(op.start, a)}
        for op in found.plan.operations
        if op.line_id in lines and op.source is PowerSource.GRID and op.start < b
        and a < op.end
    ]  # fmt: skip
    orders = sorted({h["order"] for h in hit})
    text = (f"{len(hit)} grid-powered operation(s) on {len({h['line'] for h in hit})} line(s) "
            f"lose {sum(int(h['minutes']) for h in hit)} min between minute {a} and {b}"
            f"{'' if end is not None else ' (assumed length)'}; orders: "
            f"{', '.join(orders) or 'none'}")  # fmt: skip
    return {"plan_id": found.plan_id, "from_minute": a, "to_minute": b, "operations": hit,
            "orders": orders, "text": text}  # fmt: skip


def watch(ctx: Context) -> None:
    """One round over every metered plant: grid losses, then actuals."""
    store = ctx.store.get()
    plants = sorted({(m.account, m.plant) for m in store.telemetry_figures().meters})
    for account, plant in plants:
        try:  # the plan of the account's portfolio: never another tenant's
            found = plant_plan(ctx, plant, account)
        except IngenioError:
            continue  # no plan to compare with yet: the other plants go on
        detect(ctx, account, plant, found)
        convert(ctx, account, plant, found)


def suggestions(ctx: Context, status: str | None = None) -> list[Suggestion]:
    """Replan suggestions, newest first."""
    return ctx.store.existing().suggestions(status)


def accept(ctx: Context, suggestion_id: int, time_limit: float = 5.0) -> Suggestion:
    """Replan the plant for the metered outage; the acceptance and its reason are audited."""
    from ingenio.services.replan import replan

    store = ctx.store.get()
    found = next((s for s in store.suggestions() if s.id == suggestion_id), None)
    if found is None:
        raise IngenioError(
            said(N_("no replan suggestion %(suggestion_id)s"), suggestion_id=suggestion_id),
            kind="not_found",
        )
    if found.status != "open":
        raise IngenioError(
            said(
                N_("replan suggestion %(suggestion)s is already %(status)s"),
                suggestion=suggestion_id,
                status=found.status,
            ),
            kind="conflict",
        )
    a, b = int(found.preview["from_minute"]), int(found.preview["to_minute"])
    reason = f"metered grid loss at {found.outage_start.isoformat()} ({found.evidence})"
    actor = ctx.actor.name
    with accepting(store, suggestion_id, actor):
        # the suggestion's own account: its portfolio and plans, and the audit's tenant
        result = replan(store, found.portfolio_name, found.plant_id, a, reason=reason,
                        time_limit=time_limit, outage=Window(a, max(b, a + 1)),
                        account=found.account, actor=actor)  # fmt: skip
        plan_id = result.final.version.id if result.final.version is not None else None
        return store.decide_suggestion(suggestion_id, "accepted", actor, plan_id, reason,
                                       claimed=True)  # fmt: skip


@contextmanager
def accepting(store: Store, suggestion_id: int, actor: str) -> Iterator[None]:
    """Hold an open suggestion claimed by ``actor`` while its replan runs
    (:meth:`~ingenio.store.Store.claim_suggestion`): a second accept meanwhile gets a
    ``conflict`` and saves no draft. If the body fails, the suggestion is open again."""
    store.claim_suggestion(suggestion_id, actor)
    try:
        yield
    except BaseException:
        store.release_suggestion(suggestion_id, actor)
        raise


def dismiss(ctx: Context, suggestion_id: int, reason: str) -> Suggestion:
    """Dismiss a suggestion, with the reason (audited)."""
    return ctx.store.get().decide_suggestion(suggestion_id, "dismissed", ctx.actor.name, None,
                                             reason)  # fmt: skip


def metered_outages(ctx: Context, portfolio: Portfolio,
                    account: str | None = None) -> dict[str, tuple[Window, ...]]:  # fmt: skip
    """Block id -> the grid losses its plants' meters reported before the origin (minutes
    from the origin, so negative): the history the outage model learns from.

    A loss is the grid reported off (or its voltage gone) until it came back, or one the
    watcher found with every line at zero kW (a replan suggestion with its end). Only
    ``account``'s meters count when it is given; every account's with the plant ids
    otherwise.
    """
    store = ctx.store.get()
    origin = portfolio.horizon.origin
    metered = store.telemetry_plants(account)
    history: dict[str, list[Window]] = defaultdict(list)
    for s in store.suggestions():
        known = account is None or s.account == account
        if (known and portfolio.has("plant", s.plant_id) and s.outage_end is not None
                and origin - HISTORY <= s.outage_start < origin):  # fmt: skip
            start = portfolio.horizon.to_minute(s.outage_start)
            end = portfolio.horizon.to_minute(min(s.outage_end, origin))
            if end > start:
                history[portfolio.plant(s.plant_id).block_id].append(Window(start, end))
    for account_id, plant in metered:
        if not portfolio.has("plant", plant):
            continue
        block = portfolio.plant(plant).block_id
        off: datetime | None = None
        for g in store.telemetry_grid(account_id, plant, origin - HISTORY, origin):
            down = not g.on or (g.voltage is not None and g.voltage < 1.0)
            if down and off is None:
                off = g.ts
            elif not down and off is not None:
                start, end = portfolio.horizon.to_minute(off), portfolio.horizon.to_minute(g.ts)
                if end > start:
                    history[block].append(Window(start, end))
                off = None
    return {block: tuple(sorted(set(windows))) for block, windows in history.items()}


def learned_outage_model(ctx: Context, portfolio: Portfolio) -> OutageModel:
    """The outage model of :func:`ingenio.energy.outage_model.learn_outage_model` taught by
    the metered grid losses (:func:`metered_outages`) as well as the published schedule."""
    return learn_outage_model(portfolio, metered_outages(ctx, portfolio))
