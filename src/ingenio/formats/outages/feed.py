"""What every outage-schedule reader returns, and the helpers they share.

A reader turns one file into an :class:`OutageFeed`: for each external area
(a block name, a suburb, an Eskom area) the outage windows it holds, as aware
datetimes with a probability and the source line. Readers are strict: every
bad or ambiguous row is collected and raised at once in a ``DomainError``
whose issue paths name the line (``line 14``, ``line 14, column end``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from datetime import timezone as fixed_offset
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingenio.domain import N_, DomainError, Issue, Said, said
from ingenio.energy.rotation import RotationParams, RotationPlan, UneReport
from ingenio.errors import Value

DEFAULT_TIMEZONE = "America/Havana"

T = TypeVar("T")


@dataclass(frozen=True)
class FeedWindow:
    """One outage window of an external area.

    Attributes
    ----------
    start, end
        Aware datetimes, ``end`` after ``start``, whole minutes; stored in UTC.
    probability
        1.0 for an announced cut; less for a forecast or a reserve block.
    line
        1-based line of the source file the window comes from (0: not from a line).
    note
        Free text from the source (``"Stage 4"``, the event summary, ...).
    """

    start: datetime
    end: datetime
    probability: float = 1.0
    line: int = 0
    note: str = ""

    def __post_init__(self) -> None:
        # Kept in UTC: Python compares and subtracts two datetimes of the same zone
        # by their wall-clock times, which is wrong across a change of the clocks.
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))

    @property
    def minutes(self) -> int:
        """Length in minutes."""
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class OutageFeed:
    """The outage windows one file holds, per external area, nothing imported.

    Attributes
    ----------
    format
        The reader's name (``csv``, ``ics``, ``esp-json``, ``eskom-calendar``, ``une``).
    source
        The file name, used in messages.
    areas
        External area name -> its windows, sorted by start.
    span
        ``(start, end)`` of the time the file speaks for: an import replaces the
        windows of the mapped blocks inside it. ``None`` when the file is empty.
    timezone
        The zone local times of the file were read in (and shown in).
    notes
        Things the reader decided that the user should know.
    forecast
        For ``une``: the figures of the report.
    rotation
        For ``une``: the rotation model's result that made the windows.
    """

    format: str
    source: str
    areas: Mapping[str, tuple[FeedWindow, ...]]
    span: tuple[datetime, datetime] | None
    timezone: str = DEFAULT_TIMEZONE
    notes: tuple[str, ...] = ()
    forecast: UneReport | None = None
    rotation: RotationPlan | None = None

    @property
    def window_count(self) -> int:
        """Number of windows over all areas."""
        return sum(len(ws) for ws in self.areas.values())


@dataclass(frozen=True)
class ParseOptions:
    """Choices a reader needs besides the file.

    Attributes
    ----------
    timezone
        IANA zone of local times without an offset (and of schedule ranges).
    stage
        ``esp-json``: use the schedule of this stage (1..8) instead of the
        events; ``eskom-calendar``: keep only rows of this stage.
    area_property
        ``ics``: the event property naming the area (default: LOCATION when
        the event has one, else SUMMARY).
    day
        ``une``: the day the report is for, when its text does not say.
    une
        ``une``: the parameters of the rotation model.
    """

    timezone: str = DEFAULT_TIMEZONE
    stage: int | None = None
    area_property: str | None = None
    day: date | None = None
    une: RotationParams = field(default_factory=RotationParams)


class Problems:
    """Issues collected while reading a file, raised together at the end."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.issues: list[Issue] = []

    def add(
        self, line: int | None, message: str | Said, value: object = None, column: str = ""
    ) -> None:
        """Record a problem at ``line`` (``None``: the whole file) and ``column``; a
        :class:`Said` message can be said in the user's language."""
        path = "(file)" if line is None else f"line {line}"
        if column:
            path += f", {column}"
        # A plain message is said when a catalogue has it (an N_-marked ValueError's text),
        # else as it is: it has no values, so it is never read as a template.
        sentence = message if isinstance(message, Said) else Said(message)
        self.issues.append(Issue.of(path, sentence, value))

    def __bool__(self) -> bool:
        return bool(self.issues)

    def raise_if_any(self) -> None:
        """Raise ``DomainError`` with every issue, in line order, if there are any."""
        if self.issues:
            raise DomainError(sorted(self.issues, key=_line_key), self.source)


