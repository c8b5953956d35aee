"""Outage windows from an iCalendar file (``.ics``): one VEVENT per cut.

Read with the ``icalendar`` library.

* **Area**: the text of a chosen property (``--area-property``, e.g. ``SUMMARY``,
  ``LOCATION`` or an ``X-...`` property); by default ``LOCATION`` when the event
  has one, else ``SUMMARY``.
* **Times**: ``DTSTART`` and ``DTEND`` (or ``DURATION``) with a ``TZID`` (an
  IANA zone, or one the file defines in a VTIMEZONE), in UTC (``...Z``), or
  *floating* (no zone: local to the chosen time zone; a floating time that
  happens twice or never is an error). An all-day event (``VALUE=DATE``) covers
  whole local days; without ``DTEND`` one day. Times must be whole minutes.
* **Probability**: ``X-PROBABILITY`` (``0.5`` or ``50%``), default 1.
* ``STATUS:CANCELLED`` events are left out.
* **Repeats**: an ``RRULE`` with ``COUNT`` or ``UNTIL`` is expanded (at most
  1000 occurrences, ``EXDATE`` removed); an ``RRULE`` without an end, ``RDATE``
  and changed occurrences (``RECURRENCE-ID``) are refused with a clear error.
* Windows of one area must not overlap (touching is fine).

Errors name the line of the event's property (``line 14, DTEND: ...``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar  # type: ignore[import-untyped]
from dateutil import rrule  # type: ignore[import-untyped]

from ingenio.domain import N_, said
from ingenio.formats.outages.csv import parse_probability
from ingenio.formats.outages.feed import (
    FeedWindow,
    OutageFeed,
    ParseOptions,
    Problems,
    after_start,
    checked_feed,
    local_moment,
    year_problem,
    zone_of,
)

MAX_OCCURRENCES = 1000


@dataclass
class _EventLines:
    """Where a VEVENT and its own properties are in the file."""

    begin: int
    props: dict[str, int] = field(default_factory=dict)

    def of(self, name: str) -> int:
        return self.props.get(name.upper(), self.begin)


def _scan(text: str) -> list[_EventLines]:
    """The line of each top-level VEVENT and of its properties (folded lines joined)."""
    events: list[_EventLines] = []
    stack: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw or raw[0] in " \t":
            continue  # a continuation of the previous (folded) line
        name = raw.split(":", 1)[0].split(";", 1)[0].strip().upper()
        value = raw.split(":", 1)[1].strip().upper() if ":" in raw else ""
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT" and stack.count("VEVENT") == 1:
                events.append(_EventLines(number))
        elif name == "END":
            if stack:
                stack.pop()
        elif stack and stack[-1] == "VEVENT" and events:
            events[-1].props.setdefault(name, number)
    return events


def parse_ics(text: str, source: str, options: ParseOptions) -> OutageFeed:
    """Read the VEVENTs of an iCalendar file (module docstring).

    Parameters
    ----------
    text
        The file's text.
    source
        The file name, for messages.
    options
        ``timezone`` for floating times; ``area_property`` names the area.

    Returns
    -------
    OutageFeed
        The windows per area.

    Raises
    ------
    DomainError
        With every bad event, by line.
    """
    zone = zone_of(options.timezone, source)
    problems = Problems(source)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except ValueError as e:
        problems.add(None, f"not an iCalendar file: {e}")
        problems.raise_if_any()
    events = [ev for cal in calendars for ev in cal.walk("VEVENT")]
    where = _scan(text)
    if len(where) != len(events):  # pragma: no cover - nested or unusual files
        where = [_EventLines(0) for _ in events]
    rows: list[tuple[str, FeedWindow]] = []
    cancelled = 0
    for event, lines in zip(events, where, strict=True):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            cancelled += 1
            continue
        rows.extend(_event_rows(event, lines, zone, options, problems))
    if not events:
        problems.add(None, said(N_("no VEVENT in the file")))
    notes = [f"{cancelled} cancelled event(s) left out"] if cancelled else []
    return checked_feed("ics", source, rows, options.timezone, problems, notes)


def _event_rows(
    event: Any, lines: _EventLines, zone: tzinfo, options: ParseOptions, problems: Problems
) -> list[tuple[str, FeedWindow]]:
    bad = len(problems.issues)
    for prop, message in event.errors:
        problems.add(lines.of(prop), message, None, str(prop).upper())
    prop = (options.area_property or "").upper()
    named = prop or "LOCATION or SUMMARY"
    if not prop:
        prop = "LOCATION" if str(event.get("LOCATION", "")).strip() else "SUMMARY"
    area = str(event.get(prop, "")).strip()
    if not area:
        problems.add(lines.begin, f"event has no {named} to name its area", None, prop)
    for refused, why in (
        ("RDATE", "RDATE is not supported; write each date as its own event"),
        ("RECURRENCE-ID", "changed occurrences (RECURRENCE-ID) are not supported"),
    ):
        if refused in event:
            problems.add(lines.of(refused), why, None, refused)
    start = _moment(event, "DTSTART", lines, zone, problems)
    end = _moment(event, "DTEND", lines, zone, problems) if "DTEND" in event else None
    if start is None:
        if "DTSTART" not in event and not any(p == "DTSTART" for p, _ in event.errors):
            problems.add(lines.begin, said(N_("event has no DTSTART")), None, "DTSTART")
        return []
    if end is None and "DURATION" in event:
        duration = event.decoded("DURATION")
        if isinstance(duration, timedelta):  # days on the wall clock, hours exact (RFC 5545)
            by_day = start + timedelta(days=duration.days)
            end = (by_day.astimezone(UTC) + (duration - timedelta(days=duration.days))).astimezone(
                start.tzinfo
            )
        else:
            problems.add(
                lines.of("DURATION"), said(N_("not a duration")), str(duration), "DURATION"
            )
    elif end is None and "DTEND" not in event:
        if isinstance(event.decoded("DTSTART"), datetime):
            problems.add(
                lines.begin, said(N_("event has neither DTEND nor DURATION")), None, "DTEND"
            )
        else:
            end = start + timedelta(days=1)
    probability = 1.0
    if "X-PROBABILITY" in event:
        try:
            probability = parse_probability(str(event["X-PROBABILITY"]))
        except ValueError as e:
            problems.add(
                lines.of("X-PROBABILITY"), str(e), str(event["X-PROBABILITY"]), "X-PROBABILITY"
            )
    if end is not None and end <= start:
        problems.add(
            lines.of("DTEND"), after_start(start), end.isoformat(timespec="minutes"), "DTEND"
        )
    if len(problems.issues) > bad or end is None:
        return []
    note = str(event.get("SUMMARY", "")).strip()
    line = lines.of("DTSTART")
    if "RRULE" not in event:
        return [(area, FeedWindow(start, end, probability, line, note))]
    all_day = not isinstance(event.decoded("DTSTART"), datetime)
    length = end - start if all_day else end.astimezone(UTC) - start.astimezone(UTC)
    out: list[tuple[str, FeedWindow]] = []
    for s in _occurrences(event, start, lines, problems):
        stop = s + length if all_day else s.astimezone(UTC) + length
        out.append((area, FeedWindow(s, stop, probability, line, note)))
    return out


def _moment(
    event: Any, name: str, lines: _EventLines, zone: tzinfo, problems: Problems
) -> datetime | None:
    """DTSTART/DTEND as an aware datetime (an all-day date as its local midnight)."""
    prop = event.get(name)
    if prop is None:
        return None
    value = prop.dt
    line = lines.of(name)
    if isinstance(value, date) and year_problem(value.year):
        problems.add(line, str(year_problem(value.year)), value.isoformat(), name)
        return None
    if isinstance(value, datetime):
        if value.second or value.microsecond:
            problems.add(line, said(N_("times must be whole minutes")), value.isoformat(), name)
            return None
        if value.tzinfo is not None:
            return value
        tzid = prop.params.get("TZID")
        if tzid:
            try:
                return value.replace(tzinfo=ZoneInfo(str(tzid)))
            except (ZoneInfoNotFoundError, ValueError):
                msg = "unknown TZID: use an IANA zone or define it in a VTIMEZONE"
                problems.add(line, msg, str(tzid), name)
                return None
        try:
            return local_moment(value, zone)
        except ValueError as e:
            problems.add(line, f"floating time: {e}", value.isoformat(), name)
            return None
    if isinstance(value, date):  # the day's first instant (midnight may be skipped)
        return datetime.combine(value, time(), tzinfo=zone)
    problems.add(line, said(N_("expected a date or a date-time")), str(value), name)
    return None


def _occurrences(
    event: Any, start: datetime, lines: _EventLines, problems: Problems
) -> list[datetime]:
    """Starts of a repeating event: bounded RRULE expanded, EXDATE removed."""
    line = lines.of("RRULE")
    recur = event["RRULE"]
    if "COUNT" not in recur and "UNTIL" not in recur:
        msg = "RRULE without COUNT or UNTIL repeats forever; add an end or expand it"
        problems.add(line, msg, recur.to_ical().decode(), "RRULE")
        return []
    for part, least in (("INTERVAL", 1), ("COUNT", 1)):
        values = recur.get(part) or []
        if any(not isinstance(v, int) or v < least for v in values):
            msg = f"{part} must be {least} or more (the rule would never repeat)"
            problems.add(line, msg, recur.to_ical().decode(), "RRULE")
            return []
    try:
        rule = rrule.rrulestr(recur.to_ical().decode(), dtstart=start, forceset=True)
        found: list[datetime] = []
        for occurrence in rule:
            found.append(occurrence)
            if len(found) > MAX_OCCURRENCES:
                msg = f"RRULE gives more than {MAX_OCCURRENCES} occurrences"
                problems.add(line, msg, recur.to_ical().decode(), "RRULE")
                return []
    except (ValueError, TypeError) as e:
        problems.add(line, f"cannot expand RRULE: {e}", recur.to_ical().decode(), "RRULE")
        return []
    excluded: set[datetime] = set()
    ex = event.get("EXDATE")
    for group in ex if isinstance(ex, list) else [ex] if ex is not None else []:
        for item in group.dts:
            value = item.dt
            if isinstance(value, datetime) and value.tzinfo is None:
                value = value.replace(tzinfo=start.tzinfo)
            elif not isinstance(value, datetime):
                value = datetime.combine(value, start.timetz())
            excluded.add(value)
    kept = [s for s in found if s not in excluded]
    if not kept:
        msg = "the rule never occurs (no date matches it, or every one is excluded)"
        problems.add(line, msg, recur.to_ical().decode(), "RRULE")
    return kept
