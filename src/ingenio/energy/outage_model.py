"""A stochastic outage model: how likely each block is off, hour by hour of the week.

Pure: it takes domain objects and returns domain objects.

Learning (:func:`learn_outage_model`)
-------------------------------------
Time is cut into the hours of the horizon's grid (``[60 i, 60 i + 60)`` minutes
from the origin, ``i`` may be negative), and each hour is labelled with its
**hour of the week** ``h = 24 * weekday + hour`` of its first minute in the
portfolio's local time (Monday 00:00 is ``h = 0``, Sunday 23:00 is ``h = 167``).

Two sources are counted per block and hour of the week:

* the **history** (windows that really happened, minutes from the origin),
  counted only **before the origin** (minute < 0) over the observed span: by
  default from the local midnight before the earliest history window of any
  block to the local midnight after the latest, cut at the origin (a block
  without a window in that span was on all the time);
* the **published schedule** (the portfolio's block outages), counted over
  the horizon ``[0, horizon.minutes)``; a window of probability ``p`` counts
  as ``p`` times its length.

With ``k`` the hours off (fractional) and ``n`` the hours observed at that hour
of the week, the probability of being off is additively (Laplace) smoothed
toward the block's pooled rate ``q = K / N`` (all hours of the block)::

    off[h] = (k[h] + alpha * q) / (n[h] + alpha)

so a rarely seen hour gets the block's mean rather than 0 or 1
(``alpha`` = ``smoothing``, default 1 pseudo-hour).

**Unplanned outages.** From the history alone, the rate at which an outage
*starts* in an hour of the week is smoothed the same way,
``hs[h] = (s[h] + alpha * r) / (m[h] + alpha)`` with ``s`` the starts, ``m``
the history hours observed and ``r = S / M`` the block's pooled start rate.
The schedule explains part of it: ``ps[h]`` is the expected number of
published window starts per horizon hour at ``h``. The **unplanned start
probability** is what the history shows beyond the schedule::

    unplanned[h] = clip(hs[h] - ps[h], 0, 1)

A block with no history gets no unplanned outages: without data the model
invents none. Durations of unplanned outages are pooled over all blocks'
history windows: ``mean_minutes`` and ``sd_minutes`` (population standard
deviation).

Sampling (:func:`sample_portfolio`)
-----------------------------------
Per block, in this order (so a seeded ``random.Random`` gives the same scenario):

1. every window of probability 1 is kept;
2. every window of probability ``p < 1``, in time order, is kept when
   ``rng.random() < p``;
3. for every hour of the horizon, in time order, where the grid is still on at
   the hour's start, an unplanned outage starts at that minute when
   ``rng.random() < unplanned[h]``; its length is drawn from a gamma
   distribution with the learned mean and standard deviation (the mean itself
   when the deviation is 0), rounded to the horizon's slot, at least one slot;
4. the kept and drawn windows are merged (overlapping or touching windows
   become one) and all get probability 1.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache

from ingenio.domain import (
    MINUTES_PER_HOUR,
    Block,
    DomainError,
    FuelDelivery,
    Horizon,
    Issue,
    OutageWindow,
    Portfolio,
    Window,
    merge_windows,
)

HOURS_PER_WEEK = 7 * 24
_EMPTY: Mapping[str, Sequence[Window]] = {}


@dataclass(frozen=True)
class OutageModel:
    """Per block, outage probabilities for each of the 168 hours of the week.

    Attributes
    ----------
    off
        Block id -> 168 probabilities that the block's grid is off in that hour
        of the week (history and schedule, smoothed).
    unplanned
        Block id -> 168 probabilities that an unplanned outage starts in that
        hour of the week (history beyond the schedule, smoothed).
    mean_minutes
        Mean length of an unplanned outage (history windows), 0 without history.
    sd_minutes
        Standard deviation of that length (dispersion), 0 without history.
    history_hours
        Hours of history observed (before the origin), the same for every block.
    smoothing
        The pseudo-count ``alpha`` used.
    """

    off: Mapping[str, tuple[float, ...]]
    unplanned: Mapping[str, tuple[float, ...]]
    mean_minutes: float = 0.0
    sd_minutes: float = 0.0
    history_hours: int = 0
    smoothing: float = 1.0

    def off_probability(self, block_id: str, hour_of_week: int) -> float:
        """Probability that ``block_id`` is off in ``hour_of_week`` (0 = Monday 00:00)."""
        return self.off[block_id][hour_of_week % HOURS_PER_WEEK]

    def unplanned_probability(self, block_id: str, hour_of_week: int) -> float:
        """Probability that an unplanned outage of ``block_id`` starts in ``hour_of_week``."""
        return self.unplanned[block_id][hour_of_week % HOURS_PER_WEEK]


def hour_of_week(horizon: Horizon, minute: int) -> int:
    """Local hour of the week (Monday 00:00 = 0 .. Sunday 23:00 = 167) of ``minute``.

    Parameters
    ----------
    horizon
        Gives the origin and the time zone.
    minute
        Minutes from the origin (may be negative).

    Returns
    -------
    int
        ``24 * weekday + hour`` of the local wall-clock time.
    """
    local = horizon.to_datetime(minute)
    return local.weekday() * 24 + local.hour


@lru_cache(maxsize=64)
def _hours_of_week(horizon: Horizon, first_hour: int, count: int) -> tuple[int, ...]:
    """Hour of the week of each grid hour ``first_hour .. first_hour + count - 1``."""
    return tuple(hour_of_week(horizon, (first_hour + i) * MINUTES_PER_HOUR) for i in range(count))


def _overlap(windows: Sequence[Window], start: int, end: int) -> int:
    """Minutes of ``[start, end)`` covered by the merged, sorted ``windows``."""
    return sum(max(0, min(w.end, end) - max(w.start, start)) for w in windows)


def _default_span(horizon: Horizon, history: Mapping[str, Sequence[Window]]) -> Window | None:
    """Whole local days around every history window (before hour alignment)."""
    windows = [w for ws in history.values() for w in ws]
    if not windows:
        return None
    zone = horizon.zone
    first = horizon.to_datetime(min(w.start for w in windows)).date()
    last = horizon.to_datetime(max(w.end for w in windows) - 1).date() + timedelta(days=1)
    start = horizon.to_minute(datetime.combine(first, time(), tzinfo=zone))
    end = horizon.to_minute(datetime.combine(last, time(), tzinfo=zone))
    return Window(start, end)


def _hour_span(span: Window | None) -> tuple[int, int]:
    """First grid hour and number of whole grid hours of ``span`` before the origin."""
    if span is None:
        return 0, 0
    first = math.ceil(span.start / MINUTES_PER_HOUR)
    last = math.floor(min(span.end, 0) / MINUTES_PER_HOUR)
    return first, max(0, last - first)


def _smooth(hits: Sequence[float], seen: Sequence[float], alpha: float) -> tuple[float, ...]:
    """``(hits + alpha * pooled) / (seen + alpha)`` per hour, clipped to [0, 1]."""
    total_seen = sum(seen)
    pooled = sum(hits) / total_seen if total_seen > 0 else 0.0
    out = []
    for k, n in zip(hits, seen, strict=True):
        p = (k + alpha * pooled) / (n + alpha) if n + alpha > 0 else pooled
        out.append(min(1.0, max(0.0, p)))
    return tuple(out)


def _check_history(
    portfolio: Portfolio, history: Mapping[str, Sequence[Window]]
) -> dict[str, tuple[Window, ...]]:
    issues = [
        Issue(f"history.{key}", "unknown block", key)
        for key in history
        if not portfolio.has("block", key)
    ]
    if issues:
        raise DomainError(issues, "outage history")
    return {key: merge_windows(ws) for key, ws in history.items()}


def learn_outage_model(
    portfolio: Portfolio,
    history: Mapping[str, Sequence[Window]] = _EMPTY,
    *,
    smoothing: float = 1.0,
    span: Window | None = None,
) -> OutageModel:
    """Learn per block and hour of the week the probability of being off.

    Parameters
    ----------
    portfolio
        Gives the blocks, their published outage windows and the time zone.
    history
        Block id -> windows that really happened (minutes from the origin; only
        the part before minute 0 counts). Blocks missing here have no history.
    smoothing
        Pseudo-count ``alpha`` > 0 of the additive smoothing (module docstring).
    span
        The history period observed; default: whole local days around every
        history window. Cut at the origin.

    Returns
    -------
    OutageModel
        Probabilities for every block of the portfolio.

    Raises
    ------
    DomainError
        If ``history`` names a block the portfolio does not have.
    ValueError
        If ``smoothing`` is not positive.
    """
    if smoothing <= 0:
        raise ValueError(f"smoothing must be positive, got {smoothing}")
    past = _check_history(portfolio, history)
    horizon = portfolio.horizon
    h_first, h_count = _hour_span(_default_span(horizon, past) if span is None else span)
    h_lo, h_hi = h_first * MINUTES_PER_HOUR, (h_first + h_count) * MINUTES_PER_HOUR
    hist_how = _hours_of_week(horizon, h_first, h_count)
    plan_how = _hours_of_week(horizon, 0, horizon.minutes // MINUTES_PER_HOUR)

    durations: list[int] = []
    off: dict[str, tuple[float, ...]] = {}
    unplanned: dict[str, tuple[float, ...]] = {}
    for block in portfolio.blocks:
        k = [0.0] * HOURS_PER_WEEK
        n = [0.0] * HOURS_PER_WEEK
        starts = [0.0] * HOURS_PER_WEEK
        seen = [0.0] * HOURS_PER_WEEK
        windows = past.get(block.id, ())
        for i, h in enumerate(hist_how):
            lo = (h_first + i) * MINUTES_PER_HOUR
            k[h] += _overlap(windows, lo, lo + MINUTES_PER_HOUR) / MINUTES_PER_HOUR
            n[h] += 1.0
            seen[h] += 1.0
        for w in windows:
            if h_lo <= w.start < h_hi:
                starts[hist_how[w.start // MINUTES_PER_HOUR - h_first]] += 1.0
                durations.append(w.minutes)
        published = [0.0] * HOURS_PER_WEEK
        plan_seen = [0] * HOURS_PER_WEEK
        for i, h in enumerate(plan_how):
            lo = i * MINUTES_PER_HOUR
            hi = lo + MINUTES_PER_HOUR
            n[h] += 1.0
            plan_seen[h] += 1
            for o in block.all_outages():
                k[h] += o.probability * _overlap((o.window,), lo, hi) / MINUTES_PER_HOUR
                if lo <= o.window.start < hi:
                    published[h] += o.probability
        off[block.id] = _smooth(k, n, smoothing)
        if sum(seen) > 0:
            history_rate = _smooth(starts, seen, smoothing)
            unplanned[block.id] = tuple(
                min(1.0, max(0.0, rate - (published[h] / plan_seen[h] if plan_seen[h] else 0.0)))
                for h, rate in enumerate(history_rate)
            )
        else:
            unplanned[block.id] = (0.0,) * HOURS_PER_WEEK
    mean = sum(durations) / len(durations) if durations else 0.0
    var = sum((d - mean) ** 2 for d in durations) / len(durations) if durations else 0.0
    return OutageModel(
        off=off,
        unplanned=unplanned,
        mean_minutes=mean,
        sd_minutes=math.sqrt(var),
        history_hours=h_count,
        smoothing=smoothing,
    )


def _draw_minutes(model: OutageModel, slot: int, rng: random.Random) -> int:
    """Length of one unplanned outage: gamma with the model's mean and sd, in slots."""
    mean, sd = model.mean_minutes, model.sd_minutes
    if sd > 0:
        shape = (mean / sd) ** 2
        drawn = rng.gammavariate(shape, sd * sd / mean)
    else:
        drawn = mean
    return max(slot, round(drawn / slot) * slot)