def _line_key(issue: Issue) -> tuple[int, str]:
    m = re.match(r"line (\d+)", issue.path)
    return (int(m.group(1)) if m else 0, issue.path)


def zone_of(name: str, source: str) -> ZoneInfo:
    """The ``ZoneInfo`` called ``name``, or ``DomainError`` naming the option."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        msg = said(N_("unknown time zone; use an IANA name like America/Havana"))
        raise DomainError([Issue.of("--timezone", msg, name)], source) from e


FIRST_YEAR, LAST_YEAR = 1900, 2200
"""Outage times outside these years are refused (year 9999 overflows time-zone arithmetic)."""


def year_problem(year: int) -> str | None:
    """The message for a year outside :data:`FIRST_YEAR`..:data:`LAST_YEAR`, else None."""
    if FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return f"year {year} is outside {FIRST_YEAR}..{LAST_YEAR}"


def local_moment(naive: datetime, zone: tzinfo) -> datetime:
    """``naive`` wall-clock time in ``zone``, refusing times that are ambiguous or absent.

    Raises
    ------
    ValueError
        When the local time happens twice (clocks go back) or never (clocks go
        forward); the message says to give a UTC offset. When the year is out of range.
    """
    bad_year = year_problem(naive.year)
    if bad_year:
        raise ValueError(bad_year)
    first, second = naive.replace(tzinfo=zone), naive.replace(tzinfo=zone, fold=1)
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back != naive:
        raise ValueError(N_("local time does not exist (the clocks go forward); check the date"))
    if first.utcoffset() != second.utcoffset():
        raise ValueError(
            "local time happens twice (the clocks go back); add its UTC offset, e.g. -05:00"
        )
    return first


_MOMENT = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.0+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_moment(text: str, zone: tzinfo) -> datetime:
    """Read an ISO date-time: local to ``zone`` unless it carries an offset or ``Z``.

    ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM`` (a space may replace ``T``), optional
    ``:SS`` (must be 0) and ``Z``/``+HH:MM``. ``24:00`` means the next midnight.

    Raises
    ------
    ValueError
        With a message for the user.
    """
    m = _MOMENT.match(text.strip())
    if m is None:
        raise ValueError(N_("expected a date-time YYYY-MM-DDTHH:MM, with an optional offset"))
    y, mo, d, hh, mm, ss, off = m.groups()
    bad_year = year_problem(int(y))
    if bad_year:
        raise ValueError(bad_year)
    if ss is not None and int(ss):
        raise ValueError(N_("times must be whole minutes"))
    hour, minute = int(hh or 0), int(mm or 0)
    extra = timedelta()
    if hour == 24 and minute == 0:
        hour, extra = 0, timedelta(days=1)
    try:
        naive = datetime(int(y), int(mo), int(d), hour, minute) + extra
    except ValueError as e:
        raise ValueError(f"not a real date or time ({e})") from e
    if off is None:
        return local_moment(naive, zone)
    if off == "Z":
        return naive.replace(tzinfo=UTC)
    sign = -1 if off[0] == "-" else 1
    digits = off[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if offset >= timedelta(hours=24):
        raise ValueError(N_("UTC offset must be less than 24 hours"))
    return naive.replace(tzinfo=fixed_offset(sign * offset))


def overlap_problems(
    areas: Mapping[str, Sequence[FeedWindow]], problems: Problems, what: str = "area"
) -> None:
    """Report windows of one area that overlap an earlier one (touching is fine)."""
    for name, windows in areas.items():
        reach: FeedWindow | None = None
        for w in sorted(windows, key=lambda w: (w.start, w.end, w.line)):
            if reach is not None and w.start < reach.end:
                template = (
                    N_("overlaps the window of line %(line)s for the same %(what)s %(name)r")
                    if reach.line
                    else N_("overlaps the window of another window for the same %(what)s %(name)r")
                )
                values: dict[str, Value] = {"what": what, "name": name}
                if reach.line:
                    values["line"] = reach.line
                msg = Said(template, values)
                problems.add(w.line or None, msg, f"{_hm(w.start)} to {_hm(w.end)}")
            if reach is None or w.end > reach.end:
                reach = w


def _hm(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def after_start(start: datetime) -> Said:
    """The message for an end that is not after ``start``."""
    return said(N_("must be after the start %(start)s"), start=_hm(start))


def read_cell(
    problems: Problems, line: int, column: str, text: str, parse: Callable[[str], T]
) -> T | None:
    """``parse(text)``, or ``None`` with the ``ValueError``'s message at ``column {column}``."""
    try:
        return parse(text)
    except ValueError as e:
        problems.add(line, str(e), text, f"column {column}")
        return None


