"""Key performance indicators of what really happened, per line, plant and enterprise.

Public face of the room; its modules are private to it:

* ``compute``: :func:`compute_kpis`, :class:`KpiReport` and its rows, :func:`period_of`;
* ``buckets``: reporting buckets, shift calendars and interval arithmetic;
* ``accumulate``: the per-bucket sums;
* ``orders``: order rows (done, late, adherence);
* ``energy``: kWh and litres from meter readings (:class:`MeterArrays`);
* ``tally``: OEE losses by cause (:class:`Tally`, :data:`LOSS_CAUSES`).
"""

from __future__ import annotations

from ingenio.operations.kpi.compute import (
    LOSS_CAUSES,
    Bucket,
    DowntimeRow,
    Granularity,
    KpiReport,
    KpiRow,
    MeterArrays,
    OrderRow,
    ProductRow,
    Tally,
    compute_kpis,
    period_of,
)

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
