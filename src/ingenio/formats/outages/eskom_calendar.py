"""Load-shedding windows from beyarkay/eskom-calendar's machine-friendly CSV.

The file has the columns ``area_name,start,finsh,stage,source`` in any order (the
release's ``machine_friendly.csv`` lists them ``area_name,stage,start,finsh,source``;
the project really spells the end column ``finsh``)::

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

from functools import partial

from ingenio.domain import N_, said
from ingenio.formats.outages.csv import table_body
from ingenio.formats.outages.feed import (
    FeedWindow,
    OutageFeed,
    ParseOptions,
    Problems,
    after_start,
    checked_feed,
    parse_moment,
    read_cell,
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
    skipped = 0
    moment = partial(parse_moment, zone=zone)
    no_header = "no header row; expected " + ",".join(COLUMNS)
    columns, body = table_body(text, COLUMNS, COLUMNS, problems, no_header, _HINT)
    for number, fields in body:
        if len(fields) != len(COLUMNS):
            msg = f"expected {len(COLUMNS)} fields ({','.join(COLUMNS)}), found {len(fields)}"
            problems.add(number, msg, ",".join(fields))
            continue
        area, start_text, end_text, stage_text = (
            fields[columns[c]] for c in ("area_name", "start", "finsh", "stage")
        )
        if not area:
            problems.add(number, said(N_("area_name is empty")), None, "column area_name")
        start = read_cell(problems, number, "start", start_text, moment)
        end = read_cell(problems, number, "finsh", end_text, moment)
        stage = int(stage_text) if stage_text.isdigit() else None
        if stage is None or stage > 8:
            problems.add(
                number, said(N_("stage must be an integer 0 to 8")), stage_text, "column stage"
            )
            continue
        if start is not None and end is not None and end <= start:
            problems.add(number, after_start(start), end_text, "column finsh")
            continue
        if options.stage is not None and stage != options.stage:
            skipped += 1
            continue
        if start is not None and end is not None and area:
            rows.append((area, FeedWindow(start, end, 1.0, number, f"Stage {stage}")))
    notes = (
        [f"{skipped} row(s) of other stages left out (--stage {options.stage})"] if skipped else []
    )
    return checked_feed("eskom-calendar", source, rows, options.timezone, problems, notes)
