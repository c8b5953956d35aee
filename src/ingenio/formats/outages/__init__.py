"""Outage schedules in the formats people have: read, show, import.

One module per format, each returning an :class:`OutageFeed`:

=================  ==============================================================
``csv``            ``block,start,end[,probability]`` (:mod:`.csv`)
``ics``            iCalendar VEVENTs (:mod:`.ics`)
``esp-json``       EskomSePush API v2 ``area`` response (:mod:`.esp_json`)
``eskom-calendar`` beyarkay/eskom-calendar CSV ``area_name,start,finsh,stage,source``
``une``            the Cuban UNE daily report, via the rotation model (:mod:`.une`)
=================  ==============================================================

Putting a feed into a portfolio's blocks through a mapping is not a format's job:
:func:`ingenio.energy.outage_import.import_outages` does it, and the UNE rotation
model that turns a forecast into windows is :mod:`ingenio.energy.rotation`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingenio.domain import N_, DomainError, Issue, said
from ingenio.formats.outages.csv import parse_csv
from ingenio.formats.outages.eskom_calendar import parse_eskom_calendar
from ingenio.formats.outages.esp_json import parse_esp_json
from ingenio.formats.outages.feed import (
    FeedWindow,
    OutageFeed,
    ParseOptions,
    feed_document,
    hours_per_day,
)
from ingenio.formats.outages.ics import parse_ics
from ingenio.formats.outages.mapping import OutageMapping, load_mapping, parse_mapping
from ingenio.formats.outages.une import parse_une, parse_une_report
from ingenio.limits import MAX_TEXT_BYTES, check_size

Reader = Callable[[str, str, ParseOptions], OutageFeed]

FORMATS: dict[str, Reader] = {
    "csv": parse_csv,
    "ics": parse_ics,
    "esp-json": parse_esp_json,
    "eskom-calendar": parse_eskom_calendar,
    "une": parse_une,
}
"""Format name (as on the command line) -> reader."""


def parse_outages(text: str, fmt: str, source: str, options: ParseOptions) -> OutageFeed:
    """Read outage-schedule text in format ``fmt`` (a key of :data:`FORMATS`).

    Raises
    ------
    DomainError
        For an unknown format or any problem of the text.
    """
    reader = FORMATS.get(fmt)
    if reader is None:
        msg = said(N_("unknown format; choose from %(formats)s"), formats=", ".join(FORMATS))
        raise DomainError([Issue.of("--format", msg, fmt)], source)
    return reader(text, source, options)


def read_outages(path: Path, fmt: str, options: ParseOptions) -> OutageFeed:
    """Read an outage-schedule file (UTF-8, a byte-order mark is allowed).

    Raises
    ------
    DomainError
        If the file cannot be read or has any problem.
    """
    check_size(path, MAX_TEXT_BYTES)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise DomainError([Issue.of("(file)", said(N_("not UTF-8 text")))], path.name) from e
    except OSError as e:
        msg = said(N_("cannot read the file: %(error)s"), error=str(e.strerror or e))
        raise DomainError([Issue.of("(file)", msg)], path.name) from e
    return parse_outages(text, fmt, path.name, options)


__all__ = [
    "FORMATS",
    "FeedWindow",
    "OutageFeed",
    "OutageMapping",
    "ParseOptions",
    "feed_document",
    "hours_per_day",
    "load_mapping",
    "parse_mapping",
    "parse_outages",
    "parse_une_report",
    "read_outages",
]
