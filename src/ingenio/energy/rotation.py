"""The UNE rotation model: from a national peak forecast to hours off per Havana block.

The Cuban UNE report gives, for the evening peak, the national disponibilidad
``Av``, demanda máxima ``D`` and afectación ``A`` (MW). Which circuit is cut
when is decided later by each province, so the model spreads the cuts fairly:

1. **National afectación per local hour** ``h``. Demand follows a daily
   profile ``d(h)`` (share of the peak demand, 1.0 at the peak); availability is
   flat; the report's margin ``m = A - (D - Av)`` (70 MW in 2022-25) stays::

       A(h) = clip(D * d(h) - Av + m, 0, D * d(h))

   so ``A(peak) = A``.
2. **Havana's part**: ``H(h) = share * A(h)``.
3. **Blocks off at once**: a block carries ``c_b`` MW at the peak (given per
   block, or an equal split of Havana's rotating load
   ``demand_share * D * rotating_fraction``) and ``c_b * d(h)`` at hour ``h``;
   with ``c`` the mean of the ``c_b`` and ``n`` blocks::

       k(h) = min(n, ceil(H(h) / (c * d(h))))

4. **Rotation**: the ``k(h)`` cuts of hour ``h`` rotate fairly over the ``n``
   blocks, and the report does not say whose turn is when, so every block is
   off in hour ``h`` with probability ``p(h) = k(h) / n``. Consecutive hours
   with the same ``p`` form one window; the expected hours off per block and
   day are ``sum_h p(h)``. Peak hours weigh more because ``A(h)`` is largest
   there.

When ``H(h)`` exceeds the whole rotating load (``k(h)`` capped at ``n``), the
shortfall is reported as a note: the real cuts then reach protected circuits
or other provinces.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

HAVANA_BLOCKS = ("B1", "B2", "B3", "B4", "B5", "B6")

DEFAULT_DEMAND_PROFILE: tuple[float, ...] = (
    0.72, 0.69, 0.67, 0.66, 0.66, 0.68,  # 00-05: night valley
    0.72, 0.77, 0.81, 0.84, 0.86, 0.87,  # 06-11: morning rise
    0.88, 0.88, 0.87, 0.86, 0.86, 0.89,  # 12-17: midday plateau
    0.96, 1.00, 1.00, 0.97, 0.89, 0.79,  # 18-23: evening peak (horario pico)
)  # fmt: skip
"""Share of the peak demand in each local hour: an assumed typical Cuban weekday."""


@dataclass(frozen=True)
class Figure:
    """A number of MW read from the report, with the line it is on."""

    mw: float
    line: int


@dataclass(frozen=True)
class UneReport:
    """What a UNE report says (MW; ``None`` when the text does not say).

    ``afectacion_derived`` is True when the afectación was not in the text and
    was computed as the déficit plus the margin.
    """

    day: date | None
    availability: Figure
    demand: Figure
    deficit: Figure
    afectacion: Figure
    afectacion_derived: bool = False
    status_time: str | None = None
    status_availability: Figure | None = None
    status_demand: Figure | None = None
    status_affected: Figure | None = None
    midday_afectacion: Figure | None = None
    yesterday_max: Figure | None = None
    yesterday_max_time: str | None = None

    @property
    def share_dark(self) -> float:
        """afectación / demanda máxima: the share of the country without power at the peak."""
        return self.afectacion.mw / self.demand.mw

    def document(self) -> dict[str, Any]:
        """JSON-ready figures."""

        def mw(f: Figure | None) -> float | None:
            return None if f is None else f.mw

        return {
            "day": None if self.day is None else self.day.isoformat(),
            "peak": {
                "disponibilidad_mw": self.availability.mw,
                "demanda_maxima_mw": self.demand.mw,
                "deficit_mw": self.deficit.mw,
                "afectacion_mw": self.afectacion.mw,
                "afectacion_derived": self.afectacion_derived,
                "share_dark": round(self.share_dark, 4),
            },
            "status": {
                "time": self.status_time,
                "disponibilidad_mw": mw(self.status_availability),
                "demanda_mw": mw(self.status_demand),
                "afectados_mw": mw(self.status_affected),
            },
            "midday_afectacion_mw": mw(self.midday_afectacion),
            "yesterday_max_mw": mw(self.yesterday_max),
            "yesterday_max_time": self.yesterday_max_time,
        }


@dataclass(frozen=True)
class RotationParams:
    """Parameters of the rotation model (``une:`` in the mapping file).

    Attributes
    ----------
    blocks
        Block ids that rotate, in order (default B1..B6).
    share
        Havana's share of the national afectación (default 0.10: the capital
        is protected more than the provinces).
    block_mw
        MW each block carries at the peak: one number for all, a mapping block
        -> MW, or ``None`` for an equal split of Havana's rotating load.
    demand_share
        Havana's share of the national demand (default 0.22), for that split.
    rotating_fraction
        Share of Havana's load on rotating circuits (default 112/285 circuits).
    demand_profile
        24 values: share of the peak demand per local hour (default: a typical day).
    margin_mw
        afectación - déficit, used when the report gives no afectación (default 70).
    days
        Days the forecast is repeated for, from the report's day (default 1).
    """

    blocks: tuple[str, ...] = HAVANA_BLOCKS
    share: float = 0.10
    block_mw: float | Mapping[str, float] | None = None
    demand_share: float = 0.22
    rotating_fraction: float = 112 / 285
    demand_profile: tuple[float, ...] = DEFAULT_DEMAND_PROFILE
    margin_mw: float = 70.0
    days: int = 1

    def problems(self) -> list[tuple[str, str, object]]:
        """``(field, message, value)`` for every value that cannot be used."""
        out: list[tuple[str, str, object]] = []
        if not self.blocks or len(set(self.blocks)) != len(self.blocks):
            out.append(("blocks", "must be a non-empty list of distinct block ids", self.blocks))
        for name in ("share", "demand_share", "rotating_fraction"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                out.append((name, "must be in (0, 1]", value))
        if len(self.demand_profile) != 24 or not all(0 < v <= 1 for v in self.demand_profile):
            out.append(("demand_profile", "must hold 24 values in (0, 1]", None))
        elif max(self.demand_profile) != 1:
            out.append(("demand_profile", "the peak hour must be 1.0", max(self.demand_profile)))
        if isinstance(self.block_mw, Mapping):
            missing = sorted(set(self.blocks) - set(self.block_mw))
            extra = sorted(set(self.block_mw) - set(self.blocks))
            if missing or extra:
                out.append(("block_mw", "must give every rotating block, and only those", None))
            if any(v <= 0 for v in self.block_mw.values()):
                out.append(("block_mw", "must be positive", None))
        elif self.block_mw is not None and self.block_mw <= 0:
            out.append(("block_mw", "must be positive", self.block_mw))
        if self.margin_mw < 0:
            out.append(("margin_mw", "must not be negative", self.margin_mw))
        if not 1 <= self.days <= 31:
            out.append(("days", "must be 1 to 31", self.days))
        return out


@dataclass(frozen=True)
class RotationPlan:
    """The model's result for one day of the forecast (the same every forecast day).

    Attributes
    ----------
    national_mw, havana_mw
        ``A(h)`` and ``H(h)`` per local hour.
    block_mw
        ``c``, the mean MW of a block at the peak.
    blocks_off
        ``k(h)`` per local hour.
    probability
        ``p(h) = k(h) / n`` per local hour.
    shortfall_mw
        MW of ``H(h)`` the blocks cannot shed, per hour (0 almost always).
    """

    blocks: tuple[str, ...]
    national_mw: tuple[float, ...]
    havana_mw: tuple[float, ...]
    block_mw: float
    blocks_off: tuple[int, ...]
    probability: tuple[float, ...]
    shortfall_mw: tuple[float, ...] = field(default=(0.0,) * 24)

    @property
    def hours_per_block(self) -> float:
        """Expected hours off per block and day."""
        return sum(self.probability)

    def runs(self) -> list[tuple[int, int, float]]:
        """``(first hour, end hour, p)`` of each run of equal ``p > 0`` in the day."""
        out: list[tuple[int, int, float]] = []
        for h, p in enumerate(self.probability):
            if p <= 0:
                continue
            if out and out[-1][1] == h and out[-1][2] == p:
                out[-1] = (out[-1][0], h + 1, p)
            else:
                out.append((h, h + 1, p))
        return out

    def windows(
        self, day: date, days: int, zone: ZoneInfo
    ) -> list[tuple[datetime, datetime, float]]:
        """``(start, end, p)`` per run and day, local hours in ``zone`` from ``day``.

        Runs of the last hour of a day and the first of the next stay separate
        windows; local hours are resolved the zoneinfo way on a change of the
        clocks (a skipped hour gives no window).
        """
        out: list[tuple[datetime, datetime, float]] = []
        for offset in range(days):
            d = day + timedelta(days=offset)
            for first, end, p in self.runs():
                start = (datetime.combine(d, time()) + timedelta(hours=first)).replace(tzinfo=zone)
                stop = (datetime.combine(d, time()) + timedelta(hours=end)).replace(tzinfo=zone)
                if stop.timestamp() > start.timestamp():
                    out.append((start, stop, p))
        return out

    def document(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {
            "blocks": list(self.blocks),
            "block_mw": round(self.block_mw, 1),
            "hours_per_block": round(self.hours_per_block, 2),
            "hourly": [
                {
                    "hour": h,
                    "national_mw": round(self.national_mw[h], 1),
                    "havana_mw": round(self.havana_mw[h], 1),
                    "blocks_off": self.blocks_off[h],
                    "probability": round(self.probability[h], 4),
                    "shortfall_mw": round(self.shortfall_mw[h], 1),
                }
                for h in range(24)
            ],
        }


def rotation_plan(
    availability_mw: float, demand_mw: float, afectacion_mw: float, params: RotationParams
) -> RotationPlan:
    """Apply the rotation model (module docstring) to one peak forecast.

    Parameters
    ----------
    availability_mw, demand_mw, afectacion_mw
        The report's peak disponibilidad, demanda máxima and afectación (MW).
    params
        The model's parameters (checked by the caller: ``params.problems()``).

    Returns
    -------
    RotationPlan
        Per local hour: national and Havana MW to shed, blocks off, probability.
    """
    n = len(params.blocks)
    margin = afectacion_mw - (demand_mw - availability_mw)
    if params.block_mw is None:
        c = params.demand_share * demand_mw * params.rotating_fraction / n
    elif isinstance(params.block_mw, Mapping):
        c = sum(params.block_mw.values()) / n
    else:
        c = float(params.block_mw)
    national, havana, off, prob, short = [], [], [], [], []
    for d in params.demand_profile:
        load = demand_mw * d
        a = min(max(load - availability_mw + margin, 0.0), load)
        h = params.share * a
        k = min(n, math.ceil(h / (c * d) - 1e-9)) if h > 0 else 0
        national.append(a)
        havana.append(h)
        off.append(k)
        prob.append(k / n)
        short.append(max(0.0, h - n * c * d))
    return RotationPlan(
        params.blocks,
        tuple(national),
        tuple(havana),
        c,
        tuple(off),
        tuple(prob),
        tuple(short),
    )