def _sample_stages(block: Block, rng: random.Random) -> list[Window]:
    """The windows of a stage drawn for each forecast day (none without stages)."""
    shed = block.load_shedding
    return [] if shed is None else [w for w, p in shed.sample(rng).outages() if p >= 1.0]


def _sample_block(block: Block, model: OutageModel, horizon: Horizon, rng: random.Random) -> Block:
    kept = [o.window for o in block.outages if o.probability >= 1.0]
    kept += _sample_stages(block, rng)
    for o in sorted(block.outages, key=lambda o: o.window):
        if o.probability < 1.0 and rng.random() < o.probability:
            kept.append(o.window)
    probs = model.unplanned.get(block.id)
    if probs is not None and model.mean_minutes > 0 and any(probs):
        current = list(merge_windows(kept))
        hours = horizon.minutes // MINUTES_PER_HOUR
        drawn: list[Window] = []
        for i, h in enumerate(_hours_of_week(horizon, 0, hours)):
            at = i * MINUTES_PER_HOUR
            p = probs[h]
            if p <= 0 or any(w.start <= at < w.end for w in current):
                continue
            if rng.random() < p:
                w = Window(at, at + _draw_minutes(model, horizon.slot_minutes, rng))
                drawn.append(w)
                current.append(w)
        kept.extend(drawn)
    outages = tuple(OutageWindow(w, 1.0) for w in merge_windows(kept))
    return dataclasses.replace(block, outages=outages, load_shedding=None)


