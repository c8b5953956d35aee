"""Time inside the core: integer minutes from the portfolio's origin.

Time zones live only at the edges (``io``, ``cli``); the ``Horizon`` is the one
object that knows how minutes map back to wall-clock time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, order=True)
class Window:
    """A half-open interval ``[start, end)`` in minutes from the origin."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"window end {self.end} must be after its start {self.start}")

    @property
    def minutes(self) -> int:
        """Length of the window in minutes."""
        return self.end - self.start

    def overlaps(self, other: Window) -> bool:
        """True when the two windows share at least one minute."""
        return self.start < other.end and other.start < self.end

    def contains(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` lies inside this window."""
        return self.start <= start and end <= self.end


def merge_windows(windows: Iterable[Window]) -> tuple[Window, ...]:
    """Sort and merge overlapping or touching windows."""
    out: list[Window] = []
    for w in sorted(windows):
        if out and w.start <= out[-1].end:
            if w.end > out[-1].end:
                out[-1] = Window(out[-1].start, w.end)
        else:
            out.append(w)
    return tuple(out)


def covered(windows: Sequence[Window], start: int, end: int) -> bool:
    """True when ``[start, end)`` lies inside one of the (merged) ``windows``."""
    return any(w.contains(start, end) for w in merge_windows(windows))


@dataclass(frozen=True)
class Horizon:
    """The planning horizon: an aware origin, a length in days and a slot size."""

    origin: datetime
    days: int
    slot_minutes: int = 15
    timezone: str = "America/Havana"

    def __post_init__(self) -> None:
        if self.origin.tzinfo is None:
            raise ValueError("horizon origin must carry a time zone")
        if self.days <= 0:
            raise ValueError(f"horizon days must be positive, got {self.days}")
        if self.slot_minutes <= 0 or MINUTES_PER_DAY % self.slot_minutes:
            raise ValueError(f"slot minutes must divide a day, got {self.slot_minutes}")
        ZoneInfo(self.timezone)  # fail early on an unknown zone
        # Keep the origin in UTC: arithmetic on zone-aware datetimes is wall-clock
        # arithmetic in Python, which is wrong across a daylight-saving change.
        object.__setattr__(self, "origin", self.origin.astimezone(UTC))

    @property
    def minutes(self) -> int:
        """Length of the horizon in minutes."""
        return self.days * MINUTES_PER_DAY

    @property
    def slots(self) -> int:
        """Number of slots in the horizon."""
        return self.minutes // self.slot_minutes

    @property
    def zone(self) -> ZoneInfo:
        """The portfolio's time zone."""
        return ZoneInfo(self.timezone)

    def to_minute(self, moment: datetime) -> int:
        """Minutes from the origin to an aware or local (naive) ``moment``."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return int((moment - self.origin).total_seconds() // 60)

    def to_datetime(self, minute: int) -> datetime:
        """Local wall-clock time of a minute offset."""
        return (self.origin + timedelta(minutes=minute)).astimezone(self.zone)
