"""The optimiser's wall-clock budget: stage shares, fair plant shares, stage timings.

Private helper of :mod:`ingenio.planning.optimise`. One :class:`Budget` lives for one
``optimise`` call. It answers "how long may this stage still take" from the clock it
was given (``time.perf_counter`` by default, a fake one in tests), and keeps the seconds
each stage took, so a run can say where its time went (the ``stage seconds`` note).

Without a total (``optimise(time_budget_s=None)``) every answer is "unlimited": the run
is then the same whatever the clock, which the deterministic Dask test relies on.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__ = ["Budget", "Clock", "plant_seconds", "plants_that_fit"]

Clock = Callable[[], float]
"""Seconds from an arbitrary origin, never going back."""


class Budget:
    """Seconds for a whole run, read against ``clock``; and the seconds each stage took.

    ``total_s`` None: no budget, every deadline is infinite."""

    def __init__(self, total_s: float | None, clock: Clock = time.perf_counter) -> None:
        self.total_s = total_s
        self.clock = clock
        self.started = clock()
        self.spent: dict[str, float] = {}
        self._stage: str | None = None
        self._since = self.started

    @property
    def limited(self) -> bool:
        """True when the run has a budget."""
        return self.total_s is not None

    def elapsed(self) -> float:
        """Seconds since the run began."""
        return self.clock() - self.started

    def left(self, share: float = 1.0) -> float:
        """Seconds until ``share`` of the budget is spent (negative when past; infinite
        without a budget)."""
        if self.total_s is None:
            return math.inf
        return share * self.total_s - self.elapsed()

    def deadline(self, share: float = 1.0) -> float | None:
        """The ``clock`` reading when ``share`` of the budget is spent, or None."""
        if self.total_s is None:
            return None
        return self.started + share * self.total_s

    def cap(self, share: float, limit_s: float) -> float:
        """``limit_s`` or, with a budget, at most ``share`` of it (for a stage that takes
        a time limit, such as the LP)."""
        if self.total_s is None:
            return limit_s
        return min(limit_s, share * self.total_s)

    def enter(self, stage: str) -> None:
        """Start timing ``stage`` (the previous one ends now); a stage entered twice adds up."""
        now = self.clock()
        if self._stage is not None:
            self.spent[self._stage] = self.spent.get(self._stage, 0.0) + now - self._since
        self._stage, self._since = stage, now

    def close(self) -> None:
        """End the stage being timed."""
        self.enter("")
        self._stage = None
        self.spent.pop("", None)

    def timings(self) -> str:
        """``stage seconds: allocate 12.0, plants 60.5, ...; total 80.1 of 110 s``."""
        parts = ", ".join(f"{k} {v:.1f}" for k, v in self.spent.items())
        of = f" of {self.total_s:.0f} s budget" if self.total_s is not None else " (no budget)"
        return f"stage seconds: {parts}; total {self.elapsed():.1f}{of}"


def plant_seconds(left_s: float, remaining: int, slots: int, limit_s: float) -> float:
    """Seconds the next plant may take: at most ``limit_s``, and no more than its fair
    share of ``left_s`` when ``remaining`` plants (this one included) still have to be
    planned ``slots`` at a time, so the last of them ends by then. Never negative."""
    if remaining <= 0:
        return max(0.0, min(limit_s, left_s))
    rounds = math.ceil(remaining / max(1, slots))
    return max(0.0, min(limit_s, left_s / rounds))


def plants_that_fit(left_s: float, slots: int, each_s: float) -> int:
    """How many plants, ``slots`` at a time, can each have ``each_s`` seconds within
    ``left_s`` (0 when none can)."""
    if left_s <= 0 or each_s <= 0:
        return 0
    return math.floor(left_s / each_s) * max(1, slots)
