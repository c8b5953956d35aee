"""Weekly shift patterns, expanded into windows of the horizon in local time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from ingenio.domain.time import MINUTES_PER_DAY, Horizon, Window, merge_windows

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class ShiftPattern:
    """A shift worked on some weekdays from ``start`` to ``end`` local minute-of-day.

    ``end <= start`` means the shift runs past midnight into the next day;
    ``start == end == 0`` is a full 24-hour day.
    """

    weekdays: frozenset[int]
    start: int
    end: int

    def __post_init__(self) -> None:
        if not self.weekdays or any(d not in range(7) for d in self.weekdays):
            raise ValueError(f"shift weekdays must be 0..6 (Monday = 0), got {self.weekdays}")
        for m in (self.start, self.end):
            if not 0 <= m < MINUTES_PER_DAY:
                raise ValueError(f"shift time must be a minute of the day, got {m}")

    @property
    def length(self) -> int:
        """Shift length in minutes."""
        return (self.end - self.start) % MINUTES_PER_DAY or MINUTES_PER_DAY


def expand_shifts(patterns: Iterable[ShiftPattern], horizon: Horizon) -> tuple[Window, ...]:
    """Windows (minutes from the origin) worked over the horizon, merged.

    Each shift starts at its local wall-clock time, so a daylight-saving change
    moves it in minutes-from-origin as it does on the shop floor.
    """
    zone = horizon.zone
    first_day = horizon.origin.astimezone(zone).date() - timedelta(days=1)
    windows: list[Window] = []
    for pattern in patterns:
        for offset in range(horizon.days + 2):
            day = first_day + timedelta(days=offset)
            if day.weekday() not in pattern.weekdays:
                continue
            local = datetime.combine(day, time(), tzinfo=zone) + timedelta(minutes=pattern.start)
            local = datetime.combine(day, local.time(), tzinfo=zone)
            start = horizon.to_minute(local)
            end = start + pattern.length
            start, end = max(start, 0), min(end, horizon.minutes)
            if end > start:
                windows.append(Window(start, end))
    return merge_windows(windows)


ALWAYS = ShiftPattern(frozenset(range(7)), 0, 0)