def sample_portfolio(portfolio: Portfolio, model: OutageModel, rng: random.Random) -> Portfolio:
    """Draw one outage scenario that keeps the schedule's structure.

    Parameters
    ----------
    portfolio
        The portfolio with its published (possibly uncertain) outage windows.
    model
        From :func:`learn_outage_model`; blocks it does not know get no
        unplanned outages.
    rng
        The random source; the same seed gives the same scenario.

    Returns
    -------
    Portfolio
        A copy whose blocks carry only windows of probability 1.0: the planned
        ones, the uncertain ones that happened, and drawn unplanned ones
        (merged when they overlap or touch).
    """
    blocks = tuple(_sample_block(b, model, portfolio.horizon, rng) for b in portfolio.blocks)
    return dataclasses.replace(portfolio, blocks=blocks)


def sample_deliveries(portfolio: Portfolio, rng: random.Random) -> Portfolio:
    """Draw each fuel delivery's arrival: triangular on [earliest, latest], mode expected.

    Parameters
    ----------
    portfolio
        The portfolio with its uncertain deliveries.
    rng
        The random source; the same seed gives the same arrivals.

    Returns
    -------
    Portfolio
        A copy whose deliveries have ``earliest == expected == latest`` = the
        drawn minute (whole minutes, inside the original bounds).
    """
    out: list[FuelDelivery] = []
    for d in portfolio.deliveries:
        if d.earliest == d.latest:
            at = d.expected
        else:
            at = round(rng.triangular(d.earliest, d.latest, d.expected))
            at = min(d.latest, max(d.earliest, at))
        out.append(dataclasses.replace(d, expected=at, earliest=at, latest=at))
    return dataclasses.replace(portfolio, deliveries=tuple(out))


def expected_off_hours(model: OutageModel, block_id: str, hours: Iterable[int]) -> float:
    """Expected hours off of ``block_id`` over the given hours of the week."""
    return sum(model.off_probability(block_id, h) for h in hours)


__all__ = [
    "HOURS_PER_WEEK",
    "OutageModel",
    "expected_off_hours",
    "hour_of_week",
    "learn_outage_model",
    "sample_deliveries",
    "sample_portfolio",
]
