"""Aggregates of Monte Carlo samples: percentiles, orders at risk, plant resumptions.

Pure: sample results in, figures out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ingenio.domain import OrderStatus, Plan, Portfolio
from ingenio.scenarios.samples import SampleResult

__all__ = ["OrderRisk", "PlantResumption", "order_risks", "percentile", "plant_resumptions"]


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear interpolation between order statistics
    (numpy's default, Hyndman & Fan type 7); NaN for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


@dataclass(frozen=True)
class OrderRisk:
    """How often an order misses its due date over the samples."""

    order_id: str
    plant_id: str
    p_late: float
    p_unscheduled: float
    mean_late_hours: float
    """Mean lateness (hours) over the samples in which it is late."""
    planned: OrderStatus = OrderStatus.ON_TIME
    """Its status in the plan of the published schedule."""

    @property
    def p_missed(self) -> float:
        """Share of samples in which the order is late or unscheduled."""
        return self.p_late + self.p_unscheduled

    @property
    def certain(self) -> bool:
        """Missed in the published plan and in every sample: no uncertainty about it."""
        return self.planned is not OrderStatus.ON_TIME and self.p_missed >= 1.0


@dataclass(frozen=True)
class PlantResumption:
    """How often a plant stops and when it runs again, over the samples."""

    plant_id: str
    samples: int
    stopped: int
    resumed: tuple[int, ...]
    """Resumption minutes of the stopped samples that resume in the horizon, sorted."""

    @property
    def p_stopped(self) -> float:
        """Share of samples in which the plant stops."""
        return self.stopped / self.samples if self.samples else 0.0

    @property
    def never(self) -> int:
        """Samples in which it stops and does not resume within the horizon."""
        return self.stopped - len(self.resumed)

    def quantile(self, q: float) -> float | None:
        """Percentile ``q`` of the resumption minute (None when it never resumed)."""
        return percentile(self.resumed, q) if self.resumed else None


def order_risks(
    portfolio: Portfolio, samples: Sequence[SampleResult], base_plan: Plan | None = None
) -> tuple[OrderRisk, ...]:
    """Per order, the share of ``samples`` in which it is late / unscheduled (most at risk
    first, then by id), with its status in ``base_plan``."""
    planned = {o.order_id: o.status for o in base_plan.outcomes} if base_plan else {}
    late: dict[str, list[int]] = {o.id: [] for o in portfolio.orders}
    unscheduled = dict.fromkeys(late, 0)
    for s in samples:
        for oid, status, lateness in s.outcomes:
            if status is OrderStatus.LATE:
                late[oid].append(lateness)
            elif status is OrderStatus.UNSCHEDULED:
                unscheduled[oid] += 1
    n = max(1, len(samples))
    out = [
        OrderRisk(
            o.id,
            portfolio.product_plant(o.product_id).id,
            len(late[o.id]) / n,
            unscheduled[o.id] / n,
            float(np.mean(late[o.id])) / 60.0 if late[o.id] else 0.0,
            planned.get(o.id, OrderStatus.ON_TIME),
        )
        for o in portfolio.orders
    ]
    return tuple(sorted(out, key=lambda r: (-r.p_missed, -r.p_unscheduled, r.order_id)))


def plant_resumptions(
    portfolio: Portfolio, samples: Sequence[SampleResult]
) -> tuple[PlantResumption, ...]:
    """Per plant: samples in which it stops, and its sorted resumption minutes."""
    stopped = {p.id: 0 for p in portfolio.plants}
    resumed: dict[str, list[int]] = {p.id: [] for p in portfolio.plants}
    for s in samples:
        for pid, minute in s.resumptions:
            stopped[pid] += 1
            if minute is not None:
                resumed[pid].append(minute)
    return tuple(
        PlantResumption(pid, len(samples), stopped[pid], tuple(sorted(resumed[pid])))
        for pid in stopped
    )
