"""Key performance indicators of what really happened, per line, plant and enterprise.

Pure: takes the portfolio, the actuals and optionally a plan, returns numbers.

OEE (per line and reporting bucket, all in hours)
-------------------------------------------------
* ``shift`` — the line's shift time in the bucket (weekly pattern of the line);
* ``planned`` = ``shift`` − planned stops: the *planned production time*;
* ``loss[c]`` — unplanned downtime of cause ``c`` inside the planned time, for
  ``c`` in :data:`LOSS_CAUSES` (grid, generator, fuel, breakdown, material,
  labour). Where stops of several causes overlap, each minute is charged once,
  to the first cause in that order (the grid outage explains a breakdown
  logged during it);
* ``run`` = ``planned`` − Σ ``loss``;
* ``ideal`` = Σ (good + scrap) / rate and ``good_ideal`` = Σ good / rate over the
  production records, ``rate`` being the ``rate_per_hour`` of the routing step
  of the record's product that runs on the record's line (the first such step);
* **availability** ``A = run / planned``, **performance** ``P = ideal / run``,
  **quality** ``Q = good_ideal / ideal`` (= good / total for one product),
  **OEE** ``= A · P · Q = good_ideal / planned``.

A record or a stop that straddles a bucket boundary is shared in proportion to
its time on each side; downtime outside the shifts is no loss.

Aggregation (plant, enterprise, whole period)
---------------------------------------------
Hours and counts are *summed* (over lines for a plant, plants for an
enterprise, buckets for the period) and the ratios are taken of the sums:
``A = Σ run / Σ planned``, ``P = Σ ideal / Σ run``, ``Q = Σ good_ideal / Σ ideal``,
``OEE = Σ good_ideal / Σ planned``. So the plant OEE is the mean of the line
OEEs weighted by planned production time, ``Σ_l (planned_l / Σ planned) OEE_l``,
never a plain mean of ratios, and ``A · P · Q = OEE`` holds at every level.
The loss share of a cause is ``loss[c] / planned``, so ``A = 1 − Σ shares``.

Energy and fuel
---------------
kWh come from the lines' cumulative meter registers (see
:mod:`ingenio.operations.kpi.energy`: deltas, a fall is a reset). Litres are
the plant's generator fuel draws in the bucket; they are shared among the
plant's lines by metered kWh (by run hours when nothing is metered) and among
its products by the kWh metered during each product's production records (by
ideal hours when nothing is metered). Product kWh are the energy metered during
its records on every line of its routing; both per-unit figures divide by the
product's *finished* good units (records on lines of the routing's last step).
Line kWh/unit divides all the line's metered kWh (idle included) by its good units.

Plan adherence, planned energy and value
----------------------------------------
Planned quantity, kWh (``power_kw`` × hours of each operation) and value
(last-step quantity × ``value_per_unit``) come from the plan's operations,
prorated by their time inside each bucket. Value delivered is finished good
quantity × ``value_per_unit`` of the record's order (records without an order
deliver no value). Order completion and on-time share: see
:mod:`ingenio.operations.kpi.orders`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from ingenio.domain import Plan, Portfolio
from ingenio.operations.actuals import (
    DowntimeEvent,
    FuelDraw,
    MeterReading,
    ProductionRecord,
)
from ingenio.operations.kpi.accumulate import Accumulator, N
from ingenio.operations.kpi.buckets import (
    Bucket,
    FloatArray,
    Granularity,
    make_buckets,
)
from ingenio.operations.kpi.energy import MeterArrays, energy_curves
from ingenio.operations.kpi.orders import (
    DowntimeRow,
    OrderRow,
    order_rows,
    worst_downtime,
)
from ingenio.operations.kpi.tally import LOSS_CAUSES, Tally

__all__ = [
    "LOSS_CAUSES",
    "Bucket",
    "DowntimeRow",
    "Granularity",
    "KpiReport",
    "KpiRow",
    "MeterArrays",
    "OrderRow",
    "ProductRow",
    "Tally",
    "compute_kpis",
    "period_of",
]


@dataclass(frozen=True)
class KpiRow:
    """The tally of one line, plant or enterprise over one bucket (``bucket`` None: the period)."""

    level: str
    key: str
    name: str
    bucket: Bucket | None
    tally: Tally


@dataclass(frozen=True)
class ProductRow:
    """Energy and fuel per finished unit of one product at one plant over the period."""

    plant_id: str
    product_id: str
    name: str
    good: float
    kwh: float
    litres: float

    @property
    def kwh_per_unit(self) -> float | None:
        """kWh per finished good unit."""
        return self.kwh / self.good if self.good > 0 and self.kwh > 0 else None

    @property
    def litres_per_unit(self) -> float | None:
        """Litres per finished good unit."""
        return self.litres / self.good if self.good > 0 else None


@dataclass(frozen=True)
class KpiReport:
    """Everything :func:`compute_kpis` found, ready for tables and charts."""

    start: datetime
    end: datetime
    by: Granularity
    buckets: tuple[Bucket, ...]
    rows: tuple[KpiRow, ...]
    """Per line, plant and enterprise: one row per bucket, then one for the period."""
    products: tuple[ProductRow, ...]
    orders: tuple[OrderRow, ...]
    downtime: tuple[DowntimeRow, ...]
    """The ten stops with the most hours in the period."""
    notes: tuple[str, ...] = ()
    """Data the KPIs could not use (unknown lines, products without a rate)."""

    def level(self, level: str, period: bool = False) -> list[KpiRow]:
        """Rows of ``line``, ``plant`` or ``enterprise``: per bucket, or the period totals."""
        return [r for r in self.rows if r.level == level and (r.bucket is None) == period]

    def total(self, level: str, key: str) -> Tally:
        """The period tally of one line, plant or enterprise."""
        for r in self.rows:
            if r.level == level and r.key == key and r.bucket is None:
                return r.tally
        raise KeyError(f"no {level} {key!r} in the report")

    @property
    def on_time_share(self) -> float | None:
        """Share of the orders due in the period that were complete by their due date."""
        due = [o for o in self.orders if self.start <= o.due < self.end]
        return sum(o.status == "on_time" for o in due) / len(due) if due else None


def compute_kpis(
    portfolio: Portfolio,
    start: datetime,
    end: datetime,
    by: Granularity = "day",
    *,
    production: Sequence[ProductionRecord] = (),
    downtime: Sequence[DowntimeEvent] = (),
    meters: MeterArrays | Sequence[MeterReading] = (),
    fuel_draws: Sequence[FuelDraw] = (),
    plan: Plan | None = None,
    plant_id: str | None = None,
    enterprise_id: str | None = None,
) -> KpiReport:
    """OEE and its losses, energy and fuel per unit, adherence and value (module notes).

    Parameters
    ----------
    portfolio
        Lines, shift patterns, routings (rates), orders (values), plants and enterprises.
    start, end
        The period ``[start, end)``, aware datetimes.
    by
        Buckets: local ``day``, ISO ``week`` (from Monday) or calendar ``month``.
    production, downtime, fuel_draws
        Actuals; records of lines outside the scope are ignored.
    meters
        Meter readings, as objects or as :class:`MeterArrays` columns (for volume).
    plan
        The plan made for ``portfolio`` to compare with (adherence, planned kWh, value).
    plant_id, enterprise_id
        Restrict the scope to one plant or one enterprise.

    Returns
    -------
    KpiReport
        Rows per line, plant and enterprise, per bucket and for the period.
    """
    if plant_id is not None and not portfolio.has("plant", plant_id):
        raise KeyError(f"unknown plant {plant_id!r}")
    if enterprise_id is not None and not portfolio.has("enterprise", enterprise_id):
        raise KeyError(f"unknown enterprise {enterprise_id!r}")
    plants = [p for p in portfolio.plants
              if plant_id in (None, p.id) and enterprise_id in (None, p.enterprise_id)]  # fmt: skip
    buckets = make_buckets(start, end, by, portfolio.horizon.zone)
    acc = Accumulator(portfolio, plants, buckets)
    curves = energy_curves(meters)
    acc.downtime(start, end, downtime)
    acc.production(production, curves)
    acc.energy(curves, fuel_draws)
    if plan is not None:
        acc.plan(plan)
    orders = order_rows(portfolio, {p.id for p in plants}, production, plan, start, end)
    acc.orders(orders)
    acc.share_litres()
    rows: list[KpiRow] = []
    by_enterprise: dict[str, FloatArray] = {}
    for plant in plants:
        total = acc.plant_extra[plant.id] + sum((acc.line[ln.id] for ln in plant.lines),
                                                np.zeros((N, acc.n)))  # fmt: skip
        for line in plant.lines:
            rows += _rows("line", line.id, line.name, buckets, acc.line[line.id])
        rows += _rows("plant", plant.id, plant.name, buckets, total)
        key = plant.enterprise_id
        by_enterprise[key] = by_enterprise.get(key, np.zeros((N, acc.n))) + total
    for e in portfolio.enterprises:
        if e.id in by_enterprise:
            rows += _rows("enterprise", e.id, e.name, buckets, by_enterprise[e.id])
    products = [
        ProductRow(pid, prod, portfolio.product(prod).name if portfolio.has("product", prod)
                   else prod, float(v[0].sum()), float(v[1].sum()), float(v[2].sum()))
        for (pid, prod), v in sorted(acc.product.items())
    ]  # fmt: skip
    line_ids = {ln.id for p in plants for ln in p.lines}
    worst = worst_downtime(portfolio, line_ids, downtime, start, end)
    return KpiReport(start, end, by, tuple(buckets), tuple(rows), tuple(products),
                     tuple(orders), tuple(worst), tuple(dict.fromkeys(acc.notes)))  # fmt: skip


def _rows(level: str, key: str, name: str, buckets: list[Bucket], a: FloatArray) -> list[KpiRow]:
    out = [KpiRow(level, key, name, b, Tally(*a[:, k].tolist())) for k, b in enumerate(buckets)]
    out.append(KpiRow(level, key, name, None, Tally(*a.sum(axis=1).tolist())))
    return out


def period_of(month: str, zone_name: str) -> tuple[datetime, datetime]:
    """``[start, end)`` of a ``YYYY-MM`` month in a time zone."""
    year, mon = (int(x) for x in month.split("-"))
    zone = ZoneInfo(zone_name)
    first = datetime(year, mon, 1, tzinfo=zone)
    nxt = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=zone)
    return first, nxt
