"""A plant that follows its plan, as meter readings: the agent's ``--simulate`` source.

Every minute of the first ``days`` of the plan, each line's meter ``main``
reads its demand (the power of the step it runs), its cumulative kWh register
and its cumulative unit counter (the operation's quantity spread evenly over
its minutes). The grid follows the plant's block outages (and any extra
``blackouts``, unannounced: lines on grid power then stop); generators follow
the plan's runs and the tank its burn (:meth:`Generator.litres`) and refills.
States are sent on change and every 15 minutes. The simulation's position is
kept in the outbox with the readings, so a restarted agent goes on where it was.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import orjson

from ingenio.domain import Plan, Portfolio, PowerSource, Window
from ingenio.domain.time import MINUTES_PER_DAY
from ingenio.telemetry.outbox import Item, Outbox
from ingenio.telemetry.payloads import ROOT, data_topic, plant_topic

METER = "main"
"""The meter id of every simulated line."""

STATE_EVERY = 15
"""Minutes between repeated grid and generator states."""

VOLTAGE = 230.0
"""Volts read while the grid is on."""


@dataclass(frozen=True)
class LineTotals:
    """What a line's meter shows over the simulation: units and kWh."""

    units: float
    kwh: float


class Simulation:
    """Readings of one plant over the first ``days`` of a plan (see the module notes)."""

    def __init__(self, portfolio: Portfolio, plan: Plan, plant_id: str, account: str,
                 days: float = 1.0, speed: float | None = None, root: str = ROOT,
                 blackouts: Sequence[Window] = ()) -> None:  # fmt: skip
        self.portfolio, self.plan, self.account, self.root = portfolio, plan, account, root
        self.plant = portfolio.plant(plant_id)
        self.minutes = max(1, min(int(days * MINUTES_PER_DAY), portfolio.horizon.minutes))
        self.speed = speed
        self.blackouts = tuple(blackouts)
        block = next(b for b in portfolio.blocks if b.id == self.plant.block_id)
        self.announced = block.off_windows()
        self._key = f"sim:{account}:{plant_id}:{portfolio.horizon.origin.isoformat()}"
        self._lines = [line.id for line in self.plant.lines]
        self._kw = {ln: [0.0] * self.minutes for ln in self._lines}
        self._units = {ln: [0.0] * self.minutes for ln in self._lines}
        self._fill_lines()
        gens = {g.id: g for g in self.plant.generators}
        self._gen_kw = {g: [0.0] * self.minutes for g in gens}
        for run in plan.generator_runs:
            if run.generator_id in gens:
                for m in range(max(0, run.start), min(self.minutes, run.end)):
                    self._gen_kw[run.generator_id][m] = run.output_kw
        self._refill = [0.0] * self.minutes
        for transfer in plan.fuel_transfers:
            if transfer.plant_id == plant_id and 0 <= transfer.at < self.minutes:
                self._refill[transfer.at] += transfer.litres
        self._gens = gens
        self._started: float | None = None

    def grid_on(self, minute: int) -> bool:
        """Whether the grid supplies the plant at ``minute``."""
        windows = (*self.announced, *self.blackouts)
        return not any(w.start <= minute < w.end for w in windows)

    def _fill_lines(self) -> None:
        products = {p.id: p for p in self.portfolio.products}
        orders = {o.id: o for o in self.portfolio.orders}
        for op in self.plan.operations:
            if op.line_id not in self._kw:
                continue
            step = products[orders[op.order_id].product_id].routing[op.step]
            per_minute = op.quantity / (op.end - op.start)
            for m in range(max(0, op.start), min(self.minutes, op.end)):
                if op.source is PowerSource.GRID and any(
                    w.start <= m < w.end for w in self.blackouts
                ):
                    continue  # an unannounced blackout stops what ran on the grid
                self._kw[op.line_id][m] += step.power_kw
                self._units[op.line_id][m] += per_minute

    def expected(self, minutes: int | None = None) -> dict[str, LineTotals]:
        """Units and kWh each line's meter adds up over the first ``minutes`` (default all)."""
        end = self.minutes if minutes is None else minutes
        return {ln: LineTotals(sum(self._units[ln][:end]), sum(self._kw[ln][:end]) / 60)
                for ln in self._lines}  # fmt: skip

    @property
    def readings(self) -> int:
        """Meter readings the whole simulation produces."""
        return self.minutes * len(self._lines)

    def step(self, outbox: Outbox) -> bool:
        """Put the minutes due by now into the outbox (all of them at ``speed=None``)."""
        done = int(outbox.get_state(self._key) or 0)
        if done >= self.minutes:
            return False
        now = time.monotonic()
        if self._started is None:
            self._started = now - done * 60 / (self.speed or 1.0)
        if self.speed is None:
            until = min(self.minutes, done + 60)
        else:
            until = min(self.minutes, int((now - self._started) * self.speed / 60) + 1)
            if until <= done:
                time.sleep(0.01)
                return True
        outbox.add(self._items(done, until), time.time(), state={self._key: str(until)})
        return until < self.minutes

    def _items(self, first: int, until: int) -> list[Item]:
        """Readings and states of minutes ``first .. until-1``."""
        kwh = {ln: sum(self._kw[ln][:first]) / 60 for ln in self._lines}
        count = {ln: sum(self._units[ln][:first]) for ln in self._lines}
        tank = self._tank(first)
        hours = {g: sum(1 for k in self._gen_kw[g][:first] if k > 0) / 60 for g in self._gens}
        origin = self.portfolio.horizon.origin
        items: list[Item] = []
        for m in range(first, until):
            ts = (origin + timedelta(minutes=m)).isoformat()
            for ln in self._lines:
                body = {"ts": ts, "kwh_total": round(kwh[ln], 6), "kw": self._kw[ln][m],
                        "count": round(count[ln], 6)}  # fmt: skip
                topic = data_topic(self.account, self.plant.id, ln, METER, self.root)
                items.append(Item(topic, orjson.dumps(body).decode(), f"{ln}/{METER}"))
                kwh[ln] += self._kw[ln][m] / 60
                count[ln] += self._units[ln][m]
            on = self.grid_on(m)
            if m % STATE_EVERY == 0 or on != self.grid_on(m - 1):
                body_g = {"ts": ts, "on": on, "voltage": VOLTAGE if on else 0.0}
                items.append(Item(plant_topic(self.account, self.plant.id, "grid", self.root),
                                  orjson.dumps(body_g).decode()))  # fmt: skip
            tank += self._refill[m]
            for g, gen in self._gens.items():
                kw = self._gen_kw[g][m]
                if m % STATE_EVERY == 0 or (kw > 0) != (m > 0 and self._gen_kw[g][m - 1] > 0):
                    body_s = {"ts": ts, "running": kw > 0, "kw": kw,
                              "tank_litres": round(max(tank, 0.0), 3),
                              "run_hours": round(hours[g], 4)}  # fmt: skip
                    leaf = f"generator/{g}"
                    items.append(Item(plant_topic(self.account, self.plant.id, leaf, self.root),
                                      orjson.dumps(body_s).decode()))  # fmt: skip
                if kw > 0:
                    tank -= gen.litres(kw, 1)
                    hours[g] += 1 / 60
        return items

    def _tank(self, first: int) -> float:
        stock = self.plant.tank.stock_l if self.plant.tank is not None else 0.0
        for m in range(first):
            stock += self._refill[m]
            for g, gen in self._gens.items():
                if self._gen_kw[g][m] > 0:
                    stock -= gen.litres(self._gen_kw[g][m], 1)
        return stock
