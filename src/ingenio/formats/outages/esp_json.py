"""Load-shedding of one area from the EskomSePush API v2 ``area`` response (JSON).

The shape (``GET /business/2.0/area?id=...``)::

    {"events": [{"start": "2023-05-15T08:00:00+02:00",
                 "end": "2023-05-15T10:30:00+02:00", "note": "Stage 4"}],
     "info": {"name": "Soweto (12)", "region": "Eskom Direct, City of Johannesburg"},
     "schedule": {"days": [{"date": "2023-05-15", "name": "Monday",
                            "stages": [["00:00-02:30"], ["00:00-02:30", "16:00-18:30"], ...]}],
                  "source": "https://loadshedding.eskom.co.za/"}}

* Without ``--stage`` the **events** are read: the cuts announced for the
  area (``note`` such as ``Stage 4`` is kept as the window's note).
* With ``--stage N`` (1..8) the **schedule** is read instead: for each day,
  ``stages[N - 1]`` lists ``"HH:MM-HH:MM"`` ranges in local time (the chosen
  time zone). A range whose end is not after its start runs past midnight
  (``"22:00-00:30"``). Ranges of the schedule that overlap or touch (Eskom's
  2.5-hour slots start every 2 hours) are merged into one window.
* The area is ``info.name``. Errors name the line and the JSON path
  (``line 14, events[2].end``).
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from ingenio.domain import N_, said
from ingenio.formats.outages.feed import (
    FeedWindow,
    OutageFeed,
    ParseOptions,
    Problems,
    after_start,
    checked_feed,
    local_moment,
    parse_moment,
    zone_of,
)

_RANGE = re.compile(r"^(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})$")
_STAGE_NOTE = re.compile(r"stage\s*(\d+)", re.IGNORECASE)


_JSON_OBJECT: Callable[..., tuple[Any, int]] = getattr(json.decoder, "JSONObject")  # noqa: B009
_JSON_ARRAY: Callable[..., tuple[Any, int]] = getattr(json.decoder, "JSONArray")  # noqa: B009
_SCANSTRING: Callable[[str, int, bool], tuple[str, int]] = getattr(json.decoder, "scanstring")  # noqa: B009


class _Text(str):
    """A JSON string value that remembers its line."""

    line: int = 0


class _LineDecoder(json.JSONDecoder):
    """``json`` decoding that records the line of each object, array and string value."""

    def __init__(self, text: str) -> None:
        super().__init__(object_pairs_hook=_no_duplicates)
        starts = [i for i, ch in enumerate(text) if ch == "\n"]
        self.lines: dict[int, int] = {}

        def line_at(index: int) -> int:
            return bisect.bisect_left(starts, index) + 1

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
            obj, end = _JSON_OBJECT(s_and_end, *args)
            self.lines[id(obj)] = line_at(s_and_end[1])
            return obj, end

        def parse_array(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
            obj, end = _JSON_ARRAY(s_and_end, *args)
            self.lines[id(obj)] = line_at(s_and_end[1])
            return obj, end

        def parse_string(s: str, end: int, strict: bool) -> tuple[str, int]:
            value, after = _SCANSTRING(s, end, strict)
            marked = _Text(value)
            marked.line = line_at(end)
            return marked, after

        self.parse_object = parse_object
        self.parse_array = parse_array
        self.parse_string = parse_string
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _load(text: str, problems: Problems) -> tuple[Any, Callable[[object], int | None]]:
    decoder = _LineDecoder(text)
    try:
        data = decoder.decode(text)
    except json.JSONDecodeError as e:
        problems.add(e.lineno, f"JSON syntax error: {e.msg} (column {e.colno})")
        problems.raise_if_any()
    except ValueError as e:
        problems.add(None, f"JSON error: {e}")
        problems.raise_if_any()

    def line_of(value: object) -> int | None:
        if isinstance(value, _Text):
            return value.line
        return decoder.lines.get(id(value))

    return data, line_of


def parse_esp_json(text: str, source: str, options: ParseOptions) -> OutageFeed:
    """Read an EskomSePush ``area`` response (module docstring).

    Parameters
    ----------
    text
        The file's text.
    source
        The file name, for messages.
    options
        ``stage`` picks the schedule of that stage; ``timezone`` the zone of
        the schedule's clock times (and of event times without an offset).

    Returns
    -------
    OutageFeed
        One area, ``info.name``, with its windows.

    Raises
    ------
    DomainError
        With every bad event or range, by line and JSON path.
    """
    zone = zone_of(options.timezone, source)
    problems = Problems(source)
    data, line_of = _load(text, problems)
    if not isinstance(data, dict):
        problems.add(1, said(N_("expected a JSON object with events, info and schedule")))
        problems.raise_if_any()
    info = data.get("info")
    name = info.get("name") if isinstance(info, dict) else None
    if not isinstance(name, str) or not name.strip():
        problems.add(line_of(info) or 1, said(N_("info.name: the area name is missing")), name)
        name = ""
    rows: list[FeedWindow] = []
    span: tuple[datetime, datetime] | None = None
    notes: list[str] = []
    if options.stage is None:
        rows = _events(data.get("events", []), zone, problems, line_of)
        if not rows and not problems:
            notes.append("no events in the file; give --stage N to read the schedule instead")
    elif not 1 <= options.stage <= 8:
        problems.add(None, said(N_("--stage must be 1 to 8")), options.stage)
    else:
        rows, span = _schedule(data.get("schedule"), options.stage, zone, problems, line_of)
        notes.append(f"schedule of stage {options.stage}")
    pairs = ((name, w) for w in rows)
    return checked_feed("esp-json", source, pairs, options.timezone, problems, notes, span)


def _events(
    events: object, zone: tzinfo, problems: Problems, line_of: Callable[[object], int | None]
) -> list[FeedWindow]:
    if not isinstance(events, list):
        problems.add(line_of(events), said(N_("events: expected a list")), None)
        return []
    out: list[FeedWindow] = []
    for i, event in enumerate(events):
        path = f"events[{i}]"
        line = line_of(event)
        if not isinstance(event, dict):
            problems.add(line, said(N_("expected an object with start, end and note")), None, path)
            continue
        moments: dict[str, datetime] = {}
        for key in ("start", "end"):
            raw = event.get(key)
            if not isinstance(raw, str):
                problems.add(line, said(N_("missing or not text")), raw, f"{path}.{key}")
                continue
            try:
                moments[key] = parse_moment(raw, zone)
            except ValueError as e:
                problems.add(line_of(raw), str(e), str(raw), f"{path}.{key}")
        note = event.get("note", "")
        if not isinstance(note, str):
            problems.add(line, said(N_("expected text")), note, f"{path}.note")
            note = ""
        if len(moments) < 2:
            continue
        if moments["end"] <= moments["start"]:
            msg = after_start(moments["start"])
            problems.add(line_of(event.get("end")), msg, str(event["end"]), f"{path}.end")
            continue
        stage = _STAGE_NOTE.search(note)
        out.append(
            FeedWindow(
                moments["start"],
                moments["end"],
                1.0,
                line or 0,
                f"Stage {stage.group(1)}" if stage else note,
            )
        )
    return out


def _schedule(
    schedule: object,
    stage: int,
    zone: tzinfo,
    problems: Problems,
    line_of: Callable[[object], int | None],
) -> tuple[list[FeedWindow], tuple[datetime, datetime] | None]:
    days = schedule.get("days") if isinstance(schedule, dict) else None
    if not isinstance(days, list) or not days:
        problems.add(
            line_of(schedule), said(N_("schedule.days: expected a non-empty list of days"))
        )
        return [], None
    raw: list[FeedWindow] = []
    seen: list[date] = []
    for i, day in enumerate(days):
        path = f"schedule.days[{i}]"
        when = day.get("date") if isinstance(day, dict) else None
        try:
            d = date.fromisoformat(when) if isinstance(when, str) else None
        except ValueError:
            d = None
        if d is None:
            problems.add(
                line_of(when) or line_of(day), "expected a date YYYY-MM-DD", when, f"{path}.date"
            )
            continue
        if d in seen:
            problems.add(line_of(when), said(N_("day given twice")), when, f"{path}.date")
            continue
        seen.append(d)
        stages = day.get("stages")
        if (
            not isinstance(stages, list)
            or len(stages) < stage
            or not isinstance(stages[stage - 1], list)
        ):
            msg = f"has no list of ranges for stage {stage}"
            problems.add(line_of(stages) or line_of(day), msg, None, f"{path}.stages")
            continue
        for j, text in enumerate(stages[stage - 1]):
            where = f"{path}.stages[{stage - 1}][{j}]"
            try:
                start, end = _range(text, d, zone)
            except ValueError as e:
                problems.add(line_of(text), str(e), text, where)
                continue
            raw.append(FeedWindow(start, end, 1.0, line_of(text) or 0, f"Stage {stage}"))
    span = None
    if seen:
        first, last = min(seen), max(seen) + timedelta(days=1)
        span = (
            local_moment(datetime(first.year, first.month, first.day), zone),
            local_moment(datetime(last.year, last.month, last.day), zone),
        )
    return _merge(raw), span


def _range(text: object, day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """``"HH:MM-HH:MM"`` on ``day``; an end not after the start is on the next day."""
    m = _RANGE.match(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise ValueError(N_('expected a time range "HH:MM-HH:MM"'))
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(N_("not a time of day"))
    base = datetime(day.year, day.month, day.day)
    start = base + timedelta(hours=h1, minutes=m1)
    end = base + timedelta(hours=h2, minutes=m2)
    if end <= start:
        end += timedelta(days=1)
    return local_moment(start, zone), local_moment(end, zone)


def _merge(windows: list[FeedWindow]) -> list[FeedWindow]:
    """Union of overlapping or touching schedule windows (the first line is kept)."""
    out: list[FeedWindow] = []
    for w in sorted(windows, key=lambda w: (w.start, w.end)):
        if out and w.start <= out[-1].end:
            last = out[-1]
            out[-1] = FeedWindow(last.start, max(last.end, w.end), 1.0, last.line, last.note)
        else:
            out.append(w)
    return out
