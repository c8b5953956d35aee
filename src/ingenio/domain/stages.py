"""Load-shedding stages: a block's schedule per stage and a stage forecast per day.

South African users think in stages: Eskom announces a stage (0 = none, 1..8) and each
area's schedule says which slots it is off at each stage; the schedule of an area
(EskomSePush's ``schedule.days[].stages[]``) lists, for each date, the ranges off at
stages 1 to 8. A :class:`LoadShedding` holds that schedule for the days of the horizon
and a forecast: per day, the probability of each stage. The outage windows it gives
(:meth:`LoadShedding.outages`) have, minute by minute, the probability that the stage
of the day puts the block off: ``sum_s p_day(s) * [minute in the windows of stage s]``
(stages with no forecast have probability 0; days without a forecast are stage 0).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from random import Random

from ingenio.domain.time import Window

STAGES = 8
"""Eskom's stages 1..8 (stage 0: no load-shedding)."""


@dataclass(frozen=True)
class StageDay:
    """The block's schedule for one date: per stage 1..8 the windows it is off.

    ``day`` is the minute of the date's local midnight (a key the forecast shares);
    ``windows[s - 1]`` are the windows of stage ``s``, minutes from the origin (a range
    past midnight runs into the next day).
    """

    day: int
    windows: tuple[tuple[Window, ...], ...]

    def __post_init__(self) -> None:
        if len(self.windows) != STAGES:
            raise ValueError(f"a stage day holds {STAGES} lists of windows ({len(self.windows)})")


@dataclass(frozen=True)
class StageForecast:
    """Probability of each stage on one date (``day``: as :class:`StageDay`); what is
    left up to 1 is stage 0."""

    day: int
    probabilities: Mapping[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if any(not 1 <= s <= STAGES for s in self.probabilities):
            raise ValueError(f"stages are 1..{STAGES}")
        if any(p < 0 for p in self.probabilities.values()):
            raise ValueError("stage probabilities must not be negative")
        if sum(self.probabilities.values()) > 1 + 1e-9:
            raise ValueError("stage probabilities of a day add up to more than 1")


@dataclass(frozen=True)
class LoadShedding:
    """A block's schedule per stage, day by day, and the stage forecast."""

    days: tuple[StageDay, ...]
    forecast: tuple[StageForecast, ...] = ()

    def with_stages(self, stages: Mapping[int, int]) -> LoadShedding:
        """The same schedule with the stage of the given days certain (day -> stage)."""
        kept = [f for f in self.forecast if f.day not in stages]
        chosen = [StageForecast(d, {s: 1.0} if s else {}) for d, s in stages.items()]
        return LoadShedding(self.days, tuple(sorted((*kept, *chosen), key=lambda f: f.day)))

    def sample(self, rng: Random) -> LoadShedding:
        """The schedule with one stage drawn for each forecast day (stage 0 with what is
        left of the probabilities), from the seeded ``rng``."""
        stages: dict[int, int] = {}
        for f in self.forecast:
            u, cum, stages[f.day] = rng.random(), 0.0, 0
            for stage, p in sorted(f.probabilities.items()):
                cum += p
                if u < cum:
                    stages[f.day] = stage
                    break
        return self.with_stages(stages)

    def outages(self) -> tuple[tuple[Window, float], ...]:
        """``(window, probability)`` pieces of constant probability > 0, by start."""
        chance = {f.day: f.probabilities for f in self.forecast}
        out: list[tuple[Window, float]] = []
        for d in self.days:
            probs = chance.get(d.day, {})
            weighted = [(w, probs.get(s + 1, 0.0)) for s, ws in enumerate(d.windows) for w in ws]
            weighted = [(w, p) for w, p in weighted if p > 0]
            cuts = sorted({t for w, _ in weighted for t in (w.start, w.end)})
            for a, b in itertools.pairwise(cuts):
                p = sum(q for w, q in weighted if w.start <= a and b <= w.end)
                if p <= 0:
                    continue
                p = min(1.0, round(p, 9))
                if out and out[-1][0].end == a and out[-1][1] == p:
                    out[-1] = (Window(out[-1][0].start, b), p)
                else:
                    out.append((Window(a, b), p))
        return _flatten(out)


def _flatten(pieces: list[tuple[Window, float]]) -> tuple[tuple[Window, float], ...]:
    """Pieces of several days that overlap (a range past midnight) keep the higher
    probability minute by minute."""
    if all(x[0].end <= y[0].start for x, y in itertools.pairwise(pieces)):
        return tuple(pieces)
    cuts = sorted({t for w, _ in pieces for t in (w.start, w.end)})
    out: list[tuple[Window, float]] = []
    for a, b in itertools.pairwise(cuts):
        p = max((q for w, q in pieces if w.start <= a and b <= w.end), default=0.0)
        if p <= 0:
            continue
        if out and out[-1][0].end == a and out[-1][1] == p:
            out[-1] = (Window(out[-1][0].start, b), p)
        else:
            out.append((Window(a, b), p))
    return tuple(out)
