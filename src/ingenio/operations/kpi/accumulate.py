"""The accumulator behind :func:`ingenio.operations.kpi.compute_kpis`.

Private helper of :mod:`ingenio.operations.kpi` (the formulas are in its notes):
per line, one row per :class:`~ingenio.operations.kpi.tally.Tally` field and one
column per bucket; plants and enterprises are sums of these arrays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime

import numpy as np

from ingenio.domain import Plan, Plant, Portfolio
from ingenio.operations.actuals import DowntimeCause, DowntimeEvent, FuelDraw, ProductionRecord
from ingenio.operations.kpi.buckets import (
    Bucket,
    FloatArray,
    combine,
    edges_of,
    line_shifts,
    per_bucket,
    seconds,
    spread,
    union,
)
from ingenio.operations.kpi.energy import EnergyCurve
from ingenio.operations.kpi.orders import OrderRow, is_finished
from ingenio.operations.kpi.tally import LOSS_CAUSES, Tally

CAUSE_OF: dict[DowntimeCause, str] = {
    DowntimeCause.GRID_OUTAGE: "grid",
    DowntimeCause.GENERATOR_FAILURE: "generator",
    DowntimeCause.NO_FUEL: "fuel",
    DowntimeCause.BREAKDOWN: "breakdown",
    DowntimeCause.NO_MATERIAL: "material",
    DowntimeCause.NO_LABOUR: "labour",
}
"""Loss category of each unplanned downtime cause."""

IX = {f.name: i for i, f in enumerate(fields(Tally))}
N = len(IX)


def _rate(portfolio: Portfolio, product_id: str, line_id: str) -> float | None:
    """Units per hour of the first step of the product that runs on the line."""
    if not portfolio.has("product", product_id):
        return None
    for step in portfolio.product(product_id).routing:
        if line_id in step.lines:
            return step.rate_per_hour
    return None


class Accumulator:
    """Per line (and per plant/product) arrays of the tally fields over the buckets."""

    def __init__(self, portfolio: Portfolio, plants: list[Plant], buckets: list[Bucket]) -> None:
        self.p = portfolio
        self.plants = plants
        self.edges = edges_of(buckets)
        self.n = len(buckets)
        self.line: dict[str, FloatArray] = {
            ln.id: np.zeros((N, self.n)) for pl in plants for ln in pl.lines
        }
        self.plant_extra = {pl.id: np.zeros((N, self.n)) for pl in plants}
        self.plant_litres = {pl.id: np.zeros(self.n) for pl in plants}
        self.product: dict[tuple[str, str], FloatArray] = defaultdict(lambda: np.zeros((4, self.n)))
        self.notes: list[str] = []

    def add(self, line_id: str, name: str, values: FloatArray) -> None:
        """Add per-bucket ``values`` to field ``name`` of a line."""
        self.line[line_id][IX[name]] += values

    def downtime(self, start: datetime, end: datetime, events: Sequence[DowntimeEvent]) -> None:
        """Shift time, planned stops and losses by cause (each minute charged once)."""
        by_line: dict[str, list[DowntimeEvent]] = defaultdict(list)
        for e in events:
            by_line[e.line_id].append(e)
        for plant in self.plants:
            for line in plant.lines:
                shifts = line_shifts(self.p, line, start, end)
                mine = by_line.get(line.id, [])
                stops = union((seconds(e.start), seconds(e.end)) for e in mine
                              if e.cause is DowntimeCause.PLANNED_STOP)  # fmt: skip
                self.add(line.id, "shift_h", per_bucket(shifts, self.edges))
                self.add(line.id, "stop_h", per_bucket(combine(shifts, stops, True), self.edges))
                left = combine(shifts, stops, False)
                for cause in LOSS_CAUSES:
                    hit = union((seconds(e.start), seconds(e.end)) for e in mine
                                if CAUSE_OF.get(e.cause) == cause)  # fmt: skip
                    lost = per_bucket(combine(left, hit, True), self.edges)
                    self.add(line.id, f"{cause}_h", lost)
                    left = combine(left, hit, False)

    def production(
        self, records: Sequence[ProductionRecord], curves: dict[str, EnergyCurve]
    ) -> None:
        """Ideal hours, units, value per line; finished units, kWh per plant product."""
        by_line: dict[str, list[ProductionRecord]] = defaultdict(list)
        for r in records:
            if r.line_id in self.line:
                by_line[r.line_id].append(r)
        for line_id, mine in by_line.items():
            plant_id = self.p.line(line_id).plant_id
            s = np.array([seconds(r.start) for r in mine])
            e = np.array([seconds(r.end) for r in mine])
            good = np.array([r.good_qty for r in mine])
            scrap = np.array([r.scrap_qty for r in mine])
            rates = [_rate(self.p, r.product_id, line_id) for r in mine]
            for r, known in zip(mine, rates, strict=True):
                if known is None:
                    self.notes.append(f"line {line_id}: product {r.product_id} has no rate here")
            rate = np.array([np.inf if x is None else x for x in rates])
            fin = np.array([is_finished(self.p, r.product_id, line_id) for r in mine])
            vpu = np.array([self.p.order(r.order_id).value_per_unit
                            if r.order_id and self.p.has("order", r.order_id) else 0.0
                            for r in mine])  # fmt: skip
            kwh = curves[line_id].between(s, e) if line_id in curves else np.zeros(len(mine))
            for name, amount in (("ideal_h", (good + scrap) / rate), ("good_ideal_h", good / rate),
                                 ("good", good), ("scrap", scrap),
                                 ("value", np.where(fin, good * vpu, 0.0))):  # fmt: skip
                self.add(line_id, name, spread(s, e, amount, self.edges))
            for product in sorted({r.product_id for r in mine}):
                sel = np.array([r.product_id == product for r in mine])
                acc = self.product[(plant_id, product)]
                acc[0] += spread(s[sel], e[sel], np.where(fin, good, 0.0)[sel], self.edges)
                acc[1] += spread(s[sel], e[sel], kwh[sel], self.edges)
                acc[3] += spread(s[sel], e[sel], (good + scrap)[sel] / rate[sel], self.edges)

    def energy(self, curves: dict[str, EnergyCurve], draws: Sequence[FuelDraw]) -> None:
        """Metered kWh per line and bucket; generator litres per plant and bucket."""
        for line_id, curve in curves.items():
            if line_id in self.line:
                self.add(line_id, "kwh", np.diff(curve.at_times(self.edges)))
        for d in draws:
            if not self.p.has("generator", d.generator_id):
                self.notes.append(f"fuel draw of unknown generator {d.generator_id}")
                continue
            plant_id = self.p.generator(d.generator_id).plant_id
            k = int(np.searchsorted(self.edges, seconds(d.at), "right")) - 1
            if plant_id in self.plant_litres and 0 <= k < self.n:
                self.plant_litres[plant_id][k] += d.litres

    def plan(self, plan: Plan) -> None:
        """Planned quantity, kWh and value of the plan's operations."""
        origin = seconds(self.p.horizon.origin)
        for op in plan.operations:
            if op.line_id not in self.line or not self.p.has("order", op.order_id):
                continue
            order = self.p.order(op.order_id)
            routing = self.p.product(order.product_id).routing
            step = routing[op.step]
            s, e = np.array([origin + op.start * 60.0]), np.array([origin + op.end * 60.0])
            hours = (op.end - op.start) / 60.0
            self.add(op.line_id, "planned_qty", spread(s, e, np.array([op.quantity]), self.edges))
            self.add(op.line_id, "planned_kwh",
                     spread(s, e, np.array([step.power_kw * hours]), self.edges))  # fmt: skip
            if op.step == len(routing) - 1:
                amount = np.array([op.quantity * order.value_per_unit])
                self.add(op.line_id, "planned_value", spread(s, e, amount, self.edges))

    def orders(self, rows: list[OrderRow]) -> None:
        """Orders due and on time, per plant and bucket of the due date."""
        for row in rows:
            k = int(np.searchsorted(self.edges, seconds(row.due), "right")) - 1
            if 0 <= k < self.n and row.plant_id in self.plant_extra:
                self.plant_extra[row.plant_id][IX["orders_due"], k] += 1
                self.plant_extra[row.plant_id][IX["orders_on_time"], k] += row.status == "on_time"

    def share_litres(self) -> None:
        """Give each plant's litres to its lines and products (see the module notes)."""
        for plant in self.plants:
            litres = self.plant_litres[plant.id]
            lines = [self.line[ln.id] for ln in plant.lines]
            for weight in ("kwh", "run", "shift_h"):
                w = [run_hours(a) if weight == "run" else a[IX[weight]] for a in lines]
                total = np.sum(w, axis=0)
                todo = litres * (total > 0)
                for a, wi in zip(lines, w, strict=True):
                    a[IX["litres"]] += np.divide(todo * wi, total, out=np.zeros(self.n),
                                                  where=total > 0)  # fmt: skip
                litres = litres * (total <= 0)
            self.plant_extra[plant.id][IX["litres"]] += litres  # no shift at all: plant only
            prods = [v for (pid, _), v in self.product.items() if pid == plant.id]
            litres = self.plant_litres[plant.id]
            for row in (1, 3):
                total = np.sum([v[row] for v in prods], axis=0) if prods else np.zeros(self.n)
                for v in prods:
                    v[2] += np.divide(litres * v[row], total, out=np.zeros(self.n),
                                      where=total > 0)  # fmt: skip
                litres = litres * (total <= 0)


def run_hours(a: FloatArray) -> FloatArray:
    """Run hours per bucket of a line's array: shift - planned stops - losses."""
    losses = sum(a[IX[f"{c}_h"]] for c in LOSS_CAUSES)
    out: FloatArray = a[IX["shift_h"]] - a[IX["stop_h"]] - losses
    return out
