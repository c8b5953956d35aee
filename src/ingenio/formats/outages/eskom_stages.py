"""A block's stage schedule and stage timeline from beyarkay/eskom-calendar files.

Two files of that project, read as they are published:

* an **area schedule**, ``generated/<area>.csv``: the ranges an area is off at each
  stage, per day of the month, repeating every month::

      date_of_month,start_time,finsh_time,stage
      1,02:00,04:30,7
      10,22:00,00:30,8

  ``finsh_time`` (the project's spelling; ``finish_time`` is read too) not after
  ``start_time`` runs into the next day. :func:`eskom_area_schedule` turns it into the
  entries of a block's ``load_shedding.schedule`` (``docs/formats.md``) for given dates.
* the **stage timeline**, ``manually_specified.yaml``: ``changes:``, a list of
  ``{stage, start, finsh, source, include, exclude}`` (``finish`` is read too), the
  national stage over time; ``include: coct`` marks a change that holds only in the
  City of Cape Town, ``exclude: coct`` one that holds everywhere else.
  :func:`eskom_stage_timeline` reads it; :func:`timeline_forecast` makes it the block's
  forecast: for each date, the **highest stage in force at any minute of it**, with
  probability 1 (the portfolio's forecast is per date; the highest stage never plans
  with fewer cuts than announced).

Every problem is reported at once with the file, line and field (``area.csv: line 7,
column stage: stage must be an integer 1 to 8 (got '9')``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import yaml

from ingenio.domain import STAGES
from ingenio.formats.outages.csv import table_body
from ingenio.formats.outages.feed import Problems, parse_moment

__all__ = [
    "StageChange",
    "eskom_area_schedule",
    "eskom_stage_timeline",
    "timeline_forecast",
]

_SECONDS = re.compile(r"([T ]\d{1,2}:\d{2}):\d{2}(?:\.\d+)?")
_HM = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])(:00)?$")
_AREA_COLUMNS = ("date_of_month", "start_time", "finsh_time", "finish_time", "stage")
_AREA_HINT = " (eskom-calendar spells the end column `finsh_time`)"
MAX_CHANGES = 100_000
"""Most timeline changes read from one file."""


def _hm(text: str) -> str | None:
    """``"2:00"`` or ``"02:00:00"`` -> ``"02:00"``; None when it is not a time of day."""
    m = _HM.match(text.strip())
    return None if m is None else f"{int(m.group(1)):02d}:{m.group(2)}"


def eskom_area_schedule(text: str, source: str, dates: Sequence[date]) -> list[dict[str, object]]:
    """The schedule entries ``{date, stages}`` of ``dates`` from an area schedule CSV.

    Raises
    ------
    DomainError
        With every bad row (day of the month not 1..31, a time that is not ``HH:MM``,
        equal start and end, a stage not 1..8), a wrong header, or no row at all.
    """
    problems = Problems(source)
    ranges: dict[int, list[set[str]]] = {d: [set() for _ in range(STAGES)] for d in range(1, 32)}
    no_header = "no header row; expected date_of_month,start_time,finsh_time,stage"
    required = ("date_of_month", "start_time", "stage")
    columns, body = table_body(text, _AREA_COLUMNS, required, problems, no_header, _AREA_HINT)
    end_col = "finsh_time" if "finsh_time" in columns else "finish_time"
    if columns and end_col not in columns:
        problems.add(1, "missing the end column finsh_time (or finish_time)")
        columns = {}
    rows = 0
    for number, fields in body if columns else ():
        if len(fields) != len(columns):
            msg = f"expected {len(columns)} fields ({','.join(columns)}), found {len(fields)}"
            problems.add(number, msg, ",".join(fields))
            continue
        day_text, start_text, end_text, stage_text = (
            fields[columns[c]].strip() for c in ("date_of_month", "start_time", end_col, "stage")
        )
        day = int(day_text) if day_text.isdigit() else 0
        if not 1 <= day <= 31:
            msg = "day of the month must be 1 to 31"
            problems.add(number, msg, day_text, "column date_of_month")
        start, end = _hm(start_text), _hm(end_text)
        if start is None:
            problems.add(number, "expected a time HH:MM", start_text, "column start_time")
        if end is None:
            problems.add(number, "expected a time HH:MM", end_text, f"column {end_col}")
        elif start is not None and start == end:
            problems.add(number, "the range is empty (end equals start)", end_text, end_col)
        stage = int(stage_text) if stage_text.isdigit() else 0
        if not 1 <= stage <= STAGES:
            msg = f"stage must be an integer 1 to {STAGES}"
            problems.add(number, msg, stage_text, "column stage")
        if 1 <= day <= 31 and start and end and start != end and 1 <= stage <= STAGES:
            ranges[day][stage - 1].add(f"{start}-{'24:00' if end == '00:00' else end}")
            rows += 1
    if not rows and not problems:
        problems.add(None, "no schedule rows")
    problems.raise_if_any()
    return [{"date": d.isoformat(), "stages": [sorted(s) for s in ranges[d.day]]} for d in dates]


@dataclass(frozen=True)
class StageChange:
    """One change of the stage timeline: ``stage`` from ``start`` to ``end``."""

    stage: int
    start: datetime
    end: datetime
    line: int


def eskom_stage_timeline(
    text: str, source: str, zone: tzinfo, region: str | None = None
) -> list[StageChange]:
    """The changes of an eskom-calendar ``manually_specified.yaml`` that hold in
    ``region`` (None: outside any region the file names, e.g. not ``coct``).

    A file of several YAML documents (the project's history tests) is read from its
    last document, the combined one. Times without an offset are local to ``zone``.

    Raises
    ------
    DomainError
        With every bad change (a stage not 0..8, a time that is not ISO 8601, an end not
        after its start, a missing field), each with its line, or no ``changes`` list.
    """
    problems = Problems(source)
    try:
        docs = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problems.add(None if mark is None else mark.line + 1, f"not valid YAML: {e}")
        problems.raise_if_any()
        return []
    except RecursionError:
        problems.add(None, "nested too deeply to be a stage timeline")
        problems.raise_if_any()
        return []
    docs = [d for d in docs if d is not None]
    changes = _changes_node(docs[-1] if docs else None)
    if changes is None:
        problems.add(None, "no list of changes", None, "changes")
        problems.raise_if_any()
        return []
    if len(changes.value) > MAX_CHANGES:
        problems.add(None, f"more than {MAX_CHANGES} changes", len(changes.value), "changes")
        problems.raise_if_any()
    out: list[StageChange] = []
    for i, item in enumerate(changes.value):
        change = _change(item, f"changes[{i}]", zone, problems)
        if change is None:
            continue
        fields = _scalars(item)
        include, exclude = fields.get("include", ("", 0))[0], fields.get("exclude", ("", 0))[0]
        if include and include != region:
            continue
        if exclude and exclude == region:
            continue
        out.append(change)
    problems.raise_if_any()
    return sorted(out, key=lambda c: (c.start, c.end))


def _changes_node(doc: yaml.Node | None) -> yaml.SequenceNode | None:
    """The ``changes`` sequence of a document, if it has one."""
    if not isinstance(doc, yaml.MappingNode):
        return None
    for key, value in doc.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "changes":
            return value if isinstance(value, yaml.SequenceNode) else None
    return None


def _scalars(node: yaml.Node) -> dict[str, tuple[str, int]]:
    """A mapping's scalar fields: name -> (text, line)."""
    out: dict[str, tuple[str, int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode):
                out[str(key.value)] = (str(value.value), value.start_mark.line + 1)
    return out


def _change(node: yaml.Node, path: str, zone: tzinfo, problems: Problems) -> StageChange | None:
    """One ``changes[i]`` item, or None (with its problems added)."""
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        problems.add(line, "expected a mapping {stage, start, finsh}", None, path)
        return None
    fields = _scalars(node)
    end_key = "finsh" if "finsh" in fields else "finish"
    missing = [k for k in ("stage", "start") if k not in fields]
    missing += [] if end_key in fields else ["finsh"]
    if missing:
        msg = f"missing {', '.join(missing)} (eskom-calendar spells the end `finsh`)"
        problems.add(line, msg, None, path)
        return None
    stage_text, stage_line = fields["stage"]
    stage = int(stage_text) if stage_text.strip().isdigit() else -1
    if not 0 <= stage <= STAGES:
        msg = f"stage must be an integer 0 to {STAGES}"
        problems.add(stage_line, msg, stage_text, f"{path}.stage")
    moments: list[datetime] = []
    for key in ("start", end_key):
        value, at = fields[key]
        try:  # seconds are dropped: the planner works in whole minutes
            moments.append(parse_moment(_SECONDS.sub(r"\1", value), zone))
        except ValueError as e:
            problems.add(at, str(e), value, f"{path}.{key}")
    if len(moments) < 2 or not 0 <= stage <= STAGES:
        return None
    start, end = moments
    if end < start:
        value, at = fields[end_key]
        problems.add(at, "must not be before start", value, f"{path}.{end_key}")
    if end <= start:  # empty once seconds are dropped
        return None
    return StageChange(stage, start, end, line)


def timeline_forecast(
    changes: Iterable[StageChange], dates: Sequence[date], zone: tzinfo
) -> list[dict[str, object]]:
    """Forecast rows ``{date, stage, probability: 1.0}``: per date, the highest stage
    in force at any minute of it (dates with stage 0 or no change get no row)."""
    changes = list(changes)
    rows: list[dict[str, object]] = []
    for d in dates:
        lo = datetime.combine(d, time(0), tzinfo=zone)
        hi = datetime.combine(d + timedelta(days=1), time(0), tzinfo=zone)
        top = max((c.stage for c in changes if c.start < hi and lo < c.end), default=0)
        if top:
            rows.append({"date": d.isoformat(), "stage": top, "probability": 1.0})
    return rows