def make_feed(
    fmt: str,
    source: str,
    rows: Iterable[tuple[str, FeedWindow]],
    timezone: str,
    notes: Sequence[str] = (),
    span: tuple[datetime, datetime] | None = None,
) -> OutageFeed:
    """Group ``(area, window)`` rows into a feed; the span defaults to the windows' range."""
    areas: dict[str, list[FeedWindow]] = {}
    for area, window in rows:
        areas.setdefault(area, []).append(window)
    frozen = {a: tuple(sorted(ws, key=lambda w: (w.start, w.end))) for a, ws in areas.items()}
    every = [w for ws in frozen.values() for w in ws]
    if span is None and every:
        span = (min(w.start for w in every), max(w.end for w in every))
    return OutageFeed(fmt, source, frozen, span, timezone, tuple(notes))


def checked_feed(
    fmt: str,
    source: str,
    rows: Iterable[tuple[str, FeedWindow]],
    timezone: str,
    problems: Problems,
    notes: Sequence[str] = (),
    span: tuple[datetime, datetime] | None = None,
    what: str = "area",
) -> OutageFeed:
    """:func:`make_feed`, then its overlapping windows added to ``problems``, raised with the rest.

    Raises
    ------
    DomainError
        When ``problems`` holds any issue (overlaps included).
    """
    feed = make_feed(fmt, source, rows, timezone, notes, span)
    overlap_problems(feed.areas, problems, what)
    problems.raise_if_any()
    return feed


def hours_per_day(windows: Iterable[FeedWindow], zone: tzinfo) -> dict[date, tuple[float, float]]:
    """Per local day: (hours off in any window, expected hours = sum of hours x probability).

    Windows are cut at local midnight, so a 22:00-02:00 window gives 2 h to each day.
    """
    out: dict[date, tuple[float, float]] = {}
    for w in windows:
        day = w.start.astimezone(zone).date()
        while True:
            lo = max(w.start, datetime.combine(day, time(), tzinfo=zone).astimezone(UTC))
            next_day = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
            hi = min(w.end, next_day.astimezone(UTC))
            if hi > lo:
                hours = (hi - lo).total_seconds() / 3600
                total, expected = out.get(day, (0.0, 0.0))
                out[day] = (total + hours, expected + hours * w.probability)
            if w.end <= next_day.astimezone(UTC):
                break
            day += timedelta(days=1)
    return dict(sorted(out.items()))


def feed_document(feed: OutageFeed) -> dict[str, Any]:
    """A JSON-ready view of ``feed`` (times as ISO with their offset, in the feed's zone)."""
    zone = ZoneInfo(feed.timezone)

    def iso(moment: datetime) -> str:
        return moment.astimezone(zone).isoformat(timespec="minutes")

    doc: dict[str, Any] = {
        "format": feed.format,
        "source": feed.source,
        "timezone": feed.timezone,
        "span": None if feed.span is None else [iso(feed.span[0]), iso(feed.span[1])],
        "notes": list(feed.notes),
        "areas": {
            area: {
                "windows": [
                    {
                        "start": iso(w.start),
                        "end": iso(w.end),
                        "probability": w.probability,
                        "line": w.line,
                        "note": w.note,
                    }
                    for w in windows
                ],
                "hours_per_day": {
                    d.isoformat(): {"hours": round(h, 3), "expected_hours": round(e, 3)}
                    for d, (h, e) in hours_per_day(windows, zone).items()
                },
            }
            for area, windows in feed.areas.items()
        },
    }
    if feed.forecast is not None:
        doc["forecast"] = feed.forecast.document()
    if feed.rotation is not None:
        doc["rotation"] = feed.rotation.document()
    return doc
