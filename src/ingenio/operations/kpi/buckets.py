"""Time for the KPIs: reporting buckets, shift calendars and interval arithmetic.

Private helper of :mod:`ingenio.operations.kpi`. Inside the KPI code every moment
is a float of **seconds since the Unix epoch (UTC)**; a set of time intervals is a
pair of sorted arrays ``(starts, ends)`` of disjoint half-open intervals. All
operations are vectorised with numpy, so a year of minute-level data stays fast.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from ingenio.domain import ALWAYS, Horizon, Line, Portfolio, expand_shifts

FloatArray = npt.NDArray[np.float64]
Intervals = tuple[FloatArray, FloatArray]
"""Sorted, disjoint half-open intervals ``[starts[i], ends[i])`` in epoch seconds."""
Granularity = Literal["day", "week", "month"]
GRANULARITIES: tuple[Granularity, ...] = ("day", "week", "month")
HOUR_S = 3600.0


@dataclass(frozen=True)
class Bucket:
    """One reporting period: ``[start, end)`` as aware datetimes, with a label.

    ``label`` is ``2026-04-06`` for a day, ``2026-W15`` for an ISO week and
    ``2026-04`` for a month (local dates of the portfolio's zone).
    """

    label: str
    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        """Length in hours."""
        return (self.end - self.start).total_seconds() / HOUR_S


def seconds(moment: datetime) -> float:
    """Epoch seconds of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment.isoformat()} has no time zone")
    return moment.timestamp()


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def _next_start(day: date, by: Granularity) -> date:
    if by == "day":
        return day + timedelta(days=1)
    if by == "week":
        return day + timedelta(days=7 - day.weekday())
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _label(day: date, by: Granularity) -> str:
    if by == "day":
        return day.isoformat()
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day:%Y-%m}"


def make_buckets(start: datetime, end: datetime, by: Granularity, zone: ZoneInfo) -> list[Bucket]:
    """Cut ``[start, end)`` at local day, ISO-week (Monday) or month boundaries.

    The first and last bucket are clipped to the period, so a period that starts
    on a Wednesday has a short first week.
    """
    if by not in GRANULARITIES:
        raise ValueError(f"unknown granularity {by!r} (choose from {', '.join(GRANULARITIES)})")
    for moment in (start, end):
        seconds(moment)  # refuses a naive datetime by name, before comparing it
    if end <= start:
        raise ValueError("the period must end after it starts")
    out: list[Bucket] = []
    day = start.astimezone(zone).date()
    moment = start
    while moment < end:
        nxt = _next_start(day, by)
        stop = min(end, _local_midnight(nxt, zone))
        out.append(Bucket(_label(day, by), moment.astimezone(UTC), stop.astimezone(UTC)))
        moment, day = stop, nxt
    return out


def edges_of(buckets: list[Bucket]) -> FloatArray:
    """Bucket boundaries in epoch seconds (``len(buckets) + 1`` values)."""
    return np.array([seconds(b.start) for b in buckets] + [seconds(buckets[-1].end)])


def empty() -> Intervals:
    """The empty set of intervals."""
    return np.zeros(0), np.zeros(0)


def union(pairs: Iterable[tuple[float, float]]) -> Intervals:
    """Merge possibly overlapping ``(start, end)`` pairs into sorted disjoint intervals."""
    arr = np.array([p for p in pairs if p[1] > p[0]], dtype=np.float64).reshape(-1, 2)
    if not len(arr):
        return empty()
    arr = arr[np.argsort(arr[:, 0], kind="stable")]
    s, e = arr[:, 0], np.maximum.accumulate(arr[:, 1])
    new = np.ones(len(s), dtype=np.bool_)
    new[1:] = s[1:] > e[:-1]
    first = np.flatnonzero(new)
    last = np.append(first[1:] - 1, len(s) - 1)
    return s[first].copy(), e[last].copy()


def _inside(iv: Intervals, points: FloatArray) -> npt.NDArray[np.bool_]:
    """True where a point lies in one of the (disjoint, sorted) intervals."""
    starts, ends = iv
    return np.searchsorted(starts, points, "right") > np.searchsorted(ends, points, "right")


