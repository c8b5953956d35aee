"""Outage windows in a plain CSV file: ``block,start,end[,probability]``.

The first row that is not blank and not a ``#`` comment is the header; its
columns may come in any order, ``probability`` may be left out (1.0). Every
other row is one window of one block (or external area)::

    # Havana, blocks B1-B6, week of 6 April 2026
    block,start,end,probability
    B1,2026-04-06T10:00,2026-04-06T14:00,1
    B2,2026-04-06 22:00,02:00,0.5
    B3,2026-04-06T18:00-04:00,2026-04-06T22:00-04:00,50%

* ``start``/``end``: ``YYYY-MM-DDTHH:MM`` (a space may replace ``T``), local to
  the portfolio's time zone unless an offset (``-04:00``, ``Z``) is given; an
  ``end`` written as ``HH:MM`` is on the start's day, or on the next day when it
  is not after the start (a window across midnight). ``24:00`` is midnight at
  the end of the day.
* A local time that happens twice (the clocks go back) or never (they go
  forward) is an error: give the offset.
* ``probability``: a number in [0, 1] or a percentage (``50%``).
* Windows of one block must not overlap (touching is fine).

Each row is one line (no quoted line breaks).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo
from functools import partial

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
    read_cell,
    zone_of,
)

COLUMNS = ("block", "start", "end", "probability")
REQUIRED = ("block", "start", "end")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def table_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """``(line number, fields)`` of each line that is not blank and not a ``#`` comment."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        yield number, [field.strip() for field in next(csv.reader([line]))]


def header_columns(
    number: int,
    fields: list[str],
    allowed: tuple[str, ...],
    required: tuple[str, ...],
    problems: Problems,
    hint: str = "",
) -> dict[str, int] | None:
    """Column name -> index from a header row; ``None`` (and problems) when it is unusable."""
    names = [f.lower() for f in fields]
    ok = True
    for i, name in enumerate(names):
        if name not in allowed:
            msg = f"unknown column; the columns are {', '.join(allowed)}{hint}"
            problems.add(number, msg, fields[i], f"column {i + 1}")
            ok = False
        elif names.index(name) != i:
            problems.add(number, said(N_("column given twice")), fields[i], f"column {i + 1}")
            ok = False
    missing = [r for r in required if r not in names]
    if missing:
        problems.add(number, f"header lacks column(s) {', '.join(missing)}{hint}", ",".join(fields))
        ok = False
    return {name: i for i, name in enumerate(names)} if ok else None


def table_body(
    text: str,
    allowed: tuple[str, ...],
    required: tuple[str, ...],
    problems: Problems,
    no_header: str,
    hint: str = "",
) -> tuple[dict[str, int], Iterator[tuple[int, list[str]]]]:
    """The header's column indexes and the data rows after it (:func:`table_rows`).

    The first row is the header (:func:`header_columns`). Without any row the
    ``no_header`` problem is added; with a bad header there are no data rows.
    """
    rows = table_rows(text)
    first = next(rows, None)
    if first is None:
        problems.add(None, no_header)
        return {}, iter(())
    columns = header_columns(*first, allowed, required, problems, hint)
    if columns is None:
        return {}, iter(())
    return columns, rows


def parse_probability(text: str) -> float:
    """A probability written ``0.5``, ``1`` or ``50%``.

    Raises
    ------
    ValueError
        When it is not a number in [0, 1].
    """
    raw = text.strip()
    scale = 1.0
    if raw.endswith("%"):
        raw, scale = raw[:-1].strip(), 0.01
    try:
        value = float(raw) * scale
    except ValueError:
        raise ValueError(N_("expected a probability between 0 and 1, or a percentage")) from None
    if not 0.0 <= value <= 1.0:
        raise ValueError(N_("probability must be between 0 and 1"))
    return value


def parse_end(text: str, start: datetime | None, zone: tzinfo) -> datetime:
    """An end time: a full date-time, or ``HH:MM`` on the start's day (next day if not after)."""
    m = _CLOCK.match(text.strip())
    if m is None:
        return parse_moment(text, zone)
    if start is None:
        raise ValueError(N_("a clock time needs a valid start"))
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise ValueError(N_("not a time of day HH:MM"))
    day = start.astimezone(zone).date()
    naive = datetime(day.year, day.month, day.day) + timedelta(hours=hour, minutes=minute)
    end = local_moment(naive, zone)
    if end <= start:
        end = local_moment(naive + timedelta(days=1), zone)
    return end


def parse_csv(text: str, source: str, options: ParseOptions) -> OutageFeed:
    """Read a ``block,start,end[,probability]`` CSV (module docstring).

    Parameters
    ----------
    text
        The file's text.
    source
        The file name, for messages.
    options
        ``timezone`` gives local times their zone.

    Returns
    -------
    OutageFeed
        The windows per block name, each with its line number.

    Raises
    ------
    DomainError
        With every bad row (``line 14, column end: ...``), overlapping windows
        of one block, or a missing header.
    """
    zone = zone_of(options.timezone, source)
    problems = Problems(source)
    rows: list[tuple[str, FeedWindow]] = []
    no_header = "no header row; the first row must be block,start,end[,probability]"
    columns, body = table_body(text, COLUMNS, REQUIRED, problems, no_header)
    for number, fields in body:
        if len(fields) != len(columns):
            msg = said(
                N_("expected %(count)s fields like the header, found %(found)s"),
                count=len(columns),
                found=len(fields),
            )
            problems.add(number, msg, ",".join(fields))
            continue
        area = fields[columns["block"]]
        if not area:
            problems.add(number, said(N_("block is empty")), None, "column block")
        start_text, end_text = fields[columns["start"]], fields[columns["end"]]
        start = read_cell(problems, number, "start", start_text, partial(parse_moment, zone=zone))
        end = read_cell(
            problems, number, "end", end_text, partial(parse_end, start=start, zone=zone)
        )
        probability = 1.0
        if "probability" in columns:
            raw = fields[columns["probability"]]
            parsed = read_cell(problems, number, "probability", raw, parse_probability)
            probability = 1.0 if parsed is None else parsed
        if start is not None and end is not None and end <= start:
            problems.add(number, after_start(start), end_text, "column end")
        elif start is not None and end is not None and area:
            rows.append((area, FeedWindow(start, end, probability, number)))
    return checked_feed("csv", source, rows, options.timezone, problems, what="block")
