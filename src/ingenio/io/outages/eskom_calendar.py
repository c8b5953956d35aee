"""Load-shedding windows from beyarkay/eskom-calendar's machine-friendly CSV.

The file has exactly the columns ``area_name,start,finsh,stage,source`` (the
project really spells the end column ``finsh``)::

    area_name,start,finsh,stage,source
    city-of-cape-town-area-15,2023-05-16T02:00:00+02:00,2023-05-16T04:30:00+02:00,4,https://...

* ``start``/``finsh``: ISO date-times, normally with their offset (``+02:00``);
  without one they are local to the chosen time zone.
* ``stage``: an integer 0..8 (kept as the window's note, ``Stage 4``).
* ``source``: where the schedule was announced (kept, not checked).
* With ``--stage N`` only the rows of stage ``N`` are kept.
* Windows of one area must not overlap (touching is fine).
"""

from __future__ import annotations

from ingenio.io.outages.csv import header_columns, table_rows
from ingenio.io.outages.feed import (
    FeedWindow,
    OutageFeed,
    ParseOptions,
    Problems,
    make_feed,
    overlap_problems,
    parse_moment,
    zone_of,
)

COLUMNS = ("area_name", "start", "finsh", "stage", "source")
_HINT = " (eskom-calendar spells the end column `finsh`)"


def parse_eskom_calendar(text: str, source: str, options: ParseOptions) -> OutageFeed:
    """Read an eskom-calendar CSV (module docstring).

    Parameters
    ----------
    text
        The file's text.
    source
        The file name, for messages.
    options
        ``timezone`` for times without an offset; ``stage`` to keep one stage.

    Returns
    -------
    OutageFeed
        The windows per ``area_name``, each noted with its stage.

    Raises
    ------
    DomainError
        With every bad row, overlapping windows of one area, or a wrong header.
    """
    zone = zone_of(options.timezone, source)
    problems = Problems(source)
    rows: list[tuple[str, FeedWindow]] = []
    columns: dict[str, int] | None = None
    header_seen = False
    skipped = 0
    for number, fields in table_rows(text):
        if not header_seen:
            header_seen = True
            columns = header_columns(number, fields, COLUMNS, COLUMNS, problems, _HINT)
            continue
        if columns is None:
            break
        if len(fields) != len(COLUMNS):
            msg = f"expected {len(COLUMNS)} fields ({','.join(COLUMNS)}), found {len(fields)}"
            problems.add(number, msg, ",".join(fields))
            continue
        area, start_text, end_text, stage_text = (
            fields[columns[c]] for c in ("area_name", "start", "finsh", "stage")
        )
        if not area:
            problems.add(number, "area_name is empty", None, "column area_name")
        start = end = None
        try:
            start = parse_moment(start_text, zone)
        except ValueError as e:
            problems.add(number, str(e), start_text, "column start")
        try:
            end = parse_moment(end_text, zone)
        except ValueError as e:
            problems.add(number, str(e), end_text, "column finsh")
        stage = int(stage_text) if stage_text.isdigit() else None
        if stage is None or stage > 8:
            problems.add(number, "stage must be an integer 0 to 8", stage_text, "column stage")
            continue
        if start is not None and end is not None and end <= start:
            msg = f"must be after the start {start.isoformat(timespec='minutes')}"
            problems.add(number, msg, end_text, "column finsh")
            continue
        if options.stage is not None and stage != options.stage:
            skipped += 1
            continue
        if start is not None and end is not None and area:
            rows.append((area, FeedWindow(start, end, 1.0, number, f"Stage {stage}")))
    if not header_seen:
        problems.add(None, "no header row; expected " + ",".join(COLUMNS))
    notes = (
        [f"{skipped} row(s) of other stages left out (--stage {options.stage})"] if skipped else []
    )
    feed = make_feed("eskom-calendar", source, rows, options.timezone, notes)
    overlap_problems(feed.areas, problems)
    problems.raise_if_any()
    return feed