def combine(a: Intervals, b: Intervals, keep_b: bool) -> Intervals:
    """``a ∩ b`` when ``keep_b`` is true, else ``a \\ b``."""
    if not len(a[0]):
        return empty()
    if not len(b[0]):
        return empty() if keep_b else a
    cuts = np.unique(np.concatenate([a[0], a[1], b[0], b[1]]))
    lo, hi = cuts[:-1], cuts[1:]
    mid = (lo + hi) / 2
    keep = _inside(a, mid) & (_inside(b, mid) == keep_b)
    if not keep.any():
        return empty()
    lo, hi = lo[keep], hi[keep]
    new = np.ones(len(lo), dtype=np.bool_)
    new[1:] = lo[1:] > hi[:-1]
    first = np.flatnonzero(new)
    last = np.append(first[1:] - 1, len(lo) - 1)
    return lo[first].copy(), hi[last].copy()


def covered_before(iv: Intervals, points: FloatArray) -> FloatArray:
    """Seconds of ``iv`` that lie before each point (a non-decreasing function)."""
    starts, ends = iv
    if not len(starts):
        return np.zeros(len(points))
    run = np.concatenate([[0.0], np.cumsum(ends - starts)])
    k = np.searchsorted(starts, points, "right")
    over = np.where(k > 0, np.maximum(0.0, ends[np.maximum(k - 1, 0)] - points), 0.0)
    out: FloatArray = run[k] - over
    return out


def per_bucket(iv: Intervals, edges: FloatArray) -> FloatArray:
    """Hours of ``iv`` inside each bucket ``[edges[i], edges[i + 1])``."""
    return np.diff(covered_before(iv, edges)) / HOUR_S


def spread(
    starts: FloatArray, ends: FloatArray, amounts: FloatArray, edges: FloatArray
) -> FloatArray:
    """Spread each amount evenly over its interval and sum what falls in each bucket."""
    out = np.zeros(len(edges) - 1)
    if not len(starts):
        return out
    lo = np.clip(np.searchsorted(edges, starts, "right") - 1, 0, len(out) - 1)
    hi = np.clip(np.searchsorted(edges, ends, "left") - 1, 0, len(out) - 1)
    length = np.maximum(ends - starts, 1e-9)
    same = lo == hi
    inside = same & (ends > edges[0]) & (starts < edges[-1])
    frac = (np.minimum(ends, edges[hi + 1]) - np.maximum(starts, edges[lo])) / length
    np.add.at(out, lo[inside], amounts[inside] * np.clip(frac[inside], 0.0, 1.0))
    for i in np.flatnonzero(~same).tolist():  # intervals across a boundary: few
        for k in range(int(lo[i]), int(hi[i]) + 1):
            part = min(ends[i], edges[k + 1]) - max(starts[i], edges[k])
            if part > 0:
                out[k] += amounts[i] * part / length[i]
    return out


def line_shifts(portfolio: Portfolio, line: Line, start: datetime, end: datetime) -> Intervals:
    """Shift time of a line during ``[start, end)``.

    The weekly pattern (``Line.pattern``) is expanded over the period, so a KPI
    period may reach past the planning horizon. A line built without a pattern
    keeps its shift windows inside the horizon and is taken as working round the
    clock outside it when those windows fill the whole horizon (the file format's
    "no shifts: runs 24/7"), else as not working outside it.
    """
    h = portfolio.horizon
    zone = h.zone
    first = start.astimezone(zone).date() - timedelta(days=1)
    days = (end.astimezone(zone).date() - first).days + 2
    pattern = line.pattern
    if not pattern and tuple((w.start, w.end) for w in line.shifts) == ((0, h.minutes),):
        pattern = (ALWAYS,)
    if pattern:
        horizon = Horizon(_local_midnight(first, zone), days, h.slot_minutes, h.timezone)
        origin = seconds(horizon.origin)
        windows = expand_shifts(pattern, horizon)
    else:
        origin = seconds(h.origin)
        windows = line.shifts
    pairs = [(origin + w.start * 60.0, origin + w.end * 60.0) for w in windows]
    return combine(union(pairs), union([(seconds(start), seconds(end))]), keep_b=True)
